package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleDesignList lists designs: ?category, ?status, ?licence, ?q, ?author,
// ?offset, ?limit. Designs are open: anyone may browse them.
func (s *Handler) HandleDesignList(c *gin.Context) {
	f := designs.DesignFilter{Category: designs.Category(c.Query("category")), Status: designs.Status(c.Query("status")),
		Licence: c.Query("licence"), Query: c.Query("q")}
	var err error
	if f.Offset, err = httpx.QueryInt(c, "offset", 0, 0, 1<<31-1); err != nil {
		s.RenderError(c, err)
		return
	}
	if f.Limit, err = httpx.QueryInt(c, "limit", 50, 1, 500); err != nil {
		s.RenderError(c, err)
		return
	}
	author, err := httpx.QueryInt(c, "author", 0, 0, 1<<31-1)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	f.AuthorID = int64(author)
	list_, total, err := s.designs.FindDesigns(c.Request.Context(), f)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, list[*designs.Design]{Items: list_, Total: total, Offset: f.Offset, Limit: f.Limit})
}

// HandleDesignCreate creates a design; the answer carries its id.
func (s *Handler) HandleDesignCreate(c *gin.Context) {
	var in designs.DesignInput
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	d, err := s.designs.CreateDesign(c.Request.Context(), in)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.Header("Location", "/api/v1/designs/"+strconv.FormatInt(d.ID, 10))
	c.JSON(http.StatusCreated, d)
}

func (s *Handler) HandleDesignView(c *gin.Context) {
	id, err := httpx.PathID(c, "Design")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	d, err := s.designs.FindDesignByID(c.Request.Context(), id)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// HandleDesignUpdate edits some fields of a design (PATCH semantics).
func (s *Handler) HandleDesignUpdate(c *gin.Context) {
	id, err := httpx.PathID(c, "Design")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	var in designs.DesignInput
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	d, err := s.designs.UpdateDesign(c.Request.Context(), id, in)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// HandleLicences lists the accepted SPDX licences with their restrictions.
func (s *Handler) HandleLicences(c *gin.Context) {
	ls := designs.Licences()
	c.JSON(http.StatusOK, list[designs.Licence]{Items: ls, Total: len(ls), Limit: len(ls)})
}

// HandleMaterials lists the known materials with their densities.
func (s *Handler) HandleMaterials(c *gin.Context) {
	c.JSON(http.StatusOK, list[designs.Material]{Items: designs.Materials(), Total: len(designs.Materials()), Limit: len(designs.Materials())})
}

// HandleBeds lists the standard printer beds analyses are checked against.
func (s *Handler) HandleBeds(c *gin.Context) {
	c.JSON(http.StatusOK, list[stl.Bed]{Items: stl.Beds(), Total: len(stl.Beds()), Limit: len(stl.Beds())})
}

package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/stl"
)

// handleDesignList lists designs: ?category, ?status, ?licence, ?q, ?author,
// ?offset, ?limit. Designs are open: anyone may browse them.
func (s *Server) handleDesignList(c *gin.Context) {
	f := designs.DesignFilter{Category: designs.Category(c.Query("category")), Status: designs.Status(c.Query("status")),
		Licence: c.Query("licence"), Query: c.Query("q")}
	var err error
	if f.Offset, err = queryInt(c, "offset", 0, 0, 1<<31-1); err != nil {
		s.renderError(c, err)
		return
	}
	if f.Limit, err = queryInt(c, "limit", 50, 1, 500); err != nil {
		s.renderError(c, err)
		return
	}
	author, err := queryInt(c, "author", 0, 0, 1<<31-1)
	if err != nil {
		s.renderError(c, err)
		return
	}
	f.AuthorID = int64(author)
	list_, total, err := s.designs.FindDesigns(c.Request.Context(), f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, list[*designs.Design]{Items: list_, Total: total, Offset: f.Offset, Limit: f.Limit})
}

// handleDesignCreate creates a design; the answer carries its id.
func (s *Server) handleDesignCreate(c *gin.Context) {
	var in designs.DesignInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	d, err := s.designs.CreateDesign(c.Request.Context(), in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Location", "/api/v1/designs/"+strconv.FormatInt(d.ID, 10))
	c.JSON(http.StatusCreated, d)
}

func (s *Server) handleDesignView(c *gin.Context) {
	id, err := pathID(c, "Design")
	if err != nil {
		s.renderError(c, err)
		return
	}
	d, err := s.designs.FindDesignByID(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// handleDesignUpdate edits some fields of a design (PATCH semantics).
func (s *Server) handleDesignUpdate(c *gin.Context) {
	id, err := pathID(c, "Design")
	if err != nil {
		s.renderError(c, err)
		return
	}
	var in designs.DesignInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	d, err := s.designs.UpdateDesign(c.Request.Context(), id, in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// handleLicences lists the accepted SPDX licences with their restrictions.
func (s *Server) handleLicences(c *gin.Context) {
	ls := designs.Licences()
	c.JSON(http.StatusOK, list[designs.Licence]{Items: ls, Total: len(ls), Limit: len(ls)})
}

// handleMaterials lists the known materials with their densities.
func (s *Server) handleMaterials(c *gin.Context) {
	c.JSON(http.StatusOK, list[designs.Material]{Items: designs.Materials(), Total: len(designs.Materials()), Limit: len(designs.Materials())})
}

// handleBeds lists the standard printer beds analyses are checked against.
func (s *Server) handleBeds(c *gin.Context) {
	c.JSON(http.StatusOK, list[stl.Bed]{Items: stl.Beds(), Total: len(stl.Beds()), Limit: len(stl.Beds())})
}

// versionParams parses :id and :n.
func versionParams(c *gin.Context) (int64, int, error) {
	id, err := pathID(c, "Design")
	if err != nil {
		return 0, 0, err
	}
	raw := c.Param("n")
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, 0, makerhub.Errorf(makerhub.EINVALID, "Version number %q is not valid: versions are numbered 1, 2, 3…", raw)
	}
	return id, n, nil
}

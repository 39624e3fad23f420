package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/web/i18n"
)

type newDesignForm struct {
	Title, Category, Licence, Material, Description, SourceURL string
	Categories                                                 []designs.Category
	Licences                                                   []designs.Licence
	Materials                                                  []designs.Material
}

func newDesignPage(f newDesignForm) newDesignForm {
	f.Categories, f.Licences, f.Materials = designs.Categories(), designs.Licences(), designs.Materials()
	return f
}

// mayPublish sends visitors to log in and tells hospitals that makers and
// coordinators share designs; it reports whether to go on.
func (s *Handler) mayPublish(c *gin.Context) bool {
	u := makerhub.UserFromContext(c.Request.Context())
	l := i18n.Of(c.Request)
	switch {
	case u == nil:
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.Path))
		return false
	case !s.designs.MayShare(c.Request.Context()):
		s.render(c, http.StatusForbidden, "error", l.T("error.title"), &view{Error: l.T("newdesign.forbidden")})
		return false
	}
	return true
}

// HandleNewDesignPage shows the form that shares a design.
func (s *Handler) HandleNewDesignPage(c *gin.Context) {
	if !s.mayPublish(c) {
		return
	}
	s.render(c, http.StatusOK, "newdesign", i18n.Of(c.Request).T("newdesign.title"), &view{Section: "newdesign",
		Data: newDesignPage(newDesignForm{Material: "PLA"})})
}

// HandleNewDesignForm creates the design and its first version, a draft
// to which the design's page then uploads files.
func (s *Handler) HandleNewDesignForm(c *gin.Context) {
	if !s.mayPublish(c) {
		return
	}
	l := i18n.Of(c.Request)
	f := newDesignForm{Title: c.PostForm("title"), Category: c.PostForm("category"), Licence: c.PostForm("licence"),
		Material: c.PostForm("material"), Description: c.PostForm("description"), SourceURL: strings.TrimSpace(c.PostForm("source_url"))}
	cat := designs.Category(f.Category)
	d, err := s.designs.CreateDesign(c.Request.Context(), designs.DesignInput{Title: &f.Title, Category: &cat, Licence: &f.Licence,
		Material: &f.Material, Description: &f.Description, SourceURL: &f.SourceURL})
	if err == nil {
		_, err = s.designs.CreateVersion(c.Request.Context(), d.ID, "")
	}
	if err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "newdesign", l.T("newdesign.title"), &view{Section: "newdesign", Error: msg, Data: newDesignPage(f)})
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/designs/%d", d.ID))
}

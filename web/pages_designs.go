package web

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
)

// The built front-end assets (scripts/build-web.sh writes them into
// static/dist before the binary is built). Without them the pages work,
// and say the 3D viewer and the map are not built.
var (
	viewerBuilt = assetBuilt("static/dist/viewer.js")
	mapBuilt    = assetBuilt("static/dist/map.js") && assetBuilt("static/dist/map.css")
	uploadBuilt = assetBuilt("static/dist/upload.js")
)

func assetBuilt(name string) bool {
	_, err := fs.Stat(staticFS, name)
	return err == nil
}

// assets says which built scripts a page may load.
type assets struct{ Viewer, Map, Upload bool }

var built = assets{Viewer: viewerBuilt, Map: mapBuilt, Upload: uploadBuilt}

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
func (s *Server) mayPublish(c *gin.Context) bool {
	u := makerhub.UserFromContext(c.Request.Context())
	l := langOf(c.Request)
	switch {
	case u == nil:
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.Path))
		return false
	case u.Role != makerhub.RoleMaker && u.Role != makerhub.RoleCoordinator:
		s.render(c, http.StatusForbidden, "error", l.T("error.title"), &view{Error: l.T("newdesign.forbidden")})
		return false
	}
	return true
}

func (s *Server) handleNewDesignPage(c *gin.Context) {
	if !s.mayPublish(c) {
		return
	}
	s.render(c, http.StatusOK, "newdesign", langOf(c.Request).T("newdesign.title"), &view{Section: "newdesign",
		Data: newDesignPage(newDesignForm{Material: "PLA"})})
}

// handleNewDesignForm creates the design and its first version, a draft
// to which the design's page then uploads files.
func (s *Server) handleNewDesignForm(c *gin.Context) {
	if !s.mayPublish(c) {
		return
	}
	l := langOf(c.Request)
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

// designAction runs an author's or coordinator's action on a version from
// the design's page, then shows the page again (the version acted on), or
// the page with the error.
func (s *Server) designAction(done string, run func(c *gin.Context, id int64, n int) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		n := 0
		id, err := pathID(c, "Design")
		if err == nil && c.Param("n") != "" {
			id, n, err = versionParams(c)
		}
		if err == nil {
			if makerhub.UserFromContext(c.Request.Context()) == nil {
				c.Redirect(http.StatusSeeOther, fmt.Sprintf("/login?next=/designs/%d", id))
				return
			}
			err = run(c, id, n)
		}
		if err != nil {
			status, msg := s.formError(c, langOf(c.Request), err)
			s.designPage(c, status, msg, "")
			return
		}
		if done == "version" { // a new version: show it
			v, _ := s.designs.FindVersions(c.Request.Context(), id)
			if len(v) > 0 {
				n = v[len(v)-1].Number
			}
		}
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/designs/%d?version=%d&done=%s", id, n, done))
	}
}

// handlePageUpload adds the file of the design page's upload form (the
// multipart field "file") to a draft version, as the API's upload does:
// streamed, nothing held in memory, and a refused file stores nothing.
func (s *Server) handlePageUpload(c *gin.Context, id int64, n int) error {
	_, err := s.addUploadedFile(c, id, n)
	return err
}

func (s *Server) handlePagePublish(c *gin.Context, id int64, n int) error {
	_, err := s.designs.Publish(c.Request.Context(), id, n, c.PostForm("note"))
	return err
}

func (s *Server) handlePageReview(c *gin.Context, id int64, n int) error {
	_, err := s.designs.Review(c.Request.Context(), id, n, designs.Status(c.PostForm("to")), c.PostForm("note"))
	return err
}

func (s *Server) handlePageNewVersion(c *gin.Context, id int64, _ int) error {
	_, err := s.designs.CreateVersion(c.Request.Context(), id, c.PostForm("notes"))
	return err
}

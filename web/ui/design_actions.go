package ui

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

// DesignAction runs an author's or coordinator's action on a version from
// the design's page, then shows the page again (the version acted on), or
// the page with the error.
func (s *Handler) DesignAction(done string, run func(c *gin.Context, id int64, n int) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		n := 0
		id, err := httpx.PathID(c, "Design")
		if err == nil && c.Param("n") != "" {
			id, n, err = httpx.VersionParams(c)
		}
		if err == nil {
			if makerhub.UserFromContext(c.Request.Context()) == nil {
				c.Redirect(http.StatusSeeOther, fmt.Sprintf("/login?next=/designs/%d", id))
				return
			}
			err = run(c, id, n)
		}
		if err != nil {
			status, msg := s.formError(c, i18n.Of(c.Request), err)
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

// PageUpload adds the file of the design page's upload form (the
// multipart field "file") to a draft version, as the API's upload does:
// streamed, nothing held in memory, and a refused file stores nothing.
func (s *Handler) PageUpload(c *gin.Context, id int64, n int) error {
	_, err := httpx.AddUploadedFile(c, s.designs, id, n, s.maxUpload)
	return err
}

// PagePublish submits a draft version for review.
func (s *Handler) PagePublish(c *gin.Context, id int64, n int) error {
	_, err := s.designs.Publish(c.Request.Context(), id, n, c.PostForm("note"))
	return err
}

// PageReview moves a version along the review.
func (s *Handler) PageReview(c *gin.Context, id int64, n int) error {
	_, err := s.designs.Review(c.Request.Context(), id, n, designs.Status(c.PostForm("to")), c.PostForm("note"))
	return err
}

// PageNewVersion opens a new draft version of the design.
func (s *Handler) PageNewVersion(c *gin.Context, id int64, _ int) error {
	_, err := s.designs.CreateVersion(c.Request.Context(), id, c.PostForm("notes"))
	return err
}

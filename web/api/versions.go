package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/web/httpx"
)

func (s *Handler) HandleVersionList(c *gin.Context) {
	id, err := httpx.PathID(c, "Design")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	vs, err := s.designs.FindVersions(c.Request.Context(), id)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, list[*designs.Version]{Items: vs, Total: len(vs), Limit: len(vs)})
}

// HandleVersionCreate opens a draft version: {"notes": "…"}.
func (s *Handler) HandleVersionCreate(c *gin.Context) {
	id, err := httpx.PathID(c, "Design")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	var in struct {
		Notes string `json:"notes"`
	}
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	v, err := s.designs.CreateVersion(c.Request.Context(), id, in.Notes)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("/api/v1/designs/%d/versions/%d", id, v.Number))
	c.JSON(http.StatusCreated, v)
}

func (s *Handler) HandleVersionView(c *gin.Context) {
	id, n, err := httpx.VersionParams(c)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	v, err := s.designs.FindVersion(c.Request.Context(), id, n)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// HandleVersionPublish publishes a draft: {"note": "…"} (the body is optional).
func (s *Handler) HandleVersionPublish(c *gin.Context) {
	versionAction(s, c, func(id int64, n int, in struct {
		Note string `json:"note"`
	}) (*designs.Version, error) {
		return s.designs.Publish(c.Request.Context(), id, n, in.Note)
	})
}

// HandleVersionReview moves a version in review: {"status": "…", "note": "…"}.
func (s *Handler) HandleVersionReview(c *gin.Context) {
	versionAction(s, c, func(id int64, n int, in struct {
		Status designs.Status `json:"status"`
		Note   string         `json:"note"`
	}) (*designs.Version, error) {
		return s.designs.Review(c.Request.Context(), id, n, in.Status, in.Note)
	})
}

// HandleVersionLifecycle supersedes or withdraws a version:
// {"lifecycle": "superseded"|"withdrawn", "reason": "…"}.
func (s *Handler) HandleVersionLifecycle(c *gin.Context) {
	versionAction(s, c, func(id int64, n int, in struct {
		Lifecycle designs.Lifecycle `json:"lifecycle"`
		Reason    string            `json:"reason"`
	}) (*designs.Version, error) {
		return s.designs.SetLifecycle(c.Request.Context(), id, n, in.Lifecycle, in.Reason)
	})
}

// versionAction decodes an action's body (strictly, each action its own
// fields; an empty body is an empty input) and answers with the version.
func versionAction[T any](s *Handler, c *gin.Context, do func(id int64, n int, in T) (*designs.Version, error)) {
	id, n, err := httpx.VersionParams(c)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	var in T
	if c.Request.ContentLength != 0 {
		if err := s.DecodeJSON(c, &in); err != nil {
			s.RenderError(c, err)
			return
		}
	}
	v, err := do(id, n, in)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// HandleVersionOKH exports the version as an Open Know-How manifest.
func (s *Handler) HandleVersionOKH(c *gin.Context) {
	id, n, err := httpx.VersionParams(c)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	out, err := s.designs.OKH(c.Request.Context(), id, n, s.baseURL(c))
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="okh-design-%d-v%d.yml"`, id, n))
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", out)
}

// baseURL is the hub's public address: --public-url, or else the scheme and
// host this request came to.
func (s *Handler) baseURL(c *gin.Context) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

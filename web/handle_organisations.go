package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
)

// handleOrganisationList lists organisations (coordinators), filtered by
// ?kind=hospital|makers, ?verified=true|false and ?q=text, paginated with
// ?offset and ?limit.
func (s *Server) handleOrganisationList(c *gin.Context) {
	f := accounts.OrganisationFilter{Kind: makerhub.OrganisationKind(c.Query("kind")), Query: c.Query("q")}
	var err error
	if f.Verified, err = queryBool(c, "verified"); err != nil {
		s.renderError(c, err)
		return
	}
	if f.Offset, err = queryInt(c, "offset", 0, 0, 1<<31-1); err != nil {
		s.renderError(c, err)
		return
	}
	if f.Limit, err = queryInt(c, "limit", 50, 1, 500); err != nil {
		s.renderError(c, err)
		return
	}
	orgs, total, err := s.accounts.FindOrganisations(c.Request.Context(), f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, list[*makerhub.Organisation]{Items: orgs, Total: total, Offset: f.Offset, Limit: f.Limit})
}

// handleOrganisationView returns one organisation.
func (s *Server) handleOrganisationView(c *gin.Context) {
	id, err := pathID(c, "Organisation")
	if err != nil {
		s.renderError(c, err)
		return
	}
	o, err := s.accounts.FindOrganisationByID(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// handleOrganisationVerify verifies a hospital (coordinators).
func (s *Server) handleOrganisationVerify(c *gin.Context) {
	id, err := pathID(c, "Organisation")
	if err != nil {
		s.renderError(c, err)
		return
	}
	o, err := s.accounts.VerifyOrganisation(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

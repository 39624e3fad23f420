package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleOrganisationList lists organisations (coordinators), filtered by
// ?kind=hospital|makers, ?verified=true|false and ?q=text, paginated with
// ?offset and ?limit.
func (s *Handler) HandleOrganisationList(c *gin.Context) {
	f := accounts.OrganisationFilter{Kind: makerhub.OrganisationKind(c.Query("kind")), Query: c.Query("q")}
	var err error
	if f.Verified, err = httpx.QueryBool(c, "verified"); err != nil {
		s.RenderError(c, err)
		return
	}
	if f.Offset, err = httpx.QueryInt(c, "offset", 0, 0, 1<<31-1); err != nil {
		s.RenderError(c, err)
		return
	}
	if f.Limit, err = httpx.QueryInt(c, "limit", 50, 1, 500); err != nil {
		s.RenderError(c, err)
		return
	}
	orgs, total, err := s.accounts.FindOrganisations(c.Request.Context(), f)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, list[*makerhub.Organisation]{Items: orgs, Total: total, Offset: f.Offset, Limit: f.Limit})
}

// HandleOrganisationView returns one organisation.
func (s *Handler) HandleOrganisationView(c *gin.Context) {
	id, err := httpx.PathID(c, "Organisation")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	o, err := s.accounts.FindOrganisationByID(c.Request.Context(), id)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// HandleOrganisationVerify verifies a hospital (coordinators).
func (s *Handler) HandleOrganisationVerify(c *gin.Context) {
	id, err := httpx.PathID(c, "Organisation")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	o, err := s.accounts.VerifyOrganisation(c.Request.Context(), id)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// HandleUserSuspend suspends a person, with a reason (coordinators).
func (s *Handler) HandleUserSuspend(c *gin.Context) {
	byIDWith(s, c, "User", http.StatusOK, false, func(ctx context.Context, id int64, in struct {
		Reason string `json:"reason"`
	}) (*makerhub.User, error) {
		return s.accounts.SuspendUser(ctx, id, in.Reason)
	})
}

// HandleUserReinstate lifts a person's suspension (coordinators).
func (s *Handler) HandleUserReinstate(c *gin.Context) {
	byID(s, c, "User", http.StatusOK, s.accounts.ReinstateUser)
}

// HandleOrganisationContact replaces an organisation's contact details
// (its members and coordinators).
func (s *Handler) HandleOrganisationContact(c *gin.Context) {
	byIDWith(s, c, "Organisation", http.StatusOK, false, s.accounts.UpdateContact)
}

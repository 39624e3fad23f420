package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/i18n"
)

// HandleInvite e-mails an invitation to join organisation :id (its owners
// and coordinators), in the inviter's language.
func (s *Handler) HandleInvite(c *gin.Context) {
	l := i18n.Of(c.Request)
	byIDWith(s, c, "Organisation", http.StatusCreated, false, func(ctx context.Context, id int64, in accounts.InviteInput) (*accounts.Invitation, error) {
		return s.accounts.Invite(ctx, id, in, s.publicURL, l.InviteMail)
	})
}

// HandleInvitationList lists organisation :id's invitations.
func (s *Handler) HandleInvitationList(c *gin.Context) {
	byID(s, c, "Organisation", http.StatusOK, s.accounts.FindInvitations)
}

// HandleInvitationRevoke withdraws invitation :id.
func (s *Handler) HandleInvitationRevoke(c *gin.Context) {
	byID(s, c, "Invitation", http.StatusOK, s.accounts.RevokeInvitation)
}

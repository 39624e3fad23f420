package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/i18n"
)

// resetSent is the answer to every reset request that was taken, whether
// or not an account has the address.
var resetSent = gin.H{"message": "If an account has this address, a link to set a new password is on its way. It works once, within an hour."}

// HandlePasswordReset e-mails a reset link to the account with the address,
// if any, in the asker's language; the answer never says which.
func (s *Handler) HandlePasswordReset(c *gin.Context) {
	var in struct {
		Email string `json:"email"`
	}
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	l := i18n.Of(c.Request)
	if err := s.accounts.RequestPasswordReset(c.Request.Context(), in.Email, s.publicURL, c.ClientIP(), l.ResetMail); err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, resetSent)
}

// HandlePasswordResetConfirm sets a new password from a reset link.
func (s *Handler) HandlePasswordResetConfirm(c *gin.Context) {
	var in accounts.PasswordReset
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	if err := s.accounts.ConfirmPasswordReset(c.Request.Context(), in); err != nil {
		s.RenderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// HandleUserPasswordReset e-mails a reset link to user :id (coordinators),
// in the coordinator's language.
func (s *Handler) HandleUserPasswordReset(c *gin.Context) {
	l := i18n.Of(c.Request)
	byID(s, c, "User", http.StatusAccepted, func(ctx context.Context, id int64) (gin.H, error) {
		if err := s.accounts.SendPasswordReset(ctx, id, s.publicURL, l.ResetMail); err != nil {
			return nil, err
		}
		return gin.H{"message": "A link to set a new password is on its way to the person's address. It works once, within an hour."}, nil
	})
}

package ui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/i18n"
)

// A person who forgot their password asks for a link by e-mail
// (/password-reset), then sets a new password from it
// (/password-reset/confirm?token=…) and logs in with it.

// resetPage is the form that asks for a link, or says one is on its way.
type resetPage struct {
	Email string
	Sent  bool
}

// HandleResetPage shows the form that asks for a reset link.
func (s *Handler) HandleResetPage(c *gin.Context) {
	s.render(c, http.StatusOK, "reset", i18n.Of(c.Request).T("reset.title"), &view{Section: "login", Data: resetPage{}})
}

// HandleResetForm asks for a link; the page then says the same whether or
// not an account has the address.
func (s *Handler) HandleResetForm(c *gin.Context) {
	l := i18n.Of(c.Request)
	p := resetPage{Email: strings.TrimSpace(c.PostForm("email"))}
	if err := s.accounts.RequestPasswordReset(c.Request.Context(), p.Email, s.publicURL, c.ClientIP(), l.ResetMail); err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "reset", l.T("reset.title"), &view{Section: "login", Error: msg, Data: p})
		return
	}
	p.Sent = true
	s.render(c, http.StatusOK, "reset", l.T("reset.title"), &view{Section: "login", Data: p})
}

// HandleResetConfirmPage shows the form that sets a new password from a
// link's token.
func (s *Handler) HandleResetConfirmPage(c *gin.Context) {
	s.render(c, http.StatusOK, "resetconfirm", i18n.Of(c.Request).T("reset.confirm.title"), &view{Section: "login", Data: c.Query("token")})
}

// HandleResetConfirmForm sets the new password and sends the person to log
// in with it.
func (s *Handler) HandleResetConfirmForm(c *gin.Context) {
	l := i18n.Of(c.Request)
	token := c.PostForm("token")
	err := s.accounts.ConfirmPasswordReset(c.Request.Context(), accounts.PasswordReset{Token: token, NewPassword: c.PostForm("new_password")})
	if err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "resetconfirm", l.T("reset.confirm.title"), &view{Section: "login", Error: msg, Data: token})
		return
	}
	c.Redirect(http.StatusSeeOther, "/login?done=reset")
}

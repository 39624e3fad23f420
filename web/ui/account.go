package ui

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

// accountPage is the person's own account: who they are, and changing
// their password.
type accountPage struct {
	Done bool // the password was just changed
}

// HandleAccountPage shows the logged-in person's account.
func (s *Handler) HandleAccountPage(c *gin.Context) {
	if makerhub.UserFromContext(c.Request.Context()) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/account"))
		return
	}
	l := i18n.Of(c.Request)
	p := accountPage{Done: c.Query("done") == "password"}
	s.render(c, http.StatusOK, "account", l.T("account.title"), &view{Section: "account", Data: p})
}

// HandlePasswordForm changes the password; the person's other sessions
// end, this one goes on.
func (s *Handler) HandlePasswordForm(c *gin.Context) {
	if makerhub.UserFromContext(c.Request.Context()) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/account"))
		return
	}
	l := i18n.Of(c.Request)
	err := s.accounts.ChangePassword(c.Request.Context(), httpx.TokenID(c), accounts.PasswordChange{
		CurrentPassword: c.PostForm("current_password"), NewPassword: c.PostForm("new_password")})
	if err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "account", l.T("account.title"), &view{Section: "account", Error: msg, Data: accountPage{}})
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=password")
}

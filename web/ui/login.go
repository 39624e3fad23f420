package ui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

type loginForm struct {
	Email, Next string
	Reset       bool // a new password was just set from a reset link
}

// HandleLoginPage shows the login form.
func (s *Handler) HandleLoginPage(c *gin.Context) {
	s.render(c, http.StatusOK, "login", i18n.Of(c.Request).T("login.title"), &view{Section: "login",
		Data: loginForm{Next: localPath(c.Query("next")), Reset: c.Query("done") == "reset"}})
}

// HandleLoginForm logs in and goes on to the page asked for, or the
// dashboard.
func (s *Handler) HandleLoginForm(c *gin.Context) {
	l := i18n.Of(c.Request)
	form := loginForm{Email: strings.TrimSpace(c.PostForm("email")), Next: localPath(c.PostForm("next"))}
	sess, err := s.accounts.Login(c.Request.Context(), accounts.Credentials{Email: form.Email, Password: c.PostForm("password")}, c.ClientIP())
	if err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "login", l.T("login.title"), &view{Section: "login", Error: msg, Data: form})
		return
	}
	s.SetSessionCookie(c, sess.Token, sess.ExpiresAt)
	next := form.Next
	if next == "/" {
		next = "/dashboard"
	}
	c.Redirect(http.StatusSeeOther, next)
}

// HandleLogoutForm revokes the session on the hub and forgets its cookie.
func (s *Handler) HandleLogoutForm(c *gin.Context) {
	if id := httpx.TokenID(c); id != 0 {
		if err := s.accounts.RevokeToken(c.Request.Context(), id); err != nil {
			s.RenderError(c, err)
			return
		}
	}
	s.ClearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/")
}

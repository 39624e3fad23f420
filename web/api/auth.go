package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleSignup creates a maker or hospital account with its organisation.
func (s *Handler) HandleSignup(c *gin.Context) {
	var in accounts.NewUser
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	u, err := s.accounts.Signup(c.Request.Context(), in)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

// HandleLogin opens a session: the token in the body for API clients, the
// same token in an HttpOnly cookie for browsers.
func (s *Handler) HandleLogin(c *gin.Context) {
	var in accounts.Credentials
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	sess, err := s.accounts.Login(c.Request.Context(), in, c.ClientIP())
	if err != nil {
		s.RenderError(c, err)
		return
	}
	s.SetSessionCookie(c, sess.Token, sess.ExpiresAt)
	c.JSON(http.StatusOK, sess)
}

// HandleLogout revokes the token the request came with and clears the cookie.
func (s *Handler) HandleLogout(c *gin.Context) {
	if err := s.accounts.RevokeToken(c.Request.Context(), httpx.TokenID(c)); err != nil {
		s.RenderError(c, err)
		return
	}
	s.ClearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

// HandleMe returns the caller with their organisation.
func (s *Handler) HandleMe(c *gin.Context) {
	u, err := s.accounts.Me(c.Request.Context())
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

// HandlePasswordChange changes the caller's password and ends their other
// sessions; the one the request came with stays open.
func (s *Handler) HandlePasswordChange(c *gin.Context) {
	var in accounts.PasswordChange
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	if err := s.accounts.ChangePassword(c.Request.Context(), httpx.TokenID(c), in); err != nil {
		s.RenderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
)

// handleSignup creates a maker or hospital account with its organisation.
func (s *Server) handleSignup(c *gin.Context) {
	var in accounts.NewUser
	if err := s.decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	u, err := s.accounts.Signup(c.Request.Context(), in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

// handleLogin opens a session: the token in the body for API clients, the
// same token in an HttpOnly cookie for browsers.
func (s *Server) handleLogin(c *gin.Context) {
	var in accounts.Credentials
	if err := s.decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	sess, err := s.accounts.Login(c.Request.Context(), in, c.ClientIP())
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.setSessionCookie(c, sess.Token, sess.ExpiresAt)
	c.JSON(http.StatusOK, sess)
}

// handleLogout revokes the token the request came with and clears the cookie.
func (s *Server) handleLogout(c *gin.Context) {
	if err := s.accounts.RevokeToken(c.Request.Context(), c.GetInt64(tokenIDKey)); err != nil {
		s.renderError(c, err)
		return
	}
	s.clearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

// handleMe returns the caller with their organisation.
func (s *Server) handleMe(c *gin.Context) {
	u, err := s.accounts.Me(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

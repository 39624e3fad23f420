package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
)

// handleTokenList lists the caller's live sessions and API tokens.
func (s *Server) handleTokenList(c *gin.Context) {
	tokens, err := s.accounts.FindTokens(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, list[*accounts.Token]{Items: tokens, Total: len(tokens), Limit: len(tokens)})
}

// handleTokenCreate creates an API token; its secret is in this response only.
func (s *Server) handleTokenCreate(c *gin.Context) {
	var in accounts.NewAPIToken
	if err := s.decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	t, err := s.accounts.CreateToken(c.Request.Context(), in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, t)
}

// handleTokenRevoke revokes one of the caller's tokens.
func (s *Server) handleTokenRevoke(c *gin.Context) {
	id, err := pathID(c, "Token")
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.accounts.RevokeToken(c.Request.Context(), id); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleTokenList lists the caller's live sessions and API tokens.
func (s *Handler) HandleTokenList(c *gin.Context) {
	tokens, err := s.accounts.FindTokens(c.Request.Context())
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusOK, list[*accounts.Token]{Items: tokens, Total: len(tokens), Limit: len(tokens)})
}

// HandleTokenCreate creates an API token; its secret is in this response only.
func (s *Handler) HandleTokenCreate(c *gin.Context) {
	var in accounts.NewAPIToken
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	t, err := s.accounts.CreateToken(c.Request.Context(), in)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, t)
}

// HandleTokenRevoke revokes one of the caller's tokens.
func (s *Handler) HandleTokenRevoke(c *gin.Context) {
	id, err := httpx.PathID(c, "Token")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	if err := s.accounts.RevokeToken(c.Request.Context(), id); err != nil {
		s.RenderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

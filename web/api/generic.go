package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/web/httpx"
)

// reply renders a service call's result: v with status, or the error. A
// 204 carries no body.
func (s *Handler) reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		s.RenderError(c, err)
		return
	}
	if status == http.StatusNoContent {
		c.Status(status)
		return
	}
	c.JSON(status, v)
}

// byID serves a route that acts on the resource named by :id.
func byID[T any](s *Handler, c *gin.Context, what string, status int, f func(context.Context, int64) (T, error)) {
	id, err := httpx.PathID(c, what)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	v, err := f(c.Request.Context(), id)
	s.reply(c, status, v, err)
}

// byIDWith serves a route that acts on :id with a JSON body. When optional,
// an empty body stands for the zero input.
func byIDWith[In, T any](s *Handler, c *gin.Context, what string, status int, optional bool, f func(context.Context, int64, In) (T, error)) {
	id, err := httpx.PathID(c, what)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	var in In
	if !optional || !emptyBody(c) {
		if err := s.DecodeJSON(c, &in); err != nil {
			s.RenderError(c, err)
			return
		}
	}
	v, err := f(c.Request.Context(), id, in)
	s.reply(c, status, v, err)
}

// withBody serves a route that takes a JSON body and no :id.
func withBody[In, T any](s *Handler, c *gin.Context, status int, f func(context.Context, In) (T, error)) {
	var in In
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	v, err := f(c.Request.Context(), in)
	s.reply(c, status, v, err)
}

// emptyBody reports whether the request carries no body at all.
func emptyBody(c *gin.Context) bool {
	return c.Request.ContentLength == 0 || c.Request.Body == nil || c.Request.Body == http.NoBody
}

// withList serves a route that lists what belongs to :id, all at once.
func withList[T any](s *Handler, c *gin.Context, what string, f func(context.Context, int64) ([]T, error)) {
	byID(s, c, what, http.StatusOK, func(ctx context.Context, id int64) (list[T], error) {
		items, err := f(ctx, id)
		return list[T]{Items: items, Total: len(items), Limit: len(items)}, err
	})
}

package ui

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

// Every dashboard action is the same exchange: a form post runs one service
// call as the logged-in user, then goes back to the dashboard saying what it
// did (?done=<action>, a sentence of the catalogue), or shows the dashboard
// again with the service's message and the status it maps to. Act is that
// exchange; an Action is only the call, and OnID and Do make the usual
// Actions from a service method.

// Action is a dashboard form's work, run as the logged-in user with the
// posted form parsed.
type Action func(c *gin.Context, ctx context.Context) error

// Act makes a dashboard action: run does the work with the form; success
// goes back to the dashboard saying done, failure shows it with the error.
func (s *Handler) Act(done string, run Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		if makerhub.UserFromContext(c.Request.Context()) == nil {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/dashboard"))
			return
		}
		if err := c.Request.ParseForm(); err != nil {
			s.dashboard(c, http.StatusBadRequest, err.Error(), nil)
			return
		}
		if err := run(c, c.Request.Context()); err != nil {
			status, msg := s.formError(c, i18n.Of(c.Request), err)
			s.dashboard(c, status, msg, c.Request.PostForm)
			return
		}
		c.Redirect(http.StatusSeeOther, "/dashboard?done="+done)
	}
}

// OnID is an Action on the resource the path's :id names (what names it in
// the message when the ID is malformed): call gets the ID and the form. The
// page shows only whether it worked, so call's result is dropped.
func OnID[T any](what string, call func(c *gin.Context, ctx context.Context, id int64) (T, error)) Action {
	return func(c *gin.Context, ctx context.Context) error {
		id, err := httpx.PathID(c, what)
		if err != nil {
			return err
		}
		_, err = call(c, ctx, id)
		return err
	}
}

// Do is an Action that takes no :id; call's result is dropped.
func Do[T any](call func(c *gin.Context, ctx context.Context) (T, error)) Action {
	return func(c *gin.Context, ctx context.Context) error {
		_, err := call(c, ctx)
		return err
	}
}

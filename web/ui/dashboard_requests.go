package ui

import (
	"context"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/web/i18n"
)

// A hospital's requests: filing one, saying it is still needed, cancelling
// it.

// NewRequest files a request for units of a design.
func (s *Handler) NewRequest() Action {
	return Do(func(c *gin.Context, ctx context.Context) (*production.Request, error) {
		l := i18n.Of(c.Request)
		design, err := strconv.ParseInt(c.PostForm("design_id"), 10, 64)
		if err != nil {
			return nil, makerhub.Errorf(makerhub.EINVALID, "%s", l.T("request.design.invalid"))
		}
		qty, err := formInt(c, l, "quantity", 0)
		if err != nil {
			return nil, err
		}
		return s.production.CreateRequest(ctx, production.RequestInput{DesignID: design, Quantity: qty,
			Priority: production.Priority(c.PostForm("priority")), NeededBy: c.PostForm("needed_by"),
			ClinicallyValidatedOnly: c.PostForm("clinically_validated_only") != "", Notes: c.PostForm("notes")})
	})
}

// Reconfirm says request :id is still needed.
func (s *Handler) Reconfirm() Action {
	return OnID("Request", func(_ *gin.Context, ctx context.Context, id int64) (*production.Request, error) {
		return s.production.Reconfirm(ctx, id)
	})
}

// CancelRequest cancels request :id, with the form's note.
func (s *Handler) CancelRequest() Action {
	return OnID("Request", func(c *gin.Context, ctx context.Context, id int64) (*production.Request, error) {
		return s.production.CancelRequest(ctx, id, c.PostForm("note"))
	})
}

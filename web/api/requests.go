package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleRequestList lists requests: a hospital's own, or all for
// coordinators, with ?state=, ?stale=true|false and ?organisation=ID.
func (s *Handler) HandleRequestList(c *gin.Context) {
	f := production.RequestFilter{State: production.RequestState(c.Query("state"))}
	var err error
	if f.Offset, f.Limit, err = page(c, 100, 1000); err != nil {
		s.RenderError(c, err)
		return
	}
	if f.Stale, err = httpx.QueryBool(c, "stale"); err != nil {
		s.RenderError(c, err)
		return
	}
	org, err := httpx.QueryInt(c, "organisation", 0, 1, 1<<62)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	f.OrganisationID = int64(org)
	rs, total, err := s.production.FindRequests(c.Request.Context(), f)
	s.reply(c, http.StatusOK, list[*production.Request]{Items: rs, Total: total, Offset: f.Offset, Limit: f.Limit}, err)
}

func (s *Handler) HandleRequestCreate(c *gin.Context) {
	var in production.RequestInput
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	r, err := s.production.CreateRequest(c.Request.Context(), in)
	if err == nil {
		c.Header("Location", fmt.Sprintf("/api/v1/requests/%d", r.ID))
	}
	s.reply(c, http.StatusCreated, r, err)
}

func (s *Handler) HandleRequestView(c *gin.Context) {
	byID(s, c, "Request", http.StatusOK, s.production.FindRequestByID)
}

// HandleRequestLower lowers the open quantity: {"open": N, "note": "…"}.
func (s *Handler) HandleRequestLower(c *gin.Context) {
	byIDWith(s, c, "Request", http.StatusOK, false, s.production.LowerRequest)
}

// noteInput is an optional note or reason.
type noteInput struct {
	Note string `json:"note"`
}

// HandleRequestCancel cancels the open units no maker holds: {"note": "…"}.
func (s *Handler) HandleRequestCancel(c *gin.Context) {
	byIDWith(s, c, "Request", http.StatusOK, true, func(ctx context.Context, id int64, in noteInput) (*production.Request, error) {
		return s.production.CancelRequest(ctx, id, in.Note)
	})
}

func (s *Handler) HandleRequestReconfirm(c *gin.Context) {
	byID(s, c, "Request", http.StatusOK, s.production.Reconfirm)
}

// requestEvents is a request's history: its own changes and its jobs'.
type requestEvents struct {
	Request []*production.RequestEvent `json:"request"`
	Jobs    []*production.JobEvent     `json:"jobs"`
}

func (s *Handler) HandleRequestEvents(c *gin.Context) {
	byID(s, c, "Request", http.StatusOK, func(ctx context.Context, id int64) (requestEvents, error) {
		r, j, err := s.production.FindRequestEvents(ctx, id)
		return requestEvents{r, j}, err
	})
}

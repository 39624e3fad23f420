package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleJobList lists jobs: for makers ?scope=mine (offered to or held by
// them) or ?scope=pool (open jobs their printers can print); hospitals see
// their requests' jobs; coordinators all. Filters: ?state=, ?request=ID.
func (s *Handler) HandleJobList(c *gin.Context) {
	f := production.JobFilter{Scope: production.JobScope(c.Query("scope")), State: production.JobState(c.Query("state"))}
	var err error
	if f.Offset, f.Limit, err = page(c, 100, 1000); err != nil {
		s.RenderError(c, err)
		return
	}
	req, err := httpx.QueryInt(c, "request", 0, 1, 1<<62)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	f.RequestID = int64(req)
	js, total, err := s.production.FindJobs(c.Request.Context(), f)
	s.reply(c, http.StatusOK, list[*production.Job]{Items: js, Total: total, Offset: f.Offset, Limit: f.Limit}, err)
}

// HandleJobCreate makes a job by hand (coordinators).
func (s *Handler) HandleJobCreate(c *gin.Context) {
	var in production.JobInput
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	j, err := s.production.CreateJob(c.Request.Context(), in)
	if err == nil {
		c.Header("Location", fmt.Sprintf("/api/v1/jobs/%d", j.ID))
	}
	s.reply(c, http.StatusCreated, j, err)
}

func (s *Handler) HandleJobView(c *gin.Context) {
	byID(s, c, "Job", http.StatusOK, s.production.FindJobByID)
}

func (s *Handler) HandleJobEvents(c *gin.Context) {
	byID(s, c, "Job", http.StatusOK, func(ctx context.Context, id int64) (list[*production.JobEvent], error) {
		es, err := s.production.FindJobEvents(ctx, id)
		return list[*production.JobEvent]{Items: es, Total: len(es), Limit: len(es)}, err
	})
}

// HandleJobClaim claims a job: 200 with the lease token for exactly one
// caller, 409 for every other. Body optional: {"printer_id": ID}.
func (s *Handler) HandleJobClaim(c *gin.Context) {
	byIDWith(s, c, "Job", http.StatusOK, true, s.production.Claim)
}

// HandleJobProgress: {"lease_token": "…", "printed": N, "note": "…"}.
func (s *Handler) HandleJobProgress(c *gin.Context) {
	byIDWith(s, c, "Job", http.StatusOK, false, s.production.Progress)
}

// HandleJobComplete: {"lease_token": "…", "printed": N}; fewer than the
// job's units sends the rest back to the pool.
func (s *Handler) HandleJobComplete(c *gin.Context) {
	byIDWith(s, c, "Job", http.StatusOK, false, s.production.Complete)
}

func (s *Handler) HandleJobRelease(c *gin.Context) {
	byIDWith(s, c, "Job", http.StatusOK, false, s.production.Release)
}

// HandleJobFail: {"lease_token": "…", "note": "why"}.
func (s *Handler) HandleJobFail(c *gin.Context) {
	byIDWith(s, c, "Job", http.StatusOK, false, s.production.Fail)
}

// reasonInput is a required reason.
type reasonInput struct {
	Reason string `json:"reason"`
}

// HandleJobCancel cancels a job not yet printed (coordinators): {"reason": "…"}.
func (s *Handler) HandleJobCancel(c *gin.Context) {
	byIDWith(s, c, "Job", http.StatusOK, false, func(ctx context.Context, id int64, in reasonInput) (*production.Job, error) {
		return s.production.CancelJob(ctx, id, in.Reason)
	})
}

// HandleRoutingRun runs routing now (coordinators) and returns the run:
// the jobs offered and each unallocated quantity with its cause.
func (s *Handler) HandleRoutingRun(c *gin.Context) {
	run, err := s.production.RunRouting(c.Request.Context())
	if err == nil {
		c.Header("Location", fmt.Sprintf("/api/v1/routing/runs/%d", run.ID))
	}
	s.reply(c, http.StatusCreated, run, err)
}

func (s *Handler) HandleRoutingRunList(c *gin.Context) {
	offset, limit, err := page(c, 50, 500)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	runs, total, err := s.production.FindRoutingRuns(c.Request.Context(), offset, limit)
	s.reply(c, http.StatusOK, list[*production.RoutingRun]{Items: runs, Total: total, Offset: offset, Limit: limit}, err)
}

func (s *Handler) HandleRoutingRunView(c *gin.Context) {
	byID(s, c, "Routing run", http.StatusOK, s.production.FindRoutingRunByID)
}

package ui

import (
	"context"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/web/i18n"
)

// A maker's jobs: claiming one, reporting on it with the lease this browser
// keeps, giving it back, and handing the printed units over to stock.

// Claim claims job :id and keeps its lease token in this browser.
func (s *Handler) Claim() Action {
	return OnID("Job", func(c *gin.Context, ctx context.Context, id int64) (*production.Claim, error) {
		claim, err := s.production.Claim(ctx, id, production.ClaimInput{})
		if err != nil {
			return nil, err
		}
		tokens := leaseTokens(c)
		tokens[id] = claim.LeaseToken
		s.setLeaseTokens(c, tokens)
		return claim, nil
	})
}

// Progress reports on job :id, claimed in this browser, with the units
// printed so far.
func (s *Handler) Progress() Action { return s.leased(s.production.Progress, true) }

// Complete reports job :id, claimed in this browser, printed.
func (s *Handler) Complete() Action { return s.leased(s.production.Complete, true) }

// Release gives job :id, claimed in this browser, back to the pool.
func (s *Handler) Release() Action { return s.leased(s.production.Release, false) }

// leased runs a report on job :id, claimed in this browser: progress,
// completion (both with the units printed, when printed) or release.
func (s *Handler) leased(report func(ctx context.Context, id int64, in production.ProgressInput) (*production.Job, error), printed bool) Action {
	return OnID("Job", func(c *gin.Context, ctx context.Context, id int64) (*production.Job, error) {
		l := i18n.Of(c.Request)
		in := production.ProgressInput{LeaseToken: leaseTokens(c)[id], Note: c.PostForm("note")}
		if in.LeaseToken == "" {
			return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "%s", l.T("job.nolease", id))
		}
		if printed && strings.TrimSpace(c.PostForm("printed")) != "" {
			n, err := formInt(c, l, "printed", 0)
			if err != nil {
				return nil, err
			}
			in.Printed = &n
		}
		return report(ctx, id, in)
	})
}

// HandOver puts job :id's printed units into stock, from a spool or a
// filament lot.
func (s *Handler) HandOver() Action {
	return OnID("Job", func(c *gin.Context, ctx context.Context, id int64) (*inventory.Batch, error) {
		in := inventory.ProduceInput{FilamentLot: strings.TrimSpace(c.PostForm("filament_lot"))}
		if raw := c.PostForm("spool_id"); raw != "" {
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return nil, makerhub.Errorf(makerhub.EINVALID, "spool_id %q is not a spool.", raw)
			}
			in.SpoolID = &n
		}
		return s.inventory.Produce(ctx, id, in)
	})
}

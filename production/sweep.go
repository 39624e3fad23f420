package production

import (
	"context"
	"fmt"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// SweepReport counts what one Sweep did.
type SweepReport struct {
	OffersExpired int `json:"offers_expired"` // offered → open pool
	LeasesExpired int `json:"leases_expired"` // claimed/printing → open pool
	LeasesWarned  int `json:"leases_warned"`
}

// sweepBatch bounds one pass so that the write lock is never held long.
const sweepBatch = 500

// Sweep moves expired offers to the open pool, returns jobs whose lease
// lapsed without progress to the pool (their reported progress is dropped:
// the units are assured for the hospital by whoever claims next), and warns
// holders whose lease is about to lapse. Serve runs it every minute; claims
// do not depend on it (an expired offer is claimable from the pool at once).
func (s *Service) Sweep(ctx context.Context) (SweepReport, error) {
	var rep SweepReport
	for {
		n, err := s.sweepOnce(ctx, &rep)
		if err != nil || n < sweepBatch {
			return rep, err
		}
	}
}

func (s *Service) sweepOnce(ctx context.Context, rep *SweepReport) (int, error) {
	now := s.now()
	at := sqlite.FormatTime(now)
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (int, error) {
		tx := s.q(ctx)
		moved := 0

		offers, err := s.queryJobs(ctx, tx, `SELECT `+jobColumns+jobFrom+`WHERE j.state = 'offered' AND j.offer_expires_at <= ? ORDER BY j.id LIMIT ?`, at, sweepBatch)
		if err != nil {
			return 0, err
		}
		for _, j := range offers {
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'open', updated_at = ? WHERE id = ? AND state = 'offered'`, at, j.ID); err != nil {
				return 0, err
			}
			if err := addJobEvent(ctx, tx, j.ID, j.RequestID, 0, at, JobOffered, JobOpen, j.Quantity, "the offer expired: the job is in the open pool"); err != nil {
				return 0, err
			}
		}
		rep.OffersExpired += len(offers)
		moved += len(offers)

		lapsed, err := s.queryJobs(ctx, tx, `SELECT `+jobColumns+jobFrom+`WHERE j.state IN ('claimed', 'printing') AND j.lease_expires_at <= ? ORDER BY j.id LIMIT ?`, at, sweepBatch)
		if err != nil {
			return 0, err
		}
		for _, j := range lapsed {
			if err := toPool(ctx, tx, j.ID, at); err != nil {
				return 0, err
			}
			note := fmt.Sprintf("the lease of maker %d lapsed without progress (%d of %d reported printed): back to the open pool", *j.ClaimedBy, j.Printed, j.Quantity)
			if err := addJobEvent(ctx, tx, j.ID, j.RequestID, 0, at, j.State, JobOpen, j.Quantity, note); err != nil {
				return 0, err
			}
		}
		rep.LeasesExpired += len(lapsed)
		moved += len(lapsed)

		soon, err := s.queryJobs(ctx, tx, `SELECT `+jobColumns+jobFrom+`WHERE j.state IN ('claimed', 'printing') AND j.lease_warned = 0
		AND j.lease_expires_at <= ? ORDER BY j.id LIMIT ?`, sqlite.FormatTime(now.Add(s.opts.LeaseWarning)), sweepBatch)
		if err != nil {
			return 0, err
		}
		for _, j := range soon {
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET lease_warned = 1 WHERE id = ?`, j.ID); err != nil {
				return 0, err
			}
			n, err := s.makerNotice(ctx, *j.ClaimedBy, makerhub.Notice{
				Kind:  "lease.expiring",
				Title: fmt.Sprintf("Your lease on job %d ends %s", j.ID, j.LeaseExpiresAt.UTC().Format(time.RFC3339)),
				Body:  "Report progress to keep the job, or release it so another maker can print it.",
				Link:  fmt.Sprintf("/api/v1/jobs/%d", j.ID),
				Data:  map[string]any{"job_id": j.ID, "lease_expires_at": j.LeaseExpiresAt},
			})
			if err == nil {
				err = s.notify(ctx, n)
			}
			if err != nil {
				return 0, err
			}
		}
		rep.LeasesWarned += len(soon)
		moved += len(soon)
		return moved, nil
	})
}

// RunSweeper calls Sweep every interval until ctx is done.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if rep, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("job sweep", "err", err)
		} else if rep != (SweepReport{}) {
			s.log.Info("job sweep", "offers_expired", rep.OffersExpired, "leases_expired", rep.LeasesExpired, "leases_warned", rep.LeasesWarned)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

package production

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production/routing"
)

// recordRun writes a run in one transaction: earlier runs' unclaimed jobs
// are cancelled, the new jobs offered, what could not be allocated kept,
// and makers and hospitals notified. Demand claimed while the solver ran is
// taken out of the new jobs, so no request is over-allocated. hospitals
// maps each request of the run to its hospital. The transaction holds the
// write lock, so it reads in whole sets, never a query per job.
func (s *Service) recordRun(ctx context.Context, run *RoutingRun, planned []routing.Job, hospitals map[int64]int64) error {
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		now := s.now()
		run.FinishedAt = now
		if err := s.insertRun(ctx, run); err != nil {
			return err
		}
		if err := s.cancelUnclaimedJobs(ctx, run); err != nil {
			return err
		}
		offers, perHospital, err := s.offerJobs(ctx, run, planned, hospitals, now)
		if err != nil {
			return err
		}
		if err := s.recordUnallocated(ctx, run); err != nil {
			return err
		}
		if err := s.notifyMakers(ctx, run.ID, offers); err != nil {
			return err
		}
		if err := s.notifyHospitals(ctx, run, perHospital, hospitals); err != nil {
			return err
		}
		if run.Jobs, err = s.queryJobs(ctx, s.q(ctx), `SELECT `+jobColumns+jobFrom+`WHERE j.run_id = ? ORDER BY j.id`, run.ID); err != nil {
			return err
		}
		if err := s.updateRunStats(ctx, run); err != nil {
			return err
		}
		// The run's record holds what it did; the trail says who ran it
		// (nothing for a scheduled run, which no coordinator started).
		return s.accounts.Audit(ctx, "routing.run", "routing_run", run.ID, fmt.Sprintf("%d job(s) offered", len(run.Jobs)), nil, run.Stats)
	})
}

// insertRun records the run, finished, and sets its ID.
func (s *Service) insertRun(ctx context.Context, run *RoutingRun) error {
	stats, err := json.Marshal(run.Stats)
	if err != nil {
		return err
	}
	res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO routing_runs (started_by, started_at, finished_at, stats) VALUES (?, ?, ?, ?)`,
		run.StartedBy, sqlite.FormatTime(run.StartedAt), sqlite.FormatTime(run.FinishedAt), string(stats))
	if err != nil {
		return err
	}
	run.ID, err = res.LastInsertId()
	return err
}

// updateRunStats writes the run's figures once its jobs are known.
func (s *Service) updateRunStats(ctx context.Context, run *RoutingRun) error {
	stats, err := json.Marshal(run.Stats)
	if err != nil {
		return err
	}
	_, err = s.q(ctx).ExecContext(ctx, `UPDATE routing_runs SET stats = ? WHERE id = ?`, string(stats), run.ID)
	return err
}

// cancelUnclaimedJobs cancels the offered and pooled jobs of earlier runs,
// which this run planned again.
func (s *Service) cancelUnclaimedJobs(ctx context.Context, run *RoutingRun) error {
	tx := s.q(ctx)
	old, err := s.queryJobs(ctx, tx, `SELECT `+jobColumns+jobFrom+`WHERE j.run_id IS NOT NULL AND j.state IN ('offered', 'open') ORDER BY j.id`)
	if err != nil {
		return err
	}
	at := sqlite.FormatTime(run.FinishedAt)
	for _, j := range old {
		if err := cancelJob(ctx, tx, j, 0, at, fmt.Sprintf("re-planned by routing run %d", run.ID)); err != nil {
			return err
		}
	}
	run.Stats.JobsReplaced = len(old)
	return nil
}

// offerJobs makes the planned jobs, each offered to its maker, within what
// each open request may still take, read under the write lock: demand
// claimed, cancelled or fulfilled while the solver ran is trimmed from the
// farthest jobs first. It returns what each maker was offered and the
// units each hospital got.
func (s *Service) offerJobs(ctx context.Context, run *RoutingRun, planned []routing.Job, hospitals map[int64]int64,
	now time.Time) (map[int64]*makerOffers, map[int64]int, error) {
	tx := s.q(ctx)
	room, err := openRoom(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	at, offerExpires := sqlite.FormatTime(now), sqlite.FormatTime(now.Add(s.opts.OfferWindow))
	perHospital := map[int64]int{}
	offers := map[int64]*makerOffers{}
	for _, pj := range nearestFirst(planned) {
		units := min(pj.Units, room[pj.RequestID])
		if units < pj.Units {
			run.Stats.JobsTrimmed += pj.Units - units
		}
		if units <= 0 {
			continue
		}
		room[pj.RequestID] -= units
		res, err := tx.ExecContext(ctx, `INSERT INTO jobs (request_id, version_id, quantity, state, offered_to, offer_expires_at,
			printer_id, run_id, reason, distance_km, created_at, updated_at) VALUES (?, ?, ?, 'offered', ?, ?, ?, ?, ?, ?, ?, ?)`,
			pj.RequestID, pj.VersionID, units, pj.MakerID, offerExpires, pj.PrinterID, run.ID, pj.Reason, pj.DistanceKM, at, at)
		if err != nil {
			return nil, nil, fmt.Errorf("insert job: %w", err)
		}
		id, _ := res.LastInsertId()
		if err := addJobEvent(ctx, tx, id, pj.RequestID, 0, at, "", JobOffered, units, fmt.Sprintf("routing run %d: %s", run.ID, pj.Reason)); err != nil {
			return nil, nil, err
		}
		o := offers[pj.MakerID]
		if o == nil {
			o = &makerOffers{}
			offers[pj.MakerID] = o
		}
		o.jobs = append(o.jobs, id)
		o.units += units
		perHospital[hospitals[pj.RequestID]] += units
	}
	return offers, perHospital, nil
}

// nearestFirst orders planned jobs by request, nearest printer first, so
// that trimming a request's jobs takes from the farthest.
func nearestFirst(planned []routing.Job) []routing.Job {
	order := slices.Clone(planned)
	slices.SortStableFunc(order, func(a, b routing.Job) int {
		if a.RequestID != b.RequestID {
			return int(a.RequestID - b.RequestID)
		}
		switch {
		case a.DistanceKM < b.DistanceKM:
			return -1
		case a.DistanceKM > b.DistanceKM:
			return 1
		}
		return int(a.PrinterID - b.PrinterID)
	})
	return order
}

// recordUnallocated keeps what the run could not allocate, with its cause.
func (s *Service) recordUnallocated(ctx context.Context, run *RoutingRun) error {
	for _, u := range run.Unallocated {
		if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO routing_unallocated (run_id, request_id, units, cause, detail) VALUES (?, ?, ?, ?, ?)`,
			run.ID, u.RequestID, u.Units, u.Cause, u.Detail); err != nil {
			return err
		}
	}
	return nil
}

// notifyHospitals tells each hospital what the run allocated to it and
// what it could not, one notice each, in hospital order.
func (s *Service) notifyHospitals(ctx context.Context, run *RoutingRun, allocated map[int64]int, hospitals map[int64]int64) error {
	unalloc := map[int64]int{}
	for _, u := range run.Unallocated {
		unalloc[hospitals[u.RequestID]] += u.Units
	}
	for _, h := range slices.Sorted(maps.Keys(allocated)) {
		n := allocated[h]
		if err := s.notify(ctx, makerhub.Notice{OrganisationID: h, Kind: "request.allocated",
			Title: fmt.Sprintf("%d unit(s) of your requests are now offered to makers", n), Link: "/api/v1/requests",
			Data: map[string]any{"routing_run_id": run.ID, "units": n}}); err != nil {
			return err
		}
	}
	for _, h := range slices.Sorted(maps.Keys(unalloc)) {
		n := unalloc[h]
		if err := s.notify(ctx, makerhub.Notice{OrganisationID: h, Kind: "request.unallocatable",
			Title: fmt.Sprintf("%d unit(s) of your requests could not be allocated", n),
			Body:  "See the routing run for the cause of each (no printer that fits, wrong material, no capacity before your date, a version you do not accept, a request to reconfirm).",
			Link:  "/api/v1/requests", Data: map[string]any{"routing_run_id": run.ID, "units": n}}); err != nil {
			return err
		}
	}
	return nil
}

// makerOffers is what one routing run offers one maker.
type makerOffers struct {
	jobs  []int64
	units int
}

// notifyMakers sends each maker one notice for all the run offers them,
// addressed to their maker group too, so that a group's chat gets one
// message a run rather than one a job.
func (s *Service) notifyMakers(ctx context.Context, runID int64, offers map[int64]*makerOffers) error {
	if len(offers) == 0 {
		return nil
	}
	groups, err := s.accounts.MakerGroups(ctx)
	if err != nil {
		return err
	}
	for _, maker := range slices.Sorted(maps.Keys(offers)) {
		o := offers[maker]
		if err := s.notify(ctx, makerhub.Notice{UserID: maker, OrganisationID: groups[maker], Kind: "job.offered",
			Title: fmt.Sprintf("%d job(s) offered to you: %d unit(s)", len(o.jobs), o.units),
			Body:  fmt.Sprintf("Claim them within %s, or they go to the open pool.", s.opts.OfferWindow),
			Link:  "/api/v1/jobs?scope=mine",
			Data:  map[string]any{"routing_run_id": runID, "job_ids": o.jobs, "units": o.units}}); err != nil {
			return err
		}
	}
	return nil
}

// openRoom returns, for every open request, the units not yet in a live
// job nor printed and on their way (in inventory).
func openRoom(ctx context.Context, q sqlite.Queryer) (map[int64]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.quantity - r.delivered - r.cancelled - r.in_inventory - COALESCE((SELECT sum(j.quantity)
		FROM jobs j WHERE j.request_id = r.id AND j.state IN ('offered', 'open', 'claimed', 'printing', 'printed')), 0)
		FROM requests r WHERE r.state = 'open'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	room := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		room[id] = max(n, 0)
	}
	return room, rows.Err()
}

package production

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production/routing"
)

// Extra causes for demand routing leaves out before solving.
const (
	CauseStale      routing.Cause = "stale_request"         // not reconfirmed in time
	CauseUnverified routing.Cause = "hospital_not_verified" // the hospital lost or never had verification
	CauseNoProfile  routing.Cause = "version_not_printable" // no published, analysed version
)

// RoutingRun is one run of routing: what it planned and what it could not.
type RoutingRun struct {
	ID          int64                 `json:"id"`
	StartedBy   *int64                `json:"started_by"` // nil: the schedule
	StartedAt   time.Time             `json:"started_at"`
	FinishedAt  time.Time             `json:"finished_at"`
	Stats       RunStats              `json:"stats"`
	Jobs        []*Job                `json:"jobs,omitempty"`
	Unallocated []routing.Unallocated `json:"unallocated"`
}

// RunStats sums up a run.
type RunStats struct {
	routing.Stats
	JobsReplaced  int `json:"jobs_replaced"`  // unclaimed jobs of earlier runs re-planned
	JobsTrimmed   int `json:"jobs_trimmed"`   // units claimed during the solve, taken out of new jobs
	Requests      int `json:"requests"`       // open requests considered
	StaleRequests int `json:"stale_requests"` // left out until reconfirmed
}

// RunRouting allocates all open demand to printer capacity (coordinators).
func (s *Service) RunRouting(ctx context.Context) (*RoutingRun, error) {
	u, err := makerhub.RequireRole(ctx, "coordinators run routing", makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	return s.route(ctx, u.ID)
}

// RunScheduledRouting is RunRouting on behalf of the hub's schedule.
func (s *Service) RunScheduledRouting(ctx context.Context) (*RoutingRun, error) {
	return s.route(ctx, 0)
}

// demand is an open request as routing sees it, before solving.
type demand struct {
	r        *Request
	lat, lon float64
	verified bool
	profile  *designs.PrintProfile
	reason   string
	units    int
}

func (s *Service) route(ctx context.Context, startedBy int64) (*RoutingRun, error) {
	s.routeMu.Lock()
	defer s.routeMu.Unlock()
	started := s.now()
	run := &RoutingRun{StartedAt: started, Unallocated: []routing.Unallocated{}}
	if startedBy != 0 {
		run.StartedBy = &startedBy
	}

	orgs, err := s.accounts.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := s.loadDemand(ctx, orgs)
	if err != nil {
		return nil, err
	}
	prob := routing.Problem{Now: started, HorizonDays: s.opts.HorizonDays}
	versions := map[int64]bool{}
	for _, d := range ds {
		run.Stats.Requests++
		switch {
		case d.r.Stale:
			run.Stats.StaleRequests++
			run.Unallocated = append(run.Unallocated, routing.Unallocated{RequestID: d.r.ID, Units: d.units, Cause: CauseStale,
				Detail: fmt.Sprintf("not reconfirmed since %s: the hospital must reconfirm it", d.r.ReconfirmedAt.Format("2006-01-02"))})
		case !d.verified:
			run.Unallocated = append(run.Unallocated, routing.Unallocated{RequestID: d.r.ID, Units: d.units, Cause: CauseUnverified,
				Detail: "a coordinator must verify the hospital"})
		case d.profile == nil:
			run.Unallocated = append(run.Unallocated, routing.Unallocated{RequestID: d.r.ID, Units: d.units, Cause: routing.VersionNotAcceptable, Detail: d.reason})
		default:
			req := routing.Request{ID: d.r.ID, HospitalID: d.r.OrganisationID, VersionID: d.profile.VersionID, Units: d.units,
				Priority: routing.Priority(d.r.Priority), NeededBy: d.r.NeededBy, Lat: d.lat, Lon: d.lon, NotAcceptable: d.reason}
			prob.Requests = append(prob.Requests, req)
			if !versions[d.profile.VersionID] {
				versions[d.profile.VersionID] = true
				prob.Versions = append(prob.Versions, routing.Version{ID: d.profile.VersionID, Material: d.profile.Material,
					PrintMinutes: d.profile.PrintMinutes, HeightMM: d.profile.HeightMM(), Footprints: d.profile.Footprints()})
			}
		}
	}
	if prob.Printers, err = s.loadCapacity(ctx, orgs); err != nil {
		return nil, err
	}
	res, err := routing.Solve(prob)
	if err != nil {
		return nil, fmt.Errorf("routing: %w", err)
	}
	run.Stats.Stats = res.Stats
	run.Unallocated = append(run.Unallocated, res.Unallocated...)
	hospitals := make(map[int64]int64, len(ds))
	for _, d := range ds {
		hospitals[d.r.ID] = d.r.OrganisationID
	}
	if err := s.recordRun(ctx, run, res.Jobs, hospitals); err != nil {
		return nil, err
	}
	return run, nil
}

// loadDemand reads every open request with the units routing may plan:
// open units less those already printed and on their way (in inventory)
// and those in jobs it must leave alone (claimed or later, and jobs made by
// hand). Unclaimed jobs of earlier runs are re-planned.
func (s *Service) loadDemand(ctx context.Context, orgs map[int64]*makerhub.Organisation) ([]*demand, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+requestColumns+`,
		COALESCE((SELECT sum(j.quantity) FROM jobs j WHERE j.request_id = r.id AND (j.state IN ('claimed', 'printing', 'printed')
			OR (j.state IN ('offered', 'open') AND j.run_id IS NULL))), 0)
		FROM requests r WHERE r.state = 'open' ORDER BY r.id`)
	if err != nil {
		return nil, err
	}
	var ds []*demand
	for rows.Next() {
		d := &demand{}
		var kept int
		var err error
		if d.r, err = s.scanRequest(scanAlso{rows, []any{&kept}}); err != nil {
			rows.Close()
			return nil, err
		}
		if o := orgs[d.r.OrganisationID]; o != nil {
			d.lat, d.lon, d.verified = o.Lat, o.Lon, o.Verified()
		}
		if d.units = d.r.Open - d.r.InInventory - kept; d.units > 0 {
			ds = append(ds, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	profiles := map[int64][]*designs.PrintProfile{}
	for _, d := range ds {
		ps, ok := profiles[d.r.DesignID]
		if !ok {
			if ps, err = s.designs.FindPrintProfiles(ctx, d.r.DesignID); err != nil {
				return nil, err
			}
			profiles[d.r.DesignID] = ps
		}
		res := resolveFrom(ps, d.r)
		d.reason = res.reason
		if res.profile != nil && res.profile.Printable() {
			d.profile = res.profile
		} else if d.reason == "" {
			d.reason = "the version has no analysed STL file"
		}
	}
	return ds, nil
}

// loadCapacity reads every active printer with its maker's location and the
// print time its claimed jobs still need.
func (s *Service) loadCapacity(ctx context.Context, orgs map[int64]*makerhub.Organisation) ([]routing.Printer, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+printerColumns+`
		FROM printers WHERE active = 1 AND deleted_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var out []routing.Printer
	for rows.Next() {
		var lat, lon float64
		var p *Printer
		p, err = scanPrinter(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if o := orgs[p.OrganisationID]; o != nil {
			lat, lon = o.Lat, o.Lon
		}
		out = append(out, routing.Printer{ID: p.ID, MakerID: p.OwnerID, Lat: lat, Lon: lon, BedX: p.BedMM[0], BedY: p.BedMM[1],
			BedZ: p.BedMM[2], Materials: p.Materials, MinutesPerDay: int(p.HoursPerDay * 60)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Print time booked by claimed and printing jobs: what they still have
	// to print, at their version's estimate.
	booked, err := s.q(ctx).QueryContext(ctx, `SELECT printer_id, version_id, sum(quantity - printed) FROM jobs
		WHERE state IN ('claimed', 'printing') AND printer_id IS NOT NULL GROUP BY printer_id, version_id`)
	if err != nil {
		return nil, err
	}
	defer booked.Close()
	idx := map[int64]int{}
	for i, p := range out {
		idx[p.ID] = i
	}
	for booked.Next() {
		var printer, version int64
		var units int
		if err := booked.Scan(&printer, &version, &units); err != nil {
			return nil, err
		}
		i, ok := idx[printer]
		if !ok {
			continue
		}
		prof, err := s.profile(ctx, version)
		if err != nil {
			if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
				continue
			}
			return nil, err
		}
		out[i].BookedMinutes += int64(float64(units) * prof.PrintMinutes)
	}
	return out, booked.Err()
}

// scanAlso scans the leading columns with the caller's Scan and the last
// ones into extra.
type scanAlso struct {
	rows  *sql.Rows
	extra []any
}

func (s scanAlso) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra...)...) }

// recordRun writes a run in one transaction: earlier runs' unclaimed jobs
// are cancelled, the new jobs offered, what could not be allocated kept,
// and makers and hospitals notified. Demand claimed while the solver ran is
// taken out of the new jobs, so no request is over-allocated. hospitals
// maps each request of the run to its hospital. The transaction holds the
// write lock, so it reads in whole sets, never a query per job.
func (s *Service) recordRun(ctx context.Context, run *RoutingRun, planned []routing.Job, hospitals map[int64]int64) error {
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		tx := sqlite.Q(ctx, s.db)
		now := s.now()
		at := sqlite.FormatTime(now)
		run.FinishedAt = now
		stats, err := json.Marshal(run.Stats)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO routing_runs (started_by, started_at, finished_at, stats) VALUES (?, ?, ?, ?)`,
			run.StartedBy, sqlite.FormatTime(run.StartedAt), at, string(stats))
		if err != nil {
			return err
		}
		run.ID, _ = res.LastInsertId()

		old, err := s.queryJobs(ctx, tx, `SELECT `+jobColumns+jobFrom+`WHERE j.run_id IS NOT NULL AND j.state IN ('offered', 'open') ORDER BY j.id`)
		if err != nil {
			return err
		}
		for _, j := range old {
			if err := cancelJob(ctx, tx, j, 0, at, fmt.Sprintf("re-planned by routing run %d", run.ID)); err != nil {
				return err
			}
		}
		run.Stats.JobsReplaced = len(old)

		// What each open request may still take, read under the write lock
		// (a request cancelled or fulfilled meanwhile has no room).
		room, err := openRoom(ctx, tx)
		if err != nil {
			return err
		}
		// Trim the farthest jobs first where demand shrank during the solve.
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
		offerExpires := sqlite.FormatTime(now.Add(s.opts.OfferWindow))
		perHospital := map[int64]int{}
		offers := map[int64]*makerOffers{}
		for _, pj := range order {
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
				return fmt.Errorf("insert job: %w", err)
			}
			id, _ := res.LastInsertId()
			if err := addJobEvent(ctx, tx, id, pj.RequestID, 0, at, "", JobOffered, units, fmt.Sprintf("routing run %d: %s", run.ID, pj.Reason)); err != nil {
				return err
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
		for _, u := range run.Unallocated {
			if _, err := tx.ExecContext(ctx, `INSERT INTO routing_unallocated (run_id, request_id, units, cause, detail) VALUES (?, ?, ?, ?, ?)`,
				run.ID, u.RequestID, u.Units, u.Cause, u.Detail); err != nil {
				return err
			}
		}
		if err := s.notifyMakers(ctx, tx, run.ID, offers); err != nil {
			return err
		}
		if err := s.notifyHospitals(ctx, tx, run, perHospital, hospitals); err != nil {
			return err
		}
		if run.Jobs, err = s.queryJobs(ctx, tx, `SELECT `+jobColumns+jobFrom+`WHERE j.run_id = ? ORDER BY j.id`, run.ID); err != nil {
			return err
		}
		if stats, err = json.Marshal(run.Stats); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE routing_runs SET stats = ? WHERE id = ?`, string(stats), run.ID); err != nil {
			return err
		}
		return nil
	})
}

// notifyHospitals tells each hospital what the run allocated to it and
// what it could not, one notice each, in hospital order.
func (s *Service) notifyHospitals(ctx context.Context, tx sqlite.Queryer, run *RoutingRun, allocated map[int64]int, hospitals map[int64]int64) error {
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
func (s *Service) notifyMakers(ctx context.Context, tx sqlite.Queryer, runID int64, offers map[int64]*makerOffers) error {
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

// FindRoutingRuns lists runs, newest first, without their jobs (coordinators).
func (s *Service) FindRoutingRuns(ctx context.Context, offset, limit int) ([]*RoutingRun, int, error) {
	if _, err := makerhub.RequireRole(ctx, "coordinators see routing runs", makerhub.RoleCoordinator); err != nil {
		return nil, 0, err
	}
	limit, err := makerhub.PageLimit(offset, limit, 50, 500)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM routing_runs`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, started_by, started_at, finished_at, stats FROM routing_runs
		ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*RoutingRun{}
	for rows.Next() {
		run, err := scanRun(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, run)
	}
	return list, total, rows.Err()
}

func scanRun(row interface{ Scan(...any) error }) (*RoutingRun, error) {
	run := &RoutingRun{Unallocated: []routing.Unallocated{}}
	var stats string
	if err := row.Scan(&run.ID, &run.StartedBy, sqlite.Time(&run.StartedAt), sqlite.Time(&run.FinishedAt), &stats); err != nil {
		return nil, err
	}
	return run, json.Unmarshal([]byte(stats), &run.Stats)
}

// FindRoutingRunByID returns a run with the jobs it made and what it could
// not allocate, and why (coordinators).
func (s *Service) FindRoutingRunByID(ctx context.Context, id int64) (*RoutingRun, error) {
	if _, err := makerhub.RequireRole(ctx, "coordinators see routing runs", makerhub.RoleCoordinator); err != nil {
		return nil, err
	}
	run, err := scanRun(s.q(ctx).QueryRowContext(ctx, `SELECT id, started_by, started_at, finished_at, stats FROM routing_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Routing run %d does not exist.", id)
	} else if err != nil {
		return nil, err
	}
	if run.Jobs, err = s.queryJobs(ctx, s.q(ctx), `SELECT `+jobColumns+jobFrom+`WHERE j.run_id = ? ORDER BY j.id`, id); err != nil {
		return nil, err
	}
	run.Unallocated, err = s.unallocated(ctx, id, -1)
	return run, err
}

// FindUnallocated returns the first limit lines of a routing run's
// unallocated demand, with their number, without the run's jobs: what a
// page shows of a national run (coordinators).
func (s *Service) FindUnallocated(ctx context.Context, runID int64, limit int) ([]routing.Unallocated, int, error) {
	if _, err := makerhub.RequireRole(ctx, "coordinators see routing runs", makerhub.RoleCoordinator); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM routing_unallocated WHERE run_id = ?`, runID).Scan(&total); err != nil {
		return nil, 0, err
	}
	lines, err := s.unallocated(ctx, runID, limit)
	return lines, total, err
}

// unallocated reads a run's unallocated lines in their order, at most
// limit (-1: all).
func (s *Service) unallocated(ctx context.Context, runID int64, limit int) ([]routing.Unallocated, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT request_id, units, cause, detail FROM routing_unallocated WHERE run_id = ?
		ORDER BY rowid LIMIT ?`, runID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []routing.Unallocated
	for rows.Next() {
		var u routing.Unallocated
		if err := rows.Scan(&u.RequestID, &u.Units, &u.Cause, &u.Detail); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// RunScheduler runs routing every interval until ctx is done.
func (s *Service) RunScheduler(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		run, err := s.RunScheduledRouting(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("scheduled routing", "err", err)
			}
			continue
		}
		s.log.Info("scheduled routing", "run", run.ID, "jobs", len(run.Jobs), "unallocated_units", run.Stats.UnitsUnallocated)
	}
}

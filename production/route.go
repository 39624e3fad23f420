package production

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
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

package production

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production/routing"
)

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

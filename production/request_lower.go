package production

import (
	"context"
	"fmt"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// LowerInput lowers a request's open quantity.
type LowerInput struct {
	Open *int   `json:"open"` // the new number of units still needed (required)
	Note string `json:"note"`
}

// LowerRequest lowers the open quantity (its hospital or a coordinator);
// the units dropped are cancelled. Units makers have already claimed or
// printed cannot be dropped; jobs not yet claimed are shrunk or cancelled,
// newest first.
func (s *Service) LowerRequest(ctx context.Context, id int64, in LowerInput) (*Request, error) {
	if len(in.Note) > 2000 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "note must be at most 2000 characters long.")
	}
	return s.changeRequest(ctx, id, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, r *Request, at string) error {
		if r.State != RequestOpen {
			return makerhub.Errorf(makerhub.ECONFLICT, "Request %d is %s: only open requests can be lowered.", id, r.State)
		}
		if in.Open == nil {
			return makerhub.Errorf(makerhub.EINVALID, "open is required: the number of units still needed, from 0 to %d (it has %d open units; cancel sets it to what makers already hold).", r.Open-1, r.Open)
		}
		if *in.Open < 0 || *in.Open >= r.Open {
			return makerhub.Errorf(makerhub.EINVALID, "open is %d: to lower the request give a number from 0 to %d (it has %d open units).", *in.Open, r.Open-1, r.Open)
		}
		return s.lower(ctx, tx, u, r, *in.Open, at, orDefault(in.Note, "lowered by the hospital"))
	})
}

// CancelRequest cancels every open unit that no maker has claimed yet. A
// request with units claimed or printed stays open for those.
func (s *Service) CancelRequest(ctx context.Context, id int64, note string) (*Request, error) {
	if len(note) > 2000 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "note must be at most 2000 characters long.")
	}
	return s.changeRequest(ctx, id, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, r *Request, at string) error {
		if r.State != RequestOpen {
			return makerhub.Errorf(makerhub.ECONFLICT, "Request %d is already %s.", id, r.State)
		}
		committed, err := committedUnits(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if committed >= r.Open {
			return makerhub.Errorf(makerhub.ECONFLICT, "All %d open units of request %d are claimed or printed by makers: nothing is left to cancel.", r.Open, id)
		}
		return s.lower(ctx, tx, u, r, committed, at, orDefault(note, "cancelled by the hospital"))
	})
}

// committedUnits counts a request's units held by makers (claimed,
// printing or printed and not yet handed over) or printed and on their way
// (in inventory).
func committedUnits(ctx context.Context, q sqlite.Queryer, requestID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT r.in_inventory + COALESCE((SELECT sum(quantity) FROM jobs WHERE request_id = r.id
		AND state IN ('claimed', 'printing', 'printed')), 0) FROM requests r WHERE r.id = ?`, requestID).Scan(&n)
	return n, err
}

func (s *Service) lower(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, r *Request, open int, at, note string) error {
	committed, err := committedUnits(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	if open < committed {
		return makerhub.Errorf(makerhub.ECONFLICT, "Makers already hold or have printed %d unit(s) of request %d: the open quantity cannot go below that.", committed, r.ID)
	}
	// Shrink the jobs not yet claimed, newest first, until the jobs fit.
	excess := r.InJobs + r.InInventory - open
	if excess > 0 {
		jobs, err := s.queryJobs(ctx, tx, `SELECT `+jobColumns+jobFrom+`WHERE j.request_id = ? AND j.state IN ('offered', 'open') ORDER BY j.id DESC`, r.ID)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if excess <= 0 {
				break
			}
			if j.Quantity <= excess {
				if err := cancelJob(ctx, tx, j, u.ID, at, "the request was lowered: "+note); err != nil {
					return err
				}
				excess -= j.Quantity
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET quantity = ?, updated_at = ? WHERE id = ?`, j.Quantity-excess, at, j.ID); err != nil {
				return err
			}
			if err := addJobEvent(ctx, tx, j.ID, j.RequestID, u.ID, at, j.State, j.State, j.Quantity-excess,
				fmt.Sprintf("the request was lowered: %d unit(s) fewer", excess)); err != nil {
				return err
			}
			excess = 0
		}
	}
	dropped := r.Open - open
	state := RequestOpen
	if open == 0 {
		state = RequestCancelled
		if r.Delivered > 0 {
			state = RequestFulfilled
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET cancelled = cancelled + ?, state = ?, updated_at = ? WHERE id = ?`,
		dropped, state, at, r.ID); err != nil {
		return err
	}
	action := "lowered"
	if state != RequestOpen {
		action = string(state)
	}
	return addRequestEvent(ctx, tx, r.ID, u.ID, at, action, strings.TrimSpace(fmt.Sprintf("%d unit(s) cancelled, %d open: %s", dropped, open, note)))
}

package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// place is units of a status at a location.
type place struct {
	loc    *Location
	status Status
}

// move is one movement of the ledger about to be recorded; a nil side is
// outside the stock.
type move struct {
	batch    *Batch
	kind     MovementKind
	from, to *place
	qty      int
	shipment int64
	reason   string
	actor    int64
	at       string
}

// inPipeline says whether units on this side of a movement count as on
// their way to a hospital for the batch's request (requests.in_inventory):
// in stock short of a hospital, or in transit.
func inPipeline(p *place, transit bool) bool {
	return transit || p != nil && p.loc.Kind != Hospital
}

// apply records m in the ledger and the stock, inside tx. Taking units
// from a place is one UPDATE guarded by the quantity there, under SQLite's
// write lock, so no interleaving of requests can take the same units
// twice: whoever finds too few gets ECONFLICT and nothing is written (the
// caller's transaction rolls back). The batch's request follows the units
// on their way (in_inventory).
func (s *Service) apply(ctx context.Context, tx sqlite.Queryer, m *move) (int64, error) {
	if m.qty <= 0 {
		return 0, makerhub.Errorf(makerhub.EUNPROCESSABLE, "quantity is %d: a movement moves at least 1 unit.", m.qty)
	}
	if m.from != nil {
		res, err := tx.ExecContext(ctx, `UPDATE stock SET quantity = quantity - ? WHERE batch_id = ? AND location_id = ? AND status = ?
			AND quantity >= ?`, m.qty, m.batch.ID, m.from.loc.ID, m.from.status, m.qty)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var have int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT quantity FROM stock WHERE batch_id = ? AND location_id = ?
				AND status = ?), 0)`, m.batch.ID, m.from.loc.ID, m.from.status).Scan(&have); err != nil {
				return 0, err
			}
			return 0, makerhub.Errorf(makerhub.ECONFLICT, "Batch %d has %d %s unit(s) at %s, not %d: nothing was moved.",
				m.batch.ID, have, m.from.status, m.from.loc.Name, m.qty)
		}
	}
	if m.to != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO stock (batch_id, location_id, status, quantity) VALUES (?, ?, ?, ?)
			ON CONFLICT (batch_id, location_id, status) DO UPDATE SET quantity = quantity + excluded.quantity`,
			m.batch.ID, m.to.loc.ID, m.to.status, m.qty); err != nil {
			return 0, err
		}
	}
	var delta int
	if inPipeline(m.to, m.kind == Shipped) {
		delta += m.qty
	}
	if inPipeline(m.from, m.kind == Received) {
		delta -= m.qty
	}
	if delta != 0 {
		if err := s.production.AdjustInInventory(ctx, m.batch.RequestID, delta, parseAt(m.at)); err != nil {
			return 0, err
		}
	}
	var fromLoc, toLoc, fromStatus, toStatus, shipment any
	if m.from != nil {
		fromLoc, fromStatus = m.from.loc.ID, m.from.status
	}
	if m.to != nil {
		toLoc, toStatus = m.to.loc.ID, m.to.status
	}
	if m.shipment != 0 {
		shipment = m.shipment
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO movements (batch_id, kind, from_location_id, from_status, to_location_id, to_status,
		quantity, shipment_id, reason, actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.batch.ID, m.kind, fromLoc, fromStatus, toLoc, toStatus, m.qty, shipment, m.reason, m.actor, m.at)
	if err != nil {
		return 0, fmt.Errorf("record movement: %w", err)
	}
	return res.LastInsertId()
}

// MoveInput is a movement a person records by hand: a quality check, a
// transfer between locations, or a coordinator's adjustment. Production
// and shipments record theirs themselves.
type MoveInput struct {
	BatchID      int64        `json:"batch_id"`
	Kind         MovementKind `json:"kind"`           // quality_passed, quality_rejected, transferred or adjusted
	LocationID   int64        `json:"location_id"`    // where the units are
	ToLocationID int64        `json:"to_location_id"` // transferred: where they go
	// Status of the units moved: quality checks take unchecked units by
	// default (a rejection may also take passed ones); transfers and
	// adjustments must say.
	Status    Status `json:"status"`
	Quantity  int    `json:"quantity"`
	Direction string `json:"direction"` // adjusted: "out" (lost, broken: the default) or "in" (found)
	Reason    string `json:"reason"`    // required for rejections and adjustments
}

// Movement is one entry of the ledger.
type Movement struct {
	ID             int64        `json:"id"`
	BatchID        int64        `json:"batch_id"`
	Kind           MovementKind `json:"kind"`
	FromLocationID *int64       `json:"from_location_id"`
	FromStatus     *Status      `json:"from_status"`
	ToLocationID   *int64       `json:"to_location_id"`
	ToStatus       *Status      `json:"to_status"`
	Quantity       int          `json:"quantity"`
	ShipmentID     *int64       `json:"shipment_id"`
	Reason         string       `json:"reason"`
	ActorID        *int64       `json:"actor_id"`
	At             time.Time    `json:"at"`
}

const movementColumns = `m.id, m.batch_id, m.kind, m.from_location_id, m.from_status, m.to_location_id, m.to_status, m.quantity,
	m.shipment_id, m.reason, m.actor_id, m.at`

func scanMovement(row interface{ Scan(...any) error }) (*Movement, error) {
	m := &Movement{}
	err := row.Scan(&m.ID, &m.BatchID, &m.Kind, &m.FromLocationID, &m.FromStatus, &m.ToLocationID, &m.ToStatus, &m.Quantity,
		&m.ShipmentID, &m.Reason, &m.ActorID, sqlite.Time(&m.At))
	return m, err
}

// Move records a quality check, a transfer or an adjustment. Makers work
// at their own site; coordinators anywhere, and only they adjust.
func (s *Service) Move(ctx context.Context, in MoveInput) (*Movement, error) {
	u, err := makerhub.RequireRole(ctx, "makers and coordinators move stock", makerhub.RoleMaker, makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case !slices.Contains([]MovementKind{QualityPassed, QualityRejected, Transferred, Adjusted}, in.Kind):
		return nil, makerhub.Errorf(makerhub.EINVALID, "kind %q cannot be recorded by hand: use quality_passed, quality_rejected, transferred or adjusted (produced comes from a job, shipped and received from a shipment).", in.Kind)
	case in.Quantity <= 0:
		return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "quantity is %d: a movement moves at least 1 unit.", in.Quantity)
	case in.BatchID <= 0 || in.LocationID <= 0:
		return nil, makerhub.Errorf(makerhub.EINVALID, "batch_id and location_id are required: which units, and where they are.")
	case len(in.Reason) > 2000:
		return nil, makerhub.Errorf(makerhub.EINVALID, "reason must be at most 2000 characters long.")
	case (in.Kind == QualityRejected || in.Kind == Adjusted) && in.Reason == "":
		return nil, makerhub.Errorf(makerhub.EINVALID, "reason is required for %s: say what was wrong.", in.Kind)
	case in.Kind == Adjusted && u.Role != makerhub.RoleCoordinator:
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Only coordinators adjust the stock; record a rejection for units that failed.")
	case in.Kind == Adjusted && !slices.Contains([]string{"", "in", "out"}, in.Direction):
		return nil, makerhub.Errorf(makerhub.EINVALID, "direction %q is not known: use out (units lost or broken) or in (units found).", in.Direction)
	case in.Status != "" && in.Status != Unchecked && in.Status != Passed:
		return nil, makerhub.Errorf(makerhub.EINVALID, "status %q is not known: use unchecked or passed.", in.Status)
	case in.Status == "" && (in.Kind == Transferred || in.Kind == Adjusted):
		return nil, makerhub.Errorf(makerhub.EINVALID, "status is required for %s: unchecked or passed units.", in.Kind)
	case in.Kind == QualityPassed && in.Status == Passed:
		return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "These units have passed their check already.")
	case in.Kind == Transferred && (in.ToLocationID <= 0 || in.ToLocationID == in.LocationID):
		return nil, makerhub.Errorf(makerhub.EINVALID, "to_location_id is required for a transfer, and must differ from location_id.")
	}
	if in.Status == "" {
		in.Status = Unchecked
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Movement, error) {
		tx := s.q(ctx)
		b, err := findBatch(ctx, tx, in.BatchID)
		if err != nil {
			return nil, err
		}
		loc, err := findLocation(ctx, tx, in.LocationID)
		if err != nil {
			return nil, err
		}
		if err := mayWorkAt(u, loc, in.Kind); err != nil {
			return nil, err
		}
		if in.Kind == QualityPassed || in.Kind == Transferred {
			// A held batch may still be rejected or written off.
			if err := checkNotHeld(ctx, tx, b.ID); err != nil {
				return nil, err
			}
		}
		m := &move{batch: b, kind: in.Kind, from: &place{loc, in.Status}, qty: in.Quantity, reason: in.Reason, actor: u.ID,
			at: sqlite.FormatTime(s.now())}
		switch in.Kind {
		case QualityPassed:
			if err := checkPlace(ctx, tx, b, loc); err != nil {
				return nil, err
			}
			m.to = &place{loc, Passed}
		case QualityRejected:
			m.to = nil
		case Transferred:
			to, err := findLocation(ctx, tx, in.ToLocationID)
			if err != nil {
				return nil, err
			}
			if to.Kind == Hospital {
				return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "Units go to a hospital in a shipment, which the hospital confirms: create a shipment to %s.", to.Name)
			}
			if u.Role == makerhub.RoleMaker && to.Kind != Hub {
				return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Makers transfer units to a collection hub; %s is a %s.", to.Name, to.Kind)
			}
			m.to = &place{to, in.Status}
		case Adjusted:
			if in.Direction == "in" {
				m.from, m.to = nil, &place{loc, in.Status}
			}
		}
		id, err := s.apply(ctx, tx, m)
		if err != nil {
			return nil, err
		}
		mv, err := scanMovement(tx.QueryRowContext(ctx, `SELECT `+movementColumns+` FROM movements m WHERE m.id = ?`, id))
		if err != nil {
			return nil, err
		}
		// A coordinator's movement (an adjustment above all) is also in
		// the trail; the ledger row is the before and after.
		return mv, s.accounts.Audit(ctx, "stock."+string(in.Kind), "batch", b.ID, in.Reason, nil, mv)
	})
}

// mayWorkAt says whether u may record a movement of kind at loc: makers at
// their own site, coordinators at sites and hubs. Units at a hospital were
// delivered; only adjustments touch them.
func mayWorkAt(u *makerhub.User, loc *Location, kind MovementKind) error {
	switch {
	case loc.Kind == Hospital && kind != Adjusted:
		return makerhub.Errorf(makerhub.EUNPROCESSABLE, "Units at %s were delivered to the hospital: they are no longer moved.", loc.Name)
	case u.Role == makerhub.RoleCoordinator:
		return nil
	case loc.Kind == MakerSite && loc.OrganisationID != nil && *loc.OrganisationID == u.OrganisationID():
		return nil
	}
	return makerhub.Errorf(makerhub.EFORBIDDEN, "%s is not your site: makers move only the units at their own site; a coordinator runs %s.", loc.Name, loc.Name)
}

// checkPlace says whether a quality check of batch b may pass at loc: a
// category with a required hub passes only there.
func checkPlace(ctx context.Context, tx sqlite.Queryer, b *Batch, loc *Location) error {
	var hub int64
	err := tx.QueryRowContext(ctx, `SELECT location_id FROM quality_rules WHERE category = ?`, b.Category).Scan(&hub)
	if sqlite.NoRows(err) {
		return nil
	} else if err != nil {
		return err
	}
	if hub == loc.ID {
		return nil
	}
	h, err := findLocation(ctx, tx, hub)
	if err != nil {
		return err
	}
	return makerhub.Errorf(makerhub.ECONFLICT, "Units of category %s must pass their quality check at %s (location %d): transfer them there.", b.Category, h.Name, h.ID)
}

// parseAt reads back a time this package formatted for its rows.
func parseAt(at string) time.Time {
	t, _ := sqlite.ParseTime(at)
	return t
}

package inventory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production"
)

// ShipmentState is where a shipment stands.
type ShipmentState string

// Shipment states: prepared → in_transit → delivered → received; a prepared
// shipment may be cancelled. A shipment may be received straight from
// in_transit (the hospital confirms before the driver reports).
const (
	ShipmentPrepared  ShipmentState = "prepared"
	ShipmentInTransit ShipmentState = "in_transit"
	ShipmentDelivered ShipmentState = "delivered"
	ShipmentReceived  ShipmentState = "received"
	ShipmentCancelled ShipmentState = "cancelled"
)

// Shipment is units going from a location to a hub or a hospital.
type Shipment struct {
	ID             int64          `json:"id"`
	FromLocationID int64          `json:"from_location_id"`
	ToLocationID   int64          `json:"to_location_id"`
	Carrier        string         `json:"carrier"`
	Tracking       string         `json:"tracking"`
	State          ShipmentState  `json:"state"`
	Note           string         `json:"note"`
	CreatedBy      int64          `json:"created_by"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	Lines          []ShipmentLine `json:"lines"`
	// Missing is what was shipped and not received: a discrepancy the
	// hospital or hub recorded on receipt.
	Missing int `json:"missing"`
}

// ShipmentLine is units of one batch and status in a shipment.
type ShipmentLine struct {
	BatchID   int64  `json:"batch_id"`
	Status    Status `json:"status"`
	Quantity  int    `json:"quantity"`
	RequestID *int64 `json:"request_id"` // to a hospital: the request the units fulfil
	Received  *int   `json:"received"`   // nil until received
}

// ShipmentInput prepares a shipment.
type ShipmentInput struct {
	FromLocationID int64 `json:"from_location_id"`
	// ToLocationID is a hub or a hospital's location; or name the hospital
	// by ToOrganisationID (its location is made on first need).
	ToLocationID     int64               `json:"to_location_id"`
	ToOrganisationID int64               `json:"to_organisation_id"`
	Carrier          string              `json:"carrier"`
	Tracking         string              `json:"tracking"`
	Note             string              `json:"note"`
	Lines            []ShipmentLineInput `json:"lines"`
}

// ShipmentLineInput is a line of a new shipment.
type ShipmentLineInput struct {
	BatchID  int64  `json:"batch_id"`
	Status   Status `json:"status"` // default passed; only passed units go to a hospital
	Quantity int    `json:"quantity"`
	// RequestID, to a hospital, is the request the units fulfil: by default
	// the one the batch was printed for, which must then be that hospital's.
	RequestID *int64 `json:"request_id"`
}

const maxShipmentLines = 500

const shipmentColumns = `sh.id, sh.from_location_id, sh.to_location_id, sh.carrier, sh.tracking, sh.state, sh.note, sh.created_by,
	sh.created_at, sh.updated_at`

func scanShipment(row interface{ Scan(...any) error }) (*Shipment, error) {
	sh := &Shipment{Lines: []ShipmentLine{}}
	return sh, row.Scan(&sh.ID, &sh.FromLocationID, &sh.ToLocationID, &sh.Carrier, &sh.Tracking, &sh.State, &sh.Note,
		&sh.CreatedBy, sqlite.Time(&sh.CreatedAt), sqlite.Time(&sh.UpdatedAt))
}

func findShipment(ctx context.Context, q sqlite.Queryer, id int64) (*Shipment, error) {
	sh, err := scanShipment(q.QueryRowContext(ctx, `SELECT `+shipmentColumns+` FROM shipments sh WHERE sh.id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Shipment %d does not exist.", id)
	} else if err != nil {
		return nil, err
	}
	return sh, withLines(ctx, q, []*Shipment{sh})
}

// withLines reads the lines of shipments, in one query.
func withLines(ctx context.Context, q sqlite.Queryer, shs []*Shipment) error {
	if len(shs) == 0 {
		return nil
	}
	byID := make(map[int64]*Shipment, len(shs))
	args := make([]any, 0, len(shs))
	for _, sh := range shs {
		byID[sh.ID] = sh
		args = append(args, sh.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT shipment_id, batch_id, status, quantity, request_id, received FROM shipment_lines
		WHERE shipment_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`) ORDER BY shipment_id, batch_id, status`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var l ShipmentLine
		if err := rows.Scan(&id, &l.BatchID, &l.Status, &l.Quantity, &l.RequestID, &l.Received); err != nil {
			return err
		}
		sh := byID[id]
		if l.Received != nil {
			sh.Missing += l.Quantity - *l.Received
		}
		sh.Lines = append(sh.Lines, l)
	}
	return rows.Err()
}

// CreateShipment prepares a shipment from a maker's site (its maker) or
// from any site or hub (coordinators) to a hub or a hospital. Nothing
// leaves the stock until it is dispatched, but every line is checked now:
// enough units there, passed if it goes to a hospital, not held by a recall.
func (s *Service) CreateShipment(ctx context.Context, in ShipmentInput) (*Shipment, error) {
	u, err := makerhub.RequireRole(ctx, "makers and coordinators send shipments", makerhub.RoleMaker, makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	in.Carrier, in.Tracking, in.Note = strings.TrimSpace(in.Carrier), strings.TrimSpace(in.Tracking), strings.TrimSpace(in.Note)
	switch {
	case in.FromLocationID <= 0:
		return nil, makerhub.Errorf(makerhub.EINVALID, "from_location_id is required: where the units are.")
	case (in.ToLocationID > 0) == (in.ToOrganisationID > 0):
		return nil, makerhub.Errorf(makerhub.EINVALID, "Give either to_location_id (a hub or a hospital's location) or to_organisation_id (a hospital).")
	case len(in.Lines) == 0 || len(in.Lines) > maxShipmentLines:
		return nil, makerhub.Errorf(makerhub.EINVALID, "lines must hold 1 to %d lines: which batches, and how many units of each.", maxShipmentLines)
	case len(in.Carrier) > 200 || len(in.Tracking) > 200 || len(in.Note) > 2000:
		return nil, makerhub.Errorf(makerhub.EINVALID, "carrier and tracking must be at most 200 characters long, note at most 2000.")
	}
	seen := map[[2]any]bool{}
	for i := range in.Lines {
		l := &in.Lines[i]
		if l.Status == "" {
			l.Status = Passed
		}
		switch {
		case l.BatchID <= 0:
			return nil, makerhub.Errorf(makerhub.EINVALID, "lines[%d].batch_id is required.", i)
		case l.Quantity <= 0:
			return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "lines[%d].quantity is %d: a line ships at least 1 unit.", i, l.Quantity)
		case l.Status != Passed && l.Status != Unchecked:
			return nil, makerhub.Errorf(makerhub.EINVALID, "lines[%d].status %q is not known: use passed or unchecked.", i, l.Status)
		case seen[[2]any{l.BatchID, l.Status}]:
			return nil, makerhub.Errorf(makerhub.EINVALID, "lines[%d]: batch %d (%s) is already on another line: one line per batch and status.", i, l.BatchID, l.Status)
		}
		seen[[2]any{l.BatchID, l.Status}] = true
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Shipment, error) {
		tx := s.q(ctx)
		now := sqlite.FormatTime(s.now())
		from, err := findLocation(ctx, tx, in.FromLocationID)
		if err != nil {
			return nil, err
		}
		if err := mayWorkAt(u, from, Shipped); err != nil {
			return nil, err
		}
		var to *Location
		if in.ToOrganisationID > 0 {
			to, err = s.organisationLocation(ctx, in.ToOrganisationID, now)
		} else {
			to, err = findLocation(ctx, tx, in.ToLocationID)
		}
		if err != nil {
			return nil, err
		}
		switch {
		case to.Kind == MakerSite:
			return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "%s is a maker's site: ship to a collection hub or a hospital.", to.Name)
		case to.ID == from.ID:
			return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "The shipment starts and ends at %s.", to.Name)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO shipments (from_location_id, to_location_id, carrier, tracking, state, note,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'prepared', ?, ?, ?, ?)`, from.ID, to.ID, in.Carrier, in.Tracking,
			in.Note, u.ID, now, now)
		if err != nil {
			return nil, fmt.Errorf("insert shipment: %w", err)
		}
		id, _ := res.LastInsertId()
		for i, l := range in.Lines {
			b, err := findBatch(ctx, tx, l.BatchID)
			if err != nil {
				return nil, err
			}
			if err := checkShippable(ctx, tx, b, from, to, l.Status, l.Quantity); err != nil {
				return nil, err
			}
			req, err := s.fulfils(ctx, tx, i, b, to, l.RequestID)
			if err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO shipment_lines (shipment_id, batch_id, status, quantity, request_id)
			VALUES (?, ?, ?, ?, ?)`, id, b.ID, l.Status, l.Quantity, req); err != nil {
				return nil, fmt.Errorf("insert shipment line: %w", err)
			}
		}
		if err := addShipmentEvent(ctx, tx, id, u.ID, now, "", ShipmentPrepared, in.Note); err != nil {
			return nil, err
		}
		sh, err := findShipment(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return sh, nil
	})
}

// checkShippable says why qty units of b with status cannot go from one
// location to another: a recall holds the batch, unchecked units to a
// hospital, or too few units there.
func checkShippable(ctx context.Context, q sqlite.Queryer, b *Batch, from, to *Location, status Status, qty int) error {
	if err := checkNotHeld(ctx, q, b.ID); err != nil {
		return err
	}
	if to.Kind == Hospital && status != Passed {
		return makerhub.Errorf(makerhub.ECONFLICT, "Batch %d: units must pass their quality check before they go to a hospital; ship unchecked units to a hub.", b.ID)
	}
	var have int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT quantity FROM stock WHERE batch_id = ? AND location_id = ? AND status = ?), 0)`,
		b.ID, from.ID, status).Scan(&have); err != nil {
		return err
	}
	if have >= qty {
		return nil
	}
	var unchecked int
	if status == Passed {
		if err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT quantity FROM stock WHERE batch_id = ? AND location_id = ? AND status = 'unchecked'), 0)`,
			b.ID, from.ID).Scan(&unchecked); err != nil {
			return err
		}
	}
	if unchecked > 0 {
		return makerhub.Errorf(makerhub.ECONFLICT, "Batch %d has %d passed unit(s) at %s, not %d: nothing was shipped (%d more are unchecked: record their quality check first).", b.ID, have, from.Name, qty, unchecked)
	}
	return makerhub.Errorf(makerhub.ECONFLICT, "Batch %d has %d %s unit(s) at %s, not %d: nothing was shipped.", b.ID, have, status, from.Name, qty)
}

// checkNotHeld refuses to move a batch a recall holds.
func checkNotHeld(ctx context.Context, q sqlite.Queryer, batchID int64) error {
	var recall int64
	var reason string
	err := q.QueryRowContext(ctx, `SELECT r.id, r.reason FROM batch_holds h JOIN recalls r ON r.id = h.recall_id
		WHERE h.batch_id = ? AND h.released_at IS NULL ORDER BY r.id LIMIT 1`, batchID).Scan(&recall, &reason)
	if sqlite.NoRows(err) {
		return nil
	} else if err != nil {
		return err
	}
	return makerhub.Errorf(makerhub.ECONFLICT, "Batch %d is held by recall %d (%s): it cannot move until a coordinator releases it.", batchID, recall, reason)
}

// fulfils returns the request a line to a hospital fulfils (nil to a hub).
func (s *Service) fulfils(ctx context.Context, tx sqlite.Queryer, i int, b *Batch, to *Location, given *int64) (any, error) {
	if to.Kind != Hospital {
		if given != nil {
			return nil, makerhub.Errorf(makerhub.EINVALID, "lines[%d].request_id: units going to a hub fulfil no request yet.", i)
		}
		return nil, nil
	}
	id := b.RequestID
	if given != nil {
		id = *given
	}
	r, err := s.production.LookupRequest(ctx, id)
	if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "lines[%d].request_id: request %d does not exist.", i, id)
	} else if err != nil {
		return nil, err
	}
	switch org := r.OrganisationID; {
	case org != *to.OrganisationID && given == nil:
		return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "lines[%d]: batch %d was printed for another hospital's request: give request_id, the request of %s these units fulfil.", i, b.ID, to.Name)
	case org != *to.OrganisationID:
		return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "lines[%d].request_id: request %d is not %s's.", i, id, to.Name)
	case r.DesignID != b.DesignID || r.Version != nil && *r.Version != b.Version:
		return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "lines[%d]: request %d asks for another design or version than batch %d holds.", i, id, b.ID)
	case r.State != production.RequestOpen:
		return nil, makerhub.Errorf(makerhub.ECONFLICT, "lines[%d]: request %d is %s: it needs no more units.", i, id, r.State)
	}
	return id, nil
}

func addShipmentEvent(ctx context.Context, q sqlite.Queryer, id, actor int64, at string, from, to ShipmentState, note string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO shipment_events (shipment_id, actor_id, at, from_state, to_state, note) VALUES (?, ?, ?, ?, ?, ?)`,
		id, actor, at, from, to, note)
	return err
}

// canSeeShipment: coordinators, its creator, and the organisations at
// either end.
func (s *Service) canSeeShipment(ctx context.Context, q sqlite.Queryer, u *makerhub.User, sh *Shipment) error {
	if u.Role == makerhub.RoleCoordinator || u.ID == sh.CreatedBy {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM locations WHERE id IN (?, ?) AND organisation_id = ?`,
		sh.FromLocationID, sh.ToLocationID, u.OrganisationID()).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return makerhub.Errorf(makerhub.EFORBIDDEN, "Shipment %d is not yours to see.", sh.ID)
}

// FindShipmentByID returns a shipment to those who may see it.
func (s *Service) FindShipmentByID(ctx context.Context, id int64) (*Shipment, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	sh, err := findShipment(ctx, s.q(ctx), id)
	if err != nil {
		return nil, err
	}
	return sh, s.canSeeShipment(ctx, s.q(ctx), u, sh)
}

// ShipmentFilter selects shipments.
type ShipmentFilter struct {
	State      ShipmentState
	LocationID int64 // from or to this location
	Offset     int
	Limit      int // default 100, at most 1000
}

// FindShipments lists shipments, newest first: coordinators all of them;
// makers and hospitals those they sent and those from or to their
// organisation's location. It returns the page and the total.
func (s *Service) FindShipments(ctx context.Context, f ShipmentFilter) ([]*Shipment, int, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit, err = makerhub.PageLimit(f.Offset, f.Limit, 100, 1000); err != nil {
		return nil, 0, err
	}
	switch f.State {
	case "", ShipmentPrepared, ShipmentInTransit, ShipmentDelivered, ShipmentReceived, ShipmentCancelled:
	default:
		return nil, 0, makerhub.Errorf(makerhub.EINVALID, "state %q is not known: use prepared, in_transit, delivered, received or cancelled.", f.State)
	}
	where := `(? = '' OR sh.state = ?) AND (? = 0 OR ? IN (sh.from_location_id, sh.to_location_id))`
	args := []any{f.State, f.State, f.LocationID, f.LocationID}
	if u.Role != makerhub.RoleCoordinator {
		where += ` AND (sh.created_by = ? OR EXISTS (SELECT 1 FROM locations l WHERE l.id IN (sh.from_location_id, sh.to_location_id)
			AND l.organisation_id = ?))`
		args = append(args, u.ID, u.OrganisationID())
	}
	// Two statements, not one transaction: the hub's transactions take the
	// write lock, which a list must not hold. The total may be one shipment
	// off the page under concurrent writes, as in every list of the hub.
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM shipments sh WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	shs, err := sqlite.Collect(scanShipment)(s.q(ctx).QueryContext(ctx, `SELECT `+shipmentColumns+` FROM shipments sh WHERE `+where+
		` ORDER BY sh.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...))
	if err != nil {
		return nil, 0, err
	}
	return shs, total, withLines(ctx, s.q(ctx), shs)
}

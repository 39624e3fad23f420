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
		tx := sqlite.Q(ctx, s.db)
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

// ShipmentStep moves a shipment on: its note is kept in the event log.
type ShipmentStep struct {
	Note string `json:"note"`
}

// changeShipment runs one step of a shipment in a transaction, as a sender
// (its creator, a member of the origin's organisation, or a coordinator).
func (s *Service) changeShipment(ctx context.Context, id int64, note string, from []ShipmentState, to ShipmentState,
	step func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, sh *Shipment, at string) (string, error)) (*Shipment, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if len(note) > 2000 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "note must be at most 2000 characters long.")
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Shipment, error) {
		tx := sqlite.Q(ctx, s.db)
		sh, err := findShipment(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := s.canSeeShipment(ctx, tx, u, sh); err != nil {
			return nil, err
		}
		ok := false
		for _, f := range from {
			ok = ok || sh.State == f
		}
		if !ok {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Shipment %d is %s: it cannot become %s.", id, sh.State, to)
		}
		at := sqlite.FormatTime(s.now())
		extra, err := step(ctx, tx, u, sh, at)
		if err != nil {
			return nil, err
		}
		note = strings.TrimSpace(note + " " + extra)
		if _, err := tx.ExecContext(ctx, `UPDATE shipments SET state = ?, updated_at = ? WHERE id = ?`, to, at, id); err != nil {
			return nil, err
		}
		if err := addShipmentEvent(ctx, tx, id, u.ID, at, sh.State, to, note); err != nil {
			return nil, err
		}
		if sh, err = findShipment(ctx, tx, id); err != nil {
			return nil, err
		}
		return sh, nil
	})
}

// sender checks that u sends the shipment: its creator, the origin's maker
// group, or a coordinator.
func (s *Service) sender(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, sh *Shipment) error {
	if u.Role == makerhub.RoleCoordinator || u.ID == sh.CreatedBy {
		return nil
	}
	from, err := findLocation(ctx, tx, sh.FromLocationID)
	if err != nil {
		return err
	}
	if from.OrganisationID != nil && *from.OrganisationID == u.OrganisationID() && u.Role == makerhub.RoleMaker {
		return nil
	}
	return makerhub.Errorf(makerhub.EFORBIDDEN, "Only the sender of shipment %d or a coordinator moves it on.", sh.ID)
}

// Dispatch sends a prepared shipment on its way: its units leave the
// origin's stock (shipped movements), all lines or none.
func (s *Service) Dispatch(ctx context.Context, id int64, in ShipmentStep) (*Shipment, error) {
	return s.changeShipment(ctx, id, in.Note, []ShipmentState{ShipmentPrepared}, ShipmentInTransit, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, sh *Shipment, at string) (string, error) {
		if err := s.sender(ctx, tx, u, sh); err != nil {
			return "", err
		}
		from, err := findLocation(ctx, tx, sh.FromLocationID)
		if err != nil {
			return "", err
		}
		to, err := findLocation(ctx, tx, sh.ToLocationID)
		if err != nil {
			return "", err
		}
		for _, l := range sh.Lines {
			b, err := findBatch(ctx, tx, l.BatchID)
			if err != nil {
				return "", err
			}
			if err := checkShippable(ctx, tx, b, from, to, l.Status, l.Quantity); err != nil {
				return "", err
			}
			if _, err := s.apply(ctx, tx, &move{batch: b, kind: Shipped, from: &place{from, l.Status}, qty: l.Quantity,
				shipment: sh.ID, reason: fmt.Sprintf("shipment %d to %s", sh.ID, to.Name), actor: u.ID, at: at}); err != nil {
				return "", err
			}
		}
		return "", nil
	})
}

// MarkDelivered records that the carrier or driver delivered the shipment.
func (s *Service) MarkDelivered(ctx context.Context, id int64, in ShipmentStep) (*Shipment, error) {
	return s.changeShipment(ctx, id, in.Note, []ShipmentState{ShipmentInTransit}, ShipmentDelivered, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, sh *Shipment, _ string) (string, error) {
		return "", s.sender(ctx, tx, u, sh)
	})
}

// CancelShipment cancels a prepared shipment: nothing had left the stock.
func (s *Service) CancelShipment(ctx context.Context, id int64, in ShipmentStep) (*Shipment, error) {
	return s.changeShipment(ctx, id, in.Note, []ShipmentState{ShipmentPrepared}, ShipmentCancelled, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, sh *Shipment, _ string) (string, error) {
		return "", s.sender(ctx, tx, u, sh)
	})
}

// ReceiptInput confirms what arrived. Lines not listed arrived in full.
type ReceiptInput struct {
	Lines []ReceiptLine `json:"lines"`
	Note  string        `json:"note"`
}

// ReceiptLine is how many units of a shipment line arrived.
type ReceiptLine struct {
	BatchID  int64  `json:"batch_id"`
	Status   Status `json:"status"` // default passed
	Received int    `json:"received"`
}

// Receive confirms a shipment's arrival (the destination hospital's
// people, or a coordinator for a hub or on a hospital's behalf). What
// arrived enters the destination's stock; what did not is recorded as
// missing and its units return to their request's demand. At a hospital,
// received units fulfil the line's request, which closes when its quantity
// is met.
func (s *Service) Receive(ctx context.Context, id int64, in ReceiptInput) (*Shipment, error) {
	return s.changeShipment(ctx, id, in.Note, []ShipmentState{ShipmentInTransit, ShipmentDelivered}, ShipmentReceived, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, sh *Shipment, at string) (string, error) {
		to, err := findLocation(ctx, tx, sh.ToLocationID)
		if err != nil {
			return "", err
		}
		if !(u.Role == makerhub.RoleCoordinator || u.Role == makerhub.RoleHospital && to.OrganisationID != nil && *to.OrganisationID == u.OrganisationID()) {
			return "", makerhub.Errorf(makerhub.EFORBIDDEN, "Only %s or a coordinator confirms the receipt of shipment %d.", to.Name, sh.ID)
		}
		got := map[[2]any]int{}
		for i, r := range in.Lines {
			if r.Status == "" {
				r.Status = Passed
			}
			key := [2]any{r.BatchID, r.Status}
			if _, dup := got[key]; dup {
				return "", makerhub.Errorf(makerhub.EINVALID, "lines[%d]: batch %d (%s) is listed twice.", i, r.BatchID, r.Status)
			}
			got[key] = r.Received
		}
		var missing []string
		for _, l := range sh.Lines {
			key := [2]any{l.BatchID, l.Status}
			r, listed := got[key]
			if !listed {
				r = l.Quantity
			}
			delete(got, key)
			switch {
			case r < 0:
				return "", makerhub.Errorf(makerhub.EUNPROCESSABLE, "received is %d for batch %d: count the units that arrived, 0 or more.", r, l.BatchID)
			case r > l.Quantity:
				return "", makerhub.Errorf(makerhub.EUNPROCESSABLE, "%d unit(s) of batch %d received but %d were shipped: count again, or record the surplus with a coordinator.", r, l.BatchID, l.Quantity)
			}
			b, err := findBatch(ctx, tx, l.BatchID)
			if err != nil {
				return "", err
			}
			if r > 0 {
				if _, err := s.apply(ctx, tx, &move{batch: b, kind: Received, to: &place{to, l.Status}, qty: r, shipment: sh.ID,
					reason: fmt.Sprintf("shipment %d received", sh.ID), actor: u.ID, at: at}); err != nil {
					return "", err
				}
			}
			if lost := l.Quantity - r; lost > 0 {
				// Shipped and never arrived: off the way to the request.
				if err := s.production.AdjustInInventory(ctx, b.RequestID, -lost, parseAt(at)); err != nil {
					return "", err
				}
				missing = append(missing, fmt.Sprintf("%d of batch %d", lost, b.ID))
			}
			if _, err := tx.ExecContext(ctx, `UPDATE shipment_lines SET received = ? WHERE shipment_id = ? AND batch_id = ? AND status = ?`,
				r, sh.ID, l.BatchID, l.Status); err != nil {
				return "", err
			}
			if l.RequestID != nil && r > 0 {
				if err := s.production.RecordDelivery(ctx, *l.RequestID, r, u.ID, parseAt(at), sh.ID); err != nil {
					return "", err
				}
			}
		}
		for key := range got {
			return "", makerhub.Errorf(makerhub.EINVALID, "batch %v (%v) is not in shipment %d.", key[0], key[1], sh.ID)
		}
		if len(missing) > 0 {
			return "(missing: " + strings.Join(missing, ", ") + ")", nil
		}
		return "", nil
	})
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

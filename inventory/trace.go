package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// StockLine is units of one batch and status at one location.
type StockLine struct {
	BatchID      int64        `json:"batch_id"`
	DesignID     int64        `json:"design_id"`
	Version      int          `json:"version"`
	LocationID   int64        `json:"location_id"`
	LocationName string       `json:"location_name"`
	LocationKind LocationKind `json:"location_kind"`
	Status       Status       `json:"status"`
	Quantity     int          `json:"quantity"`
}

// StockFilter selects stock lines.
type StockFilter struct {
	LocationID int64
	BatchID    int64
}

// FindStock lists the units in stock, by batch, location and status.
// Coordinators see all of it; makers and hospitals what is at their own
// location.
func (s *Service) FindStock(ctx context.Context, f StockFilter) ([]*StockLine, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	var org any
	if u.Role != makerhub.RoleCoordinator {
		org = u.OrganisationID()
	}
	return s.stockLines(ctx, s.q(ctx), `(? IS NULL OR l.organisation_id = ?) AND (? = 0 OR st.location_id = ?) AND (? = 0 OR st.batch_id = ?)`,
		org, org, f.LocationID, f.LocationID, f.BatchID, f.BatchID)
}

func (s *Service) stockLines(ctx context.Context, q sqlite.Queryer, cond string, args ...any) ([]*StockLine, error) {
	return sqlite.Collect(func(row interface{ Scan(...any) error }) (*StockLine, error) {
		l := &StockLine{}
		err := row.Scan(&l.BatchID, &l.DesignID, &l.Version, &l.LocationID, &l.LocationName, &l.LocationKind, &l.Status, &l.Quantity)
		return l, err
	})(q.QueryContext(ctx, `SELECT st.batch_id, v.design_id, v.number, st.location_id, l.name, l.kind, st.status, st.quantity
		FROM stock st JOIN locations l ON l.id = st.location_id JOIN batches b ON b.id = st.batch_id
		JOIN designs_versions v ON v.id = b.version_id
		WHERE st.quantity > 0 AND `+cond+` ORDER BY st.batch_id, l.name, st.status`, args...))
}

// FindMovements returns a batch's ledger, oldest first, to those who may
// see the batch.
func (s *Service) FindMovements(ctx context.Context, batchID int64) ([]*Movement, error) {
	if _, err := s.FindBatchByID(ctx, batchID); err != nil {
		return nil, err
	}
	return s.movements(ctx, s.q(ctx), batchID)
}

func (s *Service) movements(ctx context.Context, q sqlite.Queryer, batchID int64) ([]*Movement, error) {
	return sqlite.Collect(scanMovement)(q.QueryContext(ctx, `SELECT `+movementColumns+` FROM movements m WHERE m.batch_id = ? ORDER BY m.id`, batchID))
}

// BatchTrace is the whole chain of a batch: what was printed from which
// files, by whom, on what, for which hospital, and where every unit went.
type BatchTrace struct {
	Batch     *Batch          `json:"batch"`
	Design    TraceDesign     `json:"design"`
	Maker     TraceParty      `json:"maker"`
	Printer   *TracePrinter   `json:"printer"`
	Request   TraceRequest    `json:"request"`
	Totals    BatchTotals     `json:"totals"`
	Stock     []*StockLine    `json:"stock"`
	Movements []*Movement     `json:"movements"`
	JobEvents []TraceJobEvent `json:"job_events"`
}

// TraceDesign is the design version a batch was printed from.
type TraceDesign struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Version   int    `json:"version"`
	Licence   string `json:"licence"`
	Status    string `json:"review_status"`
	Lifecycle string `json:"lifecycle"` // active, superseded or withdrawn
}

// TraceParty is a person and their organisation.
type TraceParty struct {
	UserID           int64  `json:"user_id"`
	Name             string `json:"name"`
	OrganisationID   int64  `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
}

// TracePrinter is the printer a batch was printed on.
type TracePrinter struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Model string `json:"model"`
}

// TraceRequest is the request a batch was printed for.
type TraceRequest struct {
	ID           int64  `json:"id"`
	HospitalID   int64  `json:"hospital_id"`
	HospitalName string `json:"hospital_name"`
}

// TraceJobEvent is a step of the job that printed the batch.
type TraceJobEvent struct {
	At      time.Time `json:"at"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	ActorID *int64    `json:"actor_id"`
	Note    string    `json:"note,omitempty"`
}

// BatchTotals splits what a batch produced:
// Produced + AdjustedIn = InStock + InTransit + Delivered + Rejected + AdjustedOut + Missing,
// where InStock counts units short of a hospital, Delivered those received
// at one, and Missing those shipped and never received.
type BatchTotals struct {
	Produced    int `json:"produced"`
	AdjustedIn  int `json:"adjusted_in"`
	InStock     int `json:"in_stock"`
	InTransit   int `json:"in_transit"`
	Delivered   int `json:"delivered"`
	Rejected    int `json:"rejected"`
	AdjustedOut int `json:"adjusted_out"`
	Missing     int `json:"missing"`
}

// TraceBatch returns a batch's whole chain, to those who may see the batch.
func (s *Service) TraceBatch(ctx context.Context, id int64) (*BatchTrace, error) {
	b, err := s.FindBatchByID(ctx, id)
	if err != nil {
		return nil, err
	}
	t := &BatchTrace{Batch: b}
	if err := s.traceParties(ctx, t); err != nil {
		return nil, err
	}
	if t.Stock, err = s.stockLines(ctx, s.q(ctx), `st.batch_id = ?`, id); err != nil {
		return nil, err
	}
	if t.Movements, err = s.movements(ctx, s.q(ctx), id); err != nil {
		return nil, err
	}
	var missing int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT COALESCE(sum(quantity - received), 0) FROM shipment_lines
		WHERE batch_id = ? AND received IS NOT NULL`, id).Scan(&missing); err != nil {
		return nil, err
	}
	t.Totals = totals(t.Movements, t.Stock, missing)
	events, err := s.production.LookupJobEvents(ctx, b.JobID)
	if err != nil {
		return nil, err
	}
	t.JobEvents = make([]TraceJobEvent, len(events))
	for i, e := range events {
		t.JobEvents[i] = TraceJobEvent{At: e.At, From: string(e.From), To: string(e.To), ActorID: e.ActorID, Note: e.Note}
	}
	return t, nil
}

// traceParties fills in who and what a batch came from and went to: its
// design version, maker, printer and the hospital it was printed for,
// each from the package that owns it.
func (s *Service) traceParties(ctx context.Context, t *BatchTrace) error {
	b := t.Batch
	refs, err := s.designs.VersionRefs(ctx, []int64{b.VersionID})
	if err != nil {
		return err
	}
	v, ok := refs[b.VersionID]
	if !ok {
		return fmt.Errorf("version %d of batch %d: %w", b.VersionID, b.ID, sql.ErrNoRows)
	}
	t.Design = TraceDesign{ID: v.DesignID, Title: v.Title, Version: v.Number, Licence: v.Licence, Status: string(v.Status), Lifecycle: string(v.Lifecycle)}
	maker, err := s.accounts.LookupUser(ctx, b.MakerID)
	if err != nil {
		return err
	}
	t.Maker = TraceParty{UserID: maker.ID, Name: maker.Name}
	if o := maker.Organisation; o != nil {
		t.Maker.OrganisationID, t.Maker.OrganisationName = o.ID, o.Name
	}
	if b.PrinterID != nil {
		p, err := s.production.LookupPrinter(ctx, *b.PrinterID)
		if err != nil {
			return err
		}
		t.Printer = &TracePrinter{ID: p.ID, Name: p.Name, Model: p.Model}
	}
	r, err := s.production.LookupRequest(ctx, b.RequestID)
	if err != nil {
		return err
	}
	hospital, err := s.accounts.LookupOrganisation(ctx, r.OrganisationID)
	if err != nil {
		return err
	}
	t.Request = TraceRequest{ID: r.ID, HospitalID: hospital.ID, HospitalName: hospital.Name}
	return nil
}

// totals sums a batch's ledger; the stock lines split what is held between
// hospitals (delivered) and the rest; missing units were shipped and never
// received.
func totals(ms []*Movement, stock []*StockLine, missing int) BatchTotals {
	t := BatchTotals{Missing: missing, InTransit: -missing}
	for _, m := range ms {
		switch {
		case m.Kind == Produced:
			t.Produced += m.Quantity
		case m.Kind == QualityRejected:
			t.Rejected += m.Quantity
		case m.Kind == Adjusted && m.FromLocationID == nil:
			t.AdjustedIn += m.Quantity
		case m.Kind == Adjusted:
			t.AdjustedOut += m.Quantity
		case m.Kind == Shipped:
			t.InTransit += m.Quantity
		case m.Kind == Received:
			t.InTransit -= m.Quantity
		}
	}
	for _, l := range stock {
		if l.LocationKind == Hospital {
			t.Delivered += l.Quantity
		} else {
			t.InStock += l.Quantity
		}
	}
	return t
}

// ShipmentTrace is a shipment's whole chain: where from and to, each
// line's batch (design version, files, maker, printer, filament), every
// step and the ledger entries it made.
type ShipmentTrace struct {
	Shipment  *Shipment       `json:"shipment"`
	From      *Location       `json:"from"`
	To        *Location       `json:"to"`
	Batches   []*Batch        `json:"batches"`
	Events    []ShipmentEvent `json:"events"`
	Movements []*Movement     `json:"movements"`
}

// ShipmentEvent is a step of a shipment.
type ShipmentEvent struct {
	At      time.Time     `json:"at"`
	From    ShipmentState `json:"from"`
	To      ShipmentState `json:"to"`
	ActorID *int64        `json:"actor_id"`
	Note    string        `json:"note,omitempty"`
}

// TraceShipment returns a shipment's whole chain, to those who may see it.
func (s *Service) TraceShipment(ctx context.Context, id int64) (*ShipmentTrace, error) {
	sh, err := s.FindShipmentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	t := &ShipmentTrace{Shipment: sh, Batches: []*Batch{}, Events: []ShipmentEvent{}, Movements: []*Movement{}}
	if t.From, err = findLocation(ctx, s.q(ctx), sh.FromLocationID); err != nil {
		return nil, err
	}
	if t.To, err = findLocation(ctx, s.q(ctx), sh.ToLocationID); err != nil {
		return nil, err
	}
	for _, l := range sh.Lines {
		if len(t.Batches) > 0 && t.Batches[len(t.Batches)-1].ID == l.BatchID {
			continue // the same batch, another status
		}
		b, err := findBatch(ctx, s.q(ctx), l.BatchID)
		if err != nil {
			return nil, err
		}
		t.Batches = append(t.Batches, b)
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT at, from_state, to_state, actor_id, note FROM shipment_events WHERE shipment_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var e ShipmentEvent
		if err := rows.Scan(sqlite.Time(&e.At), &e.From, &e.To, &e.ActorID, &e.Note); err != nil {
			rows.Close()
			return nil, err
		}
		t.Events = append(t.Events, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	t.Movements, err = sqlite.Collect(scanMovement)(s.q(ctx).QueryContext(ctx, `SELECT `+movementColumns+` FROM movements m
		WHERE m.shipment_id = ? ORDER BY m.id`, id))
	return t, err
}

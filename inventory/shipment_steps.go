package inventory

import (
	"context"
	"fmt"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

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
		tx := s.q(ctx)
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

package production

import (
	"context"
	"fmt"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// What inventory tells production as units move. Inventory owns the stock
// and shipments; production owns requests and the rule of when one is
// fulfilled. Each call joins the caller's unit of work (ctx), so a receipt
// and the request it fulfils commit together.

// LookupRequest returns a request, or ENOTFOUND. It checks no caller:
// inventory holds the ID on its batches and shipment lines and decides
// itself what its caller may do with it.
func (s *Service) LookupRequest(ctx context.Context, id int64) (*Request, error) {
	return s.findRequest(ctx, s.q(ctx), id)
}

// AdjustInInventory adds delta (negative: takes) to the units of a request
// that are printed and on their way in inventory, which routing does not
// plan again.
func (s *Service) AdjustInInventory(ctx context.Context, requestID int64, delta int, at time.Time) error {
	if _, err := s.q(ctx).ExecContext(ctx, `UPDATE requests SET in_inventory = in_inventory + ?, updated_at = ? WHERE id = ?`,
		delta, sqlite.FormatTime(at), requestID); err != nil {
		return fmt.Errorf("request %d's units in inventory: %w", requestID, err)
	}
	return nil
}

// RecordDelivery counts units a hospital received for a request in a
// shipment. A request is fulfilled once delivered + cancelled reaches its
// quantity; units beyond what is due stay in the hospital's stock, counted
// on the shipment, not on the request.
func (s *Service) RecordDelivery(ctx context.Context, requestID int64, units int, actor int64, at time.Time, shipment int64) error {
	tx := s.q(ctx)
	var due int
	if err := tx.QueryRowContext(ctx, `SELECT quantity - delivered - cancelled FROM requests WHERE id = ?`, requestID).Scan(&due); err != nil {
		return err
	}
	n := min(units, due)
	if n <= 0 {
		return nil
	}
	when := sqlite.FormatTime(at)
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET delivered = delivered + ?, updated_at = ?,
		state = CASE WHEN delivered + ? + cancelled >= quantity THEN 'fulfilled' ELSE state END WHERE id = ?`,
		n, when, n, requestID); err != nil {
		return fmt.Errorf("deliver to request %d: %w", requestID, err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO request_events (request_id, actor_id, at, action, note) VALUES (?, ?, ?, 'delivered', ?)`,
		requestID, actor, when, fmt.Sprintf("%d unit(s) received in shipment %d", n, shipment))
	return err
}

// LookupJob returns a job, or ENOTFOUND, checking no caller (see
// LookupRequest).
func (s *Service) LookupJob(ctx context.Context, id int64) (*Job, error) {
	return s.findJob(ctx, s.q(ctx), id)
}

// LookupPrinter returns a printer, retired or not, or ENOTFOUND, checking
// no caller (see LookupRequest).
func (s *Service) LookupPrinter(ctx context.Context, id int64) (*Printer, error) {
	p, err := scanPrinter(s.q(ctx).QueryRowContext(ctx, `SELECT `+printerColumns+` FROM printers WHERE id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Printer %d does not exist.", id)
	}
	return p, err
}

// LookupJobEvents returns a job's transitions, oldest first, checking no
// caller (see LookupRequest).
func (s *Service) LookupJobEvents(ctx context.Context, jobID int64) ([]*JobEvent, error) {
	return s.jobEvents(ctx, "job_id = ?", jobID)
}

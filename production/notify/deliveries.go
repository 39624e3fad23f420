package notify

import (
	"context"
	"database/sql"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Delivery statuses.
const (
	StatusPending   = "pending"   // waiting for its first or next attempt
	StatusDelivered = "delivered" // a 2xx answer was received
	StatusFailed    = "failed"    // every attempt failed; RetryDelivery starts over
)

// Delivery is one notification sent (or to be sent) to one webhook: an entry
// in the webhook's delivery log.
type Delivery struct {
	ID             int64  `json:"id"`
	WebhookID      int64  `json:"webhook_id"`
	NotificationID int64  `json:"notification_id"`
	Event          string `json:"event"`
	Status         string `json:"status"`
	Attempts       int    `json:"attempts"`
	// LastStatusCode is the receiver's HTTP status at the last attempt;
	// absent when it did not answer (refused, timed out…).
	LastStatusCode *int       `json:"last_status_code,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	LastAttemptAt  *time.Time `json:"last_attempt_at,omitempty"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty"` // while pending
	DeliveredAt    *time.Time `json:"delivered_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// DeliveryFilter selects entries of a delivery log.
type DeliveryFilter struct {
	Status string // "" for any, else one of the Status constants
	Offset int
	Limit  int // default 50, at most 500
}

const deliveryColumns = `d.id, d.webhook_id, d.notification_id, n.kind, d.status, d.attempts, d.last_status_code,
	d.last_error, d.last_attempt_at, d.next_attempt_at, d.delivered_at, d.created_at`

const deliveryFrom = ` FROM webhook_deliveries d JOIN notifications n ON n.id = d.notification_id `

func scanDelivery(row interface{ Scan(...any) error }) (*Delivery, error) {
	var (
		d    Delivery
		code sql.NullInt64
	)
	if err := row.Scan(&d.ID, &d.WebhookID, &d.NotificationID, &d.Event, &d.Status, &d.Attempts, &code, &d.LastError,
		sqlite.NullTime(&d.LastAttemptAt), sqlite.NullTime(&d.NextAttemptAt), sqlite.NullTime(&d.DeliveredAt),
		sqlite.Time(&d.CreatedAt)); err != nil {
		return nil, err
	}
	if code.Valid {
		c := int(code.Int64)
		d.LastStatusCode = &c
	}
	return &d, nil
}

// FindDeliveries returns a webhook's delivery log, newest first, with the
// number of entries that match; for the same callers as CreateWebhook.
func (s *Service) FindDeliveries(ctx context.Context, webhookID int64, f DeliveryFilter) ([]*Delivery, int, error) {
	if _, err := makerhub.RequireUser(ctx); err != nil {
		return nil, 0, err
	}
	if _, err := s.authorizedWebhook(ctx, s.q(ctx), webhookID); err != nil {
		return nil, 0, err
	}
	switch f.Status {
	case "", StatusPending, StatusDelivered, StatusFailed:
	default:
		return nil, 0, makerhub.Errorf(makerhub.EINVALID, `status %q is not known: use "pending", "delivered" or "failed".`, f.Status)
	}
	var err error
	if f.Limit, err = makerhub.PageLimit(f.Offset, f.Limit, 50, 500); err != nil {
		return nil, 0, err
	}
	cond := `WHERE d.webhook_id = ?`
	args := []any{webhookID}
	if f.Status != "" {
		cond, args = cond+` AND d.status = ?`, append(args, f.Status)
	}
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM webhook_deliveries d `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+deliveryColumns+deliveryFrom+cond+` ORDER BY d.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, d)
	}
	return list, total, rows.Err()
}

// RetryDelivery starts a failed delivery over (due now, attempts from zero),
// for when a receiver that was down for hours is back. For the same callers
// as CreateWebhook; a delivery that is not failed is a conflict.
func (s *Service) RetryDelivery(ctx context.Context, id int64) (*Delivery, error) {
	if _, err := makerhub.RequireUser(ctx); err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Delivery, error) {
		tx := s.q(ctx)
		d, err := findDelivery(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if _, err := s.authorizedWebhook(ctx, tx, d.WebhookID); err != nil {
			return nil, err
		}
		if d.Status != StatusFailed {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Delivery %d is %s; only failed deliveries can be retried.", id, d.Status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?
		WHERE id = ?`, sqlite.FormatTime(s.now()), id); err != nil {
			return nil, err
		}
		if d, err = findDelivery(ctx, tx, id); err != nil {
			return nil, err
		}
		return d, nil
	})
}

func findDelivery(ctx context.Context, q sqlite.Queryer, id int64) (*Delivery, error) {
	d, err := scanDelivery(q.QueryRowContext(ctx, `SELECT `+deliveryColumns+deliveryFrom+`WHERE d.id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Delivery %d does not exist.", id)
	}
	return d, err
}

// Prune deletes delivered and failed deliveries created more than olderThan
// ago and returns how many. Pending deliveries are kept whatever their age.
// It authorizes nobody: it is for RunDispatcher and the operator. It deletes
// in small batches so that other writers are not held up.
func (s *Service) Prune(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := sqlite.FormatTime(s.now().Add(-olderThan))
	total := 0
	for {
		res, err := s.q(ctx).ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE id IN (
			SELECT id FROM webhook_deliveries WHERE status != 'pending' AND created_at < ? LIMIT 1000)`, cutoff)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += int(n)
		if n < 1000 {
			return total, nil
		}
	}
}

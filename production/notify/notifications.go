package notify

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Notification tells users of something that concerns them. It is addressed
// to a user, to an organisation (every user of the organisation sees it and
// the organisation's webhooks receive it), or to both.
type Notification struct {
	ID             int64  `json:"id"`
	OrganisationID *int64 `json:"organisation_id,omitempty"`
	UserID         *int64 `json:"user_id,omitempty"`
	Kind           string `json:"kind"`  // one of Kinds
	Title          string `json:"title"` // one line, at most 200 characters
	Body           string `json:"body"`  // plain text, at most 4,000 characters
	// Link is the hub's path to what the notification is about, such as
	// "/api/v1/jobs/12" (a path, so that a notification cannot send users
	// to another site).
	Link string `json:"link"`
	// Data is any JSON the kind defines for programs (IDs, quantities).
	Data      json.RawMessage `json:"data,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	// ReadAt is when the caller read it; absent while unread. Each user of
	// an organisation reads its notifications for themselves.
	ReadAt *time.Time `json:"read_at,omitempty"`
}

// Enqueue records n and one pending webhook delivery for each active webhook
// of n's organisation whose filter selects n.Kind. It runs in the caller's
// unit of work (the transaction ctx carries), so the notification exists exactly when the change it
// reports is committed; nothing is sent until the dispatcher finds the
// deliveries after that commit.
//
// A notification that breaks the rules (no addressee, unknown kind, empty
// title…) is a bug in the caller and returns an internal error.
func (s *Service) Enqueue(ctx context.Context, n Notification) error {
	return s.EnqueueMany(ctx, []Notification{n})
}

// EnqueueMany is Enqueue for several notifications, all or none: the first
// invalid one stops it before anything is written.
func (s *Service) EnqueueMany(ctx context.Context, ns []Notification) error {
	tx := s.q(ctx)
	for i := range ns {
		if err := normalise(&ns[i]); err != nil {
			return fmt.Errorf("notify: notification %d of %d: %w", i+1, len(ns), err)
		}
	}
	now := sqlite.FormatTime(s.now())
	for _, n := range ns {
		var data any
		if len(n.Data) > 0 {
			data = string(n.Data)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO notifications (organisation_id, user_id, kind, title, body, link, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.OrganisationID, n.UserID, n.Kind, n.Title, n.Body, n.Link, data, now)
		if err != nil {
			return fmt.Errorf("notify: insert notification: %w", err)
		}
		if n.OrganisationID == nil {
			continue
		}
		id, _ := res.LastInsertId()
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, notification_id, status, next_attempt_at, created_at)
			SELECT w.id, ?, 'pending', ?, ? FROM webhooks w
			WHERE w.organisation_id = ? AND w.active = 1
			AND EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value IN ('*', ?))`,
			id, now, now, *n.OrganisationID, n.Kind); err != nil {
			return fmt.Errorf("notify: insert webhook deliveries: %w", err)
		}
	}
	return nil
}

// normalise checks n as a caller built it and tidies its text.
func normalise(n *Notification) error {
	n.Title, n.Body, n.Link = strings.TrimSpace(n.Title), strings.TrimSpace(n.Body), strings.TrimSpace(n.Link)
	switch {
	case n.OrganisationID == nil && n.UserID == nil:
		return fmt.Errorf("no addressee: set OrganisationID, UserID or both")
	case !knownKind(n.Kind):
		return fmt.Errorf("kind %q is not one of %s", n.Kind, kindList())
	case n.Title == "" || utf8.RuneCountInString(n.Title) > 200 || strings.ContainsAny(n.Title, "\r\n"):
		return fmt.Errorf("title must be one line of 1 to 200 characters (it is %q)", n.Title)
	case utf8.RuneCountInString(n.Body) > 4000:
		return fmt.Errorf("body is %d characters long; the limit is 4000", utf8.RuneCountInString(n.Body))
	case !utf8.ValidString(n.Title) || !utf8.ValidString(n.Body):
		return fmt.Errorf("title and body must be valid UTF-8")
	case n.Link != "" && (!strings.HasPrefix(n.Link, "/") || strings.HasPrefix(n.Link, "//") || len(n.Link) > 2000):
		return fmt.Errorf("link %q must be a path on the hub, such as /api/v1/jobs/12", n.Link)
	}
	if len(n.Data) > 0 {
		var b bytes.Buffer
		if err := json.Compact(&b, n.Data); err != nil {
			return fmt.Errorf("data is not valid JSON: %w", err)
		}
		n.Data = b.Bytes()
	}
	return nil
}

// NotificationFilter selects the caller's notifications.
type NotificationFilter struct {
	UnreadOnly bool
	Offset     int
	Limit      int // default 50, at most 500
}

const notificationColumns = `n.id, n.organisation_id, n.user_id, n.kind, n.title, n.body, n.link, n.data, n.created_at`

// visibleTo is the condition for notifications addressed to user ? or to
// organisation ? (0 for a user without one, which matches nothing).
const visibleTo = `(n.user_id = ? OR n.organisation_id = ?)`

func scanNotification(row interface{ Scan(...any) error }, extra ...any) (*Notification, error) {
	var (
		n         Notification
		org, user sql.NullInt64
		data      sql.NullString
	)
	dest := append([]any{&n.ID, &org, &user, &n.Kind, &n.Title, &n.Body, &n.Link, &data, sqlite.Time(&n.CreatedAt)}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if org.Valid {
		n.OrganisationID = &org.Int64
	}
	if user.Valid {
		n.UserID = &user.Int64
	}
	if data.Valid {
		n.Data = json.RawMessage(data.String)
	}
	return &n, nil
}

// FindNotifications lists the notifications addressed to the acting user or
// to their organisation, newest first, with the number that match (with
// UnreadOnly: the number unread).
func (s *Service) FindNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, int, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit, err = makerhub.PageLimit(f.Offset, f.Limit, 50, 500); err != nil {
		return nil, 0, err
	}
	from := ` FROM notifications n LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.user_id = ?
		WHERE ` + visibleTo
	args := []any{u.ID, u.ID, u.OrganisationID()}
	if f.UnreadOnly {
		from += ` AND r.read_at IS NULL`
	}
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+notificationColumns+`, r.read_at`+from+` ORDER BY n.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*Notification{}
	for rows.Next() {
		var readAt *time.Time
		n, err := scanNotification(rows, sqlite.NullTime(&readAt))
		if err != nil {
			return nil, 0, err
		}
		n.ReadAt = readAt
		list = append(list, n)
	}
	return list, total, rows.Err()
}

// MarkRead marks a notification read for the acting user; marking it again
// keeps the first time. A notification addressed to someone else is
// reported as not found, so notification IDs reveal nothing.
func (s *Service) MarkRead(ctx context.Context, id int64) error {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return err
	}
	res, err := s.q(ctx).ExecContext(ctx, `INSERT OR IGNORE INTO notification_reads (notification_id, user_id, read_at)
		SELECT n.id, ?, ? FROM notifications n WHERE n.id = ? AND `+visibleTo,
		u.ID, sqlite.FormatTime(s.now()), id, u.ID, u.OrganisationID())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	// Nothing inserted: already read, or not the caller's to read.
	var one int
	err = s.q(ctx).QueryRowContext(ctx, `SELECT 1 FROM notifications n WHERE n.id = ? AND `+visibleTo,
		id, u.ID, u.OrganisationID()).Scan(&one)
	if sqlite.NoRows(err) {
		return makerhub.Errorf(makerhub.ENOTFOUND, "You have no notification %d.", id)
	}
	return err
}

// MarkAllRead marks every notification the acting user can see as read and
// returns how many were unread.
func (s *Service) MarkAllRead(ctx context.Context) (int, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return 0, err
	}
	res, err := s.q(ctx).ExecContext(ctx, `INSERT OR IGNORE INTO notification_reads (notification_id, user_id, read_at)
		SELECT n.id, ?, ? FROM notifications n WHERE `+visibleTo,
		u.ID, sqlite.FormatTime(s.now()), u.ID, u.OrganisationID())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

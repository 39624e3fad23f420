package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// The audit trail: every domain records its coordinators' actions here, in
// the unit of work of the action (so an entry exists exactly when the
// action was committed); nobody can change or remove one (the database's
// triggers refuse it). Coordinators read it.

// AuditEntry is one coordinator action.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id"`
	ActorName  string    `json:"actor_name"`
	Action     string    `json:"action"`      // such as "organisation.verify", "version.review"
	TargetType string    `json:"target_type"` // such as "organisation", "version", "job"
	TargetID   int64     `json:"target_id"`
	Summary    string    `json:"summary,omitempty"`
	Before     string    `json:"before,omitempty"` // JSON of the values before, when they changed
	After      string    `json:"after,omitempty"`  // JSON of the values after
}

// Audit records an action of the acting user if they are a coordinator
// (others' actions have their own histories: job and version events),
// in ctx's unit of work. before and after are any values, kept as JSON.
func (s *Service) Audit(ctx context.Context, action, targetType string, targetID int64, summary string, before, after any) error {
	u := makerhub.UserFromContext(ctx)
	if u == nil || u.Role != makerhub.RoleCoordinator {
		return nil
	}
	enc := func(v any) (string, error) {
		if v == nil {
			return "", nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	b, err := enc(before)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	a, err := enc(after)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	_, err = s.q(ctx).ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, summary, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sqlite.FormatTime(s.now()), u.ID, action, targetType, targetID, summary, b, a)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditFilter selects entries; zero fields select all.
type AuditFilter struct {
	ActorID    int64
	Action     string
	TargetType string
	TargetID   int64
	Since      time.Time // inclusive
	Until      time.Time // exclusive
	Offset     int
	Limit      int // default 100, at most 1000
}

// FindAudit lists entries, newest first, and how many match (coordinators).
func (s *Service) FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error) {
	if _, err := requireCoordinator(ctx, "read the audit log"); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.ActorID != 0 {
		add("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.TargetType != "" {
		add("target_type = ?", f.TargetType)
	}
	if f.TargetID != 0 {
		add("target_id = ?", f.TargetID)
	}
	if !f.Since.IsZero() {
		add("at >= ?", sqlite.FormatTime(f.Since))
	}
	if !f.Until.IsZero() {
		add("at < ?", sqlite.FormatTime(f.Until))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM audit_log`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := sqlite.Collect(func(row interface{ Scan(...any) error }) (*AuditEntry, error) {
		e := &AuditEntry{}
		return e, row.Scan(&e.ID, sqlite.Time(&e.At), &e.ActorID, &e.ActorName, &e.Action, &e.TargetType, &e.TargetID, &e.Summary, &e.Before, &e.After)
	})(s.q(ctx).QueryContext(ctx, `SELECT a.id, a.at, a.actor_id, COALESCE(u.name, ''), a.action, a.target_type, a.target_id, a.summary, a.before, a.after
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id`+cond+` ORDER BY a.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...))
	return list, total, err
}

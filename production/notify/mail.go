package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

var _ makerhub.Mailer = (*Service)(nil)

// MailOn reports whether the hub sends mail: its operator gave an SMTP
// server (--smtp-url).
func (s *Service) MailOn() bool { return s.smtp != nil }

// errMailOff is what a caller that needs mail hears when the hub sends
// none.
func errMailOff() error {
	return makerhub.Errorf(makerhub.EUNAVAILABLE, "This hub sends no e-mail: its operator has not set --smtp-url. Ask a coordinator.")
}

// Mail queues m in the caller's unit of work; RunMailer sends it once that
// commits. A message that breaks the rules (no address, no subject, no
// text) is a bug in the caller and returns an internal error.
func (s *Service) Mail(ctx context.Context, m makerhub.Mail) error {
	if s.smtp == nil {
		return errMailOff()
	}
	m.Subject, m.Text = strings.TrimSpace(m.Subject), strings.TrimSpace(m.Text)
	a, err := netmail.ParseAddress(m.To)
	switch {
	case err != nil || a.Address != m.To:
		return fmt.Errorf("notify: mail to %q: not an address", m.To)
	case m.Kind == "" || m.Text == "":
		return fmt.Errorf("notify: mail to %s: kind and text are required", m.To)
	case m.Subject == "" || utf8.RuneCountInString(m.Subject) > 200 || strings.ContainsAny(m.Subject, "\r\n"):
		return fmt.Errorf("notify: mail to %s: subject must be one line of 1 to 200 characters (it is %q)", m.To, m.Subject)
	}
	raw := make([]byte, 12)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	domain := s.smtp.from[strings.LastIndexByte(s.smtp.from, '@')+1:]
	domain = strings.TrimSuffix(domain, ">")
	messageID := fmt.Sprintf("%s@%s", hex.EncodeToString(raw), domain)
	var user any
	if m.UserID != 0 {
		user = m.UserID
	}
	now := sqlite.FormatTime(s.now())
	_, err = s.q(ctx).ExecContext(ctx, `INSERT INTO mail_messages (to_address, user_id, kind, subject, text_body, html_body, message_id,
		next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.To, user, m.Kind, m.Subject, m.Text, m.HTML, messageID, now, now)
	if err != nil {
		return fmt.Errorf("notify: queue mail: %w", err)
	}
	return nil
}

// MailMessage is one message of the outbox, as the delivery log shows it.
type MailMessage struct {
	ID          int64      `json:"id"`
	To          string     `json:"to"`
	UserID      *int64     `json:"user_id,omitempty"`
	Kind        string     `json:"kind"`
	Subject     string     `json:"subject"`
	MessageID   string     `json:"message_id"`
	Status      string     `json:"status"` // pending, sent or failed
	Attempts    int        `json:"attempts"`
	NextAttempt *time.Time `json:"next_attempt_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
}

// FindMail lists the outbox, newest first, to coordinators: what was sent
// to whom, what waits and why.
func (s *Service) FindMail(ctx context.Context, offset, limit int) ([]*MailMessage, int, error) {
	if _, err := makerhub.RequireRole(ctx, "coordinators read the mail log", makerhub.RoleCoordinator); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM mail_messages`).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := sqlite.Collect(func(row interface{ Scan(...any) error }) (*MailMessage, error) {
		m := &MailMessage{}
		return m, row.Scan(&m.ID, &m.To, &m.UserID, &m.Kind, &m.Subject, &m.MessageID, &m.Status, &m.Attempts,
			sqlite.NullTime(&m.NextAttempt), &m.LastError, sqlite.Time(&m.CreatedAt), sqlite.NullTime(&m.SentAt))
	})(s.q(ctx).QueryContext(ctx, `SELECT id, to_address, user_id, kind, subject, message_id, status, attempts,
		next_attempt_at, last_error, created_at, sent_at FROM mail_messages ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset))
	return list, total, err
}

package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/makerhub/makerhub/internal/sqlite"
)

// outgoing is a message this sender holds the lease on.
type outgoing struct {
	id                                 int64
	to, subject, text, html, messageID string
	attempts                           int
	token                              string
}

// RunMailer sends due mail until ctx is done, looking for it every
// PollInterval (at once again after a full batch). Like webhook deliveries,
// messages are claimed with a lease, so several senders never send one at
// once, and a message whose sender died is sent again once its lease
// lapses, with the same Message-ID.
func (s *Service) RunMailer(ctx context.Context) {
	if s.smtp == nil {
		return
	}
	s.poll(ctx, "mail", s.SendDueMail, nil)
}

// SendDueMail claims up to BatchSize due messages, sends them one after
// another and records each outcome. It returns how many it claimed.
func (s *Service) SendDueMail(ctx context.Context) (int, error) {
	if s.smtp == nil {
		return 0, nil
	}
	batch, err := s.claimMail(ctx)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	client, err := s.smtp.client()
	if err != nil {
		return 0, fmt.Errorf("mail client for %s: %w", s.smtp, err)
	}
	var errs []error
	for _, m := range batch {
		problem := ""
		if ctx.Err() == nil {
			problem = s.sendMail(ctx, client, m)
		}
		// Record even when ctx has ended, so that the lease is released.
		if err := s.recordMail(context.WithoutCancel(ctx), m, problem, ctx.Err() != nil); err != nil {
			errs = append(errs, fmt.Errorf("mail %d: %w", m.id, err))
		}
	}
	return len(batch), errors.Join(errs...)
}

// mailLease is how long a claim holds a batch: each message may take the
// client's timeout to connect and as long again to send.
func (s *Service) mailLease() time.Duration {
	return time.Duration(s.batchSize)*2*s.smtp.timeout + time.Minute
}

// claimMail leases due messages in one short write transaction; no SMTP
// conversation happens while SQLite's write lock is held.
func (s *Service) claimMail(ctx context.Context) ([]outgoing, error) {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	token := hex.EncodeToString(raw)
	now := s.now()
	nowText := sqlite.FormatTime(now)
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) ([]outgoing, error) {
		// A sender that stopped during the last allowed attempt left the
		// message leased and pending: it has had its attempts.
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE mail_messages SET status = 'failed', next_attempt_at = NULL,
			lease_token = NULL, lease_until = NULL,
			last_error = CASE WHEN last_error = '' THEN 'the last attempt was interrupted' ELSE last_error END
			WHERE status = 'pending' AND attempts >= ? AND (lease_until IS NULL OR lease_until <= ?)`, s.maxAttempts, nowText); err != nil {
			return nil, fmt.Errorf("fail exhausted mail: %w", err)
		}
		return sqlite.Collect(func(row interface{ Scan(...any) error }) (outgoing, error) {
			m := outgoing{token: token}
			return m, row.Scan(&m.id, &m.to, &m.subject, &m.text, &m.html, &m.messageID, &m.attempts)
		})(s.q(ctx).QueryContext(ctx, `UPDATE mail_messages SET lease_token = ?, lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM mail_messages WHERE status = 'pending' AND next_attempt_at <= ?
				AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING id, to_address, subject, text_body, html_body, message_id, attempts`,
			token, sqlite.FormatTime(now.Add(s.mailLease())), nowText, nowText, s.batchSize))
	})
}

// sendMail makes one attempt and says what went wrong ("" when sent).
func (s *Service) sendMail(ctx context.Context, client *gomail.Client, m outgoing) string {
	msg := gomail.NewMsg()
	if err := msg.From(s.smtp.from); err != nil {
		return "the From address is refused: " + err.Error()
	}
	if err := msg.To(m.to); err != nil {
		return "the address is refused: " + err.Error()
	}
	msg.Subject(m.subject)
	msg.SetMessageIDWithValue(m.messageID)
	msg.SetDate()
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.text)
	if m.html != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.html)
	}
	sendCtx, cancel := context.WithTimeout(ctx, 2*s.smtp.timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(sendCtx, msg); err != nil {
		p := err.Error()
		if len(p) > 500 {
			p = p[:500]
		}
		return fmt.Sprintf("%s: %s", s.smtp, p)
	}
	return ""
}

// recordMail writes an attempt's outcome if this sender still holds the
// lease: sent; given back (interrupted: the attempt does not count); failed
// after the last attempt; or due again after the backoff.
func (s *Service) recordMail(ctx context.Context, m outgoing, problem string, interrupted bool) error {
	now := s.now()
	var err error
	switch {
	case interrupted:
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE mail_messages SET attempts = attempts - 1, lease_token = NULL, lease_until = NULL
			WHERE id = ? AND lease_token = ?`, m.id, m.token)
	case problem == "":
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE mail_messages SET status = 'sent', sent_at = ?, next_attempt_at = NULL,
			last_error = '', lease_token = NULL, lease_until = NULL WHERE id = ? AND lease_token = ?`, sqlite.FormatTime(now), m.id, m.token)
	case m.attempts >= s.maxAttempts:
		s.log.Warn("mail failed", "mail", m.id, "attempts", m.attempts, "problem", problem)
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE mail_messages SET status = 'failed', next_attempt_at = NULL, last_error = ?,
			lease_token = NULL, lease_until = NULL WHERE id = ? AND lease_token = ?`, problem, m.id, m.token)
	default:
		next := now.Add(s.backoff(m.attempts))
		s.log.Debug("mail attempt failed", "mail", m.id, "attempts", m.attempts, "problem", problem, "next", next)
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE mail_messages SET next_attempt_at = ?, last_error = ?,
			lease_token = NULL, lease_until = NULL WHERE id = ? AND lease_token = ?`, sqlite.FormatTime(next), problem, m.id, m.token)
	}
	return err
}

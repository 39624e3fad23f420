package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Password recovery: a person who forgot their password asks for a link by
// e-mail; the link, valid for ResetValidity and good once, sets a new
// password and ends every session. Asking never reveals whether an
// account has the address: the answer is the same, and takes as long.

// ResetValidity is how long a reset link works.
const ResetValidity = time.Hour

// resetFloor is the least time asking for a link takes, whether an account
// has the address or not: queuing a message takes a write that an unknown
// address skips, and the difference would tell who has an account.
const resetFloor = 250 * time.Millisecond

// resetPrefix starts reset tokens, so that one is never mistaken for a
// session token.
const resetPrefix = "mhr_"

// ResetMail writes the message that carries a reset link, in the language
// of the person who asked: the web layer, which holds the catalogues,
// supplies it. name is the account's name; valid how long the link works.
type ResetMail func(name, link string, valid time.Duration) makerhub.Mail

// UseMailer gives the service the mail outbox it sends links through;
// call it before serving. Without one, asking for a link is refused.
func (s *Service) UseMailer(m makerhub.Mailer) { s.mailer = m }

// RequestPasswordReset e-mails a reset link to the account with this
// address, if there is one; the answer is the same either way. baseURL is
// the hub's public address (--public-url): links are never built from a
// request's Host header, which a client chooses. Requests are limited per
// client IP like logins, and an address gets at most a few links an hour
// (more are dropped, silently, so that nobody can flood an inbox).
func (s *Service) RequestPasswordReset(ctx context.Context, email, baseURL, clientIP string, compose ResetMail) error {
	start := time.Now()
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 {
		return makerhub.Errorf(makerhub.EINVALID, "email %q is not a valid email address (expected name@example.org).", email)
	}
	if err := s.mayMailLinks(baseURL); err != nil {
		return err
	}
	now := s.now()
	if ok, retry := s.byIP.take(clientIP, now); !ok {
		e := makerhub.Errorf(makerhub.ERATELIMITED, "Too many login attempts from your network: try again in %d seconds.", int(retry.Seconds()))
		e.RetryAfter = retry
		return e
	}
	defer func() { time.Sleep(time.Until(start.Add(resetFloor))) }()
	var id int64
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, email).Scan(&id)
	if sqlite.NoRows(err) {
		return nil
	} else if err != nil {
		return err
	}
	if ok, _ := s.resets.take(email, now); !ok {
		return nil
	}
	return s.sendReset(ctx, id, 0, baseURL, compose)
}

// SendPasswordReset e-mails a reset link to a person (coordinators), for
// someone locked out who asks a coordinator for help.
func (s *Service) SendPasswordReset(ctx context.Context, userID int64, baseURL string, compose ResetMail) error {
	u, err := requireCoordinator(ctx, "send password reset links")
	if err != nil {
		return err
	}
	if err := s.mayMailLinks(baseURL); err != nil {
		return err
	}
	if _, err := findUserByID(ctx, s.q(ctx), userID); err != nil {
		return err
	}
	return s.sendReset(ctx, userID, u.ID, baseURL, compose)
}

// mayMailLinks says why the hub cannot mail links, if it cannot.
func (s *Service) mayMailLinks(baseURL string) error {
	if s.mailer == nil || !s.mailer.MailOn() {
		return makerhub.Errorf(makerhub.EUNAVAILABLE, "This hub sends no e-mail (its operator has not set --smtp-url), so it cannot send a reset link: ask a coordinator for help.")
	}
	if baseURL == "" {
		return makerhub.Errorf(makerhub.EUNAVAILABLE, "This hub does not know its public address (--public-url), so it cannot send links: ask its operator to set it.")
	}
	return nil
}

// sendReset stores a new link for userID and queues its message, in one
// unit of work.
func (s *Service) sendReset(ctx context.Context, userID, by int64, baseURL string, compose ResetMail) error {
	token, err := newSecret(resetPrefix)
	if err != nil {
		return err
	}
	now := s.now()
	var creator any
	if by != 0 {
		creator = by
	}
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		u, err := findUserByID(ctx, s.q(ctx), userID)
		if err != nil {
			return err
		}
		if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO password_resets (user_id, token_hash, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, userID, hashSecret(token), creator, sqlite.FormatTime(now), sqlite.FormatTime(now.Add(ResetValidity))); err != nil {
			return fmt.Errorf("store reset link: %w", err)
		}
		if by != 0 {
			if err := s.Audit(ctx, "user.password_reset_sent", "user", userID, u.Email, nil, nil); err != nil {
				return err
			}
		}
		m := compose(u.Name, strings.TrimSuffix(baseURL, "/")+"/password-reset/confirm?token="+token, ResetValidity)
		m.To, m.UserID, m.Kind = u.Email, u.ID, "password_reset"
		return s.mailer.Mail(ctx, m)
	})
}

// PasswordReset is what a person sends from a reset link.
type PasswordReset struct {
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

// ConfirmPasswordReset sets a new password from a reset link and ends
// every session of the person's (API tokens stay: they were made on
// purpose, and are revoked one by one). A link works once, within
// ResetValidity; a used, expired or mistyped one changes nothing and says
// which it is.
func (s *Service) ConfirmPasswordReset(ctx context.Context, in PasswordReset) error {
	in.Token = strings.TrimSpace(in.Token)
	if !wellFormed(in.Token, resetPrefix) {
		return makerhub.Errorf(makerhub.EINVALID, "This is not a password reset link of this hub: copy the whole link from the e-mail, or ask for a new one.")
	}
	if n := utf8.RuneCountInString(in.NewPassword); n < MinPasswordLength {
		return makerhub.Errorf(makerhub.EINVALID, "new_password must be at least %d characters long (it has %d).", MinPasswordLength, n)
	}
	if len(in.NewPassword) > MaxPasswordLength {
		return makerhub.Errorf(makerhub.EINVALID, "new_password must be at most %d bytes long.", MaxPasswordLength)
	}
	hash, err := s.hasher.hash(ctx, in.NewPassword)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		var id, userID int64
		var expires time.Time
		var used *time.Time
		err := s.q(ctx).QueryRowContext(ctx, `SELECT id, user_id, expires_at, used_at FROM password_resets WHERE token_hash = ?`,
			hashSecret(in.Token)).Scan(&id, &userID, sqlite.Time(&expires), sqlite.NullTime(&used))
		now := s.now()
		switch {
		case sqlite.NoRows(err):
			return makerhub.Errorf(makerhub.EINVALID, "This is not a password reset link of this hub: copy the whole link from the e-mail, or ask for a new one.")
		case err != nil:
			return err
		case used != nil:
			return makerhub.Errorf(makerhub.ECONFLICT, "This reset link was used already: each works once. Log in with the password you set then, or ask for a new link.")
		case !now.Before(expires):
			return makerhub.Errorf(makerhub.EINVALID, "This reset link has expired: links work for %d minutes after they are sent. Ask for a new one.", int(ResetValidity.Minutes()))
		}
		at := sqlite.FormatTime(now)
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE id = ?`, at, id); err != nil {
			return err
		}
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID); err != nil {
			return err
		}
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND kind = 'session' AND revoked_at IS NULL`,
			at, userID); err != nil {
			return err
		}
		sqlite.AfterCommit(ctx, s.db, s.auth.clear)
		return nil
	})
}

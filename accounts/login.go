package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Credentials are what a user logs in with.
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Session is the result of a login: a token for the Authorization header and
// the web cookie, when it expires, and who it belongs to.
type Session struct {
	Token     string         `json:"token"`
	TokenID   int64          `json:"-"`
	ExpiresAt time.Time      `json:"expires_at"`
	User      *makerhub.User `json:"user"`
}

// Login checks credentials and opens a session. Attempts are limited per
// client IP and failures per account (ERATELIMITED with RetryAfter). A wrong
// email and a wrong password get the same answer and take as long, so the
// login form does not reveal who has an account.
func (s *Service) Login(ctx context.Context, c Credentials, clientIP string) (*Session, error) {
	email := strings.ToLower(strings.TrimSpace(c.Email))
	if email == "" || c.Password == "" {
		return nil, makerhub.Errorf(makerhub.EINVALID, "email and password are required.")
	}
	if len(c.Password) > MaxPasswordLength {
		return nil, makerhub.Errorf(makerhub.EINVALID, "password must be at most %d bytes long.", MaxPasswordLength)
	}
	now := s.now()
	if ok, retry := s.byIP.take(clientIP, now); !ok {
		e := makerhub.Errorf(makerhub.ERATELIMITED, "Too many login attempts from your network: try again in %d seconds.", int(retry.Seconds()))
		e.RetryAfter = retry
		return nil, e
	}
	if retry := s.byAccount.wait(email, now); retry > 0 {
		e := makerhub.Errorf(makerhub.ERATELIMITED, "Too many failed logins for this account: try again in %d seconds.", int(retry.Seconds()))
		e.RetryAfter = retry
		return nil, e
	}

	var id int64
	var hash string
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id, password_hash FROM users WHERE email = ?`, email).Scan(&id, &hash)
	if sqlite.NoRows(err) {
		hash = s.dummyHash
	} else if err != nil {
		return nil, err
	}
	ok, err := s.hasher.verify(ctx, c.Password, hash)
	if err != nil {
		return nil, fmt.Errorf("verify password of user %d: %w", id, err)
	}
	if !ok || id == 0 {
		s.byAccount.take(email, now)
		return nil, makerhub.Errorf(makerhub.EUNAUTHORIZED, "The email or password is incorrect.")
	}

	u, err := findUserByID(ctx, s.q(ctx), id)
	if err != nil {
		return nil, err
	}
	if u.Suspension != nil {
		return nil, errSuspended(u)
	}
	t, err := s.issueToken(ctx, u.ID, TokenSession, "login", s.sessionTTL)
	if err != nil {
		return nil, err
	}
	return &Session{Token: t.Secret, TokenID: t.ID, ExpiresAt: *t.ExpiresAt, User: u}, nil
}

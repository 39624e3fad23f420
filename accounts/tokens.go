package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Token kinds: a session comes from a login (and backs the web cookie); an API
// token is created by its user for scripts and other tools.
const (
	TokenSession = "session"
	TokenAPI     = "api"
)

// tokenPrefix marks makerhub secrets so that secret scanners and people can
// recognise a leaked one.
const tokenPrefix = "mh_"

// Token is a credential's metadata; the secret is shown once, at creation.
type Token struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// NewAPIToken describes an API token to create.
type NewAPIToken struct {
	Name string `json:"name"`
	// ExpiresInDays is the token's lifetime: 1 to 3650 days, default 90.
	ExpiresInDays *int `json:"expires_in_days"`
}

// CreatedToken is a new token with its secret, which the hub never shows
// again (only its SHA-256 is stored).
type CreatedToken struct {
	Token
	Secret string `json:"token"`
}

// CreateToken creates an API token for the acting user.
func (s *Service) CreateToken(ctx context.Context, in NewAPIToken) (*CreatedToken, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if err := checkText("name", in.Name, 100); err != nil {
		return nil, err
	}
	days := 90
	if in.ExpiresInDays != nil {
		days = *in.ExpiresInDays
		if days < 1 || days > 3650 {
			return nil, makerhub.Errorf(makerhub.EINVALID, "expires_in_days must be between 1 and 3650 (it is %d).", days)
		}
	}
	return s.issueToken(ctx, u.ID, TokenAPI, in.Name, time.Duration(days)*24*time.Hour)
}

// issueToken stores a new token for userID and returns it with its secret.
func (s *Service) issueToken(ctx context.Context, userID int64, kind, name string, ttl time.Duration) (*CreatedToken, error) {
	secret, err := newSecret(tokenPrefix)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	expires := now.Add(ttl)
	res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO tokens (user_id, kind, name, hash, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, userID, kind, name, hashSecret(secret), sqlite.FormatTime(now), sqlite.FormatTime(expires))
	if err != nil {
		return nil, fmt.Errorf("insert token: %w", err)
	}
	id, _ := res.LastInsertId()
	return &CreatedToken{Token: Token{ID: id, Kind: kind, Name: name, CreatedAt: now, ExpiresAt: &expires}, Secret: secret}, nil
}

// newSecret returns prefix and 32 random bytes in base64url: a session or
// API token, a reset link's or an invitation's token. The prefix tells
// them apart, so that one kind is never taken for another.
func newSecret(prefix string) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(raw), nil
}

// wellFormed reports whether secret could be one newSecret(prefix) made.
func wellFormed(secret, prefix string) bool {
	return strings.HasPrefix(secret, prefix) && len(secret) == len(prefix)+43
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// FindTokens lists the acting user's live tokens (sessions and API tokens),
// newest first.
func (s *Service) FindTokens(ctx context.Context) ([]*Token, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, kind, name, created_at, expires_at, last_used_at FROM tokens
		WHERE user_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
		ORDER BY id DESC`, u.ID, sqlite.FormatTime(s.now()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tokens := []*Token{}
	for rows.Next() {
		var t Token
		if err := rows.Scan(&t.ID, &t.Kind, &t.Name, sqlite.Time(&t.CreatedAt),
			sqlite.NullTime(&t.ExpiresAt), sqlite.NullTime(&t.LastUsedAt)); err != nil {
			return nil, err
		}
		tokens = append(tokens, &t)
	}
	return tokens, rows.Err()
}

// RevokeToken revokes one of the acting user's tokens; from then on it
// authenticates nobody. Another user's token is reported as not found, so
// token IDs reveal nothing.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return err
	}
	res, err := s.q(ctx).ExecContext(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`,
		sqlite.FormatTime(s.now()), id, u.ID)
	s.auth.clear() // after the write; a lookup that read the row before it stores nothing (generation)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return makerhub.Errorf(makerhub.ENOTFOUND, "You have no token %d.", id)
	}
	return nil
}

// Authenticate returns the user a secret belongs to and the token's ID, or
// EUNAUTHORIZED saying why the secret is not accepted.
func (s *Service) Authenticate(ctx context.Context, secret string) (*makerhub.User, int64, error) {
	if !wellFormed(secret, tokenPrefix) {
		return nil, 0, makerhub.Errorf(makerhub.EUNAUTHORIZED, "The token is malformed: makerhub tokens start with %q; log in again or create an API token.", tokenPrefix)
	}
	hash := hashSecret(secret)
	now := s.now()
	if u, id, ok := s.auth.get(hash, now); ok {
		return u, id, nil
	}
	gen := s.auth.generation()
	var (
		tokenID          int64
		expires, revoked *time.Time
		lastUsed         *time.Time
	)
	// One query for the token and its user: it runs on every API call
	// the cache does not answer.
	u, err := scanUser(prefixScan{s.q(ctx).QueryRowContext(ctx, `SELECT t.id, t.expires_at, t.revoked_at, t.last_used_at, `+userColumns+`
		FROM tokens t JOIN users u ON u.id = t.user_id LEFT JOIN organisations o ON o.id = u.organisation_id WHERE t.hash = ?`,
		hash), []any{&tokenID, sqlite.NullTime(&expires), sqlite.NullTime(&revoked), sqlite.NullTime(&lastUsed)}})
	switch {
	case sqlite.NoRows(err):
		return nil, 0, makerhub.Errorf(makerhub.EUNAUTHORIZED, "The token is not valid: log in again or create a new API token.")
	case err != nil:
		return nil, 0, err
	case revoked != nil:
		return nil, 0, makerhub.Errorf(makerhub.EUNAUTHORIZED, "The token was revoked: log in again or create a new API token.")
	case expires != nil && !now.Before(*expires):
		return nil, 0, makerhub.Errorf(makerhub.EUNAUTHORIZED, "The token expired at %s: log in again or create a new API token.", expires.Format(time.RFC3339))
	case u.Suspension != nil:
		return nil, 0, errSuspended(u)
	}
	// Record use at most once a minute: a write per request would queue
	// every read behind SQLite's single writer.
	if lastUsed == nil || now.Sub(*lastUsed) > time.Minute {
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, sqlite.FormatTime(now), tokenID); err != nil {
			return nil, 0, fmt.Errorf("record token use: %w", err)
		}
	}
	s.auth.put(gen, hash, u, tokenID, expires, now)
	return u, tokenID, nil
}

// prefixScan scans its first columns into prefix and the rest with the
// caller's Scan, so that one row can feed two scanners.
type prefixScan struct {
	row    interface{ Scan(...any) error }
	prefix []any
}

func (p prefixScan) Scan(dest ...any) error { return p.row.Scan(append(p.prefix, dest...)...) }

package accounts

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// PasswordChange is what a person sends to change their password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// ChangePassword sets the acting user's password after checking the
// current one, and revokes the user's other sessions: a password changed
// because it leaked must end the sessions opened with it. The session the
// change comes from (keep, its token ID; 0 for none) stays open, and so do
// API tokens, which the person created on purpose and revokes one by one.
// Wrong current passwords count as failed logins of the account, so a
// stolen session cannot be used to guess the password.
func (s *Service) ChangePassword(ctx context.Context, keep int64, in PasswordChange) error {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return err
	}
	if in.CurrentPassword == "" {
		return makerhub.Errorf(makerhub.EINVALID, "current_password is required: the password you log in with now.")
	}
	if n := utf8.RuneCountInString(in.NewPassword); n < MinPasswordLength {
		return makerhub.Errorf(makerhub.EINVALID, "new_password must be at least %d characters long (it has %d).", MinPasswordLength, n)
	}
	if len(in.NewPassword) > MaxPasswordLength {
		return makerhub.Errorf(makerhub.EINVALID, "new_password must be at most %d bytes long.", MaxPasswordLength)
	}
	if len(in.CurrentPassword) > MaxPasswordLength {
		return makerhub.Errorf(makerhub.EINVALID, "current_password must be at most %d bytes long.", MaxPasswordLength)
	}
	now := s.now()
	if retry := s.byAccount.wait(u.Email, now); retry > 0 {
		e := makerhub.Errorf(makerhub.ERATELIMITED, "Too many failed logins for this account: try again in %d seconds.", int(retry.Seconds()))
		e.RetryAfter = retry
		return e
	}
	var hash string
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&hash); err != nil {
		return err
	}
	ok, err := s.hasher.verify(ctx, in.CurrentPassword, hash)
	if err != nil {
		return fmt.Errorf("verify password of user %d: %w", u.ID, err)
	}
	if !ok {
		s.byAccount.take(u.Email, now)
		return makerhub.Errorf(makerhub.EFORBIDDEN, "current_password is not your password: nothing was changed.")
	}
	newHash, err := s.hasher.hash(ctx, in.NewPassword)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		at := sqlite.FormatTime(s.now())
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, newHash, u.ID); err != nil {
			return err
		}
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND kind = 'session'
			AND revoked_at IS NULL AND id != ?`, at, u.ID, keep); err != nil {
			return err
		}
		sqlite.AfterCommit(ctx, s.db, s.auth.clear) // revoked sessions must not be served from the cache
		return nil
	})
}

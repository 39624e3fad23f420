package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// SuspendHook runs inside the unit of work that suspends a person, as the
// coordinator: production gives the person's claimed jobs back to the
// pool there, so that a suspension and its consequences are one change.
type SuspendHook func(ctx context.Context, userID int64) error

// OnSuspend adds a hook suspensions run; call it before serving.
func (s *Service) OnSuspend(h SuspendHook) { s.onSuspend = append(s.onSuspend, h) }

// errSuspended is what a suspended person hears when they log in or use a
// token.
func errSuspended(u *makerhub.User) error {
	return makerhub.Errorf(makerhub.EUNAUTHORIZED, "Your account was suspended by a coordinator on %s: %s. Ask a coordinator to reinstate it.",
		u.Suspension.At.Format(time.DateOnly), u.Suspension.Reason)
}

// SuspendUser suspends a person (coordinators), with a reason they are
// told: their sessions and API tokens stop working at once, their claimed
// jobs go back to the pool (SuspendHook), nothing they made is deleted, and
// their address stays taken. A coordinator cannot suspend themselves.
func (s *Service) SuspendUser(ctx context.Context, id int64, reason string) (*makerhub.User, error) {
	c, err := requireCoordinator(ctx, "suspend accounts")
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, makerhub.Errorf(makerhub.EINVALID, "reason is required: say why, for the person and the other coordinators.")
	}
	if err := checkText("reason", reason, 500); err != nil {
		return nil, err
	}
	if id == c.ID {
		return nil, makerhub.Errorf(makerhub.ECONFLICT, "You cannot suspend your own account.")
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*makerhub.User, error) {
		u, err := findUserByID(ctx, s.q(ctx), id)
		if err != nil {
			return nil, err
		}
		if u.Suspension != nil {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "User %d is suspended already (since %s): reinstate them first to change the reason.",
				id, u.Suspension.At.Format(time.DateOnly))
		}
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE users SET suspended_at = ?, suspended_by = ?, suspended_reason = ? WHERE id = ?`,
			sqlite.FormatTime(s.now()), c.ID, reason, id); err != nil {
			return nil, err
		}
		if err := s.Audit(ctx, "user.suspend", "user", id, u.Email, nil, map[string]string{"reason": reason}); err != nil {
			return nil, err
		}
		for _, h := range s.onSuspend {
			if err := h(ctx, id); err != nil {
				return nil, err
			}
		}
		sqlite.AfterCommit(ctx, s.db, s.auth.clear) // cached tokens of the person must stop at once
		return findUserByID(ctx, s.q(ctx), id)
	})
}

// ReinstateUser lifts a suspension (coordinators): the person's sessions
// and API tokens work again; jobs that went back to the pool stay there.
func (s *Service) ReinstateUser(ctx context.Context, id int64) (*makerhub.User, error) {
	if _, err := requireCoordinator(ctx, "reinstate accounts"); err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*makerhub.User, error) {
		u, err := findUserByID(ctx, s.q(ctx), id)
		if err != nil {
			return nil, err
		}
		if u.Suspension == nil {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "User %d is not suspended.", id)
		}
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE users SET suspended_at = NULL, suspended_by = NULL, suspended_reason = '' WHERE id = ?`, id); err != nil {
			return nil, err
		}
		if err := s.Audit(ctx, "user.reinstate", "user", id, u.Email, u.Suspension, nil); err != nil {
			return nil, err
		}
		sqlite.AfterCommit(ctx, s.db, s.auth.clear)
		return findUserByID(ctx, s.q(ctx), id)
	})
}

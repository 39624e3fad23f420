// Package accounts manages who uses the hub: organisations (hospitals and
// maker groups), users and their roles, passwords, login sessions and API
// tokens. It decides what each caller may do with accounts; handlers only
// pass the acting user in the context (makerhub.NewContextWithUser).
package accounts

import (
	"context"
	"database/sql"
	"runtime"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Options configure a Service. The zero value of each field means its default.
type Options struct {
	// Now is the clock; tests replace it to move time forward.
	Now func() time.Time
	// SessionTTL is how long a login session lasts (default 30 days).
	SessionTTL time.Duration
	// Password are the argon2id costs for new hashes (default
	// DefaultPasswordParams).
	Password PasswordParams
	// Login limits failed logins (default DefaultLoginLimits). A burst of
	// -1 turns that limit off, for load tests against one loopback IP.
	Login LoginLimits
}

// Service is the accounts domain service over the hub's SQLite database.
type Service struct {
	db         *sql.DB
	now        func() time.Time
	sessionTTL time.Duration
	hasher     *hasher
	byAccount  *limiterSet
	byIP       *limiterSet
	resets     *limiterSet // reset links per address: a few at once, then one every 20 minutes
	mailer     makerhub.Mailer
	onSuspend  []SuspendHook
	auth       authCache
	// dummyHash is verified against when an email is unknown, so that a
	// login takes as long whether or not the account exists.
	dummyHash string
}

// New returns a Service using db, whose schema must be migrated.
func New(db *sql.DB, opts Options) (*Service, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 30 * 24 * time.Hour
	}
	if opts.Password == (PasswordParams{}) {
		opts.Password = DefaultPasswordParams()
	}
	if opts.Login == (LoginLimits{}) {
		opts.Login = DefaultLoginLimits()
	}
	s := &Service{
		db:         db,
		now:        opts.Now,
		sessionTTL: opts.SessionTTL,
		hasher:     newHasher(opts.Password, runtime.GOMAXPROCS(0)),
		byAccount:  newLimiterSet(opts.Login.AccountBurst, opts.Login.AccountInterval),
		byIP:       newLimiterSet(opts.Login.IPBurst, opts.Login.IPInterval),
		resets:     newLimiterSet(3, 20*time.Minute),
	}
	var err error
	if s.dummyHash, err = s.hasher.hash(context.Background(), "not a real password"); err != nil {
		return nil, err
	}
	return s, nil
}

// requireCoordinator returns the acting user if a coordinator.
func requireCoordinator(ctx context.Context, action string) (*makerhub.User, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != makerhub.RoleCoordinator {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Only coordinators can %s.", action)
	}
	return u, nil
}

// q is where ctx's statements go: its unit of work, or the database.
func (s *Service) q(ctx context.Context) sqlite.Queryer { return sqlite.Q(ctx, s.db) }

package notify

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Kinds of notification. Webhooks filter on them, so Enqueue accepts only
// these; a domain that needs a new kind adds it here.
const (
	KindJobOffered           = "job.offered"           // a job is offered to a maker
	KindLeaseExpiring        = "lease.expiring"        // a maker's claim on a job is about to lapse
	KindRequestAllocated     = "request.allocated"     // a hospital's request was routed to makers
	KindRequestUnallocatable = "request.unallocatable" // routing could not place (part of) a request
	KindRecall               = "recall"                // a withdrawn design version affects batches, stock or shipments
	KindFilamentLow          = "filament.low"          // a maker's spool is low, or their spools will not finish their jobs
)

// Kinds lists the known kinds in display order. The slice is the caller's
// own copy.
func Kinds() []string {
	return []string{KindJobOffered, KindLeaseExpiring, KindRequestAllocated, KindRequestUnallocatable, KindRecall, KindFilamentLow}
}

// AllEvents in a webhook's event filter selects every kind, including kinds
// added later.
const AllEvents = "*"

// Defaults for Options.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxAttempts  = 10
	DefaultPollInterval = 2 * time.Second
	DefaultBatchSize    = 50
	DefaultConcurrency  = 8
	DefaultRetention    = 30 * 24 * time.Hour
)

// Options configure a Service. The zero value of each field means its default.
type Options struct {
	// Now is the clock; tests replace it to move time forward.
	Now func() time.Time
	// Client sends webhooks. The default refuses to connect to loopback,
	// private and link-local addresses (unless AllowPrivateNetworks), does
	// not follow redirects and ignores proxy settings. A client given here
	// is used as it is.
	Client *http.Client
	// AllowPrivateNetworks lets webhooks point at loopback, private and
	// link-local addresses: for a hub whose chat bridge runs on its own
	// network, and for tests. Off by default, because any maker can create
	// a webhook and the hub would otherwise probe its own network for them.
	AllowPrivateNetworks bool
	// Timeout bounds each webhook request, from connecting to reading the
	// answer (default 10 s).
	Timeout time.Duration
	// MaxAttempts is how many times a delivery is tried before it is marked
	// failed (default 10).
	MaxAttempts int
	// Backoff gives the wait after the nth failed attempt (n ≥ 1); default
	// DefaultBackoff.
	Backoff func(n int) time.Duration
	// PollInterval is how often RunDispatcher looks for due deliveries
	// (default 2 s).
	PollInterval time.Duration
	// BatchSize is how many deliveries one DeliverDue pass claims (default 50).
	BatchSize int
	// Concurrency is how many requests one pass sends at once (default 8).
	Concurrency int
	// Retention is how long RunDispatcher keeps delivered and failed
	// deliveries (default 30 days); negative keeps them forever.
	Retention time.Duration
	// SMTP is the mail server (ParseSMTP); nil: the hub sends no mail and
	// Mail refuses, saying so.
	SMTP   *SMTP
	Logger *slog.Logger
}

// Service holds notifications and webhooks over the hub's SQLite database,
// and dispatches webhook deliveries.
type Service struct {
	db           *sql.DB
	accounts     *accounts.Service
	now          func() time.Time
	client       *http.Client
	allowPrivate bool
	timeout      time.Duration
	maxAttempts  int
	backoff      func(int) time.Duration
	pollInterval time.Duration
	batchSize    int
	concurrency  int
	retention    time.Duration
	smtp         *SMTP
	log          *slog.Logger
}

// New returns a Service using db, whose schema must be migrated, and the
// organisations of accounts.
func New(db *sql.DB, a *accounts.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Client == nil {
		opts.Client = newClient(opts.AllowPrivateNetworks)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Retention == 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		db: db, accounts: a, now: opts.Now, client: opts.Client, allowPrivate: opts.AllowPrivateNetworks,
		timeout: opts.Timeout, maxAttempts: opts.MaxAttempts, backoff: opts.Backoff,
		pollInterval: opts.PollInterval, batchSize: opts.BatchSize, concurrency: opts.Concurrency,
		retention: opts.Retention, smtp: opts.SMTP, log: opts.Logger,
	}
}

// requireOrgMember returns the acting user if they may manage organisation
// orgID's webhooks: coordinators for any organisation, other users for
// their own.
func requireOrgMember(ctx context.Context, orgID int64) (*makerhub.User, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != makerhub.RoleCoordinator && u.OrganisationID() != orgID {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "You can only manage the webhooks of your own organisation (organisation %d is not yours).", orgID)
	}
	return u, nil
}

// knownKind reports whether kind is one of Kinds.
func knownKind(kind string) bool { return slices.Contains(Kinds(), kind) }

func kindList() string { return strings.Join(Kinds(), ", ") }

// q is where ctx's statements go: its unit of work, or the database.
func (s *Service) q(ctx context.Context) sqlite.Queryer { return sqlite.Q(ctx, s.db) }

// Package production turns what hospitals need into print jobs for makers:
// makers' printers and their capacity, hospitals' requests, routing runs
// that allocate open demand to printers (production/routing, solved exactly
// with production/mcf), and the jobs makers claim with a lease, print and
// report on.
//
// It decides who may do what: a maker touches only its own printers and
// claims; a hospital only its organisation's requests; coordinators
// everything. Handlers pass the acting user in the context.
package production

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Priority is how urgent a request is.
type Priority string

// Priorities, most urgent first.
const (
	Critical Priority = "critical"
	High     Priority = "high"
	Normal   Priority = "normal"
)

// RequestState is where a request stands as a whole.
type RequestState string

// Request states: open while units are still due; fulfilled when every unit
// not cancelled was delivered; cancelled when every unit was cancelled.
const (
	RequestOpen      RequestState = "open"
	RequestFulfilled RequestState = "fulfilled"
	RequestCancelled RequestState = "cancelled"
)

// JobState is where a job stands.
type JobState string

// Job states: offered (to one maker, until the offer expires) or open (in
// the pool) → claimed → printing → printed → handed_over (to inventory); or
// failed, or cancelled, each with a reason.
const (
	JobOffered    JobState = "offered"
	JobOpen       JobState = "open"
	JobClaimed    JobState = "claimed"
	JobPrinting   JobState = "printing"
	JobPrinted    JobState = "printed"
	JobHandedOver JobState = "handed_over"
	JobFailed     JobState = "failed"
	JobCancelled  JobState = "cancelled"
)

// Options configure a Service. The zero value of each field means its default.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// Lease is how long a claim holds a job without progress (default 24 h);
	// each progress report renews it.
	Lease time.Duration
	// LeaseWarning is how long before a lease expires its holder is warned
	// (default a quarter of Lease).
	LeaseWarning time.Duration
	// OfferWindow is how long a routed job stays offered to one maker before
	// it goes to the open pool (default 12 h).
	OfferWindow time.Duration
	// StaleAfter is how long a request may go without being reconfirmed by
	// its hospital before it is stale: flagged and left out of routing
	// (default 7 days).
	StaleAfter time.Duration
	// HorizonDays is how far ahead routing plans printer capacity (default 28).
	HorizonDays int
	// Notifier, if set, is told of offers, expiring leases and routing
	// outcomes inside the transaction that makes them.
	Notifier makerhub.Notifier
}

// Service is production over the hub's database, reading people and
// organisations through accounts and designs through the design library.
type Service struct {
	db       *sql.DB
	accounts *accounts.Service
	designs  *designs.Service
	now      func() time.Time
	log      *slog.Logger
	opts     Options

	// routeMu serialises this service's routing runs: two at once would
	// plan the same demand twice (the write transaction also re-checks the
	// demand). Several hub processes over one database would need the
	// database to serialise them instead.
	routeMu sync.Mutex

	profiles profileCache
	printers printerCache
	meta     metaCache
	claims   claimBatcher
}

// New returns a Service. It gives a suspended maker's jobs back to the
// pool (accounts.Service.OnSuspend).
func New(db *sql.DB, a *accounts.Service, d *designs.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Lease <= 0 {
		opts.Lease = 24 * time.Hour
	}
	if opts.LeaseWarning <= 0 || opts.LeaseWarning >= opts.Lease {
		opts.LeaseWarning = opts.Lease / 4
	}
	if opts.OfferWindow <= 0 {
		opts.OfferWindow = 12 * time.Hour
	}
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = 7 * 24 * time.Hour
	}
	if opts.HorizonDays <= 0 {
		opts.HorizonDays = 28
	}
	s := &Service{db: db, accounts: a, designs: d, now: opts.Now, log: opts.Logger, opts: opts}
	a.OnSuspend(s.releaseSuspended)
	return s
}

// notify records n if a Notifier is configured.
func (s *Service) notify(ctx context.Context, n makerhub.Notice) error {
	if s.opts.Notifier == nil {
		return nil
	}
	return s.opts.Notifier.Notify(ctx, n)
}

// q is where ctx's statements go: its unit of work, or the database.
func (s *Service) q(ctx context.Context) sqlite.Queryer { return sqlite.Q(ctx, s.db) }

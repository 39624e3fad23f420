// Package inventory follows every printed unit from the maker's printer to
// the hospital: locations (maker sites, collection hubs, hospitals), the
// batches jobs produce, and an append-only stock ledger from which the
// stock is derived and which never lets it go below zero. Every batch
// links the design version, the files printed, the maker, the printer and
// the filament, so that any unit can be traced.
//
// It decides who may do what with the stock: makers at their own site,
// coordinators everywhere. Handlers pass the acting user in the context.
package inventory

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production"
)

// LocationKind is what kind of place holds units.
type LocationKind string

// Location kinds.
const (
	MakerSite LocationKind = "maker_site"
	Hub       LocationKind = "hub"
	Hospital  LocationKind = "hospital"
)

// Status is where units stand in quality control.
type Status string

// Statuses: units enter the stock unchecked and must pass a check before
// they can go to a hospital.
const (
	Unchecked Status = "unchecked"
	Passed    Status = "passed"
)

// MovementKind is what a movement of the ledger records.
type MovementKind string

// Movement kinds.
const (
	Produced        MovementKind = "produced"         // a job's units enter the stock at the maker's site
	QualityPassed   MovementKind = "quality_passed"   // unchecked → passed, in place
	QualityRejected MovementKind = "quality_rejected" // out of the stock, with a reason
	Transferred     MovementKind = "transferred"      // from one location to another, same status
	Shipped         MovementKind = "shipped"          // out of the stock, into a shipment
	Received        MovementKind = "received"         // from a shipment into the destination's stock
	Adjusted        MovementKind = "adjusted"         // a coordinator's correction, with a reason
)

// Options configure a Service.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// Notifier, if set, tells hospitals and makers of recalls, and makers
	// of low filament, inside the transaction that finds them.
	Notifier makerhub.Notifier
	// LowSpoolG is the weight under which a spool is low (default 100 g):
	// a hand-over that leaves a spool under it warns its maker.
	LowSpoolG float64
}

// DefaultLowSpoolG is the weight under which a spool is low unless
// Options say otherwise: a few face-shield frames.
const DefaultLowSpoolG = 100

// Service is the inventory over the hub's database; production hands it
// printed jobs.
type Service struct {
	db         *sql.DB
	accounts   *accounts.Service
	designs    *designs.Service
	production *production.Service
	notifier   makerhub.Notifier
	now        func() time.Time
	log        *slog.Logger
	lowSpoolG  float64
}

// New returns a Service. It opens a recall whenever the design library
// withdraws a version (designs.Service.OnWithdraw).
func New(db *sql.DB, a *accounts.Service, d *designs.Service, p *production.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.LowSpoolG <= 0 {
		opts.LowSpoolG = DefaultLowSpoolG
	}
	s := &Service{db: db, accounts: a, designs: d, production: p, notifier: opts.Notifier, now: opts.Now, log: opts.Logger, lowSpoolG: opts.LowSpoolG}
	d.OnWithdraw(s.RecallWithdrawn)
	return s
}

// q is where ctx's statements go: its unit of work, or the database.
func (s *Service) q(ctx context.Context) sqlite.Queryer { return sqlite.Q(ctx, s.db) }

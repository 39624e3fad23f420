// Package designs is the design library: open designs (face shields, masks,
// ventilator parts…), their numbered versions, the review of each version,
// and the files attached to them — kept in object storage under their
// SHA-256, analysed on upload when they are STL meshes.
//
// It decides who may do what: makers and coordinators create designs; only a
// design's author and coordinators edit it; only coordinators move a version
// past "submitted". Handlers pass the acting user in the context.
package designs

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Category is what kind of part a design is.
type Category string

// Categories of designs, as hospitals ask for them.
const (
	FaceShield     Category = "face_shield"
	Mask           Category = "mask"
	EarSaver       Category = "ear_saver"
	VentilatorPart Category = "ventilator_part"
	TestKitPart    Category = "test_kit_part"
	Other          Category = "other"
)

// Categories lists the categories in display order. The slice is the
// caller's own copy.
func Categories() []Category { return slices.Clone(categories) }

// categories are Categories; nothing may change them.
var categories = []Category{FaceShield, Mask, EarSaver, VentilatorPart, TestKitPart, Other}

// Status is where a version stands in review.
type Status string

// Review statuses: draft → submitted → community_reviewed →
// clinically_validated, or rejected from submitted or community_reviewed.
const (
	Draft               Status = "draft"
	Submitted           Status = "submitted"
	CommunityReviewed   Status = "community_reviewed"
	ClinicallyValidated Status = "clinically_validated"
	Rejected            Status = "rejected"
)

// Lifecycle says whether a published version is still the one to print.
type Lifecycle string

// Lifecycles: active, superseded by a newer version (still printable), or
// withdrawn (must not be printed; drives recalls).
const (
	Active     Lifecycle = "active"
	Superseded Lifecycle = "superseded"
	Withdrawn  Lifecycle = "withdrawn"
)

// PrintSettings are a design's recommended settings.
type PrintSettings struct {
	LayerHeightMM float64 `json:"layer_height_mm"`
	InfillPercent float64 `json:"infill_percent"`
	Perimeters    int     `json:"perimeters"`
	Supports      bool    `json:"supports"`
}

// Design is an open design with its metadata. Versions hold the files.
type Design struct {
	ID             int64         `json:"id"`
	Title          string        `json:"title"`
	Category       Category      `json:"category"`
	Description    string        `json:"description"`
	Licence        Licence       `json:"licence"`
	SourceURL      string        `json:"source_url"`
	OrganisationID *int64        `json:"organisation_id"`
	AuthorID       int64         `json:"author_id"`
	Material       string        `json:"material"`
	PrintSettings  PrintSettings `json:"print_settings"`
	Tags           []string      `json:"tags"`
	// CurrentVersion is the newest published, active, not rejected
	// version: what a hospital gets when it asks for "current".
	CurrentVersion *int `json:"current_version"`
	// ReviewStatus is the current version's status, or draft when no
	// version is published yet.
	ReviewStatus Status `json:"review_status"`
	// Cover is the current version's first STL file (by name), whose
	// thumbnail pictures the design; empty without one.
	Cover     string    `json:"cover_sha256"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Version is one numbered version of a design.
type Version struct {
	ID              int64      `json:"id"`
	DesignID        int64      `json:"design_id"`
	Number          int        `json:"number"`
	Notes           string     `json:"notes"`
	Status          Status     `json:"status"`
	Lifecycle       Lifecycle  `json:"lifecycle"`
	LifecycleReason string     `json:"lifecycle_reason,omitempty"`
	CreatedBy       int64      `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	PublishedAt     *time.Time `json:"published_at"`
	Files           []*File    `json:"files"`
	History         []*Event   `json:"history"`
}

// Event is one change to a version: who, when, what, and why.
type Event struct {
	ActorID int64     `json:"actor_id"`
	At      time.Time `json:"at"`
	Action  string    `json:"action"` // created, file_added, file_removed, published, reviewed, superseded, withdrawn
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// FileKind is what a file is; only STL files are analysed.
type FileKind string

// Kinds of files a version may hold.
const (
	KindSTL   FileKind = "stl"
	KindSTEP  FileKind = "step"
	KindPDF   FileKind = "pdf"
	KindImage FileKind = "image"
)

// File is a stored file as a version lists it.
type File struct {
	SHA256    string        `json:"sha256"`
	Size      int64         `json:"size"`
	Name      string        `json:"name"`
	Kind      FileKind      `json:"kind"`
	MediaType string        `json:"media_type"`
	Analysis  *FileAnalysis `json:"analysis,omitempty"`
}

// FileAnalysis is an STL analysis with the print estimate for the design's
// print settings and material.
type FileAnalysis struct {
	*stl.Analysis
	Estimate *stl.Estimate `json:"estimate,omitempty"`
}

// DefaultMaxUpload is the largest file accepted unless configured.
const DefaultMaxUpload = 512 << 20

// Options configure a Service.
type Options struct {
	Now       func() time.Time
	MaxUpload int64  // bytes; default DefaultMaxUpload
	TempDir   string // where uploads are spooled; default os.TempDir()
	Logger    *slog.Logger
}

// Service is the design library over the hub's database and object store.
type Service struct {
	db        *sql.DB
	accounts  *accounts.Service
	blobs     makerhub.BlobStore
	now       func() time.Time
	maxUpload int64
	spools    *spoolFiles
	log       *slog.Logger
	drawing   chan struct{} // one thumbnail drawn at a time
	analyzer  stl.Analyzer  // keeps one analysis's memory for the next upload

	onWithdraw WithdrawHook
}

// WithdrawHook runs inside the transaction that withdraws a version, as the
// acting user: inventory recalls the version's batches there, so that a
// withdrawal and its recall are one change.
type WithdrawHook func(ctx context.Context, versionID int64, reason string) error

// OnWithdraw sets the hook withdrawals run; call it before serving.
func (s *Service) OnWithdraw(h WithdrawHook) { s.onWithdraw = h }

// New returns a Service.
func New(db *sql.DB, a *accounts.Service, blobs makerhub.BlobStore, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, accounts: a, blobs: blobs, now: opts.Now, maxUpload: opts.MaxUpload,
		spools: &spoolFiles{dir: opts.TempDir}, log: opts.Logger, drawing: make(chan struct{}, 1)}
}

// Close removes the temporary files and releases the memory kept for the
// next uploads. The service stays usable: later uploads create new ones.
func (s *Service) Close() { s.spools.Close(); s.analyzer.Close() }

// q is where ctx's statements go: its unit of work, or the database.
func (s *Service) q(ctx context.Context) sqlite.Queryer { return sqlite.Q(ctx, s.db) }

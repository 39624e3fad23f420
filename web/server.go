// Package web is the hub's HTTP face: a gin engine serving the JSON API (and,
// later, the HTML pages). Handlers decode requests, put the caller in the
// context and call domain services, which decide what the caller may do;
// handlers never check roles themselves.
package web

import (
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/notify"
)

func init() {
	// Debug mode only prints route tables and warnings to stdout; the
	// server logs through slog instead.
	gin.SetMode(gin.ReleaseMode)
}

// Config holds everything the server needs; NewServer takes nothing else.
type Config struct {
	Logger   *slog.Logger
	DB       *sql.DB // checked by /readyz
	Blobs    makerhub.BlobStore
	Accounts *accounts.Service
	Designs  *designs.Service
	// Production is printers, requests, routing and jobs.
	Production *production.Service
	// Inventory is locations, batches, the stock ledger and traces.
	Inventory *inventory.Service
	// Notify is in-app notifications and webhooks.
	Notify *notify.Service

	// PublicURL is the hub's address as users reach it (for links in
	// exports); empty: taken from each request's Host.
	PublicURL string
	// MaxUpload bounds uploaded files (default designs.DefaultMaxUpload);
	// the design library enforces it too.
	MaxUpload int64

	// MapTiles is the URL template of the coordinators' map tiles
	// ({z}/{x}/{y}); empty: the map shows its places on a plain
	// background (a hub without Internet access).
	MapTiles string

	// CookieSecure marks session cookies Secure; set it when the hub is
	// served over HTTPS (directly or behind a TLS-terminating proxy).
	CookieSecure bool
	// TrustedProxies are the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For is believed for the client's IP (used by login rate
	// limits and logs). Empty: the connection's address is the client's.
	TrustedProxies []string
	// ReadyTimeout bounds each readiness check (default 2 s).
	ReadyTimeout time.Duration
	// MaxJSONBytes bounds JSON request bodies (default 1 MiB).
	MaxJSONBytes int64
}

// Server is the HTTP server's handler and its dependencies.
type Server struct {
	log          *slog.Logger
	db           *sql.DB
	blobs        makerhub.BlobStore
	accounts     *accounts.Service
	designs      *designs.Service
	production   *production.Service
	inventory    *inventory.Service
	notify       *notify.Service
	publicURL    string
	maxUpload    int64
	cookieSecure bool
	mapTiles     string
	csp          string // the pages' Content-Security-Policy
	readyTimeout time.Duration
	maxJSONBytes int64
	metrics      *metrics
	csrf         *http.CrossOriginProtection
	pages        map[string]*template.Template
	engine       *gin.Engine
}

// NewServer builds the server and its routes.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Logger == nil || cfg.DB == nil || cfg.Blobs == nil || cfg.Accounts == nil || cfg.Designs == nil ||
		cfg.Production == nil || cfg.Inventory == nil || cfg.Notify == nil {
		return nil, errors.New("web: Logger, DB, Blobs, Accounts, Designs, Production, Inventory and Notify are required")
	}
	s := &Server{
		log: cfg.Logger, db: cfg.DB, blobs: cfg.Blobs, accounts: cfg.Accounts, designs: cfg.Designs,
		production: cfg.Production, inventory: cfg.Inventory, notify: cfg.Notify,
		publicURL: strings.TrimSuffix(cfg.PublicURL, "/"), maxUpload: cfg.MaxUpload,
		cookieSecure: cfg.CookieSecure,
		mapTiles:     cfg.MapTiles,
		readyTimeout: cfg.ReadyTimeout,
		maxJSONBytes: cfg.MaxJSONBytes,
		metrics:      newMetrics(),
		csrf:         http.NewCrossOriginProtection(),
	}
	if s.readyTimeout <= 0 {
		s.readyTimeout = 2 * time.Second
	}
	if s.maxUpload <= 0 {
		s.maxUpload = designs.DefaultMaxUpload
	}
	if s.maxJSONBytes <= 0 {
		s.maxJSONBytes = defaultMaxJSONBytes
	}

	var err error
	if s.csp, err = pagePolicy(cfg.MapTiles); err != nil {
		return nil, err
	}
	if s.pages, err = pageTemplates(); err != nil {
		return nil, fmt.Errorf("page templates: %w", err)
	}

	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	if len(cfg.TrustedProxies) == 0 {
		// Without trusted proxies, ignore forwarding headers altogether.
		e.ForwardedByClientIP = false
	}
	s.engine = e
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Routes lists the registered routes, for tests and documentation checks.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// Package web is the hub's HTTP face: a gin engine serving the JSON API
// (web/api) and the HTML pages (web/ui) over the same services, through the
// same plumbing (web/httpx), with every route in routes.go. Handlers decode
// requests, put the caller in the context and call domain services, which
// decide what the caller may do; handlers never check roles themselves.
package web

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/notify"
	"github.com/makerhub/makerhub/web/api"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/ui"
)

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
	http         *httpx.Plumbing // shared with the API and the pages
	db           *sql.DB
	blobs        makerhub.BlobStore
	readyTimeout time.Duration
	api          *api.Handler
	ui           *ui.Handler
	engine       *gin.Engine
}

// NewServer builds the server and its routes.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Logger == nil || cfg.DB == nil || cfg.Blobs == nil || cfg.Accounts == nil || cfg.Designs == nil ||
		cfg.Production == nil || cfg.Inventory == nil || cfg.Notify == nil {
		return nil, errors.New("web: Logger, DB, Blobs, Accounts, Designs, Production, Inventory and Notify are required")
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = 2 * time.Second
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = designs.DefaultMaxUpload
	}
	p, err := httpx.New(httpx.Options{Logger: cfg.Logger, Accounts: cfg.Accounts, CookieSecure: cfg.CookieSecure, MaxJSONBytes: cfg.MaxJSONBytes})
	if err != nil {
		return nil, err
	}
	pages, err := ui.New(p, ui.Config{Accounts: cfg.Accounts, Designs: cfg.Designs, Production: cfg.Production,
		Inventory: cfg.Inventory, MaxUpload: cfg.MaxUpload, MapTiles: cfg.MapTiles, PublicURL: cfg.PublicURL})
	if err != nil {
		return nil, err
	}
	s := &Server{
		http: p, db: cfg.DB, blobs: cfg.Blobs, readyTimeout: cfg.ReadyTimeout,
		api: api.New(p, api.Config{Accounts: cfg.Accounts, Designs: cfg.Designs, Production: cfg.Production,
			Inventory: cfg.Inventory, Notify: cfg.Notify, PublicURL: cfg.PublicURL, MaxUpload: cfg.MaxUpload}),
		ui: pages,
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

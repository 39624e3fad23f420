// Package ui is the hub's HTML pages: the home page, sign-up and login, the
// design library and a design's page, and each role's dashboard with a form
// for each action. The pages are rendered on the server with html/template,
// which escapes everything by context; every form works without JavaScript.
// They call the same services as the JSON API (web/api), through the same
// plumbing (web/httpx: sessions, cross-origin protection, error statuses),
// and never decide a permission themselves: they ask the services.
// web/routes.go maps the routes to these handlers.
package ui

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/web/httpx"
)

//go:embed templates/*.html
var templateFS embed.FS

// scripts/build-web.sh writes the bundled scripts into static/dist.
//
//go:embed static
var staticFS embed.FS

// Config holds the pages' dependencies.
type Config struct {
	Accounts   *accounts.Service
	Designs    *designs.Service
	Production *production.Service
	Inventory  *inventory.Service
	// MaxUpload bounds uploaded files, in bytes.
	MaxUpload int64
	// MapTiles is the URL template of the coordinators' map tiles
	// ({z}/{x}/{y}); empty: the map shows its places on a plain background.
	MapTiles string
	// PublicURL is the hub's address as users reach it, for links in
	// mail (never taken from a request's Host).
	PublicURL string
}

// Handler serves the pages.
type Handler struct {
	*httpx.Plumbing
	accounts   *accounts.Service
	designs    *designs.Service
	production *production.Service
	inventory  *inventory.Service
	maxUpload  int64
	mapTiles   string
	publicURL  string
	csp        string // the pages' Content-Security-Policy
	pages      map[string]*template.Template
}

// New parses the pages' templates and makes their handlers on the shared
// plumbing; a malformed map tiles URL is refused here, at start.
func New(p *httpx.Plumbing, cfg Config) (*Handler, error) {
	h := &Handler{Plumbing: p, accounts: cfg.Accounts, designs: cfg.Designs, production: cfg.Production,
		inventory: cfg.Inventory, maxUpload: cfg.MaxUpload, mapTiles: cfg.MapTiles, publicURL: strings.TrimSuffix(cfg.PublicURL, "/")}
	var err error
	if h.csp, err = pagePolicy(cfg.MapTiles); err != nil {
		return nil, err
	}
	if h.pages, err = pageTemplates(); err != nil {
		return nil, fmt.Errorf("page templates: %w", err)
	}
	return h, nil
}

// Static is the pages' stylesheet, icon and built scripts, served under
// /static.
func Static() fs.FS {
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded folder is there by construction
	}
	return static
}

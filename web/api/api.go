// Package api is the hub's JSON API under /api/v1: each handler decodes the
// request, calls a domain service as the caller (put in the context by
// httpx.Plumbing.Authenticate) and writes the result as JSON, or the error
// in the one shape. Handlers never check roles: the services decide what
// the caller may do. web/routes.go maps the routes to these handlers.
package api

import (
	"strings"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/notify"
	"github.com/makerhub/makerhub/web/httpx"
)

// Config holds the API's dependencies.
type Config struct {
	Accounts   *accounts.Service
	Designs    *designs.Service
	Production *production.Service
	Inventory  *inventory.Service
	Notify     *notify.Service
	// PublicURL is the hub's address as users reach it (for links in
	// exports); empty: taken from each request's Host.
	PublicURL string
	// MaxUpload bounds uploaded files, in bytes.
	MaxUpload int64
}

// Handler serves the API's routes.
type Handler struct {
	*httpx.Plumbing
	accounts   *accounts.Service
	designs    *designs.Service
	production *production.Service
	inventory  *inventory.Service
	notify     *notify.Service
	publicURL  string
	maxUpload  int64
}

// New makes the API's handlers on the shared plumbing.
func New(p *httpx.Plumbing, cfg Config) *Handler {
	return &Handler{Plumbing: p, accounts: cfg.Accounts, designs: cfg.Designs, production: cfg.Production,
		inventory: cfg.Inventory, notify: cfg.Notify, publicURL: strings.TrimSuffix(cfg.PublicURL, "/"), maxUpload: cfg.MaxUpload}
}

// list is the envelope of every paginated listing.
type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// Package httpx is the plumbing both of the hub's front-ends share — the
// JSON API (web/api) and the HTML pages (web/ui): request IDs, panics,
// request logs and metrics, cross-origin protection, authentication by
// bearer token or session cookie, strict JSON decoding, path and query
// parameters, and the one table from error codes to HTTP statuses with the
// one JSON error shape. It holds no business rule: what a caller may do is
// for the services to decide.
package httpx

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
)

func init() {
	// Debug mode only prints route tables and warnings to stdout; the
	// server logs through slog instead.
	gin.SetMode(gin.ReleaseMode)
}

// Options are what the plumbing needs.
type Options struct {
	Logger   *slog.Logger
	Accounts *accounts.Service // authenticates tokens and session cookies
	// CookieSecure marks the cookies the hub sets Secure (HTTPS).
	CookieSecure bool
	// MaxJSONBytes bounds JSON request bodies (default 1 MiB).
	MaxJSONBytes int64
}

// Plumbing is the middleware and the helpers the API and the pages share,
// with the few dependencies they need.
type Plumbing struct {
	// Log is the server's logger.
	Log *slog.Logger
	// Metrics are the server's Prometheus collectors.
	Metrics      *Metrics
	accounts     *accounts.Service
	cookieSecure bool
	maxJSONBytes int64
	csrf         *http.CrossOriginProtection
}

// New makes the plumbing.
func New(o Options) (*Plumbing, error) {
	if o.Logger == nil || o.Accounts == nil {
		return nil, errors.New("httpx: Logger and Accounts are required")
	}
	p := &Plumbing{Log: o.Logger, Metrics: newMetrics(), accounts: o.Accounts, cookieSecure: o.CookieSecure,
		maxJSONBytes: o.MaxJSONBytes, csrf: http.NewCrossOriginProtection()}
	if p.maxJSONBytes <= 0 {
		p.maxJSONBytes = defaultMaxJSONBytes
	}
	return p, nil
}

// CookieSecure reports whether the cookies the hub sets are marked Secure.
func (p *Plumbing) CookieSecure() bool { return p.cookieSecure }

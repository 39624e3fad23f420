package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
)

// RecoverPanics turns a panic in a handler into a logged 500 in the usual
// error shape instead of a dropped connection.
func (p *Plumbing) RecoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			p.Log.Error("panic", "request_id", RequestID(c), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				p.RenderError(c, fmt.Errorf("panic: %v", v))
			}
		}
	}()
	c.Next()
}

// LogRequests writes one structured line per request and records metrics.
func (p *Plumbing) LogRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	p.Metrics.observe(c.Request.Method, route, status, elapsed)

	level := slog.LevelInfo
	if status >= 500 && status != statusClientClosedRequest {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", RequestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int("bytes", c.Writer.Size()),
		slog.Duration("duration", elapsed),
		slog.String("client_ip", c.ClientIP()),
	}
	if u := makerhub.UserFromContext(c.Request.Context()); u != nil {
		attrs = append(attrs, slog.Int64("user_id", u.ID))
	}
	p.Log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// RefuseCrossOrigin protects against cross-site request forgery: cookies make
// browsers send credentials with requests that other sites trigger, so unsafe
// cross-origin browser requests are refused (Go's CrossOriginProtection, which
// judges by Sec-Fetch-Site and Origin; clients that are not browsers send
// neither and pass). It runs inside gin so refusals are logged and counted.
func (p *Plumbing) RefuseCrossOrigin(c *gin.Context) {
	if err := p.csrf.Check(c.Request); err != nil {
		p.AbortWith(c, makerhub.EFORBIDDEN, "Cross-origin request refused: this action must come from the hub's own pages or a non-browser client.")
		return
	}
	c.Next()
}

package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

// pagePolicy is the pages' Content-Security-Policy: the hub's own
// scripts, styles and images only (and the map's tile server, if one is
// set): no inline script or style, no plug-ins, no framing, forms posted
// only to the hub. Thumbnails are same-origin; data: is for icons.
func pagePolicy(tiles string) (string, error) {
	img := "'self' data:"
	if tiles != "" {
		u, err := url.Parse(tiles)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !strings.Contains(tiles, "{z}") {
			return "", fmt.Errorf("map tiles %q: give a URL template such as https://tile.openstreetmap.org/{z}/{x}/{y}.png", tiles)
		}
		img += " " + u.Scheme + "://" + u.Host
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img + "; " +
		"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'", nil
}

// view is what every page template gets.
type view struct {
	L       *i18n.Lang
	Langs   []*i18n.Lang
	User    *makerhub.User
	Title   string
	Section string // the navigation entry to mark as current
	Path    string // this page's path and query, for the language switch
	Error   string
	Data    any
}

// pageFuncs are the few helpers templates need beyond the language's.
var pageFuncs = template.FuncMap{
	"add":  func(a, b float64) float64 { return a + b },
	"sub":  func(a, b float64) float64 { return a - b },
	"join": func(s []string) string { return strings.Join(s, ", ") },
	// units sums a shipment's lines.
	"units": func(lines []inventory.ShipmentLine) int {
		n := 0
		for _, l := range lines {
			n += l.Quantity
		}
		return n
	},
}

// pageTemplates parses each page with the layout.
func pageTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(pageFuncs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// render writes a page under a title already in the page's language. The
// template runs into a buffer first, so that a failing template is a clean
// 500, never half a page.
func (s *Handler) render(c *gin.Context, status int, name, title string, p *view) {
	p.L, p.Langs, p.Title = i18n.Of(c.Request), i18n.All(), title
	p.User = makerhub.UserFromContext(c.Request.Context())
	p.Path = c.Request.URL.RequestURI()
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.RenderError(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Cookie, Accept-Language")
	h.Set("Cache-Control", "private, no-cache")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// formError is the message a page shows for err: the service's own words
// for what the user can fix, in the page's language where the catalogue of
// service messages has them (web/i18n/errors.go), a generic sentence for the
// rest (logged).
func (s *Handler) formError(c *gin.Context, l *i18n.Lang, err error) (int, string) {
	err = httpx.Classify(err)
	code := makerhub.ErrorCode(err)
	if status, ok := httpx.Status(code); ok && (status < 500 || code == makerhub.EUNAVAILABLE) {
		return status, l.ServiceMessage(err)
	}
	s.Log.Error("page", "request_id", httpx.RequestID(c), "err", err)
	return http.StatusInternalServerError, l.T("error.internal", httpx.RequestID(c))
}

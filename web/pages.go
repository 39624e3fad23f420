package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/inventory"
)

// The pages are rendered on the server with html/template, which escapes
// everything by context; every form works without JavaScript. They share the
// API's services, sessions (the cookie) and cross-origin protection.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

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
	L       *Lang
	Langs   []*Lang
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
func (s *Server) render(c *gin.Context, status int, name, title string, p *view) {
	p.L, p.Langs, p.Title = langOf(c.Request), langs, title
	p.User = makerhub.UserFromContext(c.Request.Context())
	p.Path = c.Request.URL.RequestURI()
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.renderError(c, err)
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
// service messages has them (i18n_errors.go), a generic sentence for the
// rest (logged).
func (s *Server) formError(c *gin.Context, l *Lang, err error) (int, string) {
	err = classify(err)
	code := makerhub.ErrorCode(err)
	if status, ok := errorStatus[code]; ok && (status < 500 || code == makerhub.EUNAVAILABLE) {
		return status, l.serviceMessage(err)
	}
	s.log.Error("page", "request_id", requestID(c), "err", err)
	return http.StatusInternalServerError, l.T("error.internal", requestID(c))
}

func (s *Server) handleHome(c *gin.Context) {
	s.render(c, http.StatusOK, "home", langOf(c.Request).T("home.title"), &view{Section: "home"})
}

// handleLang remembers the language chosen with the switch (a year) and
// goes back to the page it was chosen on.
func (s *Server) handleLang(c *gin.Context) {
	l := langByID[c.Param("code")]
	if l == nil {
		s.abortWith(c, makerhub.ENOTFOUND, "The hub speaks en and fr, not %q.", c.Param("code"))
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: l.Code, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		Secure: s.cookieSecure, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
}

// localPath keeps a redirect on the hub: a path of its own, or /.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

type loginForm struct {
	Email, Next string
}

func (s *Server) handleLoginPage(c *gin.Context) {
	s.render(c, http.StatusOK, "login", langOf(c.Request).T("login.title"), &view{Section: "login", Data: loginForm{Next: localPath(c.Query("next"))}})
}

func (s *Server) handleLoginForm(c *gin.Context) {
	l := langOf(c.Request)
	form := loginForm{Email: strings.TrimSpace(c.PostForm("email")), Next: localPath(c.PostForm("next"))}
	sess, err := s.accounts.Login(c.Request.Context(), accounts.Credentials{Email: form.Email, Password: c.PostForm("password")}, c.ClientIP())
	if err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "login", l.T("login.title"), &view{Section: "login", Error: msg, Data: form})
		return
	}
	s.setSessionCookie(c, sess.Token, sess.ExpiresAt)
	next := form.Next
	if next == "/" {
		next = "/dashboard"
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) handleLogoutForm(c *gin.Context) {
	if id := c.GetInt64(tokenIDKey); id != 0 {
		if err := s.accounts.RevokeToken(c.Request.Context(), id); err != nil {
			s.renderError(c, err)
			return
		}
	}
	s.clearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/")
}

type signupForm struct {
	Role, Name, Email, OrgName, Address, Region, Lat, Lon string
}

func (s *Server) handleSignupPage(c *gin.Context) {
	s.render(c, http.StatusOK, "signup", langOf(c.Request).T("signup.title"), &view{Section: "signup", Data: signupForm{Role: c.Query("role")}})
}

// handleSignupForm creates the account and logs it in.
func (s *Server) handleSignupForm(c *gin.Context) {
	l := langOf(c.Request)
	f := signupForm{Role: c.PostForm("role"), Name: c.PostForm("name"), Email: strings.TrimSpace(c.PostForm("email")),
		OrgName: c.PostForm("org_name"), Address: c.PostForm("org_address"), Region: c.PostForm("org_region"),
		Lat: strings.TrimSpace(c.PostForm("org_lat")), Lon: strings.TrimSpace(c.PostForm("org_lon"))}
	fail := func(err error) {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "signup", l.T("signup.title"), &view{Section: "signup", Error: msg, Data: f})
	}
	org := &accounts.OrganisationInput{Name: f.OrgName, Address: f.Address, Region: f.Region}
	for _, v := range []struct {
		raw, field string
		dst        **float64
	}{{f.Lat, "lat", &org.Lat}, {f.Lon, "lon", &org.Lon}} {
		x, err := strconv.ParseFloat(strings.ReplaceAll(v.raw, ",", "."), 64)
		if err != nil {
			fail(makerhub.Errorf(makerhub.EINVALID, "%s", l.T("signup.coordinate.invalid", l.T("form.org."+v.field), v.raw)))
			return
		}
		*v.dst = &x
	}
	password := c.PostForm("password")
	if _, err := s.accounts.Signup(c.Request.Context(), accounts.NewUser{Email: f.Email, Password: password, Name: f.Name,
		Role: makerhub.Role(f.Role), Organisation: org}); err != nil {
		fail(err)
		return
	}
	sess, err := s.accounts.Login(c.Request.Context(), accounts.Credentials{Email: f.Email, Password: password}, c.ClientIP())
	if err != nil {
		fail(err)
		return
	}
	s.setSessionCookie(c, sess.Token, sess.ExpiresAt)
	c.Redirect(http.StatusSeeOther, "/dashboard")
}

type libraryPage struct {
	Filter     designs.DesignFilter
	Categories []designs.Category
	Statuses   []designs.Status
	Licences   []designs.Licence
	Designs    []*designs.Design
	Total      int
	Prev, Next string
}

// handleLibrary lists designs as cards, filtered by category, review
// status, licence and text, 24 a page.
func (s *Server) handleLibrary(c *gin.Context) {
	const perPage = 24
	l := langOf(c.Request)
	p := libraryPage{
		Filter: designs.DesignFilter{Category: designs.Category(c.Query("category")), Status: designs.Status(c.Query("status")),
			Licence: c.Query("licence"), Query: c.Query("q"), Limit: perPage},
		Categories: designs.Categories(),
		Statuses:   []designs.Status{designs.Draft, designs.Submitted, designs.CommunityReviewed, designs.ClinicallyValidated, designs.Rejected},
		Licences:   designs.Licences(),
	}
	offset, err := queryInt(c, "offset", 0, 0, 1<<31-1)
	if err == nil {
		p.Filter.Offset = offset
		p.Designs, p.Total, err = s.designs.FindDesigns(c.Request.Context(), p.Filter)
	}
	if err != nil {
		status, msg := s.formError(c, l, err)
		p.Designs, p.Total = nil, 0
		s.render(c, status, "designs", l.T("library.title"), &view{Section: "designs", Error: msg, Data: p})
		return
	}
	at := func(off int) string {
		q := c.Request.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return "/designs?" + q.Encode()
	}
	if offset > 0 {
		p.Prev = at(max(0, offset-perPage))
	}
	if offset+perPage < p.Total {
		p.Next = at(offset + perPage)
	}
	s.render(c, http.StatusOK, "designs", l.T("library.title"), &view{Section: "designs", Data: p})
}

var bedNames = func() map[string]string {
	m := map[string]string{}
	for _, b := range stl.Beds() {
		m[b.ID] = b.Name
	}
	return m
}()

type designPage struct {
	BedName  map[string]string // stl.Beds() by ID
	Design   *designs.Design
	Versions []*designs.Version
	Shown    *designs.Version // ?version=N, else the current one, else the newest the caller may see
	Done     string           // the catalogue key of what the last action did
	Assets   assets
	STL      *designs.File // the shown version's first STL, for the 3D viewer
	// What the user may do: the author and coordinators upload to a draft,
	// publish it and open new versions; coordinators review.
	Editable, Reviewer bool
	HasDraft           bool // the design has a draft version already
	MaxUploadMB        int64
}

// handleDesignPage shows a design: its picture and 3D view, facts,
// licence, the files of a version with their analysis (size, volume,
// watertightness, print time, filament, the beds it fits), its versions,
// and the forms of what the user may do with it.
func (s *Server) handleDesignPage(c *gin.Context) {
	s.designPage(c, http.StatusOK, "", c.Query("done"))
}

func (s *Server) designPage(c *gin.Context, status int, errMsg, done string) {
	l := langOf(c.Request)
	ctx := c.Request.Context()
	fail := func(err error) {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "error", l.T("error.title"), &view{Error: msg})
	}
	id, err := pathID(c, "Design")
	if err != nil {
		fail(err)
		return
	}
	p := designPage{BedName: bedNames, Assets: built, MaxUploadMB: s.maxUpload >> 20}
	if done != "" && l.has("done."+done) {
		p.Done = "done." + done
	}
	if p.Design, err = s.designs.FindDesignByID(ctx, id); err != nil {
		fail(err)
		return
	}
	if p.Versions, err = s.designs.FindVersions(ctx, id); err != nil {
		fail(err)
		return
	}
	want := 0
	if p.Design.CurrentVersion != nil {
		want = *p.Design.CurrentVersion
	}
	raw := c.Query("version")
	if raw == "" && c.Param("n") != "" {
		raw = c.Param("n") // an action on a version shows that version
	}
	if raw != "" {
		if want, err = strconv.Atoi(raw); err != nil || want <= 0 {
			fail(makerhub.Errorf(makerhub.EINVALID, "version=%q is not a version number.", raw))
			return
		}
	}
	for _, v := range p.Versions {
		if v.Number == want || want == 0 && (p.Shown == nil || v.Number > p.Shown.Number) {
			p.Shown = v
		}
		p.HasDraft = p.HasDraft || v.Status == designs.Draft
	}
	if p.Shown == nil && raw != "" {
		fail(makerhub.Errorf(makerhub.ENOTFOUND, "Design %d has no version %s you can see.", id, raw))
		return
	}
	if p.Shown != nil {
		for _, f := range p.Shown.Files {
			if f.Kind == designs.KindSTL && p.STL == nil {
				p.STL = f
			}
		}
	}
	if u := makerhub.UserFromContext(ctx); u != nil {
		p.Reviewer = u.Role == makerhub.RoleCoordinator
		p.Editable = p.Reviewer || u.ID == p.Design.AuthorID
	}
	s.render(c, status, "design", p.Design.Title, &view{Section: "designs", Error: errMsg, Data: p})
}

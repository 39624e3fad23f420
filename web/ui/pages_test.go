package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// pageRoutes are the page routes the tests below exercise; a test checks
// that no page route is left out.
var pageRoutes = []string{
	"GET /", "GET /lang/:code", "GET /login", "POST /login", "POST /logout", "GET /signup", "POST /signup", "GET /designs", "GET /designs/:id",
	"GET /static/*filepath", "HEAD /static/*filepath",
	// dashboard_test.go
	"GET /designs/new", "POST /designs/new", "POST /designs/:id/versions", "POST /designs/:id/versions/:n/files",
	"POST /designs/:id/versions/:n/publish", "POST /designs/:id/versions/:n/review", "GET /dashboard",
	"POST /dashboard/printers", "POST /dashboard/spools", "POST /dashboard/jobs/:id/claim", "POST /dashboard/jobs/:id/progress",
	"POST /dashboard/jobs/:id/complete", "POST /dashboard/jobs/:id/release", "POST /dashboard/jobs/:id/handover",
	"POST /dashboard/batches/:id/pass", "POST /dashboard/batches/:id/ship", "POST /dashboard/shipments/:id/dispatch",
	"POST /dashboard/requests", "POST /dashboard/requests/:id/reconfirm", "POST /dashboard/requests/:id/cancel",
	"POST /dashboard/shipments/:id/receive", "POST /dashboard/organisations/:id/verify", "POST /dashboard/routing",
	"POST /dashboard/recalls",
	// places_test.go
	"GET /dashboard/places", "GET /dashboard/places.json",
	// account_test.go
	"GET /account", "POST /account/password", "POST /account/contact", "POST /account/invitations",
	// audit_test.go
	"GET /dashboard/audit",
	// password_reset_test.go
	"GET /password-reset", "POST /password-reset", "GET /password-reset/confirm", "POST /password-reset/confirm",
}

func TestEveryPageRouteIsTested(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	known := map[string]bool{}
	for _, r := range pageRoutes {
		known[r] = true
	}
	for _, r := range h.Srv.Routes() {
		if key := r.Method + " " + r.Path; isPageRoute(r.Path) && !known[key] {
			t.Errorf("page route %s is not in pageRoutes, and so not tested", key)
		}
	}
}

// form posts a form as a browser on the hub's own page does.
func (h *testHub) form(path string, values url.Values, cookies ...*http.Cookie) *response {
	h.T.Helper()
	return h.Send(h.formRequest(path, values, cookies...))
}

func (h *testHub) formRequest(path string, values url.Values, cookies ...*http.Cookie) *http.Request {
	h.T.Helper()
	req, err := http.NewRequest("POST", h.TS.URL+path, strings.NewReader(values.Encode()))
	if err != nil {
		h.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return req
}

// page gets a page with the given cookies and Accept-Language.
func (h *testHub) page(path, accept string, cookies ...*http.Cookie) *response {
	h.T.Helper()
	req, err := http.NewRequest("GET", h.TS.URL+path, nil)
	if err != nil {
		h.T.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return h.Send(req)
}

func cookie(r *response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func wantPage(t *testing.T, r *response, status int, contains ...string) {
	t.Helper()
	if r.StatusCode != status || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d (want %d), %s\n%s", r.StatusCode, status, r.Header.Get("Content-Type"), r.Body)
	}
	for _, s := range contains {
		if !strings.Contains(r.Body, s) {
			t.Errorf("the page lacks %q:\n%s", s, r.Body)
		}
	}
}

func TestPagesSpeakFrenchAndEnglish(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	wantPage(t, h.page("/", ""), 200, `<html lang="en">`, "Open hardware for hospitals", `href="/lang/fr?next=%2f"`)
	wantPage(t, h.page("/", "fr-FR,fr;q=0.9"), 200, `<html lang="fr">`, "Du matériel libre pour les hôpitaux", "Créer un compte")

	// The switch is remembered, over Accept-Language, and returns to the
	// page it was used on, never to another site.
	r := h.Send(mustRequest(t, "GET", h.TS.URL+"/lang/fr?next=/designs%3Fq%3Dvisor"))
	lang := cookie(r, "makerhub_lang")
	if r.StatusCode != 303 || r.Header.Get("Location") != "/designs?q=visor" || lang == nil || lang.Value != "fr" {
		t.Fatalf("switch: %d %v %v", r.StatusCode, r.Header, lang)
	}
	wantPage(t, h.page("/designs", "en-GB", lang), 200, `<html lang="fr">`, "Bibliothèque de modèles")
	if r := h.Send(mustRequest(t, "GET", h.TS.URL+"/lang/en?next=//evil.example/")); r.Header.Get("Location") != "/" {
		t.Fatalf("an outside next: %v", r.Header.Get("Location"))
	}
	if r := h.page("/lang/de", ""); r.StatusCode != 404 {
		t.Fatalf("an unknown language: %d", r.StatusCode)
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestPagesAreLockedDown(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	r := h.page("/login", "")
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", r.Header)
	}
	// A form posted from another site is refused before it does anything.
	req := h.formRequest("/signup", url.Values{"role": {"maker"}})
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := h.Send(req); r.StatusCode != 403 {
		t.Fatalf("cross-site form: %d %s", r.StatusCode, r.Body)
	}
	css := h.page("/static/app.css", "")
	if css.StatusCode != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %v", css.StatusCode, css.Header)
	}
	if r := h.Send(mustRequest(t, "HEAD", h.TS.URL+"/static/app.css")); r.StatusCode != 200 {
		t.Fatalf("HEAD stylesheet: %d", r.StatusCode)
	}
}

func signupValues(email string) url.Values {
	return url.Values{"role": {"hospital"}, "name": {"Camille"}, "email": {email}, "password": {"a long passphrase"},
		"org_name": {"CHU Grenoble"}, "org_address": {"Bd de la Chantourne, La Tronche"}, "org_region": {"Auvergne-Rhône-Alpes"},
		"org_lat": {"45,2"}, "org_lon": {"5.75"}}
}

func TestSignupLoginAndLogoutForms(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	count := func() int {
		var n int
		if err := h.DB.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Refusals keep what was typed (never the password), say what to fix,
	// in the page's language where the hub words it, and store nothing.
	bad := signupValues("camille@chu.example")
	bad.Set("password", "short")
	bad.Set("name", `<script>alert("x")</script>`)
	r := h.form("/signup", bad)
	wantPage(t, r, 400, "at least 10 characters", `value="camille@chu.example"`, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	if strings.Contains(r.Body, "short") || strings.Contains(r.Body, `<script>alert`) {
		t.Fatalf("the page echoes the password or unescaped input:\n%s", r.Body)
	}
	bad = signupValues("camille@chu.example")
	bad.Set("org_lat", "north")
	req := h.formRequest("/signup", bad)
	req.Header.Set("Accept-Language", "fr")
	wantPage(t, h.Send(req), 400, "Latitude «\u00a0north\u00a0» n’est pas un nombre")
	if n := count(); n != 0 {
		t.Fatalf("refused sign-ups stored %d users", n)
	}

	r = h.form("/signup", signupValues("camille@chu.example"))
	session := cookie(r, "makerhub_session")
	if r.StatusCode != 303 || r.Header.Get("Location") != "/dashboard" || session == nil {
		t.Fatalf("sign-up: %d %v", r.StatusCode, r.Header)
	}
	var region string
	if err := h.DB.QueryRow(`SELECT o.region FROM organisations o JOIN users u ON u.organisation_id = o.id WHERE u.email = ?`,
		"camille@chu.example").Scan(&region); err != nil || region != "Auvergne-Rhône-Alpes" {
		t.Fatalf("region %q, %v", region, err)
	}
	wantPage(t, h.page("/designs", "", session), 200, "Camille · Hospital", "Log out")

	r = h.form("/login", url.Values{"email": {"camille@chu.example"}, "password": {"wrong password!"}})
	wantPage(t, r, 401, `value="camille@chu.example"`)
	r = h.form("/login", url.Values{"email": {"camille@chu.example"}, "password": {"a long passphrase"}, "next": {"https://evil.example/"}})
	again := cookie(r, "makerhub_session")
	if r.StatusCode != 303 || r.Header.Get("Location") != "/dashboard" || again == nil {
		t.Fatalf("login: %d %v", r.StatusCode, r.Header)
	}
	r = h.form("/logout", nil, again)
	if r.StatusCode != 303 || r.Header.Get("Location") != "/" {
		t.Fatalf("logout: %d %v", r.StatusCode, r.Header)
	}
	// The session is revoked on the hub, not only forgotten by the browser.
	wantPage(t, h.page("/designs", "", again), 200, `href="/login"`)
	wantPage(t, h.page("/designs", "", session), 200, "Log out")
}

func TestLibraryPage(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker := h.NewCaller("maker")
	id := h.Published(maker)
	var d struct {
		Cover string `json:"cover_sha256"`
	}
	h.Must(200, "GET", path("/api/v1/designs/%d", id), "", "", &d)
	if d.Cover == "" {
		t.Fatal("a published design with an STL has no cover")
	}
	h.Must(200, "PATCH", path("/api/v1/designs/%d", id), `{"title":"Visor <b>RC3</b>"}`, maker.Token, nil)
	draft := h.NewDesign(maker)

	r := h.page("/designs", "")
	wantPage(t, r, 200, "Designs found: 2", fmt.Sprintf(`src="/api/v1/files/%s/thumbnail.png"`, d.Cover),
		`alt="Picture of Visor &lt;b&gt;RC3&lt;/b&gt;"`, "Visor &lt;b&gt;RC3&lt;/b&gt;", "No picture yet", "Submitted", "Draft")
	if img := h.Request("GET", "/api/v1/files/"+d.Cover+"/thumbnail.png", "", "", nil); img.StatusCode != 200 {
		t.Fatalf("the card's picture: %d", img.StatusCode)
	}
	wantPage(t, h.page("/designs?status=draft", "fr"), 200, "Modèles trouvés\u00a0: 1", fmt.Sprintf(`href="/designs/%d"`, draft),
		`<option value="draft" selected>Brouillon</option>`)
	wantPage(t, h.page("/designs?category=mask", ""), 200, "Designs found: 0", "No design matches these filters.")
	wantPage(t, h.page("/designs?category=rocket", ""), 400, `category &#34;rocket&#34; is not known`)

	// The design's page: picture, facts, the current version's files with
	// their analysis, and the versions; numbers as each language writes them.
	wantPage(t, h.page(path("/designs/%d", id), ""), 200, "<h1>Visor &lt;b&gt;RC3&lt;/b&gt;</h1>", d.Cover+"/thumbnail.png",
		"Version 1", "Watertight</dt><dd>Yes", "Print time (estimate)", "Fits these printers</dt><dd>", "Ender-3", "CERN-OHL-P-2.0",
		"download=\"visor.stl\"", "Active")
	fr := h.page(path("/designs/%d", id), "fr")
	wantPage(t, fr, 200, "Étanche</dt><dd>Oui", "Volume</dt><dd>", "\u00a0ko", "Imprimantes compatibles")
	if !regexp.MustCompile(`Dimensions</dt><dd>\d+,0 × \d+,0 × \d+,0 mm`).MatchString(fr.Body) {
		t.Errorf("French sizes are not written with a decimal comma:\n%s", fr.Body)
	}
	wantPage(t, h.page(path("/designs/%d", draft), ""), 200, "No picture yet", "Versions")
	wantPage(t, h.page(path("/designs/%d?version=9", id), ""), 404, "has no version 9")
	wantPage(t, h.page("/designs/999", ""), 404, "This page cannot be shown")
	wantPage(t, h.page("/designs/x", ""), 400, "is not valid")

	for range 24 {
		h.NewDesign(maker)
	}
	r = h.page("/designs", "")
	wantPage(t, r, 200, "Designs found: 26", `href="/designs?offset=24" rel="next"`)
	wantPage(t, h.page("/designs?offset=24", ""), 200, `href="/designs?offset=0" rel="prev"`)
}

package web_test

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/accounts"
)

func TestReadyz(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	if r := h.Request("GET", "/readyz", "", "", nil); r.StatusCode != 200 {
		t.Fatalf("readyz on a healthy hub: %d %s", r.StatusCode, r.Body)
	}
	// Take the blob folder away: not ready, and the message says why.
	moved := h.BlobDir + ".gone"
	if err := os.Rename(h.BlobDir, moved); err != nil {
		t.Fatal(err)
	}
	r := h.Request("GET", "/readyz", "", "", nil)
	if _, msg := errorOf(t, r); r.StatusCode != 503 || !strings.Contains(msg, "object store") {
		t.Fatalf("readyz without blob folder: %d %s", r.StatusCode, r.Body)
	}
	// Bring it back: ready again, without a restart.
	if err := os.Rename(moved, h.BlobDir); err != nil {
		t.Fatal(err)
	}
	if r := h.Request("GET", "/readyz", "", "", nil); r.StatusCode != 200 {
		t.Fatalf("readyz after the folder returned: %d %s", r.StatusCode, r.Body)
	}
	// Close the database: not ready, naming the database.
	h.DB.Close()
	r = h.Request("GET", "/readyz", "", "", nil)
	if _, msg := errorOf(t, r); r.StatusCode != 503 || !strings.Contains(msg, "database") {
		t.Fatalf("readyz with the database closed: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("GET", "/healthz", "", "", nil); r.StatusCode != 200 {
		t.Fatalf("healthz follows dependencies, it should not: %d", r.StatusCode)
	}
}

func TestInternalErrorsHideTheirCause(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker := h.NewCaller("maker")
	h.DB.Close() // every query now fails with an error users must not see
	r := h.Request("GET", "/api/v1/me", "", maker.Token, http.Header{"X-Request-ID": {"req-42"}})
	code, msg := errorOf(t, r)
	if r.StatusCode != 500 || code != "internal" {
		t.Fatalf("status %d code %s, want 500 internal", r.StatusCode, code)
	}
	if strings.Contains(strings.ToLower(r.Body), "sql") || !strings.Contains(msg, "req-42") {
		t.Fatalf("internal error body %s: want no SQL detail and the request ID", r.Body)
	}
	if logs := h.Logs.String(); !strings.Contains(logs, `"request_id":"req-42"`) || !strings.Contains(logs, "database is closed") {
		t.Fatalf("the cause and request ID are not logged:\n%s", logs)
	}
}

func TestRequestIDs(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	r := h.Request("GET", "/healthz", "", "", http.Header{"X-Request-ID": {"abc-123"}})
	if got := r.Header.Get("X-Request-ID"); got != "abc-123" {
		t.Fatalf("X-Request-ID = %q, want the client's", got)
	}
	r = h.Request("GET", "/healthz", "", "", http.Header{"X-Request-ID": {"bad id\twith spaces"}})
	if got := r.Header.Get("X-Request-ID"); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(got) {
		t.Fatalf("X-Request-ID = %q, want a fresh one", got)
	}
	// Each access log line carries the request ID and the route pattern.
	var found bool
	for _, line := range strings.Split(h.Logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "request" && rec["request_id"] == "abc-123" {
			found = rec["route"] == "/healthz" && rec["status"] == float64(200)
		}
	}
	if !found {
		t.Fatalf("no access log line for request abc-123:\n%s", h.Logs.String())
	}
}

func TestMetrics(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	h.Request("GET", "/healthz", "", "", nil)
	h.Request("GET", "/api/v1/organisations/7", "", "", nil)
	r := h.Request("GET", "/metrics", "", "", nil)
	for _, want := range []string{
		`makerhub_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`makerhub_http_requests_total{method="GET",route="/api/v1/organisations/:id",status="401"} 1`,
		`makerhub_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.001"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestSessionCookie(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker := h.NewCaller("maker")
	r := h.Request("POST", "/api/v1/auth/login", `{"email":"`+maker.User.Email+`","password":"correct horse battery"}`, "", nil)
	var ck *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "makerhub_session" {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || !ck.Expires.After(time.Now()) {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/, expiring later", ck)
	}
	withCookie := http.Header{"Cookie": {ck.Name + "=" + ck.Value}}
	if r := h.Request("GET", "/api/v1/me", "", "", withCookie); r.StatusCode != 200 {
		t.Fatalf("/me with the cookie: %d %s", r.StatusCode, r.Body)
	}

	// Cross-site request forgery: a browser request from another site with
	// the cookie is refused; one from the hub's own origin goes through.
	evil := http.Header{"Cookie": withCookie["Cookie"], "Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	r = h.Request("POST", "/api/v1/tokens", `{"name":"stolen"}`, "", evil)
	if code, msg := errorOf(t, r); r.StatusCode != 403 || code != "forbidden" || !strings.Contains(msg, "Cross-origin") {
		t.Fatalf("cross-site POST: %d %s", r.StatusCode, r.Body)
	}
	same := http.Header{"Cookie": withCookie["Cookie"], "Origin": {h.TS.URL}, "Sec-Fetch-Site": {"same-origin"}}
	if r := h.Request("POST", "/api/v1/tokens", `{"name":"mine"}`, "", same); r.StatusCode != 201 {
		t.Fatalf("same-origin POST: %d %s", r.StatusCode, r.Body)
	}

	// Logging out clears the cookie and revokes it.
	r = h.Request("POST", "/api/v1/auth/logout", "", "", same)
	if r.StatusCode != 204 {
		t.Fatalf("logout: %d %s", r.StatusCode, r.Body)
	}
	cleared := false
	for _, c := range r.Cookies() {
		cleared = cleared || (c.Name == "makerhub_session" && c.MaxAge < 0)
	}
	if !cleared {
		t.Fatal("logout did not clear the cookie")
	}
	// A stale cookie does not stand in the way of signing up again.
	r = h.Request("POST", "/api/v1/auth/signup", signupBody(h.UniqueEmail("again"), "maker", "F"), "", withCookie)
	if r.StatusCode != 201 {
		t.Fatalf("signup with a stale cookie: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("GET", "/api/v1/me", "", "", withCookie); r.StatusCode != 401 {
		t.Fatalf("/me with a revoked cookie: %d", r.StatusCode)
	}
}

func TestLoginRateLimitOverHTTP(t *testing.T) {
	h := newTestHub(t, accounts.Options{Login: accounts.LoginLimits{
		AccountBurst: 2, AccountInterval: time.Minute, IPBurst: 100, IPInterval: time.Second}})
	maker := h.NewCaller("maker")
	bad := `{"email":"` + maker.User.Email + `","password":"wrong wrong wrong"}`
	for i := 0; i < 2; i++ {
		if r := h.Request("POST", "/api/v1/auth/login", bad, "", nil); r.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, r.StatusCode)
		}
	}
	r := h.Request("POST", "/api/v1/auth/login", bad, "", nil)
	code, msg := errorOf(t, r)
	if r.StatusCode != 429 || code != "rate_limited" || !strings.Contains(msg, "try again in") {
		t.Fatalf("third failure: %d %s", r.StatusCode, r.Body)
	}
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q", ra)
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	r := h.Request("GET", "/api/v1/openapi.json", "", "", nil)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.Decode(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	param := regexp.MustCompile(`:(\w+)`)
	routes := map[string]bool{}
	for _, rt := range h.Srv.Routes() {
		if isPageRoute(rt.Path) {
			continue // HTML for browsers, not the API
		}
		key := rt.Method + " " + param.ReplaceAllString(rt.Path, "{$1}")
		routes[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
		}
	}
	for key := range documented {
		if !routes[key] {
			t.Errorf("openapi.json documents %s, which is not a route", key)
		}
	}
}

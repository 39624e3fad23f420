package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// scenario is one API exchange and what must come back, read as a spec.
type scenario struct {
	name     string
	method   string
	path     string
	body     string
	as       string      // "", or a caller kind
	header   http.Header // extra headers, replacing the defaults
	status   int
	contains []string // fragments the body must contain
	absent   []string // fragments it must not
}

func runScenarios(t *testing.T, h *testHub, callers map[string]*caller, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			token := ""
			if c := callers[sc.as]; c != nil {
				token = c.Token
			}
			r := h.Request(sc.method, sc.path, sc.body, token, sc.header)
			if r.StatusCode != sc.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", sc.method, sc.path, r.StatusCode, sc.status, r.Body)
			}
			if sc.status >= 400 {
				errorOf(t, r) // every error is in the one shape
			}
			for _, frag := range sc.contains {
				if !strings.Contains(r.Body, frag) {
					t.Errorf("body %s does not contain %q", r.Body, frag)
				}
			}
			for _, frag := range sc.absent {
				if strings.Contains(r.Body, frag) {
					t.Errorf("body %s contains %q", r.Body, frag)
				}
			}
		})
	}
}

func TestSignupAndLoginScenarios(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	callers := map[string]*caller{"maker": h.NewCaller("maker")}
	ctText := http.Header{"Content-Type": {"text/plain"}}
	noCT := http.Header{"Content-Type": nil}
	good := signupBody("nurse@chu-lyon.example", "hospital", "CHU de Lyon")

	runScenarios(t, h, callers, []scenario{
		{name: "hospital signs up", method: "POST", path: "/api/v1/auth/signup", body: good, status: 201,
			contains: []string{`"email":"nurse@chu-lyon.example"`, `"role":"hospital"`, `"kind":"hospital"`, `"name":"CHU de Lyon"`},
			absent:   []string{"password", "verified_at"}},
		{name: "same email again", method: "POST", path: "/api/v1/auth/signup", body: strings.Replace(good, "nurse@", "NURSE@", 1), status: 409,
			contains: []string{"already exists"}},
		{name: "coordinator cannot sign up", method: "POST", path: "/api/v1/auth/signup", body: signupBody("c@example.org", "coordinator", "X"), status: 403,
			contains: []string{"makerhub users create"}},
		{name: "malformed JSON", method: "POST", path: "/api/v1/auth/signup", body: `{"email": "a@b.c",`, status: 400,
			contains: []string{"not valid JSON"}},
		{name: "syntax error", method: "POST", path: "/api/v1/auth/signup", body: `{"email" "a@b.c"}`, status: 400,
			contains: []string{"not valid JSON", "at byte"}},
		{name: "unknown field", method: "POST", path: "/api/v1/auth/signup", body: `{"email":"a@b.c","admin":true}`, status: 400,
			contains: []string{`unknown field \"admin\"`}},
		{name: "wrong type", method: "POST", path: "/api/v1/auth/signup", body: `{"email":"a@b.c","organisation":{"lat":"north"}}`, status: 400,
			contains: []string{`Field \"organisation.lat\" must be a number, not a string`}},
		{name: "array instead of object", method: "POST", path: "/api/v1/auth/signup", body: `[1,2]`, status: 400,
			contains: []string{"must be a JSON object, not an array"}},
		{name: "two objects", method: "POST", path: "/api/v1/auth/signup", body: `{} {}`, status: 400,
			contains: []string{"more data after the JSON object"}},
		{name: "empty body", method: "POST", path: "/api/v1/auth/signup", header: http.Header{"Content-Type": {"application/json"}}, status: 400,
			contains: []string{"body is empty"}},
		{name: "no content type", method: "POST", path: "/api/v1/auth/signup", body: good, header: noCT, status: 415,
			contains: []string{"application/json"}},
		{name: "text content type", method: "POST", path: "/api/v1/auth/signup", body: good, header: ctText, status: 415,
			contains: []string{`\"text/plain\" is not supported`}},
		{name: "charset is fine", method: "POST", path: "/api/v1/auth/signup", body: signupBody("x1@example.org", "maker", "Fablab"),
			header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, status: 201},
		{name: "oversized body", method: "POST", path: "/api/v1/auth/signup", body: `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, status: 413,
			contains: []string{"larger than 1048576 bytes"}},
		{name: "invalid latitude", method: "POST", path: "/api/v1/auth/signup", body: strings.Replace(signupBody("x2@example.org", "maker", "F"), "45.764", "123", 1), status: 400,
			contains: []string{"organisation.lat must be between -90 and 90"}},

		{name: "login", method: "POST", path: "/api/v1/auth/login", body: `{"email":"nurse@chu-lyon.example","password":"correct horse battery"}`, status: 200,
			contains: []string{`"token":"mh_`, `"expires_at"`, `"role":"hospital"`}},
		{name: "login wrong password", method: "POST", path: "/api/v1/auth/login", body: `{"email":"nurse@chu-lyon.example","password":"incorrect!!"}`, status: 401,
			contains: []string{"email or password is incorrect"}},
		{name: "login unknown email", method: "POST", path: "/api/v1/auth/login", body: `{"email":"ghost@example.org","password":"incorrect!!"}`, status: 401,
			contains: []string{"email or password is incorrect"}},
		{name: "login without password", method: "POST", path: "/api/v1/auth/login", body: `{"email":"nurse@chu-lyon.example"}`, status: 400,
			contains: []string{"required"}},
		{name: "login password wrong type", method: "POST", path: "/api/v1/auth/login", body: `{"email":"x","password":12}`, status: 400,
			contains: []string{`Field \"password\" must be a string, not a number`}},

		{name: "me", method: "GET", path: "/api/v1/me", as: "maker", status: 200, contains: []string{`"role":"maker"`, `"kind":"makers"`}},
		{name: "me anonymous", method: "GET", path: "/api/v1/me", status: 401, contains: []string{"must log in"}},
		{name: "bad authorization scheme", method: "GET", path: "/api/v1/me", header: http.Header{"Authorization": {"Basic YTpi"}}, status: 401,
			contains: []string{`Bearer \u003ctoken\u003e`}},
		{name: "unknown token", method: "GET", path: "/api/v1/me", header: http.Header{"Authorization": {"Bearer mh_" + strings.Repeat("x", 43)}}, status: 401,
			contains: []string{"not valid"}},
		{name: "malformed token", method: "GET", path: "/api/v1/me", header: http.Header{"Authorization": {"Bearer abc"}}, status: 401,
			contains: []string{"malformed"}},

		{name: "unknown route", method: "GET", path: "/api/v1/nothing", status: 404, contains: []string{"There is no GET /api/v1/nothing"}},
		{name: "wrong method", method: "DELETE", path: "/api/v1/me", as: "maker", status: 405, contains: []string{"method_not_allowed"}},
		{name: "bad organisation id", method: "GET", path: "/api/v1/organisations/abc", as: "maker", status: 400, contains: []string{`ID \"abc\" is not valid`}},
		{name: "bad query parameter", method: "GET", path: "/api/v1/organisations?limit=100000", as: "maker", status: 400, contains: []string{"limit"}},
	})
}

func TestTokenLifecycle(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker := h.NewCaller("maker")

	r := h.Request("POST", "/api/v1/tokens", `{"name":"octoprint bridge","expires_in_days":30}`, maker.Token, nil)
	if r.StatusCode != 201 {
		t.Fatalf("create token: %d %s", r.StatusCode, r.Body)
	}
	var created struct {
		ID    int64
		Token string
		Kind  string
	}
	r.Decode(t, &created)
	if created.Kind != "api" || !strings.HasPrefix(created.Token, "mh_") {
		t.Fatalf("created = %+v", created)
	}
	if r := h.Request("GET", "/api/v1/me", "", created.Token, nil); r.StatusCode != 200 {
		t.Fatalf("API token does not authenticate: %d %s", r.StatusCode, r.Body)
	}
	r = h.Request("GET", "/api/v1/tokens", "", maker.Token, nil)
	if !strings.Contains(r.Body, "octoprint bridge") || strings.Contains(r.Body, created.Token) {
		t.Fatalf("token list %s: want the name, never the secret", r.Body)
	}
	if r := h.Request("POST", "/api/v1/tokens", `{"name":"x","expires_in_days":0}`, maker.Token, nil); r.StatusCode != 400 {
		t.Fatalf("expires_in_days=0: %d", r.StatusCode)
	}

	other := h.NewCaller("maker")
	if r := h.Request("DELETE", "/api/v1/tokens/"+itoa(created.ID), "", other.Token, nil); r.StatusCode != 404 {
		t.Fatalf("revoking another's token: %d, want 404", r.StatusCode)
	}
	if r := h.Request("DELETE", "/api/v1/tokens/"+itoa(created.ID), "", maker.Token, nil); r.StatusCode != 204 {
		t.Fatalf("revoke: %d %s", r.StatusCode, r.Body)
	}
	r = h.Request("GET", "/api/v1/me", "", created.Token, nil)
	if code, msg := errorOf(t, r); r.StatusCode != 401 || code != "unauthorized" || !strings.Contains(msg, "revoked") {
		t.Fatalf("revoked token: %d %s", r.StatusCode, r.Body)
	}
	if r.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}

	// Logout revokes the session token itself.
	if r := h.Request("POST", "/api/v1/auth/logout", "", maker.Token, nil); r.StatusCode != 204 {
		t.Fatalf("logout: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("GET", "/api/v1/me", "", maker.Token, nil); r.StatusCode != 401 {
		t.Fatalf("session still valid after logout: %d", r.StatusCode)
	}
}

func TestOrganisationVerification(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	coord := h.NewCaller("coordinator")
	nurse := h.NewCaller("unverified")
	id := itoa(nurse.User.Organisation.ID)

	r := h.Request("GET", "/api/v1/organisations?kind=hospital&verified=false", "", coord.Token, nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"total":1`) {
		t.Fatalf("unverified hospitals: %d %s", r.StatusCode, r.Body)
	}
	r = h.Request("POST", "/api/v1/organisations/"+id+"/verify", "", coord.Token, nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"verified_at"`) {
		t.Fatalf("verify: %d %s", r.StatusCode, r.Body)
	}
	r = h.Request("GET", "/api/v1/me", "", nurse.Token, nil)
	if !strings.Contains(r.Body, `"verified_at"`) {
		t.Fatalf("nurse's organisation not verified in /me: %s", r.Body)
	}
	if r := h.Request("POST", "/api/v1/organisations/999999/verify", "", coord.Token, nil); r.StatusCode != 404 {
		t.Fatalf("verify missing organisation: %d", r.StatusCode)
	}
	maker := h.NewCaller("maker")
	r = h.Request("POST", "/api/v1/organisations/"+itoa(maker.User.Organisation.ID)+"/verify", "", coord.Token, nil)
	if r.StatusCode != 409 {
		t.Fatalf("verify a maker group: %d %s", r.StatusCode, r.Body)
	}
	r = h.Request("GET", "/api/v1/organisations?verified=maybe", "", coord.Token, nil)
	if r.StatusCode != 400 || !strings.Contains(r.Body, "verified") {
		t.Fatalf("bad verified filter: %d %s", r.StatusCode, r.Body)
	}
}

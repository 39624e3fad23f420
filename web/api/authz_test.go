package api_test

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var callerKinds = []string{"anonymous", "maker", "hospital", "unverified", "coordinator"}

// matrixEntry says, for one route, how to call it as each caller and what
// status each must get.
type matrixEntry struct {
	// prepare returns the path, body and token to send for caller c. The
	// token is c's unless prepare returns another ("" for anonymous).
	prepare func(h *testHub, c *caller, w *world) (path, body, token string)
	want    map[string]int
}

// world is what the matrix requests refer to.
type world struct {
	hospitalOrg int64   // the verified hospital caller's organisation
	author      *caller // the maker who authors the designs below
	draft       int64   // a design of author's whose version 1 is a draft with a file
	draftFile   string  // that file's SHA-256
	prod        *prodWorld
}

func asCaller(path string) func(*testHub, *caller, *world) (string, string, string) {
	return func(_ *testHub, c *caller, _ *world) (string, string, string) { return path, "", c.Token }
}

func all(status int) map[string]int {
	m := map[string]int{}
	for _, k := range callerKinds {
		m[k] = status
	}
	return m
}

func loggedIn(status int) map[string]int {
	m := all(status)
	m["anonymous"] = 401
	return m
}

func coordinatorsOnly(status int) map[string]int {
	return map[string]int{"anonymous": 401, "maker": 403, "hospital": 403, "unverified": 403, "coordinator": status}
}

// authorOrCoordinator: the maker caller is the author of the world's designs.
func authorOrCoordinator(status int) map[string]int {
	return map[string]int{"anonymous": 401, "maker": status, "hospital": 403, "unverified": 403, "coordinator": status}
}

// fresh runs setup as the world's author, for requests that change what
// they act on, then returns path(ids…).
func fresh(setup func(h *testHub, w *world) []any, format, body string) func(*testHub, *caller, *world) (string, string, string) {
	return func(h *testHub, c *caller, w *world) (string, string, string) {
		return path(format, setup(h, w)...), body, c.Token
	}
}

// roleMatrix covers every route of the API. TestRoleMatrixCoversEveryRoute
// fails when a route is added without its row.
var roleMatrix = map[string]matrixEntry{
	"GET /healthz":             {asCaller("/healthz"), all(200)},
	"GET /readyz":              {asCaller("/readyz"), all(200)},
	"GET /metrics":             {asCaller("/metrics"), all(200)},
	"GET /api/v1/openapi.json": {asCaller("/api/v1/openapi.json"), all(200)},
	"POST /api/v1/auth/signup": {func(h *testHub, c *caller, _ *world) (string, string, string) {
		return "/api/v1/auth/signup", signupBody(h.UniqueEmail("new"), "maker", "Fablab"), c.Token
	}, all(201)},
	"POST /api/v1/auth/login": {func(h *testHub, c *caller, _ *world) (string, string, string) {
		email := h.UniqueEmail("login")
		h.Request("POST", "/api/v1/auth/signup", signupBody(email, "maker", "F"), "", nil)
		return "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":"correct horse battery"}`, email), c.Token
	}, all(200)},
	"POST /api/v1/auth/logout": {func(h *testHub, c *caller, _ *world) (string, string, string) {
		if c.User == nil {
			return "/api/v1/auth/logout", "", ""
		}
		return "/api/v1/auth/logout", "", h.Login(c.User.Email) // a fresh session, so c's stays valid
	}, loggedIn(204)},
	"POST /api/v1/auth/password": {func(_ *testHub, c *caller, _ *world) (string, string, string) {
		// The same password again, from the caller's own session, which
		// stays open: the other rows' sessions are the ones revoked.
		return "/api/v1/auth/password", `{"current_password":"correct horse battery","new_password":"correct horse battery"}`, c.Token
	}, loggedIn(204)},
	// The matrix's hub sends no mail: asking for a link is refused with a
	// message that says so, after whoever may ask was told apart.
	"POST /api/v1/auth/password-reset": {func(_ *testHub, c *caller, _ *world) (string, string, string) {
		return "/api/v1/auth/password-reset", `{"email":"someone@example.org"}`, c.Token
	}, all(503)},
	"POST /api/v1/auth/password-reset/confirm": {func(_ *testHub, c *caller, _ *world) (string, string, string) {
		return "/api/v1/auth/password-reset/confirm", `{"token":"mhr_forged","new_password":"a much longer one"}`, c.Token
	}, all(400)},
	"POST /api/v1/users/:id/password-reset": {func(h *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/users/%d/password-reset", w.author.User.ID), "", c.Token
	}, coordinatorsOnly(503)},
	// Each call suspends or reinstates a maker of its own, so that no other
	// row meets a suspended caller.
	"POST /api/v1/users/:id/suspend": {func(h *testHub, c *caller, w *world) (string, string, string) {
		target := h.NewCaller("maker")
		return path("/api/v1/users/%d/suspend", target.User.ID), `{"reason":"matrix"}`, c.Token
	}, coordinatorsOnly(200)},
	"POST /api/v1/users/:id/reinstate": {func(h *testHub, c *caller, w *world) (string, string, string) {
		target := h.NewCaller("maker")
		if c.User != nil && c.User.Role == "coordinator" {
			h.Must(200, "POST", path("/api/v1/users/%d/suspend", target.User.ID), `{"reason":"matrix"}`, c.Token, nil)
		}
		return path("/api/v1/users/%d/reinstate", target.User.ID), "", c.Token
	}, coordinatorsOnly(200)},
	"GET /api/v1/audit":     {asCaller("/api/v1/audit"), coordinatorsOnly(200)},
	"GET /api/v1/audit.csv": {asCaller("/api/v1/audit.csv"), coordinatorsOnly(200)},
	"GET /api/v1/me":        {asCaller("/api/v1/me"), loggedIn(200)},
	"GET /api/v1/tokens":    {asCaller("/api/v1/tokens"), loggedIn(200)},
	"POST /api/v1/tokens": {func(_ *testHub, c *caller, _ *world) (string, string, string) {
		return "/api/v1/tokens", `{"name":"ci"}`, c.Token
	}, loggedIn(201)},
	"DELETE /api/v1/tokens/:id": {func(h *testHub, c *caller, _ *world) (string, string, string) {
		if c.User == nil {
			return "/api/v1/tokens/1", "", ""
		}
		r := h.Request("POST", "/api/v1/tokens", `{"name":"to revoke"}`, c.Token, nil)
		var t struct{ ID int64 }
		r.Decode(h.T, &t)
		return "/api/v1/tokens/" + itoa(t.ID), "", c.Token
	}, loggedIn(204)},
	"GET /api/v1/organisations": {asCaller("/api/v1/organisations"), coordinatorsOnly(200)},
	"GET /api/v1/organisations/:id": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/organisations/" + itoa(w.hospitalOrg), "", c.Token
	}, map[string]int{"anonymous": 401, "maker": 403, "hospital": 200, "unverified": 403, "coordinator": 200}},
	"POST /api/v1/organisations/:id/verify": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/organisations/" + itoa(w.hospitalOrg) + "/verify", "", c.Token
	}, coordinatorsOnly(200)},
	// The matrix's hub sends no mail: inviting is refused with a message
	// that says so, once whoever may invite was told apart.
	"POST /api/v1/organisations/:id/invitations": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/organisations/" + itoa(w.hospitalOrg) + "/invitations", `{"email":"colleague@chu.example"}`, c.Token
	}, map[string]int{"anonymous": 401, "maker": 403, "hospital": 503, "unverified": 403, "coordinator": 503}},
	"GET /api/v1/organisations/:id/invitations": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/organisations/" + itoa(w.hospitalOrg) + "/invitations", "", c.Token
	}, map[string]int{"anonymous": 401, "maker": 403, "hospital": 200, "unverified": 403, "coordinator": 200}},
	"DELETE /api/v1/invitations/:id": {func(_ *testHub, c *caller, _ *world) (string, string, string) {
		return "/api/v1/invitations/999999", "", c.Token // none exists in a hub without mail
	}, loggedIn(404)},
	"PUT /api/v1/organisations/:id/contact": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/organisations/" + itoa(w.hospitalOrg) + "/contact",
			`{"contact_name":"Pharmacie","phone":"+33 4 72 11 00 00","delivery_hours":"8h-16h","delivery_notes":"entrée B"}`, c.Token
	}, map[string]int{"anonymous": 401, "maker": 403, "hospital": 200, "unverified": 403, "coordinator": 200}},

	"GET /api/v1/licences":  {asCaller("/api/v1/licences"), all(200)},
	"GET /api/v1/materials": {asCaller("/api/v1/materials"), all(200)},
	"GET /api/v1/beds":      {asCaller("/api/v1/beds"), all(200)},
	"GET /api/v1/designs":   {asCaller("/api/v1/designs"), all(200)},
	"POST /api/v1/designs": {func(_ *testHub, c *caller, _ *world) (string, string, string) {
		return "/api/v1/designs", `{"title":"Ear saver","category":"ear_saver","licence":"CC0-1.0"}`, c.Token
	}, map[string]int{"anonymous": 401, "maker": 201, "hospital": 403, "unverified": 403, "coordinator": 201}},
	"GET /api/v1/designs/:id": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/designs/%d", w.draft), "", c.Token
	}, all(200)},
	"PATCH /api/v1/designs/:id": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/designs/%d", w.draft), `{"tags":["visor"]}`, c.Token
	}, authorOrCoordinator(200)},
	"GET /api/v1/designs/:id/versions": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/designs/%d/versions", w.draft), "", c.Token
	}, all(200)},
	"POST /api/v1/designs/:id/versions": {fresh(func(h *testHub, w *world) []any {
		return []any{h.NewDesign(w.author)}
	}, "/api/v1/designs/%d/versions", `{"notes":"v1"}`), authorOrCoordinator(201)},
	"GET /api/v1/designs/:id/versions/:n": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/designs/%d/versions/1", w.draft), "", c.Token
	}, authorOrCoordinator(200)},
	"GET /api/v1/designs/:id/versions/:n/okh": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/designs/%d/versions/1/okh", w.draft), "", c.Token
	}, authorOrCoordinator(200)},
	"POST /api/v1/designs/:id/versions/:n/publish": {fresh(func(h *testHub, w *world) []any {
		id, n, _ := h.DraftWithFile(w.author)
		return []any{id, n}
	}, "/api/v1/designs/%d/versions/%d/publish", ""), authorOrCoordinator(200)},
	"POST /api/v1/designs/:id/versions/:n/review": {fresh(func(h *testHub, w *world) []any {
		return []any{h.Published(w.author)}
	}, "/api/v1/designs/%d/versions/1/review", `{"status":"community_reviewed","note":"fits"}`), coordinatorsOnly(200)},
	"POST /api/v1/designs/:id/versions/:n/lifecycle": {fresh(func(h *testHub, w *world) []any {
		return []any{h.Published(w.author)}
	}, "/api/v1/designs/%d/versions/1/lifecycle", `{"lifecycle":"withdrawn","reason":"cracks"}`), coordinatorsOnly(200)},
	"POST /api/v1/designs/:id/versions/:n/files": {func(h *testHub, c *caller, w *world) (string, string, string) {
		id := h.NewDesign(w.author)
		n := h.NewDraft(w.author, id)
		return path("/api/v1/designs/%d/versions/%d/files?name=ear.stl", id, n), string(cubeSTL(float32(100 + h.Seq.Add(1)))), c.Token
	}, authorOrCoordinator(201)},
	"DELETE /api/v1/designs/:id/versions/:n/files/:sha256": {fresh(func(h *testHub, w *world) []any {
		id, n, sum := h.DraftWithFile(w.author)
		return []any{id, n, sum}
	}, "/api/v1/designs/%d/versions/%d/files/%s", ""), authorOrCoordinator(204)},
	"GET /api/v1/files/:sha256": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/files/" + w.draftFile, "", c.Token
	}, authorOrCoordinator(200)},
	"HEAD /api/v1/files/:sha256": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/files/" + w.draftFile, "", c.Token
	}, authorOrCoordinator(200)},
	"GET /api/v1/files/:sha256/thumbnail.png": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/files/" + w.draftFile + "/thumbnail.png", "", c.Token
	}, authorOrCoordinator(200)},
	"HEAD /api/v1/files/:sha256/thumbnail.png": {func(_ *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/files/" + w.draftFile + "/thumbnail.png", "", c.Token
	}, authorOrCoordinator(200)},
}

// ownersOnly are the routes where a member of an organisation is answered
// otherwise than its owner, and how.
var ownersOnly = map[string]int{
	"POST /api/v1/organisations/:id/invitations": 403,
	"GET /api/v1/organisations/:id/invitations":  403,
}

func TestRoleMatrix(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	callers := map[string]*caller{}
	for _, k := range callerKinds {
		callers[k] = h.NewCaller(k)
	}
	w := &world{hospitalOrg: callers["hospital"].User.Organisation.ID, author: callers["maker"]}
	w.draft, _, w.draftFile = h.DraftWithFile(w.author)
	w.prod = h.newProdWorld(w, callers["coordinator"], callers["hospital"])
	// A member of the verified hospital (not its owner) shares what the
	// hospital owns: every route answers them as it answers the hospital's
	// owner, but for managing the organisation's members.
	callers["member"] = h.NewMember(callers["hospital"])
	for route, entry := range roleMatrix {
		method, _, _ := strings.Cut(route, " ")
		want := maps.Clone(entry.want)
		want["member"] = want["hospital"]
		if s, ok := ownersOnly[route]; ok {
			want["member"] = s
		}
		for _, k := range append(slices.Clone(callerKinds), "member") {
			t.Run(route+"/"+k, func(t *testing.T) {
				path, body, token := entry.prepare(h, callers[k], w)
				r := h.Request(method, path, body, token, nil)
				if r.StatusCode != want[k] {
					t.Fatalf("%s as %s: status %d, want %d; body %s", route, k, r.StatusCode, want[k], r.Body)
				}
				if r.StatusCode >= 400 && method != "HEAD" { // HEAD answers carry no body
					errorOf(t, r)
				}
			})
		}
	}
}

func TestRoleMatrixCoversEveryRoute(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	seen := map[string]bool{}
	for _, r := range h.Srv.Routes() {
		key := r.Method + " " + r.Path
		if isPageRoute(r.Path) {
			continue // pages_test.go covers the pages
		}
		seen[key] = true
		if _, ok := roleMatrix[key]; !ok {
			t.Errorf("route %s has no row in roleMatrix", key)
		}
	}
	for key := range roleMatrix {
		if !seen[key] {
			t.Errorf("roleMatrix row %s matches no route", key)
		}
	}
}

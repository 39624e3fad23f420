package api_test

import (
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// TestSuspension: a coordinator suspends a maker who holds a job, with a
// reason. At once the maker's session and API token answer 401 saying the
// account is suspended and why, the maker cannot log in, the job is back in
// the pool for others, and the address cannot sign up again. Reinstated,
// the maker's tokens work again. Refusals change nothing.
func TestSuspension(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker, coord, other := h.NewCaller("maker"), h.NewCaller("coordinator"), h.NewCaller("maker")
	hospital := h.NewCaller("hospital")
	p := &prodWorld{Coord: coord, Hospital: hospital}
	p.Design = h.Published(maker)
	h.NewPrinter(maker)
	h.NewPrinter(other)
	job, _ := h.ClaimedJob(p, maker)
	var api struct{ Token string }
	h.Request("POST", "/api/v1/tokens", `{"name":"octoprint"}`, maker.Token, nil).Decode(t, &api)
	suspend := path("/api/v1/users/%d/suspend", maker.User.ID)

	runScenarios(t, h, map[string]*caller{"maker": other, "coordinator": coord}, []scenario{
		{name: "a maker suspends another", method: "POST", path: suspend, body: `{"reason":"spam"}`, as: "maker", status: 403},
		{name: "no reason", method: "POST", path: suspend, body: `{"reason":"  "}`, as: "coordinator", status: 400,
			contains: []string{"reason is required"}},
		{name: "oneself", method: "POST", path: path("/api/v1/users/%d/suspend", coord.User.ID), body: `{"reason":"x"}`,
			as: "coordinator", status: 409, contains: []string{"your own account"}},
		{name: "nobody", method: "POST", path: "/api/v1/users/999999/suspend", body: `{"reason":"x"}`, as: "coordinator", status: 404},
	})
	if r := h.Request("GET", "/api/v1/me", "", maker.Token, nil); r.StatusCode != 200 {
		t.Fatalf("refusals suspended the maker: %d", r.StatusCode)
	}

	r := h.Request("POST", suspend, `{"reason":"claimed 200 jobs and printed none"}`, coord.Token, nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"reason":"claimed 200 jobs and printed none"`) {
		t.Fatalf("suspend: %d %s", r.StatusCode, r.Body)
	}
	for name, token := range map[string]string{"session": maker.Token, "API token": api.Token} {
		r := h.Request("GET", "/api/v1/me", "", token, nil)
		if code, msg := errorOf(t, r); r.StatusCode != 401 || code != "unauthorized" || !strings.Contains(msg, "suspended") ||
			!strings.Contains(msg, "claimed 200 jobs and printed none") {
			t.Errorf("the suspended maker's %s: %d %s", name, r.StatusCode, r.Body)
		}
	}
	login := `{"email":"` + maker.User.Email + `","password":"correct horse battery"}`
	if r := h.Request("POST", "/api/v1/auth/login", login, "", nil); r.StatusCode != 401 || !strings.Contains(r.Body, "suspended") {
		t.Errorf("a suspended maker logs in: %d %s", r.StatusCode, r.Body)
	}
	r = h.Request("GET", path("/api/v1/jobs/%d", job), "", other.Token, nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"state":"open"`) {
		t.Errorf("the suspended maker's job is not back in the pool: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("POST", path("/api/v1/jobs/%d/claim", job), "", other.Token, nil); r.StatusCode != 200 {
		t.Errorf("another maker cannot claim the released job: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("POST", "/api/v1/auth/signup", signupBody(maker.User.Email, "maker", "Again"), "", nil); r.StatusCode != 409 {
		t.Errorf("the suspended address signs up again: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("POST", suspend, `{"reason":"again"}`, coord.Token, nil); r.StatusCode != 409 {
		t.Errorf("suspending twice: %d", r.StatusCode)
	}

	reinstate := path("/api/v1/users/%d/reinstate", maker.User.ID)
	if r := h.Request("POST", reinstate, "", other.Token, nil); r.StatusCode != 403 {
		t.Errorf("a maker reinstates: %d", r.StatusCode)
	}
	if r := h.Request("POST", reinstate, "", coord.Token, nil); r.StatusCode != 200 || strings.Contains(r.Body, "suspension") {
		t.Fatalf("reinstate: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("GET", "/api/v1/me", "", api.Token, nil); r.StatusCode != 200 {
		t.Errorf("the reinstated maker's API token: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("POST", reinstate, "", coord.Token, nil); r.StatusCode != 409 {
		t.Errorf("reinstating twice: %d", r.StatusCode)
	}
}

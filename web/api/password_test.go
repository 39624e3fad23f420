package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// TestPasswordChange: a person changes their password from one session;
// their other sessions end, the one they used and their API tokens go on,
// the old password no longer logs in and the new one does. Every refusal
// changes nothing.
func TestPasswordChange(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker := h.NewCaller("maker")
	phone := h.Login(maker.User.Email) // a second device
	r := h.Request("POST", "/api/v1/tokens", `{"name":"octoprint bridge"}`, maker.Token, nil)
	var api struct{ Token string }
	r.Decode(t, &api)

	runScenarios(t, h, map[string]*caller{"maker": maker}, []scenario{
		{name: "anonymous", method: "POST", path: "/api/v1/auth/password", body: `{"current_password":"a","new_password":"b"}`,
			status: 401},
		{name: "wrong current password", method: "POST", path: "/api/v1/auth/password", as: "maker",
			body: `{"current_password":"not my password","new_password":"a much longer one"}`, status: 403,
			contains: []string{"current_password is not your password: nothing was changed."}},
		{name: "no current password", method: "POST", path: "/api/v1/auth/password", as: "maker",
			body: `{"new_password":"a much longer one"}`, status: 400, contains: []string{"current_password is required"}},
		{name: "new password too short", method: "POST", path: "/api/v1/auth/password", as: "maker",
			body: `{"current_password":"correct horse battery","new_password":"short"}`, status: 400,
			contains: []string{"new_password must be at least 10 characters long (it has 5)."}},
		{name: "unknown field", method: "POST", path: "/api/v1/auth/password", as: "maker",
			body: `{"current_password":"correct horse battery","password":"a much longer one"}`, status: 400},
	})
	// Nothing changed: the old password still logs in, every session lives.
	h.Login(maker.User.Email)
	if r := h.Request("GET", "/api/v1/me", "", phone, nil); r.StatusCode != 200 {
		t.Fatalf("a refused change ended another session: %d", r.StatusCode)
	}

	r = h.Request("POST", "/api/v1/auth/password",
		`{"current_password":"correct horse battery","new_password":"staple battery horse correct"}`, maker.Token, nil)
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("change: %d %s", r.StatusCode, r.Body)
	}
	for name, token := range map[string]string{"the session it came from": maker.Token, "an API token": api.Token} {
		if r := h.Request("GET", "/api/v1/me", "", token, nil); r.StatusCode != 200 {
			t.Errorf("%s ended with the change: %d", name, r.StatusCode)
		}
	}
	r = h.Request("GET", "/api/v1/me", "", phone, nil)
	if code, _ := errorOf(t, r); r.StatusCode != 401 || code != "unauthorized" {
		t.Errorf("the other device's session survived the change: %d %s", r.StatusCode, r.Body)
	}
	old := fmt.Sprintf(`{"email":%q,"password":"correct horse battery"}`, maker.User.Email)
	if r := h.Request("POST", "/api/v1/auth/login", old, "", nil); r.StatusCode != 401 {
		t.Errorf("the old password still logs in: %d", r.StatusCode)
	}
	fresh := fmt.Sprintf(`{"email":%q,"password":"staple battery horse correct"}`, maker.User.Email)
	if r := h.Request("POST", "/api/v1/auth/login", fresh, "", nil); r.StatusCode != 200 {
		t.Errorf("the new password does not log in: %d %s", r.StatusCode, r.Body)
	}
}

// Guessing the current password from a stolen session is limited like
// logins: after the failures a login may make, the account waits.
func TestPasswordChangeGuessesAreLimited(t *testing.T) {
	limits := accounts.DefaultLoginLimits()
	h := newTestHub(t, accounts.Options{Login: limits})
	maker := h.NewCaller("maker")
	body := `{"current_password":"guess %d","new_password":"a much longer one"}`
	for i := range limits.AccountBurst {
		if r := h.Request("POST", "/api/v1/auth/password", fmt.Sprintf(body, i), maker.Token, nil); r.StatusCode != 403 {
			t.Fatalf("guess %d: %d %s", i, r.StatusCode, r.Body)
		}
	}
	r := h.Request("POST", "/api/v1/auth/password", fmt.Sprintf(body, 5), maker.Token, nil)
	if code, _ := errorOf(t, r); r.StatusCode != 429 || code != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth guess: %d %s", r.StatusCode, r.Body)
	}
}

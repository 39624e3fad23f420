package api_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/internal/testenv"
	"github.com/makerhub/makerhub/web/webtest"
)

// mailHub is a hub that sends mail to a real mailpit, with links to its
// public address.
func mailHub(t *testing.T, opts accounts.Options) (*testHub, *testenv.Mailpit) {
	t.Helper()
	h, mp := webtest.NewHubWithMailpit(t, opts)
	return &testHub{h}, mp
}

var resetLink = regexp.MustCompile(`https://hub\.example\.org/password-reset/confirm\?token=(mhr_[A-Za-z0-9_-]{43})`)

// sendMail sends what the outbox holds, as the hub's mailer does.
func (h *testHub) sendMail(t *testing.T) {
	t.Helper()
	if _, err := h.Notify.SendDueMail(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestPasswordResetByMail: a maker who forgot her password asks for a link
// in French; the mail arrives once, in French, with a link to the hub's
// public address; the link sets a new password once, ends her sessions,
// and a reused, forged or late link changes nothing and says why. Asking
// for an address no account has answers the same and sends nothing.
func TestPasswordResetByMail(t *testing.T) {
	h, mp := mailHub(t, accounts.Options{})
	maker := h.NewCaller("maker")
	ask := func(email string) *response {
		return h.Request("POST", "/api/v1/auth/password-reset", fmt.Sprintf(`{"email":%q}`, email), "",
			map[string][]string{"Content-Type": {"application/json"}, "Accept-Language": {"fr"}})
	}
	// Both answers take at least the same floor, so their timing does not
	// tell either (a lower bound, which a busy machine cannot break).
	var took []time.Duration
	timed := func(email string) *response {
		start := time.Now()
		r := ask(email)
		took = append(took, time.Since(start))
		return r
	}
	known, unknown := timed(maker.User.Email), timed("nobody@example.org")
	for _, d := range took {
		if d < 250*time.Millisecond {
			t.Errorf("a reset request answered in %s, under the 250 ms floor", d)
		}
	}
	if known.StatusCode != 202 || unknown.StatusCode != 202 || known.Body != unknown.Body {
		t.Fatalf("asking tells accounts apart: %d %s / %d %s", known.StatusCode, known.Body, unknown.StatusCode, unknown.Body)
	}
	h.sendMail(t)
	got := mp.Messages(t)
	if len(got) != 1 || got[0].To[0].Address != maker.User.Email || got[0].Subject != "Choisir un nouveau mot de passe makerhub" {
		t.Fatalf("mailpit holds %+v; want one French message to the maker", got)
	}
	m := resetLink.FindStringSubmatch(got[0].Text)
	if m == nil || !strings.Contains(got[0].HTML, m[0]) || !strings.Contains(got[0].Text, "pendant 60 minutes") {
		t.Fatalf("no link to the public address in:\n%s\n%s", got[0].Text, got[0].HTML)
	}
	token := m[1]

	confirm := func(token, password string) *response {
		return h.Request("POST", "/api/v1/auth/password-reset/confirm", fmt.Sprintf(`{"token":%q,"new_password":%q}`, token, password), "", nil)
	}
	if r := confirm("mhr_"+strings.Repeat("A", 43), "a much longer one"); r.StatusCode != 400 || !strings.Contains(r.Body, "not a password reset link of this hub") {
		t.Fatalf("a forged token: %d %s", r.StatusCode, r.Body)
	}
	if r := confirm(token, "short"); r.StatusCode != 400 || !strings.Contains(r.Body, "new_password must be at least 10") {
		t.Fatalf("a short password: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("GET", "/api/v1/me", "", maker.Token, nil); r.StatusCode != 200 {
		t.Fatalf("refused confirmations ended the session: %d", r.StatusCode)
	}
	if r := confirm(token, "a brand new passphrase"); r.StatusCode != 204 {
		t.Fatalf("confirm: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("GET", "/api/v1/me", "", maker.Token, nil); r.StatusCode != 401 {
		t.Errorf("the session survived the reset: %d", r.StatusCode)
	}
	login := func(password string) int {
		return h.Request("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":%q}`, maker.User.Email, password), "", nil).StatusCode
	}
	if login("correct horse battery") != 401 || login("a brand new passphrase") != 200 {
		t.Error("the old password still logs in, or the new one does not")
	}
	if r := confirm(token, "yet another passphrase"); r.StatusCode != 409 || !strings.Contains(r.Body, "used already") {
		t.Fatalf("a reused link: %d %s", r.StatusCode, r.Body)
	}
	if login("a brand new passphrase") != 200 {
		t.Error("a refused reuse changed the password")
	}
}

// A link works within an hour only; a coordinator can send one to anyone.
func TestPasswordResetExpiresAndCoordinatorsSendIt(t *testing.T) {
	clock := testenv.NewClock(time.Now())
	h, mp := mailHub(t, accounts.Options{Now: clock.Now})
	maker, coord := h.NewCaller("maker"), h.NewCaller("coordinator")
	if r := h.Request("POST", path("/api/v1/users/%d/password-reset", maker.User.ID), "", maker.Token, nil); r.StatusCode != 403 {
		t.Fatalf("a maker sends a link: %d", r.StatusCode)
	}
	if r := h.Request("POST", path("/api/v1/users/%d/password-reset", maker.User.ID), "", coord.Token, nil); r.StatusCode != 202 {
		t.Fatalf("a coordinator sends a link: %d %s", r.StatusCode, r.Body)
	}
	h.sendMail(t)
	got := mp.Messages(t)
	if len(got) != 1 || got[0].Subject != "Set a new makerhub password" {
		t.Fatalf("mailpit holds %+v", got)
	}
	token := resetLink.FindStringSubmatch(got[0].Text)[1]
	clock.Add(time.Hour)
	r := h.Request("POST", "/api/v1/auth/password-reset/confirm", fmt.Sprintf(`{"token":%q,"new_password":"a brand new passphrase"}`, token), "", nil)
	if r.StatusCode != 400 || !strings.Contains(r.Body, "expired") {
		t.Fatalf("an expired link: %d %s", r.StatusCode, r.Body)
	}
}

package ui_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/webtest"
)

// TestPasswordResetPages: in French, a nurse who forgot her password finds
// the link on the login page, asks for a mail, follows its link to the
// hub's public address, is refused a short password in French, sets a good
// one and logs in with it. A hub without mail says so on the form.
func TestPasswordResetPages(t *testing.T) {
	wh, mp := webtest.NewHubWithMailpit(t, accounts.Options{})
	h := &testHub{wh}
	nurse := h.NewCaller("hospital")
	fr := func(path string, values url.Values) *response {
		req := h.formRequest(path, values)
		req.Header.Set("Accept-Language", "fr")
		return h.Send(req)
	}

	wantPage(t, h.page("/login", "fr"), 200, `href="/password-reset"`, "Mot de passe oublié\u00a0?")
	wantPage(t, h.page("/password-reset", "fr"), 200, `action="/password-reset"`, `autocomplete="username"`)
	wantPage(t, fr("/password-reset", url.Values{"email": {nurse.User.Email}}), 200, "un lien pour choisir un nouveau mot de passe est en route")
	wantPage(t, fr("/password-reset", url.Values{"email": {"personne@chu.example"}}), 200, "un lien pour choisir un nouveau mot de passe est en route")
	if _, err := h.Notify.SendDueMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := mp.Messages(t)
	if len(got) != 1 || got[0].To[0].Address != nurse.User.Email {
		t.Fatalf("mailpit holds %+v; want one message to the nurse", got)
	}
	link := regexp.MustCompile(`https://hub\.example\.org(/password-reset/confirm\?token=mhr_[A-Za-z0-9_-]{43})`).FindStringSubmatch(got[0].Text)
	if link == nil {
		t.Fatalf("no link to the hub's public address in:\n%s", got[0].Text)
	}
	token := strings.TrimPrefix(link[1], "/password-reset/confirm?token=")
	wantPage(t, h.page(link[1], "fr"), 200, "Choisir un nouveau mot de passe", `value="`+token+`"`, `autocomplete="new-password"`)
	wantPage(t, fr("/password-reset/confirm", url.Values{"token": {token}, "new_password": {"court"}}), 400,
		"Le nouveau mot de passe doit compter au moins 10 caractères (il en a 5).", `value="`+token+`"`)
	r := fr("/password-reset/confirm", url.Values{"token": {token}, "new_password": {"une phrase toute neuve"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/login?done=reset" {
		t.Fatalf("confirm: %d %v\n%s", r.StatusCode, r.Header, r.Body)
	}
	wantPage(t, h.page("/login?done=reset", "fr"), 200, "Votre nouveau mot de passe est enregistré")
	r = h.form("/login", url.Values{"email": {nurse.User.Email}, "password": {"une phrase toute neuve"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/dashboard" {
		t.Fatalf("login with the new password: %d %v", r.StatusCode, r.Header)
	}
	wantPage(t, fr("/password-reset/confirm", url.Values{"token": {token}, "new_password": {"encore une autre phrase"}}), 409, "Ce lien a déjà servi")

	off := newTestHub(t, accounts.Options{})
	req := off.formRequest("/password-reset", url.Values{"email": {"a@chu.example"}})
	req.Header.Set("Accept-Language", "fr")
	wantPage(t, off.Send(req), 503, "Ce hub n’envoie pas d’e-mail")
}

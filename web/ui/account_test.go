package ui_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// TestAccountPasswordChange: a person changes their password on the
// account page, in French; a wrong current password is refused in French
// and changes nothing; the change ends the session on their other device
// and keeps this one.
func TestAccountPasswordChange(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker := h.NewCaller("maker")
	mc := session(maker)
	other := &http.Cookie{Name: "makerhub_session", Value: h.Login(maker.User.Email)} // a second device

	if r := h.page("/account", ""); r.StatusCode != 303 || r.Header.Get("Location") != "/login?next=%2Faccount" {
		t.Fatalf("a visitor's account page: %d %v", r.StatusCode, r.Header)
	}
	wantPage(t, h.page("/account", "fr", mc), 200, "Votre compte", "Changer de mot de passe", maker.User.Email,
		`autocomplete="current-password"`, `autocomplete="new-password"`)

	post := func(values url.Values) *response {
		req := h.formRequest("/account/password", values, mc)
		req.Header.Set("Accept-Language", "fr")
		return h.Send(req)
	}
	wantPage(t, post(url.Values{"current_password": {"not my password"}, "new_password": {"a much longer one"}}), 403,
		"Le mot de passe actuel n’est pas le vôtre\u00a0: rien n’a été changé.")
	wantPage(t, post(url.Values{"current_password": {"correct horse battery"}, "new_password": {"court"}}), 400,
		"Le nouveau mot de passe doit compter au moins 10 caractères (il en a 5).")
	wantPage(t, h.page("/dashboard", "", other), 200) // refused changes ended nothing

	r := post(url.Values{"current_password": {"correct horse battery"}, "new_password": {"staple battery horse correct"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/account?done=password" {
		t.Fatalf("change: %d %v\n%s", r.StatusCode, r.Header, r.Body)
	}
	wantPage(t, h.page("/account?done=password", "en", mc), 200, "Your password is changed, and your other sessions have ended.")
	if r := h.page("/dashboard", "", other); r.StatusCode != 303 {
		t.Errorf("the other device's session survived the change: %d", r.StatusCode)
	}
	wantPage(t, h.page("/dashboard", "", mc), 200)
}

// TestAccountContact: a hospital's staff fill in its delivery details on
// the account page, in French; bad text is refused in French and kept in
// the form; the saved details show again.
func TestAccountContact(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	nurse := h.NewCaller("hospital")
	nc := session(nurse)
	wantPage(t, h.page("/account", "fr", nc), 200, "Coordonnées de", `name="delivery_notes"`, `autocomplete="tel"`)
	post := func(values url.Values) *response {
		req := h.formRequest("/account/contact", values, nc)
		req.Header.Set("Accept-Language", "fr")
		return h.Send(req)
	}
	bad := url.Values{"contact_name": {"Pharmacie"}, "phone": {"04\x01 72"}}
	wantPage(t, post(bad), 400, "Le champ phone contient un caractère de contrôle", `value="Pharmacie"`)
	r := post(url.Values{"contact_name": {"Pharmacie centrale"}, "phone": {"04 72 11 00 00"}, "delivery_hours": {"8h-16h"},
		"delivery_notes": {"Entrée B, quai de livraison"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/account?done=contact" {
		t.Fatalf("save: %d %v\n%s", r.StatusCode, r.Header, r.Body)
	}
	wantPage(t, h.page("/account?done=contact", "fr", nc), 200, "Les coordonnées sont enregistrées.", `value="Pharmacie centrale"`,
		"Entrée B, quai de livraison</textarea>")
}

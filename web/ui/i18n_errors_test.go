package ui_test

import (
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// A French page shows a service's refusal in French; the English page and
// the JSON API, whatever the Accept-Language, keep the English words.
func TestFrenchPageShowsFrenchServiceError(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	bad := signupValues("camille@chu.example")
	bad.Set("password", "short")

	req := h.formRequest("/signup", bad)
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	r := h.Send(req)
	wantPage(t, r, 400, `<html lang="fr">`, "Le mot de passe doit compter au moins 10 caractères (il en a 5).")
	if strings.Contains(r.Body, "at least") {
		t.Errorf("the French page also shows the English message:\n%s", r.Body)
	}
	wantPage(t, h.form("/signup", bad), 400, `<html lang="en">`, "password must be at least 10 characters long (it has 5).")

	api := h.Request("POST", "/api/v1/auth/signup", `{"email":"camille@chu.example","password":"short","name":"Camille","role":"hospital",
		"organisation":{"name":"CHU Grenoble","address":"La Tronche","lat":45.2,"lon":5.75}}`, "", map[string][]string{"Accept-Language": {"fr"}})
	if api.StatusCode != 400 || !strings.Contains(api.Body, `"message":"password must be at least 10 characters long (it has 5)."`) {
		t.Errorf("API: %d %s", api.StatusCode, api.Body)
	}

	// A conflict, with the value the service names.
	if r := h.form("/signup", signupValues("camille@chu.example")); r.StatusCode != 303 {
		t.Fatalf("sign-up: %d %s", r.StatusCode, r.Body)
	}
	req = h.formRequest("/signup", signupValues("camille@chu.example"))
	req.Header.Set("Accept-Language", "fr")
	wantPage(t, h.Send(req), 409, "Un compte existe déjà avec l’adresse e-mail camille@chu.example\u00a0: connectez-vous plutôt.")
}

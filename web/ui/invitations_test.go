package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/webtest"
)

// TestInvitationPages: in French, a fablab's owner invites a colleague from
// the account page; the colleague follows the e-mail's link to a short
// sign-up form that names the fablab, joins it and lands on its dashboard;
// members see no invite form; a broken link says so.
func TestInvitationPages(t *testing.T) {
	wh, mp := webtest.NewHubWithMailpit(t, accounts.Options{})
	h := &testHub{wh}
	owner := h.NewCaller("maker")
	oc := session(owner)
	fr := func(path string, values url.Values, cookies ...*http.Cookie) *response {
		req := h.formRequest(path, values, cookies...)
		req.Header.Set("Accept-Language", "fr")
		return h.Send(req)
	}
	wantPage(t, h.page("/account", "fr", oc), 200, "Inviter un·e collègue", `action="/account/invitations"`)
	wantPage(t, fr("/account/invitations", url.Values{"email": {"pas une adresse"}}, oc), 400, "n’est pas une adresse")
	r := fr("/account/invitations", url.Values{"email": {"camille@fablab.example"}, "role": {"member"}}, oc)
	if r.StatusCode != 303 || r.Header.Get("Location") != "/account?done=invited" {
		t.Fatalf("invite: %d %v\n%s", r.StatusCode, r.Header, r.Body)
	}
	wantPage(t, h.page("/account?done=invited", "fr", oc), 200, "L’invitation est en route.", "camille@fablab.example · en attente jusqu’au")
	if _, err := h.Notify.SendDueMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := mp.Messages(t)
	if len(got) != 1 {
		t.Fatalf("mailpit holds %d messages", len(got))
	}
	link := regexp.MustCompile(`https://hub\.example\.org(/signup\?invitation=mhi_[A-Za-z0-9_-]{43})`).FindStringSubmatch(got[0].Text)
	if link == nil {
		t.Fatalf("no invitation link in:\n%s", got[0].Text)
	}
	token := strings.TrimPrefix(link[1], "/signup?invitation=")
	page := h.page(link[1], "fr")
	wantPage(t, page, 200, "Vous êtes invité·e à rejoindre "+owner.User.Organisation.Name, `value="camille@fablab.example"`)
	if strings.Contains(page.Body, `name="org_name"`) || strings.Contains(page.Body, `name="role"`) {
		t.Fatal("the invited sign-up asks for an organisation or a role")
	}
	r = fr("/signup", url.Values{"invitation": {token}, "invited_to": {owner.User.Organisation.Name}, "name": {"Camille"},
		"email": {"camille@fablab.example"}, "password": {"une longue phrase de passe"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/dashboard" {
		t.Fatalf("sign-up with the invitation: %d %v\n%s", r.StatusCode, r.Header, r.Body)
	}
	var member *http.Cookie
	for _, ck := range r.Cookies() {
		if ck.Name == "makerhub_session" {
			member = ck
		}
	}
	if member == nil {
		t.Fatal("the invited sign-up set no session cookie")
	}
	if p := h.page("/account", "fr", member); strings.Contains(p.Body, `action="/account/invitations"`) {
		t.Error("a member is offered the invite form")
	}
	wantPage(t, h.page("/signup?invitation=mhi_abc", "fr"), 400, "Ce n’est pas un lien d’invitation de ce hub")
}

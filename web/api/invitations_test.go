package api_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/internal/testenv"
)

var inviteLink = regexp.MustCompile(`https://hub\.example\.org/signup\?invitation=(mhi_[A-Za-z0-9_-]{43})`)

// TestInvitations: the owner of a verified hospital invites a colleague in
// French; the mail arrives with a link; signing up through it with the
// invited address joins the hospital as a member, verified already (she
// can file a request at once), and the link works only once. A member
// cannot invite; an address with an account, another address, a withdrawn
// or an expired invitation are refused, each saying why.
func TestInvitations(t *testing.T) {
	clock := testenv.NewClock(time.Now())
	h, mp := mailHub(t, accounts.Options{Now: clock.Now})
	owner, maker := h.NewCaller("hospital"), h.NewCaller("maker")
	org := owner.User.Organisation.ID
	invitations := path("/api/v1/organisations/%d/invitations", org)
	fr := map[string][]string{"Content-Type": {"application/json"}, "Accept-Language": {"fr"}}

	if r := h.Request("POST", invitations, `{"email":"infirmiere@chu.example"}`, maker.Token, nil); r.StatusCode != 403 {
		t.Fatalf("an outsider invites: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("POST", invitations, `{"email":"`+maker.User.Email+`"}`, owner.Token, nil); r.StatusCode != 409 ||
		!strings.Contains(r.Body, "has an account already") {
		t.Fatalf("inviting an address with an account: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("POST", invitations, `{"email":"x@chu.example","role":"boss"}`, owner.Token, nil); r.StatusCode != 400 {
		t.Fatalf("an unknown role: %d %s", r.StatusCode, r.Body)
	}
	r := h.Request("POST", invitations, `{"email":"Infirmiere@CHU.example"}`, owner.Token, fr)
	if r.StatusCode != 201 || !strings.Contains(r.Body, `"email":"infirmiere@chu.example"`) || !strings.Contains(r.Body, `"role":"member"`) {
		t.Fatalf("invite: %d %s", r.StatusCode, r.Body)
	}
	h.sendMail(t)
	got := mp.Messages(t)
	if len(got) != 1 || got[0].To[0].Address != "infirmiere@chu.example" || !strings.HasPrefix(got[0].Subject, "Rejoindre Org ") {
		t.Fatalf("mailpit holds %+v", got)
	}
	token := inviteLink.FindStringSubmatch(got[0].Text)[1]

	signup := func(email string, extra string) *response {
		return h.Request("POST", "/api/v1/auth/signup", fmt.Sprintf(`{"invitation":%q,"email":%q,"password":"correct horse battery","name":"Infirmière"%s}`,
			token, email, extra), "", nil)
	}
	for _, bad := range []struct {
		email, extra, want string
		status             int
	}{
		{"autre@chu.example", "", "This invitation is for infirmiere@chu.example", 400},
		{"infirmiere@chu.example", `,"organisation":{"name":"X","address":"Y","lat":1,"lon":1}`, "organisation must be left out", 400},
	} {
		if r := signup(bad.email, bad.extra); r.StatusCode != bad.status || !strings.Contains(r.Body, bad.want) {
			t.Errorf("sign-up %s%s: %d %s; want %d saying %q", bad.email, bad.extra, r.StatusCode, r.Body, bad.status, bad.want)
		}
	}
	r = signup("infirmiere@chu.example", "")
	if r.StatusCode != 201 || !strings.Contains(r.Body, fmt.Sprintf(`"organisation":{"id":%d`, org)) || !strings.Contains(r.Body, `"org_role":"member"`) ||
		!strings.Contains(r.Body, `"role":"hospital"`) || !strings.Contains(r.Body, `"verified_at"`) {
		t.Fatalf("sign-up with the invitation: %d %s", r.StatusCode, r.Body)
	}
	member := h.Login("infirmiere@chu.example")
	design := h.Published(maker)
	h.Must(201, "POST", "/api/v1/requests", fmt.Sprintf(`{"design_id":%d,"quantity":20,"needed_by":%q}`, design,
		clock.Now().AddDate(0, 0, 10).Format("2006-01-02")), member, nil)
	if r := signup("infirmiere@chu.example", ""); r.StatusCode != 409 || !strings.Contains(r.Body, "used already") {
		t.Errorf("the link used twice: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("POST", invitations, `{"email":"third@chu.example"}`, member, nil); r.StatusCode != 403 {
		t.Errorf("a member invites: %d %s", r.StatusCode, r.Body)
	}

	// A withdrawn invitation, and one too old.
	var inv struct{ ID int64 }
	h.Request("POST", invitations, `{"email":"late@chu.example"}`, owner.Token, nil).Decode(t, &inv)
	h.Request("POST", invitations, `{"email":"withdrawn@chu.example"}`, owner.Token, nil)
	var withdrawn struct{ ID int64 }
	r = h.Request("GET", invitations, "", owner.Token, nil)
	var list []struct {
		ID    int64
		Email string
	}
	r.Decode(t, &list)
	for _, i := range list {
		if i.Email == "withdrawn@chu.example" {
			withdrawn.ID = i.ID
		}
	}
	h.Must(200, "DELETE", path("/api/v1/invitations/%d", withdrawn.ID), "", owner.Token, nil)
	h.sendMail(t)
	tokens := map[string]string{}
	for _, m := range mp.Messages(t) {
		tokens[m.To[0].Address] = inviteLink.FindStringSubmatch(m.Text)[1]
	}
	token = tokens["withdrawn@chu.example"]
	if r := signup("withdrawn@chu.example", ""); r.StatusCode != 400 || !strings.Contains(r.Body, "withdrawn") {
		t.Errorf("a withdrawn invitation: %d %s", r.StatusCode, r.Body)
	}
	clock.Add(accounts.InvitationValidity)
	token = tokens["late@chu.example"]
	if r := signup("late@chu.example", ""); r.StatusCode != 400 || !strings.Contains(r.Body, "expired") {
		t.Errorf("an expired invitation: %d %s", r.StatusCode, r.Body)
	}
	token = "mhi_" + strings.Repeat("A", 43)
	if r := signup("forged@chu.example", ""); r.StatusCode != 400 || !strings.Contains(r.Body, "not an invitation link") {
		t.Errorf("a forged invitation: %d %s", r.StatusCode, r.Body)
	}
}

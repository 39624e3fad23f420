package api_test

import (
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// TestOrganisationContact: a hospital signs up with its delivery details,
// its staff change them, and whoever may see the organisation reads them;
// bad text is refused and stores nothing; outsiders cannot change them.
func TestOrganisationContact(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	body := `{"email":"cadre@chu.example","password":"correct horse battery","name":"Cadre","role":"hospital",
		"organisation":{"name":"CHU","address":"Lyon","lat":45.7,"lon":4.8,"contact_name":"Pharmacie centrale","delivery_notes":"entrée B"}}`
	r := h.Request("POST", "/api/v1/auth/signup", body, "", nil)
	if r.StatusCode != 201 || !strings.Contains(r.Body, `"contact_name":"Pharmacie centrale"`) || !strings.Contains(r.Body, `"delivery_notes":"entrée B"`) {
		t.Fatalf("sign-up with contact details: %d %s", r.StatusCode, r.Body)
	}
	var u struct{ Organisation struct{ ID int64 } }
	r.Decode(t, &u)
	staff := h.Login("cadre@chu.example")
	contact := path("/api/v1/organisations/%d/contact", u.Organisation.ID)
	good := `{"contact_name":"Pharmacie","phone":"+33 4 72 11 00 00","delivery_hours":"lun.-ven. 8h-16h","delivery_notes":"Entrée B,\nquai de livraison"}`
	maker := h.NewCaller("maker")

	runScenarios(t, h, map[string]*caller{"maker": maker}, []scenario{
		{name: "an outsider", method: "PUT", path: contact, body: good, as: "maker", status: 403},
	})
	for _, bad := range []struct{ body, want string }{
		{`{"phone":"04\u0000 72"}`, "phone contains a control character"},
		{`{"contact_name":"` + strings.Repeat("x", 201) + `"}`, "contact_name is 201 characters long; the limit is 200."},
		{`{"phone":"04","fax":"05"}`, "fax"},
	} {
		r := h.Request("PUT", contact, bad.body, staff, nil)
		if r.StatusCode != 400 || !strings.Contains(r.Body, bad.want) {
			t.Errorf("%s: %d %s; want 400 saying %q", bad.body, r.StatusCode, r.Body, bad.want)
		}
	}
	r = h.Request("GET", path("/api/v1/organisations/%d", u.Organisation.ID), "", staff, nil)
	if !strings.Contains(r.Body, `"contact_name":"Pharmacie centrale"`) {
		t.Fatalf("a refused change changed something: %s", r.Body)
	}
	r = h.Request("PUT", contact, good, staff, nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"phone":"+33 4 72 11 00 00"`) || !strings.Contains(r.Body, `quai de livraison`) {
		t.Fatalf("change: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("GET", "/api/v1/me", "", staff, nil); !strings.Contains(r.Body, `"delivery_hours":"lun.-ven. 8h-16h"`) {
		t.Errorf("the staff's own view is stale: %s", r.Body)
	}
}

package ui_test

import (
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// TestAuditPage: a coordinator reads the trail in French, filters it by
// action and finds the CSV of the same entries; a maker is refused.
func TestAuditPage(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	coord, maker, nurse := h.NewCaller("coordinator"), h.NewCaller("maker"), h.NewCaller("unverified")
	h.Must(200, "POST", path("/api/v1/organisations/%d/verify", nurse.User.Organisation.ID), "", coord.Token, nil)
	h.Must(200, "POST", path("/api/v1/users/%d/suspend", maker.User.ID), `{"reason":"tests the page"}`, coord.Token, nil)
	cc := session(coord)
	wantPage(t, h.page("/dashboard", "fr", cc), 200, `href="/dashboard/audit"`)
	wantPage(t, h.page("/dashboard/audit", "fr", cc), 200, "Journal d’audit", "organisation.verify", "user.suspend", "tests the page", "<td>Coord</td>", "\u00a0UTC")
	p := h.page("/dashboard/audit?action=user.suspend", "fr", cc)
	wantPage(t, p, 200, "user.suspend", `href="/api/v1/audit.csv?action=user.suspend&amp;limit=100&amp;offset=0"`)
	if strings.Contains(p.Body, "organisation.verify</td>") {
		t.Error("the filter let another action through")
	}
	other := h.NewCaller("maker")
	wantPage(t, h.page("/dashboard/audit", "fr", session(other)), 403)
}

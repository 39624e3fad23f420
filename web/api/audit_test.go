package api_test

import (
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// TestAuditTrail: what coordinators do is in the trail with who, what and
// the values before and after — verifying a hospital, reviewing a version,
// running routing, cancelling a job, suspending someone — and what makers
// do is not; filters narrow it, the CSV export carries it, and nobody can
// change or remove an entry.
func TestAuditTrail(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	coord, maker, nurse := h.NewCaller("coordinator"), h.NewCaller("maker"), h.NewCaller("unverified")
	h.Must(200, "POST", path("/api/v1/organisations/%d/verify", nurse.User.Organisation.ID), "", coord.Token, nil)
	p := &prodWorld{Coord: coord, Hospital: nurse}
	p.Design = h.Published(maker)
	h.NewPrinter(maker)
	req := h.NewRequest(p, 10)
	job := h.NewPoolJob(p, req)
	h.Must(200, "POST", path("/api/v1/jobs/%d/cancel", job), `{"reason":"duplicate request"}`, coord.Token, nil)
	h.Must(201, "POST", "/api/v1/routing/runs", "", coord.Token, nil)
	h.Must(200, "POST", path("/api/v1/users/%d/suspend", maker.User.ID), `{"reason":"tests the trail"}`, coord.Token, nil)

	var all struct {
		Items []struct {
			ActorID    int64 `json:"actor_id"`
			Action     string
			TargetType string `json:"target_type"`
			TargetID   int64  `json:"target_id"`
			Before     string
			After      string
		}
		Total int
	}
	h.Must(200, "GET", "/api/v1/audit", "", coord.Token, &all)
	actions := map[string]bool{}
	for _, e := range all.Items {
		if e.ActorID != coord.User.ID {
			t.Errorf("an entry by %d, not the coordinator: %+v", e.ActorID, e)
		}
		actions[e.Action] = true
	}
	for _, want := range []string{"organisation.verify", "job.cancel", "routing.run", "user.suspend"} {
		if !actions[want] {
			t.Errorf("the trail lacks %s: %v", want, actions)
		}
	}
	var cancel struct {
		Items []struct{ Before, After string }
		Total int
	}
	h.Must(200, "GET", path("/api/v1/audit?action=job.cancel&target_type=job&target_id=%d", job), "", coord.Token, &cancel)
	if cancel.Total != 1 || cancel.Items[0].Before != `{"state":"open"}` || cancel.Items[0].After != `{"state":"cancelled"}` {
		t.Errorf("the job's cancellation: %+v", cancel)
	}
	if r := h.Request("GET", "/api/v1/audit?from=yesterday", "", coord.Token, nil); r.StatusCode != 400 || !strings.Contains(r.Body, "from=") {
		t.Errorf("a bad date: %d %s", r.StatusCode, r.Body)
	}
	r := h.Request("GET", "/api/v1/audit.csv?action=user.suspend", "", coord.Token, nil)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Body, "\ufeffid,at_utc,actor_id,action") || !strings.Contains(r.Body, "user.suspend") ||
		!strings.Contains(r.Body, `"{""reason"":""tests the trail""}"`) {
		t.Errorf("the CSV: %d %q", r.StatusCode, r.Body)
	}
	for _, stmt := range []string{`UPDATE audit_log SET action = 'nothing'`, `DELETE FROM audit_log`} {
		if _, err := h.DB.Exec(stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v; the trail must refuse it", stmt, err)
		}
	}
}

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/production/notify"
)

// TestProductionJourney takes a verified hospital's request through
// routing to a maker's claim, progress and completion, entirely over HTTP,
// with the maker group's chat following through a signed webhook.
func TestProductionJourney(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	callers := map[string]*caller{}
	for _, k := range []string{"maker", "hospital", "unverified", "coordinator"} {
		callers[k] = h.NewCaller(k)
	}
	maker := callers["maker"]
	p := &prodWorld{Coord: callers["coordinator"], Hospital: callers["hospital"]}
	p.Design = h.Published(maker)
	h.NewPrinter(maker)
	soon := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
	past := time.Now().AddDate(0, 0, -1).Format("2006-01-02")

	// The maker group's chat bridge: a real HTTP receiver on loopback.
	var mu sync.Mutex
	var got []notify.Payload
	var sigErr error
	bridge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		var pl notify.Payload
		json.Unmarshal(body, &pl)
		got = append(got, pl)
		if sigErr == nil {
			sigErr = notify.VerifySignature(secretOf(t, maker), r.Header.Get(notify.HeaderTimestamp), string(body), r.Header.Get(notify.HeaderSignature))
		}
	}))
	defer bridge.Close()
	var wh notify.CreatedWebhook
	h.Must(201, "POST", path("/api/v1/organisations/%d/webhooks", maker.User.Organisation.ID),
		fmt.Sprintf(`{"url":%q,"events":["job.offered"]}`, bridge.URL), maker.Token, &wh)
	webhookSecrets.Store(maker.User.Organisation.ID, wh.Secret)

	runScenarios(t, h, callers, []scenario{
		{name: "unverified hospital", method: "POST", path: "/api/v1/requests", as: "unverified", status: 403,
			body: fmt.Sprintf(`{"design_id":%d,"quantity":50,"needed_by":%q}`, p.Design, soon), contains: []string{"not verified"}},
		{name: "zero quantity", method: "POST", path: "/api/v1/requests", as: "hospital", status: 400,
			body: fmt.Sprintf(`{"design_id":%d,"quantity":0,"needed_by":%q}`, p.Design, soon), contains: []string{"quantity"}},
		{name: "negative quantity", method: "POST", path: "/api/v1/requests", as: "hospital", status: 400,
			body: fmt.Sprintf(`{"design_id":%d,"quantity":-3,"needed_by":%q}`, p.Design, soon), contains: []string{"quantity"}},
		{name: "date in the past", method: "POST", path: "/api/v1/requests", as: "hospital", status: 400,
			body: fmt.Sprintf(`{"design_id":%d,"quantity":5,"needed_by":%q}`, p.Design, past), contains: []string{"needed_by", "past"}},
		{name: "unknown design", method: "POST", path: "/api/v1/requests", as: "hospital", status: 404,
			body: fmt.Sprintf(`{"design_id":987654,"quantity":5,"needed_by":%q}`, soon), contains: []string{"987654"}},
		{name: "quantity as text", method: "POST", path: "/api/v1/requests", as: "hospital", status: 400,
			body: fmt.Sprintf(`{"design_id":%d,"quantity":"fifty","needed_by":%q}`, p.Design, soon), contains: []string{"quantity"}},
		{name: "impossible printer", method: "POST", path: "/api/v1/printers", as: "maker", status: 400,
			body: `{"name":"X","bed_mm":[220,-220,250],"materials":["PLA"],"hours_per_day":8}`, contains: []string{"bed_mm[1]"}},
		{name: "printer for 30 hours a day", method: "POST", path: "/api/v1/printers", as: "maker", status: 400,
			body: `{"name":"X","bed_mm":[220,220,250],"materials":["PLA"],"hours_per_day":30}`, contains: []string{"hours_per_day"}},
		{name: "unknown job", method: "POST", path: "/api/v1/jobs/424242/claim", as: "maker", status: 404, contains: []string{"424242"}},
	})
	if n := count(t, h, `SELECT count(*) FROM requests`); n != 0 {
		t.Fatalf("refused requests stored %d rows", n)
	}

	// The hospital asks for 50; the coordinator routes; the maker is offered jobs.
	var req struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/requests", fmt.Sprintf(`{"design_id":%d,"quantity":50,"priority":"critical","needed_by":%q}`, p.Design, soon), p.Hospital.Token, &req)
	var run struct {
		ID   int64
		Jobs []struct {
			ID        int64
			Quantity  int
			OfferedTo int64 `json:"offered_to"`
		}
	}
	h.Must(201, "POST", "/api/v1/routing/runs", "", p.Coord.Token, &run)
	if len(run.Jobs) == 0 {
		t.Fatalf("routing made no job")
	}
	var offered struct {
		Items []struct{ ID, Quantity int64 }
		Total int
	}
	h.Must(200, "GET", "/api/v1/jobs?scope=mine", "", maker.Token, &offered)
	if offered.Total != len(run.Jobs) {
		t.Fatalf("maker sees %d offered jobs, routing made %d", offered.Total, len(run.Jobs))
	}
	job := run.Jobs[0]

	// Twenty makers' requests race for the job; exactly one gets it.
	codes := make([]int, 20)
	tokens := make([]string, 20)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			r := h.Request("POST", path("/api/v1/jobs/%d/claim", job.ID), "", maker.Token, nil)
			codes[i] = r.StatusCode
			var c struct {
				LeaseToken string `json:"lease_token"`
			}
			json.Unmarshal([]byte(r.Body), &c)
			tokens[i] = c.LeaseToken
		})
	}
	wg.Wait()
	lease := ""
	for i, c := range codes {
		switch c {
		case 200:
			if lease != "" {
				t.Fatalf("two claims answered 200: %v", codes)
			}
			lease = tokens[i]
		case 409:
		default:
			t.Fatalf("claim answered %d: %v", c, codes)
		}
	}
	if lease == "" {
		t.Fatalf("no claim won: %v", codes)
	}
	h.Must(200, "POST", path("/api/v1/jobs/%d/progress", job.ID), fmt.Sprintf(`{"lease_token":%q,"printed":2,"note":"first plate"}`, lease), maker.Token, nil)
	h.Must(403, "POST", path("/api/v1/jobs/%d/progress", job.ID), `{"lease_token":"guess","printed":3}`, maker.Token, nil)
	var done struct {
		State    string
		Quantity int
	}
	h.Must(200, "POST", path("/api/v1/jobs/%d/complete", job.ID), fmt.Sprintf(`{"lease_token":%q}`, lease), maker.Token, &done)
	if done.State != "printed" || done.Quantity != job.Quantity {
		t.Fatalf("completed job %+v", done)
	}
	var events struct {
		Jobs []struct{ From, To string } `json:"jobs"`
	}
	h.Must(200, "GET", path("/api/v1/requests/%d/events", req.ID), "", p.Hospital.Token, &events)
	var history []string
	for _, e := range events.Jobs {
		history = append(history, e.From+">"+e.To)
	}
	if len(history) < 4 {
		t.Fatalf("request history %v", history)
	}

	// The bridge received every offer, signed with the webhook's secret.
	if _, err := h.Notify.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// One message per maker per run, however many jobs it offers them.
	if len(got) != 1 || got[0].Event != notify.KindJobOffered {
		t.Fatalf("bridge got %d deliveries (%+v), want 1 job.offered for %d jobs", len(got), got, len(run.Jobs))
	}
	if sigErr != nil {
		t.Fatalf("signature: %v", sigErr)
	}
}

// webhookSecrets keeps the secrets the test's webhooks were created with.
var webhookSecrets sync.Map

func secretOf(t *testing.T, c *caller) string {
	s, ok := webhookSecrets.Load(c.User.Organisation.ID)
	if !ok {
		t.Errorf("no webhook secret for organisation %d", c.User.Organisation.ID)
		return ""
	}
	return s.(string)
}

func count(t *testing.T, h *testHub, q string, args ...any) int {
	t.Helper()
	var n int
	if err := h.DB.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

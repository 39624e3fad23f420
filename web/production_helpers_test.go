package web_test

import (
	"context"
	"fmt"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/production/notify"
)

// prodWorld is what the production rows of the role matrix act on.
type prodWorld struct {
	coord    *caller
	hospital *caller // verified
	design   int64   // published by the maker, printable on its printer
	printer  int64   // the maker's
	request  int64   // the hospital's, for 1000 units
	job      int64   // a pool job for request
	webhook  int64   // on the hospital's organisation
}

func (h *testHub) newProdWorld(w *world, coord, hospital *caller) *prodWorld {
	h.t.Helper()
	p := &prodWorld{coord: coord, hospital: hospital}
	p.design = h.published(w.author)
	p.printer = h.newPrinter(w.author)
	p.request = h.newRequest(p, 1000)
	p.job = h.newPoolJob(p, p.request)
	p.webhook = h.newWebhook(hospital, hospital.user.Organisation.ID)
	return p
}

// must sends a request and fails the test unless it gets status want; it
// decodes the answer into v (if not nil).
func (h *testHub) must(want int, method, path, body, token string, v any) {
	h.t.Helper()
	r := h.request(method, path, body, token, nil)
	if r.StatusCode != want {
		h.t.Fatalf("%s %s: %d, want %d: %s", method, path, r.StatusCode, want, r.body)
	}
	if v != nil {
		r.decode(h.t, v)
	}
}

func (h *testHub) newPrinter(maker *caller) int64 {
	h.t.Helper()
	var p struct{ ID int64 }
	h.must(201, "POST", "/api/v1/printers", `{"name":"Ender-3","bed_mm":[220,220,250],"materials":["PLA"],"hours_per_day":12}`, maker.token, &p)
	return p.ID
}

func (h *testHub) newRequest(p *prodWorld, units int) int64 {
	h.t.Helper()
	var r struct{ ID int64 }
	body := fmt.Sprintf(`{"design_id":%d,"quantity":%d,"priority":"high","needed_by":%q}`, p.design, units,
		time.Now().AddDate(0, 0, 14).Format("2006-01-02"))
	h.must(201, "POST", "/api/v1/requests", body, p.hospital.token, &r)
	return r.ID
}

func (h *testHub) newPoolJob(p *prodWorld, request int64) int64 {
	h.t.Helper()
	var j struct{ ID int64 }
	h.must(201, "POST", "/api/v1/jobs", fmt.Sprintf(`{"request_id":%d,"quantity":1}`, request), p.coord.token, &j)
	return j.ID
}

// claimedJob is a fresh pool job claimed by maker, with its lease token.
func (h *testHub) claimedJob(p *prodWorld, maker *caller) (int64, string) {
	h.t.Helper()
	id := h.newPoolJob(p, h.newRequest(p, 3))
	var c struct {
		LeaseToken string `json:"lease_token"`
	}
	h.must(200, "POST", path("/api/v1/jobs/%d/claim", id), "", maker.token, &c)
	return id, c.LeaseToken
}

func (h *testHub) newWebhook(c *caller, org int64) int64 {
	h.t.Helper()
	var wh struct{ ID int64 }
	h.must(201, "POST", path("/api/v1/organisations/%d/webhooks", org), `{"url":"https://chat.example.org/hook","events":["*"]}`, c.token, &wh)
	return wh.ID
}

// notice records a notification for a user (and their organisation), as
// production does inside its own transactions.
func (h *testHub) notice(u *makerhub.User, org int64) int64 {
	h.t.Helper()
	ctx := context.Background()
	n := notify.Notification{Kind: notify.KindRequestAllocated, Title: "10 units offered", Link: "/api/v1/requests"}
	if u != nil {
		n.UserID = &u.ID
	}
	if org != 0 {
		n.OrganisationID = &org
	}
	if err := h.notify.Enqueue(ctx, n); err != nil {
		h.t.Fatal(err)
	}
	var id int64
	if err := h.db.QueryRow(`SELECT max(id) FROM notifications`).Scan(&id); err != nil {
		h.t.Fatal(err)
	}
	return id
}

// failedDelivery is a delivery to the world's webhook that has given up.
func (h *testHub) failedDelivery(p *prodWorld) int64 {
	h.t.Helper()
	h.notice(nil, p.hospital.user.Organisation.ID)
	var id int64
	if err := h.db.QueryRow(`UPDATE webhook_deliveries SET status = 'failed', attempts = 10, next_attempt_at = NULL
		WHERE id = (SELECT max(id) FROM webhook_deliveries WHERE webhook_id = ?) RETURNING id`, p.webhook).Scan(&id); err != nil {
		h.t.Fatal(err)
	}
	return id
}

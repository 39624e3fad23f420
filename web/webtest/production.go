package webtest

import (
	"context"
	"fmt"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/production/notify"
)

// ProdWorld is what the production rows of the role matrix act on.
type ProdWorld struct {
	Coord    *Caller
	Hospital *Caller // verified
	Design   int64   // published by the maker, printable on its printer
	Printer  int64   // the maker's
	Request  int64   // the hospital's, for 1000 units
	Job      int64   // a pool job for request
	Webhook  int64   // on the hospital's organisation
}

// Must sends a request and fails the test unless it gets status want; it
// decodes the answer into v (if not nil).
func (h *Hub) Must(want int, method, path, body, token string, v any) {
	h.T.Helper()
	r := h.Request(method, path, body, token, nil)
	if r.StatusCode != want {
		h.T.Fatalf("%s %s: %d, want %d: %s", method, path, r.StatusCode, want, r.Body)
	}
	if v != nil {
		r.Decode(h.T, v)
	}
}

func (h *Hub) NewPrinter(maker *Caller) int64 {
	h.T.Helper()
	var p struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/printers", `{"name":"Ender-3","bed_mm":[220,220,250],"materials":["PLA"],"hours_per_day":12}`, maker.Token, &p)
	return p.ID
}

func (h *Hub) NewRequest(p *ProdWorld, units int) int64 {
	h.T.Helper()
	var r struct{ ID int64 }
	body := fmt.Sprintf(`{"design_id":%d,"quantity":%d,"priority":"high","needed_by":%q}`, p.Design, units,
		time.Now().AddDate(0, 0, 14).Format("2006-01-02"))
	h.Must(201, "POST", "/api/v1/requests", body, p.Hospital.Token, &r)
	return r.ID
}

func (h *Hub) NewPoolJob(p *ProdWorld, request int64) int64 {
	h.T.Helper()
	var j struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/jobs", fmt.Sprintf(`{"request_id":%d,"quantity":1}`, request), p.Coord.Token, &j)
	return j.ID
}

// ClaimedJob is a fresh pool job claimed by maker, with its lease token.
func (h *Hub) ClaimedJob(p *ProdWorld, maker *Caller) (int64, string) {
	h.T.Helper()
	id := h.NewPoolJob(p, h.NewRequest(p, 3))
	var c struct {
		LeaseToken string `json:"lease_token"`
	}
	h.Must(200, "POST", Path("/api/v1/jobs/%d/claim", id), "", maker.Token, &c)
	return id, c.LeaseToken
}

func (h *Hub) NewWebhook(c *Caller, org int64) int64 {
	h.T.Helper()
	var wh struct{ ID int64 }
	h.Must(201, "POST", Path("/api/v1/organisations/%d/webhooks", org), `{"url":"https://chat.example.org/hook","events":["*"]}`, c.Token, &wh)
	return wh.ID
}

// Notice records a notification for a user (and their organisation), as
// production does inside its own transactions.
func (h *Hub) Notice(u *makerhub.User, org int64) int64 {
	h.T.Helper()
	ctx := context.Background()
	n := notify.Notification{Kind: notify.KindRequestAllocated, Title: "10 units offered", Link: "/api/v1/requests"}
	if u != nil {
		n.UserID = &u.ID
	}
	if org != 0 {
		n.OrganisationID = &org
	}
	if err := h.Notify.Enqueue(ctx, n); err != nil {
		h.T.Fatal(err)
	}
	var id int64
	if err := h.DB.QueryRow(`SELECT max(id) FROM notifications`).Scan(&id); err != nil {
		h.T.Fatal(err)
	}
	return id
}

// FailedDelivery is a delivery to the world's webhook that has given up.
func (h *Hub) FailedDelivery(p *ProdWorld) int64 {
	h.T.Helper()
	h.Notice(nil, p.Hospital.User.Organisation.ID)
	var id int64
	if err := h.DB.QueryRow(`UPDATE webhook_deliveries SET status = 'failed', attempts = 10, next_attempt_at = NULL
		WHERE id = (SELECT max(id) FROM webhook_deliveries WHERE webhook_id = ?) RETURNING id`, p.Webhook).Scan(&id); err != nil {
		h.T.Fatal(err)
	}
	return id
}

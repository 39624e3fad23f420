package api_test

import (
	"fmt"
	"maps"
	"time"
)

func init() { maps.Copy(roleMatrix, productionMatrix) }

// makersOnly: the maker caller owns the world's printers and claims.
func makersOnly(status int) map[string]int {
	return map[string]int{"anonymous": 401, "maker": status, "hospital": 403, "unverified": 403, "coordinator": 403}
}

// hospitalOrCoordinator: the hospital caller filed the world's requests.
func hospitalOrCoordinator(status int) map[string]int {
	return map[string]int{"anonymous": 401, "maker": 403, "hospital": status, "unverified": 403, "coordinator": status}
}

// prod prepares a production row: f returns the path and body for c.
func prod(f func(h *testHub, c *caller, p *prodWorld) (string, string)) func(*testHub, *caller, *world) (string, string, string) {
	return func(h *testHub, c *caller, w *world) (string, string, string) {
		path, body := f(h, c, w.prod)
		return path, body, c.Token
	}
}

// leased is a row on a fresh job the world's maker claimed: body gets its
// lease token.
func leased(verb, extra string) func(*testHub, *caller, *world) (string, string, string) {
	return func(h *testHub, c *caller, w *world) (string, string, string) {
		id, token := h.ClaimedJob(w.prod, w.author)
		return path("/api/v1/jobs/%d/%s", id, verb), fmt.Sprintf(`{"lease_token":%q%s}`, token, extra), c.Token
	}
}

var productionMatrix = map[string]matrixEntry{
	"GET /api/v1/printers": {asCaller("/api/v1/printers"), authorOrCoordinator(200)},
	"POST /api/v1/printers": {prod(func(*testHub, *caller, *prodWorld) (string, string) {
		return "/api/v1/printers", `{"name":"Mini","bed_mm":[180,180,180],"materials":["PETG"],"hours_per_day":6}`
	}), makersOnly(201)},
	"GET /api/v1/printers/:id": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/printers/%d", p.Printer), ""
	}), authorOrCoordinator(200)},
	"PATCH /api/v1/printers/:id": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/printers/%d", p.Printer), `{"hours_per_day":12}`
	}), authorOrCoordinator(200)},
	"DELETE /api/v1/printers/:id": {func(h *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/printers/%d", h.NewPrinter(w.author)), "", c.Token
	}, authorOrCoordinator(204)},
	"GET /api/v1/designs/:id/versions/:n/printers": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/designs/%d/versions/1/printers", p.Design), ""
	}), authorOrCoordinator(200)},

	"GET /api/v1/requests": {asCaller("/api/v1/requests"),
		map[string]int{"anonymous": 401, "maker": 403, "hospital": 200, "unverified": 200, "coordinator": 200}},
	"POST /api/v1/requests": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return "/api/v1/requests", fmt.Sprintf(`{"design_id":%d,"quantity":10,"needed_by":%q}`, p.Design, time.Now().AddDate(0, 1, 0).Format("2006-01-02"))
	}), map[string]int{"anonymous": 401, "maker": 403, "hospital": 201, "unverified": 403, "coordinator": 403}},
	"GET /api/v1/requests/:id": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/requests/%d", p.Request), ""
	}), hospitalOrCoordinator(200)},
	"GET /api/v1/requests/:id/events": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/requests/%d/events", p.Request), ""
	}), hospitalOrCoordinator(200)},
	"POST /api/v1/requests/:id/lower": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/requests/%d/lower", h.NewRequest(p, 10)), `{"open":5}`
	}), hospitalOrCoordinator(200)},
	"POST /api/v1/requests/:id/cancel": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/requests/%d/cancel", h.NewRequest(p, 10)), ""
	}), hospitalOrCoordinator(200)},
	"POST /api/v1/requests/:id/reconfirm": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/requests/%d/reconfirm", p.Request), ""
	}), hospitalOrCoordinator(200)},

	"POST /api/v1/routing/runs": {asCaller("/api/v1/routing/runs"), coordinatorsOnly(201)},
	"GET /api/v1/routing/runs":  {asCaller("/api/v1/routing/runs"), coordinatorsOnly(200)},
	"GET /api/v1/routing/runs/:id": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		var run struct{ ID int64 }
		h.Must(201, "POST", "/api/v1/routing/runs", "", p.Coord.Token, &run)
		return path("/api/v1/routing/runs/%d", run.ID), ""
	}), coordinatorsOnly(200)},

	"GET /api/v1/jobs": {asCaller("/api/v1/jobs"), loggedIn(200)},
	"POST /api/v1/jobs": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		return "/api/v1/jobs", fmt.Sprintf(`{"request_id":%d,"quantity":2}`, h.NewRequest(p, 5))
	}), coordinatorsOnly(201)},
	"GET /api/v1/jobs/:id": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/jobs/%d", p.Job), ""
	}), map[string]int{"anonymous": 401, "maker": 200, "hospital": 200, "unverified": 403, "coordinator": 200}},
	"GET /api/v1/jobs/:id/events": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/jobs/%d/events", p.Job), ""
	}), map[string]int{"anonymous": 401, "maker": 200, "hospital": 200, "unverified": 403, "coordinator": 200}},
	"POST /api/v1/jobs/:id/claim": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/jobs/%d/claim", h.NewPoolJob(p, h.NewRequest(p, 2))), ""
	}), makersOnly(200)},
	"POST /api/v1/jobs/:id/progress": {leased("progress", `,"printed":1`), makersOnly(200)},
	"POST /api/v1/jobs/:id/complete": {leased("complete", `,"printed":1`), makersOnly(200)},
	"POST /api/v1/jobs/:id/release":  {leased("release", ""), makersOnly(200)},
	"POST /api/v1/jobs/:id/fail":     {leased("fail", `,"note":"warped"`), makersOnly(200)},
	"POST /api/v1/jobs/:id/cancel": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/jobs/%d/cancel", h.NewPoolJob(p, h.NewRequest(p, 2))), `{"reason":"duplicate"}`
	}), coordinatorsOnly(200)},

	"GET /api/v1/notifications":       {asCaller("/api/v1/notifications"), loggedIn(200)},
	"GET /api/v1/mail":                {asCaller("/api/v1/mail"), coordinatorsOnly(200)},
	"POST /api/v1/notifications/read": {asCaller("/api/v1/notifications/read"), loggedIn(200)},
	"POST /api/v1/notifications/:id/read": {func(h *testHub, c *caller, w *world) (string, string, string) {
		to := c.User
		if to == nil {
			to = w.author.User // anonymous: someone's notification
		}
		return path("/api/v1/notifications/%d/read", h.Notice(to, 0)), "", c.Token
	}, loggedIn(204)},
	"GET /api/v1/organisations/:id/webhooks": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/organisations/%d/webhooks", p.Hospital.User.Organisation.ID), ""
	}), hospitalOrCoordinator(200)},
	"POST /api/v1/organisations/:id/webhooks": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/organisations/%d/webhooks", p.Hospital.User.Organisation.ID), `{"url":"https://chat.example.org/h2","events":["job.offered"]}`
	}), hospitalOrCoordinator(201)},
	"GET /api/v1/webhooks/:id": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/webhooks/%d", p.Webhook), ""
	}), hospitalOrCoordinator(200)},
	"PATCH /api/v1/webhooks/:id": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/webhooks/%d", p.Webhook), `{"active":true}`
	}), hospitalOrCoordinator(200)},
	"DELETE /api/v1/webhooks/:id": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/webhooks/%d", h.NewWebhook(p.Coord, p.Hospital.User.Organisation.ID)), ""
	}), hospitalOrCoordinator(204)},
	"GET /api/v1/webhooks/:id/deliveries": {prod(func(_ *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/webhooks/%d/deliveries", p.Webhook), ""
	}), hospitalOrCoordinator(200)},
	"POST /api/v1/webhook-deliveries/:id/retry": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/webhook-deliveries/%d/retry", h.FailedDelivery(p)), ""
	}), hospitalOrCoordinator(200)},
}

// newProdWorld makes the production part of the role matrix's world.
func (h *testHub) newProdWorld(w *world, coord, hospital *caller) *prodWorld {
	h.T.Helper()
	p := &prodWorld{Coord: coord, Hospital: hospital}
	p.Design = h.Published(w.author)
	p.Printer = h.NewPrinter(w.author)
	p.Request = h.NewRequest(p, 1000)
	p.Job = h.NewPoolJob(p, p.Request)
	p.Webhook = h.NewWebhook(hospital, hospital.User.Organisation.ID)
	return p
}

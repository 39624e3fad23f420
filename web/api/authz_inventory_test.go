package api_test

import (
	"fmt"
	"maps"
)

func init() { maps.Copy(roleMatrix, inventoryMatrix) }

// printedJob is a fresh job the maker claimed and completed.
func (h *testHub) printedJob(p *prodWorld, maker *caller) int64 {
	h.T.Helper()
	id, token := h.ClaimedJob(p, maker)
	h.Must(200, "POST", path("/api/v1/jobs/%d/complete", id), fmt.Sprintf(`{"lease_token":%q}`, token), maker.Token, nil)
	return id
}

// newBatch is a fresh printed job of the maker's, handed over to the stock.
func (h *testHub) newBatch(p *prodWorld, maker *caller) (batch, site int64) {
	h.T.Helper()
	var b struct {
		ID         int64 `json:"id"`
		LocationID int64 `json:"location_id"`
	}
	lot := fmt.Sprintf("LOT-%d", h.Seq.Add(1))
	h.Must(201, "POST", path("/api/v1/jobs/%d/produce", h.printedJob(p, maker)), fmt.Sprintf(`{"filament_lot":%q}`, lot), maker.Token, &b)
	return b.ID, b.LocationID
}

// newShipment is a fresh batch of the maker's, passed, in a shipment to
// the world's hospital: prepared, or dispatched if asked.
func (h *testHub) newShipment(p *prodWorld, maker *caller, dispatched bool) int64 {
	h.T.Helper()
	b, site := h.newBatch(p, maker)
	h.Must(201, "POST", "/api/v1/stock/movements", fmt.Sprintf(`{"batch_id":%d,"kind":"quality_passed","location_id":%d,"quantity":1}`, b, site), maker.Token, nil)
	var sh struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/shipments", fmt.Sprintf(`{"from_location_id":%d,"to_organisation_id":%d,"lines":[{"batch_id":%d,"quantity":1}]}`,
		site, p.Hospital.User.Organisation.ID, b), maker.Token, &sh)
	if dispatched {
		h.Must(200, "POST", path("/api/v1/shipments/%d/dispatch", sh.ID), "", maker.Token, nil)
	}
	return sh.ID
}

// newRecall recalls the filament lot of a fresh batch of the maker's.
func (h *testHub) newRecall(p *prodWorld, maker *caller) (recall, batch int64) {
	h.T.Helper()
	b, _ := h.newBatch(p, maker)
	var bb struct {
		FilamentLot string `json:"filament_lot"`
	}
	h.Must(200, "GET", path("/api/v1/batches/%d", b), "", maker.Token, &bb)
	var r struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/recalls", fmt.Sprintf(`{"filament_lot":%q,"reason":"brittle"}`, bb.FilamentLot), p.Coord.Token, &r)
	return r.ID, b
}

// shipmentRoute is a row on a fresh shipment of the world's maker.
func shipmentRoute(format string, dispatched bool) func(*testHub, *caller, *world) (string, string, string) {
	return func(h *testHub, c *caller, w *world) (string, string, string) {
		return path(format, h.newShipment(w.prod, w.author, dispatched)), "", c.Token
	}
}

func (h *testHub) newHub(p *prodWorld) int64 {
	h.T.Helper()
	var l struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/hubs", `{"name":"Fablab","address":"1 rue du Fablab"}`, p.Coord.Token, &l)
	return l.ID
}

// batchRoute is a row on a fresh batch of the world's maker.
func batchRoute(format string) func(*testHub, *caller, *world) (string, string, string) {
	return func(h *testHub, c *caller, w *world) (string, string, string) {
		b, _ := h.newBatch(w.prod, w.author)
		return path(format, b), "", c.Token
	}
}

// batchViewers: coordinators, the batch's maker and the hospital it was
// printed for.
func batchViewers(status int) map[string]int {
	return map[string]int{"anonymous": 401, "maker": status, "hospital": status, "unverified": 403, "coordinator": status}
}

var inventoryMatrix = map[string]matrixEntry{
	"GET /api/v1/locations": {asCaller("/api/v1/locations"), loggedIn(200)},
	"GET /api/v1/locations/:id": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		return path("/api/v1/locations/%d", h.newHub(p)), ""
	}), loggedIn(200)},
	"POST /api/v1/hubs": {asCallerWith("/api/v1/hubs", `{"name":"Hub","address":"2 place du Marché"}`), coordinatorsOnly(201)},
	"PUT /api/v1/quality-rules/:category": {prod(func(h *testHub, _ *caller, p *prodWorld) (string, string) {
		return "/api/v1/quality-rules/ventilator_part", fmt.Sprintf(`{"location_id":%d}`, h.newHub(p))
	}), coordinatorsOnly(204)},
	"POST /api/v1/jobs/:id/produce": {func(h *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/jobs/%d/produce", h.printedJob(w.prod, w.author)), "", c.Token
	}, authorOrCoordinator(201)},
	"GET /api/v1/batches/:id":           {batchRoute("/api/v1/batches/%d"), batchViewers(200)},
	"GET /api/v1/batches/:id/movements": {batchRoute("/api/v1/batches/%d/movements"), batchViewers(200)},
	"GET /api/v1/trace/batches/:id":     {batchRoute("/api/v1/trace/batches/%d"), batchViewers(200)},
	"GET /api/v1/stock":                 {asCaller("/api/v1/stock"), loggedIn(200)},
	"POST /api/v1/shipments": {func(h *testHub, c *caller, w *world) (string, string, string) {
		b, site := h.newBatch(w.prod, w.author)
		return "/api/v1/shipments", fmt.Sprintf(`{"from_location_id":%d,"to_location_id":%d,"lines":[{"batch_id":%d,"status":"unchecked","quantity":1}]}`,
			site, h.newHub(w.prod), b), c.Token
	}, authorOrCoordinator(201)},
	"GET /api/v1/shipments/:id":            {shipmentRoute("/api/v1/shipments/%d", false), batchViewers(200)},
	"POST /api/v1/shipments/:id/dispatch":  {shipmentRoute("/api/v1/shipments/%d/dispatch", false), authorOrCoordinator(200)},
	"POST /api/v1/shipments/:id/cancel":    {shipmentRoute("/api/v1/shipments/%d/cancel", false), authorOrCoordinator(200)},
	"POST /api/v1/shipments/:id/delivered": {shipmentRoute("/api/v1/shipments/%d/delivered", true), authorOrCoordinator(200)},
	"POST /api/v1/shipments/:id/receive":   {shipmentRoute("/api/v1/shipments/%d/receive", true), hospitalOrCoordinator(200)},
	"GET /api/v1/trace/shipments/:id":      {shipmentRoute("/api/v1/trace/shipments/%d", false), batchViewers(200)},
	"GET /api/v1/recalls":                  {asCaller("/api/v1/recalls"), loggedIn(200)},
	"POST /api/v1/recalls": {func(h *testHub, c *caller, w *world) (string, string, string) {
		b, _ := h.newBatch(w.prod, w.author)
		var bb struct {
			FilamentLot string `json:"filament_lot"`
		}
		h.Must(200, "GET", path("/api/v1/batches/%d", b), "", w.author.Token, &bb)
		return "/api/v1/recalls", fmt.Sprintf(`{"filament_lot":%q,"reason":"brittle"}`, bb.FilamentLot), c.Token
	}, coordinatorsOnly(201)},
	"GET /api/v1/recalls/:id": {func(h *testHub, c *caller, w *world) (string, string, string) {
		r, _ := h.newRecall(w.prod, w.author)
		return path("/api/v1/recalls/%d", r), "", c.Token
	}, loggedIn(200)},
	"POST /api/v1/recalls/:id/batches/:batch/release": {func(h *testHub, c *caller, w *world) (string, string, string) {
		r, b := h.newRecall(w.prod, w.author)
		return path("/api/v1/recalls/%d/batches/%d/release", r, b), `{"note":"inspected: sound"}`, c.Token
	}, coordinatorsOnly(200)},
	"GET /api/v1/shipments": {asCaller("/api/v1/shipments"), loggedIn(200)},
	"GET /api/v1/spools":    {asCaller("/api/v1/spools"), authorOrCoordinator(200)},
	"POST /api/v1/spools": {func(h *testHub, c *caller, w *world) (string, string, string) {
		return "/api/v1/spools", fmt.Sprintf(`{"maker_id":%d,"material":"PLA","grams_left":500}`, w.author.User.ID), c.Token
	}, authorOrCoordinator(201)},
	"PATCH /api/v1/spools/:id": {func(h *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/spools/%d", h.newSpool(w.author)), `{"grams_left":420}`, c.Token
	}, authorOrCoordinator(200)},
	"GET /api/v1/spools/:id/events": {func(h *testHub, c *caller, w *world) (string, string, string) {
		return path("/api/v1/spools/%d/events", h.newSpool(w.author)), "", c.Token
	}, authorOrCoordinator(200)},
	"GET /api/v1/filament/forecast":  {asCaller("/api/v1/filament/forecast"), authorOrCoordinator(200)},
	"GET /api/v1/reports/deliveries": {asCaller("/api/v1/reports/deliveries?by=region&interval=week"), map[string]int{"anonymous": 401, "maker": 403, "hospital": 200, "unverified": 200, "coordinator": 200}},
	"GET /api/v1/reports/rejections": {asCaller("/api/v1/reports/rejections"), authorOrCoordinator(200)},
	"GET /api/v1/exports/:name":      {asCaller("/api/v1/exports/ledger.csv"), coordinatorsOnly(200)},
	"POST /api/v1/stock/movements": {func(h *testHub, c *caller, w *world) (string, string, string) {
		b, site := h.newBatch(w.prod, w.author)
		return "/api/v1/stock/movements", fmt.Sprintf(`{"batch_id":%d,"kind":"quality_passed","location_id":%d,"quantity":1}`, b, site), c.Token
	}, authorOrCoordinator(201)},
}

// newSpool is a fresh spool of the maker's.
func (h *testHub) newSpool(maker *caller) int64 {
	h.T.Helper()
	var sp struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/spools", `{"material":"PLA","grams_left":750}`, maker.Token, &sp)
	return sp.ID
}

func asCallerWith(p, body string) func(*testHub, *caller, *world) (string, string, string) {
	return func(_ *testHub, c *caller, _ *world) (string, string, string) { return p, body, c.Token }
}

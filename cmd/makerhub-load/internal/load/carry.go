package load

import (
	"context"
	"fmt"
)

// carryOut takes a claimed job from printing to the hospital's receipt:
// progress, completion, hand-over as a batch, the maker's quality check
// (one unit rejected now and then), a shipment made and dispatched, and
// the hospital's confirmation (one unit missing now and then).
func (l *Load) carryOut(ctx context.Context, m *actor, j jobJSON, lease string, hosp *actor) error {
	jp := fmt.Sprintf("/api/v1/jobs/%d", j.ID)
	if j.Quantity >= 2 {
		if err := l.c.do(ctx, call{ep: "POST /api/v1/jobs/{id}/progress", path: jp + "/progress", token: m.token, want: 200,
			body: map[string]any{"lease_token": lease, "printed": j.Quantity / 2, "note": "first plates done"}}); err != nil {
			return err
		}
	}
	if err := l.c.do(ctx, call{ep: "POST /api/v1/jobs/{id}/complete", path: jp + "/complete", token: m.token, want: 200,
		body: map[string]any{"lease_token": lease, "printed": j.Quantity}}); err != nil {
		return err
	}
	l.led.completed(j.ID)
	var b struct {
		ID         int64 `json:"id"`
		Quantity   int   `json:"quantity"`
		LocationID int64 `json:"location_id"`
	}
	if err := l.c.do(ctx, call{ep: "POST /api/v1/jobs/{id}/produce", path: jp + "/produce", token: m.token, want: 201, out: &b,
		body: map[string]any{"filament_lot": fmt.Sprintf("LOT-%d-%02d", m.user%97, j.ID%7)}}); err != nil {
		return err
	}
	l.led.produced(b.ID, j.ID, j.RequestID, b.Quantity)
	good := b.Quantity
	if good >= 2 && l.chance(1.0/40) {
		if err := l.c.do(ctx, call{ep: "POST /api/v1/stock/movements", path: "/api/v1/stock/movements", token: m.token, want: 201,
			body: map[string]any{"batch_id": b.ID, "kind": "quality_rejected", "location_id": b.LocationID, "quantity": 1,
				"reason": "visor band cracked at the clip"}}); err != nil {
			return err
		}
		good--
	}
	if err := l.c.do(ctx, call{ep: "POST /api/v1/stock/movements", path: "/api/v1/stock/movements", token: m.token, want: 201,
		body: map[string]any{"batch_id": b.ID, "kind": "quality_passed", "location_id": b.LocationID, "quantity": good}}); err != nil {
		return err
	}
	var sh struct{ ID int64 }
	if err := l.c.do(ctx, call{ep: "POST /api/v1/shipments", path: "/api/v1/shipments", token: m.token, want: 201, out: &sh,
		body: map[string]any{"from_location_id": b.LocationID, "to_organisation_id": j.Hospital, "carrier": "volunteer driver",
			"lines": []map[string]any{{"batch_id": b.ID, "quantity": good}}}}); err != nil {
		return err
	}
	l.led.shipped(sh.ID, j.RequestID, good)
	sp := fmt.Sprintf("/api/v1/shipments/%d", sh.ID)
	if err := l.c.do(ctx, call{ep: "POST /api/v1/shipments/{id}/dispatch", path: sp + "/dispatch", token: m.token, want: 200}); err != nil {
		return err
	}
	l.led.dispatched(sh.ID)
	if hosp == nil {
		return fmt.Errorf("job %d is for organisation %d, which is not one of the load's hospitals", j.ID, j.Hospital)
	}
	received := good
	var body any
	if good >= 2 && l.chance(1.0/40) {
		received-- // lost on the way: it goes back to the request's demand
		body = map[string]any{"lines": []map[string]any{{"batch_id": b.ID, "received": received}}, "note": "one visor missing from the box"}
	}
	if err := l.c.do(ctx, call{ep: "POST /api/v1/shipments/{id}/receive", path: sp + "/receive", token: hosp.token, want: 200,
		body: body}); err != nil {
		return err
	}
	l.led.receivedShipment(sh.ID, j.RequestID, received)
	// The hospital looks at its request, as its dashboard does.
	return l.c.do(ctx, call{ep: "GET /api/v1/requests/{id}", path: fmt.Sprintf("/api/v1/requests/%d", j.RequestID), token: hosp.token, want: 200})
}

// look is what people read between rounds: the coordinator's dashboard
// (and the places of its map), the delivery report and the routing runs; some makers' notifications
// and some hospitals' request lists.
func (l *Load) look(ctx context.Context) error {
	reads := []call{
		{ep: "GET /dashboard", path: "/dashboard", token: l.coord.token, want: 200},
		// and its map's places, which the page's script fetches.
		{ep: "GET /dashboard/places.json", path: "/dashboard/places.json", token: l.coord.token, want: 200},
		{ep: "GET /api/v1/reports/deliveries", path: "/api/v1/reports/deliveries", token: l.coord.token, want: 200},
		{ep: "GET /api/v1/routing/runs", path: "/api/v1/routing/runs?limit=5", token: l.coord.token, want: 200},
	}
	for i := range min(20, len(l.makers)) {
		m := l.makers[l.intn(len(l.makers))]
		reads = append(reads, call{ep: "GET /api/v1/notifications", path: "/api/v1/notifications?limit=20", token: m.token, want: 200})
		if i%4 == 0 {
			reads = append(reads, call{ep: "GET /dashboard", path: "/dashboard", token: m.token, want: 200})
		}
	}
	for i := range min(20, len(l.hosps)) {
		h := l.hosps[l.intn(len(l.hosps))]
		reads = append(reads, call{ep: "GET /api/v1/requests", path: "/api/v1/requests?limit=50", token: h.token, want: 200})
		if i%4 == 0 {
			reads = append(reads, call{ep: "GET /dashboard", path: "/dashboard", token: h.token, want: 200})
		}
	}
	_, err := each(ctx, len(reads), l.cfg.Concurrency, func(ctx context.Context, i int) error { return l.c.do(ctx, reads[i]) })
	return err
}

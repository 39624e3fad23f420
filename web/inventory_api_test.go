package web_test

import (
	"fmt"
	"testing"

	"github.com/makerhub/makerhub/accounts"
)

// TestInventoryJourney follows units over HTTP from a claimed job to the
// hospital's confirmed receipt, and traces them back to the file printed.
func TestInventoryJourney(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker, hospital, coord := h.newCaller("maker"), h.newCaller("hospital"), h.newCaller("coordinator")
	p := &prodWorld{coord: coord, hospital: hospital}
	p.design = h.published(maker)
	h.newPrinter(maker)
	request := h.newRequest(p, 3)
	var job struct{ ID int64 }
	h.must(201, "POST", "/api/v1/jobs", fmt.Sprintf(`{"request_id":%d,"quantity":3}`, request), coord.token, &job)
	var claim struct {
		LeaseToken string `json:"lease_token"`
	}
	h.must(200, "POST", path("/api/v1/jobs/%d/claim", job.ID), "", maker.token, &claim)
	h.must(200, "POST", path("/api/v1/jobs/%d/complete", job.ID), fmt.Sprintf(`{"lease_token":%q}`, claim.LeaseToken), maker.token, nil)

	var batch struct {
		ID         int64 `json:"id"`
		LocationID int64 `json:"location_id"`
		Files      []struct{ SHA256 string }
	}
	h.must(201, "POST", path("/api/v1/jobs/%d/produce", job.ID), `{"filament_lot":"PETG-2020-04"}`, maker.token, &batch)
	// Quantities of zero or less, and more than the stock, change nothing.
	for _, tc := range []struct {
		body   string
		status int
	}{
		{fmt.Sprintf(`{"batch_id":%d,"kind":"quality_passed","location_id":%d,"quantity":0}`, batch.ID, batch.LocationID), 422},
		{fmt.Sprintf(`{"batch_id":%d,"kind":"quality_passed","location_id":%d,"quantity":4}`, batch.ID, batch.LocationID), 409},
	} {
		if r := h.request("POST", "/api/v1/stock/movements", tc.body, maker.token, nil); r.StatusCode != tc.status {
			t.Fatalf("%s: %d %s", tc.body, r.StatusCode, r.body)
		}
	}
	h.must(201, "POST", "/api/v1/stock/movements", fmt.Sprintf(`{"batch_id":%d,"kind":"quality_passed","location_id":%d,"quantity":3}`,
		batch.ID, batch.LocationID), maker.token, nil)
	var sh struct{ ID int64 }
	h.must(201, "POST", "/api/v1/shipments", fmt.Sprintf(`{"from_location_id":%d,"to_organisation_id":%d,"carrier":"Marie, volunteer driver",
		"lines":[{"batch_id":%d,"quantity":3}]}`, batch.LocationID, hospital.user.Organisation.ID, batch.ID), maker.token, &sh)
	h.must(200, "POST", path("/api/v1/shipments/%d/dispatch", sh.ID), `{"note":"left at 14:00"}`, maker.token, nil)
	if r := h.request("POST", path("/api/v1/shipments/%d/receive", sh.ID), fmt.Sprintf(`{"lines":[{"batch_id":%d,"received":4}]}`, batch.ID), hospital.token, nil); r.StatusCode != 422 {
		t.Fatalf("receiving more than shipped: %d %s", r.StatusCode, r.body)
	}
	h.must(200, "POST", path("/api/v1/shipments/%d/receive", sh.ID), "", hospital.token, nil)

	var req struct {
		Delivered   int    `json:"delivered"`
		InInventory int    `json:"in_inventory"`
		State       string `json:"state"`
	}
	h.must(200, "GET", path("/api/v1/requests/%d", request), "", hospital.token, &req)
	if req.Delivered != 3 || req.InInventory != 0 || req.State != "fulfilled" {
		t.Fatalf("request after receipt %+v", req)
	}
	var trace struct {
		Batches []struct {
			FilamentLot string `json:"filament_lot"`
			Files       []struct{ SHA256 string }
		}
		Events []struct{ To string }
	}
	h.must(200, "GET", path("/api/v1/trace/shipments/%d", sh.ID), "", hospital.token, &trace)
	if len(trace.Batches) != 1 || trace.Batches[0].Files[0].SHA256 != batch.Files[0].SHA256 || trace.Batches[0].FilamentLot != "PETG-2020-04" ||
		len(trace.Events) != 3 || trace.Events[2].To != "received" {
		t.Fatalf("shipment trace %+v", trace)
	}
	var bt struct {
		Totals struct {
			Produced, Delivered int
		}
		Request struct {
			ID int64
		}
	}
	h.must(200, "GET", path("/api/v1/trace/batches/%d", batch.ID), "", coord.token, &bt)
	if bt.Totals.Produced != 3 || bt.Totals.Delivered != 3 || bt.Request.ID != request {
		t.Fatalf("batch trace %+v", bt)
	}
}

package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/accounts"
)

// TestInventoryJourney follows units over HTTP from a claimed job to the
// hospital's confirmed receipt, and traces them back to the file printed.
func TestInventoryJourney(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker, hospital, coord := h.NewCaller("maker"), h.NewCaller("hospital"), h.NewCaller("coordinator")
	p := &prodWorld{Coord: coord, Hospital: hospital}
	p.Design = h.Published(maker)
	h.NewPrinter(maker)
	request := h.NewRequest(p, 3)
	var job struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/jobs", fmt.Sprintf(`{"request_id":%d,"quantity":3}`, request), coord.Token, &job)
	var claim struct {
		LeaseToken string `json:"lease_token"`
	}
	h.Must(200, "POST", path("/api/v1/jobs/%d/claim", job.ID), "", maker.Token, &claim)
	h.Must(200, "POST", path("/api/v1/jobs/%d/complete", job.ID), fmt.Sprintf(`{"lease_token":%q}`, claim.LeaseToken), maker.Token, nil)

	var batch struct {
		ID         int64 `json:"id"`
		LocationID int64 `json:"location_id"`
		Files      []struct{ SHA256 string }
	}
	var spool struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/spools", `{"material":"pla","colour":"blanc","grams_left":750,"lot":"PETG-2020-04","donor":"Région Île-de-France"}`,
		maker.Token, &spool)
	// The note looks like a formula: the ledger export must not let a
	// spreadsheet run it.
	h.Must(201, "POST", path("/api/v1/jobs/%d/produce", job.ID), fmt.Sprintf(`{"spool_id":%d,"note":"=SUM(A1:A9) — imprimé la nuit,\n«PLA»"}`,
		spool.ID), maker.Token, &batch)
	// Quantities of zero or less, and more than the stock, change nothing.
	for _, tc := range []struct {
		body   string
		status int
	}{
		{fmt.Sprintf(`{"batch_id":%d,"kind":"quality_passed","location_id":%d,"quantity":0}`, batch.ID, batch.LocationID), 422},
		{fmt.Sprintf(`{"batch_id":%d,"kind":"quality_passed","location_id":%d,"quantity":4}`, batch.ID, batch.LocationID), 409},
	} {
		if r := h.Request("POST", "/api/v1/stock/movements", tc.body, maker.Token, nil); r.StatusCode != tc.status {
			t.Fatalf("%s: %d %s", tc.body, r.StatusCode, r.Body)
		}
	}
	h.Must(201, "POST", "/api/v1/stock/movements", fmt.Sprintf(`{"batch_id":%d,"kind":"quality_passed","location_id":%d,"quantity":3}`,
		batch.ID, batch.LocationID), maker.Token, nil)
	var sh struct{ ID int64 }
	h.Must(201, "POST", "/api/v1/shipments", fmt.Sprintf(`{"from_location_id":%d,"to_organisation_id":%d,"carrier":"Marie, volunteer driver",
		"lines":[{"batch_id":%d,"quantity":3}]}`, batch.LocationID, hospital.User.Organisation.ID, batch.ID), maker.Token, &sh)
	h.Must(200, "POST", path("/api/v1/shipments/%d/dispatch", sh.ID), `{"note":"left at 14:00"}`, maker.Token, nil)
	if r := h.Request("POST", path("/api/v1/shipments/%d/receive", sh.ID), fmt.Sprintf(`{"lines":[{"batch_id":%d,"received":4}]}`, batch.ID), hospital.Token, nil); r.StatusCode != 422 {
		t.Fatalf("receiving more than shipped: %d %s", r.StatusCode, r.Body)
	}
	h.Must(200, "POST", path("/api/v1/shipments/%d/receive", sh.ID), "", hospital.Token, nil)

	var req struct {
		Delivered   int    `json:"delivered"`
		InInventory int    `json:"in_inventory"`
		State       string `json:"state"`
	}
	h.Must(200, "GET", path("/api/v1/requests/%d", request), "", hospital.Token, &req)
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
	h.Must(200, "GET", path("/api/v1/trace/shipments/%d", sh.ID), "", hospital.Token, &trace)
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
	h.Must(200, "GET", path("/api/v1/trace/batches/%d", batch.ID), "", coord.Token, &bt)
	if bt.Totals.Produced != 3 || bt.Totals.Delivered != 3 || bt.Request.ID != request {
		t.Fatalf("batch trace %+v", bt)
	}

	// The spool gave the batch its grams and its lot.
	var spools struct {
		Items []struct {
			GramsLeft float64 `json:"grams_left"`
		}
	}
	h.Must(200, "GET", "/api/v1/spools", "", maker.Token, &spools)
	var events struct {
		Items []struct {
			Kind    string
			Grams   float64
			BatchID *int64 `json:"batch_id"`
		}
	}
	h.Must(200, "GET", path("/api/v1/spools/%d/events", spool.ID), "", maker.Token, &events)
	if len(spools.Items) != 1 || len(events.Items) != 2 || events.Items[1].Kind != "consumed" || *events.Items[1].BatchID != batch.ID ||
		spools.Items[0].GramsLeft != 750+events.Items[1].Grams || events.Items[1].Grams >= 0 {
		t.Fatalf("spools %+v, events %+v", spools, events)
	}
	var forecast struct{ Items []struct{ Material string } }
	h.Must(200, "GET", "/api/v1/filament/forecast", "", coord.Token, &forecast)
	if len(forecast.Items) != 1 || forecast.Items[0].Material != "PLA" {
		t.Fatalf("forecast %+v", forecast)
	}
	var shipments struct {
		Items []struct{ ID int64 }
		Total int
	}
	h.Must(200, "GET", "/api/v1/shipments?state=received", "", hospital.Token, &shipments)
	if shipments.Total != 1 || shipments.Items[0].ID != sh.ID {
		t.Fatalf("the hospital's received shipments %+v", shipments)
	}
	var report struct {
		Rows []struct {
			Label                          string
			Requested, Produced, Delivered int
		}
	}
	h.Must(200, "GET", "/api/v1/reports/deliveries?by=hospital", "", coord.Token, &report)
	if len(report.Rows) != 1 || report.Rows[0].Label != hospital.User.Organisation.Name || report.Rows[0].Requested != 3 ||
		report.Rows[0].Produced != 3 || report.Rows[0].Delivered != 3 {
		t.Fatalf("delivery report %+v", report)
	}

	// A hospital with notes in French files a second request.
	h.Must(201, "POST", "/api/v1/requests", fmt.Sprintf(`{"design_id":%d,"quantity":40,"priority":"critical","needed_by":%q,
		"notes":"Urgences, 2e étage — «masques»; livrer à l'accueil\n(badge requis)"}`, p.Design, time.Now().AddDate(0, 0, 3).Format("2006-01-02")),
		hospital.Token, nil)

	// Every export opens in a spreadsheet with the same cells.
	exports := map[string][][]string{}
	for _, name := range []string{"requests", "shipments", "stock", "ledger", "deliveries", "rejections"} {
		exports[name] = checkExport(t, name, h.Request("GET", "/api/v1/exports/"+name+".csv?by=hospital&interval=day", "", coord.Token, nil))
	}
	if got := column(exports["requests"], "notes"); len(got) != 2 || got[1] != "Urgences, 2e étage — «masques»; livrer à l'accueil\n(badge requis)" {
		t.Fatalf("request notes %q", got)
	}
	if got := column(exports["requests"], "delivered"); !slices.Equal(got, []string{"3", "0"}) {
		t.Fatalf("delivered %q", got)
	}
	if got := column(exports["ledger"], "reason"); len(got) != 4 || got[0] != "'=SUM(A1:A9) — imprimé la nuit,\n«PLA»" {
		t.Fatalf("ledger reasons %q", got)
	}
	if got := column(exports["ledger"], "kind"); !slices.Equal(got, []string{"produced", "quality_passed", "shipped", "received"}) {
		t.Fatalf("ledger kinds %q", got)
	}
	if got := column(exports["shipments"], "carrier"); !slices.Equal(got, []string{"Marie, volunteer driver"}) {
		t.Fatalf("carriers %q", got)
	}
	if got := column(exports["stock"], "quantity"); !slices.Equal(got, []string{"3"}) {
		t.Fatalf("stock (at the hospital) %q", got)
	}
	if got := column(exports["deliveries"], "requested"); len(got) != 1 || got[0] != "43" {
		t.Fatalf("deliveries %q", exports["deliveries"])
	}
	if got := column(exports["rejections"], "passed"); !slices.Equal(got, []string{"3"}) {
		t.Fatalf("rejections %q", exports["rejections"])
	}

	// Refusals are answered as errors, not as files.
	for _, c := range []struct {
		path, token string
		status      int
		msg         string
	}{
		{"/api/v1/exports/ledger.csv", maker.Token, 403, "coordinators export"},
		{"/api/v1/exports/ledger.csv", hospital.Token, 403, "coordinators export"},
		{"/api/v1/exports/payroll.csv", coord.Token, 404, `no export "payroll"`},
		{"/api/v1/exports/ledger.xlsx", coord.Token, 404, "Exports are CSV files"},
		{"/api/v1/exports/ledger.csv?from=yesterday", coord.Token, 400, `from="yesterday" is not a date`},
		{"/api/v1/exports/ledger.csv?from=2026-03-02&to=2026-03-01", coord.Token, 400, "must be before to"},
	} {
		r := h.Request("GET", c.path, "", c.token, nil)
		if _, msg := errorOf(t, r); r.StatusCode != c.status || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: %d %s; want %d %q", c.path, r.StatusCode, r.Body, c.status, c.msg)
		}
	}
}

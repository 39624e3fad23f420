package ui_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/accounts"
)

func session(c *caller) *http.Cookie { return &http.Cookie{Name: "makerhub_session", Value: c.Token} }

// act posts a dashboard form and wants the redirect that says it was done.
func (h *testHub) act(path string, values url.Values, want string, cookies ...*http.Cookie) *response {
	h.T.Helper()
	r := h.form(path, values, cookies...)
	if r.StatusCode != 303 || !strings.HasSuffix(r.Header.Get("Location"), "done="+want) {
		h.T.Fatalf("%s: %d %s\n%s", path, r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	return r
}

// pageUpload posts a file as the design page's upload form does.
func (h *testHub) pageUpload(path, name string, data []byte, cookies ...*http.Cookie) *response {
	h.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", h.TS.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return h.Send(req)
}

func (h *testHub) count(table string) int {
	h.T.Helper()
	var n int
	if err := h.DB.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		h.T.Fatal(err)
	}
	return n
}

// ids finds the ids a page's elements carry in an attribute.
func ids(body, attr string) []int64 {
	var out []int64
	for _, m := range regexp.MustCompile(attr+`="(\d+)"`).FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

// TestDashboardJourney runs the whole journey through the pages' forms, as
// a browser without JavaScript would: a hospital is verified, a maker
// shares a design and uploads its STL, the hospital requests 50, routing
// offers the jobs, the maker claims, prints, hands over, checks and ships
// them, and the hospital confirms receipt. Each refusal on the way says
// what to fix and stores nothing.
func TestDashboardJourney(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	coord, maker, hospital := h.NewCaller("coordinator"), h.NewCaller("maker"), h.NewCaller("unverified")
	cc, mc, hc := session(coord), session(maker), session(hospital)

	// Visitors log in first.
	if r := h.page("/dashboard", ""); r.StatusCode != 303 || r.Header.Get("Location") != "/login?next=%2Fdashboard" {
		t.Fatalf("a visitor's dashboard: %d %v", r.StatusCode, r.Header)
	}
	if r := h.form("/dashboard/routing", nil); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("a visitor's action: %d %v", r.StatusCode, r.Header)
	}

	// The coordinator verifies the hospital, which cannot request before.
	wantPage(t, h.page("/dashboard", "", hc), 200, "A coordinator has yet to verify your hospital")
	r := h.page("/dashboard", "", cc)
	wantPage(t, r, 200, "Hospitals to verify", "Org "+hospital.User.Email, "Routing has not run yet.")
	h.act(path("/dashboard/organisations/%d/verify", hospital.User.Organisation.ID), nil, "verified", cc)
	wantPage(t, h.page("/dashboard?done=verified", "", cc), 200, "The hospital is verified", "No hospital waits for verification.")
	wantPage(t, h.page("/dashboard?done=%3Cscript%3E", "", cc), 200) // an unknown ?done= shows nothing
	// Only coordinators verify.
	wantPage(t, h.form(path("/dashboard/organisations/%d/verify", hospital.User.Organisation.ID), nil, mc), 403)

	// The maker shares a design: described first, then its file uploaded
	// to the draft, then published. Hospitals do not share designs.
	wantPage(t, h.page("/designs/new", "", hc), 403, "hospitals request them")
	wantPage(t, h.page("/designs/new", "fr", mc), 200, "Partager un modèle", `<option value="CERN-OHL-P-2.0"`)
	design := url.Values{"title": {"Visière RC3"}, "category": {"face_shield"}, "licence": {""}, "material": {"PETG"},
		"description": {"Serre-tête de visière"}}
	wantPage(t, h.form("/designs/new", design, mc), 400, "licence", `value="Visière RC3"`)
	if n := h.count("designs"); n != 0 {
		t.Fatalf("a refused design was stored: %d", n)
	}
	design.Set("licence", "CERN-OHL-P-2.0")
	r = h.form("/designs/new", design, mc)
	if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/designs/") {
		t.Fatalf("new design: %d %v %s", r.StatusCode, r.Header, r.Body)
	}
	designID, _ := strconv.ParseInt(strings.TrimPrefix(r.Header.Get("Location"), "/designs/"), 10, 64)
	wantPage(t, h.page(path("/designs/%d", designID), "", mc), 200, "Add files to version 1", `enctype="multipart/form-data"`, `class="upload-progress"`)
	// Another maker sees no upload form.
	other := h.NewCaller("maker")
	if p := h.page(path("/designs/%d?version=1", designID), "", session(other)); strings.Contains(p.Body, "Add files to version") {
		t.Fatal("another maker is offered the author's upload form")
	}
	wantPage(t, h.pageUpload(path("/designs/%d/versions/1/files", designID), "virus.exe", []byte("MZ"), mc), 415, "not accepted")
	wantPage(t, h.pageUpload(path("/designs/%d/versions/1/files", designID), "broken.stl", []byte("solid x\nfacet"), mc), 422)
	wantPage(t, h.pageUpload(path("/designs/%d/versions/1/files", designID), "", cubeSTL(40), mc), 400, "The file has no name")
	wantPage(t, h.pageUpload(path("/designs/%d/versions/1/files", designID), "visor.stl", cubeSTL(40), session(other)), 404)
	if n := h.count("version_files"); n != 0 {
		t.Fatalf("refused uploads stored %d files", n)
	}
	r = h.pageUpload(path("/designs/%d/versions/1/files", designID), "visor.stl", cubeSTL(40), mc)
	if r.StatusCode != 303 || r.Header.Get("Location") != path("/designs/%d?version=1&done=uploaded", designID) {
		t.Fatalf("upload: %d %v %s", r.StatusCode, r.Header, r.Body)
	}
	wantPage(t, h.page(r.Header.Get("Location"), "", mc), 200, "The file is stored and analysed.", "visor.stl", "Watertight</dt><dd>Yes",
		"/thumbnail.png", "Publish and submit for review")
	h.act(path("/designs/%d/versions/1/publish", designID), nil, "published", mc)
	// The page shows the review form to whom the design library lets
	// review (designs.MayReview): coordinators, not the author.
	if p := h.page(path("/designs/%d", designID), "", mc); strings.Contains(p.Body, `id="reviewform"`) {
		t.Fatal("the maker who shared the design is shown the review form")
	}
	wantPage(t, h.page(path("/designs/%d", designID), "", cc), 200, `id="reviewform"`)
	// The coordinator reviews it from its page; a rejection needs a note.
	wantPage(t, h.page(path("/dashboard"), "", cc), 200, "Designs to review", "Visière RC3")
	wantPage(t, h.form(path("/designs/%d/versions/1/review", designID), url.Values{"to": {"rejected"}}, cc), 400, "note is required")
	h.act(path("/designs/%d/versions/1/review", designID), url.Values{"to": {"community_reviewed"}}, "reviewed", cc)
	// The version's history says who did what, in the page's language.
	wantPage(t, h.page(path("/designs/%d", designID), "fr"), 200, "Historique de la version 1", "fichier ajouté\u00a0: visor.stl",
		"relue : Soumis → Relu par la communauté")

	// The maker declares a printer and a spool; bad numbers are refused.
	wantPage(t, h.page("/dashboard", "", mc), 200, "You have not declared a printer yet")
	printer := url.Values{"name": {"Prusa de l’atelier"}, "bed": {"prusa-mk3s"}, "materials": {"PETG", "PLA"}, "hours_per_day": {"douze"}}
	wantPage(t, h.form("/dashboard/printers", printer, mc), 400, "Hours of printing a day “douze” is not a number")
	printer.Set("bed", "rocket")
	printer.Set("hours_per_day", "20")
	wantPage(t, h.form("/dashboard/printers", printer, mc), 400, "Choose the printer model from the list.")
	if n := h.count("printers"); n != 0 {
		t.Fatalf("refused printers stored: %d", n)
	}
	printer.Set("bed", "prusa-mk3s")
	h.act("/dashboard/printers", printer, "printer", mc)
	h.act("/dashboard/spools", url.Values{"material": {"PETG"}, "colour": {"transparent"}, "grams_left": {"2500"}, "lot": {"PETG-2020-04"}}, "spool", mc)
	wantPage(t, h.page("/dashboard", "", mc), 200, "Prusa de l’atelier", "PETG transparent", "lot PETG-2020-04")

	// The hospital asks for 50.
	wantPage(t, h.page("/dashboard", "", hc), 200, "New request", "Visière RC3")
	request := url.Values{"design_id": {strconv.FormatInt(designID, 10)}, "quantity": {"fifty"}, "needed_by": {time.Now().AddDate(0, 0, 10).Format(time.DateOnly)},
		"priority": {"high"}}
	wantPage(t, h.form("/dashboard/requests", request, hc), 400, "Quantity “fifty” is not a whole number", `value="fifty"`)
	request.Set("quantity", "50")
	h.act("/dashboard/requests", request, "requested", hc)
	if n := h.count("requests"); n != 1 {
		t.Fatalf("requests: %d", n)
	}
	// Routing offers it to the maker.
	h.act("/dashboard/routing", nil, "routed", cc)
	wantPage(t, h.page("/dashboard", "", cc), 200, "Units allocated</dt><dd>50")
	r = h.page("/dashboard", "", mc)
	wantPage(t, r, 200, "Jobs offered to you")
	jobs := ids(r.Body, "data-job")
	if len(jobs) == 0 {
		t.Fatalf("no job offered:\n%s", r.Body)
	}
	// The maker claims, prints, hands over, checks and ships each job.
	var spool int64
	if err := h.DB.QueryRow(`SELECT id FROM spools`).Scan(&spool); err != nil {
		t.Fatal(err)
	}
	for _, job := range jobs {
		claim := h.act(path("/dashboard/jobs/%d/claim", job), nil, "claimed", mc)
		leases := cookie(claim, "makerhub_leases")
		if leases == nil || !leases.HttpOnly || leases.Path != "/dashboard" {
			t.Fatalf("claim cookie %+v", leases)
		}
		// Without the claim's lease (another browser), reports are refused.
		wantPage(t, h.form(path("/dashboard/jobs/%d/progress", job), url.Values{"printed": {"1"}}, mc), 403, "was not claimed in this browser")
		wantPage(t, h.form(path("/dashboard/jobs/%d/progress", job), url.Values{"printed": {"-1"}}, mc, leases), 400, "printed is -1")
		h.act(path("/dashboard/jobs/%d/progress", job), url.Values{"printed": {"1"}}, "progress", mc, leases)
		h.act(path("/dashboard/jobs/%d/complete", job), url.Values{}, "completed", mc, leases)
		h.act(path("/dashboard/jobs/%d/handover", job), url.Values{"spool_id": {strconv.FormatInt(spool, 10)}}, "handedover", mc)
	}
	r = h.page("/dashboard", "", mc)
	batches := ids(r.Body, "data-batch")
	if len(batches) != len(jobs) {
		t.Fatalf("%d jobs handed over, %d batches on the dashboard:\n%s", len(jobs), len(batches), r.Body)
	}
	for _, b := range batches {
		wantPage(t, h.form(path("/dashboard/batches/%d/ship", b), nil, mc), 409, "has no units in that state")
		h.act(path("/dashboard/batches/%d/pass", b), nil, "passed", mc)
		h.act(path("/dashboard/batches/%d/ship", b), url.Values{"carrier": {"Marie, bénévole"}}, "shipped", mc)
	}
	// The hospital confirms receipt of each shipment.
	r = h.page("/dashboard", "", hc)
	wantPage(t, r, 200, "Deliveries on their way", "Carried by Marie, bénévole")
	for _, sh := range ids(r.Body, "data-shipment") {
		h.act(path("/dashboard/shipments/%d/receive", sh), url.Values{"note": {"Reçu au magasin central"}}, "received", hc)
		wantPage(t, h.form(path("/dashboard/shipments/%d/receive", sh), nil, hc), 409)
	}
	wantPage(t, h.page("/dashboard", "fr", hc), 200, "Satisfaite", "Rien n’est en route vers vous")
	var delivered int
	if err := h.DB.QueryRow(`SELECT delivered FROM requests`).Scan(&delivered); err != nil || delivered != 50 {
		t.Fatalf("delivered %d, %v", delivered, err)
	}

	// The coordinator sees it all: the chart's totals, the map's places,
	// and recalls a filament lot.
	r = h.page("/dashboard", "", cc)
	wantPage(t, r, 200, "Over the last 30 days: 50 units requested, 50 produced, 50 delivered.", `class="series series-delivered"`,
		`data-places="/dashboard/places.json"`, `role="img"`)
	wantPage(t, h.page("/dashboard/places", "", cc), 200, "<td>Makers</td>", "<td>Hospital</td>")
	wantPage(t, h.form("/dashboard/recalls", url.Values{"filament_lot": {"PETG-2020-04"}}, cc), 400, "reason")
	h.act("/dashboard/recalls", url.Values{"filament_lot": {"PETG-2020-04"}, "reason": {"Brittle: visors crack when bent"}}, "recalled", cc)
	wantPage(t, h.page("/dashboard", "", cc), 200, "filament lot PETG-2020-04 — Brittle")

	// The author opens a second version; a hospital cannot.
	h.act(path("/designs/%d/versions", designID), url.Values{"notes": {"Thinner band"}}, "version", mc)
	wantPage(t, h.page(path("/designs/%d?version=2", designID), "", mc), 200, "Add files to version 2")
	wantPage(t, h.form(path("/designs/%d/versions", designID), nil, hc), 403)
}

// Requests can be reconfirmed and cancelled from the hospital's
// dashboard; a job released goes back to the pool.
func TestDashboardRequestsAndRelease(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker, hospital, coord := h.NewCaller("maker"), h.NewCaller("hospital"), h.NewCaller("coordinator")
	p := &prodWorld{Coord: coord, Hospital: hospital}
	p.Design = h.Published(maker)
	h.NewPrinter(maker)
	keep, drop := h.NewRequest(p, 2), h.NewRequest(p, 3)
	hc, mc := session(hospital), session(maker)
	h.act(path("/dashboard/requests/%d/reconfirm", keep), nil, "reconfirmed", hc)
	h.act(path("/dashboard/requests/%d/cancel", drop), url.Values{"note": {"Received from the region"}}, "cancelled", hc)
	wantPage(t, h.form(path("/dashboard/requests/%d/cancel", drop), nil, hc), 409)
	wantPage(t, h.page("/dashboard", "", hc), 200, "Cancelled")

	job := h.NewPoolJob(p, keep)
	wantPage(t, h.page("/dashboard", "", mc), 200, "Open pool (1 jobs)")
	claim := h.act(path("/dashboard/jobs/%d/claim", job), nil, "claimed", mc)
	leases := cookie(claim, "makerhub_leases")
	wantPage(t, h.page("/dashboard", "", mc, leases), 200, "Jobs you are printing", "Give the job back")
	// Claimed again, it says who holds it.
	wantPage(t, h.form(path("/dashboard/jobs/%d/claim", job), nil, mc), 409, "You already hold job")
	r := h.act(path("/dashboard/jobs/%d/release", job), nil, "released", mc, leases)
	_ = r
	// The next dashboard forgets the lease of the claim that ended.
	r = h.page("/dashboard", "", mc, leases)
	if c := cookie(r, "makerhub_leases"); c == nil || c.MaxAge >= 0 {
		t.Fatalf("the ended claim's lease is kept: %+v", c)
	}
	wantPage(t, r, 200, fmt.Sprintf(`action="/dashboard/jobs/%d/claim"`, job))

	// More than the printer can make: the coordinator sees the demand left
	// and why.
	h.NewRequest(p, 500000)
	h.act("/dashboard/routing", nil, "routed", session(coord))
	wantPage(t, h.page("/dashboard", "", session(coord)), 200, "Unallocated demand", "Not enough printing time")
}

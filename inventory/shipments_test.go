package inventory_test

import (
	"database/sql"
	"slices"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/designstest"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/notify"
	"github.com/makerhub/makerhub/production/productiontest"
)

func (e *env) pass(b *inventory.Batch, loc int64, units int) {
	e.T.Helper()
	if _, err := e.inv.Move(as(e.Coord), inventory.MoveInput{BatchID: b.ID, Kind: inventory.QualityPassed, LocationID: loc, Quantity: units}); err != nil {
		e.T.Fatal(err)
	}
}

func (e *env) ship(u *makerhub.User, in inventory.ShipmentInput) *inventory.Shipment {
	e.T.Helper()
	sh, err := e.inv.CreateShipment(as(u), in)
	if err != nil {
		e.T.Fatal(err)
	}
	return sh
}

func (e *env) dispatch(u *makerhub.User, sh *inventory.Shipment) *inventory.Shipment {
	e.T.Helper()
	sh, err := e.inv.Dispatch(as(u), sh.ID, inventory.ShipmentStep{Note: "Renault Kangoo, Paul"})
	if err != nil {
		e.T.Fatal(err)
	}
	return sh
}

func line(b *inventory.Batch, units int) []inventory.ShipmentLineInput {
	return []inventory.ShipmentLineInput{{BatchID: b.ID, Quantity: units}}
}

// A unit followed from a claimed job to the hospital's confirmed receipt,
// with a discrepancy on arrival.
func TestFollowUnitsToTheHospital(t *testing.T) {
	e := newEnv(t)
	r, b := e.batch(10)
	to := inventory.ShipmentInput{FromLocationID: b.LocationID, ToOrganisationID: e.Nurse.OrganisationID(), Carrier: "volunteer driver"}
	withLines := func(in inventory.ShipmentInput, ls []inventory.ShipmentLineInput) inventory.ShipmentInput {
		in.Lines = ls
		return in
	}

	_, err := e.inv.CreateShipment(as(e.Maker), withLines(to, []inventory.ShipmentLineInput{{BatchID: b.ID, Status: inventory.Unchecked, Quantity: 10}}))
	designstest.WantCode(t, err, makerhub.ECONFLICT, "must pass their quality check before they go to a hospital")
	_, err = e.inv.CreateShipment(as(e.Maker), withLines(to, line(b, 10)))
	designstest.WantCode(t, err, makerhub.ECONFLICT, "has 0 passed unit(s) at Org 2, not 10: nothing was shipped (10 more are unchecked")
	e.pass(b, b.LocationID, 10)
	_, err = e.inv.CreateShipment(as(e.Maker), withLines(to, line(b, 11)))
	designstest.WantCode(t, err, makerhub.ECONFLICT, "has 10 passed unit(s) at Org 2, not 11")
	_, err = e.inv.CreateShipment(as(e.Maker), withLines(to, line(b, 0)))
	designstest.WantCode(t, err, makerhub.EUNPROCESSABLE, "quantity is 0")
	_, err = e.inv.CreateShipment(as(e.Other), withLines(to, line(b, 1)))
	designstest.WantCode(t, err, makerhub.EFORBIDDEN, "not your site")
	if n := e.Count(`SELECT count(*) FROM shipments`); n != 0 {
		t.Fatalf("%d shipments after refusals", n)
	}

	sh := e.ship(e.Maker, withLines(to, line(b, 10)))
	if sh.State != inventory.ShipmentPrepared || len(sh.Lines) != 1 || *sh.Lines[0].RequestID != r.ID {
		t.Fatalf("shipment %+v", sh)
	}
	if got := e.stock(b.ID); got["Org 2/passed"] != 10 {
		t.Fatalf("a prepared shipment took stock: %v", got)
	}
	_, err = e.inv.Receive(as(e.Nurse), sh.ID, inventory.ReceiptInput{})
	designstest.WantCode(t, err, makerhub.ECONFLICT, "is prepared")
	sh = e.dispatch(e.Maker, sh)
	if got := e.stock(b.ID); len(got) != 0 {
		t.Fatalf("stock after dispatch %v", got)
	}
	if rr := e.request(r.ID); rr.InInventory != 10 {
		t.Fatalf("in inventory %d while in transit", rr.InInventory)
	}
	if _, err := e.inv.MarkDelivered(as(e.Maker), sh.ID, inventory.ShipmentStep{}); err != nil {
		t.Fatal(err)
	}

	other := e.Hospital(45.1, 5.7, true)
	for _, u := range []*makerhub.User{e.Other, other} {
		_, err = e.inv.Receive(as(u), sh.ID, inventory.ReceiptInput{})
		if c := makerhub.ErrorCode(err); c != makerhub.EFORBIDDEN {
			t.Fatalf("receipt by %s: %v", u.Role, err)
		}
	}
	before := e.Count(`SELECT count(*) FROM movements`)
	_, err = e.inv.Receive(as(e.Nurse), sh.ID, inventory.ReceiptInput{Lines: []inventory.ReceiptLine{{BatchID: b.ID, Received: 11}}})
	designstest.WantCode(t, err, makerhub.EUNPROCESSABLE, "11 unit(s) of batch 1 received but 10 were shipped")
	if n := e.Count(`SELECT count(*) FROM movements`); n != before {
		t.Fatal("a refused receipt changed the ledger")
	}

	sh, err = e.inv.Receive(as(e.Nurse), sh.ID, inventory.ReceiptInput{Lines: []inventory.ReceiptLine{{BatchID: b.ID, Received: 9}}, Note: "one cracked box"})
	if err != nil {
		t.Fatal(err)
	}
	if sh.State != inventory.ShipmentReceived || sh.Missing != 1 || *sh.Lines[0].Received != 9 {
		t.Fatalf("received shipment %+v", sh)
	}
	rr := e.request(r.ID)
	if rr.Delivered != 9 || rr.InInventory != 0 || rr.Open != 1 || rr.State != production.RequestOpen {
		t.Fatalf("request after receipt %+v", rr)
	}
	// The missing unit goes back to the demand.
	if run := e.Route(); run.Stats.UnitsRequested != 1 {
		t.Fatalf("routing planned %d units; want the 1 missing", run.Stats.UnitsRequested)
	}
	tr, err := e.inv.TraceBatch(as(e.Nurse), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (inventory.BatchTotals{Produced: 10, Delivered: 9, Missing: 1}); tr.Totals != want {
		t.Fatalf("totals %+v; want %+v", tr.Totals, want)
	}
	st, err := e.inv.TraceShipment(as(e.Nurse), sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.To.Name != e.Nurse.Organisation.Name || len(st.Batches) != 1 || st.Batches[0].Files[0].SHA256 != b.Files[0].SHA256 ||
		len(st.Events) != 4 || st.Events[3].Note != "one cracked box (missing: 1 of batch 1)" {
		t.Fatalf("shipment trace %+v", st)
	}
	var requestEvents int
	e.DB.QueryRow(`SELECT count(*) FROM request_events WHERE request_id = ? AND action = 'delivered'`, r.ID).Scan(&requestEvents)
	if requestEvents != 1 {
		t.Fatalf("%d delivered events", requestEvents)
	}
}

// recallEnv is a hub whose recalls are notified for real.
func recallEnv(t *testing.T) *env {
	h := productiontest.New(t, func(db *sql.DB, acc *accounts.Service) makerhub.Notifier {
		return notify.New(db, acc, notify.Options{})
	})
	inv := inventory.New(h.DB, h.Accounts, h.Designs, h.Production, inventory.Options{Now: h.Clock.Now,
		Notifier: notify.New(h.DB, h.Accounts, notify.Options{})})
	return withInvariants(&env{Hub: h, inv: inv})
}

// made is a batch printed by maker for request r through a job offered by
// hand.
func (e *env) made(r *production.Request, maker *makerhub.User, units int, lot string) *inventory.Batch {
	e.T.Helper()
	j, err := e.Production.CreateJob(as(e.Coord), production.JobInput{RequestID: r.ID, Quantity: units, OfferedTo: &maker.ID})
	if err != nil {
		e.T.Fatal(err)
	}
	c, err := e.Production.Claim(as(maker), j.ID, production.ClaimInput{})
	if err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.Production.Complete(as(maker), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken}); err != nil {
		e.T.Fatal(err)
	}
	b, err := e.inv.Produce(as(maker), j.ID, inventory.ProduceInput{FilamentLot: lot})
	if err != nil {
		e.T.Fatal(err)
	}
	e.pass(b, b.LocationID, units)
	return b
}

func TestRecallOfAWithdrawnVersionReachesExactlyTheAffectedHospitals(t *testing.T) {
	e := recallEnv(t)
	maker2 := e.User(makerhub.RoleMaker, 45.3, 5.9)
	e.Printer(maker2, "Mini", [3]float64{250, 210, 210}, "PETG", "PLA")
	h1, h2, h3, h4, h5 := e.Nurse, e.Hospital(45.5, 5.1, true), e.Hospital(45.6, 5.2, true), e.Hospital(45.7, 5.3, true), e.Hospital(45.8, 5.4, true)
	req := func(h *makerhub.User, d *designs.Design) *production.Request {
		return e.Request(h, d, 20, production.Critical, 5)
	}
	hubA := e.hub("Hub A")
	hubB := e.hub("Hub B")

	// h1 received face shields straight from the maker.
	b1 := e.made(req(h1, e.Shield), e.Maker, 10, "PETG-7")
	s1 := e.dispatch(e.Maker, e.ship(e.Maker, inventory.ShipmentInput{FromLocationID: b1.LocationID, ToOrganisationID: h1.OrganisationID(), Lines: line(b1, 10)}))
	if _, err := e.inv.Receive(as(h1), s1.ID, inventory.ReceiptInput{}); err != nil {
		t.Fatal(err)
	}
	// h2's come through hub A and are on the road.
	b2 := e.made(req(h2, e.Shield), maker2, 8, "PETG-8")
	if _, err := e.inv.Move(as(maker2), inventory.MoveInput{BatchID: b2.ID, Kind: inventory.Transferred, LocationID: b2.LocationID,
		ToLocationID: hubA.ID, Status: inventory.Passed, Quantity: 8}); err != nil {
		t.Fatal(err)
	}
	s2 := e.dispatch(e.Coord, e.ship(e.Coord, inventory.ShipmentInput{FromLocationID: hubA.ID, ToOrganisationID: h2.OrganisationID(), Lines: line(b2, 8)}))
	// h3's are packed but have not left the maker.
	b3 := e.made(req(h3, e.Shield), e.Maker, 6, "PETG-7")
	s3 := e.ship(e.Maker, inventory.ShipmentInput{FromLocationID: b3.LocationID, ToOrganisationID: h3.OrganisationID(), Lines: line(b3, 6)})
	// h4 received valve handles, another design, through hub B.
	b4 := e.made(req(h4, e.Valve), e.Other, 5, "PLA-1")
	s4 := e.dispatch(e.Other, e.ship(e.Other, inventory.ShipmentInput{FromLocationID: b4.LocationID, ToLocationID: hubB.ID, Lines: line(b4, 5)}))
	if _, err := e.inv.Receive(as(e.Coord), s4.ID, inventory.ReceiptInput{}); err != nil {
		t.Fatal(err)
	}
	s5 := e.dispatch(e.Coord, e.ship(e.Coord, inventory.ShipmentInput{FromLocationID: hubB.ID, ToOrganisationID: h4.OrganisationID(), Lines: line(b4, 5)}))
	if _, err := e.inv.Receive(as(h4), s5.ID, inventory.ReceiptInput{}); err != nil {
		t.Fatal(err)
	}
	// h5 asked for face shields and got none yet.
	req(h5, e.Shield)

	if _, err := e.Designs.SetLifecycle(as(e.Coord), e.Shield.ID, 1, designs.Withdrawn, "the headband cracks after a day"); err != nil {
		t.Fatal(err)
	}
	recalls, err := e.inv.FindRecalls(as(h5))
	if err != nil || len(recalls) != 1 {
		t.Fatalf("recalls %v, %v", recalls, err)
	}
	rc, err := e.inv.FindRecallByID(as(e.Coord), recalls[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var hospitals []int64
	for _, h := range rc.Hospitals {
		hospitals = append(hospitals, h.OrganisationID)
	}
	if want := []int64{h1.OrganisationID(), h2.OrganisationID()}; !slices.Equal(sorted(hospitals), sorted(want)) {
		t.Fatalf("hospitals %v; want h1 and h2 %v", rc.Hospitals, want)
	}
	for _, h := range rc.Hospitals {
		if h.OrganisationID == h1.OrganisationID() && (h.Received != 10 || h.OnTheWay != 0) ||
			h.OrganisationID == h2.OrganisationID() && (h.Received != 0 || h.OnTheWay != 8) {
			t.Fatalf("hospital %+v", h)
		}
	}
	var batches, shipments []int64
	for _, b := range rc.Batches {
		batches = append(batches, b.BatchID)
		if !b.Held {
			t.Fatalf("batch %d not held", b.BatchID)
		}
	}
	for _, s := range rc.Shipments {
		shipments = append(shipments, s.ShipmentID)
	}
	if !slices.Equal(batches, []int64{b1.ID, b2.ID, b3.ID}) || !slices.Equal(shipments, []int64{s1.ID, s2.ID, s3.ID}) {
		t.Fatalf("batches %v, shipments %v", batches, shipments)
	}
	stock := map[int64]int{}
	for _, l := range rc.Stock {
		stock[l.LocationID] += l.Quantity
	}
	if len(stock) != 2 || stock[b3.LocationID] != 6 {
		t.Fatalf("recalled stock %v", rc.Stock)
	}

	// Told in-app (and so by webhook): the two hospitals and the two makers.
	rows, err := e.DB.Query(`SELECT COALESCE(organisation_id, 0), COALESCE(user_id, 0) FROM notifications WHERE kind = 'recall' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var told []int64
	for rows.Next() {
		var org, user int64
		rows.Scan(&org, &user)
		if user != 0 {
			told = append(told, user)
		} else {
			told = append(told, org)
		}
	}
	rows.Close()
	if want := []int64{h1.OrganisationID(), h2.OrganisationID(), e.Maker.ID, maker2.ID}; !slices.Equal(sorted(told), sorted(want)) {
		t.Fatalf("told %v; want %v", told, want)
	}
	// A hospital sees only itself in the recall.
	mine, err := e.inv.FindRecallByID(as(h1), rc.ID)
	if err != nil || len(mine.Hospitals) != 1 || mine.Hospitals[0].OrganisationID != h1.OrganisationID() || len(mine.Batches) != 0 {
		t.Fatalf("h1's view %+v, %v", mine, err)
	}

	// The held stock cannot move until released.
	_, err = e.inv.Dispatch(as(e.Maker), s3.ID, inventory.ShipmentStep{})
	designstest.WantCode(t, err, makerhub.ECONFLICT, "held by recall")
	_, err = e.inv.Move(as(e.Maker), inventory.MoveInput{BatchID: b3.ID, Kind: inventory.Transferred, LocationID: b3.LocationID,
		ToLocationID: hubA.ID, Status: inventory.Passed, Quantity: 1})
	designstest.WantCode(t, err, makerhub.ECONFLICT, "held by recall")
	_, err = e.inv.ReleaseBatch(as(e.Maker), rc.ID, b3.ID, inventory.ReleaseInput{Note: "fine"})
	designstest.WantCode(t, err, makerhub.EFORBIDDEN, "")
	if _, err := e.inv.ReleaseBatch(as(e.Coord), rc.ID, b3.ID, inventory.ReleaseInput{Note: "inspected: these headbands hold"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.inv.Dispatch(as(e.Maker), s3.ID, inventory.ShipmentStep{}); err != nil {
		t.Fatal(err)
	}

	// A filament lot is recalled by hand.
	_, err = e.inv.CreateRecall(as(e.Coord), inventory.RecallInput{FilamentLot: "PETG-99", Reason: "brittle"})
	designstest.WantCode(t, err, makerhub.ENOTFOUND, "no batch was printed with filament lot")
	lotRecall, err := e.inv.CreateRecall(as(e.Coord), inventory.RecallInput{FilamentLot: "PETG-7", Reason: "moisture in the lot"})
	if err != nil {
		t.Fatal(err)
	}
	if len(lotRecall.Batches) != 2 || lotRecall.Batches[0].BatchID != b1.ID || lotRecall.Batches[1].BatchID != b3.ID {
		t.Fatalf("lot recall batches %+v", lotRecall.Batches)
	}
	_, err = e.inv.CreateRecall(as(e.Coord), inventory.RecallInput{DesignID: e.Valve.ID, Version: 1, Reason: "x"})
	designstest.WantCode(t, err, makerhub.ECONFLICT, "is not withdrawn")
}

func sorted(s []int64) []int64 { s = slices.Clone(s); slices.Sort(s); return s }

package inventory_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/designstest"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/productiontest"
)

func as(u *makerhub.User) context.Context { return designstest.As(u) }

type env struct {
	*productiontest.Hub
	inv *inventory.Service
}

func newEnv(t *testing.T) *env {
	h := productiontest.New(t, nil)
	return withInvariants(&env{Hub: h, inv: inventory.New(h.DB, h.Accounts, h.Designs, h.Production, inventory.Options{Now: h.Clock.Now})})
}

// withInvariants checks the inventory's invariants when the test ends,
// whatever it did.
func withInvariants(e *env) *env {
	e.T.Cleanup(func() {
		problems, err := e.inv.Check(as(e.Coord))
		if err != nil {
			e.T.Fatal(err)
		}
		for _, p := range problems {
			e.T.Errorf("invariant: %s", p)
		}
	})
	return e
}

// Check finds a ledger, a stock or a request that disagree.
func TestCheckFindsBrokenInvariants(t *testing.T) {
	h := productiontest.New(t, nil)
	e := &env{Hub: h, inv: inventory.New(h.DB, h.Accounts, h.Designs, h.Production, inventory.Options{Now: h.Clock.Now})}
	r, b := e.batch(5)
	sp := e.spool(e.Maker, inventory.SpoolInput{Material: "PETG", GramsLeft: designstest.Ptr(1000.0)})
	if problems, err := e.inv.Check(as(e.Coord)); err != nil || len(problems) != 0 {
		t.Fatalf("a sound hub: %v, %v", problems, err)
	}
	for _, q := range []string{
		`UPDATE stock SET quantity = quantity + 2 WHERE batch_id = 1`,
		`UPDATE requests SET in_inventory = 1 WHERE id = 1`,
		`UPDATE jobs SET state = 'printed' WHERE id = 1`,
		`UPDATE spools SET grams_left = 1005`,
		`UPDATE batches SET spool_id = 1`,
	} {
		if _, err := e.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := e.inv.Check(as(e.Coord))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("stock of batch %d (location, status: %d, unchecked) is 7 (ledger: 5): the ledger does not sum to it", b.ID, b.LocationID),
		fmt.Sprintf("batch %d produced 5 but its units add up to 7 (in stock + in transit + rejected + adjusted out + missing)", b.ID),
		fmt.Sprintf("request %d counts 1 unit(s) in inventory, but its batches have 7 in stock short of a hospital or in transit", r.ID),
		fmt.Sprintf("job %d is printed but 1 batch(es) hold its units", b.JobID),
		fmt.Sprintf("spool %d has 1005 g left, but its events sum to 1000 g", sp.ID),
		fmt.Sprintf("batch %d took %v g from its spool, but the spool's events record 0 g", b.ID, b.FilamentG),
	}
	if !slices.Equal(problems, want) {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
}

// printed files a request from the nurse for units of the face shield,
// routes it, and has the maker claim and complete every job. It returns the
// request and the printed jobs.
func (e *env) printed(units int) (*production.Request, []*production.Job) {
	e.T.Helper()
	r := e.Request(e.Nurse, e.Shield, units, production.High, 10)
	e.Route()
	jobs, _, err := e.Production.FindJobs(as(e.Maker), production.JobFilter{RequestID: r.ID})
	if err != nil || len(jobs) == 0 {
		e.T.Fatalf("jobs for the maker: %v, %v", jobs, err)
	}
	for _, j := range jobs {
		c, err := e.Production.Claim(as(e.Maker), j.ID, production.ClaimInput{})
		if err != nil {
			e.T.Fatal(err)
		}
		if _, err := e.Production.Complete(as(e.Maker), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken}); err != nil {
			e.T.Fatal(err)
		}
	}
	return r, jobs
}

// batch hands one printed job of units over to the stock.
func (e *env) batch(units int) (*production.Request, *inventory.Batch) {
	e.T.Helper()
	r, jobs := e.printed(units)
	if len(jobs) != 1 {
		e.T.Fatalf("%d jobs for %d units; want 1", len(jobs), units)
	}
	b, err := e.inv.Produce(as(e.Maker), jobs[0].ID, inventory.ProduceInput{FilamentLot: "PETG-2020-03-A"})
	if err != nil {
		e.T.Fatal(err)
	}
	return r, b
}

func (e *env) hub(name string) *inventory.Location {
	e.T.Helper()
	l, err := e.inv.CreateHub(as(e.Coord), inventory.HubInput{Name: name, Address: "1 rue du Fablab, Grenoble"})
	if err != nil {
		e.T.Fatal(err)
	}
	return l
}

func (e *env) stock(batch int64) map[string]int {
	e.T.Helper()
	lines, err := e.inv.FindStock(as(e.Coord), inventory.StockFilter{BatchID: batch})
	if err != nil {
		e.T.Fatal(err)
	}
	m := map[string]int{}
	for _, l := range lines {
		m[l.LocationName+"/"+string(l.Status)] += l.Quantity
	}
	return m
}

func (e *env) request(id int64) *production.Request {
	e.T.Helper()
	r, err := e.Production.FindRequestByID(as(e.Coord), id)
	if err != nil {
		e.T.Fatal(err)
	}
	return r
}

func TestProduceHandsAPrintedJobOverAsABatch(t *testing.T) {
	e := newEnv(t)
	r, jobs := e.printed(10)
	j := jobs[0]

	_, err := e.inv.Produce(as(e.Other), j.ID, inventory.ProduceInput{})
	designstest.WantCode(t, err, makerhub.EFORBIDDEN, "only its maker or a coordinator")
	_, err = e.inv.Produce(as(e.Nurse), j.ID, inventory.ProduceInput{})
	designstest.WantCode(t, err, makerhub.EFORBIDDEN, "")

	b, err := e.inv.Produce(as(e.Maker), j.ID, inventory.ProduceInput{FilamentLot: " PETG-2020-03-A "})
	if err != nil {
		t.Fatal(err)
	}
	if b.JobID != j.ID || b.RequestID != r.ID || b.Quantity != 10 || b.MakerID != e.Maker.ID || b.PrinterID == nil ||
		b.FilamentLot != "PETG-2020-03-A" || b.Category != designs.FaceShield || len(b.Files) != 1 || len(b.Files[0].SHA256) != 64 {
		t.Fatalf("batch %+v", b)
	}
	if got := e.stock(b.ID); len(got) != 1 || got["Org 2/unchecked"] != 10 {
		t.Fatalf("stock %v; want 10 unchecked at the maker's site", got)
	}
	jj, _ := e.Production.FindJobByID(as(e.Coord), j.ID)
	if jj.State != production.JobHandedOver {
		t.Fatalf("job is %s", jj.State)
	}
	// The units are on their way: routing plans no more for the request.
	if rr := e.request(r.ID); rr.InInventory != 10 || rr.InJobs != 0 || rr.Open != 10 {
		t.Fatalf("request %+v", rr)
	}
	run := e.Route()
	if run.Stats.UnitsRequested != 0 {
		t.Fatalf("routing planned %d units again", run.Stats.UnitsRequested)
	}
	_, err = e.inv.Produce(as(e.Maker), j.ID, inventory.ProduceInput{})
	designstest.WantCode(t, err, makerhub.ECONFLICT, "already handed over")
	if n := e.Count(`SELECT count(*) FROM batches`); n != 1 {
		t.Fatalf("%d batches", n)
	}
}

func TestStockNeverGoesNegativeUnderConcurrentMoves(t *testing.T) {
	e := newEnv(t)
	_, b := e.batch(10)
	hub := e.hub("Fablab Grenoble")
	const tries = 30
	var wg sync.WaitGroup
	errs := make(chan error, tries)
	for range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.inv.Move(as(e.Maker), inventory.MoveInput{BatchID: b.ID, Kind: inventory.Transferred,
				LocationID: b.LocationID, ToLocationID: hub.ID, Status: inventory.Unchecked, Quantity: 1})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok, conflicts := 0, 0
	for err := range errs {
		switch makerhub.ErrorCode(err) {
		case "":
			ok++
		case makerhub.ECONFLICT:
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 10 || conflicts != tries-10 {
		t.Fatalf("%d moves succeeded and %d were refused; want 10 and %d", ok, conflicts, tries-10)
	}
	if got := e.stock(b.ID); got["Fablab Grenoble/unchecked"] != 10 || got["Org 2/unchecked"] != 0 {
		t.Fatalf("stock %v", got)
	}
	if n := e.Count(`SELECT count(*) FROM movements WHERE kind = 'transferred'`); n != 10 {
		t.Fatalf("%d transfers in the ledger; want 10", n)
	}
}

func TestRefusedMovementsLeaveTheLedgerUnchanged(t *testing.T) {
	e := newEnv(t)
	_, b := e.batch(10)
	hub := e.hub("Fablab Grenoble")
	site := b.LocationID
	move := func(u *makerhub.User, in inventory.MoveInput) error {
		in.BatchID = b.ID
		if in.LocationID == 0 {
			in.LocationID = site
		}
		_, err := e.inv.Move(as(u), in)
		return err
	}
	before := e.Count(`SELECT count(*) FROM movements`)
	for _, tc := range []struct {
		name string
		u    *makerhub.User
		in   inventory.MoveInput
		code string
		msg  string
	}{
		{"zero", e.Maker, inventory.MoveInput{Kind: inventory.QualityPassed, Quantity: 0}, makerhub.EUNPROCESSABLE, "quantity is 0"},
		{"negative", e.Maker, inventory.MoveInput{Kind: inventory.QualityRejected, Quantity: -2, Reason: "warped"}, makerhub.EUNPROCESSABLE, "quantity is -2"},
		{"more than the stock", e.Maker, inventory.MoveInput{Kind: inventory.QualityPassed, Quantity: 11}, makerhub.ECONFLICT, "has 10 unchecked unit(s) at Org 2, not 11"},
		{"none passed yet", e.Maker, inventory.MoveInput{Kind: inventory.Transferred, ToLocationID: hub.ID, Status: inventory.Passed, Quantity: 1}, makerhub.ECONFLICT, "has 0 passed unit(s)"},
		{"another maker's site", e.Other, inventory.MoveInput{Kind: inventory.QualityPassed, Quantity: 1}, makerhub.EFORBIDDEN, "not your site"},
		{"maker adjusts", e.Maker, inventory.MoveInput{Kind: inventory.Adjusted, Status: inventory.Unchecked, Quantity: 1, Reason: "lost"}, makerhub.EFORBIDDEN, "only coordinators adjust"},
		{"rejection without reason", e.Maker, inventory.MoveInput{Kind: inventory.QualityRejected, Quantity: 1}, makerhub.EINVALID, "reason is required"},
		{"shipped by hand", e.Maker, inventory.MoveInput{Kind: inventory.Shipped, Quantity: 1}, makerhub.EINVALID, "cannot be recorded by hand"},
		{"transfer without status", e.Maker, inventory.MoveInput{Kind: inventory.Transferred, ToLocationID: hub.ID, Quantity: 1}, makerhub.EINVALID, "status is required"},
		{"maker works at a hub", e.Maker, inventory.MoveInput{Kind: inventory.QualityPassed, LocationID: hub.ID, Quantity: 1}, makerhub.EFORBIDDEN, "not your site"},
		{"hospital", e.Nurse, inventory.MoveInput{Kind: inventory.QualityPassed, Quantity: 1}, makerhub.EFORBIDDEN, ""},
		{"no such batch", e.Coord, inventory.MoveInput{Kind: inventory.QualityPassed, Quantity: 1, BatchID: 999}, makerhub.ENOTFOUND, "batch 999"},
	} {
		in := tc.in
		var err error
		if in.BatchID == 999 {
			in.LocationID = site
			_, err = e.inv.Move(as(tc.u), in)
		} else {
			err = move(tc.u, in)
		}
		if makerhub.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v; want %s", tc.name, err, tc.code)
			continue
		}
		designstest.WantCode(t, err, tc.code, tc.msg)
	}
	if n := e.Count(`SELECT count(*) FROM movements`); n != before {
		t.Fatalf("the ledger grew from %d to %d movements", before, n)
	}
	if got := e.stock(b.ID); got["Org 2/unchecked"] != 10 || len(got) != 1 {
		t.Fatalf("stock %v", got)
	}
	// The ledger cannot be rewritten.
	if _, err := e.DB.Exec(`UPDATE movements SET quantity = 1`); err == nil {
		t.Fatal("a movement was updated")
	}
	if _, err := e.DB.Exec(`DELETE FROM movements`); err == nil {
		t.Fatal("a movement was deleted")
	}
}

func TestQualityChecksRejectionsAndAdjustments(t *testing.T) {
	e := newEnv(t)
	r, b := e.batch(10)
	hub := e.hub("Fablab Grenoble")
	do := func(u *makerhub.User, in inventory.MoveInput) *inventory.Movement {
		t.Helper()
		in.BatchID = b.ID
		m, err := e.inv.Move(as(u), in)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// The maker checks their own units: 7 pass, 3 are rejected, and the
	// rejected units go back to the request's demand.
	do(e.Maker, inventory.MoveInput{Kind: inventory.QualityPassed, LocationID: b.LocationID, Quantity: 7})
	rej := do(e.Maker, inventory.MoveInput{Kind: inventory.QualityRejected, LocationID: b.LocationID, Quantity: 3, Reason: "layer shift"})
	if rej.ToLocationID != nil || *rej.FromStatus != inventory.Unchecked || rej.Reason != "layer shift" || *rej.ActorID != e.Maker.ID {
		t.Fatalf("rejection %+v", rej)
	}
	if rr := e.request(r.ID); rr.InInventory != 7 {
		t.Fatalf("in inventory %d after 3 rejected; want 7", rr.InInventory)
	}
	if run := e.Route(); run.Stats.UnitsRequested != 3 {
		t.Fatalf("routing planned %d units; want the 3 rejected", run.Stats.UnitsRequested)
	}

	// Face shields must now be checked at the hub: the maker cannot pass
	// them at home any more.
	if err := e.inv.RequireQualityCheck(as(e.Maker), designs.FaceShield, hub.ID); makerhub.ErrorCode(err) != makerhub.EFORBIDDEN {
		t.Fatalf("a maker set a quality rule: %v", err)
	}
	if err := e.inv.RequireQualityCheck(as(e.Coord), designs.FaceShield, hub.ID); err != nil {
		t.Fatal(err)
	}
	do(e.Coord, inventory.MoveInput{Kind: inventory.Adjusted, LocationID: b.LocationID, Status: inventory.Unchecked,
		Direction: "in", Quantity: 2, Reason: "two found under the printer"})
	_, err := e.inv.Move(as(e.Maker), inventory.MoveInput{BatchID: b.ID, Kind: inventory.QualityPassed, LocationID: b.LocationID, Quantity: 2})
	designstest.WantCode(t, err, makerhub.ECONFLICT, "must pass their quality check at Fablab Grenoble")
	do(e.Maker, inventory.MoveInput{Kind: inventory.Transferred, LocationID: b.LocationID, ToLocationID: hub.ID, Status: inventory.Unchecked, Quantity: 2})
	do(e.Coord, inventory.MoveInput{Kind: inventory.QualityPassed, LocationID: hub.ID, Quantity: 2})
	do(e.Coord, inventory.MoveInput{Kind: inventory.Adjusted, LocationID: hub.ID, Status: inventory.Passed, Quantity: 1, Reason: "dropped and cracked"})

	if got := e.stock(b.ID); got["Org 2/passed"] != 7 || got["Fablab Grenoble/passed"] != 1 || len(got) != 2 {
		t.Fatalf("stock %v", got)
	}
	tr, err := e.inv.TraceBatch(as(e.Nurse), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := inventory.BatchTotals{Produced: 10, AdjustedIn: 2, InStock: 8, Rejected: 3, AdjustedOut: 1}
	if tr.Totals != want {
		t.Fatalf("totals %+v; want %+v", tr.Totals, want)
	}
	if tr.Design.ID != e.Shield.ID || tr.Design.Status != string(designs.ClinicallyValidated) || tr.Maker.UserID != e.Maker.ID ||
		tr.Printer == nil || tr.Printer.Name != "MK3S" || tr.Request.ID != r.ID || tr.Request.HospitalID != e.Nurse.OrganisationID() ||
		len(tr.Movements) != 7 || len(tr.JobEvents) < 4 || tr.JobEvents[len(tr.JobEvents)-1].To != string(production.JobHandedOver) {
		t.Fatalf("trace %+v", tr)
	}
	if rr := e.request(r.ID); rr.InInventory != 8 {
		t.Fatalf("in inventory %d; want 8", rr.InInventory)
	}
	// Another maker sees neither the batch nor its trace.
	_, err = e.inv.TraceBatch(as(e.Other), b.ID)
	designstest.WantCode(t, err, makerhub.EFORBIDDEN, "")
}

package inventory_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs/designstest"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
)

func (e *env) spool(u *makerhub.User, in inventory.SpoolInput) *inventory.Spool {
	e.T.Helper()
	sp, err := e.inv.CreateSpool(as(u), in)
	if err != nil {
		e.T.Fatal(err)
	}
	return sp
}

func (e *env) findSpool(id int64) *inventory.Spool {
	e.T.Helper()
	sps, _, err := e.inv.FindSpools(as(e.Coord), inventory.SpoolFilter{})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, sp := range sps {
		if sp.ID == id {
			return sp
		}
	}
	e.T.Fatalf("spool %d not listed", id)
	return nil
}

func round1(g float64) float64 { return math.Round(g*10) / 10 }

func TestSpoolRegistrationRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	g := designstest.Ptr(1000.0)
	for _, c := range []struct {
		u    *makerhub.User
		in   inventory.SpoolInput
		code string
		msg  string
	}{
		{e.Maker, inventory.SpoolInput{Material: "PETG"}, makerhub.EINVALID, "grams_left is required: weigh the spool"},
		{e.Maker, inventory.SpoolInput{Material: "PETG", GramsLeft: designstest.Ptr(-5.0)}, makerhub.EUNPROCESSABLE, "grams_left is -5"},
		{e.Maker, inventory.SpoolInput{Material: "PETG", GramsLeft: designstest.Ptr(1e9)}, makerhub.EUNPROCESSABLE, "from 0 to 100000"},
		{e.Maker, inventory.SpoolInput{Material: " ", GramsLeft: g}, makerhub.EINVALID, "material is required"},
		{e.Maker, inventory.SpoolInput{Material: "PLA", GramsLeft: g, Colour: strings.Repeat("x", 101)}, makerhub.EINVALID, "colour must be at most 100"},
		{e.Maker, inventory.SpoolInput{MakerID: e.Other.ID, Material: "PLA", GramsLeft: g}, makerhub.EFORBIDDEN, "register their own spools"},
		{e.Coord, inventory.SpoolInput{Material: "PLA", GramsLeft: g}, makerhub.EINVALID, "maker_id is required"},
		{e.Coord, inventory.SpoolInput{MakerID: e.Nurse.ID, Material: "PLA", GramsLeft: g}, makerhub.EUNPROCESSABLE, "is not a maker"},
		{e.Nurse, inventory.SpoolInput{Material: "PLA", GramsLeft: g}, makerhub.EFORBIDDEN, ""},
	} {
		_, err := e.inv.CreateSpool(as(c.u), c.in)
		designstest.WantCode(t, err, c.code, c.msg)
	}
	if n := e.Count(`SELECT count(*) FROM spools`) + e.Count(`SELECT count(*) FROM spool_events`); n != 0 {
		t.Fatalf("refused registrations stored %d rows", n)
	}
	sp := e.spool(e.Maker, inventory.SpoolInput{Material: " petg ", Colour: "clear", GramsLeft: g, Lot: "L1"})
	_, err := e.inv.UpdateSpool(as(e.Other), sp.ID, inventory.SpoolUpdate{GramsLeft: designstest.Ptr(10.0)})
	designstest.WantCode(t, err, makerhub.EFORBIDDEN, "another maker's")
	_, err = e.inv.UpdateSpool(as(e.Maker), sp.ID, inventory.SpoolUpdate{GramsLeft: designstest.Ptr(math.NaN())})
	designstest.WantCode(t, err, makerhub.EUNPROCESSABLE, "grams_left is NaN")
	_, err = e.inv.UpdateSpool(as(e.Maker), sp.ID, inventory.SpoolUpdate{Lot: designstest.Ptr(strings.Repeat("l", 201))})
	designstest.WantCode(t, err, makerhub.EINVALID, "lot must be at most 200")
	_, err = e.inv.FindSpoolEvents(as(e.Other), sp.ID)
	designstest.WantCode(t, err, makerhub.EFORBIDDEN, "")
	if got := e.findSpool(sp.ID); got.Material != "PETG" || got.GramsLeft != 1000 || got.Low {
		t.Fatalf("spool %+v", got)
	}
	// Makers see their own spools only.
	e.spool(e.Coord, inventory.SpoolInput{MakerID: e.Other.ID, Material: "PLA", GramsLeft: g, Donor: "Région Auvergne-Rhône-Alpes"})
	mine, total, err := e.inv.FindSpools(as(e.Maker), inventory.SpoolFilter{MakerID: e.Other.ID})
	if err != nil || len(mine) != 1 || total != 1 || mine[0].ID != sp.ID {
		t.Fatalf("the maker's list: %v (%d), %v", mine, total, err)
	}
	e.spool(e.Maker, inventory.SpoolInput{Material: "PLA", GramsLeft: designstest.Ptr(60.0)})
	for _, c := range []struct {
		f     inventory.SpoolFilter
		n     int
		total int
	}{
		{inventory.SpoolFilter{}, 3, 3},
		{inventory.SpoolFilter{Low: true}, 1, 1},
		{inventory.SpoolFilter{Material: "pla"}, 2, 2},
		{inventory.SpoolFilter{MakerID: e.Maker.ID, Limit: 1, Offset: 1}, 1, 2},
	} {
		sps, total, err := e.inv.FindSpools(as(e.Coord), c.f)
		if err != nil || len(sps) != c.n || total != c.total {
			t.Errorf("%+v: %d spools of %d (%v); want %d of %d", c.f, len(sps), total, err, c.n, c.total)
		}
	}
}

// A batch takes the design's estimated grams from the spool its maker
// names; a spool that holds too little refuses, and a low one warns.
func TestBatchesConsumeTheirSpool(t *testing.T) {
	e := recallEnv(t)
	profile, err := e.Designs.FindPrintProfile(context.Background(), e.Shield.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	perUnit := profile.FilamentG
	if perUnit < 15 || perUnit > 40 {
		t.Fatalf("face shield estimate %.1f g; PrusaSlicer says 26 g", perUnit)
	}
	petg := e.spool(e.Maker, inventory.SpoolInput{Material: "PETG", Colour: "clear", GramsLeft: designstest.Ptr(1000.0), Lot: "PETG-2020-03-A", Donor: "Fablab"})
	pla := e.spool(e.Maker, inventory.SpoolInput{Material: "PLA", GramsLeft: designstest.Ptr(500.0)})
	others := e.spool(e.Coord, inventory.SpoolInput{MakerID: e.Other.ID, Material: "PETG", GramsLeft: designstest.Ptr(750.0)})

	_, jobs := e.printed(10)
	job := jobs[0].ID
	for _, c := range []struct {
		in   inventory.ProduceInput
		code string
		msg  string
	}{
		{inventory.ProduceInput{SpoolID: &pla.ID}, makerhub.EUNPROCESSABLE, "is PLA, but the design is printed in PETG"},
		{inventory.ProduceInput{SpoolID: &others.ID}, makerhub.EFORBIDDEN, "another maker's"},
		{inventory.ProduceInput{SpoolID: designstest.Ptr(int64(99))}, makerhub.EUNPROCESSABLE, "spool_id 99: no such spool"},
		{inventory.ProduceInput{SpoolID: &petg.ID, FilamentLot: "OTHER"}, makerhub.EUNPROCESSABLE, `is not the lot of spool`},
	} {
		_, err := e.inv.Produce(as(e.Maker), job, c.in)
		designstest.WantCode(t, err, c.code, c.msg)
	}
	if n := e.Count(`SELECT count(*) FROM batches`) + e.Count(`SELECT count(*) FROM spool_events WHERE kind = 'consumed'`); n != 0 {
		t.Fatalf("refused hand-overs stored %d rows", n)
	}

	b, err := e.inv.Produce(as(e.Maker), job, inventory.ProduceInput{SpoolID: &petg.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := round1(10 * perUnit)
	if b.SpoolID == nil || *b.SpoolID != petg.ID || b.FilamentG != want || b.FilamentLot != "PETG-2020-03-A" || len(b.Warnings) != 0 {
		t.Fatalf("batch %+v; want %.1f g from spool %d, no warning", b, want, petg.ID)
	}
	if got := e.findSpool(petg.ID).GramsLeft; math.Abs(got-(1000-want)) > 1e-9 {
		t.Fatalf("spool has %v g; want %v", got, 1000-want)
	}

	// The maker's figure was wrong: the spool is nearly empty.
	if _, err := e.inv.UpdateSpool(as(e.Maker), petg.ID, inventory.SpoolUpdate{GramsLeft: designstest.Ptr(120.0)}); err != nil {
		t.Fatal(err)
	}
	_, jobs = e.printed(10)
	_, err = e.inv.Produce(as(e.Maker), jobs[0].ID, inventory.ProduceInput{SpoolID: &petg.ID})
	designstest.WantCode(t, err, makerhub.ECONFLICT, "has 120.0 g of PETG left, but this batch took an estimated")
	if j, _ := e.Production.FindJobByID(as(e.Maker), jobs[0].ID); j.State != production.JobPrinted {
		t.Fatalf("job %s after a refused hand-over", j.State)
	}
	if _, err := e.inv.UpdateSpool(as(e.Maker), petg.ID, inventory.SpoolUpdate{GramsLeft: designstest.Ptr(want + 40)}); err != nil {
		t.Fatal(err)
	}
	b, err = e.inv.Produce(as(e.Maker), jobs[0].ID, inventory.ProduceInput{SpoolID: &petg.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Warnings) != 1 || b.Warnings[0] != "Spool 1 (PETG clear) has 40.0 g left." {
		t.Fatalf("warnings %q", b.Warnings)
	}
	if sp := e.findSpool(petg.ID); !sp.Low {
		t.Fatalf("spool %+v not low", sp)
	}
	if n := e.Count(`SELECT count(*) FROM notifications WHERE kind = 'filament.low' AND user_id = ?`, e.Maker.ID); n != 1 {
		t.Fatalf("%d low-filament notices", n)
	}
	evs, err := e.inv.FindSpoolEvents(as(e.Maker), petg.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := ""
	for _, ev := range evs {
		kinds += ev.Kind + " "
	}
	if kinds != "added consumed weighed weighed consumed " || evs[4].BatchID == nil || *evs[4].BatchID != b.ID || evs[2].Grams != 120-(1000-want) {
		t.Fatalf("events %s %+v", kinds, evs)
	}

	// The lot turns out brittle: its batches are held, and the maker is
	// told to set aside the spool, which still holds 40 g.
	r, err := e.inv.CreateRecall(as(e.Coord), inventory.RecallInput{FilamentLot: "PETG-2020-03-A", Reason: "brittle lot"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Batches) != 2 || len(r.Spools) != 1 || r.Spools[0].ID != petg.ID {
		t.Fatalf("recall reaches batches %+v and spools %+v", r.Batches, r.Spools)
	}
	var body string
	if err := e.DB.QueryRow(`SELECT body FROM notifications WHERE kind = 'recall' AND user_id = ?`, e.Maker.ID).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if want := "brittle lot. Your batches of it (20 unit(s)) are held: do not ship them until a coordinator releases them. Do not print with your spool(s) of this lot: 1 (40 g)."; body != want {
		t.Fatalf("the maker was told %q; want %q", body, want)
	}
	if n := e.Count(`SELECT count(*) FROM notifications WHERE kind = 'recall' AND user_id = ?`, e.Other.ID); n != 0 {
		t.Fatalf("the other maker, whose spool is of no lot, got %d recall notices", n)
	}
	if seen, err := e.inv.FindRecallByID(as(e.Other), r.ID); err != nil || len(seen.Spools) != 0 {
		t.Fatalf("the other maker sees spools %+v (%v)", seen.Spools, err)
	}
}

// The forecast sets what claimed jobs still need against the spools.
func TestFilamentForecast(t *testing.T) {
	e := newEnv(t)
	profile, err := e.Designs.FindPrintProfile(context.Background(), e.Shield.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	e.spool(e.Maker, inventory.SpoolInput{Material: "PETG", GramsLeft: designstest.Ptr(200.0)})
	e.spool(e.Maker, inventory.SpoolInput{Material: "PETG", GramsLeft: designstest.Ptr(100.0)})
	e.spool(e.Maker, inventory.SpoolInput{Material: "PLA", GramsLeft: designstest.Ptr(500.0)})
	e.spool(e.Coord, inventory.SpoolInput{MakerID: e.Other.ID, Material: "PLA", GramsLeft: designstest.Ptr(750.0)})

	// The maker claims 20 face shields and prints 5 of them.
	r := e.Request(e.Nurse, e.Shield, 20, production.High, 10)
	e.Route()
	jobs, _, err := e.Production.FindJobs(as(e.Maker), production.JobFilter{RequestID: r.ID})
	if err != nil || len(jobs) == 0 {
		t.Fatalf("jobs %v, %v", jobs, err)
	}
	units := 0
	for i, j := range jobs {
		c, err := e.Production.Claim(as(e.Maker), j.ID, production.ClaimInput{})
		if err != nil {
			t.Fatal(err)
		}
		units += j.Quantity
		if i == 0 {
			if _, err := e.Production.Progress(as(e.Maker), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken, Printed: designstest.Ptr(5)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if units != 20 {
		t.Fatalf("the maker claimed %d units", units)
	}
	needs, err := e.inv.FilamentForecast(as(e.Coord), false)
	if err != nil {
		t.Fatal(err)
	}
	needed, pending := round1(15*profile.FilamentG), round1(5*profile.FilamentG)
	want := []inventory.FilamentNeed{
		{MakerID: e.Maker.ID, MakerName: e.Maker.Name, Material: "PETG", NeededG: needed, PendingG: pending, SpoolsG: 300, Spools: 2,
			ShortG: round1(needed + pending - 300)},
		{MakerID: e.Maker.ID, MakerName: e.Maker.Name, Material: "PLA", SpoolsG: 500, Spools: 1},
		{MakerID: e.Other.ID, MakerName: e.Other.Name, Material: "PLA", SpoolsG: 750, Spools: 1},
	}
	if len(needs) != len(want) {
		t.Fatalf("forecast %+v", needs)
	}
	for i := range want {
		if *needs[i] != want[i] {
			t.Errorf("forecast[%d] = %+v; want %+v", i, *needs[i], want[i])
		}
	}
	if short, err := e.inv.FilamentForecast(as(e.Coord), true); err != nil || len(short) != 1 || *short[0] != want[0] {
		t.Fatalf("the makers short of filament: %+v, %v", short, err)
	}
	mine, err := e.inv.FilamentForecast(as(e.Other), false)
	if err != nil || len(mine) != 1 || mine[0].MakerID != e.Other.ID {
		t.Fatalf("the other maker's forecast: %+v, %v", mine, err)
	}
	_, err = e.inv.FilamentForecast(as(e.Nurse), false)
	designstest.WantCode(t, err, makerhub.EFORBIDDEN, "")
}

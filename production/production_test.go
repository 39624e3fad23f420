package production_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/stl/stltest"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/routing"
)

func TestPrinters(t *testing.T) {
	e := newEnv(t)
	bed := [3]float64{180, 180, 180}
	mats := []string{"pla"}
	in := production.PrinterInput{Name: ptr("Mini"), BedMM: &bed, Materials: &mats, HoursPerDay: ptr(8.0)}
	p, err := e.svc.CreatePrinter(as(e.maker), in)
	if err != nil {
		t.Fatal(err)
	}
	if p.OwnerID != e.maker.ID || p.Materials[0] != "PLA" || p.NozzleMM != 0.4 || !p.Active {
		t.Fatalf("printer %+v", p)
	}

	bad := []struct {
		name string
		in   production.PrinterInput
		msg  string
	}{
		{"no name", production.PrinterInput{BedMM: &bed, Materials: &mats, HoursPerDay: ptr(8.0)}, "name is required"},
		{"flat bed", production.PrinterInput{Name: ptr("x"), BedMM: &[3]float64{200, 200, 0}, Materials: &mats, HoursPerDay: ptr(8.0)}, "bed_mm[2]"},
		{"huge bed", production.PrinterInput{Name: ptr("x"), BedMM: &[3]float64{200, 9000, 200}, Materials: &mats, HoursPerDay: ptr(8.0)}, "bed_mm[1]"},
		{"25 hours", production.PrinterInput{Name: ptr("x"), BedMM: &bed, Materials: &mats, HoursPerDay: ptr(25.0)}, "hours_per_day"},
		{"no hours", production.PrinterInput{Name: ptr("x"), BedMM: &bed, Materials: &mats, HoursPerDay: ptr(0.0)}, "hours_per_day"},
		{"unknown material", production.PrinterInput{Name: ptr("x"), BedMM: &bed, Materials: &[]string{"unobtainium"}, HoursPerDay: ptr(8.0)}, "materials"},
		{"no material", production.PrinterInput{Name: ptr("x"), BedMM: &bed, Materials: &[]string{}, HoursPerDay: ptr(8.0)}, "materials"},
		{"nozzle", production.PrinterInput{Name: ptr("x"), BedMM: &bed, Materials: &mats, HoursPerDay: ptr(8.0), NozzleMM: ptr(5.0)}, "nozzle_mm"},
	}
	for _, c := range bad {
		_, err := e.svc.CreatePrinter(as(e.maker), c.in)
		wantCode(t, err, makerhub.EINVALID, c.msg)
	}
	_, err = e.svc.CreatePrinter(as(e.nurse), in)
	wantCode(t, err, makerhub.EFORBIDDEN, "makers")
	_, err = e.svc.CreatePrinter(as(nil), in)
	wantCode(t, err, makerhub.EUNAUTHORIZED, "log in")

	// Only the owner and coordinators change it.
	_, err = e.svc.UpdatePrinter(as(e.other), p.ID, production.PrinterInput{Active: ptr(false)})
	wantCode(t, err, makerhub.EFORBIDDEN, "another maker")
	if p, err = e.svc.UpdatePrinter(as(e.coord), p.ID, production.PrinterInput{Active: ptr(false)}); err != nil || p.Active {
		t.Fatalf("coordinator pause: %v %+v", err, p)
	}
	list, total, err := e.svc.FindPrinters(as(e.maker), production.PrinterFilter{})
	if err != nil || total != 2 || len(list) != 2 {
		t.Fatalf("maker's printers: %v %d", err, total)
	}
	if _, total, _ = e.svc.FindPrinters(as(e.coord), production.PrinterFilter{}); total != 3 {
		t.Fatalf("coordinator sees %d printers, want 3", total)
	}
	_, _, err = e.svc.FindPrinters(as(e.nurse), production.PrinterFilter{})
	wantCode(t, err, makerhub.EFORBIDDEN, "")
	if err := e.svc.DeletePrinter(as(e.maker), p.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.FindPrinterByID(as(e.maker), p.ID)
	wantCode(t, err, makerhub.ENOTFOUND, "")

	// Which printers can print the face shield (218 mm wide, PETG)?
	prof, fits, err := e.svc.FitPrinters(as(e.coord), e.shield.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(fits) != 2 || !fits[0].CanPrint || fits[0].UnitsPerDay <= 0 || fits[1].CanPrint {
		t.Fatalf("fits: %+v %+v (profile %+v)", fits[0], fits[1], prof)
	}
	if want := production.UnitsPerDay(fits[0].Printer, prof); fits[0].UnitsPerDay != want {
		t.Fatalf("units/day %v, want %v", fits[0].UnitsPerDay, want)
	}
}

func TestRequestRules(t *testing.T) {
	e := newEnv(t)
	day := func(d int) string { return e.clock.Now().AddDate(0, 0, d).Format("2006-01-02") }
	unverified := e.hospital(48.85, 2.35, false)
	_, err := e.svc.CreateRequest(as(unverified), production.RequestInput{DesignID: e.shield.ID, Quantity: 10, NeededBy: day(7)})
	wantCode(t, err, makerhub.EFORBIDDEN, "not verified")
	_, err = e.svc.CreateRequest(as(e.maker), production.RequestInput{DesignID: e.shield.ID, Quantity: 10, NeededBy: day(7)})
	wantCode(t, err, makerhub.EFORBIDDEN, "hospital")

	bad := []struct {
		in   production.RequestInput
		code string
		msg  string
	}{
		{production.RequestInput{DesignID: e.shield.ID, Quantity: 0, NeededBy: day(7)}, makerhub.EINVALID, "quantity"},
		{production.RequestInput{DesignID: e.shield.ID, Quantity: -5, NeededBy: day(7)}, makerhub.EINVALID, "quantity"},
		{production.RequestInput{DesignID: e.shield.ID, Quantity: 10, NeededBy: day(-1)}, makerhub.EINVALID, "needed_by"},
		{production.RequestInput{DesignID: e.shield.ID, Quantity: 10, NeededBy: "next week"}, makerhub.EINVALID, "needed_by"},
		{production.RequestInput{DesignID: e.shield.ID, Quantity: 10}, makerhub.EINVALID, "needed_by"},
		{production.RequestInput{DesignID: e.shield.ID, Quantity: 10, NeededBy: day(7), Priority: "asap"}, makerhub.EINVALID, "priority"},
		{production.RequestInput{DesignID: e.shield.ID, Quantity: 10, NeededBy: day(7), RefusedLicences: []string{"NOT-A-LICENCE"}}, makerhub.EINVALID, "refused_licences"},
		{production.RequestInput{DesignID: 9999, Quantity: 10, NeededBy: day(7)}, makerhub.ENOTFOUND, "design 9999"},
		{production.RequestInput{Quantity: 10, NeededBy: day(7)}, makerhub.EINVALID, "design_id"},
		{production.RequestInput{DesignID: e.shield.ID, Version: ptr(7), Quantity: 10, NeededBy: day(7)}, makerhub.ENOTFOUND, "version 7"},
	}
	for _, c := range bad {
		_, err := e.svc.CreateRequest(as(e.nurse), c.in)
		wantCode(t, err, c.code, c.msg)
	}
	if n := e.count(`SELECT count(*) FROM requests`); n != 0 {
		t.Fatalf("%d requests stored by refused calls", n)
	}

	r := e.request(e.nurse, e.shield, 50, production.Critical, 10)
	if r.Open != 50 || r.State != production.RequestOpen || r.DeliveryAddress != "Somewhere" || r.Stale {
		t.Fatalf("request %+v", r)
	}
	other := e.hospital(43.6, 1.44, true)
	_, err = e.svc.FindRequestByID(as(other), r.ID)
	wantCode(t, err, makerhub.EFORBIDDEN, "another hospital")
	if list, _, _ := e.svc.FindRequests(as(other), production.RequestFilter{}); len(list) != 0 {
		t.Fatalf("another hospital lists %d requests", len(list))
	}

	// Stale after a week without reconfirmation; reconfirming clears it.
	e.clock.Add(8 * 24 * time.Hour)
	stale, _, err := e.svc.FindRequests(as(e.coord), production.RequestFilter{Stale: ptr(true)})
	if err != nil || len(stale) != 1 || !stale[0].Stale {
		t.Fatalf("stale requests: %v %d", err, len(stale))
	}
	run := e.route()
	if len(run.Jobs) != 0 || len(run.Unallocated) != 1 || run.Unallocated[0].Cause != production.CauseStale {
		t.Fatalf("stale request routed: %+v", run)
	}
	if r, err = e.svc.Reconfirm(as(e.nurse), r.ID); err != nil || r.Stale {
		t.Fatalf("reconfirm: %v %+v", err, r)
	}
}

func TestRoutingClaimAndProgress(t *testing.T) {
	e := newEnv(t)
	r := e.request(e.nurse, e.shield, 50, production.Critical, 14)
	run := e.route()
	if len(run.Jobs) == 0 {
		t.Fatalf("no jobs: %+v", run)
	}
	total := 0
	for _, j := range run.Jobs {
		// Only the MK3S prints PETG; the Ender-3 is PLA only.
		if *j.OfferedTo != e.maker.ID || j.State != production.JobOffered || j.Reason == "" {
			t.Fatalf("job %+v", j)
		}
		total += j.Quantity
	}
	if total+unallocated(run) != 50 {
		t.Fatalf("jobs %d + unallocated %d != 50", total, unallocated(run))
	}
	// One notice per maker per run, however many jobs it offers them.
	if got := e.notices("job.offered"); len(got) != 1 || got[0] != fmt.Sprintf("%d job(s) offered to you: %d unit(s)", len(run.Jobs), total) {
		t.Fatalf("offers notified: %v", got)
	}
	j := run.Jobs[0]

	_, err := e.svc.Claim(as(e.other), j.ID, production.ClaimInput{})
	wantCode(t, err, makerhub.ECONFLICT, "offered to another maker")
	c, err := e.svc.Claim(as(e.maker), j.ID, production.ClaimInput{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Job.State != production.JobClaimed || c.LeaseToken == "" || !c.ExpiresAt.After(e.clock.Now()) {
		t.Fatalf("claim %+v", c)
	}
	_, err = e.svc.Claim(as(e.maker), j.ID, production.ClaimInput{})
	wantCode(t, err, makerhub.ECONFLICT, "already hold")

	_, err = e.svc.Progress(as(e.maker), j.ID, production.ProgressInput{LeaseToken: "forged", Printed: ptr(1)})
	wantCode(t, err, makerhub.EFORBIDDEN, "lease_token")
	_, err = e.svc.Progress(as(e.maker), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken, Printed: ptr(j.Quantity + 1)})
	wantCode(t, err, makerhub.EINVALID, "printed")
	_, err = e.svc.Progress(as(e.other), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken, Printed: ptr(1)})
	wantCode(t, err, makerhub.EFORBIDDEN, "another maker")
	e.clock.Add(time.Hour)
	p, err := e.svc.Progress(as(e.maker), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken, Printed: ptr(1), Note: "first one off the bed"})
	if err != nil || p.State != production.JobPrinting || p.Printed != 1 || !p.LeaseExpiresAt.After(c.ExpiresAt) {
		t.Fatalf("progress: %v %+v", err, p)
	}
	// A partial completion keeps what was printed; the rest is a new pool job.
	done, err := e.svc.Complete(as(e.maker), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken, Printed: ptr(j.Quantity - 1)})
	if err != nil || done.State != production.JobPrinted || done.Quantity != j.Quantity-1 {
		t.Fatalf("complete: %v %+v", err, done)
	}
	rest, _, err := e.svc.FindJobs(as(e.maker), production.JobFilter{Scope: production.ScopePool})
	if err != nil || len(rest) != 1 || rest[0].Quantity != 1 || rest[0].State != production.JobOpen {
		t.Fatalf("remainder in the pool: %v %+v", err, rest)
	}
	// The Ender-3 maker cannot print PETG: the pool it sees is empty.
	if pool, _, _ := e.svc.FindJobs(as(e.other), production.JobFilter{Scope: production.ScopePool}); len(pool) != 0 {
		t.Fatalf("ineligible maker sees %d pool jobs", len(pool))
	}
	_, err = e.svc.Claim(as(e.other), rest[0].ID, production.ClaimInput{})
	wantCode(t, err, makerhub.EFORBIDDEN, "PETG")

	reqEvents, jobEvents, err := e.svc.FindRequestEvents(as(e.nurse), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, ev := range jobEvents {
		if ev.JobID == j.ID {
			path = append(path, string(ev.From)+">"+string(ev.To))
		}
	}
	want := []string{">offered", "offered>claimed", "claimed>printing", "printing>printed"}
	if len(reqEvents) != 1 || !equal(path, want) {
		t.Fatalf("events: request %d, job path %v, want %v", len(reqEvents), path, want)
	}
	for _, ev := range jobEvents[1:] {
		if ev.JobID == j.ID && (ev.ActorID == nil || *ev.ActorID != e.maker.ID) {
			t.Fatalf("event without its actor: %+v", ev)
		}
	}
}

func unallocated(run *production.RoutingRun) int {
	n := 0
	for _, u := range run.Unallocated {
		n += u.Units
	}
	return n
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUnallocatedCauses(t *testing.T) {
	e := newEnv(t)
	var ring bytes.Buffer
	if err := stltest.WriteBinary(&ring, "ring", stltest.Torus(64, 16, 150, 10)); err != nil {
		t.Fatal(err)
	}
	huge := e.publishSTL("Huge ring", "ring.stl", ring.Bytes(), "PLA", designs.Submitted)
	flexible := e.publish("Ear saver", "ventilator-valve-handle.stl", "TPU", designs.Submitted)
	strict := e.hospital(45.1, 5.7, true)
	if _, err := e.svc.CreateRequest(as(strict), production.RequestInput{DesignID: e.valve.ID, Quantity: 5, NeededBy: "2026-04-01",
		ClinicallyValidatedOnly: true}); err != nil {
		t.Fatal(err)
	}
	refusing := e.hospital(45.1, 5.7, true)
	if _, err := e.svc.CreateRequest(as(refusing), production.RequestInput{DesignID: e.shield.ID, Quantity: 6, NeededBy: "2026-04-01",
		RefusedLicences: []string{"CERN-OHL-P-2.0"}}); err != nil {
		t.Fatal(err)
	}
	e.request(e.nurse, huge, 7, production.Normal, 10)
	e.request(e.nurse, flexible, 8, production.Normal, 10)
	run := e.route()
	causes := map[int]routing.Cause{}
	for _, u := range run.Unallocated {
		causes[u.Units] = u.Cause
		if u.Detail == "" {
			t.Errorf("cause %s without detail", u.Cause)
		}
	}
	want := map[int]routing.Cause{5: routing.VersionNotAcceptable, 6: routing.VersionNotAcceptable, 7: routing.NoFittingPrinter, 8: routing.WrongMaterial}
	for units, cause := range want {
		if causes[units] != cause {
			t.Errorf("%d units: cause %q, want %q (all: %+v)", units, causes[units], cause, run.Unallocated)
		}
	}
	if len(run.Jobs) != 0 {
		t.Fatalf("jobs for unprintable demand: %+v", run.Jobs)
	}
	if got := e.notices("request.unallocatable"); len(got) != 3 {
		t.Fatalf("unallocatable notices: %v", got)
	}
	// The same run can be read back.
	back, err := e.svc.FindRoutingRunByID(as(e.coord), run.ID)
	if err != nil || len(back.Unallocated) != 4 || back.Stats.UnitsUnallocated != run.Stats.UnitsUnallocated {
		t.Fatalf("run read back: %v %+v", err, back)
	}
	// A page reads the first lines and their number, without the jobs.
	first, total, err := e.svc.FindUnallocated(as(e.coord), run.ID, 2)
	if err != nil || total != 4 || len(first) != 2 || first[0] != back.Unallocated[0] || first[1] != back.Unallocated[1] {
		t.Fatalf("first unallocated: %v %d %+v", err, total, first)
	}
	_, _, err = e.svc.FindUnallocated(as(e.maker), run.ID, 2)
	wantCode(t, err, makerhub.EFORBIDDEN, "coordinators")
	_, err = e.svc.RunRouting(as(e.maker))
	wantCode(t, err, makerhub.EFORBIDDEN, "coordinators")
}

func TestClaimRace(t *testing.T) {
	e := newEnv(t)
	r := e.request(e.nurse, e.valve, 20, production.High, 10)
	job, err := e.svc.CreateJob(as(e.coord), production.JobInput{RequestID: r.ID, Quantity: 20})
	if err != nil {
		t.Fatal(err)
	}
	makers := make([]*makerhub.User, 16)
	for i := range makers {
		makers[i] = e.user(makerhub.RoleMaker, 45, 5)
		e.printer(makers[i], "Ender", [3]float64{220, 220, 250}, "PLA")
	}
	var wg sync.WaitGroup
	codes := make([]string, len(makers))
	for i, m := range makers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.Claim(as(m), job.ID, production.ClaimInput{})
			codes[i] = makerhub.ErrorCode(err)
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case "":
			won++
		case makerhub.ECONFLICT:
		default:
			t.Errorf("claim answered %q", c)
		}
	}
	if won != 1 {
		t.Fatalf("%d claims won, want exactly 1 (%v)", won, codes)
	}
	if n := e.count(`SELECT count(*) FROM job_events WHERE job_id = ? AND to_state = 'claimed'`, job.ID); n != 1 {
		t.Fatalf("%d claim events", n)
	}
}

func TestLeasesAndOffersExpire(t *testing.T) {
	e := newEnv(t)
	r := e.request(e.nurse, e.valve, 10, production.Normal, 10)
	run := e.route()
	if len(run.Jobs) != 1 || *run.Jobs[0].OfferedTo != e.maker.ID {
		t.Fatalf("want one job offered to the nearest maker: %+v", run.Jobs)
	}
	j := run.Jobs[0]
	_, err := e.svc.Claim(as(e.other), j.ID, production.ClaimInput{})
	wantCode(t, err, makerhub.ECONFLICT, "offered to another maker")
	// The offer window (12 h) passes: the job is in the pool for anyone able.
	e.clock.Add(13 * time.Hour)
	c, err := e.svc.Claim(as(e.other), j.ID, production.ClaimInput{})
	if err != nil {
		t.Fatal(err)
	}
	// Warned a quarter of the lease (6 h) before it lapses, once.
	e.clock.Add(19 * time.Hour)
	if rep, err := e.svc.Sweep(as(nil)); err != nil || rep.LeasesWarned != 1 {
		t.Fatalf("sweep: %v %+v", err, rep)
	}
	if rep, _ := e.svc.Sweep(as(nil)); rep.LeasesWarned != 0 {
		t.Fatalf("warned twice")
	}
	if len(e.notices("lease.expiring")) != 1 {
		t.Fatal("no lease.expiring notice")
	}
	// The lease lapses without progress: back to the pool.
	e.clock.Add(6 * time.Hour)
	rep, err := e.svc.Sweep(as(nil))
	if err != nil || rep.LeasesExpired != 1 {
		t.Fatalf("sweep: %v %+v", err, rep)
	}
	_, err = e.svc.Progress(as(e.other), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken, Printed: ptr(3)})
	wantCode(t, err, makerhub.ECONFLICT, "ended")
	c2, err := e.svc.Claim(as(e.maker), j.ID, production.ClaimInput{})
	if err != nil {
		t.Fatalf("reclaim from the pool: %v", err)
	}
	_, jobEvents, _ := e.svc.FindRequestEvents(as(e.coord), r.ID)
	var path []string
	for _, ev := range jobEvents {
		path = append(path, string(ev.From)+">"+string(ev.To))
	}
	want := []string{">offered", "open>claimed", "claimed>open", "open>claimed"}
	if !equal(path, want) {
		t.Fatalf("job path %v, want %v", path, want)
	}

	// A lease renewed by progress does not lapse: 20 h, progress, 20 h more.
	e.clock.Add(20 * time.Hour)
	if _, err := e.svc.Progress(as(e.maker), j.ID, production.ProgressInput{LeaseToken: c2.LeaseToken, Printed: ptr(4)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(20 * time.Hour)
	if rep, err := e.svc.Sweep(as(nil)); err != nil || rep.LeasesExpired != 0 {
		t.Fatalf("sweep expired a renewed lease: %v %+v", err, rep)
	}
	if held, err := e.svc.FindJobByID(as(e.maker), j.ID); err != nil || held.State != production.JobPrinting || held.Printed != 4 {
		t.Fatalf("job %v %+v", err, held)
	}
}

func TestReleaseFailAndCancel(t *testing.T) {
	e := newEnv(t)
	r := e.request(e.nurse, e.valve, 30, production.Normal, 10)
	j, err := e.svc.CreateJob(as(e.coord), production.JobInput{RequestID: r.ID, Quantity: 10, OfferedTo: &e.maker.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateJob(as(e.coord), production.JobInput{RequestID: r.ID, Quantity: 21})
	wantCode(t, err, makerhub.ECONFLICT, "20 unit(s) neither in a job nor already printed")
	_, err = e.svc.CreateJob(as(e.maker), production.JobInput{RequestID: r.ID, Quantity: 1})
	wantCode(t, err, makerhub.EFORBIDDEN, "coordinators")

	c, err := e.svc.Claim(as(e.maker), j.ID, production.ClaimInput{})
	if err != nil {
		t.Fatal(err)
	}
	if rel, err := e.svc.Release(as(e.maker), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken}); err != nil || rel.State != production.JobOpen {
		t.Fatalf("release: %v %+v", err, rel)
	}
	c, err = e.svc.Claim(as(e.other), j.ID, production.ClaimInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Fail(as(e.other), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken})
	wantCode(t, err, makerhub.EINVALID, "note")
	if f, err := e.svc.Fail(as(e.other), j.ID, production.ProgressInput{LeaseToken: c.LeaseToken, Note: "nozzle clogged"}); err != nil || f.State != production.JobFailed {
		t.Fatalf("fail: %v %+v", err, f)
	}
	// Failed units are demand again: a new job may take all 30.
	j2, err := e.svc.CreateJob(as(e.coord), production.JobInput{RequestID: r.ID, Quantity: 30})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CancelJob(as(e.coord), j2.ID, "")
	wantCode(t, err, makerhub.EINVALID, "reason")
	if cj, err := e.svc.CancelJob(as(e.coord), j2.ID, "wrong batch"); err != nil || cj.State != production.JobCancelled {
		t.Fatalf("cancel: %v %+v", err, cj)
	}
	_, err = e.svc.CancelJob(as(e.coord), j2.ID, "again")
	wantCode(t, err, makerhub.ECONFLICT, "cancelled")
}

func TestLowerAndCancelRequests(t *testing.T) {
	e := newEnv(t)
	r := e.request(e.nurse, e.valve, 50, production.Normal, 10)
	run := e.route()
	if len(run.Jobs) != 1 || run.Jobs[0].Quantity != 50 {
		t.Fatalf("jobs %+v", run.Jobs)
	}
	r, err := e.svc.LowerRequest(as(e.nurse), r.ID, production.LowerInput{Open: ptr(30)})
	if err != nil || r.Open != 30 || r.Cancelled != 20 || r.InJobs != 30 {
		t.Fatalf("lower: %v %+v", err, r)
	}
	_, err = e.svc.LowerRequest(as(e.nurse), r.ID, production.LowerInput{Open: ptr(31)})
	wantCode(t, err, makerhub.EINVALID, "open")
	_, err = e.svc.LowerRequest(as(e.nurse), r.ID, production.LowerInput{Note: "forgot the number"})
	wantCode(t, err, makerhub.EINVALID, "open is required")
	j, _ := e.svc.FindJobByID(as(e.maker), run.Jobs[0].ID)
	if j.Quantity != 30 {
		t.Fatalf("job not shrunk: %+v", j)
	}
	if _, err := e.svc.Claim(as(e.maker), j.ID, production.ClaimInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.LowerRequest(as(e.nurse), r.ID, production.LowerInput{Open: ptr(10)})
	wantCode(t, err, makerhub.ECONFLICT, "already hold or have printed 30")
	_, err = e.svc.CancelRequest(as(e.nurse), r.ID, "")
	wantCode(t, err, makerhub.ECONFLICT, "nothing is left")
	other := e.hospital(43.6, 1.44, true)
	_, err = e.svc.LowerRequest(as(other), r.ID, production.LowerInput{Open: ptr(1)})
	wantCode(t, err, makerhub.EFORBIDDEN, "another hospital")

	r2 := e.request(e.nurse, e.valve, 5, production.Normal, 10)
	if r2, err = e.svc.CancelRequest(as(e.nurse), r2.ID, "no longer needed"); err != nil || r2.State != production.RequestCancelled || r2.Cancelled != 5 {
		t.Fatalf("cancel: %v %+v", err, r2)
	}
	// Invariant: quantity = delivered + cancelled + open, always.
	if n := e.count(`SELECT count(*) FROM requests WHERE delivered + cancelled > quantity`); n != 0 {
		t.Fatal("a request over-counts its units")
	}
}

func TestReroutingLeavesClaimsAlone(t *testing.T) {
	e := newEnv(t)
	r := e.request(e.nurse, e.valve, 40, production.Normal, 10)
	first := e.route()
	j := first.Jobs[0]
	if _, err := e.svc.Claim(as(e.maker), j.ID, production.ClaimInput{}); err != nil {
		t.Fatal(err)
	}
	e.request(e.nurse, e.valve, 5, production.Critical, 3)
	second := e.route()
	units := 0
	for _, nj := range second.Jobs {
		if nj.RequestID == r.ID {
			t.Fatalf("request %d re-planned though its job is claimed: %+v", r.ID, nj)
		}
		units += nj.Quantity
	}
	if units+unallocated(second) != 5 {
		t.Fatalf("second run planned %d + %d units, want 5", units, unallocated(second))
	}
	held, _ := e.svc.FindJobByID(as(e.maker), j.ID)
	if held.State != production.JobClaimed || held.Quantity != 40 {
		t.Fatalf("claimed job changed: %+v", held)
	}
	// A third run replaces the second's untaken offers, never duplicates them.
	third := e.route()
	if third.Stats.JobsReplaced != len(second.Jobs) {
		t.Fatalf("replaced %d jobs, want %d", third.Stats.JobsReplaced, len(second.Jobs))
	}
	if n := e.count(`SELECT COALESCE(sum(quantity), 0) FROM jobs WHERE state IN ('offered', 'open', 'claimed')`); n != 45 {
		t.Fatalf("%d units in live jobs, want 45", n)
	}
}

// TestGroupedClaimsKeepOneWinnerPerJob races 8 makers over 40 jobs at once,
// so that claims share group transactions: every job has exactly one
// winner, whose claim is committed, and every loser got ECONFLICT.
func TestGroupedClaimsKeepOneWinnerPerJob(t *testing.T) {
	e := newEnv(t)
	r := e.request(e.nurse, e.valve, 40, production.Normal, 10)
	var jobs []int64
	for range 40 {
		j, err := e.svc.CreateJob(as(e.coord), production.JobInput{RequestID: r.ID, Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j.ID)
	}
	makers := make([]*makerhub.User, 8)
	for i := range makers {
		makers[i] = e.user(makerhub.RoleMaker, 45, 5)
		e.printer(makers[i], "Ender", [3]float64{220, 220, 250}, "PLA")
	}
	var mu sync.Mutex
	winners := map[int64][]int64{}
	var wg sync.WaitGroup
	for _, m := range makers {
		for _, id := range jobs {
			wg.Go(func() {
				c, err := e.svc.Claim(as(m), id, production.ClaimInput{})
				switch makerhub.ErrorCode(err) {
				case "":
					mu.Lock()
					winners[id] = append(winners[id], *c.Job.ClaimedBy)
					mu.Unlock()
				case makerhub.ECONFLICT:
				default:
					t.Errorf("claim: %v", err)
				}
			})
		}
	}
	wg.Wait()
	for _, id := range jobs {
		if len(winners[id]) != 1 {
			t.Fatalf("job %d has %d winners", id, len(winners[id]))
		}
		j, _ := e.svc.FindJobByID(as(e.coord), id)
		if j.State != production.JobClaimed || *j.ClaimedBy != winners[id][0] {
			t.Fatalf("job %d: %s by %v, answered to %d", id, j.State, j.ClaimedBy, winners[id][0])
		}
	}
	if n := e.count(`SELECT count(*) FROM job_events WHERE to_state = 'claimed'`); n != len(jobs) {
		t.Fatalf("%d claim events for %d jobs", n, len(jobs))
	}
}

// TestPausedPrinterStopsClaimsAtOnce: printers are remembered between
// claims, but a change to one is seen by the next claim.
func TestPausedPrinterStopsClaimsAtOnce(t *testing.T) {
	e := newEnv(t)
	r := e.request(e.nurse, e.valve, 10, production.Normal, 10)
	a, _ := e.svc.CreateJob(as(e.coord), production.JobInput{RequestID: r.ID, Quantity: 1})
	b, _ := e.svc.CreateJob(as(e.coord), production.JobInput{RequestID: r.ID, Quantity: 1})
	if _, err := e.svc.Claim(as(e.other), a.ID, production.ClaimInput{}); err != nil {
		t.Fatal(err)
	}
	printers, _, _ := e.svc.FindPrinters(as(e.other), production.PrinterFilter{})
	if _, err := e.svc.UpdatePrinter(as(e.other), printers[0].ID, production.PrinterInput{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Claim(as(e.other), b.ID, production.ClaimInput{})
	wantCode(t, err, makerhub.EFORBIDDEN, "no active printer")
}

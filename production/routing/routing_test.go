package routing

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)

// hand builds small problems: shipping takes one day whatever the distance
// (ShipKMPerDay huge), so a request needed N days and 12 hours from now can
// be printed in the first N−1 days, and late jobs are off unless a test
// turns them on.
func hand() Problem {
	return Problem{Now: t0, HorizonDays: 10, ShipKMPerDay: 1e9, MaxLateDays: -1, RegionPrinters: -1}
}

func printer(id int64, lat, lon float64, minutesPerDay int) Printer {
	return Printer{ID: id, MakerID: id * 10, Lat: lat, Lon: lon, BedX: 220, BedY: 220, BedZ: 250,
		Materials: []string{"PLA", "PETG"}, MinutesPerDay: minutesPerDay}
}

func version(id int64, minutes float64) Version {
	return Version{ID: id, Material: "PLA", PrintMinutes: minutes, HeightMM: 20, Footprints: [][2]float64{{50, 80}, {80, 50}}}
}

// request is needed days+½ days from now: printable in the first days−1.
func request(id, ver int64, units int, pri Priority, days int, lat, lon float64) Request {
	return Request{ID: id, HospitalID: id * 100, VersionID: ver, Units: units, Priority: pri,
		NeededBy: t0.Add(time.Duration(days)*day + 12*time.Hour), Lat: lat, Lon: lon}
}

func mustSolve(t *testing.T, p Problem) *Result {
	t.Helper()
	res, err := Solve(p)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, p, res)
	return res
}

// units returns the units of on-time and late jobs per (request, printer).
func units(res *Result) map[[2]int64][2]int {
	out := map[[2]int64][2]int{}
	for _, j := range res.Jobs {
		k := [2]int64{j.RequestID, j.PrinterID}
		u := out[k]
		if j.OnTime {
			u[0] += j.Units
		} else {
			u[1] += j.Units
		}
		out[k] = u
	}
	return out
}

func unallocated(res *Result, req int64) (int, Cause) {
	for _, u := range res.Unallocated {
		if u.RequestID == req {
			return u.Units, u.Cause
		}
	}
	return 0, ""
}

func TestPriorityWinsOverDistance(t *testing.T) {
	p := hand()
	p.Printers = []Printer{printer(1, 48.0, 2.0, 600)}
	p.Versions = []Version{version(5, 60)}
	// One day of printing (10 units) before either deadline: the critical
	// request 110 km away gets it, not the normal one next door.
	p.Requests = []Request{request(1, 5, 10, Normal, 2, 48.0, 2.0), request(2, 5, 10, Critical, 2, 49.0, 2.0)}
	res := mustSolve(t, p)
	if got := units(res)[[2]int64{2, 1}]; got != [2]int{10, 0} {
		t.Errorf("critical request got %v (on time, late), want 10 on time; jobs %+v", got, res.Jobs)
	}
	if n, c := unallocated(res, 1); n != 10 || c != NoCapacityBeforeDeadline {
		t.Errorf("normal request: %d unallocated (%s), want 10 no_capacity_before_deadline", n, c)
	}
}

func TestEarlierDeadlineFirst(t *testing.T) {
	p := hand()
	p.Printers = []Printer{printer(1, 48.0, 2.0, 600)}
	p.Versions = []Version{version(5, 60)}
	// Two days of capacity for 20 units: only printing the earlier one
	// first gets both on time.
	p.Requests = []Request{request(1, 5, 10, Normal, 3, 48.0, 2.1), request(2, 5, 10, Normal, 2, 48.0, 2.1)}
	res := mustSolve(t, p)
	if len(res.Jobs) != 2 || !res.Jobs[0].OnTime || !res.Jobs[1].OnTime {
		t.Fatalf("want two on-time jobs, got %+v", res.Jobs)
	}
	if d := res.Jobs[1].ExpectedDone.Sub(t0); d > day {
		t.Errorf("request 2 (earlier) done after %v, want within the first day", d)
	}
	if res.Stats.UnitsOnTime != 20 || res.Stats.WeightedOnTime != 20 {
		t.Errorf("stats %+v", res.Stats)
	}
}

func TestNearestPrinterWhenCapacityAllows(t *testing.T) {
	p := hand()
	p.Printers = []Printer{printer(1, 48.5, 2.0, 600), printer(2, 48.05, 2.0, 600), printer(3, 48.2, 2.0, 600)}
	p.Versions = []Version{version(5, 60)}
	p.Requests = []Request{request(1, 5, 5, High, 3, 48.0, 2.0)}
	res := mustSolve(t, p)
	if len(res.Jobs) != 1 || res.Jobs[0].PrinterID != 2 || res.Jobs[0].Units != 5 {
		t.Fatalf("want 5 units on printer 2 (nearest), got %+v", res.Jobs)
	}
	j := res.Jobs[0]
	if j.MakerID != 20 || j.VersionID != 5 || !j.OnTime || j.DistanceKM < 5 || j.DistanceKM > 6 {
		t.Errorf("job %+v", j)
	}
	if !strings.HasPrefix(j.Reason, "nearest eligible printer (6 km)") {
		t.Errorf("reason %q", j.Reason)
	}
}

func TestCapacitySplitAcrossPrinters(t *testing.T) {
	p := hand()
	p.Printers = []Printer{printer(1, 48.0, 2.0, 300), printer(2, 48.3, 2.0, 600)}
	p.Versions = []Version{version(5, 60)}
	// 15 units in one day: 5 from the near printer, 10 from the far one.
	p.Requests = []Request{request(1, 5, 15, Normal, 2, 48.0, 2.0)}
	res := mustSolve(t, p)
	u := units(res)
	if u[[2]int64{1, 1}] != [2]int{5, 0} || u[[2]int64{1, 2}] != [2]int{10, 0} {
		t.Fatalf("want 5 on printer 1 and 10 on printer 2, got %v", u)
	}
	if !strings.Contains(res.Jobs[1].Reason, "2nd nearest") {
		t.Errorf("reason %q", res.Jobs[1].Reason)
	}
}

func TestCauses(t *testing.T) {
	p := hand()
	full := printer(2, 45.0, 5.0, 600)
	full.BookedMinutes = 10 * 600 // booked for the whole horizon
	busy := printer(3, 44.0, 3.0, 600)
	busy.BookedMinutes = 3 * 600 // free from day 3
	p.Printers = []Printer{printer(1, 48.0, 2.0, 600), full, busy}
	big := version(6, 60)
	big.Footprints = [][2]float64{{300, 300}}
	tpu := version(7, 60)
	tpu.Material = "TPU"
	tall := version(8, 60)
	tall.HeightMM = 400
	p.Versions = []Version{version(5, 60), big, tpu, tall}
	na := request(4, 5, 4, Critical, 5, 48.0, 2.0)
	na.NotAcceptable = "licence CC-BY-NC-4.0 refused"
	p.Candidates = 1 // each request sees only its nearest printer
	p.Requests = []Request{
		request(1, 6, 3, Normal, 5, 48.0, 2.0),
		request(2, 7, 2, Normal, 5, 48.0, 2.0),
		request(3, 8, 1, Normal, 5, 48.0, 2.0),
		na,
		request(5, 5, 7, High, 5, 45.0, 5.0), // nearest printer: fully booked
		request(6, 5, 6, High, 2, 44.0, 3.0), // nearest printer: free only after the deadline
	}
	res := mustSolve(t, p)
	want := map[int64]struct {
		n     int
		cause Cause
	}{1: {3, NoFittingPrinter}, 2: {2, WrongMaterial}, 3: {1, NoFittingPrinter}, 4: {4, VersionNotAcceptable},
		6: {6, NoCapacityBeforeDeadline}}
	for id, w := range want {
		if n, c := unallocated(res, id); n != w.n || c != w.cause {
			t.Errorf("request %d: %d unallocated (%s), want %d (%s)", id, n, c, w.n, w.cause)
		}
	}
	// Printer 2 has no free time at all, so it is no candidate: request 5
	// goes to the nearest printer that has time (Candidates counts those).
	if got := units(res)[[2]int64{5, 2}]; got != [2]int{} {
		t.Errorf("fully booked printer got units %v", got)
	}
	for _, u := range res.Unallocated {
		if u.RequestID == 4 && u.Detail != "licence CC-BY-NC-4.0 refused" {
			t.Errorf("detail %q", u.Detail)
		}
		if u.Detail == "" {
			t.Errorf("no detail for %+v", u)
		}
	}
	// With every printer booked, eligible requests have no capacity.
	for i := range p.Printers {
		p.Printers[i].BookedMinutes = 10 * 600
	}
	res = mustSolve(t, p)
	if n, c := unallocated(res, 5); n != 7 || c != NoCapacity {
		t.Errorf("all booked: request 5 has %d unallocated (%s), want 7 no_capacity", n, c)
	}
}

func TestBookedMinutesConsumedFirst(t *testing.T) {
	p := hand()
	pr := printer(1, 48.0, 2.0, 600)
	pr.BookedMinutes = 900 // a day and a half of claimed jobs
	p.Printers = []Printer{pr}
	p.Versions = []Version{version(5, 60)}
	p.Requests = []Request{request(1, 5, 10, Normal, 3, 48.0, 2.0)} // two days before the deadline
	res := mustSolve(t, p)
	if u := units(res)[[2]int64{1, 1}]; u != [2]int{5, 0} {
		t.Fatalf("want 5 units on time (300 free minutes), got %v", u)
	}
	if got := res.Jobs[0].ExpectedDone.Sub(t0); got != 2*day {
		t.Errorf("expected done after %v, want 48h (900 booked + 300 new minutes at 600 a day)", got)
	}
}

func TestLateJobs(t *testing.T) {
	p := hand()
	p.MaxLateDays = 2
	p.Printers = []Printer{printer(1, 48.0, 2.0, 600)}
	p.Versions = []Version{version(5, 60)}
	// One day before the deadline, and two more allowed late: 10 units on
	// time, 20 late, the rest unallocated although the printer has time.
	p.Requests = []Request{request(1, 5, 40, Normal, 2, 48.0, 2.0)}
	res := mustSolve(t, p)
	if res.Stats.UnitsOnTime != 10 || res.Stats.UnitsLate != 20 {
		t.Fatalf("want 10 on time and 20 late, got %+v; jobs %+v", res.Stats, res.Jobs)
	}
	for _, j := range res.Jobs {
		if !j.OnTime && (j.LatenessDays <= 0 || j.LatenessDays > 2) {
			t.Errorf("late job %+v", j)
		}
		if !j.OnTime && !strings.HasPrefix(j.Reason, "late by") {
			t.Errorf("reason %q", j.Reason)
		}
	}
	if n, c := unallocated(res, 1); n != 10 || c != NoCapacityBeforeDeadline {
		t.Errorf("%d unallocated (%s), want 10 no_capacity_before_deadline", n, c)
	}
}

func TestInvalidInput(t *testing.T) {
	for name, mutate := range map[string]func(*Problem){
		"no now":           func(p *Problem) { p.Now = time.Time{} },
		"unknown version":  func(p *Problem) { p.Requests[0].VersionID = 99 },
		"zero minutes":     func(p *Problem) { p.Versions[0].PrintMinutes = 0 },
		"bad priority":     func(p *Problem) { p.Requests[0].Priority = "urgent" },
		"negative units":   func(p *Problem) { p.Requests[0].Units = -1 },
		"duplicate":        func(p *Problem) { p.Printers = append(p.Printers, p.Printers[0]) },
		"bad latitude":     func(p *Problem) { p.Printers[0].Lat = 91 },
		"too many minutes": func(p *Problem) { p.Printers[0].MinutesPerDay = 2000 },
	} {
		p := hand()
		p.Printers = []Printer{printer(1, 48.0, 2.0, 600)}
		p.Versions = []Version{version(5, 60)}
		p.Requests = []Request{request(1, 5, 10, Normal, 2, 48.0, 2.0)}
		mutate(&p)
		if _, err := Solve(p); err == nil {
			t.Errorf("%s: Solve accepted it", name)
		}
		if _, err := Greedy(p); err == nil {
			t.Errorf("%s: Greedy accepted it", name)
		}
	}
}

package routing

import (
	"cmp"
	"math"
	"slices"
	"testing"
	"time"
)

// fractionalProblem has two printers next to the hospital whose time before
// the deadline holds 2.5 units each, and a printer 110 km away with a whole
// day free. Six units: the flow fills the near printers (5 units) and takes
// one from the far one, or from later days of a near one; the halves left on
// the near printers make a unit that neither can print in time.
func fractionalProblem() Problem {
	p := hand()
	p.Printers = []Printer{printer(1, 45.19, 5.73, 250), printer(2, 45.19, 5.73, 250), printer(3, 46.19, 5.73, 1440)}
	p.Versions = []Version{version(5, 100)}
	// Needed two days from now: printable on day 0 only, and a unit that
	// ends later than that is late.
	r := request(1, 5, 6, High, 2, 45.19, 5.74)
	r.NeededBy = t0.Add(2*day + time.Hour)
	p.Requests = []Request{r}
	return p
}

// TestRoundingReroutesLeftoverUnit is the demo's "89 of 90 units": the
// nearest maker's two printers are saturated, the flow's fractions on them
// add up to a unit that neither can book, and that unit must go to a
// printer with a whole unit's time instead of being dropped.
func TestRoundingReroutesLeftoverUnit(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate         func(p *Problem)
		onTime, late   int
		onFar, lateFar int
		left           int
		cause          Cause
	}{
		// The far printer has the time before the deadline: the flow gives
		// it one unit, and the leftover one goes there too, on time.
		"far printer on time": {func(p *Problem) {}, 6, 0, 2, 0, 0, ""},
		// Late jobs allowed: on time still comes first.
		"far printer on time, late jobs on": {func(p *Problem) { p.MaxLateDays = 7 }, 6, 0, 2, 0, 0, ""},
		// The far printer is booked on day 0: the near printers print two
		// whole units each in time (the flow's 2.5 each are not whole
		// units), and the other two are late, on their next day (nearer
		// than the far printer, and as early).
		"late on the near printers": {func(p *Problem) {
			p.MaxLateDays = 7
			p.Printers[2].BookedMinutes = 1440
		}, 4, 2, 0, 0, 0, ""},
		// The same without late jobs: two units cannot be printed in time,
		// and every printer has time later.
		"no late jobs": {func(p *Problem) { p.Printers[2].BookedMinutes = 1440 }, 4, 0, 0, 0, 2, NoCapacityBeforeDeadline},
		// A one-day horizon, the far printer booked for it: the near
		// printers keep half a unit each, which prints nothing.
		"horizon full": {func(p *Problem) {
			p.HorizonDays = 1
			p.Printers[2].BookedMinutes = 1440
		}, 4, 0, 0, 0, 2, NoCapacity},
	} {
		t.Run(name, func(t *testing.T) {
			p := fractionalProblem()
			tc.mutate(&p)
			res := mustSolve(t, p)
			checkCausesTrue(t, p, res)
			if n, c := unallocated(res, 1); n != tc.left || c != tc.cause {
				t.Fatalf("%d unit(s) unallocated (%q), want %d (%q); jobs %+v", n, c, tc.left, tc.cause, res.Jobs)
			}
			if res.Stats.UnitsOnTime != tc.onTime || res.Stats.UnitsLate != tc.late {
				t.Errorf("%d on time and %d late, want %d and %d; jobs %+v", res.Stats.UnitsOnTime, res.Stats.UnitsLate, tc.onTime, tc.late, res.Jobs)
			}
			if u := units(res)[[2]int64{1, 3}]; u != [2]int{tc.onFar, tc.lateFar} {
				t.Errorf("far printer has %v (on time, late), want [%d %d]", u, tc.onFar, tc.lateFar)
			}
		})
	}
}

// TestRoundingDemoFaceShields is the demo hub of cmd/makerhub/demo.go:
// face shields (2 h 53 min in PETG) for CHU Grenoble within five days, from
// a fablab with two 12-hour printers in Grenoble, an Ender-3 16 hours a day
// near Lyon and a P1S 10 hours a day in Paris (also asked 30 units by a
// Paris hospital within three weeks). Whatever the quantity and the hour of
// the run, every unit has a printer: there is time for all of them.
func TestRoundingDemoFaceShields(t *testing.T) {
	pr := func(id int64, lat, lon float64, hours int) Printer {
		return Printer{ID: id, MakerID: id, Lat: lat, Lon: lon, BedX: 250, BedY: 210, BedZ: 210,
			Materials: []string{"PLA", "PETG"}, MinutesPerDay: hours * 60}
	}
	for _, n := range []int{33, 40, 45, 50, 60} {
		for hour := 0; hour < 24; hour += 2 {
			p := Problem{Now: time.Date(2026, 4, 1, hour, 17, 0, 0, time.UTC)}
			p.Printers = []Printer{pr(1, 45.1924, 5.7310, 12), pr(2, 45.1924, 5.7310, 12), pr(4, 45.7744, 4.7775, 16), pr(5, 48.8651, 2.3781, 10)}
			p.Versions = []Version{{ID: 1, Material: "PETG", PrintMinutes: 173, HeightMM: 15, Footprints: [][2]float64{{219, 97}}}}
			p.Requests = []Request{
				{ID: 1, VersionID: 1, Units: n, Priority: High, NeededBy: time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC), Lat: 45.1986, Lon: 5.7447},
				{ID: 3, VersionID: 1, Units: 30, Priority: Normal, NeededBy: time.Date(2026, 4, 22, 0, 0, 0, 0, time.UTC), Lat: 48.8986, Lon: 2.3317},
			}
			res := mustSolve(t, p)
			checkCausesTrue(t, p, res)
			if u := res.Stats.UnitsUnallocated; u != 0 {
				t.Errorf("%d units at %02d:17: %d of %d allocated; unallocated %+v", n, hour, res.Stats.UnitsAllocated, res.Stats.UnitsRequested, res.Unallocated)
			}
		}
	}
}

// TestCausesTrueOnGenerated checks on generated instances, with and without
// late jobs, that Solve leaves no unit unallocated where a candidate has a
// whole unit's time and that every capacity cause it gives is true.
func TestCausesTrueOnGenerated(t *testing.T) {
	for seed := int64(1); seed <= 6; seed++ {
		p := Generate(seed, 0.003)
		p.RegionPrinters = 40
		p.MaxLateDays = []int{-1, 3, 7}[seed%3]
		checkCausesTrue(t, p, mustSolve(t, p))
	}
}

// checkCausesTrue checks, independently of the solver's own bookkeeping,
// what Solve's unallocated units claim. For every request with units left
// for lack of capacity: none of its candidate printers could take one more
// unit by the pair's cut day (plus MaxLateDays when late jobs are allowed)
// without pushing any planned job past its day (jobs keep the day they are
// planned to end, on-time ones their cut day: an earliest-deadline-first
// test, in the model's whole days); no_capacity_before_deadline says some
// candidate has a unit's time left in the horizon, no_capacity that none has.
func checkCausesTrue(t *testing.T, p Problem, res *Result) {
	t.Helper()
	in, err := newInstance(&p)
	if err != nil {
		t.Fatal(err)
	}
	el := newEligibility(in)
	pairs, byReq := candidates(in, el, newRegions(in, in.s.regionSize))
	reqIdx := map[int64]int{}
	for i := range in.requests {
		reqIdx[in.requests[i].ID] = i
	}
	prnIdx := map[int64]int{}
	for i := range in.printers {
		prnIdx[in.printers[i].ID] = i
	}
	pairOf := map[[2]int]*pair{}
	for k := range pairs {
		pairOf[[2]int{pairs[k].req, pairs[k].prn}] = &pairs[k]
	}
	// work[p]: minutes of planned jobs and the day by whose end each is due.
	type task struct {
		day     int
		minutes float64
	}
	work := map[int][]task{}
	for _, j := range res.Jobs {
		ri, pi := reqIdx[j.RequestID], prnIdx[j.PrinterID]
		pr := pairOf[[2]int{ri, pi}]
		if pr == nil {
			t.Fatalf("job %+v is on no candidate pair", j)
		}
		d := pr.cut
		if !j.OnTime {
			d = int(math.Ceil(j.ExpectedDone.Sub(in.s.now).Hours()/24 - 1e-9))
		}
		work[pi] = append(work[pi], task{d, float64(j.Units) * in.unitMin[in.reqVer[ri]]})
	}
	fitsOneMore := func(pi int, last int, um float64) bool {
		ts := append(slices.Clone(work[pi]), task{last, um})
		slices.SortFunc(ts, func(a, b task) int { return cmp.Compare(a.day, b.day) })
		sum := 0.0
		for i, x := range ts {
			sum += x.minutes
			if (i+1 == len(ts) || ts[i+1].day != x.day) && x.day >= last && sum > float64(in.freeBefore(pi, x.day))+1e-6 {
				return false
			}
		}
		return true
	}
	for _, u := range res.Unallocated {
		if u.Cause != NoCapacity && u.Cause != NoCapacityBeforeDeadline {
			continue
		}
		ri := reqIdx[u.RequestID]
		um := in.unitMin[in.reqVer[ri]]
		spare := false
		for k := byReq[ri][0]; k < byReq[ri][1]; k++ {
			pr := &pairs[k]
			last := pr.cut
			if in.s.maxLate > 0 && pr.cut < in.s.horizon {
				last = min(pr.cut+in.s.maxLate, in.s.horizon)
			}
			if last >= 1 && fitsOneMore(pr.prn, last, um) {
				t.Errorf("request %d: %d unit(s) left (%s: %s) but printer %d (%.0f km) has a unit's time by day %d",
					u.RequestID, u.Units, u.Cause, u.Detail, in.printers[pr.prn].ID, pr.km, last)
			}
			if fitsOneMore(pr.prn, in.s.horizon, um) {
				spare = true
			}
		}
		if byReq[ri][0] < byReq[ri][1] && spare != (u.Cause == NoCapacityBeforeDeadline) {
			t.Errorf("request %d: cause %s (%s), but a candidate has a unit's time in the horizon: %v",
				u.RequestID, u.Cause, u.Detail, spare)
		}
	}
}

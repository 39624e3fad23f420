package routing

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// checkInvariants holds for every result, of Solve or Greedy: each
// request's units are allocated or reported, never both beyond what was
// asked; a job's printer can print its version; no printer is booked beyond
// its time, neither over the horizon nor before any on-time job's due date
// (rounding never overbooks); on-time jobs arrive by their NeededBy.
func checkInvariants(t *testing.T, p Problem, res *Result) {
	t.Helper()
	in, err := newInstance(&p)
	if err != nil {
		t.Fatal(err)
	}
	reqs := map[int64]*Request{}
	for i := range in.requests {
		reqs[in.requests[i].ID] = &in.requests[i]
	}
	prs := map[int64]int{}
	for i := range in.printers {
		prs[in.printers[i].ID] = i
	}
	got := map[int64]int{}
	booked := map[int64]float64{}
	for _, j := range res.Jobs {
		r := reqs[j.RequestID]
		v := &in.versions[in.vIndex[r.VersionID]]
		pi, ok := prs[j.PrinterID]
		if !ok || r == nil || j.Units <= 0 || j.VersionID != r.VersionID {
			t.Fatalf("bad job %+v", j)
		}
		pr := &in.printers[pi]
		if !fits(v, pr) || !hasMaterial(pr, v.Material) || pr.MakerID != j.MakerID {
			t.Fatalf("job %+v on a printer that cannot print version %d", j, v.ID)
		}
		if j.OnTime && j.ExpectedDone.After(j.DueBy.Add(time.Minute)) {
			t.Fatalf("on-time job done %v after due %v", j.ExpectedDone, j.DueBy)
		}
		if !j.OnTime && (j.LatenessDays <= 0 || in.s.maxLate > 0 && j.LatenessDays > float64(in.s.maxLate)+1) {
			t.Fatalf("late job %+v (MaxLateDays %d)", j, in.s.maxLate)
		}
		got[j.RequestID] += j.Units
		booked[j.PrinterID] += float64(j.Units) * in.unitMin[in.vIndex[r.VersionID]]
		// Every job on the printer that ends by this one's end must fit
		// in the time before it.
		var before float64
		for _, k := range res.Jobs {
			if k.PrinterID == j.PrinterID && !k.ExpectedDone.After(j.ExpectedDone) {
				before += float64(k.Units) * in.unitMin[in.vIndex[reqs[k.RequestID].VersionID]]
			}
		}
		free := float64(pr.MinutesPerDay)*j.ExpectedDone.Sub(in.s.now).Hours()/24 - float64(pr.BookedMinutes)
		if before > free+1e-3 {
			t.Fatalf("printer %d: %.1f minutes of jobs end by %v but only %.1f are free then", pr.ID, before, j.ExpectedDone, free)
		}
	}
	for id, m := range booked {
		pi := prs[id]
		if limit := float64(in.freeBefore(pi, in.s.horizon)); m > limit+1e-6 {
			t.Fatalf("printer %d booked %.1f minutes, has %.1f in the horizon", id, m, limit)
		}
	}
	for _, u := range res.Unallocated {
		if u.Units <= 0 || u.Cause == "" || u.Detail == "" {
			t.Fatalf("bad unallocated %+v", u)
		}
		got[u.RequestID] += u.Units
	}
	for id, r := range reqs {
		if got[id] != r.Units {
			t.Fatalf("request %d: %d units allocated or reported, %d requested", id, got[id], r.Units)
		}
	}
	st := res.Stats
	if st.UnitsAllocated+st.UnitsUnallocated != st.UnitsRequested || st.UnitsOnTime+st.UnitsLate != st.UnitsAllocated {
		t.Fatalf("stats do not add up: %+v", st)
	}
}

func TestInvariantsOnGenerated(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		p := Generate(seed, 0.004)
		p.RegionPrinters = 40 // several regions even at this size
		if seed%2 == 0 {
			p.MaxLateDays = -1
		}
		res := mustSolve(t, p)
		g, err := Greedy(p)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, p, g)
		if res.Stats.Regions < 2 {
			t.Errorf("want several regions, got %d", res.Stats.Regions)
		}
		if res.Stats.WeightedOnTime < g.Stats.WeightedOnTime {
			t.Errorf("seed %d: Solve has %d weighted units on time, Greedy %d", seed, res.Stats.WeightedOnTime, g.Stats.WeightedOnTime)
		}
		t.Logf("seed %d: solve %d on time (%d weighted), %d late, %d unallocated, %.0f km; greedy %d (%d), %d, %d, %.0f km",
			seed, res.Stats.UnitsOnTime, res.Stats.WeightedOnTime, res.Stats.UnitsLate, res.Stats.UnitsUnallocated, res.Stats.TotalKM,
			g.Stats.UnitsOnTime, g.Stats.WeightedOnTime, g.Stats.UnitsLate, g.Stats.UnitsUnallocated, g.Stats.TotalKM)
	}
}

func TestDeterministic(t *testing.T) {
	p := Generate(3, 0.004)
	want, err := Solve(p)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3; i++ {
		q := p
		q.Printers = append([]Printer(nil), p.Printers...)
		q.Versions = append([]Version(nil), p.Versions...)
		q.Requests = append([]Request(nil), p.Requests...)
		rng.Shuffle(len(q.Printers), func(a, b int) { q.Printers[a], q.Printers[b] = q.Printers[b], q.Printers[a] })
		rng.Shuffle(len(q.Versions), func(a, b int) { q.Versions[a], q.Versions[b] = q.Versions[b], q.Versions[a] })
		rng.Shuffle(len(q.Requests), func(a, b int) { q.Requests[a], q.Requests[b] = q.Requests[b], q.Requests[a] })
		got, err := Solve(q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Jobs, want.Jobs) || !reflect.DeepEqual(got.Unallocated, want.Unallocated) {
			t.Fatalf("shuffle %d: different result", i)
		}
	}
}

// greedyValue evaluates Greedy's allocation as a flow of the model, tier by
// tier as modelValue does, with Solve's model for the bucket boundaries.
// Greedy books each printer's days from the first free one, so its units
// with bound ≤ cut are printed in time and the others end by day `bound`,
// within MaxLateDays: that is a feasible flow, whose value the optimum can
// only beat.
func greedyValue(m *model, in *instance, pairs []pair, allocs []alloc) [3]float64 {
	var v [3]float64
	served := map[int]float64{}
	for _, a := range allocs {
		pr := &pairs[a.pair]
		um := in.unitMin[in.reqVer[pr.req]]
		minutes := float64(a.units) * um
		served[pr.req] += minutes
		v[2] += minutes * pr.km / um
		if a.bound <= pr.cut {
			continue
		}
		e := in.s.horizon
		for _, x := range m.bounds[pr.prn] {
			if int(x) >= a.bound && int(x) < e {
				e = int(x)
			}
		}
		v[0] += minutes * float64(in.requests[pr.req].Priority.Weight()) / um
		v[1] += minutes * float64(2*(e-pr.cut))
	}
	for _, ri := range m.reqs {
		left := float64(in.demand[ri]) - served[ri]
		v[0] += left * float64(in.requests[ri].Priority.Weight()) / in.unitMin[in.reqVer[ri]]
		v[1] += left * float64(2*max(in.s.maxLate, 0)+1)
	}
	return v
}

// TestNeverWorseThanGreedy compares, on many random instances, Solve's
// optimal flow with Greedy's allocation as a flow of the same model: Solve
// is never lexicographically worse (priority-weighted units not on time,
// then lateness, then unit-km).
func TestNeverWorseThanGreedy(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 10
	}
	better := 0
	for seed := int64(1); seed <= int64(n); seed++ {
		p := Generate(seed, 0.0015)
		p.RegionPrinters = -1
		p.MaxLateDays = []int{-1, 3, 7}[seed%3]
		in, err := newInstance(&p)
		if err != nil {
			t.Fatal(err)
		}
		el := newEligibility(in)
		pairs, byReq := candidates(in, el, newRegions(in, in.s.regionSize))
		if len(pairs) == 0 {
			continue
		}
		m := buildModel(in, pairs)
		tr, err := m.makeTiers()
		if err != nil {
			t.Fatal(err)
		}
		var st Stats
		flow, err := m.solveLex(tr, m.planPhases(tr), &st)
		if err != nil {
			t.Fatal(err)
		}
		sv := modelValue(m, flow)
		s := [3]float64{ratFloat(sv[0]), ratFloat(sv[1]), ratFloat(sv[2])}
		allocs, _ := greedyAllocations(in, pairs, byReq)
		g := greedyValue(m, in, pairs, allocs)
		minutes := float64(m.totalDemand())
		tol := [3]float64{minutes/tr.scale1 + 1e-9*math.Abs(g[0]), 1e-9 * math.Abs(g[1]), minutes/tr.scale3 + 1e-9*math.Abs(g[2])}
		for k := 0; k < 3; k++ {
			if s[k] < g[k]-tol[k] {
				better++
				break
			}
			if s[k] > g[k]+tol[k] {
				t.Fatalf("seed %d: Solve is worse than Greedy at tier %d: %v vs %v", seed, k+1, s, g)
			}
		}
	}
	t.Logf("Solve strictly better on %d of %d instances", better, n)
}

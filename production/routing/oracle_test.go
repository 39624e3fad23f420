package routing

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// tinyProblem is a random instance small enough for the rational oracle: a
// few printers and requests around one town, a short horizon, integer
// minutes per unit, and every setting of late jobs.
func tinyProblem(seed uint64) Problem {
	rng := rand.New(rand.NewPCG(seed, 7))
	now := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	p := Problem{Now: now, HorizonDays: 3 + rng.IntN(3), MaxLateDays: []int{-1, 1, 2, 3}[rng.IntN(4)],
		Candidates: 10, RegionPrinters: -1, ShipKMPerDay: 100}
	for i := 0; i < 1+rng.IntN(3); i++ {
		p.Printers = append(p.Printers, Printer{ID: int64(10 + i), MakerID: int64(100 + i),
			Lat: 45 + rng.Float64(), Lon: 4 + rng.Float64(), BedX: 220, BedY: 220, BedZ: 250,
			Materials: []string{"PLA"}, MinutesPerDay: 60 * (1 + rng.IntN(6)), BookedMinutes: int64(rng.IntN(3) * 50)})
	}
	for i := 0; i < 1+rng.IntN(2); i++ {
		p.Versions = append(p.Versions, Version{ID: int64(20 + i), Material: "PLA", PrintMinutes: float64(20 + rng.IntN(100)),
			HeightMM: 10, Footprints: [][2]float64{{40, 40}}})
	}
	pri := []Priority{Critical, High, Normal}
	for i := 0; i < 1+rng.IntN(4); i++ {
		p.Requests = append(p.Requests, Request{ID: int64(30 + i), HospitalID: 1,
			VersionID: p.Versions[rng.IntN(len(p.Versions))].ID, Units: 1 + rng.IntN(12), Priority: pri[rng.IntN(3)],
			NeededBy: now.Add(time.Duration(12+rng.IntN(24*(p.HorizonDays+2))) * time.Hour),
			Lat:      45 + rng.Float64(), Lon: 4 + rng.Float64()})
	}
	return p
}

// lexValue is the model's objective, tier by tier (all minimised): tier 1
// the priority-weighted units not on time, tier 2 the lateness in
// half-day-minutes with unmet minutes at 2·MaxLateDays+1, tier 3 unit-km.
type lexValue [3]*big.Rat

func ratOf(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }

// oracle solves the model of docs/routing.md as a plain LP over
// (pair, day) variables, independent of the network: x[pair][d] is the
// minutes printer p gives request r on day d, on time if d < cut, late
// by (the first bucket boundary of p after d) − cut days if that is at most
// MaxLateDays, else not allowed.
func oracle(t *testing.T, in *instance, pairs []pair) lexValue {
	s := &in.s
	H, L := s.horizon, s.maxLate
	bounds := map[int][]int{}
	for _, pr := range pairs {
		b := append(bounds[pr.prn], H)
		if pr.cut >= 1 && pr.cut < H {
			b = append(b, pr.cut)
		}
		if L > 0 && pr.cut < H && pr.cut+L >= 1 && pr.cut+L < H {
			b = append(b, pr.cut+L)
		}
		bounds[pr.prn] = b
	}
	type v struct{ t1, t2, t3 *big.Rat }
	var vars []v
	capRows := map[[2]int]map[int]*big.Rat{}
	reqRows := map[int]map[int]*big.Rat{}
	add := func(row map[int]*big.Rat, j int) { row[j] = big.NewRat(1, 1) }
	for _, pr := range pairs {
		b := bounds[pr.prn]
		um := in.unitMin[in.reqVer[pr.req]]
		w := float64(in.requests[pr.req].Priority.Weight())
		if reqRows[pr.req] == nil {
			reqRows[pr.req] = map[int]*big.Rat{}
		}
		for d := 0; d < H; d++ {
			e := H
			for _, x := range b {
				if x > d && x < e {
					e = x
				}
			}
			vv := v{new(big.Rat), new(big.Rat), ratOf(pr.km / um)}
			if d >= pr.cut {
				if L <= 0 || pr.cut >= H || e-pr.cut > L {
					continue
				}
				vv.t1 = ratOf(w / um)
				vv.t2 = big.NewRat(int64(2*(e-pr.cut)), 1)
			}
			key := [2]int{pr.prn, d}
			if capRows[key] == nil {
				capRows[key] = map[int]*big.Rat{}
			}
			add(capRows[key], len(vars))
			add(reqRows[pr.req], len(vars))
			vars = append(vars, vv)
		}
	}
	for ri, row := range reqRows {
		w := float64(in.requests[ri].Priority.Weight())
		add(row, len(vars))
		vars = append(vars, v{ratOf(w / in.unitMin[in.reqVer[ri]]), big.NewRat(int64(2*max(L, 0)+1), 1), new(big.Rat)})
	}
	// Strict weights: each tier's weight exceeds what the later ones can
	// sum to over any feasible solution (every minute pays at most the
	// largest coefficient).
	var total, max2, max3 big.Rat
	for ri := range reqRows {
		total.Add(&total, big.NewRat(in.demand[ri], 1))
	}
	for _, x := range vars {
		if x.t2.Cmp(&max2) > 0 {
			max2.Set(x.t2)
		}
		if x.t3.Cmp(&max3) > 0 {
			max3.Set(x.t3)
		}
	}
	w3 := big.NewRat(1, 1)
	w2 := new(big.Rat).Add(new(big.Rat).Mul(&total, &max3), big.NewRat(1, 1))
	w1 := new(big.Rat).Add(new(big.Rat).Mul(w2, new(big.Rat).Mul(&total, &max2)), w2)
	lp := newRatLP(len(vars))
	for j, x := range vars {
		lp.c[j].Add(new(big.Rat).Mul(w1, x.t1), new(big.Rat).Add(new(big.Rat).Mul(w2, x.t2), new(big.Rat).Mul(w3, x.t3)))
	}
	keys := make([][2]int, 0, len(capRows))
	for k := range capRows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int) int { return cmp.Compare(a[0]*1000+a[1], b[0]*1000+b[1]) })
	for _, k := range keys {
		c := in.freeBefore(k[0], k[1]+1) - in.freeBefore(k[0], k[1])
		lp.addRow(capRows[k], big.NewRat(c, 1), true)
	}
	reqs := make([]int, 0, len(reqRows))
	for ri := range reqRows {
		reqs = append(reqs, ri)
	}
	slices.Sort(reqs)
	for _, ri := range reqs {
		lp.addRow(reqRows[ri], big.NewRat(in.demand[ri], 1), false)
	}
	x := lp.solve()
	if x == nil {
		t.Fatal("oracle: infeasible")
	}
	val := lexValue{new(big.Rat), new(big.Rat), new(big.Rat)}
	for j, vv := range vars {
		for k, c := range []*big.Rat{vv.t1, vv.t2, vv.t3} {
			val[k].Add(val[k], new(big.Rat).Mul(c, x[j]))
		}
	}
	return val
}

// modelValue evaluates a model flow with the exact (unrounded) tier
// coefficients.
func modelValue(m *model, flow []int64) lexValue {
	val := lexValue{new(big.Rat), new(big.Rat), new(big.Rat)}
	for a, f := range flow {
		if f == 0 {
			continue
		}
		fr := big.NewRat(f, 1)
		val[0].Add(val[0], new(big.Rat).Mul(fr, ratOf(m.rate1[a])))
		val[1].Add(val[1], new(big.Rat).Mul(fr, big.NewRat(m.t2[a], 1)))
		val[2].Add(val[2], new(big.Rat).Mul(fr, ratOf(m.rate3[a])))
	}
	return val
}

func ratFloat(r *big.Rat) float64 { f, _ := r.Float64(); return f }

// TestOptimalAgainstLP checks, on random tiny instances, that Solve's flow
// is lexicographically optimal: the same tier values as the rational LP
// oracle, up to the documented rounding of the tier-1 and tier-3
// coefficients (2^-40 weighted units and 1/scale3 km per minute).
func TestOptimalAgainstLP(t *testing.T) {
	n := 60
	if testing.Short() {
		n = 15
	}
	phases := map[int]int{}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		p := tinyProblem(seed)
		in, err := newInstance(&p)
		if err != nil {
			t.Fatal(err)
		}
		el := newEligibility(in)
		pairs, _ := candidates(in, el, newRegions(in, in.s.regionSize))
		if len(pairs) == 0 {
			continue
		}
		m := buildModel(in, pairs)
		tr, err := m.makeTiers()
		if err != nil {
			t.Fatal(err)
		}
		ph := m.planPhases(tr)
		var st Stats
		flow, err := m.solveLex(tr, ph, &st)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		phases[len(ph)]++
		got, want := modelValue(m, flow), oracle(t, in, pairs)
		minutes := float64(m.totalDemand())
		tol := [3]float64{minutes / tr.scale1, 1e-9, minutes / tr.scale3}
		desc := fmt.Sprintf("seed %d (%d pairs, phases %v): got %.9g %.9g %.9g, oracle %.9g %.9g %.9g", seed, len(pairs), ph,
			ratFloat(got[0]), ratFloat(got[1]), ratFloat(got[2]), ratFloat(want[0]), ratFloat(want[1]), ratFloat(want[2]))
		for k := 0; k < 3; k++ {
			if d := math.Abs(ratFloat(got[k]) - ratFloat(want[k])); d > tol[k] {
				t.Fatalf("tier %d differs by %g: %s", k+1, d, desc)
			}
		}
	}
	t.Logf("instances by number of phases: %v", phases)
}

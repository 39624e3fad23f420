package routing

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Solve routes open demand to printer time: it builds the flow network of
// docs/routing.md over each request's nearest eligible printers, solves it
// exactly and lexicographically (priority-weighted units on time, then
// lateness, then distance), rounds the minute flows to whole units and
// returns the jobs and the unallocated units with their causes.
//
// Solve only reads p. The same problem, with its slices in any order, always
// gives the same result.
func Solve(p Problem) (*Result, error) {
	t0 := time.Now()
	in, err := newInstance(&p)
	if err != nil {
		return nil, err
	}
	el := newEligibility(in)
	rg := newRegions(in, in.s.regionSize)
	pairs, byReq := candidates(in, el, rg)

	// One model per region, solved in parallel; each writes only its own
	// slot, and the results are merged in region order.
	parts := make([][]pair, rg.n)
	size := make([]int, rg.n)
	for ri := range in.requests {
		if lo, hi := byReq[ri][0], byReq[ri][1]; lo < hi {
			size[rg.of[pairs[lo].prn]] += hi - lo
		}
	}
	for g := range parts {
		parts[g] = make([]pair, 0, size[g])
	}
	for ri := range in.requests {
		if lo, hi := byReq[ri][0], byReq[ri][1]; lo < hi {
			g := rg.of[pairs[lo].prn]
			parts[g] = append(parts[g], pairs[lo:hi]...)
		}
	}
	type out struct {
		allocs []alloc
		spill  map[int]int64
		st     Stats
		err    error
	}
	outs := make([]out, rg.n)
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < max(1, min(runtime.GOMAXPROCS(0), rg.n)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range work {
				o := &outs[g]
				o.allocs, o.spill, o.err = solveRegion(in, parts[g], &o.st)
			}
		}()
	}
	// Largest regions first, so that no worker is left with a big one
	// at the end.
	order := make([]int, rg.n)
	for g := range order {
		order[g] = g
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(len(parts[b]), len(parts[a])) })
	for _, g := range order {
		work <- g
	}
	close(work)
	wg.Wait()

	var st Stats
	var allocs []alloc
	spill := make([]int64, len(in.printers))
	for g := range outs {
		o := &outs[g]
		if o.err != nil {
			return nil, o.err
		}
		allocs = append(allocs, o.allocs...)
		for p, f := range o.spill {
			spill[p] = f
		}
		st.Nodes += o.st.Nodes
		st.Arcs += o.st.Arcs
		st.Pivots += o.st.Pivots
		st.Phases = max(st.Phases, o.st.Phases)
		st.SolverElapsed += o.st.SolverElapsed
	}
	spare := func(p, r int) bool {
		return float64(spill[p]) >= in.unitMin[in.reqVer[r]]
	}
	res := finish(in, el, pairs, byReq, allocs, spare)
	res.Stats.Nodes, res.Stats.Arcs = st.Nodes, st.Arcs
	res.Stats.Phases, res.Stats.Pivots, res.Stats.SolverElapsed = st.Phases, st.Pivots, st.SolverElapsed
	res.Stats.Candidates, res.Stats.Regions = len(pairs), rg.n
	res.Stats.Elapsed = time.Since(t0)
	return res, nil
}

// solveRegion solves one region's model and returns its allocations (with
// the run's pair indices) and each printer's unused minutes.
func solveRegion(in *instance, pairs []pair, st *Stats) ([]alloc, map[int]int64, error) {
	if len(pairs) == 0 {
		return nil, nil, nil
	}
	m := buildModel(in, pairs)
	tr, err := m.makeTiers()
	if err != nil {
		return nil, nil, err
	}
	flow, err := m.solveLex(tr, m.planPhases(tr), st)
	if err != nil {
		return nil, nil, err
	}
	spill := make(map[int]int64, len(m.spill))
	for p, a := range m.spill {
		spill[p] = flow[a]
	}
	return m.allocations(flow), spill, nil
}

// allocations turns minute flows into whole units. Each on-time or late
// flow of a pair first gets the whole units it holds. A request is then due
// its served minutes over the minutes per unit, rounded to the nearest whole
// unit (never more than asked); the units still missing go to its flows with
// the largest fractions (on-time flows and nearer printers first on ties),
// higher priorities first, but only where the printer still has the time
// before that flow's day: rounding never overbooks a printer. A unit that
// finds no such time stays unallocated (less than one unit per flow).
func (m *model) allocations(flow []int64) []alloc {
	in := m.in
	origin := m.lateOrigins(flow)
	// slack[p][j]: printer time of days < bounds[p][j] not yet booked.
	slack := make(map[int][]float64, len(m.bounds))
	for p, b := range m.bounds {
		sl := make([]float64, len(b))
		for j, e := range b {
			sl[j] = float64(in.freeBefore(p, int(e)))
		}
		slack[p] = sl
	}
	book := func(p int, bound int, minutes float64, check bool) bool {
		b, sl := m.bounds[p], slack[p]
		j, _ := slices.BinarySearch(b, int32(bound))
		if check {
			for _, x := range sl[j:] {
				if x < minutes-1e-6 {
					return false
				}
			}
		}
		for i := j; i < len(sl); i++ {
			sl[i] -= minutes
		}
		return true
	}
	type slot struct {
		alloc
		local int
		frac  float64
	}
	slots := make(map[int][]slot, len(m.reqs)) // request → its flows
	want := make(map[int]int, len(m.reqs))
	for _, ri := range m.reqs {
		lo, hi := m.byReq[ri][0], m.byReq[ri][1]
		um := in.unitMin[in.reqVer[ri]]
		var ss []slot
		for k := lo; k < hi; k++ {
			if a := m.onArc[k]; a >= 0 && flow[a] > 0 {
				ss = append(ss, slot{alloc{m.pairs[k].gi, 0, m.pairs[k].cut, false}, k, float64(flow[a]) / um})
			}
			if a := m.lateArc[k]; a >= 0 && flow[a] > 0 {
				ss = append(ss, slot{alloc{m.pairs[k].gi, 0, origin[k], true}, k, float64(flow[a]) / um})
			}
		}
		total, floors := 0.0, 0
		for i := range ss {
			total += ss[i].frac
			// The small epsilon keeps an exact multiple from losing a
			// unit to float rounding.
			ss[i].units = int(math.Floor(ss[i].frac + 1e-9))
			ss[i].frac -= float64(ss[i].units)
			floors += ss[i].units
			book(m.pairs[ss[i].local].prn, ss[i].bound, float64(ss[i].units)*um, false)
		}
		slices.SortStableFunc(ss, func(a, b slot) int {
			if c := cmp.Compare(b.frac, a.frac); c != 0 {
				return c
			}
			if a.late != b.late {
				if !a.late {
					return -1
				}
				return 1
			}
			return cmp.Compare(a.local, b.local) // pairs are nearest first
		})
		slots[ri] = ss
		want[ri] = min(in.requests[ri].Units, int(math.Floor(total+0.5))) - floors
	}
	order := slices.Clone(m.reqs)
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := &in.requests[a], &in.requests[b]
		if c := cmp.Compare(rb.Priority.Weight(), ra.Priority.Weight()); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var out []alloc
	for _, ri := range order {
		um := in.unitMin[in.reqVer[ri]]
		ss := slots[ri]
		for i := 0; i < len(ss) && want[ri] > 0; i++ {
			if ss[i].frac > 1e-9 && book(m.pairs[ss[i].local].prn, ss[i].bound, um, true) {
				ss[i].units++
				want[ri]--
			}
		}
		for _, s := range ss {
			if s.units > 0 {
				out = append(out, s.alloc)
			}
		}
	}
	return out
}

// lateOrigins says, for each pair with late flow, the latest boundary day
// whose time that flow uses. The late chain mixes the time of several days;
// walking it from the top down and giving each late arc the earliest time on
// offer (higher priority first) is one decomposition of the optimal flow
// (they all cost the same), and the one that lays out best.
func (m *model) lateOrigins(flow []int64) []int {
	origin := make([]int, len(m.pairs))
	at := map[int][][]int{} // printer → attach index → pairs
	for k := range m.pairs {
		a := m.lateArc[k]
		if a < 0 || flow[a] == 0 {
			continue
		}
		p := m.pairs[k].prn
		if at[p] == nil {
			at[p] = make([][]int, len(m.bounds[p]))
		}
		j := int(m.from[a] - m.lNode[p])
		at[p][j] = append(at[p][j], k)
	}
	type lot struct {
		j   int
		amt int64
	}
	var pool []lot // latest origin first, so the earliest is at the end
	for p, lists := range at {
		pool = pool[:0]
		b := m.bounds[p]
		for j := len(b) - 1; j >= 0; j-- {
			if f := flow[int(m.toLate[p])+j]; f > 0 {
				pool = append(pool, lot{j, f})
			}
			ks := lists[j]
			slices.SortFunc(ks, func(x, y int) int {
				rx, ry := &m.in.requests[m.pairs[x].req], &m.in.requests[m.pairs[y].req]
				if c := cmp.Compare(ry.Priority.Weight(), rx.Priority.Weight()); c != 0 {
					return c
				}
				if c := rx.NeededBy.Compare(ry.NeededBy); c != 0 {
					return c
				}
				return cmp.Compare(x, y)
			})
			for _, k := range ks {
				need, latest := flow[m.lateArc[k]], j
				for need > 0 && len(pool) > 0 {
					top := &pool[len(pool)-1]
					take := min(need, top.amt)
					latest = max(latest, top.j)
					top.amt -= take
					need -= take
					if top.amt == 0 {
						pool = pool[:len(pool)-1]
					}
				}
				origin[k] = int(b[latest])
			}
		}
	}
	return origin
}

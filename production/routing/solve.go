package routing

import (
	"cmp"
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
		unused map[int]float64
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
				o.allocs, o.unused, o.err = solveRegion(in, parts[g], &o.st)
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
	unused := make([]float64, len(in.printers))
	for g := range outs {
		o := &outs[g]
		if o.err != nil {
			return nil, o.err
		}
		allocs = append(allocs, o.allocs...)
		for p, f := range o.unused {
			unused[p] = f
		}
		st.Nodes += o.st.Nodes
		st.Arcs += o.st.Arcs
		st.Pivots += o.st.Pivots
		st.Phases = max(st.Phases, o.st.Phases)
		st.SolverElapsed += o.st.SolverElapsed
	}
	// A printer has time to spare if a unit fits in what the plan, once
	// rounded to whole units, leaves unbooked in the horizon.
	spare := func(p, r int) bool {
		return unused[p] >= in.unitMin[in.reqVer[r]]-slackTolerance
	}
	res := finish(in, el, pairs, byReq, allocs, spare)
	res.Stats.Nodes, res.Stats.Arcs = st.Nodes, st.Arcs
	res.Stats.Phases, res.Stats.Pivots, res.Stats.SolverElapsed = st.Phases, st.Pivots, st.SolverElapsed
	res.Stats.Candidates, res.Stats.Regions = len(pairs), rg.n
	res.Stats.Elapsed = time.Since(t0)
	return res, nil
}

// solveRegion solves one region's model and returns its allocations (with
// the run's pair indices) and the minutes each printer has left unbooked in
// the horizon once they are rounded to whole units.
func solveRegion(in *instance, pairs []pair, st *Stats) ([]alloc, map[int]float64, error) {
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
	allocs, unused := m.allocations(flow)
	return allocs, unused, nil
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

package routing

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Greedy is the baseline Solve is measured against: requests in order of
// priority, then needed-by date, then ID, each served by its nearest
// candidate printers in turn, on time where they have free time early
// enough, then late (within MaxLateDays) for what is left. It considers the
// same candidate printers as Solve and lays out time the same way, so their
// results compare like for like.
func Greedy(p Problem) (*Result, error) {
	t0 := time.Now()
	in, err := newInstance(&p)
	if err != nil {
		return nil, err
	}
	el := newEligibility(in)
	pairs, byReq := candidates(in, el, newRegions(in, in.s.regionSize))
	allocs, used := greedyAllocations(in, pairs, byReq)
	spare := func(p, r int) bool {
		return float64(in.freeBefore(p, in.s.horizon)-used[p]) >= in.unitMin[in.reqVer[r]]
	}
	res := finish(in, el, pairs, byReq, allocs, spare)
	res.Stats.Candidates = len(pairs)
	res.Stats.Elapsed = time.Since(t0)
	return res, nil
}

// greedyAllocations returns Greedy's allocations and each printer's minutes
// used. A printer's time is used from the earliest free day on, so what is
// free before day d is always freeBefore(d) minus what Greedy used.
func greedyAllocations(in *instance, pairs []pair, byReq [][2]int) ([]alloc, []int64) {
	s := &in.s
	order := make([]int, 0, len(in.requests))
	for ri := range in.requests {
		if byReq[ri][0] < byReq[ri][1] {
			order = append(order, ri)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := &in.requests[a], &in.requests[b]
		if c := cmp.Compare(rb.Priority.Weight(), ra.Priority.Weight()); c != 0 {
			return c
		}
		if c := ra.NeededBy.Compare(rb.NeededBy); c != 0 {
			return c
		}
		return cmp.Compare(ra.ID, rb.ID)
	})
	used := make([]int64, len(in.printers))
	var out []alloc
	// take gives the pair as many whole units as fit in its printer's time
	// before day limit.
	take := func(k, left, limit int, late bool) int {
		pr := &pairs[k]
		um := in.unitMin[in.reqVer[pr.req]]
		avail := in.freeBefore(pr.prn, limit) - used[pr.prn]
		n := min(left, int(math.Floor(float64(max(avail, 0))/um+1e-9)))
		if n <= 0 {
			return 0
		}
		// Whole minutes, as in the model, so capacity checks stay exact.
		used[pr.prn] += int64(math.Ceil(float64(n) * um))
		bound := pr.cut
		if late {
			p := &in.printers[pr.prn]
			bound = int(math.Ceil(float64(used[pr.prn]+p.BookedMinutes) / float64(p.MinutesPerDay)))
		}
		out = append(out, alloc{pair: k, units: n, bound: bound, late: late})
		return n
	}
	for _, ri := range order {
		left := in.requests[ri].Units
		for k := byReq[ri][0]; k < byReq[ri][1] && left > 0; k++ {
			if c := pairs[k].cut; c >= 1 {
				left -= take(k, left, c, false)
			}
		}
		if s.maxLate <= 0 {
			continue
		}
		for k := byReq[ri][0]; k < byReq[ri][1] && left > 0; k++ {
			if c := pairs[k].cut; c < s.horizon && c+s.maxLate >= 1 {
				left -= take(k, left, min(s.horizon, c+s.maxLate), true)
			}
		}
	}
	return out, used
}

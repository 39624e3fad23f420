package routing

import (
	"cmp"
	"slices"
)

// regions partitions the printers into compact planning regions of at most
// a given number of printers each, by recursive median splits of their
// positions along the widest axis (as a k-d tree does). Each region is
// solved as a network of its own. Why: the solver's time grows faster than
// linearly with the network (docs/routing.md, "Regions"), and the regions
// are independent, so they also run in parallel.
type regions struct {
	n  int
	of []int // printer → region; -1 for printers with no free time
}

func newRegions(in *instance, size int) *regions {
	rg := &regions{of: make([]int, len(in.printers))}
	var idx []int
	for i := range in.printers {
		rg.of[i] = -1
		if in.freeBefore(i, in.s.horizon) > 0 {
			idx = append(idx, i)
		}
	}
	pos := make([][3]float64, len(in.printers))
	for _, i := range idx {
		pos[i] = unitVector(in.printers[i].Lat, in.printers[i].Lon)
	}
	var split func(part []int)
	split = func(part []int) {
		if size <= 0 || len(part) <= size {
			for _, i := range part {
				rg.of[i] = rg.n
			}
			rg.n++
			return
		}
		var lo, hi [3]float64
		lo, hi = pos[part[0]], pos[part[0]]
		for _, i := range part {
			for a := 0; a < 3; a++ {
				lo[a], hi[a] = min(lo[a], pos[i][a]), max(hi[a], pos[i][a])
			}
		}
		ax := 0
		for a := 1; a < 3; a++ {
			if hi[a]-lo[a] > hi[ax]-lo[ax] {
				ax = a
			}
		}
		slices.SortFunc(part, func(x, y int) int {
			if c := cmp.Compare(pos[x][ax], pos[y][ax]); c != 0 {
				return c
			}
			return cmp.Compare(in.printers[x].ID, in.printers[y].ID)
		})
		mid := len(part) / 2
		split(part[:mid])
		split(part[mid:])
	}
	if len(idx) > 0 {
		split(idx)
	}
	rg.n = max(rg.n, 1)
	return rg
}

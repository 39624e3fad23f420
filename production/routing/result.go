package routing

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// alloc is whole units of a candidate pair, as Solve (after rounding) or
// Greedy decided them. bound is the day by whose end the plan has them
// printed (the pair's cut day when on time); the printer's schedule is laid
// out in that order.
type alloc struct {
	pair  int
	units int
	bound int
	late  bool
}

// finish turns allocations into jobs with their timing and reasons, reports
// every unallocated unit with its cause, and sums up. spare(p) says whether
// printer p had time left in the horizon after the plan (for the causes).
func finish(in *instance, el *eligibility, pairs []pair, byReq [][2]int, allocs []alloc, spare func(p int, r int) bool) *Result {
	res := &Result{}
	s := &in.s
	// Lay out each printer's jobs in the order of their bounds, after its
	// booked work: capacity is MinutesPerDay spread over each day, so a job
	// ends when the printer's cumulative minutes reach its own.
	order := make([]int, len(allocs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		x, y := &allocs[a], &allocs[b]
		px, py := &pairs[x.pair], &pairs[y.pair]
		if c := cmp.Compare(px.prn, py.prn); c != 0 {
			return c
		}
		if c := cmp.Compare(x.bound, y.bound); c != 0 {
			return c
		}
		if x.late != y.late {
			if !x.late {
				return -1
			}
			return 1
		}
		rx, ry := &in.requests[px.req], &in.requests[py.req]
		if c := cmp.Compare(ry.Priority.Weight(), rx.Priority.Weight()); c != 0 {
			return c
		}
		return cmp.Compare(rx.ID, ry.ID)
	})
	used := make([]float64, len(in.printers))
	for i := range used {
		used[i] = float64(in.printers[i].BookedMinutes)
	}
	allocated := make([]int, len(in.requests))
	for _, i := range order {
		a := &allocs[i]
		if a.units <= 0 {
			continue
		}
		pr := &pairs[a.pair]
		p, r := &in.printers[pr.prn], &in.requests[pr.req]
		um := in.unitMin[in.reqVer[pr.req]]
		used[pr.prn] += float64(a.units) * um
		done := s.now.Add(time.Duration(used[pr.prn] / float64(p.MinutesPerDay) * float64(day)))
		ship := time.Duration(s.shipDays(pr.km) * float64(day))
		j := Job{RequestID: r.ID, VersionID: r.VersionID, PrinterID: p.ID, MakerID: p.MakerID, Units: a.units,
			DistanceKM: pr.km, DueBy: r.NeededBy.Add(-ship), ExpectedDone: done}
		// A minute's slack absorbs float rounding of an exact fit.
		if late := done.Add(ship).Sub(r.NeededBy); late > time.Minute {
			j.LatenessDays = late.Hours() / 24
		} else {
			j.OnTime = true
		}
		j.Reason = reason(in, pr, a, byReq[pr.req][1]-byReq[pr.req][0], &j)
		allocated[pr.req] += a.units
		res.Jobs = append(res.Jobs, j)
	}
	slices.SortFunc(res.Jobs, func(a, b Job) int {
		if c := cmp.Compare(a.RequestID, b.RequestID); c != 0 {
			return c
		}
		if c := cmp.Compare(a.PrinterID, b.PrinterID); c != 0 {
			return c
		}
		if a.OnTime != b.OnTime {
			if a.OnTime {
				return -1
			}
			return 1
		}
		return a.ExpectedDone.Compare(b.ExpectedDone)
	})

	for ri := range in.requests {
		r := &in.requests[ri]
		left := r.Units - allocated[ri]
		if left <= 0 {
			continue
		}
		u := Unallocated{RequestID: r.ID, Units: left}
		u.Cause, u.Detail = cause(in, el, pairs, byReq, ri, spare)
		res.Unallocated = append(res.Unallocated, u)
	}
	res.Stats = stats(in, res)
	return res
}

// cause explains why a request's remaining units have no job.
func cause(in *instance, el *eligibility, pairs []pair, byReq [][2]int, ri int, spare func(p, r int) bool) (Cause, string) {
	r := &in.requests[ri]
	vi := in.reqVer[ri]
	v := &in.versions[vi]
	switch {
	case r.NotAcceptable != "":
		return VersionNotAcceptable, r.NotAcceptable
	case !el.anyFit[vi]:
		return NoFittingPrinter, fmt.Sprintf("no printer's build volume holds the part (%s, %.0f mm tall)", footprint(v), v.HeightMM)
	case !el.anyMat[vi]:
		return WrongMaterial, fmt.Sprintf("printers that fit the part do not print %s", v.Material)
	case byReq[ri][0] == byReq[ri][1]:
		return NoCapacity, fmt.Sprintf("every printer that can print it is fully booked for the next %d days", in.s.horizon)
	}
	n := byReq[ri][1] - byReq[ri][0]
	for k := byReq[ri][0]; k < byReq[ri][1]; k++ {
		if spare(pairs[k].prn, ri) {
			late := "late jobs are not allowed"
			if in.s.maxLate > 0 {
				late = fmt.Sprintf("even %d days late", in.s.maxLate)
			}
			return NoCapacityBeforeDeadline, fmt.Sprintf("the %d nearest eligible printers (up to %.0f km) have no free time early enough to deliver by %s (%s); they do have time later",
				n, pairs[byReq[ri][1]-1].km, r.NeededBy.Format("2 Jan"), late)
		}
	}
	return NoCapacity, fmt.Sprintf("the %d nearest eligible printers (up to %.0f km) are fully planned for the next %d days",
		n, pairs[byReq[ri][1]-1].km, in.s.horizon)
}

func footprint(v *Version) string {
	if len(v.Footprints) == 0 {
		return "no footprint"
	}
	best := v.Footprints[0]
	for _, f := range v.Footprints[1:] {
		if f[0]*f[1] < best[0]*best[1] {
			best = f
		}
	}
	return fmt.Sprintf("%.0f × %.0f mm at best", best[0], best[1])
}

// reason says in one sentence why the job went to its printer.
func reason(in *instance, pr *pair, a *alloc, nCand int, j *Job) string {
	p := &in.printers[pr.prn]
	perDay := float64(p.MinutesPerDay) / in.unitMin[in.reqVer[pr.req]]
	which := "nearest eligible printer"
	if pr.rank > 1 {
		which = fmt.Sprintf("%s nearest eligible printer", ordinal(pr.rank))
	}
	if j.OnTime {
		s := fmt.Sprintf("%s (%.0f km) with time before %s, %.1f units/day", which, pr.km, j.DueBy.Format("2 Jan"), perDay)
		if pr.rank > 1 {
			s += "; the nearer ones are planned for other work by then"
		}
		return s
	}
	return fmt.Sprintf("late by %.1f days: none of the %d nearest eligible printers can deliver in time; %s (%.0f km) ends %s, %.1f units/day",
		j.LatenessDays, nCand, which, pr.km, j.ExpectedDone.Format("2 Jan"), perDay)
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

func stats(in *instance, res *Result) Stats {
	var st Stats
	weight := make(map[int64]int64, len(in.requests))
	for _, r := range in.requests {
		st.UnitsRequested += r.Units
		weight[r.ID] = r.Priority.Weight()
	}
	for _, j := range res.Jobs {
		st.Jobs++
		st.UnitsAllocated += j.Units
		if j.OnTime {
			st.UnitsOnTime += j.Units
			st.WeightedOnTime += weight[j.RequestID] * int64(j.Units)
		} else {
			st.UnitsLate += j.Units
			st.LateUnitDays += float64(j.Units) * j.LatenessDays
		}
		st.TotalKM += j.DistanceKM
		st.UnitKM += float64(j.Units) * j.DistanceKM
	}
	for _, u := range res.Unallocated {
		st.UnitsUnallocated += u.Units
	}
	st.TotalKM = math.Round(st.TotalKM*10) / 10
	st.UnitKM = math.Round(st.UnitKM*10) / 10
	return st
}

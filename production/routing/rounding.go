package routing

import (
	"cmp"
	"math"
	"slices"
)

// slackTolerance absorbs float rounding when whole units are checked
// against a printer's time: a unit that fits exactly fits.
const slackTolerance = 1e-6

// ledger follows, while flows are rounded to whole units, each printer's
// time not yet booked before each of its bucket boundaries. Work booked by
// day e counts against every boundary from e on, so it fits if the slack at
// e and at every later boundary holds it; the layout of finish then meets
// every job's day (docs/routing.md, "From minutes to whole units").
type ledger struct {
	bounds map[int][]int32
	slack  map[int][]float64
}

func newLedger(in *instance, bounds map[int][]int32) *ledger {
	l := &ledger{bounds: bounds, slack: make(map[int][]float64, len(bounds))}
	for p, b := range bounds {
		sl := make([]float64, len(b))
		for j, e := range b {
			sl[j] = float64(in.freeBefore(p, int(e)))
		}
		l.slack[p] = sl
	}
	return l
}

// room is how many minutes printer p can still take for work due by day
// bound (a boundary of p).
func (l *ledger) room(p, bound int) float64 {
	j, _ := slices.BinarySearch(l.bounds[p], int32(bound))
	r := math.Inf(1)
	for _, x := range l.slack[p][j:] {
		r = min(r, x)
	}
	return r
}

func (l *ledger) book(p, bound int, minutes float64) {
	j, _ := slices.BinarySearch(l.bounds[p], int32(bound))
	sl := l.slack[p]
	for i := j; i < len(sl); i++ {
		sl[i] -= minutes
	}
}

// unused is what each printer has left unbooked in the horizon (its last
// boundary).
func (l *ledger) unused() map[int]float64 {
	out := make(map[int]float64, len(l.slack))
	for p, sl := range l.slack {
		out[p] = sl[len(sl)-1]
	}
	return out
}

// slot is a request's allocation on one pair while rounding: local is the
// pair's index in the model, frac what its flow holds beyond whole units.
type slot struct {
	alloc
	local int
	frac  float64
}

// allocations turns minute flows into whole units and returns them with the
// minutes each printer has left unbooked in the horizon.
//
// Each on-time or late flow of a pair first gets the whole units it holds.
// A request is then due its served minutes over the minutes per unit,
// rounded to the nearest whole unit (never more than asked); the units
// still missing go to its flows with the largest fractions (on-time flows
// and nearer printers first on ties), higher priorities first, but only
// where the printer still has the time before that flow's day: rounding
// never overbooks a printer.
//
// The fractions a request's flows leave on saturated printers can add up to
// units that none of those printers can book (two printers half a unit
// short each), and the flow has no reason to send such a unit elsewhere:
// it is already served, in minutes. So a second pass, once every request
// has rounded, books each request's units still unallocated wherever its
// candidates have whole units of time left (repair): a unit is never left
// out while one of its candidates could print it within MaxLateDays.
func (m *model) allocations(flow []int64) ([]alloc, map[int]float64) {
	in := m.in
	origin := m.lateOrigins(flow)
	l := newLedger(in, m.bounds)
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
			l.book(m.pairs[ss[i].local].prn, ss[i].bound, float64(ss[i].units)*um)
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
	for _, ri := range order {
		um := in.unitMin[in.reqVer[ri]]
		ss := slots[ri]
		for i := 0; i < len(ss) && want[ri] > 0; i++ {
			p, b := m.pairs[ss[i].local].prn, ss[i].bound
			if ss[i].frac > 1e-9 && l.room(p, b) >= um-slackTolerance {
				l.book(p, b, um)
				ss[i].units++
				want[ri]--
			}
		}
	}
	var out []alloc
	for _, ri := range order {
		left := in.requests[ri].Units
		for _, s := range slots[ri] {
			left -= s.units
		}
		if left > 0 {
			slots[ri] = m.repair(ri, left, slots[ri], l)
		}
		for _, s := range slots[ri] {
			if s.units > 0 {
				out = append(out, s.alloc)
			}
		}
	}
	return out, l.unused()
}

// repair books up to left more units of request ri where its candidates
// still have whole units of time, in the order of the objective's tiers:
// on time first, at the nearest printer that has the time before its cut
// day; then late, least late first (the earliest boundary after the cut,
// within MaxLateDays), nearest first on ties. It takes only time the
// rounded plan leaves free, so no unit already booked moves or becomes late.
func (m *model) repair(ri, left int, ss []slot, l *ledger) []slot {
	in := m.in
	um := in.unitMin[in.reqVer[ri]]
	lo, hi := m.byReq[ri][0], m.byReq[ri][1]
	take := func(k, bound int, late bool) {
		p := m.pairs[k].prn
		n := min(left, int(math.Floor((l.room(p, bound)+slackTolerance)/um)))
		if n <= 0 {
			return
		}
		l.book(p, bound, float64(n)*um)
		left -= n
		for i := range ss {
			if s := &ss[i]; s.local == k && s.bound == bound && s.late == late {
				s.units += n
				return
			}
		}
		ss = append(ss, slot{alloc: alloc{m.pairs[k].gi, n, bound, late}, local: k})
	}
	for k := lo; k < hi && left > 0; k++ {
		if c := m.pairs[k].cut; c >= 1 {
			take(k, c, false)
		}
	}
	if left == 0 || in.s.maxLate <= 0 {
		return ss
	}
	// Late options: every boundary of a candidate's printer after its cut
	// and within MaxLateDays of it (the cut+MaxLateDays of each pair is a
	// boundary, or the horizon is).
	type option struct{ k, bound, late int }
	var opts []option
	for k := lo; k < hi; k++ {
		pr := &m.pairs[k]
		if pr.cut >= in.s.horizon {
			continue
		}
		for _, e := range m.bounds[pr.prn] {
			if d := int(e) - pr.cut; d > 0 && d <= in.s.maxLate {
				opts = append(opts, option{k, int(e), d})
			}
		}
	}
	slices.SortFunc(opts, func(a, b option) int {
		if c := cmp.Compare(a.late, b.late); c != 0 {
			return c
		}
		return cmp.Compare(a.k, b.k)
	})
	for _, o := range opts {
		if left == 0 {
			break
		}
		take(o.k, o.bound, true)
	}
	return ss
}

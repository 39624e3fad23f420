package routing

import (
	"slices"

	"github.com/makerhub/makerhub/production/mcf"
)

// Arc roles in the model (docs/routing.md, "The network").
const (
	arcChain  uint8 = iota // B_j → B_j+1: unused time carried to later days
	arcToLate              // B_j → L_j: time of days < e_j offered to late work
	arcLateUp              // L_j+1 → L_j: later time used for an earlier deadline
	arcOnTime              // B_cut → R: printed by the pair's cut day
	arcLate                // L_attach → R: printed late, within MaxLateDays
	arcUnmet               // U → R: not printed at all
	arcSpill               // B_last → S: time left unused
	arcMirror              // U → S: balances what a printer gave a request
)

// model is the flow network of one region with one cost vector per
// objective tier: t1 (priority-weighted units not on time), t2 (lateness)
// and t3 (distance). Flow is in print minutes. t1 and t3 are rates per
// minute (weight/minutes per unit, km/minutes per unit) scaled to integers
// once the magnitudes are known; t2 is already an integer (half-days per
// minute).
type model struct {
	in    *instance
	pairs []pair // the region's, grouped by request; pair.gi is the run's index
	reqs  []int  // the region's requests
	byReq map[int][2]int

	supply []int64
	from   []int32
	to     []int32
	cap    []int64
	role   []uint8
	owner  []int32   // local pair (on-time, late, mirror), request (unmet) or printer (others)
	rate1  []float64 // t1 per minute before scaling
	rate3  []float64 // t3 per minute before scaling
	t2     []int64

	reqNode map[int]int32 // request → node
	onArc   []int32       // local pair → on-time arc or -1
	lateArc []int32       // local pair → late arc or -1

	// Per printer of the region: its bucket boundaries (days) and where
	// its nodes and chain arcs start. B_j = bNode+j, L_j = lNode+j (lNode
	// -1: no late chain), B_j→L_j = toLate+j.
	bounds map[int][]int32
	bNode  map[int]int32
	lNode  map[int]int32
	toLate map[int]int32
	spill  map[int]int32 // printer → its spill arc
}

// buildModel lays out the network of docs/routing.md for the given pairs,
// which must be grouped by request.
func buildModel(in *instance, pairs []pair) *model {
	s := &in.s
	m := &model{in: in, pairs: pairs, byReq: map[int][2]int{}, reqNode: map[int]int32{},
		onArc: make([]int32, len(pairs)), lateArc: make([]int32, len(pairs)),
		bounds: map[int][]int32{}, bNode: map[int]int32{}, lNode: map[int]int32{},
		toLate: map[int]int32{}, spill: map[int]int32{}}
	lateOK := s.maxLate > 0
	L := max(s.maxLate, 0)
	H := s.horizon

	// Boundaries per printer: the horizon, each pair's cut day (on-time
	// arcs) and cut+MaxLateDays (so that late work may use every day it is
	// allowed to), within (0, H).
	var prns []int
	for k, pr := range pairs {
		if k == 0 || pairs[k-1].req != pr.req {
			m.reqs = append(m.reqs, pr.req)
			m.byReq[pr.req] = [2]int{k, k}
		}
		r := m.byReq[pr.req]
		m.byReq[pr.req] = [2]int{r[0], k + 1}
		b, seen := m.bounds[pr.prn]
		if !seen {
			prns = append(prns, pr.prn)
		}
		if pr.cut >= 1 && pr.cut < H {
			b = append(b, int32(pr.cut))
		}
		if lateOK && pr.cut < H && pr.cut+L >= 1 && pr.cut+L < H {
			b = append(b, int32(pr.cut+L))
		}
		m.bounds[pr.prn] = append(b, int32(H))
	}
	slices.Sort(prns)

	// Nodes: per request R (demand) and U (its demand again, as supply:
	// what printers do not serve leaves U through the unmet arc); per
	// printer its buckets B, its late chain L and a sink S taking all its
	// time. U→S mirror arcs let U's supply reach the sinks in place of the
	// time printers gave to requests. This avoids one hub node joined to
	// every request and printer, which makes the simplex move huge
	// subtrees (docs/routing.md, "The network").
	uNode := map[int]int32{}
	for _, ri := range m.reqs {
		m.reqNode[ri] = m.addNode(-in.demand[ri])
		uNode[ri] = m.addNode(in.demand[ri])
	}
	sNode := map[int]int32{}
	for _, p := range prns {
		b := m.bounds[p]
		slices.Sort(b)
		b = slices.Compact(b)
		m.bounds[p] = b
		m.bNode[p] = int32(len(m.supply))
		prev := int64(0)
		for _, e := range b {
			f := in.freeBefore(p, int(e))
			m.addNode(f - prev)
			prev = f
		}
		sNode[p] = m.addNode(-prev)
		m.lNode[p] = -1
	}
	for _, pr := range pairs {
		if m.lateAttach(pr.prn, &pr) >= 0 && m.lNode[pr.prn] < 0 {
			m.lNode[pr.prn] = int32(len(m.supply))
			for range m.bounds[pr.prn] {
				m.addNode(0)
			}
		}
	}
	for _, p := range prns {
		b, bn, ln := m.bounds[p], m.bNode[p], m.lNode[p]
		K := int32(len(b))
		for j := int32(0); j+1 < K; j++ {
			m.addArc(bn+j, bn+j+1, mcf.Infinite, arcChain, int32(p), 0, 0, 0)
		}
		m.spill[p] = m.addArc(bn+K-1, sNode[p], mcf.Infinite, arcSpill, int32(p), 0, 0, 0)
		if ln >= 0 {
			m.toLate[p] = int32(len(m.from))
			for j := int32(0); j < K; j++ {
				m.addArc(bn+j, ln+j, mcf.Infinite, arcToLate, int32(p), 0, 0, 0)
			}
			for j := int32(0); j+1 < K; j++ {
				m.addArc(ln+j+1, ln+j, mcf.Infinite, arcLateUp, int32(p), 0, 2*int64(b[j+1]-b[j]), 0)
			}
		}
	}

	for k := range pairs {
		pr := &pairs[k]
		ri, p := pr.req, pr.prn
		um := in.unitMin[in.reqVer[ri]]
		w := float64(in.requests[ri].Priority.Weight())
		d := in.demand[ri]
		m.onArc[k], m.lateArc[k] = -1, -1
		r3 := pr.km / um
		if pr.cut >= 1 {
			j, _ := slices.BinarySearch(m.bounds[p], int32(pr.cut))
			m.onArc[k] = m.addArc(m.bNode[p]+int32(j), m.reqNode[ri], d, arcOnTime, int32(k), 0, 0, r3)
		}
		if j := m.lateAttach(p, pr); j >= 0 {
			base := 2 * int64(int(m.bounds[p][j])-pr.cut)
			m.lateArc[k] = m.addArc(m.lNode[p]+int32(j), m.reqNode[ri], d, arcLate, int32(k), w/um, base, r3)
		}
		m.addArc(uNode[ri], sNode[p], d, arcMirror, int32(k), 0, 0, 0)
	}
	for _, ri := range m.reqs {
		um := in.unitMin[in.reqVer[ri]]
		w := float64(in.requests[ri].Priority.Weight())
		m.addArc(uNode[ri], m.reqNode[ri], in.demand[ri], arcUnmet, int32(ri), w/um, int64(2*L+1), 0)
	}
	return m
}

func (m *model) addNode(supply int64) int32 {
	m.supply = append(m.supply, supply)
	return int32(len(m.supply) - 1)
}

// lateAttach is the index of the boundary of printer p where the pair's late
// arc leaves the late chain, or -1 if the pair has no late arc: its cut day
// when that is a boundary, else the first boundary, as long as that is at
// most MaxLateDays after the cut.
func (m *model) lateAttach(p int, pr *pair) int {
	s := &m.in.s
	if s.maxLate <= 0 || pr.cut >= s.horizon {
		return -1
	}
	b := m.bounds[p]
	if pr.cut >= 1 {
		j, _ := slices.BinarySearch(b, int32(pr.cut))
		return j
	}
	if int(b[0])-pr.cut > s.maxLate {
		return -1
	}
	return 0
}

func (m *model) addArc(from, to int32, capacity int64, role uint8, owner int32, r1 float64, t2 int64, r3 float64) int32 {
	m.from = append(m.from, from)
	m.to = append(m.to, to)
	m.cap = append(m.cap, capacity)
	m.role = append(m.role, role)
	m.owner = append(m.owner, owner)
	m.rate1 = append(m.rate1, r1)
	m.t2 = append(m.t2, t2)
	m.rate3 = append(m.rate3, r3)
	return int32(len(m.from) - 1)
}

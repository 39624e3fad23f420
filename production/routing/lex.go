package routing

import (
	"fmt"
	"math"
	"time"

	"github.com/makerhub/makerhub/production/mcf"
)

// Bounds that keep mcf's int64 arithmetic exact, with a factor of two to
// spare over its own limits (2^59 on path costs, 2^63 on the total) so that
// the float64 estimates below cannot straddle them.
const (
	maxArcCostSum = 1 << 58 // Σ|cost| over arcs, or nodes × max|cost|
	maxTotalCost  = 1 << 61 // Σ over requests of demand × costliest path
	maxScale1     = 1 << 40 // tier-1 resolution: 2^-40 weighted units per minute
	maxScale3     = 1 << 16 // tier-3 resolution: 2^-16 unit-km per minute
)

// tiers holds the integer cost vectors of the three objective tiers and,
// per tier, a bound on its value over every feasible flow.
type tiers struct {
	t      [3][]int64
	bound  [3]float64 // Σ_r demand_r × costliest path into r
	scale1 float64
	scale3 float64
}

// makeTiers scales t1 and t3 to integers, each as finely as int64 allows on
// its own (tier 2 is integral already).
func (m *model) makeTiers() (*tiers, error) {
	tr := &tiers{}
	tr.t[1] = m.t2
	tr.bound[1] = m.pathBound(func(a int) float64 { return float64(m.t2[a]) }, true)
	var ok bool
	if tr.t[0], tr.scale1, tr.bound[0], ok = m.scaleRate(m.rate1, maxScale1); !ok {
		return nil, fmt.Errorf("routing: the instance is too large for exact integer costs (tier 1); split the run")
	}
	if tr.t[2], tr.scale3, tr.bound[2], ok = m.scaleRate(m.rate3, maxScale3); !ok {
		return nil, fmt.Errorf("routing: the instance is too large for exact integer costs (tier 3); split the run")
	}
	return tr, nil
}

// scaleRate finds the largest power-of-two scale, at most top, at which the
// rounded rates fit the solver's bounds alone.
func (m *model) scaleRate(rate []float64, top float64) ([]int64, float64, float64, bool) {
	maxRate, sumRate := 0.0, 0.0
	for _, r := range rate {
		maxRate = max(maxRate, r)
		sumRate += r
	}
	pathRate := m.pathBound(func(a int) float64 { return rate[a] }, false)
	n := float64(len(m.supply))
	for s := top; s >= 1; s /= 2 {
		// Rounding adds at most ½ per arc and per minute.
		maxC, sumC := maxRate*s+0.5, sumRate*s+0.5*float64(len(rate))
		total := pathRate*s + 0.5*float64(m.totalDemand())*3
		if maxC < maxArcCostSum && (sumC < maxArcCostSum || n*maxC < maxArcCostSum) && total < maxTotalCost {
			t := make([]int64, len(rate))
			for a, r := range rate {
				t[a] = int64(math.Round(r * s))
			}
			return t, s, m.pathBound(func(a int) float64 { return float64(t[a]) }, false), true
		}
	}
	return nil, 0, 0, false
}

func (m *model) totalDemand() int64 {
	var d int64
	for _, ri := range m.reqs {
		d += m.in.demand[ri]
	}
	return d
}

// pathBound bounds a tier's value over all feasible flows; chain says the
// tier prices the late chain (tier 2). The network is
// acyclic and every path into request r ends with one of r's arcs; paths
// that end at Z carry unused time and cost nothing in any tier. So the value
// is at most Σ_r demand_r × (the costliest path into r). Only late paths run
// through more than one costed arc (the late chain, in tier 2), and their
// costliest start is the top of the chain.
func (m *model) pathBound(cost func(a int) float64, chain bool) float64 {
	worst := make([]float64, len(m.in.requests))
	for a, role := range m.role {
		var ri int
		switch role {
		case arcOnTime, arcLate:
			ri = m.pairs[m.owner[a]].req
		case arcUnmet:
			ri = int(m.owner[a])
		default:
			continue
		}
		c := cost(a)
		if role == arcLate && chain {
			p := m.pairs[m.owner[a]].prn
			b := m.bounds[p]
			j := int(m.from[a] - m.lNode[p])
			c += 2 * float64(b[len(b)-1]-b[j])
		}
		worst[ri] = max(worst[ri], c)
	}
	total := 0.0
	for ri, w := range worst {
		total += w * float64(m.in.demand[ri])
	}
	// Float sums of integers below 2^53 are exact; above, inflate a little
	// so that the bound stays an upper bound.
	return total*(1+1e-12) + 1
}

// phase is a set of tiers solved together, with weights that keep their
// order strict: each weight exceeds the largest value the tiers after it can
// take together.
type phase struct {
	tiers   []int
	weights []int64
}

// planPhases groups consecutive tiers into as few phases as int64 allows.
// Each phase is a full solve, so merging saves time: tier 3 (distance) may
// join tier 2 (lateness) at a coarser scale, down to minScale3, which still
// tells distances apart to a small fraction of a km per unit.
func (m *model) planPhases(tr *tiers) []phase {
	var out []phase
	cur := []int{0}
	for k := 1; k < 3; k++ {
		ks := append(append([]int(nil), cur...), k)
		if _, ok := m.weights(tr, ks); ok {
			cur = ks
			continue
		}
		if k == 2 && m.mergeScale3(tr, ks) {
			cur = ks
			continue
		}
		w, _ := m.weights(tr, cur)
		out = append(out, phase{cur, w})
		cur = []int{k}
	}
	w, _ := m.weights(tr, cur)
	return append(out, phase{cur, w})
}

// minScale3 is the coarsest tier-3 scale planPhases accepts to merge
// phases: distance is then priced in steps of at most 1/16 km per minute
// of printing, under 20 km per unit for the longest (300-minute) parts and
// about 1 km for 20-minute ones.
const minScale3 = 16

// mergeScale3 looks for the finest tier-3 scale at which tiers ks (ending
// with tier 3) fit one phase, and adopts it.
func (m *model) mergeScale3(tr *tiers, ks []int) bool {
	saved, savedScale, savedBound := tr.t[2], tr.scale3, tr.bound[2]
	for s := tr.scale3 / 2; s >= minScale3; s /= 2 {
		t := make([]int64, len(m.rate3))
		for a, r := range m.rate3 {
			t[a] = int64(math.Round(r * s))
		}
		tr.t[2], tr.scale3 = t, s
		tr.bound[2] = m.pathBound(func(a int) float64 { return float64(t[a]) }, false)
		if _, ok := m.weights(tr, ks); ok {
			return true
		}
	}
	tr.t[2], tr.scale3, tr.bound[2] = saved, savedScale, savedBound
	return false
}

// weights returns the strict lexicographic weights for the given tiers, and
// whether the combined costs fit the solver's bounds.
func (m *model) weights(tr *tiers, ks []int) ([]int64, bool) {
	w := make([]float64, len(ks))
	w[len(ks)-1] = 1
	for i := len(ks) - 2; i >= 0; i-- {
		w[i] = 1
		for j := i + 1; j < len(ks); j++ {
			w[i] += w[j] * tr.bound[ks[j]]
		}
	}
	total, maxC, sumC := 0.0, 0.0, 0.0
	for i, k := range ks {
		total += w[i] * tr.bound[k]
	}
	for a := range m.from {
		c := 0.0
		for i, k := range ks {
			c += w[i] * float64(tr.t[k][a])
		}
		maxC = max(maxC, c)
		sumC += c
	}
	n := float64(len(m.supply))
	if !(total < maxTotalCost && maxC < maxArcCostSum && (sumC < maxArcCostSum || n*maxC < maxArcCostSum)) {
		return nil, false
	}
	out := make([]int64, len(ks))
	for i := range w {
		// The bounds already carry a margin for float rounding, so the
		// rounded-up weight still exceeds what the later tiers can reach.
		out[i] = int64(math.Ceil(w[i] * (1 + 1e-12)))
		if i == len(w)-1 {
			out[i] = 1
		}
	}
	return out, true
}

// solveLex finds a flow that is optimal for tier 1, then the best for tier 2
// among those, then for tier 3. Between phases it keeps only the optimal
// face: with the solver's duals π, an arc of positive reduced cost carries
// no flow in any optimal solution and one of negative reduced cost is full in
// all of them (complementary slackness), so the former are dropped and the
// latter fixed at capacity before the next phase.
func (m *model) solveLex(tr *tiers, phases []phase, st *Stats) ([]int64, error) {
	nArcs := len(m.from)
	flow := make([]int64, nArcs)
	alive := make([]bool, nArcs)
	for a := range alive {
		alive[a] = true
	}
	supply := append([]int64(nil), m.supply...)
	ids := make([]int, 0, nArcs)
	for pi, ph := range phases {
		cost := func(a int) int64 {
			var c int64
			for i, k := range ph.tiers {
				c += ph.weights[i] * tr.t[k][a]
			}
			return c
		}
		g := mcf.New(len(supply), nArcs)
		for u, b := range supply {
			g.SetSupply(u, b)
		}
		ids = ids[:0]
		for a := 0; a < nArcs; a++ {
			if alive[a] {
				g.AddArc(int(m.from[a]), int(m.to[a]), m.cap[a], cost(a))
				ids = append(ids, a)
			}
		}
		t0 := time.Now()
		sol, err := g.Solve()
		st.SolverElapsed += time.Since(t0)
		if err != nil {
			return nil, fmt.Errorf("routing: phase %d of %d: %w", pi+1, len(phases), err)
		}
		st.Pivots += sol.Pivots()
		if st.Arcs == 0 {
			st.Nodes, st.Arcs = g.NumNodes(), g.NumArcs()
		}
		st.Phases++
		last := pi == len(phases)-1
		for i, a := range ids {
			flow[a] = sol.Flow(i)
			if last {
				continue
			}
			from, to := int(m.from[a]), int(m.to[a])
			rc := cost(a) - sol.Potential(from) + sol.Potential(to)
			switch {
			case rc > 0:
				alive[a] = false
			case rc < 0:
				if m.cap[a] >= mcf.Infinite {
					return nil, fmt.Errorf("routing: phase %d: an uncapacitated arc has negative reduced cost", pi+1)
				}
				alive[a] = false
				supply[from] -= m.cap[a]
				supply[to] += m.cap[a]
			}
		}
	}
	return flow, nil
}

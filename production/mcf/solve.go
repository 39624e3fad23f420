package mcf

import (
	"fmt"
	"math"
	"math/big"
)

// Solution is an optimal flow with its cost and a dual certificate.
type Solution struct {
	flow   []int64 // by arc index, as added
	pot    []int64 // by node index
	cost   int64
	pivots int
}

// Flow returns the flow on an arc (index as returned by AddArc). It panics
// if arc is out of range, like a slice index.
func (s *Solution) Flow(arc int) int64 { return s.flow[arc] }

// Flows returns the flow on every arc, indexed like AddArc's results. The
// slice is shared with the Solution; do not modify it.
func (s *Solution) Flows() []int64 { return s.flow }

// Cost returns the total cost Σ flow·cost. Solve has already checked that it
// fits an int64 exactly (it returns ErrOverflow otherwise), so this is never
// a wrapped-around value.
func (s *Solution) Cost() int64 { return s.cost }

// Potential returns node's dual value π, so that the reduced cost of an arc
// i→j is c_ij − π_i + π_j. It is the LP dual of node i's conservation row
// (outflow − inflow = supply), so π_i − π_j is the marginal cost of one more
// unit of supply at i matched by one more unit of demand at j (while the
// optimal basis stays the same). Optimality certificate: every arc with reduced cost < 0
// carries its full capacity and every arc with reduced cost > 0 carries no
// flow. Potentials are defined up to a constant per connected component; only
// differences carry meaning. They lie within ±2^61.
func (s *Solution) Potential(node int) int64 { return s.pot[node] }

// Pivots returns the number of simplex pivots Solve made, for benchmarks and
// diagnostics.
func (s *Solution) Pivots() int { return s.pivots }

// Solve finds a flow that meets every supply and demand exactly at minimum
// total cost.
//
// Errors (test with errors.Is): ErrInvalid for bad calls while building the
// graph (the message names the first), ErrInfeasible when the supplies do not
// sum to zero or cannot be routed, ErrUnbounded when the problem is feasible
// and a negative-cost cycle of Infinite-capacity arcs exists, and ErrOverflow
// when the numbers exceed the bounds in the package documentation.
func (g *Graph) Solve() (*Solution, error) {
	if err := g.inputError(); err != nil {
		return nil, err
	}
	if err := g.checkBounds(); err != nil {
		return nil, err
	}
	n, m := len(g.supply), len(g.from)
	if n == 0 {
		return &Solution{}, nil
	}

	s := newSimplex(g, false)
	switch s.run() {
	case infeasible:
		return nil, fmt.Errorf("%w: the arcs cannot carry the supplies to the demands (some cut has too little capacity)", ErrInfeasible)
	case unbounded:
		// A negative cycle of uncapacitated arcs only means "unbounded" if
		// some feasible flow exists; check with all costs zero, where
		// there are no negative cycles.
		if newSimplex(g, true).run() == infeasible {
			return nil, fmt.Errorf("%w: the arcs cannot carry the supplies to the demands (some cut has too little capacity)", ErrInfeasible)
		}
		return nil, fmt.Errorf("%w: a cycle of negative cost uses only arcs of Infinite capacity", ErrUnbounded)
	}

	sol := &Solution{flow: make([]int64, m), pivots: s.pivots}
	interleave(m, n, func(a, i int) { sol.flow[a] = s.flow[i] })
	sol.pot = s.potentials()
	cost, ok := totalCost(sol.flow, g.cost)
	if !ok {
		return nil, fmt.Errorf("%w: the total cost of the optimal flow does not fit in an int64", ErrOverflow)
	}
	sol.cost = cost
	return sol, nil
}

// checkBounds checks the balance of supplies and the bounds that keep the
// solver's int64 arithmetic exact: every flow is at most the total positive
// supply plus the sum of finite capacities, which must stay below Infinite,
// and every potential is at most the cost of a path, which must stay below
// maxPathCost.
func (g *Graph) checkBounds() error {
	var pos, neg int64 // each stays ≤ Infinite, so sums cannot overflow
	for u, b := range g.supply {
		if b > 0 {
			pos += b
		} else {
			neg -= b
		}
		if pos >= Infinite || neg >= Infinite {
			return fmt.Errorf("%w: total supply or demand reaches %d at node %d", ErrOverflow, Infinite, u)
		}
	}
	if pos != neg {
		return fmt.Errorf("%w: supplies sum to %d, not 0 (supply %d, demand %d)", ErrInfeasible, pos-neg, pos, neg)
	}

	flowBound := pos
	var sumCost, maxCost int64
	for a, c := range g.capacity {
		if c < Infinite {
			if flowBound += c; flowBound >= Infinite {
				return fmt.Errorf("%w: total supply plus finite capacities reaches %d at arc %d; use Infinite for uncapacitated arcs", ErrOverflow, Infinite, a)
			}
		}
		k := g.cost[a]
		if k <= -maxPathCost || k >= maxPathCost {
			return fmt.Errorf("%w: arc %d has cost %d, beyond ±2^59", ErrOverflow, a, k)
		}
		k = max(k, -k)
		maxCost = max(maxCost, k)
		if sumCost < maxPathCost {
			sumCost += k // both < 2^59, cannot overflow
		}
	}
	// A tree path has at most n real arcs, each used once.
	if sumCost >= maxPathCost && maxCost > 0 && int64(len(g.supply)) > (maxPathCost-1)/maxCost {
		return fmt.Errorf("%w: path costs can reach 2^59 (%d nodes, largest |cost| %d)", ErrOverflow, len(g.supply), maxCost)
	}
	return nil
}

// potentials turns the packed potentials into plain numbers. A packed
// potential is a·M + c with a ∈ {0, 1}. The optimal tree is optimal for
// every large enough M, and the smallest such M is the largest real
// reduced cost an arc needs to overcome, so substituting it gives ordinary
// integer duals that certify the flow (complementary slackness) with no
// symbolic part left. Signs follow Solution.Potential: π = −pi.
func (s *simplex) potentials() []int64 {
	n := s.n
	a := make([]int8, n)
	c := make([]int64, n)
	for u := 0; u < n; u++ {
		p := s.pi[u]
		if p >= artCost/2 {
			a[u], p = 1, p-artCost
		}
		c[u] = p
	}
	var bigM int64
	for e := 0; e < s.m; e++ {
		st := s.state[e]
		if st == stateTree {
			continue
		}
		i, j := s.source[e], s.target[e]
		ra := a[i] - a[j]
		rc := s.cost[e] + c[i] - c[j]
		// At an optimum a lower arc has (ra, rc) ≥ 0 and an upper arc
		// ≤ 0 lexicographically; only ra ≠ 0 arcs constrain M.
		if st == stateLower && ra > 0 {
			bigM = max(bigM, -rc)
		} else if st == stateUpper && ra < 0 {
			bigM = max(bigM, rc)
		}
	}
	pot := make([]int64, n)
	for u := range pot {
		pot[u] = -(c[u] + int64(a[u])*bigM)
	}
	return pot
}

// totalCost returns Σ flow·cost exactly, or false if it does not fit in an
// int64. The fast path sums with int64 wrap-around and checks the magnitude
// in float64: if Σ|flow·cost| is safely below 2^63, wrap-around never
// happened in the net result. Only huge inputs take the math/big path.
func totalCost(flow, cost []int64) (int64, bool) {
	var sum int64
	var mag float64
	for a, f := range flow {
		if f == 0 {
			continue
		}
		sum += f * cost[a]
		mag += math.Abs(float64(f) * float64(cost[a]))
	}
	if mag < 1<<62 {
		return sum, true
	}
	var acc, t big.Int
	for a, f := range flow {
		if f != 0 {
			acc.Add(&acc, t.Mul(big.NewInt(f), big.NewInt(cost[a])))
		}
	}
	if !acc.IsInt64() {
		return 0, false
	}
	return acc.Int64(), true
}

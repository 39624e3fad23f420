package mcf

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// lpSolve solves g as a plain linear program with gonum's dense simplex, an
// oracle that knows nothing about networks:
//
//	minimise Σ c·x  s.t.  outflow − inflow = supply at each node,
//	                      x + s = capacity, x ≥ 0, s ≥ 0.
//
// lp.Simplex wants A of full row rank, and node rows are dependent (each
// connected component's rows sum to zero), so one row per component is
// dropped; that is only sound if the component's supplies sum to zero, which
// is checked first (an unbalanced component is infeasible outright). g must
// have finite capacities. It returns the optimal cost, or ok=false if the LP
// is infeasible; byLP tells whether lp.Simplex gave that verdict (rather
// than the component balance check).
func lpSolve(t *testing.T, g *Graph) (cost float64, ok, byLP bool) {
	t.Helper()
	n, m := g.NumNodes(), g.NumArcs()

	// Components over arcs that are not self-loops (a self-loop's column
	// is zero in every node row).
	comp := make([]int, n)
	for u := range comp {
		comp[u] = u
	}
	var find func(int) int
	find = func(u int) int {
		if comp[u] != u {
			comp[u] = find(comp[u])
		}
		return comp[u]
	}
	for a := 0; a < m; a++ {
		if u, v := find(int(g.from[a])), find(int(g.to[a])); u != v {
			comp[max(u, v)] = min(u, v) // the smallest node ends up as the root
		}
	}
	sum := make([]int64, n)
	for u := 0; u < n; u++ {
		sum[find(u)] += g.supply[u]
	}
	var rows []int // nodes whose conservation row is kept
	for u := 0; u < n; u++ {
		if sum[u] != 0 {
			return 0, false, false // find(u) == u here: an unbalanced component
		}
		if find(u) != u {
			rows = append(rows, u)
		}
	}
	if m == 0 {
		return 0, true, false
	}

	nr := len(rows) + m
	A := mat.NewDense(nr, 2*m, nil)
	b := make([]float64, nr)
	c := make([]float64, 2*m)
	rowOf := make([]int, n)
	for i := range rowOf {
		rowOf[i] = -1
	}
	for i, u := range rows {
		rowOf[u] = i
		b[i] = float64(g.supply[u])
	}
	for a := 0; a < m; a++ {
		c[a] = float64(g.cost[a])
		if from, to := int(g.from[a]), int(g.to[a]); from != to {
			if r := rowOf[from]; r >= 0 {
				A.Set(r, a, 1)
			}
			if r := rowOf[to]; r >= 0 {
				A.Set(r, a, -1)
			}
		}
		A.Set(len(rows)+a, a, 1)
		A.Set(len(rows)+a, m+a, 1)
		b[len(rows)+a] = float64(g.capacity[a])
	}
	for i := range b { // keep b ≥ 0 for phase 1
		if b[i] < 0 {
			b[i] = -b[i]
			for j := 0; j < 2*m; j++ {
				A.Set(i, j, -A.At(i, j))
			}
		}
	}
	f, _, err := lp.Simplex(c, A, b, 1e-10, nil)
	switch {
	case errors.Is(err, lp.ErrInfeasible):
		return 0, false, true
	case err != nil:
		t.Fatalf("lp.Simplex: %v", err)
	}
	return f, true, true
}

// TestAgainstLP is the differential test: hundreds of seeded random small
// problems, solved by the network simplex and by gonum's LP simplex, must
// agree on feasibility and on the optimal cost (the LP optimum of a network
// problem with integer data is an integer, so the float answer is rounded
// after checking it is within 1e-6 of an integer). Every successful Solve is
// also checked for conservation, bounds and complementary slackness.
func TestAgainstLP(t *testing.T) {
	const instances = 600
	var nFeasible, nInfeasible, nByLP int
	for seed := int64(1); seed <= instances; seed++ {
		n := 3 + int(seed%10)
		m := int((seed * 7919) % 41)
		// Every third instance gets a finite ring that makes it feasible,
		// so both verdicts are well represented.
		o := randomOptions{maxCap: 20, minCost: -10, maxCost: 30, ring: seed%3 == 0, ringCap: 200}
		g := randomGraph(seed, n, m, o)
		sol, err := g.Solve()
		want, ok, byLP := lpSolve(t, g)
		if byLP {
			nByLP++
		}
		if !ok {
			nInfeasible++
			if !errors.Is(err, ErrInfeasible) {
				t.Fatalf("seed %d (%d nodes, %d arcs): LP infeasible, Solve error = %v", seed, n, m, err)
			}
			continue
		}
		nFeasible++
		if err != nil {
			t.Fatalf("seed %d (%d nodes, %d arcs): LP optimum %g, Solve error = %v", seed, n, m, want, err)
		}
		checkOptimal(t, g, sol)
		r := math.Round(want)
		if math.Abs(want-r) > 1e-6 {
			t.Fatalf("seed %d: LP optimum %g is not integral", seed, want)
		}
		if sol.Cost() != int64(r) {
			t.Fatalf("seed %d (%d nodes, %d arcs): Cost() = %d, LP optimum %g", seed, n, m, sol.Cost(), want)
		}
	}
	t.Logf("%d feasible, %d infeasible instances agree; lp.Simplex decided %d of them", nFeasible, nInfeasible, nByLP)
	if nFeasible < instances/4 || nInfeasible < instances/10 || nByLP-nFeasible < instances/10 {
		t.Errorf("unbalanced mix: %d feasible, %d infeasible, %d infeasible by lp.Simplex", nFeasible, nInfeasible, nByLP-nFeasible)
	}
}

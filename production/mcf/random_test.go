package mcf

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// randomOptions shapes randomGraph's instances.
type randomOptions struct {
	maxCap           int64 // capacities in [0, maxCap]
	minCost, maxCost int64 // costs in [minCost, maxCost]
	ring             bool  // add an expensive ring so every instance is feasible
	ringCap          int64 // capacity of the ring arcs; 0 means Infinite
}

// randomGraph makes a seeded random instance with n nodes, m arcs and
// balanced supplies.
func randomGraph(seed int64, n, m int, o randomOptions) *Graph {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6d6366))
	g := New(n, m+n)
	// Supplies: random amounts moved from one random node to another, so
	// they balance by construction.
	for k := 0; k < n/2+1; k++ {
		u, v := rng.IntN(n), rng.IntN(n)
		amount := rng.Int64N(o.maxCap + 1)
		g.supply[u] += amount
		g.supply[v] -= amount
	}
	for a := 0; a < m; a++ {
		g.AddArc(rng.IntN(n), rng.IntN(n), rng.Int64N(o.maxCap+1), o.minCost+rng.Int64N(o.maxCost-o.minCost+1))
	}
	if o.ring {
		for u := 0; u < n; u++ {
			c := o.ringCap
			if c == 0 {
				c = Infinite
			}
			g.AddArc(u, (u+1)%n, c, o.maxCost*int64(n))
		}
	}
	return g
}

// TestMediumAgainstSSP compares the solver with the SSP reference on a
// 2,000-node, 20,000-arc instance (and smaller ones), cost and certificate.
func TestMediumAgainstSSP(t *testing.T) {
	sizes := []struct{ n, m int }{{50, 300}, {200, 2000}, {2000, 20000}}
	for i, sz := range sizes {
		g := randomGraph(int64(100+i), sz.n, sz.m, randomOptions{maxCap: 20, minCost: -10, maxCost: 30, ring: true})
		sol, err := g.Solve()
		if err != nil {
			t.Fatalf("%d nodes: Solve: %v", sz.n, err)
		}
		checkOptimal(t, g, sol)
		refCost, _, ok := sspSolve(g)
		if !ok {
			t.Fatalf("%d nodes: reference says infeasible", sz.n)
		}
		if sol.Cost() != refCost {
			t.Fatalf("%d nodes: Cost() = %d, SSP %d", sz.n, sol.Cost(), refCost)
		}
		t.Logf("%d nodes, %d arcs: cost %d in %d pivots", sz.n, g.NumArcs(), sol.Cost(), sol.Pivots())
	}
}

// TestRandomInfeasible checks infeasibility verdicts against max flow on
// sparse instances without the feasibility ring.
func TestRandomInfeasible(t *testing.T) {
	var nInfeasible int
	for seed := int64(1); seed <= 200; seed++ {
		g := randomGraph(seed, 3+int(seed%10), int(seed%25), randomOptions{maxCap: 8, minCost: -5, maxCost: 10})
		sol, err := g.Solve()
		if feasible(g) {
			if err != nil {
				t.Fatalf("seed %d: feasible, Solve: %v", seed, err)
			}
			checkOptimal(t, g, sol)
			continue
		}
		nInfeasible++
		if !errors.Is(err, ErrInfeasible) {
			t.Fatalf("seed %d: infeasible, Solve() error = %v", seed, err)
		}
	}
	if nInfeasible < 20 {
		t.Errorf("only %d infeasible instances; the test should exercise more", nInfeasible)
	}
}

// TestAssignment runs highly degenerate problems (assignments: unit
// supplies, demands and capacities, so most pivots move no flow), where a
// leaving-arc rule that allowed cycling would show up as a hang, and checks
// them against the SSP reference.
func TestAssignment(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x61737369676e))
		k := 5 + int(seed)*3
		g := New(2*k, k*k)
		for i := range k {
			g.SetSupply(i, 1)
			g.SetSupply(k+i, -1)
			for j := range k {
				g.AddArc(i, k+j, 1, rng.Int64N(4)) // few distinct costs: many ties
			}
		}
		sol, err := g.Solve()
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		checkOptimal(t, g, sol)
		if ref, _, ok := sspSolve(g); !ok || ref != sol.Cost() {
			t.Fatalf("seed %d: Cost() = %d, SSP %d (ok %v)", seed, sol.Cost(), ref, ok)
		}
	}
}

package mcf

import (
	"math/big"
	"slices"
	"testing"
)

// checkOptimal verifies a Solution against its graph without trusting the
// solver: flows within bounds, conservation at every node, Cost equal to
// Σ flow·cost, and the dual certificate (reduced cost c − π_i + π_j < 0 only
// on saturated arcs, > 0 only on empty arcs). By LP duality those conditions
// together prove the flow is optimal, so this check is a complete oracle for
// a successful Solve.
func checkOptimal(t testing.TB, g *Graph, sol *Solution) {
	t.Helper()
	n, m := g.NumNodes(), g.NumArcs()
	if len(sol.Flows()) != m {
		t.Fatalf("solution has %d flows, graph has %d arcs", len(sol.Flows()), m)
	}
	balance := make([]int64, n)
	var cost big.Int
	var term big.Int
	for a := 0; a < m; a++ {
		f, c := sol.Flow(a), g.capacity[a]
		from, to := g.from[a], g.to[a]
		if f < 0 || f > c || (c == Infinite && f >= Infinite) {
			t.Fatalf("arc %d (%d→%d): flow %d outside [0, %d]", a, from, to, f, c)
		}
		balance[from] += f
		balance[to] -= f
		cost.Add(&cost, term.Mul(big.NewInt(f), big.NewInt(g.cost[a])))

		rc := g.cost[a] - sol.Potential(int(from)) + sol.Potential(int(to))
		if rc < 0 && f != c {
			t.Fatalf("arc %d (%d→%d): reduced cost %d < 0 but flow %d < capacity %d", a, from, to, rc, f, c)
		}
		if rc > 0 && f != 0 {
			t.Fatalf("arc %d (%d→%d): reduced cost %d > 0 but flow %d > 0", a, from, to, rc, f)
		}
	}
	for u := 0; u < n; u++ {
		if balance[u] != g.supply[u] {
			t.Fatalf("node %d: net outflow %d, supply %d", u, balance[u], g.supply[u])
		}
	}
	if !cost.IsInt64() || cost.Int64() != sol.Cost() {
		t.Fatalf("Cost() = %d, Σ flow·cost = %s", sol.Cost(), cost.String())
	}
}

// cloneGraph copies a graph so tests can check that Solve leaves it alone.
func cloneGraph(g *Graph) *Graph {
	return &Graph{
		supply:   append([]int64(nil), g.supply...),
		from:     append([]int32(nil), g.from...),
		to:       append([]int32(nil), g.to...),
		capacity: append([]int64(nil), g.capacity...),
		cost:     append([]int64(nil), g.cost...),
	}
}

// sameGraph reports whether two graphs hold the same data.
func sameGraph(a, b *Graph) bool {
	return slices.Equal(a.supply, b.supply) && slices.Equal(a.from, b.from) &&
		slices.Equal(a.to, b.to) && slices.Equal(a.capacity, b.capacity) &&
		slices.Equal(a.cost, b.cost)
}

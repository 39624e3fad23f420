package mcf

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

type arcSpec struct {
	from, to       int
	capacity, cost int64
}

// build makes a graph from supplies and arcs.
func build(supply []int64, arcs []arcSpec) *Graph {
	g := New(len(supply), len(arcs))
	for u, b := range supply {
		g.SetSupply(u, b)
	}
	for _, a := range arcs {
		g.AddArc(a.from, a.to, a.capacity, a.cost)
	}
	return g
}

// TestHandMade covers small problems whose optimum was worked out by hand.
// Flows are only checked where the optimum is unique; the certificate check
// covers the rest.
func TestHandMade(t *testing.T) {
	tests := []struct {
		name   string
		supply []int64
		arcs   []arcSpec
		cost   int64
		flows  []int64 // nil: optimum not unique
	}{
		{
			// 2×2 transportation: cost 34 − 4x for x units on A→X, so x = 4.
			name:   "transportation 2x2",
			supply: []int64{5, 5, -4, -6},
			arcs:   []arcSpec{{0, 2, Infinite, 1}, {0, 3, Infinite, 4}, {1, 2, Infinite, 3}, {1, 3, Infinite, 2}},
			cost:   18,
			flows:  []int64{4, 1, 0, 5},
		},
		{
			// 2×3 transportation: B serves Z (3 vs 9); A and B cost the
			// same difference on X and Y, so 47 for those 15 units.
			name:   "transportation 2x3 with ties",
			supply: []int64{10, 15, -8, -7, -10},
			arcs: []arcSpec{
				{0, 2, Infinite, 2}, {0, 3, Infinite, 3}, {0, 4, Infinite, 9},
				{1, 2, Infinite, 4}, {1, 3, Infinite, 5}, {1, 4, Infinite, 3},
			},
			cost: 77,
		},
		{
			// A path through a negative arc (2 per unit, capacity 4) and a
			// direct arc (1 per unit, capacity 2).
			name:   "negative arc on a path",
			supply: []int64{4, 0, -4},
			arcs:   []arcSpec{{0, 1, 4, 5}, {1, 2, 4, -3}, {0, 2, 2, 1}},
			cost:   6,
			flows:  []int64{2, 2, 2},
		},
		{
			// Circulation with two negative cycles sharing 0→1:
			// maximise 2x + y with x ≤ 3, x + y ≤ 5.
			name:   "negative cycles with finite capacity",
			supply: []int64{0, 0, 0},
			arcs:   []arcSpec{{0, 1, 5, -2}, {1, 2, 3, -1}, {2, 0, 4, 1}, {1, 0, 10, 1}},
			cost:   -8,
			flows:  []int64{5, 3, 3, 2},
		},
		{
			name:   "parallel arcs filled cheapest first",
			supply: []int64{5, -5},
			arcs:   []arcSpec{{0, 1, 2, 5}, {0, 1, 3, 1}, {0, 1, 1, 3}},
			cost:   11,
			flows:  []int64{1, 3, 1},
		},
		{
			name:   "zero-capacity arcs carry nothing",
			supply: []int64{3, -3},
			arcs:   []arcSpec{{0, 1, 0, -100}, {0, 1, 3, 2}, {1, 1, 0, -5}, {1, 0, 0, -1}},
			cost:   6,
			flows:  []int64{0, 3, 0, 0},
		},
		{
			name:   "self-loops: negative saturated, positive empty",
			supply: []int64{2, -2},
			arcs:   []arcSpec{{0, 0, 5, -2}, {0, 0, 5, 3}, {0, 1, 2, 1}, {1, 1, Infinite, 0}},
			cost:   -8,
			flows:  []int64{5, 0, 2, 0},
		},
		{
			name:   "nodes but no arcs",
			supply: []int64{0, 0, 0},
			cost:   0,
			flows:  []int64{},
		},
		{
			name:  "empty graph",
			cost:  0,
			flows: []int64{},
		},
		{
			// Two components, each with its own supply and demand.
			name:   "disconnected components",
			supply: []int64{3, -3, 0, 2, -2},
			arcs:   []arcSpec{{0, 1, 5, 7}, {3, 4, 2, -1}, {4, 3, 9, 2}},
			cost:   19,
			flows:  []int64{3, 2, 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := build(tc.supply, tc.arcs)
			before := cloneGraph(g)
			sol, err := g.Solve()
			if err != nil {
				t.Fatalf("Solve: %v", err)
			}
			if !sameGraph(g, before) {
				t.Fatal("Solve modified the graph")
			}
			checkOptimal(t, g, sol)
			if sol.Cost() != tc.cost {
				t.Errorf("Cost() = %d, want %d", sol.Cost(), tc.cost)
			}
			if tc.flows != nil {
				for a, want := range tc.flows {
					if got := sol.Flow(a); got != want {
						t.Errorf("Flow(%d) = %d, want %d", a, got, want)
					}
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		supply  []int64
		arcs    []arcSpec
		want    error
		message string // fragment the error must contain
	}{
		{"supplies do not balance", []int64{3, -2}, []arcSpec{{0, 1, 5, 1}}, ErrInfeasible, "sum to 1"},
		{"cut too small", []int64{3, -3}, []arcSpec{{0, 1, 2, 1}, {1, 0, 5, 1}}, ErrInfeasible, "cannot carry"},
		{"demand at an isolated node", []int64{1, 0, -1}, []arcSpec{{0, 1, 5, 1}}, ErrInfeasible, "cannot carry"},
		{"unbounded negative cycle", []int64{1, -1, 0}, []arcSpec{{0, 1, 1, 1}, {1, 2, Infinite, -1}, {2, 1, Infinite, 0}}, ErrUnbounded, "negative cost"},
		{"unbounded self-loop", []int64{0}, []arcSpec{{0, 0, Infinite, -1}}, ErrUnbounded, "negative cost"},
		// A negative Infinite cycle does not make an infeasible problem
		// unbounded.
		{"infeasible with a negative cycle", []int64{2, -2, 0}, []arcSpec{{0, 1, 1, 1}, {1, 2, Infinite, -1}, {2, 1, Infinite, 0}}, ErrInfeasible, "cannot carry"},
		{"supply beyond the flow bound", []int64{Infinite/2 + 1, -Infinite/2 - 1}, []arcSpec{{0, 1, Infinite/2 + 1, 0}}, ErrOverflow, "finite capacities"},
		{"cost beyond 2^59", []int64{1, -1}, []arcSpec{{0, 1, 1, 1 << 60}}, ErrOverflow, "cost"},
		{"total cost beyond int64", []int64{1 << 40, -(1 << 40)}, []arcSpec{{0, 1, Infinite, 1 << 30}}, ErrOverflow, "total cost"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sol, err := build(tc.supply, tc.arcs).Solve()
			if !errors.Is(err, tc.want) {
				t.Fatalf("Solve() = %v, %v; want %v", sol, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q does not contain %q", err, tc.message)
			}
		})
	}
}

func TestInvalidInput(t *testing.T) {
	tests := []struct {
		name    string
		build   func(g *Graph)
		message string
	}{
		{"from out of range", func(g *Graph) { g.AddArc(3, 0, 1, 1) }, "arc 1 (3→0): node 3 out of range [0, 3)"},
		{"to out of range", func(g *Graph) { g.AddArc(0, -1, 1, 1) }, "arc 1 (0→-1): node -1 out of range"},
		{"negative capacity", func(g *Graph) { g.AddArc(0, 1, -5, 1) }, "arc 1 (0→1): capacity -5 must be in [0,"},
		{"capacity above Infinite", func(g *Graph) { g.AddArc(0, 1, Infinite+1, 1) }, "capacity"},
		{"supply node out of range", func(g *Graph) { g.SetSupply(7, 1) }, "SetSupply(7, 1): node 7 out of range"},
		{"supply too large", func(g *Graph) { g.SetSupply(0, -Infinite-1) }, "supply must be in"},
		{"several bad calls", func(g *Graph) { g.AddArc(0, 9, 1, 1); g.AddArc(9, 0, 1, 1) }, "(and 1 more invalid calls)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := New(3, 0)
			g.AddArc(0, 1, 1, 1)
			tc.build(g)
			_, err := g.Solve()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Solve() error = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q does not contain %q", err, tc.message)
			}
		})
	}
	if _, err := New(-1, 0).Solve(); !errors.Is(err, ErrInvalid) {
		t.Errorf("New(-1): Solve() error = %v, want ErrInvalid", err)
	}
}

// TestAddNode checks that indices follow the order of calls and that arcs
// may use nodes added after New.
func TestAddNode(t *testing.T) {
	g := New(1, 0)
	if u := g.AddNode(); u != 1 {
		t.Fatalf("AddNode() = %d, want 1", u)
	}
	g.SetSupply(0, 4)
	g.SetSupply(1, -4)
	if a := g.AddArc(0, 1, 10, 3); a != 0 {
		t.Fatalf("AddArc() = %d, want 0", a)
	}
	if g.NumNodes() != 2 || g.NumArcs() != 1 {
		t.Fatalf("NumNodes, NumArcs = %d, %d; want 2, 1", g.NumNodes(), g.NumArcs())
	}
	sol, err := g.Solve()
	if err != nil {
		t.Fatal(err)
	}
	checkOptimal(t, g, sol)
	if sol.Cost() != 12 {
		t.Errorf("Cost() = %d, want 12", sol.Cost())
	}
}

// TestLargeNumbers runs random problems against the SSP reference with
// costs near the 2^59 path bound (so the packed potentials run close to
// their limits) and, separately, with flows near 2^40.
func TestLargeNumbers(t *testing.T) {
	for _, o := range []randomOptions{
		{maxCap: 7, minCost: -(1 << 52), maxCost: 1 << 52},
		{maxCap: 1 << 40, minCost: -1000, maxCost: 1000},
	} {
		for seed := int64(1); seed <= 40; seed++ {
			g := randomGraph(seed, 12, 40, o)
			sol, err := g.Solve()
			refCost, _, ok := sspSolve(g)
			if !ok {
				if !errors.Is(err, ErrInfeasible) {
					t.Fatalf("seed %d: reference says infeasible, Solve says %v", seed, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("seed %d: Solve: %v", seed, err)
			}
			checkOptimal(t, g, sol)
			if sol.Cost() != refCost {
				t.Fatalf("seed %d: Cost() = %d, reference %d", seed, sol.Cost(), refCost)
			}
		}
	}
}

// TestDeterministic solves the same random graph again, concurrently (Solve
// only reads the graph; the race detector checks that), and on a rebuilt
// copy, and expects identical flows and potentials every time.
func TestDeterministic(t *testing.T) {
	g := randomGraph(42, 300, 3000, randomOptions{maxCap: 20, minCost: -10, maxCost: 30, ring: true})
	first, err := g.Solve()
	if err != nil {
		t.Fatal(err)
	}
	graphs := []*Graph{g, g, g, cloneGraph(g)}
	sols := make([]*Solution, len(graphs))
	errs := make([]error, len(graphs))
	var wg sync.WaitGroup
	for i, h := range graphs {
		wg.Go(func() { sols[i], errs[i] = h.Solve() })
	}
	wg.Wait()
	for i, again := range sols {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for a := range first.Flows() {
			if first.Flow(a) != again.Flow(a) {
				t.Fatalf("run %d: arc %d flow %d, first run %d", i, a, again.Flow(a), first.Flow(a))
			}
		}
		for u := 0; u < g.NumNodes(); u++ {
			if first.Potential(u) != again.Potential(u) {
				t.Fatalf("run %d: node %d potential %d, first run %d", i, u, again.Potential(u), first.Potential(u))
			}
		}
	}
}

package mcf

import (
	"errors"
	"fmt"
	"math"
)

// Infinite is the largest capacity AddArc accepts, and it means
// "uncapacitated": a cycle of negative total cost made only of Infinite arcs
// makes the problem unbounded. It is well below math.MaxInt64 so that sums of
// a few flows and capacities cannot overflow.
const Infinite int64 = math.MaxInt64 / 4

// maxIndex bounds node and arc counts: the solver stores indices as int32 to
// halve the memory its tree and arc arrays take on national-scale networks,
// and it needs one extra node (the root) and one extra arc per node.
const maxIndex = math.MaxInt32 - 1

// Errors returned by Solve, always wrapped with details; test them with
// errors.Is.
var (
	// ErrInfeasible means the supplies do not sum to zero, or they do but
	// the arcs cannot carry them (some cut has too little capacity).
	ErrInfeasible = errors.New("mcf: infeasible")
	// ErrUnbounded means the problem is feasible and has a cycle of
	// negative cost made only of Infinite-capacity arcs.
	ErrUnbounded = errors.New("mcf: unbounded")
	// ErrInvalid means a call to New, AddArc or SetSupply had bad
	// arguments; the wrapped message names the first such call.
	ErrInvalid = errors.New("mcf: invalid input")
	// ErrOverflow means the numbers are too large for exact int64
	// arithmetic; see the package documentation for the bounds.
	ErrOverflow = errors.New("mcf: numbers too large for exact int64 arithmetic")
)

// Graph is a min-cost flow problem: nodes with supplies, arcs with capacities
// and costs. Build it with New, AddNode, AddArc and SetSupply, then call
// Solve. Solve does not modify the graph, so a graph can be changed and solved
// again, and several goroutines may Solve the same graph at once as long as
// none of them is changing it.
//
// Bad arguments (a node out of range, a negative capacity) do not panic:
// routing builds graphs from database rows, and a clear error naming the bad
// call is more useful to it than a crash. The first one is recorded and
// returned by Solve; the call still returns the index it would have had, so
// later indices stay consistent.
type Graph struct {
	supply   []int64
	from, to []int32
	capacity []int64
	cost     []int64

	err     error // first invalid call, returned by Solve
	nErrors int   // number of invalid calls, reported with err
}

// New returns a graph with n nodes numbered 0..n-1 (supply 0 each). hintArcs
// pre-sizes arc storage; it is only a hint.
func New(n int, hintArcs int) *Graph {
	g := &Graph{}
	if n < 0 || n > maxIndex {
		g.invalid(fmt.Errorf("New(%d, …): node count must be in [0, %d]", n, maxIndex))
		n = 0
	}
	if hintArcs < 0 || hintArcs > maxIndex {
		hintArcs = 0
	}
	g.supply = make([]int64, n)
	g.from = make([]int32, 0, hintArcs)
	g.to = make([]int32, 0, hintArcs)
	g.capacity = make([]int64, 0, hintArcs)
	g.cost = make([]int64, 0, hintArcs)
	return g
}

// AddNode appends a node with supply 0 and returns its index.
func (g *Graph) AddNode() int {
	if len(g.supply) >= maxIndex {
		g.invalid(fmt.Errorf("AddNode: more than %d nodes", maxIndex))
		return len(g.supply)
	}
	g.supply = append(g.supply, 0)
	return len(g.supply) - 1
}

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.supply) }

// NumArcs returns the number of arcs, including any added with bad arguments.
func (g *Graph) NumArcs() int { return len(g.from) }

// SetSupply sets a node's supply: positive for a source of flow, negative for
// a demand. It must lie in [-Infinite, Infinite].
func (g *Graph) SetSupply(node int, supply int64) {
	if node < 0 || node >= len(g.supply) {
		g.invalid(fmt.Errorf("SetSupply(%d, %d): node %d out of range [0, %d)", node, supply, node, len(g.supply)))
		return
	}
	if supply < -Infinite || supply > Infinite {
		g.invalid(fmt.Errorf("SetSupply(%d, %d): supply must be in [-%d, %d]", node, supply, Infinite, Infinite))
		return
	}
	g.supply[node] = supply
}

// AddArc adds an arc from→to with a capacity in [0, Infinite] and a cost of
// any sign, and returns its index (0, 1, 2, … in order of addition). Both
// nodes must already exist. Parallel arcs and self-loops are allowed.
func (g *Graph) AddArc(from, to int, capacity, cost int64) int {
	idx := len(g.from)
	n := len(g.supply)
	switch {
	case idx >= maxIndex-n:
		g.invalid(fmt.Errorf("AddArc: more than %d arcs and nodes together", maxIndex))
		return idx
	case from < 0 || from >= n:
		g.invalid(fmt.Errorf("arc %d (%d→%d): node %d out of range [0, %d)", idx, from, to, from, n))
		from, to = 0, 0
	case to < 0 || to >= n:
		g.invalid(fmt.Errorf("arc %d (%d→%d): node %d out of range [0, %d)", idx, from, to, to, n))
		from, to = 0, 0
	case capacity < 0 || capacity > Infinite:
		g.invalid(fmt.Errorf("arc %d (%d→%d): capacity %d must be in [0, %d]", idx, from, to, capacity, Infinite))
	}
	g.from = append(g.from, int32(from))
	g.to = append(g.to, int32(to))
	g.capacity = append(g.capacity, capacity)
	g.cost = append(g.cost, cost)
	return idx
}

// invalid records a bad call; only the first is kept in full, so that a
// loop feeding millions of bad rows does not build a huge error.
func (g *Graph) invalid(err error) {
	g.nErrors++
	if g.err == nil {
		g.err = err
	}
}

// inputError returns the recorded bad call wrapped in ErrInvalid, or nil.
func (g *Graph) inputError() error {
	switch {
	case g.err == nil:
		return nil
	case g.nErrors == 1:
		return fmt.Errorf("%w: %w", ErrInvalid, g.err)
	default:
		return fmt.Errorf("%w: %w (and %d more invalid calls)", ErrInvalid, g.err, g.nErrors-1)
	}
}

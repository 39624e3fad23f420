package mcf

import "math"

// Arc states. A non-tree arc sits at its lower (zero flow) or upper
// (capacity) bound; the sign lets pricing test "state × reduced cost < 0" for
// both at once, as in LEMON.
const (
	stateUpper int8 = -1
	stateTree  int8 = 0
	stateLower int8 = 1
)

// Direction of a node's tree arc: up means the arc runs from the node to its
// parent, down from the parent to the node.
const (
	dirUp   int8 = 1
	dirDown int8 = -1
)

// artCost is the symbolic cost M of an artificial arc that feeds a demand
// node, packed as 1·2^62 + 0. Solve guarantees that real parts stay below
// 2^59 for potentials and below 2^61 for reduced costs, so the M-part of any
// packed value is never disturbed by a carry from its real part, and the
// sign of a packed reduced cost is the sign of the (M-part, real part) pair
// compared lexicographically (see the package doc).
const artCost int64 = 1 << 62

// maxPathCost bounds the total |cost| of any path the solver may meet, which
// bounds the real part of every potential.
const maxPathCost int64 = 1 << 59

// result of a simplex run.
type result int

const (
	optimal result = iota
	infeasible
	unbounded
)

// simplex is the working state of one network simplex run. Arcs 0..m-1 are
// the real arcs in interleaved order; arc m+u is node u's artificial arc.
// Nodes 0..n-1 are real; node n is the artificial root.
type simplex struct {
	n, m int
	root int32

	// Arc data, struct-of-arrays so pricing streams through memory.
	source, target []int32
	cap, cost      []int64
	flow           []int64
	state          []int8

	// Spanning tree: parent and the arc to it (pred, with its direction),
	// a preorder thread (and its inverse), subtree sizes, and the last
	// node of each subtree in thread order.
	parent, pred      []int32
	predDir           []int8
	thread, revThread []int32
	succNum, lastSucc []int32
	pi                []int64 // packed potentials: reduced cost = cost + pi[s] - pi[t]
	dirtyRevs         []int32 // scratch for updateTreeStructure

	blockSize, nextArc int // block search: block length, where to resume

	// The current pivot: entering arc, apex of its cycle, the flow change,
	// the entering arc's ends as (uIn, vIn) with uIn on the side that is
	// re-hung, and the leaving tree arc as uOut and its old parent vOut.
	inArc, join          int32
	delta                int64
	uIn, vIn, uOut, vOut int32
	pivots               int
}

// interleave calls f(a, i) for every external arc a with its internal
// position i. Consecutive arcs of the graph (typically one node's arcs) land
// about m/n apart, so each pricing block sees arcs from across the network;
// LEMON does the same ("arc mixing") and finds it makes block search more
// robust on structured inputs.
func interleave(m, n int, f func(a, i int)) {
	skip := 3
	if n > 0 && m/n > skip {
		skip = m / n
	}
	i, j := 0, 0
	for a := 0; a < m; a++ {
		f(a, i)
		if i += skip; i >= m {
			j++
			i = j
		}
	}
}

// newSimplex builds the initial strongly feasible tree of artificial arcs for
// g, which must be valid, balanced and have at least one node. With zeroCost
// every real cost is taken as 0, which turns the run into a pure feasibility
// check.
func newSimplex(g *Graph, zeroCost bool) *simplex {
	n, m := len(g.supply), len(g.from)
	all := m + n
	s := &simplex{
		n: n, m: m, root: int32(n),
		source: make([]int32, all), target: make([]int32, all),
		cap: make([]int64, all), cost: make([]int64, all),
		flow: make([]int64, all), state: make([]int8, all),
		parent: make([]int32, n+1), pred: make([]int32, n+1),
		predDir: make([]int8, n+1),
		thread:  make([]int32, n+1), revThread: make([]int32, n+1),
		succNum: make([]int32, n+1), lastSucc: make([]int32, n+1),
		pi: make([]int64, n+1),
	}
	interleave(m, n, func(a, i int) {
		s.source[i] = g.from[a]
		s.target[i] = g.to[a]
		s.cap[i] = g.capacity[a]
		if !zeroCost {
			s.cost[i] = g.cost[a]
		}
		s.state[i] = stateLower
	})

	root := s.root
	s.parent[root] = -1
	s.pred[root] = -1
	s.thread[root] = 0
	s.revThread[0] = root
	s.succNum[root] = int32(n + 1)
	s.lastSucc[root] = root - 1
	for u := 0; u < n; u++ {
		e := m + u
		s.parent[u] = root
		s.pred[u] = int32(e)
		s.thread[u] = int32(u + 1)
		s.revThread[u+1] = int32(u)
		s.succNum[u] = 1
		s.lastSucc[u] = int32(u)
		s.cap[e] = Infinite
		s.state[e] = stateTree
		if b := g.supply[u]; b >= 0 {
			s.predDir[u] = dirUp
			s.source[e], s.target[e] = int32(u), root
			s.flow[e] = b
		} else {
			s.predDir[u] = dirDown
			s.source[e], s.target[e] = root, int32(u)
			s.flow[e] = -b
			s.cost[e] = artCost
			s.pi[u] = artCost
		}
	}

	// LEMON's block size. Measured here: 0.1·√m is about twice as fast on
	// routing-shaped graphs but five times slower on random ones, where
	// the quality of the entering arc matters more; √m is the robust choice.
	s.blockSize = max(int(math.Sqrt(float64(m))), 10)
	return s
}

// run pivots until no arc prices out, and reports whether the problem was
// optimal, infeasible (flow left on artificial arcs) or unbounded.
func (s *simplex) run() result {
	for {
		more, unb := s.pivot()
		if unb {
			return unbounded
		}
		if !more {
			break
		}
	}
	for e := s.m; e < s.m+s.n; e++ {
		if s.flow[e] != 0 {
			return infeasible
		}
	}
	return optimal
}

// pivot makes one simplex pivot. It reports false when no arc prices out
// (the tree is optimal), and unbounded when the entering arc closes a cycle
// of Infinite arcs with negative cost.
func (s *simplex) pivot() (more, unbounded bool) {
	if !s.findEnteringArc() {
		return false, false
	}
	s.findJoinNode()
	change := s.findLeavingArc()
	if s.delta >= Infinite {
		return true, true
	}
	s.changeFlow(change)
	if change {
		s.updateTreeStructure()
		s.updatePotential()
	}
	s.pivots++
	return true, false
}

// findEnteringArc is the block search pivot rule: scan arcs cyclically from
// where the last search stopped, in blocks of blockSize, and take the most
// violating arc of the first block that has a violating arc. Artificial arcs
// are never priced: once out of the tree they stay out.
func (s *simplex) findEnteringArc() bool {
	m := s.m
	var best int64
	in := -1
	e := s.nextArc
	for scanned := 0; scanned < m; {
		end := min(e+s.blockSize, m)
		best, in = s.price(e, end, best, in)
		scanned += end - e
		if e = end; e == m {
			e = 0
		}
		if best < 0 {
			s.nextArc = e
			s.inArc = int32(in)
			return true
		}
	}
	return false
}

// price scans arcs lo..hi-1 and returns the most negative state × reduced
// cost below best, with its arc. It is the solver's hot loop: the slices are
// cut to the same length so the compiler drops their bounds checks, and the
// state multiplication avoids a branch per arc (tree arcs have state 0).
func (s *simplex) price(lo, hi int, best int64, in int) (int64, int) {
	src := s.source[lo:hi]
	tgt := s.target[lo:hi]
	cost := s.cost[lo:hi]
	state := s.state[lo:hi]
	tgt, cost, state = tgt[:len(src)], cost[:len(src)], state[:len(src)]
	pi := s.pi
	for k, u := range src {
		c := int64(state[k]) * (cost[k] + pi[u] - pi[tgt[k]])
		if c < best {
			best, in = c, lo+k
		}
	}
	return best, in
}

// findJoinNode finds the apex of the pivot cycle: the deepest common
// ancestor of the entering arc's ends, climbing from the smaller subtree.
func (s *simplex) findJoinNode() {
	u, v := s.source[s.inArc], s.target[s.inArc]
	succ, parent := s.succNum, s.parent
	for u != v {
		if succ[u] < succ[v] {
			u = parent[u]
		} else {
			v = parent[v]
		}
	}
	s.join = u
}

// residual returns how much more flow arc e can take, treating Infinite as
// unlimited (flows stay below Infinite, see Solve).
func (s *simplex) residual(e int32) int64 {
	if c := s.cap[e]; c < Infinite {
		return c - s.flow[e]
	}
	return Infinite
}

// findLeavingArc computes the flow change delta along the pivot cycle and
// picks the leaving arc: the last blocking arc met when walking the cycle in
// the direction of flow from the apex. That choice keeps the tree strongly
// feasible, which is what prevents cycling. It reports whether the leaving
// arc differs from the entering arc.
func (s *simplex) findLeavingArc() bool {
	in := s.inArc
	first, second := s.source[in], s.target[in]
	if s.state[in] == stateUpper {
		first, second = second, first
	}
	s.delta = s.cap[in]
	res := 0
	// From first up to the apex, flow runs down the tree, against the walk:
	// keep the blocking arc nearest to first (strict <), so ties go to arcs
	// later in flow order.
	for u := first; u != s.join; u = s.parent[u] {
		e := s.pred[u]
		d := s.flow[e]
		if s.predDir[u] == dirDown {
			d = s.residual(e)
		}
		if d < s.delta {
			s.delta, s.uOut, res = d, u, 1
		}
	}
	// From second up to the apex, flow runs with the walk: keep the last
	// blocking arc (<=).
	for u := second; u != s.join; u = s.parent[u] {
		e := s.pred[u]
		d := s.flow[e]
		if s.predDir[u] == dirUp {
			d = s.residual(e)
		}
		if d <= s.delta {
			s.delta, s.uOut, res = d, u, 2
		}
	}
	if res == 1 {
		s.uIn, s.vIn = first, second
	} else {
		s.uIn, s.vIn = second, first
	}
	return res != 0
}

// changeFlow pushes delta around the cycle and updates the states of the
// entering and leaving arcs.
func (s *simplex) changeFlow(change bool) {
	in := s.inArc
	if s.delta > 0 {
		val := int64(s.state[in]) * s.delta
		s.flow[in] += val
		for u := s.source[in]; u != s.join; u = s.parent[u] {
			s.flow[s.pred[u]] -= int64(s.predDir[u]) * val
		}
		for u := s.target[in]; u != s.join; u = s.parent[u] {
			s.flow[s.pred[u]] += int64(s.predDir[u]) * val
		}
	}
	if !change {
		// The entering arc itself blocks: it just moves to its other bound.
		s.state[in] = -s.state[in]
		return
	}
	s.state[in] = stateTree
	out := s.pred[s.uOut]
	if s.flow[out] == 0 {
		s.state[out] = stateLower
	} else {
		s.state[out] = stateUpper
	}
}

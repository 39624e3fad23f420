package mcf

import (
	"fmt"
	"testing"
)

// checkTree verifies every invariant of the spanning tree representation:
// pred arcs join each node to its parent in the recorded direction, the
// thread is a preorder walk of the whole tree (each subtree contiguous,
// starting at its root), revThread inverts it, succNum and lastSucc match
// the subtree sizes and last nodes, tree arcs have zero reduced cost,
// non-tree arcs sit at a bound matching their state, and flow is conserved
// at every node including the root.
func checkTree(s *simplex, supply []int64) error {
	n := s.n + 1
	// Walk the thread from the root; it must visit every node once.
	order := make([]int32, 0, n)
	pos := make([]int, n)
	for i := range pos {
		pos[i] = -1
	}
	u := s.root
	for range n {
		if pos[u] >= 0 {
			return fmt.Errorf("thread revisits node %d", u)
		}
		pos[u] = len(order)
		order = append(order, u)
		if s.revThread[s.thread[u]] != u {
			return fmt.Errorf("revThread[thread[%d]] = %d", u, s.revThread[s.thread[u]])
		}
		u = s.thread[u]
	}
	if u != s.root {
		return fmt.Errorf("thread does not return to the root after %d nodes", n)
	}
	// Subtree of u = order[pos[u] : pos[u]+succNum[u]]; its last node is
	// lastSucc[u], and every node in it must have u as an ancestor.
	for u := int32(0); int(u) < n; u++ {
		size := int(s.succNum[u])
		if size < 1 || pos[u]+size > n {
			return fmt.Errorf("node %d: succNum %d out of range", u, size)
		}
		if last := order[pos[u]+size-1]; last != s.lastSucc[u] {
			return fmt.Errorf("node %d: lastSucc %d, thread says %d", u, s.lastSucc[u], last)
		}
		if u != s.root {
			p := s.parent[u]
			if pos[p] > pos[u] || pos[u] >= pos[p]+int(s.succNum[p]) {
				return fmt.Errorf("node %d lies outside its parent %d's thread segment", u, p)
			}
			e := s.pred[u]
			from, to := u, p
			if s.predDir[u] == dirDown {
				from, to = p, u
			}
			if s.source[e] != from || s.target[e] != to || s.state[e] != stateTree {
				return fmt.Errorf("node %d: pred arc %d is %d→%d (state %d), want tree arc %d→%d", u, e, s.source[e], s.target[e], s.state[e], from, to)
			}
		}
	}
	// Each subtree size is one plus its children's sizes.
	sum := make([]int32, n)
	for u := int32(0); int(u) < n; u++ {
		if u != s.root {
			sum[s.parent[u]] += s.succNum[u]
		}
	}
	for u := range sum {
		if sum[u]+1 != s.succNum[u] {
			return fmt.Errorf("node %d: succNum %d, children sum to %d", u, s.succNum[u], sum[u])
		}
	}
	// Arc states, bounds, reduced costs and conservation.
	balance := make([]int64, n)
	for e := range s.source {
		i, j := s.source[e], s.target[e]
		f := s.flow[e]
		balance[i] += f
		balance[j] -= f
		rc := s.cost[e] + s.pi[i] - s.pi[j]
		switch s.state[e] {
		case stateTree:
			if rc != 0 {
				return fmt.Errorf("tree arc %d: reduced cost %d", e, rc)
			}
		case stateLower:
			if f != 0 {
				return fmt.Errorf("lower arc %d: flow %d", e, f)
			}
		case stateUpper:
			if f != s.cap[e] {
				return fmt.Errorf("upper arc %d: flow %d, capacity %d", e, f, s.cap[e])
			}
		}
		if f < 0 || (s.cap[e] < Infinite && f > s.cap[e]) {
			return fmt.Errorf("arc %d: flow %d outside [0, %d]", e, f, s.cap[e])
		}
	}
	for u, b := range supply {
		if balance[u] != b {
			return fmt.Errorf("node %d: net outflow %d, supply %d", u, balance[u], b)
		}
	}
	if balance[s.root] != 0 {
		return fmt.Errorf("root: net outflow %d", balance[s.root])
	}
	return nil
}

// TestTreeInvariants runs the simplex pivot by pivot on small random
// problems and checks the whole tree after every pivot, so a slip in the
// thread or subtree bookkeeping is caught where it happens rather than as a
// wrong answer later.
func TestTreeInvariants(t *testing.T) {
	for seed := int64(1); seed <= 60; seed++ {
		g := randomGraph(seed, 2+int(seed%14), int(seed*13%80), randomOptions{maxCap: 10, minCost: -10, maxCost: 30, ring: seed%2 == 0})
		if err := g.checkBounds(); err != nil {
			continue
		}
		s := newSimplex(g, false)
		if err := checkTree(s, g.supply); err != nil {
			t.Fatalf("seed %d, initial tree: %v", seed, err)
		}
		for {
			more, unbounded := s.pivot()
			if unbounded {
				t.Fatalf("seed %d: unbounded, but no arc has negative cost and Infinite capacity", seed)
			}
			if !more {
				break
			}
			if err := checkTree(s, g.supply); err != nil {
				t.Fatalf("seed %d, after pivot %d: %v", seed, s.pivots, err)
			}
		}
	}
}

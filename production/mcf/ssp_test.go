package mcf

import (
	"container/heap"
	"math"
)

// This file holds independent reference algorithms for the tests: successive
// shortest paths (SSP) for optimal costs, a max-flow feasibility check, and a
// negative-cycle search. They share no code with the solver.

// resGraph is a residual graph: arc 2k is arc k forward, 2k+1 its reverse.
type resGraph struct {
	n     int
	head  []int   // first residual arc out of each node, -1 if none
	next  []int   // next residual arc out of the same node
	to    []int   // residual arc head
	resid []int64 // residual capacity
	cost  []int64 // residual cost (reverse arcs: negated)
}

func newResGraph(n int) *resGraph {
	r := &resGraph{n: n, head: make([]int, n)}
	for i := range r.head {
		r.head[i] = -1
	}
	return r
}

func (r *resGraph) add(from, to int, capacity, cost int64) {
	for k, e := range [2][3]int64{{int64(to), capacity, cost}, {int64(from), 0, -cost}} {
		tail := from
		if k == 1 {
			tail = to
		}
		r.to = append(r.to, int(e[0]))
		r.resid = append(r.resid, e[1])
		r.cost = append(r.cost, e[2])
		r.next = append(r.next, r.head[tail])
		r.head[tail] = len(r.to) - 1
	}
}

// sspSolve solves g by successive shortest paths: saturate every
// negative-cost arc, then repeatedly send flow from nodes with excess to
// nodes with deficit along cheapest residual paths (Dijkstra on reduced
// costs with potentials; all shortest paths of one length are filled at once
// by a blocking flow, the primal-dual variant, which keeps the reference
// fast enough for thousands of nodes). It needs every Infinite arc to have cost ≥ 0 and
// returns the optimal cost and flows, or ok=false if infeasible.
func sspSolve(g *Graph) (cost int64, flows []int64, ok bool) {
	n, m := g.NumNodes(), g.NumArcs()
	excess := append([]int64(nil), g.supply...)
	var bound int64 // no augmenting path carries more than this
	for _, b := range excess {
		bound += max(b, 0)
	}
	for a := 0; a < m; a++ {
		if c := g.capacity[a]; c < Infinite && g.cost[a] < 0 {
			bound += c
		}
	}
	r := newResGraph(n)
	base := make([]int64, m) // flow put on saturated negative arcs
	for a := 0; a < m; a++ {
		from, to := int(g.from[a]), int(g.to[a])
		c, k := g.capacity[a], g.cost[a]
		if c == Infinite {
			if k < 0 {
				panic("sspSolve: negative-cost Infinite arc")
			}
			c = bound
		}
		if k < 0 {
			base[a] = c
			excess[from] -= c
			excess[to] += c
			cost += c * k
			r.add(from, to, 0, k)
			r.resid[2*a+1] = c
		} else {
			r.add(from, to, c, k)
		}
		if from == to { // a self-loop never lies on a shortest path
			r.resid[2*a], r.resid[2*a+1] = 0, 0
		}
	}

	pot := make([]int64, n)
	dist := make([]int64, n)
	for {
		// Multi-source Dijkstra on reduced costs from every node with
		// excess.
		for u := range dist {
			dist[u] = math.MaxInt64
		}
		h := &distHeap{}
		for u, b := range excess {
			if b > 0 {
				dist[u] = 0
				heap.Push(h, distItem{0, u})
			}
		}
		if h.Len() == 0 {
			break
		}
		for h.Len() > 0 {
			it := heap.Pop(h).(distItem)
			if it.d > dist[it.u] {
				continue
			}
			for e := r.head[it.u]; e >= 0; e = r.next[e] {
				if r.resid[e] == 0 {
					continue
				}
				v := r.to[e]
				if nd := it.d + r.cost[e] + pot[it.u] - pot[v]; nd < dist[v] {
					dist[v] = nd
					heap.Push(h, distItem{nd, v})
				}
			}
		}
		reach := int64(math.MaxInt64) // distance to the nearest deficit
		for u, b := range excess {
			if b < 0 {
				reach = min(reach, dist[u])
			}
		}
		if reach == math.MaxInt64 {
			return 0, nil, false
		}
		// Raising every potential by min(dist, reach) keeps all reduced
		// costs ≥ 0 and makes the shortest paths to the nearest deficits
		// exactly the zero-reduced-cost arcs; then send as much as
		// possible along those (a max flow, Dinic style).
		for u := range pot {
			pot[u] += min(dist[u], reach)
		}
		cost += r.blockingFlows(excess, pot)
	}
	flows = make([]int64, m)
	for a := 0; a < m; a++ {
		if g.from[a] == g.to[a] {
			flows[a] = base[a]
			continue
		}
		flows[a] = r.resid[2*a+1]
	}
	return cost, flows, true
}

// blockingFlows sends flow from excess nodes to deficit nodes along
// residual arcs of zero reduced cost until none is left, and returns the
// cost it added.
func (r *resGraph) blockingFlows(excess, pot []int64) int64 {
	admissible := func(e, u int) bool {
		return r.resid[e] > 0 && r.cost[e]+pot[u]-pot[r.to[e]] == 0
	}
	level := make([]int, r.n)
	cur := make([]int, r.n)
	var cost int64
	for {
		// Levels by BFS from all excess nodes over admissible arcs.
		for u := range level {
			level[u] = -1
		}
		var queue []int
		for u, b := range excess {
			if b > 0 {
				level[u] = 0
				queue = append(queue, u)
			}
		}
		found := false
		for i := 0; i < len(queue); i++ {
			u := queue[i]
			found = found || excess[u] < 0
			for e := r.head[u]; e >= 0; e = r.next[e] {
				if v := r.to[e]; level[v] < 0 && admissible(e, u) {
					level[v] = level[u] + 1
					queue = append(queue, v)
				}
			}
		}
		if !found {
			return cost
		}
		copy(cur, r.head)
		var push func(u int, limit int64) int64
		push = func(u int, limit int64) int64 {
			if excess[u] < 0 {
				sent := min(limit, -excess[u])
				excess[u] += sent
				return sent
			}
			var sent int64
			for ; cur[u] >= 0 && sent < limit; cur[u] = r.next[cur[u]] {
				e := cur[u]
				v := r.to[e]
				if level[v] != level[u]+1 || !admissible(e, u) {
					continue
				}
				d := push(v, min(limit-sent, r.resid[e]))
				r.resid[e] -= d
				r.resid[e^1] += d
				cost += d * r.cost[e]
				if sent += d; sent == limit {
					break
				}
			}
			return sent
		}
		for u, b := range excess {
			if b > 0 && level[u] == 0 {
				excess[u] -= push(u, b)
			}
		}
	}
}

type distItem struct {
	d int64
	u int
}

type distHeap []distItem

func (h distHeap) Len() int           { return len(h) }
func (h distHeap) Less(i, j int) bool { return h[i].d < h[j].d || h[i].d == h[j].d && h[i].u < h[j].u }
func (h distHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *distHeap) Push(x any)        { *h = append(*h, x.(distItem)) }
func (h *distHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// feasible reports whether g's supplies balance and can be routed, by
// Edmonds–Karp max flow from a super source to a super sink.
func feasible(g *Graph) bool {
	n, m := g.NumNodes(), g.NumArcs()
	var pos, neg int64
	for _, b := range g.supply {
		if b > 0 {
			pos += b
		} else {
			neg -= b
		}
	}
	if pos != neg {
		return false
	}
	src, snk := n, n+1
	r := newResGraph(n + 2)
	for a := 0; a < m; a++ {
		c := g.capacity[a]
		if c == Infinite {
			c = pos
		}
		r.add(int(g.from[a]), int(g.to[a]), c, 0)
	}
	for u, b := range g.supply {
		if b > 0 {
			r.add(src, u, b, 0)
		} else if b < 0 {
			r.add(u, snk, -b, 0)
		}
	}
	var total int64
	via := make([]int, n+2)
	for {
		for i := range via {
			via[i] = -2
		}
		via[src] = -1
		queue := []int{src}
		for len(queue) > 0 && via[snk] == -2 {
			u := queue[0]
			queue = queue[1:]
			for e := r.head[u]; e >= 0; e = r.next[e] {
				if v := r.to[e]; r.resid[e] > 0 && via[v] == -2 {
					via[v] = e
					queue = append(queue, v)
				}
			}
		}
		if via[snk] == -2 {
			return total == pos
		}
		amount := int64(math.MaxInt64)
		for v := snk; via[v] >= 0; v = r.to[via[v]^1] {
			amount = min(amount, r.resid[via[v]])
		}
		for v := snk; via[v] >= 0; v = r.to[via[v]^1] {
			r.resid[via[v]] -= amount
			r.resid[via[v]^1] += amount
		}
		total += amount
	}
}

// hasNegativeInfiniteCycle reports whether the Infinite-capacity arcs of g
// contain a cycle of negative total cost (Bellman–Ford from a virtual source
// joined to every node).
func hasNegativeInfiniteCycle(g *Graph) bool {
	n := g.NumNodes()
	dist := make([]int64, n)
	for round := 0; round <= n; round++ {
		changed := false
		for a := range g.from {
			if g.capacity[a] != Infinite {
				continue
			}
			u, v := g.from[a], g.to[a]
			if d := dist[u] + g.cost[a]; d < dist[v] {
				dist[v] = d
				changed = true
			}
		}
		if !changed {
			return false
		}
	}
	return true
}

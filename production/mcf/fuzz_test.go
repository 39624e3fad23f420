package mcf

import (
	"errors"
	"testing"
)

// decodeGraph turns fuzz bytes into a small graph: byte 0 picks 1–8 nodes,
// the next n−1 bytes are supplies in [−16, 15] (the last node takes the rest,
// so supplies balance unless byte 1 says otherwise), then each 4 bytes make
// an arc: from, to, capacity (0–31, or Infinite for bytes ≥ 248) and a cost
// in [−31, 31].
func decodeGraph(data []byte) *Graph {
	if len(data) == 0 {
		return New(0, 0)
	}
	n := 1 + int(data[0]%8)
	data = data[1:]
	g := New(n, len(data)/4)
	unbalanced := len(data) > 0 && data[0] == 0xff
	var sum int64
	for u := 0; u < n-1 && len(data) > 0; u++ {
		b := int64(int8(data[0])) % 16
		g.SetSupply(u, b)
		sum += b
		data = data[1:]
	}
	if unbalanced {
		sum++
	}
	g.SetSupply(n-1, -sum)
	for ; len(data) >= 4 && g.NumArcs() < 64; data = data[4:] {
		capacity := int64(data[2] % 32)
		if data[2] >= 248 {
			capacity = Infinite
		}
		g.AddArc(int(data[0])%n, int(data[1])%n, capacity, int64(int8(data[3]))%32)
	}
	return g
}

// FuzzSolve checks every verdict of Solve with an independent oracle: an
// optimal answer by its certificate (conservation, bounds, no residual arc of
// negative reduced cost) and by the SSP reference when that applies; an
// infeasible one by max flow; an unbounded one by max flow plus a negative
// cycle search over the Infinite arcs.
func FuzzSolve(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Add([]byte{1, 5, 0, 1, 10, 3})                                 // one arc, 5 units
	f.Add([]byte{2, 3, 0xfd, 0, 1, 2, 1, 1, 2, 9, 0xfe, 0, 2, 5, 7}) // negative cost, small caps
	f.Add([]byte{1, 0xff, 0, 1, 10, 1})                              // unbalanced
	f.Add([]byte{2, 0, 0, 0, 1, 250, 0xff, 1, 0, 250, 0})            // negative Infinite cycle
	f.Add([]byte{2, 2, 0, 0, 1, 250, 0xff, 1, 0, 250, 0})            // same, but infeasible
	f.Add([]byte{0, 0, 0, 250, 0xf0})                                // unbounded self-loop
	f.Add([]byte{7, 9, 0xf2, 4, 0x11, 0x85, 0, 3, 1, 7, 9, 2, 3, 1, 30, 0xf6, 3, 4, 12, 5,
		4, 5, 250, 1, 5, 6, 3, 0xfb, 6, 7, 31, 2, 7, 0, 250, 8, 2, 6, 4, 0xf9, 1, 5, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		g := decodeGraph(data)
		sol, err := g.Solve()
		switch {
		case err == nil:
			checkOptimal(t, g, sol)
			if !hasNegativeInfiniteArc(g) {
				if ref, _, ok := sspSolve(g); !ok || ref != sol.Cost() {
					t.Fatalf("Cost() = %d, SSP reference = %d (feasible %v)", sol.Cost(), ref, ok)
				}
			}
		case errors.Is(err, ErrInfeasible):
			if feasible(g) {
				t.Fatalf("Solve says infeasible (%v), max flow routes every supply", err)
			}
		case errors.Is(err, ErrUnbounded):
			if !feasible(g) {
				t.Fatalf("Solve says unbounded, but the problem is infeasible")
			}
			if !hasNegativeInfiniteCycle(g) {
				t.Fatalf("Solve says unbounded, but no negative cycle of Infinite arcs exists")
			}
		default:
			t.Fatalf("Solve: unexpected error %v", err)
		}
	})
}

// hasNegativeInfiniteArc reports whether the SSP reference cannot handle g.
func hasNegativeInfiniteArc(g *Graph) bool {
	for a, c := range g.capacity {
		if c == Infinite && g.cost[a] < 0 {
			return true
		}
	}
	return false
}

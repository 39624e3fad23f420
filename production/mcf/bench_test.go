package mcf

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// routingGraph makes an instance shaped like production routing: a source
// feeding printer-capacity nodes, printers linked to nearby requests (cost
// grows with distance and with the request's urgency), requests draining to a
// sink, and an expensive unmet-demand arc from the source to every request so
// that every instance is feasible. Printers and requests are random points on
// a 1000×1000 map; each request links to printers in its own and the eight
// neighbouring grid cells, so the graph has about the requested number of
// arcs in all.
func routingGraph(seed uint64, printers, requests, arcs int) *Graph {
	rng := rand.New(rand.NewPCG(seed, 0x726f757465))
	const side = 1000.0
	linkArcs := max(requests, arcs-printers-2*requests)
	perRequest, extra := linkArcs/requests, linkArcs%requests

	// Grid cells holding about 2·perRequest/9 printers each, so the 3×3
	// neighbourhood has about twice as many printers as we sample.
	cells := max(1, int(math.Sqrt(float64(printers)*9/float64(2*perRequest))))
	cellOf := func(x float64) int { return min(cells-1, int(x/side*float64(cells))) }
	grid := make([][]int32, cells*cells)
	px, py := make([]float64, printers), make([]float64, printers)
	for p := range printers {
		px[p], py[p] = rng.Float64()*side, rng.Float64()*side
		c := cellOf(py[p])*cells + cellOf(px[p])
		grid[c] = append(grid[c], int32(p))
	}

	n := 2 + printers + requests
	src, sink := 0, n-1
	printer := func(p int) int { return 1 + p }
	request := func(r int) int { return 1 + printers + r }
	g := New(n, arcs)
	for p := range printers {
		g.AddArc(src, printer(p), 1+rng.Int64N(40), 0)
	}
	var demand int64
	near := make([]int32, 0, 64)
	for r := range requests {
		d := 1 + rng.Int64N(60)
		demand += d
		urgency := int64(1) << rng.IntN(3)
		x, y := rng.Float64()*side, rng.Float64()*side
		cx, cy := cellOf(x), cellOf(y)
		near = near[:0]
		for gy := max(0, cy-1); gy <= min(cells-1, cy+1); gy++ {
			for gx := max(0, cx-1); gx <= min(cells-1, cx+1); gx++ {
				near = append(near, grid[gy*cells+gx]...)
			}
		}
		links := perRequest
		if r < extra {
			links++
		}
		for k := 0; k < links && len(near) > 0; k++ {
			i := rng.IntN(len(near))
			p := int(near[i])
			near[i] = near[len(near)-1]
			near = near[:len(near)-1]
			dist := math.Hypot(px[p]-x, py[p]-y)
			g.AddArc(printer(p), request(r), Infinite, urgency*(1+int64(dist)))
		}
		g.AddArc(request(r), sink, d, 0)
		g.AddArc(src, request(r), d, urgency*100_000) // unmet demand
	}
	g.SetSupply(src, demand)
	g.SetSupply(sink, -demand)
	return g
}

// BenchmarkSolve solves routing-shaped instances at national scale.
func BenchmarkSolve(b *testing.B) {
	sizes := []struct {
		name                     string
		printers, requests, arcs int
	}{
		{"60k-nodes-500k-arcs", 30_000, 30_000, 500_000},
		{"500k-nodes-2M-arcs", 250_000, 250_000, 2_000_000},
	}
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			g := routingGraph(1, sz.printers, sz.requests, sz.arcs)
			b.ReportAllocs()
			var pivots int
			for b.Loop() {
				sol, err := g.Solve()
				if err != nil {
					b.Fatal(err)
				}
				pivots = sol.Pivots()
			}
			// After the loop: b.Loop's first call resets reported metrics.
			b.ReportMetric(float64(g.NumNodes()), "nodes")
			b.ReportMetric(float64(g.NumArcs()), "arcs")
			b.ReportMetric(float64(pivots), "pivots")
		})
	}
}

// BenchmarkSpeedupOverSSP solves one routing-shaped instance small enough
// for the successive-shortest-path reference with both methods, checks they
// agree, and reports each one's time and the ratio.
func BenchmarkSpeedupOverSSP(b *testing.B) {
	g := routingGraph(2, 2_000, 2_000, 30_000)
	var simplexTime, sspTime time.Duration
	for b.Loop() {
		t0 := time.Now()
		sol, err := g.Solve()
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		ref, _, ok := sspSolve(g)
		sspTime += time.Since(t1)
		simplexTime += t1.Sub(t0)
		if !ok || ref != sol.Cost() {
			b.Fatalf("simplex cost %d, SSP cost %d (ok %v)", sol.Cost(), ref, ok)
		}
	}
	b.ReportMetric(float64(g.NumNodes()), "nodes")
	b.ReportMetric(float64(g.NumArcs()), "arcs")
	b.ReportMetric(float64(simplexTime.Nanoseconds())/float64(b.N), "simplex-ns/op")
	b.ReportMetric(float64(sspTime.Nanoseconds())/float64(b.N), "ssp-ns/op")
	b.ReportMetric(float64(sspTime)/float64(simplexTime), "speedup")
}

// TestRoutingShape checks a small routing-shaped instance against the SSP
// reference, so the benchmark's generator is exercised by go test too.
func TestRoutingShape(t *testing.T) {
	g := routingGraph(3, 300, 300, 5_000)
	sol, err := g.Solve()
	if err != nil {
		t.Fatal(err)
	}
	checkOptimal(t, g, sol)
	if ref, _, ok := sspSolve(g); !ok || ref != sol.Cost() {
		t.Fatalf("Cost() = %d, SSP reference %d (ok %v)", sol.Cost(), ref, ok)
	}
}

package routing

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// The national instance of the performance target (Generate at scale 1).
// Run with:
//
//	go test -run '^$' -bench National -benchtime 1x ./production/routing/
//
// Figures and the machine they came from are in docs/routing.md.

var (
	nationalOnce sync.Once
	national     Problem
)

func nationalProblem() Problem {
	nationalOnce.Do(func() { national = Generate(1, 1) })
	return national
}

// heapSampler records the peak of the heap in use (HeapInuse: spans holding
// objects, live or not yet swept) while a run goes on, sampled every 10 ms
// through runtime/metrics, which does not stop the world.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak uint64
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	read := func() {
		metrics.Read(samples)
		h.peak = max(h.peak, samples[0].Value.Uint64()+samples[1].Value.Uint64())
	}
	go func() {
		defer close(h.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-h.stop:
				read()
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	<-h.done
	return h.peak
}

// BenchmarkNational solves the national instance and reports, beside the
// time per solve and the peak heap, Solve's and Greedy's units on time and
// kilometres on the same instance.
func BenchmarkNational(b *testing.B) {
	p := nationalProblem()
	g, err := Greedy(p)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var res *Result
	var peak uint64
	for i := 0; i < b.N; i++ {
		h := startHeapSampler()
		if res, err = Solve(p); err != nil {
			b.Fatal(err)
		}
		peak = max(peak, h.Stop())
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := res.Stats
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/solve")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MiB")
	b.ReportMetric(float64(st.UnitsOnTime), "ontime-units")
	b.ReportMetric(float64(st.WeightedOnTime), "ontime-weighted")
	b.ReportMetric(float64(st.UnitsLate), "late-units")
	b.ReportMetric(float64(st.UnitsUnallocated), "unalloc-units")
	b.ReportMetric(st.TotalKM, "total-km")
	b.ReportMetric(float64(g.Stats.UnitsOnTime), "greedy-ontime-units")
	b.ReportMetric(float64(g.Stats.WeightedOnTime), "greedy-ontime-weighted")
	b.ReportMetric(float64(g.Stats.UnitsLate), "greedy-late-units")
	b.ReportMetric(float64(g.Stats.UnitsUnallocated), "greedy-unalloc-units")
	b.ReportMetric(g.Stats.TotalKM, "greedy-total-km")
	// The rest is for docs/benchmarks.md (scripts/benchreport), which
	// takes every figure from the benchmark lines.
	b.ReportMetric(float64(st.UnitsRequested), "requested-units")
	b.ReportMetric(float64(len(p.Requests)), "request-lines")
	b.ReportMetric(float64(st.Regions), "regions")
	b.ReportMetric(float64(st.Nodes), "nodes")
	b.ReportMetric(float64(st.Arcs), "arcs")
	b.ReportMetric(float64(st.Phases), "phases")
	b.ReportMetric(float64(st.Pivots), "pivots")
	b.ReportMetric(float64(st.Jobs), "jobs")
	b.ReportMetric(st.LateUnitDays, "late-unit-days")
	b.ReportMetric(float64(g.Stats.Jobs), "greedy-jobs")
	b.ReportMetric(g.Stats.LateUnitDays, "greedy-late-unit-days")
	b.Logf("requested %d units in %d lines; Solve: %d regions, %d nodes, %d arcs, %d phases, %d pivots, solver %v of CPU, %d jobs, %.0f unit-km, %.0f late unit-days",
		st.UnitsRequested, len(p.Requests), st.Regions, st.Nodes, st.Arcs, st.Phases, st.Pivots, st.SolverElapsed, st.Jobs, st.UnitKM, st.LateUnitDays)
	b.Logf("Greedy: %d jobs, %.0f unit-km, %.0f late unit-days, %v", g.Stats.Jobs, g.Stats.UnitKM, g.Stats.LateUnitDays, g.Stats.Elapsed)
}

// BenchmarkNationalGreedy times the baseline on the same instance.
func BenchmarkNationalGreedy(b *testing.B) {
	p := nationalProblem()
	b.ResetTimer()
	var res *Result
	var err error
	for i := 0; i < b.N; i++ {
		if res, err = Greedy(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/solve")
	b.ReportMetric(float64(res.Stats.UnitsOnTime), "ontime-units")
	b.ReportMetric(res.Stats.TotalKM, "total-km")
}

package production_test

import (
	"context"
	"testing"
	"time"

	"github.com/makerhub/makerhub/production"
)

// TestRunScheduler runs the routing loop as `makerhub serve` does: a request
// made while it runs is routed by the schedule (a run with no starter, jobs
// offered to the maker), and cancelling the context stops the loop.
func TestRunScheduler(t *testing.T) {
	e := newEnv(t)
	r := e.request(e.nurse, e.shield, 30, production.High, 5)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		e.svc.RunScheduler(ctx, 20*time.Millisecond)
	}()

	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, n, err := e.svc.FindRoutingRuns(as(e.coord), 0, 1); err != nil {
			t.Fatal(err)
		} else if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no scheduled routing run within 30 s")
		}
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("RunScheduler did not return after its context was cancelled")
	}

	// The loop may have run more than once; each later run re-plans the
	// unclaimed jobs of the one before, so the newest holds the offers.
	runs, n, err := e.svc.FindRoutingRuns(as(e.coord), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		if run.StartedBy != nil {
			t.Errorf("scheduled run %d has started_by %d, want none", run.ID, *run.StartedBy)
		}
	}
	time.Sleep(50 * time.Millisecond) // 2 intervals: a stopped loop starts no run
	if _, after, _ := e.svc.FindRoutingRuns(as(e.coord), 0, 1); after != n {
		t.Errorf("%d runs when the loop stopped, %d a moment later", n, after)
	}
	full, err := e.svc.FindRoutingRunByID(as(e.coord), runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	units := 0
	for _, j := range full.Jobs {
		if j.RequestID != r.ID || j.State != production.JobOffered {
			t.Errorf("job %+v: want an offer for request %d", j, r.ID)
		}
		units += j.Quantity
	}
	if units != 30 {
		t.Errorf("the scheduled run planned %d units of the 30 requested: %+v", units, full.Stats)
	}
}

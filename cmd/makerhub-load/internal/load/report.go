package load

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// TargetP99 is the target for every endpoint but uploads and
// routing.
const TargetP99 = 200 * time.Millisecond

// anchorEndpoint is pinged through the day: the latency of a call that
// does no work, measured on the same machine in the same run.
const anchorEndpoint = "GET /readyz"

// Report is the figures of a day.
type Report struct {
	Scale         Scale           `json:"scale"`
	DurationS     float64         `json:"duration_s"`
	Requests      int64           `json:"requests"`
	ThroughputRPS float64         `json:"throughput_rps"`
	Endpoints     []EndpointStats `json:"endpoints"`
	Anchor        *EndpointStats  `json:"anchor,omitempty"`
	TargetP99MS   float64         `json:"target_p99_ms"`
	Invariants    []Invariant     `json:"invariants"`
	Stages        []Stage         `json:"stages"`
	Hub           *HubUsage       `json:"hub,omitempty"`
	Unanswered    int64           `json:"unanswered"`
	// Errors are the first errors of steps the day went on past.
	Errors  []string `json:"errors,omitempty"`
	Command string   `json:"command,omitempty"`
}

// Scale is what the day was asked to simulate.
type Scale struct {
	Makers      int    `json:"makers"`
	Hospitals   int    `json:"hospitals"`
	Units       int    `json:"units"`
	Designs     int    `json:"designs"`
	Rounds      int    `json:"rounds"`
	Concurrency int    `json:"concurrency"`
	Seed        uint64 `json:"seed"`
}

// HubUsage is the hub process's peak memory and CPU time, read from /proc
// when the load is told its PID.
type HubUsage struct {
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	CPUS       float64 `json:"cpu_s"`
}

// exempt: the target does not cover uploads and routing.
func exempt(ep string) bool {
	return strings.HasSuffix(ep, "/files") || strings.HasPrefix(ep, "POST /api/v1/routing/runs")
}

func (l *Load) report(elapsed time.Duration) *Report {
	cfg := l.cfg
	r := &Report{Scale: Scale{cfg.Makers, cfg.Hospitals, cfg.Units, cfg.Designs, cfg.Rounds, cfg.Concurrency, cfg.Seed},
		DurationS: elapsed.Seconds(), TargetP99MS: float64(TargetP99.Milliseconds()), Unanswered: l.c.unanswered.Load(), Stages: l.stages}
	l.errMu.Lock()
	r.Errors = slices.Clone(l.errs)
	l.errMu.Unlock()
	for _, e := range l.c.rec.stats(exempt) {
		if e.Endpoint == anchorEndpoint {
			r.Anchor = &e
			continue
		}
		r.Endpoints = append(r.Endpoints, e)
		r.Requests += int64(e.Count)
	}
	r.ThroughputRPS = float64(r.Requests) / elapsed.Seconds()
	return r
}

// pingAnchor calls /readyz every interval until ctx ends.
func (l *Load) pingAnchor(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.c.do(ctx, call{ep: anchorEndpoint, path: "/readyz", want: 200})
		}
	}
}

// ReadHubUsage reads a process's peak resident memory and CPU time (Linux).
func ReadHubUsage(pid int) (*HubUsage, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, fmt.Errorf("read the hub's memory: %w", err)
	}
	u := &HubUsage{}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			u.PeakRSSMiB = kb / 1024
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, fmt.Errorf("read the hub's CPU time: %w", err)
	}
	// Fields after the command's closing parenthesis; utime and stime are
	// the 14th and 15th of the line, in clock ticks (100 a second on Linux).
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(f) > 12 {
		ut, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		u.CPUS = (ut + st) / 100
	}
	return u, nil
}

// Failures lists what went wrong that is not a matter of speed: errors
// that were the hub's, answers the load did not expect, broken invariants,
// steps that failed.
func (r *Report) Failures() []string {
	var out []string
	for _, e := range r.Endpoints {
		if e.ErrorsHub > 0 || e.ErrorsClient > 0 {
			out = append(out, fmt.Sprintf("%s: %d errors of the hub's, %d unexpected answers", e.Endpoint, e.ErrorsHub, e.ErrorsClient))
		}
	}
	for _, inv := range r.Invariants {
		if !inv.OK {
			out = append(out, "invariant broken: "+inv.Name)
		}
	}
	if len(r.Invariants) == 0 {
		out = append(out, "the invariants were not checked")
	}
	return append(out, r.Errors...)
}

// Slow lists the endpoints whose p99 missed the target (uploads and
// routing are exempt).
func (r *Report) Slow() []string {
	var out []string
	for _, e := range r.Endpoints {
		if !e.Exempt && e.P99 >= r.TargetP99MS {
			out = append(out, fmt.Sprintf("%s: p99 %.1f ms", e.Endpoint, e.P99))
		}
	}
	return out
}

// Print writes the report as a table for people.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "day of %d makers, %d hospitals, %d units (%d designs, %d rounds, concurrency %d, seed %d)\n",
		r.Scale.Makers, r.Scale.Hospitals, r.Scale.Units, r.Scale.Designs, r.Scale.Rounds, r.Scale.Concurrency, r.Scale.Seed)
	fmt.Fprintf(w, "%d calls in %.1f s: %.1f calls/s; %d left unanswered\n\n", r.Requests, r.DurationS, r.ThroughputRPS, r.Unanswered)
	for _, s := range r.Stages {
		fmt.Fprintf(w, "  %-50s %8.1f s %8d calls  %s\n", s.Name, s.Seconds, s.Calls, s.Detail)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "endpoint\tcalls\thub errors\tunexpected\trefused\tp50 ms\tp90 ms\tp99 ms\tmax ms\ttarget\t")
	rows := r.Endpoints
	if r.Anchor != nil {
		rows = append(rows, *r.Anchor)
	}
	for _, e := range rows {
		target := "met"
		switch {
		case e.Endpoint == anchorEndpoint:
			target = "anchor"
		case e.Exempt:
			target = "exempt"
		case e.P99 >= r.TargetP99MS:
			target = "NOT MET"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t\n", e.Endpoint, e.Count, e.ErrorsHub, e.ErrorsClient, e.Refused,
			e.P50, e.P90, e.P99, e.Max, target)
	}
	tw.Flush()
	for _, e := range r.Endpoints {
		for _, x := range e.Examples {
			fmt.Fprintf(w, "  error on %s: %s\n", e.Endpoint, x)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  %s\n", e)
	}
	fmt.Fprintln(w)
	if r.Hub != nil {
		fmt.Fprintf(w, "hub: peak resident memory %.1f MiB, CPU %.1f s\n", r.Hub.PeakRSSMiB, r.Hub.CPUS)
	}
	for _, inv := range r.Invariants {
		mark := "ok  "
		if !inv.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %s: %s\n", mark, inv.Name, inv.Detail)
		for _, p := range inv.Problems {
			fmt.Fprintf(w, "       %s\n", p)
		}
	}
}

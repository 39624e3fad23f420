// Package load simulates an emergency day against a running hub, over its
// HTTP API only: makers and hospitals sign up, designs are shared and
// reviewed, hospitals file requests, routing offers jobs, makers claim,
// print, hand over, check and ship, hospitals confirm receipt. It records
// every call's latency per endpoint and, at the end, checks the hub's
// invariants and that everything the hub acknowledged is still there.
//
// cmd/makerhub-load runs it from the command line; the fault tests of
// cmd/makerhub-load run it while they kill the hub, stop its object
// storage or fill its disk.
package load

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Config is the scale and pace of a simulated day.
type Config struct {
	URL                 string // the hub, e.g. http://127.0.0.1:8080
	CoordinatorEmail    string // an account made with: makerhub users create --role coordinator
	CoordinatorPassword string

	Makers    int // makers who sign up, each with one or two printers
	Hospitals int // hospitals who sign up and are verified
	Units     int // units the hospitals request over the day
	Designs   int // designs shared (each with one of the four reference parts' STL)
	Rounds    int // routing runs over which the requests are filed

	Concurrency       int // actors working at once
	SignupConcurrency int // sign-ups and logins at once (each hashes a password: ~30 ms of a core)
	Seed              uint64

	// WaitForHub is how long the load waits for a hub that stopped
	// answering before it goes on (fault tests restart it); 0: it does not.
	WaitForHub time.Duration
	// HubPID, when set, is the hub's process on this machine: the report
	// gives its peak memory and CPU time.
	HubPID int
	Log    io.Writer // progress lines; nil: none
}

// Defaults fills what c leaves zero.
func (c *Config) defaults() error {
	if c.URL == "" || c.CoordinatorEmail == "" || c.CoordinatorPassword == "" {
		return errors.New("the hub's URL and a coordinator's email and password are required")
	}
	c.URL = strings.TrimRight(c.URL, "/")
	set := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	set(&c.Makers, 200)
	set(&c.Hospitals, 70)
	set(&c.Units, 1000)
	set(&c.Designs, 4)
	set(&c.Rounds, 6)
	set(&c.Concurrency, 8)
	set(&c.SignupConcurrency, 2)
	if c.Log == nil {
		c.Log = io.Discard
	}
	return nil
}

// Load is one simulated day.
type Load struct {
	cfg     Config
	c       *client
	rng     *mrand.Rand
	rngMu   sync.Mutex
	runID   string
	pass    string
	coord   *actor
	makers  []*actor
	byUser  map[int64]*actor
	hosps   []*actor
	designs []*design
	led     *ledger
	started time.Time
	stages  []Stage
	errMu   sync.Mutex
	errs    []string // the first errors of steps the day went on past
}

// New prepares a day; Run runs it.
func New(cfg Config) (*Load, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	b := make([]byte, 6)
	rand.Read(b)
	conns := max(cfg.Concurrency, cfg.SignupConcurrency) + 4
	return &Load{cfg: cfg, c: newClient(cfg.URL, conns, cfg.WaitForHub),
		rng: mrand.New(mrand.NewPCG(cfg.Seed, cfg.Seed>>1)), runID: hex.EncodeToString(b[:3]),
		pass: "load-" + hex.EncodeToString(b), byUser: map[int64]*actor{}, led: newLedger()}, nil
}

// Fault tells the load a fault test has the hub or its storage down (true)
// or back (false): what fails in between is counted as refused, not as
// the hub's error.
func (l *Load) Fault(on bool) {
	l.c.fault.Store(on)
	l.c.faults.Add(1)
}

// Progress is what the hub has acknowledged so far, for fault tests that
// strike in the middle of a phase.
func (l *Load) Progress() Progress { return l.led.progress() }

// Stage is a phase of the day and how long it took.
type Stage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Calls   int64   `json:"calls"`
	Detail  string  `json:"detail"`
}

func (l *Load) stage(name string, f func(ctx context.Context) (string, error), ctx context.Context) error {
	start, calls := time.Now(), l.c.calls.Load()
	fmt.Fprintf(l.cfg.Log, "%s: %s…\n", time.Since(l.started).Round(time.Millisecond), name)
	detail, err := f(ctx)
	s := Stage{Name: name, Seconds: time.Since(start).Seconds(), Calls: l.c.calls.Load() - calls, Detail: detail}
	l.stages = append(l.stages, s)
	fmt.Fprintf(l.cfg.Log, "%s: %s: %s (%d calls in %.1f s)\n", time.Since(l.started).Round(time.Millisecond), name, detail, s.Calls, s.Seconds)
	return err
}

// Run simulates the day and checks the hub afterwards. The report is
// returned even when the day failed part way, with the error.
func (l *Load) Run(ctx context.Context) (*Report, error) {
	l.started = time.Now()
	actx, stopAnchor := context.WithCancel(ctx)
	anchorDone := make(chan struct{})
	go func() { l.pingAnchor(actx, 100*time.Millisecond); close(anchorDone) }()
	go l.logProgress(actx, 30*time.Second)
	defer stopAnchor()
	err := l.stage("coordinator logs in", l.loginCoordinator, ctx)
	if err == nil {
		err = l.stage("makers and hospitals sign up", l.signUp, ctx)
	}
	if err == nil {
		err = l.stage("designs shared and reviewed", l.shareDesigns, ctx)
	}
	if err == nil {
		err = l.stage("the day: requests, routing, printing, shipping", l.day, ctx)
	}
	elapsed := time.Since(l.started)
	stopAnchor()
	<-anchorDone
	rep := l.report(elapsed)
	if l.cfg.HubPID > 0 {
		if u, err := ReadHubUsage(l.cfg.HubPID); err == nil {
			rep.Hub = u
		} else {
			fmt.Fprintln(l.cfg.Log, err)
		}
	}
	if err != nil {
		return rep, err
	}
	if err := l.stage("invariants", func(ctx context.Context) (string, error) {
		rep.Invariants = l.Check(ctx)
		return fmt.Sprintf("%d checked", len(rep.Invariants)), nil
	}, ctx); err != nil {
		return rep, err
	}
	rep.Stages = l.stages
	return rep, nil
}

// logProgress prints what the hub has acknowledged every interval, for
// stages that last minutes at national scale.
func (l *Load) logProgress(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p := l.led.progress()
			fmt.Fprintf(l.cfg.Log, "%s: %d calls; %d accounts, %d files, %d requests, %d claims, %d shipments, %d units received\n",
				time.Since(l.started).Round(time.Second), l.c.calls.Load(), p.Users, p.Files, p.Requests, p.Claims, p.Shipments, p.Received)
		}
	}
}

// note logs the first error of a step the day goes on past: its calls'
// outcomes are in the report's figures already.
func (l *Load) note(step string, err error) {
	if tolerate(err) == nil {
		return
	}
	fmt.Fprintf(l.cfg.Log, "%s: %v\n", step, err)
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if len(l.errs) < 20 {
		l.errs = append(l.errs, step+": "+err.Error())
	}
}

// intn is a random int in [0, n) from the day's seeded source.
func (l *Load) intn(n int) int {
	l.rngMu.Lock()
	defer l.rngMu.Unlock()
	return l.rng.IntN(n)
}

func (l *Load) chance(p float64) bool {
	l.rngMu.Lock()
	defer l.rngMu.Unlock()
	return l.rng.Float64() < p
}

// each runs f on 0..n-1 with at most workers at once and returns how many
// failed and the first error that is not tolerated (an expected refusal, a
// call a fault left unanswered).
func each(ctx context.Context, n, workers int, f func(ctx context.Context, i int) error) (failed int, first error) {
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	for range min(workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				if err := f(ctx, i); err != nil {
					mu.Lock()
					failed++
					if first == nil && tolerate(err) != nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return failed, first
}

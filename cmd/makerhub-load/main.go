// Command makerhub-load simulates an emergency day against a running hub,
// over its HTTP API: makers and hospitals sign up, designs are shared and
// reviewed, hospitals file requests, routing offers jobs, makers claim,
// print, hand over, check and ship, hospitals confirm receipt. It prints
// throughput and latency percentiles per endpoint, the errors, and the
// invariants it checks at the end; the exit status is 1 if an error was the
// hub's, an endpoint missed the p99 target, or an invariant broke.
//
//	makerhub users create --role coordinator --email coord@example.org   # once
//	MAKERHUB_LOAD_PASSWORD=… makerhub-load --url http://127.0.0.1:8080 --coordinator coord@example.org --scale national
//
// scripts/load.sh does all of it on a fresh hub.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/makerhub/makerhub/cmd/makerhub-load/internal/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "makerhub-load:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// scales are the named days: small is what the tests run, national the
// issue's target (the figures of 2020's largest national networks).
var scales = map[string]load.Config{
	"small":    {Makers: 200, Hospitals: 70, Units: 1000, Designs: 4, Rounds: 6},
	"national": {Makers: 20000, Hospitals: 7000, Units: 10000, Designs: 4, Rounds: 12},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("makerhub-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg      load.Config
		scale    string
		jsonPath string
		quiet    bool
	)
	fs.StringVar(&cfg.URL, "url", getenv("MAKERHUB_LOAD_URL"), "the hub's address (env MAKERHUB_LOAD_URL)")
	fs.StringVar(&cfg.CoordinatorEmail, "coordinator", getenv("MAKERHUB_LOAD_COORDINATOR"), "a coordinator account's email (env MAKERHUB_LOAD_COORDINATOR); its password comes from MAKERHUB_LOAD_PASSWORD")
	fs.StringVar(&scale, "scale", "small", "small (200 makers, 70 hospitals, 1,000 units) or national (20,000 makers, 7,000 hospitals, 10,000 units); the flags below change it")
	fs.IntVar(&cfg.Makers, "makers", 0, "makers who sign up")
	fs.IntVar(&cfg.Hospitals, "hospitals", 0, "hospitals who sign up")
	fs.IntVar(&cfg.Units, "units", 0, "units requested over the day")
	fs.IntVar(&cfg.Designs, "designs", 0, "designs shared (each uploads one of the four reference parts)")
	fs.IntVar(&cfg.Rounds, "rounds", 0, "routing runs over which the requests are filed")
	fs.IntVar(&cfg.Concurrency, "concurrency", 8, "people acting at once: the pace of the day")
	fs.IntVar(&cfg.SignupConcurrency, "signup-concurrency", 2, "sign-ups and logins at once (each costs the hub ~30 ms of a core)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed (0: from the clock); the report prints it")
	fs.IntVar(&cfg.HubPID, "hub-pid", 0, "the hub's process ID on this machine, to report its peak memory and CPU time")
	fs.DurationVar(&cfg.WaitForHub, "wait-for-hub", 0, "how long to wait for a hub that stopped answering (0: do not)")
	fs.StringVar(&jsonPath, "json", "", "also write the report as JSON to this file")
	fs.BoolVar(&quiet, "quiet", false, "no progress lines")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	base, ok := scales[scale]
	if !ok {
		return fmt.Errorf("%w: --scale %q is not known: use small or national", errUsage, scale)
	}
	for _, f := range []struct {
		p *int
		v int
	}{{&cfg.Makers, base.Makers}, {&cfg.Hospitals, base.Hospitals},
		{&cfg.Units, base.Units}, {&cfg.Designs, base.Designs}, {&cfg.Rounds, base.Rounds}} {
		if *f.p == 0 {
			*f.p = f.v
		}
	}
	cfg.CoordinatorPassword = getenv("MAKERHUB_LOAD_PASSWORD")
	if cfg.URL == "" || cfg.CoordinatorEmail == "" || cfg.CoordinatorPassword == "" {
		return fmt.Errorf("%w: give the hub's --url, a --coordinator email and its password in MAKERHUB_LOAD_PASSWORD "+
			"(make one with: makerhub users create --role coordinator)", errUsage)
	}
	if !quiet {
		cfg.Log = stderr
	}
	l, err := load.New(cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	rep, runErr := l.Run(ctx)
	rep.Command = "makerhub-load " + strings.Join(args, " ")
	rep.Print(stdout)
	if jsonPath != "" {
		b, err := json.MarshalIndent(rep, "", " ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if runErr != nil {
		return fmt.Errorf("the day stopped after %s: %w", time.Since(start).Round(time.Second), runErr)
	}
	if f := rep.Failures(); len(f) > 0 {
		return fmt.Errorf("the day failed: %s", strings.Join(f, "; "))
	}
	if s := rep.Slow(); len(s) > 0 {
		return fmt.Errorf("%w of %v: %s", errSlow, load.TargetP99, strings.Join(s, "; "))
	}
	return nil
}

// errSlow is a day that held but missed the latency target.
var errSlow = errors.New("the day missed the p99 target")

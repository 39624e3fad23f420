package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/makerhub/makerhub/cmd/makerhub-load/internal/load"
	"github.com/makerhub/makerhub/internal/testenv"
)

// The fault tests run a day with makerhub-load's engine against a hub in a
// process of its own, strike in the middle of it, and check afterwards that
// makerhub fsck is clean, the invariants hold and every success the hub
// answered is still there. `go test ./...` runs a small day; the longer
// variant is its own command:
//
//	MAKERHUB_FAULTS=long go test -count=1 -run Fault -timeout 90m -v ./cmd/makerhub-load/

// faultScale is the day each fault test runs, and how many times the kill
// test strikes.
func faultScale() (load.Config, int) {
	if os.Getenv("MAKERHUB_FAULTS") == "long" {
		return load.Config{Makers: 2000, Hospitals: 500, Units: 5000, Designs: 12, Rounds: 12, Concurrency: 8}, 3
	}
	return load.Config{Makers: 60, Hospitals: 20, Units: 400, Designs: 8, Rounds: 6, Concurrency: 6}, 1
}

func newLoad(t *testing.T, h *hubProc, cfg load.Config) *load.Load {
	t.Helper()
	cfg.URL, cfg.CoordinatorEmail, cfg.CoordinatorPassword = h.URL(), coordEmail, coordPassword
	cfg.WaitForHub = 2 * time.Minute
	cfg.Seed = 2020
	cfg.Log = testWriter{t}
	l, err := load.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

type result struct {
	rep *load.Report
	err error
}

func runLoad(l *load.Load) <-chan result {
	done := make(chan result, 1)
	go func() {
		rep, err := l.Run(context.Background())
		done <- result{rep, err}
	}()
	return done
}

// strikeWhen waits until ready says the day has reached the point to strike
// at; it fails the test if the day ends first.
func strikeWhen(t *testing.T, l *load.Load, done <-chan result, ready func(load.Progress) bool) {
	t.Helper()
	for !ready(l.Progress()) {
		select {
		case r := <-done:
			t.Fatalf("the day ended before the fault struck (%+v): nothing was tested; err %v", l.Progress(), r.err)
		case <-time.After(2 * time.Millisecond):
		}
	}
	t.Logf("striking at %+v", l.Progress())
}

// checkDay fails the test unless the day completed with every invariant
// holding and no error that was the hub's outside the fault.
func checkDay(t *testing.T, r result) *load.Report {
	t.Helper()
	var out strings.Builder
	if r.rep != nil {
		r.rep.Print(&out)
		t.Logf("report:\n%s", out.String())
	}
	if r.err != nil {
		t.Fatalf("the day failed: %v", r.err)
	}
	for _, e := range r.rep.Endpoints {
		if e.ErrorsHub > 0 || e.ErrorsClient > 0 {
			t.Errorf("%s: %d errors of the hub's and %d unexpected answers outside the fault: %v", e.Endpoint, e.ErrorsHub, e.ErrorsClient, e.Examples)
		}
	}
	for _, inv := range r.rep.Invariants {
		if !inv.OK {
			t.Errorf("invariant broken: %s: %s %v", inv.Name, inv.Detail, inv.Problems)
		}
	}
	if len(r.rep.Invariants) == 0 || len(r.rep.Errors) > 0 {
		t.Errorf("invariants checked: %d; errors: %v", len(r.rep.Invariants), r.rep.Errors)
	}
	return r.rep
}

func refusedOn(rep *load.Report, suffix string) (n int) {
	for _, e := range rep.Endpoints {
		if strings.HasSuffix(e.Endpoint, suffix) {
			n += e.Refused
		}
	}
	return n
}

// TestFaultKillHubMidDay kills the hub with SIGKILL while makers claim,
// print and ship, starts it again on the same address, and lets the day
// finish.
func TestFaultKillHubMidDay(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a hub process and a simulated day")
	}
	cfg, kills := faultScale()
	h := newHub(t, filepath.Join(t.TempDir(), "data"))
	l := newLoad(t, h, cfg)
	done := runLoad(l)
	for k := range kills {
		strikeWhen(t, l, done, func(p load.Progress) bool { return p.Shipments >= 5+k*cfg.Units/(8*kills) })
		l.Fault(true)
		h.Kill()
		h.Start()
		l.Fault(false)
	}
	rep := checkDay(t, <-done)
	t.Logf("%d calls got no answer while the hub was down", rep.Unanswered)
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	h.fsck()
}

// TestFaultMinIOStopsMidUploads stops the hub's MinIO while makers upload
// their designs and brings it back: uploads refused meanwhile (503) are
// tried again, and nothing half-stored is left behind.
func TestFaultMinIOStopsMidUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("runs MinIO, a hub process and a simulated day")
	}
	m := testenv.StartMinIO(t)
	cfg, _ := faultScale()
	cfg.Designs = 120 // uploads for long enough to strike in the middle of them
	s3 := []string{"--s3-endpoint", m.Endpoint, "--s3-access-key", m.AccessKey, "--s3-secret-key", m.SecretKey, "--s3-bucket", "faults"}
	h := newHub(t, filepath.Join(t.TempDir(), "data"), s3...)
	l := newLoad(t, h, cfg)
	done := runLoad(l)
	strikeWhen(t, l, done, func(p load.Progress) bool { return p.Files >= 2 })
	// Down for longer than minio-go's retries last (about 8 s in all; a
	// shorter outage only slows the uploads in flight down).
	l.Fault(true)
	m.Stop(t)
	time.Sleep(12 * time.Second)
	m.Start(t)
	l.Fault(false)
	rep := checkDay(t, <-done)
	if n := refusedOn(rep, "/files"); n == 0 {
		t.Errorf("no upload was refused while MinIO was down: the fault struck after the uploads")
	} else {
		t.Logf("%d uploads refused while MinIO was down, then tried again", n)
	}
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	h.fsck()
}

// TestFaultDataDiskFills fills the disk holding the hub's database and
// files (a 64 MiB tmpfs) in the middle of the day, then frees it: the hub
// refuses what it cannot store with 503, stays up, and goes on.
func TestFaultDataDiskFills(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs and runs a hub process")
	}
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", dir).CombinedOutput(); err != nil {
		msg := "cannot mount a 64 MiB tmpfs for the data disk (needs root): " + strings.TrimSpace(string(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	cfg, _ := faultScale()
	h := newHub(t, filepath.Join(dir, "data"))
	l := newLoad(t, h, cfg)
	done := runLoad(l)
	strikeWhen(t, l, done, func(p load.Progress) bool { return p.Shipments >= 5 })
	l.Fault(true)
	filler := filepath.Join(dir, "filler")
	fillDisk(t, filler)
	time.Sleep(1500 * time.Millisecond)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	l.Fault(false)
	rep := checkDay(t, <-done)
	refused := 0
	for _, e := range rep.Endpoints {
		refused += e.Refused
	}
	t.Logf("%d calls refused while the disk was full", refused)
	if h.Exited() {
		t.Fatalf("the hub exited when its disk filled")
	}
	if strings.Contains(h.Logs.String(), "internal error") {
		t.Errorf("a full disk gave internal errors, not a clear 503:\n%s", h.Logs.Tail(4096))
	}
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	h.fsck()
}

// fillDisk writes name until the disk is full.
func fillDisk(t *testing.T, name string) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

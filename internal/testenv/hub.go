package testenv

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// LockedBuffer is a bytes.Buffer that a process (or a server's logger)
// writes while a test reads it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Tail is the last n bytes written.
func (l *LockedBuffer) Tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.b.Bytes()
	return string(b[max(0, len(b)-n):])
}

var hubBuilds struct {
	sync.Mutex
	bins map[string]string // by the package's folder
}

// BuildHub builds the makerhub command in dir — its folder from the test's
// package: "." in cmd/makerhub, "../makerhub" beside it — once per test
// binary, and returns the binary's path.
func BuildHub(tb testing.TB, dir string) string {
	tb.Helper()
	hubBuilds.Lock()
	defer hubBuilds.Unlock()
	if bin, ok := hubBuilds.bins[dir]; ok {
		return bin
	}
	tmp, err := os.MkdirTemp("", "makerhub-bin")
	if err != nil {
		tb.Fatal(err)
	}
	bin := filepath.Join(tmp, "makerhub")
	if out, err := exec.Command("go", "build", "-o", bin, dir).CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	if hubBuilds.bins == nil {
		hubBuilds.bins = map[string]string{}
	}
	hubBuilds.bins[dir] = bin
	return bin
}

// HubProcess is `makerhub serve` in a process of its own: for tests that
// kill it, restart it on the same address or read its memory, and for
// benchmarks that must not share a process with their load.
type HubProcess struct {
	Bin  string   // the makerhub binary
	Data string   // its --data folder; empty: left to Env (MAKERHUB_DATA)
	Addr string   // the loopback address it listens on, the same after a restart
	Args []string // serve's flags after --data and --addr
	Env  []string // its environment; nil: the test's
	Logs *LockedBuffer

	tb      testing.TB
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has ended
	waitErr error         // how it ended, once exited is closed
}

// NewHub prepares a hub on a free loopback port without starting it. Its
// flags turn off what gets in a test's way — scheduled routing, login rate
// limits (every client is on loopback) — and log warnings only; args come
// after them and win.
func NewHub(tb testing.TB, bin, data string, args ...string) *HubProcess {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	h := &HubProcess{tb: tb, Bin: bin, Data: data, Addr: addr, Logs: &LockedBuffer{},
		Args: append([]string{"--routing-every", "0", "--login-ip-burst", "-1", "--login-account-burst", "-1", "--log-level", "warn"}, args...)}
	tb.Cleanup(func() {
		if h.cmd != nil {
			h.Kill()
		}
		if tb.Failed() {
			tb.Logf("hub log (last 4 KB):\n%s", h.Logs.Tail(4096))
		}
	})
	return h
}

// StartHub is NewHub, then Start.
func StartHub(tb testing.TB, bin, data string, args ...string) *HubProcess {
	tb.Helper()
	h := NewHub(tb, bin, data, args...)
	h.Start()
	return h
}

// URL is the hub's base URL.
func (h *HubProcess) URL() string { return "http://" + h.Addr }

// Start starts the hub (again, after Kill or Stop) and waits until it
// answers /readyz.
func (h *HubProcess) Start() {
	h.tb.Helper()
	args := []string{"serve", "--addr", h.Addr}
	if h.Data != "" {
		args = append(args, "--data", h.Data)
	}
	h.cmd = exec.Command(h.Bin, append(args, h.Args...)...)
	h.cmd.Env, h.cmd.Stderr = h.Env, h.Logs
	if err := h.cmd.Start(); err != nil {
		h.tb.Fatal(err)
	}
	exited := make(chan struct{})
	h.exited = exited
	go func(cmd *exec.Cmd) {
		h.waitErr = cmd.Wait()
		close(exited)
	}(h.cmd)
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(h.URL() + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if h.Exited() {
			h.tb.Fatalf("the hub exited before it was ready: %v; its log:\n%s", h.waitErr, h.Logs.Tail(4096))
		}
		if time.Since(start) > 60*time.Second {
			h.tb.Fatalf("the hub did not become ready in 60 s; its log:\n%s", h.Logs.Tail(4096))
		}
	}
}

// PID is the running hub's process id.
func (h *HubProcess) PID() int { return h.cmd.Process.Pid }

// Exited reports whether the hub's process has ended on its own since
// it was last started.
func (h *HubProcess) Exited() bool {
	if h.cmd == nil {
		return false
	}
	select {
	case <-h.exited:
		return true
	default:
		return false
	}
}

// Kill ends the hub with SIGKILL — no shutdown, no checkpoint — as a power
// cut or the OOM killer would.
func (h *HubProcess) Kill() {
	h.cmd.Process.Kill()
	<-h.exited
	h.cmd = nil
}

// Stop ends the hub with SIGTERM, as an operator does, and returns how it
// exited.
func (h *HubProcess) Stop() error {
	h.cmd.Process.Signal(syscall.SIGTERM)
	<-h.exited
	h.cmd = nil
	if h.waitErr != nil {
		return fmt.Errorf("makerhub serve exited: %w", h.waitErr)
	}
	return nil
}

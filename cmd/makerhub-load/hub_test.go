package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// hubProc is a makerhub serve process the fault tests can kill and start
// again on the same address, as a supervisor would.
type hubProc struct {
	t    *testing.T
	bin  string
	data string
	addr string
	args []string
	cmd  *exec.Cmd
	logs *syncBuffer
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// hubBinary builds cmd/makerhub once for the package's tests.
func hubBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "makerhub-faults")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "makerhub")
		if out, err := exec.Command("go", "build", "-o", builtBin, "../makerhub").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ../makerhub: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

const coordEmail, coordPassword = "coordinator@faults.example.org", "fault tests coordinator"

// newHub prepares a data folder with a coordinator and starts a hub on it.
func newHub(t *testing.T, data string, args ...string) *hubProc {
	t.Helper()
	h := &hubProc{t: t, bin: hubBinary(t), data: data, args: args}
	cmd := exec.Command(h.bin, "users", "create", "--data", data, "--email", coordEmail, "--name", "Coordinator", "--role", "coordinator")
	cmd.Stdin = strings.NewReader(coordPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("users create: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	ln.Close()
	h.start()
	t.Cleanup(func() {
		if h.cmd != nil {
			h.cmd.Process.Kill()
			h.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("hub log (last 4 KB):\n%s", h.logs.tail(4096))
		}
	})
	return h
}

func (h *hubProc) url() string { return "http://" + h.addr }

// start starts the hub and waits until it answers /readyz.
func (h *hubProc) start() {
	h.t.Helper()
	if h.logs == nil {
		h.logs = &syncBuffer{}
	}
	args := append([]string{"serve", "--data", h.data, "--addr", h.addr, "--routing-every", "0",
		"--login-ip-burst", "-1", "--login-account-burst", "-1", "--log-level", "warn"}, h.args...)
	h.cmd = exec.Command(h.bin, args...)
	h.cmd.Stderr = h.logs
	if err := h.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(h.url() + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Since(start) > 60*time.Second {
			h.t.Fatalf("the hub did not become ready in 60 s; its log:\n%s", h.logs.tail(4096))
		}
	}
}

// kill ends the hub with SIGKILL: no shutdown, no checkpoint.
func (h *hubProc) kill() {
	h.t.Helper()
	h.cmd.Process.Kill()
	h.cmd.Wait()
	h.cmd = nil
}

// stop ends the hub with SIGTERM, as an operator does.
func (h *hubProc) stop() {
	h.t.Helper()
	h.cmd.Process.Signal(os.Interrupt)
	h.cmd.Wait()
	h.cmd = nil
}

// fsck runs makerhub fsck with the hub's storage flags and fails the test
// unless it reports the hub clean.
func (h *hubProc) fsck(env ...string) {
	h.t.Helper()
	cmd := exec.Command(h.bin, append([]string{"fsck", "--data", h.data}, h.args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("\nclean\n")) {
		h.t.Fatalf("makerhub fsck: %v\n%s", err, out)
	}
	h.t.Logf("makerhub fsck: %s", bytes.TrimSpace(out))
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.b.Bytes()
	return string(b[max(0, len(b)-n):])
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

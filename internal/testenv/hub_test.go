package testenv_test

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/makerhub/makerhub/internal/testenv"
)

// TestHubProcess: a hub that dies on its own is seen to have exited (the
// disk-full fault test relies on it), starts again on its address, and
// stops cleanly on SIGTERM.
func TestHubProcess(t *testing.T) {
	bin := testenv.BuildHub(t, "../../cmd/makerhub")
	h := testenv.StartHub(t, bin, filepath.Join(t.TempDir(), "data"))
	if h.Exited() {
		t.Fatal("a running hub reads as exited")
	}
	addr := h.Addr
	if err := syscall.Kill(h.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); !h.Exited(); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("a hub killed from outside does not read as exited")
		}
	}
	h.Kill() // reaps it; a no-op on the process
	h.Start()
	if h.Addr != addr || h.Exited() {
		t.Fatalf("restarted on %s (was %s), exited %v", h.Addr, addr, h.Exited())
	}
	if err := h.Stop(); err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, h.Logs.Tail(2048))
	}
}

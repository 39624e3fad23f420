package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/internal/testenv"
)

// hubProc is a makerhub serve process the fault tests can kill and start
// again on the same address, as a supervisor would.
type hubProc struct {
	*testenv.HubProcess
	t       *testing.T
	storage []string // serve's storage flags, which fsck takes too
}

const coordEmail, coordPassword = "coordinator@faults.example.org", "fault tests coordinator"

// newHub prepares a data folder with a coordinator and starts a hub on it,
// with the given storage flags.
func newHub(t *testing.T, data string, storage ...string) *hubProc {
	t.Helper()
	bin := testenv.BuildHub(t, "../makerhub")
	cmd := exec.Command(bin, "users", "create", "--data", data, "--email", coordEmail, "--name", "Coordinator", "--role", "coordinator")
	cmd.Stdin = strings.NewReader(coordPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("users create: %v\n%s", err, out)
	}
	return &hubProc{HubProcess: testenv.StartHub(t, bin, data, storage...), t: t, storage: storage}
}

// fsck runs makerhub fsck with the hub's storage flags and fails the test
// unless it reports the hub clean.
func (h *hubProc) fsck(env ...string) {
	h.t.Helper()
	cmd := exec.Command(h.Bin, append([]string{"fsck", "--data", h.Data}, h.storage...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("\nclean\n")) {
		h.t.Fatalf("makerhub fsck: %v\n%s", err, out)
	}
	h.t.Logf("makerhub fsck: %s", bytes.TrimSpace(out))
}

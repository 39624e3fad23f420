package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
)

// env is a fake environment for run's getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func freeAddr(t *testing.T) string { t.Helper(); return freeAddrTB(t) }

func freeAddrTB(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// hub is `makerhub serve` running in-process through run.
type hub struct {
	url    string
	logs   *testenv.LockedBuffer
	cancel context.CancelFunc
	done   chan error
}

func startHub(t *testing.T, e env, args ...string) *hub {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	h := &hub{url: "http://" + addr, logs: &testenv.LockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	args = append([]string{"serve", "--addr", addr}, args...)
	go func() { h.done <- run(ctx, args, e.get, strings.NewReader(""), io.Discard, h.logs) }()
	t.Cleanup(func() { h.stop(t) })
	waitStatus(t, h.url+"/healthz", 200, 15*time.Second, h.logs)
	return h
}

func (h *hub) stop(t *testing.T) error {
	t.Helper()
	if h.cancel == nil {
		return nil
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		return err
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not return after cancel")
	}
	return nil
}

// waitStatus polls url until it answers status, or fails after timeout.
func waitStatus(t *testing.T, url string, status int, timeout time.Duration, logs fmt.Stringer) time.Duration {
	t.Helper()
	start := time.Now()
	var last string
	for time.Since(start) < timeout {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == status {
				return time.Since(start)
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, b)
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %d within %s; last: %s\nlogs:\n%s", url, status, timeout, last, logs)
	return 0
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const signup = `{"email":"ada@example.org","password":"correct horse battery","name":"Ada","role":"maker",
	"organisation":{"name":"Fablab Grenoble","address":"1 Place Grenette","lat":45.19,"lon":5.72}}`
const login = `{"email":"ada@example.org","password":"correct horse battery"}`

func TestServeOnEmbeddedDefaultsKeepsAccountsAcrossRestart(t *testing.T) {
	data := t.TempDir()
	e := env{"MAKERHUB_DATA": data}
	h := startHub(t, e)
	waitStatus(t, h.url+"/readyz", 200, 5*time.Second, h.logs)
	if code, body := post(t, h.url+"/api/v1/auth/signup", signup); code != 201 {
		t.Fatalf("signup: %d %s", code, body)
	}
	if err := h.stop(t); err != nil {
		t.Fatalf("serve returned %v after cancel, want nil", err)
	}
	for _, f := range []string{"makerhub.db", "blobs"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("%s not under the data folder: %v", f, err)
		}
	}
	if !strings.Contains(h.logs.String(), "no coordinator account exists yet") ||
		!strings.Contains(h.logs.String(), "makerhub users create") {
		t.Errorf("serve did not say how to create the first coordinator:\n%s", h.logs)
	}

	h2 := startHub(t, e)
	if code, body := post(t, h2.url+"/api/v1/auth/login", login); code != 200 {
		t.Fatalf("login after restart: %d %s", code, body)
	}
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	envData, flagData := t.TempDir(), t.TempDir()
	h := startHub(t, env{"MAKERHUB_DATA": envData, "MAKERHUB_LOG_FORMAT": "json"}, "--data", flagData)
	h.stop(t)
	if _, err := os.Stat(filepath.Join(flagData, "makerhub.db")); err != nil {
		t.Errorf("--data was ignored: %v", err)
	}
	if _, err := os.Stat(filepath.Join(envData, "makerhub.db")); err == nil {
		t.Error("MAKERHUB_DATA won over --data")
	}
	if !strings.Contains(h.logs.String(), `"msg":"makerhub serving"`) {
		t.Errorf("MAKERHUB_LOG_FORMAT=json not applied:\n%s", h.logs)
	}
}

func TestBadConfigurationIsAUsageError(t *testing.T) {
	tests := []struct {
		args []string
		env  env
		want string
	}{
		{[]string{"serve", "--session-ttl", "soon"}, nil, "--session-ttl"},
		{[]string{"serve"}, env{"MAKERHUB_SESSION_TTL": "soon"}, `MAKERHUB_SESSION_TTL="soon"`},
		{[]string{"serve", "--log-level", "loud"}, nil, "--log-level"},
		{[]string{"serve", "extra"}, nil, `unexpected argument "extra"`},
		{[]string{"serve", "--smtp-url", "mail.example.org"}, nil, "the scheme must be smtp (STARTTLS) or smtps"},
		{[]string{"serve"}, env{"MAKERHUB_SMTP_URL": "smtp://hub:secret@mail.example.org", "MAKERHUB_MAIL_FROM": "hub"}, `--mail-from "hub" is not an e-mail address`},
		{[]string{"serve", "--mail-from", "hub@example.org"}, nil, "--mail-from is set but --smtp-url is not"},
		{[]string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{nil, nil, "no command"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, tt.env.get, strings.NewReader(""), io.Discard, io.Discard)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run %q with %v = %v, want a usage error mentioning %s", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestServeRefusesADatabaseFromANewerVersion(t *testing.T) {
	data := t.TempDir()
	h := startHub(t, env{"MAKERHUB_DATA": data})
	h.stop(t)
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "makerhub.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = run(context.Background(), []string{"serve", "--addr", freeAddr(t), "--data", data}, env{}.get, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "newer version of makerhub") {
		t.Fatalf("serve on a newer database = %v", err)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"help", "serve"}, {"serve", "--help"}, {"users", "create", "--help"}, {"version"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, env{}.get, nil, &out, io.Discard); err != nil {
			t.Errorf("makerhub %s: %v", strings.Join(args, " "), err)
		}
		if out.Len() == 0 {
			t.Errorf("makerhub %s printed nothing", strings.Join(args, " "))
		}
		if n := strings.Count(out.String(), "Usage:"); n > 1 {
			t.Errorf("makerhub %s printed its usage %d times:\n%s", strings.Join(args, " "), n, out.String())
		}
	}
	var out bytes.Buffer
	run(context.Background(), []string{"serve", "--help"}, env{}.get, nil, &out, io.Discard)
	for _, want := range []string{"--addr", "MAKERHUB_ADDR", "MAKERHUB_S3_ENDPOINT", "MAKERHUB_S3_SECURE", "MAKERHUB_DATA"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help lacks %s", want)
		}
	}
}

func TestUsersCreateFirstCoordinator(t *testing.T) {
	data := t.TempDir()
	e := env{"MAKERHUB_DATA": data}
	create := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"users", "create"}, args...), e.get, strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}
	out, err := create("a long coordinator password\n", "--email", "coord@example.org", "--name", "Camille", "--role", "coordinator")
	if err != nil || !strings.Contains(out, `"role":"coordinator"`) {
		t.Fatalf("users create = %q, %v", out, err)
	}
	if _, err := create("", "--email", "c2@example.org", "--name", "C"); err == nil || !strings.Contains(err.Error(), "no password on stdin") {
		t.Errorf("empty stdin: %v", err)
	}
	if _, err := create("a long coordinator password\n", "--email", "coord@example.org", "--name", "Camille"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := create("a long maker password\n", "--email", "m@example.org", "--name", "M", "--role", "maker"); err == nil || !strings.Contains(err.Error(), "organisation is required") {
		t.Errorf("maker without organisation: %v", err)
	}
	if out, err := create("a long maker password\n", "--email", "m@example.org", "--name", "M", "--role", "maker",
		"--org-name", "Fablab", "--org-address", "Grenoble", "--org-lat", "45.19", "--org-lon", "5.72"); err != nil || !strings.Contains(out, `"kind":"makers"`) {
		t.Errorf("maker with organisation: %q %v", out, err)
	}

	// The coordinator can log in, and serve no longer warns.
	h := startHub(t, e)
	if code, body := post(t, h.url+"/api/v1/auth/login", `{"email":"coord@example.org","password":"a long coordinator password"}`); code != 200 {
		t.Fatalf("coordinator login: %d %s", code, body)
	}
	h.stop(t)
	if strings.Contains(h.logs.String(), "no coordinator account") {
		t.Error("serve warns about a missing coordinator although one exists")
	}
}

// TestSIGTERMLetsRequestsInFlightFinish runs the real binary: a request whose
// body is still arriving when SIGTERM comes is answered, and the process then
// exits 0.
func TestSIGTERMLetsRequestsInFlightFinish(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "makerhub")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", t.TempDir())
	logs := &testenv.LockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	waitStatus(t, "http://"+addr+"/readyz", 200, 15*time.Second, logs)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	half := len(signup) / 2
	fmt.Fprintf(conn, "POST /api/v1/auth/signup HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(signup), signup[:half])
	time.Sleep(200 * time.Millisecond) // the server is now reading the body

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLog(t, logs, "shutting down", 5*time.Second)
	// New connections are refused while the old request finishes.
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted after SIGTERM")
	}
	if _, err := io.WriteString(conn, signup[half:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufioReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request got no response: %v\n%s", err, logs)
	}
	if resp.StatusCode != 201 {
		t.Fatalf("in-flight request: %d", resp.StatusCode)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("process still running 20 s after SIGTERM\n%s", logs)
	}
}

func waitLog(t *testing.T, logs fmt.Stringer, want string, timeout time.Duration) {
	t.Helper()
	for start := time.Now(); time.Since(start) < timeout; time.Sleep(20 * time.Millisecond) {
		if strings.Contains(logs.String(), want) {
			return
		}
	}
	t.Fatalf("log never said %q:\n%s", want, logs)
}

// TestServeOnMinIO points the hub at a real MinIO: ready, then not ready
// within 5 s of MinIO stopping, then ready again when it returns — without
// restarting the hub.
func TestServeOnMinIO(t *testing.T) {
	m := testenv.StartMinIO(t)
	e := env{
		"MAKERHUB_DATA":          t.TempDir(),
		"MAKERHUB_S3_ENDPOINT":   m.Endpoint,
		"MAKERHUB_S3_ACCESS_KEY": m.AccessKey,
		"MAKERHUB_S3_SECRET_KEY": m.SecretKey,
		"MAKERHUB_S3_BUCKET":     "hub-blobs",
		"MAKERHUB_S3_SECURE":     "false",
	}
	h := startHub(t, e)
	waitStatus(t, h.url+"/readyz", 200, 10*time.Second, h.logs)
	if !strings.Contains(h.logs.String(), "s3://"+m.Endpoint+"/hub-blobs") {
		t.Errorf("serve does not log that blobs go to MinIO:\n%s", h.logs)
	}

	m.Stop(t)
	took := waitStatus(t, h.url+"/readyz", 503, 5*time.Second, h.logs)
	t.Logf("readyz turned 503 %s after MinIO stopped", took.Round(time.Millisecond))
	resp, err := http.Get(h.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "object store") {
		t.Errorf("503 body does not name the object store: %s", b)
	}

	m.Start(t)
	waitStatus(t, h.url+"/readyz", 200, 15*time.Second, h.logs)
}

// TestServeWaitsForMinIOAtStart: the hub starts while MinIO is down, creates
// the bucket once MinIO is up, and becomes ready.
func TestServeWaitsForMinIOAtStart(t *testing.T) {
	m := testenv.StartMinIO(t)
	m.Stop(t)
	h := startHub(t, env{
		"MAKERHUB_DATA": t.TempDir(), "MAKERHUB_S3_ENDPOINT": m.Endpoint,
		"MAKERHUB_S3_ACCESS_KEY": m.AccessKey, "MAKERHUB_S3_SECRET_KEY": m.SecretKey,
		"MAKERHUB_S3_BUCKET": "late-bucket",
	})
	waitStatus(t, h.url+"/readyz", 503, 5*time.Second, h.logs)
	m.Start(t)
	waitStatus(t, h.url+"/readyz", 200, 45*time.Second, h.logs)
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

package testenv_test

import (
	"fmt"
	"net/http"
	"net/smtp"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/internal/testenv"
)

// TestScriptVersion checks that scripts/ensure-minio.sh and
// scripts/ensure-mailpit.sh build the versions the tests look for;
// otherwise a script would build a binary the tests never find.
func TestScriptVersion(t *testing.T) {
	for script, want := range map[string]string{"ensure-minio.sh": testenv.MinIOVersion, "ensure-mailpit.sh": testenv.MailpitVersion} {
		b, err := os.ReadFile("../../scripts/" + script)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^VERSION="([^"]+)"$`).FindSubmatch(b)
		if m == nil {
			t.Fatalf(`scripts/%s has no line VERSION="…"`, script)
		}
		if got := string(m[1]); got != want {
			t.Errorf("scripts/%s builds %s, the tests look for %s; make them agree", script, got, want)
		}
	}
}

func TestMinIOBinaryFromEnv(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAKERHUB_MINIO", exe)
	if got := testenv.MinIOBinary(t); got != exe {
		t.Fatalf("MinIOBinary = %q, want $MAKERHUB_MINIO %q", got, exe)
	}
}

// recorder is a testing.TB that records Skipf and Fatalf instead of ending
// the test, to check which one MinIOBinary calls.
type recorder struct {
	testing.TB
	skipped, fatal string
}

func (r *recorder) Skipf(format string, args ...any)  { r.skipped = fmt.Sprintf(format, args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }

// TestMinIOBinaryMissing checks that a missing binary skips a test on a
// developer's machine but fails it in CI, both with a hint how to get it.
func TestMinIOBinaryMissing(t *testing.T) {
	t.Setenv("MAKERHUB_MINIO", "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())

	t.Setenv("CI", "")
	r := &recorder{TB: t}
	testenv.MinIOBinary(r)
	if r.fatal != "" || !strings.Contains(r.skipped, "scripts/ensure-minio.sh") {
		t.Errorf("outside CI: skipped %q, failed %q; want a skip naming scripts/ensure-minio.sh", r.skipped, r.fatal)
	}

	t.Setenv("CI", "true")
	r = &recorder{TB: t}
	testenv.MinIOBinary(r)
	if r.skipped != "" || !strings.Contains(r.fatal, "scripts/ensure-minio.sh") {
		t.Errorf("in CI: skipped %q, failed %q; want a failure naming scripts/ensure-minio.sh", r.skipped, r.fatal)
	}
}

// TestCommandMissing: a missing command skips a test outside CI and fails
// it in CI, naming the script that installs it.
func TestCommandMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		if p := testenv.Command(r, "ssconvert", "gnumeric"); p != "" {
			t.Fatalf("found %s on an empty PATH", p)
		}
		got := r.skipped + r.fatal
		if (ci == "true") != (r.fatal != "") || !strings.Contains(got, "scripts/ensure-apt.sh ssconvert:gnumeric") {
			t.Errorf("CI=%q: skipped %q, failed %q", ci, r.skipped, r.fatal)
		}
	}
}

// TestStopStart checks what the outage tests rely on: after Stop the
// address refuses connections, and Start brings the server back on the same
// address with its data.
func TestStopStart(t *testing.T) {
	m := testenv.StartMinIO(t)
	ready := "http://" + m.Endpoint + "/minio/health/ready"
	client := &http.Client{Timeout: 2 * time.Second}
	get := func() (int, error) {
		resp, err := client.Get(ready)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := get(); err != nil || code != http.StatusOK {
		t.Fatalf("after StartMinIO: %d, %v", code, err)
	}
	m.Stop(t)
	if _, err := get(); err == nil {
		t.Fatal("MinIO still answers after Stop")
	}
	m.Stop(t) // stopping a stopped server is harmless
	m.Start(t)
	if code, err := get(); err != nil || code != http.StatusOK {
		t.Fatalf("after Start: %d, %v", code, err)
	}
}

// TestMailpit: mail sent to the test SMTP server is read back through its
// API, and survives a stop and a start.
func TestMailpit(t *testing.T) {
	m := testenv.StartMailpit(t)
	send := func(subject string) error {
		return smtp.SendMail(m.SMTP, nil, "hub@makerhub.example", []string{"nurse@chu.example"},
			[]byte("To: nurse@chu.example\r\nSubject: "+subject+"\r\n\r\nHello.\r\n"))
	}
	if err := send("first"); err != nil {
		t.Fatal(err)
	}
	m.Stop(t)
	if err := send("refused"); err == nil {
		t.Fatal("a stopped mailpit took mail")
	}
	m.Start(t)
	if err := send("second"); err != nil {
		t.Fatal(err)
	}
	got := m.Messages(t)
	if len(got) != 2 || got[0].Subject != "first" || got[1].Subject != "second" || !strings.Contains(got[0].Text, "Hello.") {
		t.Fatalf("messages = %+v", got)
	}
}

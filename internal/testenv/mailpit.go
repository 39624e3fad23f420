package testenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// MailpitVersion is the pinned version of the github.com/axllent/mailpit
// module the tests run. scripts/ensure-mailpit.sh builds the same version;
// a test checks that the two agree.
const MailpitVersion = "v1.33.1"

// MailpitBinary returns the path of the mailpit binary: $MAKERHUB_MAILPIT if
// set, else the cached build of MailpitVersion. When there is none it skips
// the test, or fails it when CI=true.
func MailpitBinary(tb testing.TB) string {
	tb.Helper()
	return builtBinary(tb, "MAKERHUB_MAILPIT", "mailpit", MailpitVersion, "scripts/ensure-mailpit.sh", "about 35 seconds", "a mailpit binary")
}

// Mailpit is a real SMTP server running for a test on 127.0.0.1, keeping
// what it receives in a database in the test's temporary folder, so that
// Stop and Start take it away and bring it back with its mail.
type Mailpit struct {
	// SMTP is the SMTP address, host:port (no TLS, any or no login).
	SMTP string
	// HTTP is the address of its web UI and API, host:port.
	HTTP string

	bin, dbPath string
	proc
}

// StartMailpit starts mailpit for the test and stops it when the test ends.
func StartMailpit(tb testing.TB) *Mailpit {
	tb.Helper()
	bin := MailpitBinary(tb)
	dir := tb.TempDir()
	m := &Mailpit{bin: bin, dbPath: filepath.Join(dir, "mailpit.db"),
		proc: proc{name: "mailpit", logPath: filepath.Join(dir, "mailpit.log"), stopTimeout: 10 * time.Second}}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("mailpit log (%s):\n%s", m.logPath, m.logTail())
		}
		m.stop()
	})
	var err error
	for range 3 { // a free port can be taken before mailpit binds it
		m.SMTP, m.HTTP = freeAddr(tb), freeAddr(tb)
		if err = m.start(); err == nil {
			return m
		}
	}
	tb.Fatalf("cannot start mailpit: %v\nlog (%s):\n%s", err, m.logPath, m.logTail())
	return nil
}

func (m *Mailpit) start() error {
	// --disable-version-check: mailpit must not look for its latest
	// release on the internet, which this machine does not reach.
	cmd := exec.Command(m.bin, "--smtp", m.SMTP, "--listen", m.HTTP, "--database", m.dbPath,
		"--disable-version-check", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--smtp-disable-rdns")
	return m.proc.start(cmd, "mailpit on "+m.SMTP, func(exited <-chan struct{}) error {
		client := &http.Client{Timeout: time.Second}
		deadline := time.Now().Add(30 * time.Second)
		var last error
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				return errors.New("mailpit exited during startup")
			default:
			}
			resp, err := client.Get("http://" + m.HTTP + "/api/v1/messages")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return nil
				}
				err = fmt.Errorf("its API answered %s", resp.Status)
			}
			last = err
			time.Sleep(50 * time.Millisecond)
		}
		return fmt.Errorf("mailpit not ready after 30 s: %v", last)
	})
}

// Stop stops the server; mail sent meanwhile is refused.
func (m *Mailpit) Stop(tb testing.TB) {
	tb.Helper()
	if err := m.stop(); err != nil {
		tb.Fatalf("cannot stop mailpit: %v", err)
	}
}

// Start starts the server again after Stop, on the same addresses and with
// the mail it had.
func (m *Mailpit) Start(tb testing.TB) {
	tb.Helper()
	if err := m.start(); err != nil {
		tb.Fatalf("cannot restart mailpit on %s: %v\nlog (%s):\n%s", m.SMTP, err, m.logPath, m.logTail())
	}
}

// Message is a message mailpit received, as its API lists it, with its
// text and HTML bodies.
type Message struct {
	ID        string
	MessageID string
	From      struct{ Name, Address string }
	To        []struct{ Name, Address string }
	Subject   string
	Text      string
	HTML      string
}

// Messages returns every message mailpit holds, oldest first.
func (m *Mailpit) Messages(tb testing.TB) []Message {
	tb.Helper()
	var list struct{ Messages []Message }
	m.get(tb, "/api/v1/messages?limit=1000", &list)
	out := make([]Message, 0, len(list.Messages))
	for i := len(list.Messages) - 1; i >= 0; i-- { // the API lists newest first
		msg := list.Messages[i]
		var full struct{ Text, HTML string }
		m.get(tb, "/api/v1/message/"+msg.ID, &full)
		msg.Text, msg.HTML = full.Text, full.HTML
		out = append(out, msg)
	}
	return out
}

func (m *Mailpit) get(tb testing.TB, path string, v any) {
	tb.Helper()
	resp, err := http.Get("http://" + m.HTTP + path)
	if err != nil {
		tb.Fatalf("mailpit API %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("mailpit API %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		tb.Fatalf("mailpit API %s: %v", path, err)
	}
}

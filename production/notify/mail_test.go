package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
	"github.com/makerhub/makerhub/production/notify"
)

// mailEnv is the notify service sending through a real SMTP server.
func mailEnv(t *testing.T) (*env, *testenv.Mailpit) {
	t.Helper()
	mp := testenv.StartMailpit(t)
	smtp, err := notify.ParseSMTP("smtp://"+mp.SMTP+"?tls=none", "makerhub <hub@makerhub.example>")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *notify.Options) { o.SMTP = smtp })
	return e, mp
}

func (e *env) mail(to, subject string) {
	e.t.Helper()
	if err := sqlite.InTx(context.Background(), e.db, func(ctx context.Context) error {
		return e.svc.Mail(ctx, makerhub.Mail{To: to, Kind: "test", Subject: subject,
			Text: "Bonjour,\n\nvotre visière est en route.", HTML: "<p>Bonjour,</p><p>votre visière est <b>en route</b>.</p>"})
	}); err != nil {
		e.t.Fatal(err)
	}
}

// TestMailIsSentOnceAfterItsCommit: a message queued in a transaction that
// rolls back is never sent; one that commits arrives once, with its text
// and HTML parts and the Message-ID it was given when queued.
func TestMailIsSentOnceAfterItsCommit(t *testing.T) {
	e, mp := mailEnv(t)
	ctx := context.Background()
	failed := errors.New("the change failed")
	if err := sqlite.InTx(ctx, e.db, func(ctx context.Context) error {
		if err := e.svc.Mail(ctx, makerhub.Mail{To: "nurse@chu.example", Kind: "test", Subject: "rolled back", Text: "x"}); err != nil {
			t.Fatal(err)
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatal(err)
	}
	e.mail("nurse@chu.example", "Votre expédition")
	if n, err := e.svc.SendDueMail(ctx); err != nil || n != 1 {
		t.Fatalf("SendDueMail = %d, %v; want the one committed message", n, err)
	}
	if n, err := e.svc.SendDueMail(ctx); err != nil || n != 0 {
		t.Fatalf("a second pass sent %d (%v)", n, err)
	}
	got := mp.Messages(t)
	if len(got) != 1 {
		t.Fatalf("mailpit holds %d messages, want 1: %+v", len(got), got)
	}
	m := got[0]
	if m.Subject != "Votre expédition" || m.From.Address != "hub@makerhub.example" || len(m.To) != 1 || m.To[0].Address != "nurse@chu.example" ||
		!strings.Contains(m.Text, "votre visière est en route") || !strings.Contains(m.HTML, "<b>en route</b>") {
		t.Fatalf("message = %+v", m)
	}
	log, total, err := e.svc.FindMail(as(e.coord), 0, 10)
	if err != nil || total != 1 || log[0].Status != "sent" || log[0].SentAt == nil || log[0].MessageID != m.MessageID {
		t.Fatalf("mail log = %+v (total %d), %v; mailpit saw Message-ID %s", log, total, err, m.MessageID)
	}
	if _, _, err := e.svc.FindMail(as(e.maker), 0, 10); makerhub.ErrorCode(err) != makerhub.EFORBIDDEN {
		t.Fatalf("a maker reads the mail log: %v", err)
	}
}

// TestMailWaitsForTheServer: with the SMTP server down, queued mail is kept
// and tried again with backoff; once the server is back every message
// arrives, each once.
func TestMailWaitsForTheServer(t *testing.T) {
	e, mp := mailEnv(t)
	ctx := context.Background()
	mp.Stop(t)
	for _, s := range []string{"one", "two", "three"} {
		e.mail("maker@fablab.example", s)
	}
	if n, err := e.svc.SendDueMail(ctx); err != nil || n != 3 {
		t.Fatalf("SendDueMail with the server down = %d, %v", n, err)
	}
	log, _, _ := e.svc.FindMail(as(e.coord), 0, 10)
	for _, m := range log {
		if m.Status != "pending" || m.Attempts != 1 || m.NextAttempt == nil || !strings.Contains(m.LastError, mp.SMTP[strings.LastIndexByte(mp.SMTP, ':')+1:]) {
			t.Fatalf("after a refused attempt: %+v", m)
		}
	}
	// Not due before the backoff.
	if n, _ := e.svc.SendDueMail(ctx); n != 0 {
		t.Fatalf("%d messages tried again at once", n)
	}
	mp.Start(t)
	e.clock.Add(time.Hour)
	if n, err := e.svc.SendDueMail(ctx); err != nil || n != 3 {
		t.Fatalf("SendDueMail with the server back = %d, %v", n, err)
	}
	got := mp.Messages(t)
	subjects := map[string]int{}
	for _, m := range got {
		subjects[m.Subject]++
	}
	if len(got) != 3 || subjects["one"] != 1 || subjects["two"] != 1 || subjects["three"] != 1 {
		t.Fatalf("mailpit holds %v", subjects)
	}
}

// Without an SMTP server the hub sends no mail, and says so.
func TestMailOff(t *testing.T) {
	e := newEnv(t, nil)
	if e.svc.MailOn() {
		t.Fatal("mail on without an SMTP server")
	}
	err := e.svc.Mail(context.Background(), makerhub.Mail{To: "a@b.example", Kind: "test", Subject: "s", Text: "t"})
	if makerhub.ErrorCode(err) != makerhub.EUNAVAILABLE || !strings.Contains(makerhub.ErrorMessage(err), "--smtp-url") {
		t.Fatalf("Mail with mail off = %v", err)
	}
}

func TestParseSMTP(t *testing.T) {
	for _, c := range []struct{ url, from, want, err string }{
		{url: "smtp://user:secret@mail.example.org", from: "hub@example.org", want: "smtp://mail.example.org:587 (TLSMandatory)"},
		{url: "smtps://user:secret@mail.example.org", from: "makerhub <hub@example.org>", want: "smtps://mail.example.org:465 (TLSMandatory)"},
		{url: "smtp://relay.lan:25?tls=opportunistic", from: "hub@example.org", want: "smtp://relay.lan:25 (TLSOpportunistic)"},
		{url: "smtp://127.0.0.1:1025?tls=none", from: "hub@example.org", want: "smtp://127.0.0.1:1025 (NoTLS)"},
		{url: "http://mail.example.org", from: "hub@example.org", err: `the scheme must be smtp (STARTTLS) or smtps`},
		{url: "smtp://:587", from: "hub@example.org", err: "names no host"},
		{url: "smtp://mail.example.org:99999", from: "hub@example.org", err: `port "99999" is not a port number`},
		{url: "smtps://mail.example.org?tls=none", from: "hub@example.org", err: "smtps is always TLS"},
		{url: "smtp://user:secret@mail.example.org?tls=maybe", from: "hub@example.org", err: `tls="maybe" is not one of starttls, opportunistic, none`},
		{url: "smtp://mail.example.org", from: "not an address", err: `--mail-from "not an address" is not an e-mail address`},
	} {
		s, err := notify.ParseSMTP(c.url, c.from)
		switch {
		case c.err == "" && (err != nil || s.String() != c.want):
			t.Errorf("ParseSMTP(%q) = %v, %v; want %s", c.url, s, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseSMTP(%q) error %v; want it to say %q", c.url, err, c.err)
		case err != nil && strings.Contains(err.Error(), "secret"):
			t.Errorf("ParseSMTP(%q) shows the password: %v", c.url, err)
		}
	}
}

package main

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/makerhub/makerhub/internal/testenv"
)

// TestMailSurvivesAKill: the real binary, sending through a real mailpit,
// is killed (SIGKILL) right after people asked for reset links, and
// started again. Every link arrives, each once: what was queued survives
// in the database, what was sent is not sent again.
func TestMailSurvivesAKill(t *testing.T) {
	mp := testenv.StartMailpit(t)
	bin := buildHub(t)
	h := startProcHub(t, bin, t.TempDir(), "--smtp-url", "smtp://"+mp.SMTP+"?tls=none",
		"--mail-from", "makerhub <hub@makerhub.example>", "--public-url", "https://hub.example.org")
	var want []string
	for i := range 6 {
		email := fmt.Sprintf("maker%d@fablab.example", i)
		h.must(201, "", "POST", "/api/v1/auth/signup", fmt.Sprintf(`{"email":%q,"password":"a long test password","name":"M","role":"maker",
			"organisation":{"name":"Fablab %d","address":"Lyon","lat":45.7,"lon":4.8}}`, email, i), nil)
		h.must(202, "", "POST", "/api/v1/auth/password-reset", fmt.Sprintf(`{"email":%q}`, email), nil)
		want = append(want, email)
	}
	h.Kill()
	h.Start()

	deadline := time.Now().Add(60 * time.Second)
	var got []string
	for time.Now().Before(deadline) {
		got = got[:0]
		for _, m := range mp.Messages(t) {
			got = append(got, m.To[0].Address)
		}
		if len(got) >= len(want) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// One more of the mailer's polls (2 s) must not send any again.
	time.Sleep(3 * time.Second)
	got = got[:0]
	for _, m := range mp.Messages(t) {
		got = append(got, m.To[0].Address)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the kill mailpit holds messages to %v; want one to each of %v", got, want)
	}
}

package load

import (
	"context"
	"testing"
	"time"
)

// TestRaceEnds: the race for a released job once looped for ever looking
// for a second maker in a list that held one maker twice (offered two jobs
// of the design), which hung a whole day. It must end, whatever the list.
func TestRaceEnds(t *testing.T) {
	l, err := New(Config{URL: "http://127.0.0.1:1", CoordinatorEmail: "c@example.org", CoordinatorPassword: "x", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	m := &actor{email: "m@example.org"}
	for _, able := range [][]*actor{nil, {m}, {m, m}} {
		done := make(chan struct{})
		go func() {
			l.race(context.Background(), jobJSON{ID: 1}, able, nil) // no hub: the claims fail
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("race with %d able makers did not return", len(able))
		}
	}
}

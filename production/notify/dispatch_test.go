package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production/notify"
)

func TestDeliveryIsSignedAndLogged(t *testing.T) {
	e := newEnv(t, nil)
	rc := newReceiver(t, nil)
	hook := e.webhook(e.maker, rc.URL+"/hooks/makers", notify.KindJobOffered)
	e.enqueue(jobOffered(e.maker, 12))
	d := e.only(hook)
	if d.Status != notify.StatusPending || d.Attempts != 0 || d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(e.clock.Now()) {
		t.Fatalf("queued delivery = %+v, want pending and due now", d)
	}

	e.deliverDue(1)
	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	r := got[0]
	ts := r.header.Get(notify.HeaderTimestamp)
	for h, want := range map[string]string{
		"Content-Type":         "application/json",
		notify.HeaderEvent:     notify.KindJobOffered,
		notify.HeaderDelivery:  strconv.FormatInt(d.ID, 10),
		notify.HeaderTimestamp: strconv.FormatInt(e.clock.Now().Unix(), 10),
	} {
		if v := r.header.Get(h); v != want {
			t.Errorf("%s = %q, want %q", h, v, want)
		}
	}
	sig := r.header.Get(notify.HeaderSignature)
	if err := notify.VerifySignature(hook.Secret, ts, string(r.body), sig); err != nil {
		t.Errorf("VerifySignature: %v", err)
	}
	if err := notify.VerifyTimestamp(ts, e.clock.Now(), 0); err != nil {
		t.Errorf("VerifyTimestamp: %v", err)
	}
	// Recompute the HMAC as a receiver in another language would.
	mac := hmac.New(sha256.New, []byte(hook.Secret))
	mac.Write([]byte(ts + "." + string(r.body)))
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); sig != want {
		t.Errorf("signature %s, recomputed %s", sig, want)
	}
	if err := notify.VerifySignature(hook.Secret, ts, strings.Replace(string(r.body), "40", "400", 1), sig); err == nil {
		t.Error("a tampered body verified")
	}
	other := e.webhook(e.other, rc.URL)
	if err := notify.VerifySignature(other.Secret, ts, string(r.body), sig); err == nil {
		t.Error("another webhook's secret verified")
	}

	var p struct {
		ID           int64           `json:"id"`
		Event        string          `json:"event"`
		CreatedAt    time.Time       `json:"created_at"`
		Notification json.RawMessage `json:"notification"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	var n map[string]any
	if err := json.Unmarshal(p.Notification, &n); err != nil {
		t.Fatal(err)
	}
	if p.ID != d.ID || p.Event != notify.KindJobOffered || !p.CreatedAt.Equal(e.clock.Now()) ||
		n["title"] != "Job 12 offered: 40 face shields" || n["link"] != "/api/v1/jobs/12" ||
		n["organisation_id"] != float64(e.maker.OrganisationID()) || n["data"].(map[string]any)["job_id"] != float64(12) {
		t.Errorf("payload = %s", r.body)
	}
	if _, ok := n["read_at"]; ok {
		t.Errorf("payload carries a read_at: %s", r.body)
	}

	d = e.only(hook)
	if d.Status != notify.StatusDelivered || d.Attempts != 1 || d.LastStatusCode == nil || *d.LastStatusCode != 204 ||
		d.DeliveredAt == nil || !d.DeliveredAt.Equal(e.clock.Now()) || d.NextAttemptAt != nil || d.LastError != "" || d.Event != notify.KindJobOffered {
		t.Errorf("delivered = %+v", d)
	}
	e.clock.Add(24 * time.Hour)
	e.deliverDue(0)
}

func TestFailedAttemptIsRetriedAfterBackoff(t *testing.T) {
	e := newEnv(t, nil)
	rc := newReceiver(t, func(n int, _ *http.Request) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	hook := e.webhook(e.maker, rc.URL)
	e.enqueue(jobOffered(e.maker, 1))
	start := e.clock.Now()

	e.deliverDue(1)
	d := e.only(hook)
	if d.Status != notify.StatusPending || d.Attempts != 1 || d.LastStatusCode == nil || *d.LastStatusCode != 500 ||
		!strings.Contains(d.LastError, "500 Internal Server Error") || d.LastAttemptAt == nil || !d.LastAttemptAt.Equal(start) {
		t.Fatalf("after a 500: %+v", d)
	}
	// The first wait is 30 s less up to 20 %.
	if wait := d.NextAttemptAt.Sub(start); wait < 24*time.Second || wait > 30*time.Second {
		t.Errorf("next attempt in %s, want 24–30 s", wait)
	}
	e.clock.Add(20 * time.Second)
	e.deliverDue(0)
	e.clock.Add(10 * time.Second)
	e.deliverDue(1)
	d = e.only(hook)
	if d.Status != notify.StatusDelivered || d.Attempts != 2 || *d.LastStatusCode != 200 || d.LastError != "" ||
		!d.DeliveredAt.Equal(start.Add(30*time.Second)) {
		t.Errorf("after the retry: %+v", d)
	}
	got := rc.requests()
	if len(got) != 2 || string(got[0].body) != string(got[1].body) ||
		got[0].header.Get(notify.HeaderDelivery) != got[1].header.Get(notify.HeaderDelivery) ||
		got[0].header.Get(notify.HeaderTimestamp) == got[1].header.Get(notify.HeaderTimestamp) {
		t.Error("a retry must send the same body and delivery ID, signed at its own time")
	}
	for _, r := range got {
		if err := notify.VerifySignature(hook.Secret, r.header.Get(notify.HeaderTimestamp), string(r.body), r.header.Get(notify.HeaderSignature)); err != nil {
			t.Error(err)
		}
	}
}

func TestUnreachableReceiverFailsAfterMaxAttempts(t *testing.T) {
	e := newEnv(t, func(o *notify.Options) { o.MaxAttempts = 3 })
	rc := newReceiver(t, nil)
	deadURL := rc.URL
	rc.Close() // nothing listens there any more
	hook := e.webhook(e.maker, deadURL)
	e.enqueue(jobOffered(e.maker, 1))

	for attempt := 1; attempt <= 3; attempt++ {
		e.deliverDue(1)
		d := e.only(hook)
		if d.Attempts != attempt || d.LastStatusCode != nil || !strings.Contains(d.LastError, "refused") {
			t.Fatalf("attempt %d: %+v", attempt, d)
		}
		wantStatus := notify.StatusPending
		if attempt == 3 {
			wantStatus = notify.StatusFailed
		}
		if d.Status != wantStatus || (d.NextAttemptAt == nil) != (attempt == 3) {
			t.Fatalf("attempt %d: status %s, next %v", attempt, d.Status, d.NextAttemptAt)
		}
		e.deliverDue(0) // not due again yet
		e.clock.Add(time.Hour)
	}
	e.clock.Add(24 * time.Hour)
	e.deliverDue(0)

	// Once the receiver is reachable again, the failed delivery is started
	// over by hand.
	live := newReceiver(t, nil)
	if _, err := e.svc.UpdateWebhook(as(e.maker), hook.ID, notify.WebhookUpdate{URL: &live.URL}); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.RetryDelivery(as(e.maker), e.only(hook).ID)
	if err != nil || d.Status != notify.StatusPending || d.Attempts != 0 {
		t.Fatalf("RetryDelivery = %+v, %v", d, err)
	}
	e.deliverDue(1)
	if d := e.only(hook); d.Status != notify.StatusDelivered || d.Attempts != 1 || len(live.requests()) != 1 {
		t.Errorf("after retry: %+v, %d requests", d, len(live.requests()))
	}
	_, err = e.svc.RetryDelivery(as(e.maker), d.ID)
	wantCode(t, err, "conflict", "only failed deliveries")
}

func TestSlowReceiverTimesOut(t *testing.T) {
	e := newEnv(t, func(o *notify.Options) { o.Timeout = 200 * time.Millisecond })
	release := make(chan struct{})
	rc := newReceiver(t, func(_ int, r *http.Request) int {
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return http.StatusOK
	})
	defer close(release)
	hook := e.webhook(e.maker, rc.URL)
	e.enqueue(jobOffered(e.maker, 1))
	start := time.Now()
	e.deliverDue(1)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("DeliverDue took %s with a 200 ms timeout", el)
	}
	d := e.only(hook)
	if d.Status != notify.StatusPending || d.Attempts != 1 || d.LastStatusCode != nil ||
		d.LastError != "the receiver did not answer within 200ms" {
		t.Errorf("after a timeout: %+v", d)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	e := newEnv(t, nil)
	rc := newReceiver(t, func(_ int, r *http.Request) int {
		if r.URL.Path == "/old" {
			return http.StatusFound // no Location: the client must not care
		}
		return http.StatusOK
	})
	hook := e.webhook(e.maker, rc.URL+"/old")
	e.enqueue(jobOffered(e.maker, 1))
	e.deliverDue(1)
	if d := e.only(hook); d.Status != notify.StatusPending || *d.LastStatusCode != 302 || len(rc.requests()) != 1 {
		t.Errorf("after a redirect: %+v", d)
	}
}

func TestConcurrentDispatchersNeverSendTwice(t *testing.T) {
	e := newEnv(t, func(o *notify.Options) { o.BatchSize = 3; o.Concurrency = 2 })
	rc := newReceiver(t, func(int, *http.Request) int {
		time.Sleep(2 * time.Millisecond) // keep requests in flight while the other dispatcher claims
		return http.StatusOK
	})
	for i := 0; i < 3; i++ {
		e.webhook(e.maker, rc.URL)
	}
	var ns []notify.Notification
	for i := 1; i <= 10; i++ {
		ns = append(ns, jobOffered(e.maker, i))
	}
	e.enqueue(ns...)
	const want = 30

	// A second dispatcher on its own connection pool, as another process
	// would be.
	db2, err := sqlite.Open(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	dispatchers := []*notify.Service{e.svc, e.service(db2, func(o *notify.Options) { o.BatchSize = 3; o.Concurrency = 2 })}

	var wg sync.WaitGroup
	startLine := make(chan struct{})
	claimed := make([]int, len(dispatchers))
	errs := make(chan error, len(dispatchers))
	for i, s := range dispatchers {
		wg.Go(func() {
			<-startLine
			for {
				n, err := s.DeliverDue(context.Background())
				if err != nil {
					errs <- err
					return
				}
				if n == 0 {
					return
				}
				claimed[i] += n
			}
		})
	}
	close(startLine)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	seen := map[string]int{}
	for _, r := range rc.requests() {
		seen[r.header.Get(notify.HeaderDelivery)]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s was sent %d times", id, n)
		}
	}
	if len(seen) != want || claimed[0]+claimed[1] != want {
		t.Errorf("%d distinct deliveries received, %v claimed; want %d", len(seen), claimed, want)
	}
	var delivered int
	if err := e.db.QueryRow(`SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered' AND attempts = 1`).Scan(&delivered); err != nil {
		t.Fatal(err)
	}
	if delivered != want {
		t.Errorf("%d deliveries recorded delivered at the first attempt, want %d", delivered, want)
	}
	t.Logf("claimed by each dispatcher: %v", claimed)
}

func TestInterruptedAttemptIsReleased(t *testing.T) {
	e := newEnv(t, nil)
	arrived := make(chan struct{}, 1)
	rc := newReceiver(t, func(n int, r *http.Request) int {
		if n == 1 {
			arrived <- struct{}{}
			<-r.Context().Done() // hang until the hub gives up
		}
		return http.StatusOK
	})
	hook := e.webhook(e.maker, rc.URL)
	e.enqueue(jobOffered(e.maker, 1))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := e.svc.DeliverDue(ctx); done <- err }()
	<-arrived
	cancel() // the hub shuts down mid-request
	if err := <-done; err != nil {
		t.Fatalf("DeliverDue after shutdown: %v", err)
	}
	if d := e.only(hook); d.Status != notify.StatusPending || d.Attempts != 0 || !d.NextAttemptAt.Equal(e.clock.Now()) {
		t.Fatalf("an interrupted attempt must not count and the delivery stays due: %+v", d)
	}
	// The next start sends it again (at least once: the receiver may have
	// seen it; it dedupes by delivery ID).
	e.deliverDue(1)
	if d := e.only(hook); d.Status != notify.StatusDelivered || d.Attempts != 1 {
		t.Errorf("after restart: %+v", d)
	}
}

func TestPausedAndDeletedWebhooksSendNothing(t *testing.T) {
	e := newEnv(t, nil)
	rc := newReceiver(t, nil)
	paused := e.webhook(e.maker, rc.URL+"/paused")
	deleted := e.webhook(e.maker, rc.URL+"/deleted")
	e.enqueue(jobOffered(e.maker, 1))
	if _, err := e.svc.UpdateWebhook(as(e.maker), paused.ID, notify.WebhookUpdate{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteWebhook(as(e.maker), deleted.ID); err != nil {
		t.Fatal(err)
	}
	e.deliverDue(0)
	if len(rc.requests()) != 0 {
		t.Fatalf("receiver got %d requests", len(rc.requests()))
	}
	// Resuming sends what waited.
	if _, err := e.svc.UpdateWebhook(as(e.maker), paused.ID, notify.WebhookUpdate{Active: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	e.deliverDue(1)
	if got := rc.requests(); len(got) != 1 || got[0].path != "/paused" {
		t.Errorf("after resuming: %d requests", len(got))
	}
}

func TestRunDispatcherDeliversUntilStopped(t *testing.T) {
	e := newEnv(t, func(o *notify.Options) { o.PollInterval = 10 * time.Millisecond })
	rc := newReceiver(t, nil)
	hook := e.webhook(e.maker, rc.URL)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { e.svc.RunDispatcher(ctx); close(stopped) }()

	e.enqueue(jobOffered(e.maker, 1)) // after the dispatcher started: found by polling
	for deadline := time.Now().Add(10 * time.Second); e.only(hook).Status != notify.StatusDelivered; {
		if time.Now().After(deadline) {
			t.Fatalf("the running dispatcher did not deliver within 10 s: %+v", e.only(hook))
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("RunDispatcher did not return after its context ended")
	}
	if n := len(rc.requests()); n != 1 {
		t.Errorf("receiver got %d requests, want 1", n)
	}
}

func TestPruneKeepsRecentAndPending(t *testing.T) {
	e := newEnv(t, nil)
	rc := newReceiver(t, nil)
	hook := e.webhook(e.maker, rc.URL)
	e.enqueue(jobOffered(e.maker, 1))
	e.deliverDue(1)
	e.clock.Add(31 * 24 * time.Hour)
	if _, err := e.svc.UpdateWebhook(as(e.maker), hook.ID, notify.WebhookUpdate{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	e.enqueue(jobOffered(e.maker, 2)) // no delivery: paused
	if _, err := e.svc.UpdateWebhook(as(e.maker), hook.ID, notify.WebhookUpdate{Active: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	e.enqueue(jobOffered(e.maker, 3)) // pending, recent
	if _, err := e.db.Exec(`UPDATE webhook_deliveries SET created_at = ? WHERE status = 'pending'`,
		sqlite.FormatTime(e.clock.Now().Add(-40*24*time.Hour))); err != nil {
		t.Fatal(err) // an old pending delivery (a long pause) is kept all the same
	}
	n, err := e.svc.Prune(context.Background(), notify.DefaultRetention)
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	if d := e.only(hook); d.Status != notify.StatusPending {
		t.Errorf("kept %+v, want the pending one", d)
	}
}

func TestDefaultBackoff(t *testing.T) {
	for _, c := range []struct {
		n    int
		base time.Duration
	}{{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {7, 32 * time.Minute}, {8, time.Hour}, {10, time.Hour}, {1000, time.Hour}} {
		for range 50 {
			if d := notify.DefaultBackoff(c.n); d > c.base || d < c.base*4/5 {
				t.Fatalf("DefaultBackoff(%d) = %s, want %s less at most 20 %%", c.n, d, c.base)
			}
		}
	}
}

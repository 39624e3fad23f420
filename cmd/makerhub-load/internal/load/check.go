package load

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
)

// Invariant is one check of the hub after the day.
type Invariant struct {
	Name     string   `json:"name"`
	OK       bool     `json:"ok"`
	Detail   string   `json:"detail"`
	Problems []string `json:"problems,omitempty"` // the first few
}

type checker struct {
	mu       sync.Mutex
	problems []string
	n        int
}

func (c *checker) bad(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if len(c.problems) < 10 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

func (c *checker) invariant(name, detail string) Invariant {
	if c.n > 0 {
		detail = fmt.Sprintf("%d problems; %s", c.n, detail)
	}
	return Invariant{Name: name, OK: c.n == 0, Detail: detail, Problems: c.problems}
}

// Check reads back, as the coordinator, everything the hub acknowledged and
// checks the invariants of the issue: no job claimed twice, no stock below
// zero, every delivered unit traceable to a stored file's hash, and for
// every request requested = delivered + open + cancelled. Calls that got no
// answer (a fault test's) may have taken effect, so totals the load kept
// are then lower bounds.
func (l *Load) Check(ctx context.Context) []Invariant {
	d := l.led
	d.mu.Lock()
	defer d.mu.Unlock()
	exact := l.c.unanswered.Load() == 0
	return []Invariant{
		l.checkClaims(ctx, d),
		l.checkBatches(ctx, d),
		l.checkTrace(ctx, d),
		l.checkRequests(ctx, d, exact),
		l.checkAcknowledged(ctx, d),
	}
}

func keys[K int64 | string, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// get reads path as the coordinator into out; a failure is a problem.
func (l *Load) get(ctx context.Context, c *checker, ep, path string, out any) bool {
	if err := l.c.do(ctx, call{ep: ep, path: path, token: l.coord.token, want: 200, out: out}); err != nil {
		c.bad("%v", err)
		return false
	}
	return true
}

func (l *Load) checkClaims(ctx context.Context, d *ledger) Invariant {
	var c checker
	jobs := keys(d.claims)
	each(ctx, len(jobs), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		id := jobs[i]
		if claims := d.claims[id]; len(claims) > d.releases[id]+1 {
			c.bad("job %d: %d claims answered 200 (makers %v) with %d releases between them", id, len(claims), claims, d.releases[id])
		}
		var ev struct {
			Items []struct{ From, To string }
		}
		if !l.get(ctx, &c, "GET /api/v1/jobs/{id}/events", fmt.Sprintf("/api/v1/jobs/%d/events", id), &ev) {
			return nil
		}
		// Each step starts where the one before ended: a second claim of a
		// held job would start from "claimed" or "printing".
		for k := 1; k < len(ev.Items); k++ {
			if ev.Items[k].From != ev.Items[k-1].To {
				c.bad("job %d: step %d goes %s → %s after a step that ended %s", id, k, ev.Items[k].From, ev.Items[k].To, ev.Items[k-1].To)
			}
			if ev.Items[k].To == "claimed" && ev.Items[k].From != "open" && ev.Items[k].From != "offered" {
				c.bad("job %d: claimed again from %s", id, ev.Items[k].From)
			}
		}
		return nil
	})
	return c.invariant("no job claimed twice", fmt.Sprintf("%d claimed jobs: claims answered 200 against releases, and each job's history", len(jobs)))
}

// checkBatches traces every batch produced: its units are conserved
// (produced = in stock + in transit + delivered + rejected + missing +
// adjusted) and no stock line or total is below zero.
func (l *Load) checkBatches(ctx context.Context, d *ledger) Invariant {
	var c checker
	batches := keys(d.batches)
	each(ctx, len(batches), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		id := batches[i]
		var tr struct {
			Batch  struct{ Quantity int }
			Totals struct {
				Produced    int `json:"produced"`
				AdjustedIn  int `json:"adjusted_in"`
				InStock     int `json:"in_stock"`
				InTransit   int `json:"in_transit"`
				Delivered   int `json:"delivered"`
				Rejected    int `json:"rejected"`
				AdjustedOut int `json:"adjusted_out"`
				Missing     int `json:"missing"`
			}
			Stock []struct {
				Quantity int
				Status   string
			}
		}
		if !l.get(ctx, &c, "GET /api/v1/trace/batches/{id}", fmt.Sprintf("/api/v1/trace/batches/%d", id), &tr) {
			return nil
		}
		t := tr.Totals
		if t.Produced != d.batches[id].quantity {
			c.bad("batch %d: %d produced, the hand-over was answered with %d", id, t.Produced, d.batches[id].quantity)
		}
		for _, v := range []int{t.Produced, t.AdjustedIn, t.InStock, t.InTransit, t.Delivered, t.Rejected, t.AdjustedOut, t.Missing} {
			if v < 0 {
				c.bad("batch %d: a total is below zero: %+v", id, t)
			}
		}
		if in, out := t.Produced+t.AdjustedIn, t.InStock+t.InTransit+t.Delivered+t.Rejected+t.AdjustedOut+t.Missing; in != out {
			c.bad("batch %d: %d units in, %d accounted for: %+v", id, in, out, t)
		}
		stock := 0
		for _, s := range tr.Stock {
			if s.Quantity < 0 {
				c.bad("batch %d: %d %s units in stock", id, s.Quantity, s.Status)
			}
			stock += s.Quantity
		}
		if stock != t.InStock+t.Delivered {
			// Delivered units are stock at the hospital.
			c.bad("batch %d: stock lines hold %d units, the totals say %d in stock and %d delivered", id, stock, t.InStock, t.Delivered)
		}
		return nil
	})
	return c.invariant("no stock below zero", fmt.Sprintf("%d batches traced: no line or total below zero, every unit accounted for", len(batches)))
}

// checkTrace follows every shipment a hospital confirmed back to its
// batches' files, and checks each file's bytes still hash to its name.
func (l *Load) checkTrace(ctx context.Context, d *ledger) Invariant {
	var c checker
	var mu sync.Mutex
	hashes := map[string]bool{}
	var ids []int64
	units := 0
	for _, id := range keys(d.shipments) {
		if r := d.shipments[id].received; r != nil && *r > 0 {
			ids = append(ids, id)
			units += *r
		}
	}
	each(ctx, len(ids), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		var tr struct {
			Batches []struct {
				ID    int64
				Files []struct{ SHA256 string }
			}
		}
		if !l.get(ctx, &c, "GET /api/v1/trace/shipments/{id}", fmt.Sprintf("/api/v1/trace/shipments/%d", ids[i]), &tr) {
			return nil
		}
		if len(tr.Batches) == 0 {
			c.bad("shipment %d: delivered, but its trace has no batch", ids[i])
		}
		for _, b := range tr.Batches {
			if len(b.Files) == 0 {
				c.bad("shipment %d: batch %d names no file", ids[i], b.ID)
			}
			for _, f := range b.Files {
				if !d.files[f.SHA256] {
					c.bad("shipment %d: batch %d names file %s, which no upload answered", ids[i], b.ID, f.SHA256)
				}
				mu.Lock()
				hashes[f.SHA256] = true
				mu.Unlock()
			}
		}
		return nil
	})
	for _, h := range keys(hashes) {
		if got, err := l.fileHash(ctx, h); err != nil {
			c.bad("file %s: %v", h, err)
		} else if got != h {
			c.bad("file %s: its bytes hash to %s", h, got)
		}
	}
	return c.invariant("every delivered unit traceable to a file hash",
		fmt.Sprintf("%d received shipments (%d units) traced to %d files, each downloaded and hashed", len(ids), units, len(hashes)))
}

// fileHash downloads a stored file and returns its SHA-256.
func (l *Load) fileHash(ctx context.Context, sha string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", l.cfg.URL+"/api/v1/files/"+sha, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+l.coord.token)
	resp, err := l.c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("download answered %d", resp.StatusCode)
	}
	h := sha256.New()
	if _, err := io.Copy(h, resp.Body); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkRequests checks every request the hub acknowledged: requested =
// delivered + open + cancelled, nothing below zero, and the hub's delivered
// and cancelled units against the receipts and cancellations it answered.
func (l *Load) checkRequests(ctx context.Context, d *ledger, exact bool) Invariant {
	var c checker
	ids := keys(d.requests)
	var mu sync.Mutex
	var sum [4]int
	each(ctx, len(ids), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		id := ids[i]
		want := d.requests[id]
		var r struct {
			Quantity, Delivered, Open, Cancelled int
			InJobs                               int `json:"in_jobs"`
			InInventory                          int `json:"in_inventory"`
			State                                string
		}
		if !l.get(ctx, &c, "GET /api/v1/requests/{id}", fmt.Sprintf("/api/v1/requests/%d", id), &r) {
			return nil
		}
		mu.Lock()
		sum[0], sum[1], sum[2], sum[3] = sum[0]+r.Quantity, sum[1]+r.Delivered, sum[2]+r.Open, sum[3]+r.Cancelled
		mu.Unlock()
		switch {
		case r.Quantity != r.Delivered+r.Open+r.Cancelled:
			c.bad("request %d: %d requested ≠ %d delivered + %d open + %d cancelled", id, r.Quantity, r.Delivered, r.Open, r.Cancelled)
		case r.Open < 0 || r.Delivered < 0 || r.Cancelled < 0 || r.InJobs < 0 || r.InInventory < 0:
			c.bad("request %d: a count below zero: %+v", id, r)
		case r.InJobs+r.InInventory > r.Open:
			c.bad("request %d: %d units in jobs and %d in inventory, but only %d open", id, r.InJobs, r.InInventory, r.Open)
		case r.Quantity != want.quantity:
			c.bad("request %d: %d requested, the filing was answered with %d", id, r.Quantity, want.quantity)
		case (r.State == "fulfilled") != (r.Open == 0 && r.Delivered > 0):
			c.bad("request %d: %s with %d open and %d delivered", id, r.State, r.Open, r.Delivered)
		case exact && (r.Delivered != want.received || r.Cancelled != want.cancelled):
			c.bad("request %d: %d delivered and %d cancelled; receipts answered %d, cancellations %d", id, r.Delivered, r.Cancelled, want.received, want.cancelled)
		case r.Delivered < want.received || r.Cancelled < want.cancelled:
			c.bad("request %d: %d delivered and %d cancelled, fewer than the %d and %d answered", id, r.Delivered, r.Cancelled, want.received, want.cancelled)
		}
		return nil
	})
	return c.invariant("requested = delivered + open + cancelled",
		fmt.Sprintf("%d requests: %d requested = %d delivered + %d open + %d cancelled", len(ids), sum[0], sum[1], sum[2], sum[3]))
}

// checkAcknowledged reads back what was answered with success and is not
// covered above: accounts (each session still works), claims, batches and
// shipments in a state at least as far as the one acknowledged.
func (l *Load) checkAcknowledged(ctx context.Context, d *ledger) Invariant {
	var c checker
	people := append(slices.Clone(l.makers), l.hosps...)
	each(ctx, len(people), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		a := people[i]
		if a.token == "" {
			return nil // its sign-up or login got no answer
		}
		var me struct{ ID int64 }
		if err := l.c.do(ctx, call{ep: "GET /api/v1/me", path: "/api/v1/me", token: a.token, want: 200, out: &me}); err != nil {
			c.bad("%s: %v", a.email, err)
		} else if me.ID != a.user {
			c.bad("%s: the session is user %d's, the login answered user %d", a.email, me.ID, a.user)
		}
		return nil
	})
	jobs := keys(d.claims)
	each(ctx, len(jobs), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		id := jobs[i]
		var j struct {
			State     string
			ClaimedBy *int64 `json:"claimed_by"`
		}
		if !l.get(ctx, &c, "GET /api/v1/jobs/{id}", fmt.Sprintf("/api/v1/jobs/%d", id), &j) {
			return nil
		}
		claims := d.claims[id]
		if len(claims) > d.releases[id] && (j.ClaimedBy == nil || *j.ClaimedBy != claims[len(claims)-1] || j.State == "open" || j.State == "offered") {
			c.bad("job %d: claimed by maker %d (answered 200), now %s, held by %v", id, claims[len(claims)-1], j.State, deref(j.ClaimedBy))
		}
		if d.done[id] && !slices.Contains([]string{"printed", "handed_over"}, j.State) {
			c.bad("job %d: completion answered 200, now %s", id, j.State)
		}
		return nil
	})
	ships := keys(d.shipments)
	each(ctx, len(ships), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		id := ships[i]
		want := d.shipments[id]
		var s struct {
			State string
			Lines []struct {
				Quantity int
				Received *int
			}
		}
		if !l.get(ctx, &c, "GET /api/v1/shipments/{id}", fmt.Sprintf("/api/v1/shipments/%d", id), &s) {
			return nil
		}
		switch {
		case len(s.Lines) != 1 || s.Lines[0].Quantity != want.units:
			c.bad("shipment %d: lines %+v, the load shipped %d units", id, s.Lines, want.units)
		case want.received != nil && (s.State != "received" || s.Lines[0].Received == nil || *s.Lines[0].Received != *want.received):
			c.bad("shipment %d: receipt of %d answered 200, now %s", id, *want.received, s.State)
		case want.dispatched && s.State == "prepared":
			c.bad("shipment %d: dispatch answered 200, now %s", id, s.State)
		}
		return nil
	})
	for _, sha := range keys(d.files) {
		if got, err := l.fileHash(ctx, sha); err != nil {
			c.bad("file %s (upload answered 201): %v", sha, err)
		} else if got != sha {
			c.bad("file %s (upload answered 201): its bytes hash to %s", sha, got)
		}
	}
	return c.invariant("every success answered is still there",
		fmt.Sprintf("%d sessions, %d claimed jobs, %d shipments, %d requests, %d batches, %d files downloaded and hashed", len(people), len(jobs), len(ships), len(d.requests), len(d.batches), len(d.files)))
}

func deref(p *int64) any {
	if p == nil {
		return "nobody"
	}
	return *p
}

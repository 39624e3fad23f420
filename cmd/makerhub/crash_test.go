package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/makerhub/makerhub/internal/sqlite"
)

// TestSIGKILLDuringClaimStorm kills the hub with SIGKILL while makers race
// to claim jobs, restarts it, and checks that every claim answered 200 is
// still held by its maker, that no job was claimed twice or is in a state
// its history does not end in, and that SQLite's integrity check passes.
func TestSIGKILLDuringClaimStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a hub process")
	}
	bin := buildHub(t)
	data := filepath.Join(t.TempDir(), "data")
	h := startProcHub(t, bin, data)
	seed := seedProduction(t, h, 16, 5000)
	first := seedPoolJobs(t, h.dbPath(), seed, 5000)

	type won struct {
		job   int64
		maker int
	}
	var (
		mu    sync.Mutex
		wins  []won
		next  atomic.Int64
		count atomic.Int64
		wg    sync.WaitGroup
	)
	for m := range seed.makers {
		wg.Go(func() {
			for {
				k := next.Add(1) - 1
				if k >= 10000 {
					return
				}
				job := first + k/2 // every job is raced for by two makers
				status, body := h.call(seed.makers[m], "POST", fmt.Sprintf("/api/v1/jobs/%d/claim", job), "")
				switch status {
				case 0:
					return // the hub is gone
				case 200:
					var c struct{ Job struct{ ID int64 } }
					json.Unmarshal(body, &c)
					mu.Lock()
					wins = append(wins, won{c.Job.ID, m})
					mu.Unlock()
					count.Add(1)
				case 409:
				default:
					t.Errorf("claim answered %d: %s", status, body)
				}
			}
		})
	}
	// Kill it mid-storm: after some claims are answered, well before all.
	for deadline := time.Now().Add(60 * time.Second); count.Load() < 300; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no claims succeeded")
		}
	}
	h.Kill()
	wg.Wait()
	if len(wins) >= 5000 {
		t.Fatalf("the storm finished before the kill (%d claims): nothing was tested", len(wins))
	}
	t.Logf("killed after %d successful claims", len(wins))

	h.Start()
	for _, w := range wins {
		var j struct {
			State     string
			ClaimedBy int64 `json:"claimed_by"`
		}
		h.must(200, seed.makers[w.maker], "GET", fmt.Sprintf("/api/v1/jobs/%d", w.job), "", &j)
		if j.State != "claimed" {
			t.Errorf("job %d was answered 200 to maker %d but is %s after the restart", w.job, w.maker, j.State)
		}
	}
	db, err := sqlite.Open(context.Background(), h.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	var twice, mismatched int
	db.QueryRow(`SELECT count(*) FROM (SELECT job_id FROM job_events WHERE to_state = 'claimed' GROUP BY job_id HAVING count(*) > 1)`).Scan(&twice)
	db.QueryRow(`SELECT count(*) FROM jobs j WHERE j.state != COALESCE((SELECT e.to_state FROM job_events e WHERE e.job_id = j.id
		ORDER BY e.id DESC LIMIT 1), 'open')`).Scan(&mismatched)
	var claimed int
	db.QueryRow(`SELECT count(*) FROM jobs WHERE state = 'claimed'`).Scan(&claimed)
	if twice != 0 || mismatched != 0 {
		t.Fatalf("%d jobs claimed twice, %d jobs whose state is not where their history ends", twice, mismatched)
	}
	if claimed < len(wins) {
		t.Fatalf("%d jobs claimed in the database, %d claims answered 200", claimed, len(wins))
	}
}

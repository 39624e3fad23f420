package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/internal/sqlite"
)

// TestChecksCatchBrokenInvariants runs a clean day, then breaks the hub's
// data behind its back, one thing per invariant, and checks that the
// load's end-of-day checks report each break.
func TestChecksCatchBrokenInvariants(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a hub process and a simulated day")
	}
	cfg, _ := faultScale()
	cfg.Makers, cfg.Hospitals, cfg.Units, cfg.Designs = 30, 10, 120, 4
	data := filepath.Join(t.TempDir(), "data")
	h := newHub(t, data)
	l := newLoad(t, h, cfg)
	r := <-runLoad(l)
	checkDay(t, r) // clean before the breaks
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(data, "makerhub.db"))
	if err != nil {
		t.Fatal(err)
	}
	var sha string
	for _, q := range []string{
		// A second claim of a job that was already held.
		`INSERT INTO job_events (job_id, request_id, at, from_state, to_state)
			SELECT job_id, request_id, at, 'claimed', 'claimed' FROM job_events WHERE to_state = 'handed_over' LIMIT 1`,
		// A unit appearing in a hospital's stock from nowhere.
		`UPDATE stock SET quantity = quantity + 1 WHERE batch_id = (SELECT min(batch_id) FROM stock)`,
		// A request delivered one unit fewer than its receipts said.
		`UPDATE requests SET delivered = delivered - 1, state = 'open' WHERE id = (SELECT min(id) FROM requests WHERE delivered > 0)`,
	} {
		if res, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		} else if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s changed nothing", q)
		}
	}
	if err := db.QueryRow(`SELECT sha256 FROM batch_files LIMIT 1`).Scan(&sha); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// The bytes of a file units were printed from, gone from the disk.
	removed := false
	filepath.WalkDir(filepath.Join(data, "blobs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(d.Name(), sha) {
			removed = os.Remove(p) == nil
		}
		return nil
	})
	if !removed {
		t.Fatalf("no blob named after %s under %s", sha, filepath.Join(data, "blobs"))
	}

	h.Start()
	broken := map[string]bool{}
	for _, inv := range l.Check(ctx) {
		t.Logf("%v %s: %s %v", inv.OK, inv.Name, inv.Detail, inv.Problems)
		if !inv.OK {
			broken[inv.Name] = true
		}
	}
	for _, name := range []string{"no job claimed twice", "no stock below zero", "every delivered unit traceable to a file hash",
		"requested = delivered + open + cancelled", "every success answered is still there"} {
		if !broken[name] {
			t.Errorf("%q was not reported broken", name)
		}
	}
}

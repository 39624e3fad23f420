package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/makerhub/makerhub/internal/sqlite"
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "makerhub.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlite.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no embedded migrations")
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(ms))
	}
	db.Close()

	// Reopening applies nothing twice (a second CREATE TABLE would fail).
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Fatalf("after reopen schema_migrations has %d rows, want %d", n, len(ms))
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "5000",
		"synchronous":  "1", // NORMAL
	} {
		var got string
		if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	// Foreign keys are enforced: a user in a missing organisation is refused.
	_, err = db.Exec(`INSERT INTO users (email, name, role, organisation_id, password_hash, created_at)
		VALUES ('a@example.org', 'A', 'maker', 999, 'x', '2026-01-01T00:00:00.000Z')`)
	if err == nil {
		t.Fatal("insert with a dangling organisation_id succeeded; foreign keys are off")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', '2030-01-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	_, err = sqlite.Open(ctx, path)
	var tooNew *sqlite.SchemaTooNewError
	if !errors.As(err, &tooNew) {
		t.Fatalf("Open of a newer database: err = %v, want SchemaTooNewError", err)
	}
	if tooNew.DatabaseVersion != 9999 {
		t.Errorf("DatabaseVersion = %d, want 9999", tooNew.DatabaseVersion)
	}
	if msg := err.Error(); !strings.Contains(msg, "newer version of makerhub") {
		t.Errorf("message %q does not say the database is from a newer version", msg)
	}
}

func TestConcurrentWritersDoNotFailWithLocked(t *testing.T) {
	// With _txlock=immediate, transactions that read then write queue on the
	// write lock instead of failing with SQLITE_BUSY on upgrade.
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0)`); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				var n int
				if err := tx.QueryRow(`SELECT n FROM counter`).Scan(&n); err != nil {
					tx.Rollback()
					errs <- err
					return
				}
				if _, err := tx.Exec(`UPDATE counter SET n = ?`, n+1); err != nil {
					tx.Rollback()
					errs <- err
					return
				}
				if err := tx.Commit(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent read-modify-write failed: %v", err)
	}
	var n int
	if err := db.QueryRow(`SELECT n FROM counter`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != workers*rounds {
		t.Fatalf("counter = %d, want %d (lost updates)", n, workers*rounds)
	}
}

func TestCollect(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	scanInt := func(row interface{ Scan(...any) error }) (int, error) {
		var n int
		return n, row.Scan(&n)
	}
	collect := sqlite.Collect(scanInt)
	got, err := collect(db.Query(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n`))
	if err != nil || !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("%v, %v", got, err)
	}
	if got, err := collect(db.Query(`SELECT 1 WHERE 0`)); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no rows: %#v, %v", got, err)
	}
	if _, err := collect(db.Query(`SELECT 'x'`)); err == nil {
		t.Fatal("a scan error was lost")
	}
	if _, err := collect(db.Query(`SELECT nope`)); err == nil {
		t.Fatal("a query error was lost")
	}
}

package sqlite

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestMigrationAddedBelowTheNewestIsApplied(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := func(v int, table string) Migration {
		return Migration{Version: 1000 + v, Name: table, SQL: "CREATE TABLE " + table + " (x)"}
	}
	all, _ := Migrations()
	// A database that got 1001 and 1003 (one branch) meets 1002 (another).
	if err := migrate(ctx, db, append(all, m(1, "a"), m(3, "c"))); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, append(all, m(1, "a"), m(2, "b"), m(3, "c"))); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM b`).Scan(&n); err != nil {
		t.Fatalf("migration 1002 was not applied: %v", err)
	}
}

func TestWritersQueueWithoutBusyErrors(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(64)
	if _, err := db.Exec(`CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0); CREATE TABLE log (w INTEGER)`); err != nil {
		t.Fatal(err)
	}
	// 64 writers mix read-modify-write transactions with writes outside a
	// transaction; none may fail or lose an update.
	const workers, rounds = 64, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*2)
	for w := range workers {
		wg.Go(func() {
			for range rounds {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				var n int
				tx.QueryRow(`SELECT n FROM counter`).Scan(&n)
				if _, err := tx.Exec(`UPDATE counter SET n = ?`, n+1); err != nil {
					errs <- err
				}
				if err := tx.Commit(); err != nil {
					errs <- err
				}
				if _, err := db.Exec(`INSERT INTO log VALUES (?)`, w); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("writer failed: %v", err)
	}
	var n, logged int
	db.QueryRow(`SELECT n FROM counter`).Scan(&n)
	db.QueryRow(`SELECT count(*) FROM log`).Scan(&logged)
	if n != workers*rounds || logged != workers*rounds {
		t.Fatalf("counter %d, log %d, want %d each", n, logged, workers*rounds)
	}
}

func TestWriteLockWaitIsBounded(t *testing.T) {
	ctx := context.Background()
	db, err := open(ctx, filepath.Join(t.TempDir(), "b.db"), 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	held, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback()
	// A second writer gives up with SQLITE_BUSY (a 503 for clients) rather
	// than waiting without end; a reader is not held up at all.
	if _, err := db.Exec(`CREATE TABLE t (x)`); !IsBusy(err) {
		t.Fatalf("second writer: %v, want SQLITE_BUSY", err)
	}
	var one int
	if err := db.QueryRow(`SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("reader: %v", err)
	}
	// A cancelled caller stops waiting at once.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.BeginTx(cctx, nil); err == nil {
		t.Fatal("BeginTx with a cancelled context succeeded while the lock was held")
	}
}

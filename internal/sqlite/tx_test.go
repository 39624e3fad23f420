package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/makerhub/makerhub/internal/sqlite"
)

func count(t *testing.T, q sqlite.Queryer, ctx context.Context) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A nested InTx joins the outer unit of work: its writes commit or roll
// back with the outer one, it sees the outer one's writes, and what runs
// after commit runs once the outermost commits, never on a rollback.
func TestUnitOfWork(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tx.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	insert := func(ctx context.Context) error {
		_, err := sqlite.Q(ctx, db).ExecContext(ctx, `INSERT INTO t VALUES (1)`)
		return err
	}

	var after []string
	err = sqlite.InTx(ctx, db, func(ctx context.Context) error {
		if err := insert(ctx); err != nil {
			return err
		}
		sqlite.AfterCommit(ctx, db, func() { after = append(after, "outer") })
		return sqlite.InTx(ctx, db, func(ctx context.Context) error {
			// Joined, not a second transaction: a second BEGIN would
			// wait for the write lock the outer one holds.
			if n := count(t, sqlite.Q(ctx, db), ctx); n != 1 {
				t.Errorf("the nested call sees %d rows, want the outer one's 1", n)
			}
			sqlite.AfterCommit(ctx, db, func() { after = append(after, "nested") })
			if len(after) != 0 {
				t.Error("AfterCommit ran before the commit")
			}
			return insert(ctx)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, ctx); n != 2 {
		t.Errorf("%d rows after the commit, want 2", n)
	}
	if len(after) != 2 || after[0] != "outer" || after[1] != "nested" {
		t.Errorf("after commit ran %v, want [outer nested]", after)
	}

	// A nested error undoes the outer work too; nothing runs after.
	failed := errors.New("refused")
	after = nil
	err = sqlite.InTx(ctx, db, func(ctx context.Context) error {
		if err := insert(ctx); err != nil {
			return err
		}
		return sqlite.InTx(ctx, db, func(ctx context.Context) error {
			sqlite.AfterCommit(ctx, db, func() { after = append(after, "nested") })
			return failed
		})
	})
	if !errors.Is(err, failed) {
		t.Fatalf("InTx = %v, want the nested error", err)
	}
	if n := count(t, db, ctx); n != 2 || len(after) != 0 {
		t.Errorf("after a rollback: %d rows (want 2), after-commit ran %v (want nothing)", n, after)
	}

	// A panic rolls back and releases the write lock.
	func() {
		defer func() { recover() }()
		_ = sqlite.InTx(ctx, db, func(ctx context.Context) error {
			_ = insert(ctx)
			panic("bug")
		})
	}()
	v, err := sqlite.InTxValue(ctx, db, func(ctx context.Context) (int, error) {
		return count(t, sqlite.Q(ctx, db), ctx), insert(ctx)
	})
	if err != nil || v != 2 {
		t.Errorf("after a panic: InTxValue = %d, %v; want 2 rows and the lock free", v, err)
	}

	// Outside a unit of work, AfterCommit runs at once.
	ran := false
	sqlite.AfterCommit(ctx, db, func() { ran = true })
	if !ran {
		t.Error("AfterCommit outside a transaction did not run")
	}
}

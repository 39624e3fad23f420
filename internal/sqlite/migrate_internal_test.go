package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

func TestFailedMigrationLeavesNoTrace(t *testing.T) {
	// A migration that fails half way leaves neither its tables nor its
	// record, and the migrations before it stay applied.
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, _ := Migrations()
	last := ms[len(ms)-1].Version
	broken := append(ms, Migration{Version: last + 1, Name: "broken",
		SQL: `CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);`})
	if err := migrate(ctx, db, broken); err == nil {
		t.Fatal("a broken migration was applied without error")
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'half'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("table created by the failed migration survived")
	}
	var v int
	if err := db.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != last {
		t.Errorf("schema version = %d after a failed migration, want %d", v, last)
	}
}

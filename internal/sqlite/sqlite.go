// Package sqlite opens the hub's SQLite database and applies its embedded,
// numbered migrations. It is plumbing: no business rules live here.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// maxIdleConns is how many connections the pool keeps open while idle.
const maxIdleConns = 64

// DSN options, see docs/architecture.md. The driver ignores Go's isolation
// levels, so _txlock=immediate is how a write transaction takes SQLite's write
// lock at BEGIN instead of failing with "database is locked" when a read in it
// later upgrades to a write. _stmt_cache_size keeps each connection's
// prepared statements by their text: compiling them again on every call
// was 15 % of the hub's CPU in a storm of claims (the jobs table's checks
// and indexes make its statements long to compile).
const dsnOptions = "_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_synchronous=NORMAL&_txlock=immediate&_stmt_cache_size=128"

// Migration is one embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations in version order. File names are
// NNNN_name.sql; versions must be unique.
func Migrations() ([]Migration, error) {
	entries, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, path := range entries {
		base := filepath.Base(path)
		num, name, ok := strings.Cut(strings.TrimSuffix(base, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", base)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration files %s and %s share version %d", other, base, v)
		}
		seen[v] = base
		body, err := migrationFS.ReadFile(path)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Open opens (creating if needed) the database file at path and brings its
// schema up to date. A database whose schema is newer than this build knows is
// refused, so an older binary never writes to a newer hub's data.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	return open(ctx, path, defaultLockWait)
}

// open is Open with the bound on a writer's wait for the process's write
// lock (tests shorten it).
func open(ctx context.Context, path string, lockWait time.Duration) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("database path is empty")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	u := url.URL{Scheme: "file", Opaque: path, RawQuery: dsnOptions}
	db := sql.OpenDB(&connector{dsn: u.String(), drv: &sqlite3.SQLiteDriver{}, lock: newWriteLock(lockWait)})
	// database/sql keeps 2 idle connections by default: with more
	// concurrent requests than that, connections were closed and opened
	// again (pragmas and all, and the driver's statement cache lost) on
	// every query — 13 % of the hub's CPU in a storm of claims. Keep
	// enough for the concurrency a hub sees; SQLite connections are cheap
	// to hold.
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return db, nil
}

// SchemaTooNewError reports a database written by a newer makerhub.
type SchemaTooNewError struct {
	DatabaseVersion int // the newest migration recorded in the database
	KnownVersion    int // the newest migration this build embeds
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("the database was written by a newer version of makerhub (schema version %d; this build knows up to %d): run that newer version, or restore a backup made with this one", e.DatabaseVersion, e.KnownVersion)
}

// Migrate applies every embedded migration the database has not recorded yet,
// each in its own transaction together with its record in schema_migrations.
func Migrate(ctx context.Context, db *sql.DB) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	return migrate(ctx, db, ms)
}

func migrate(ctx context.Context, db *sql.DB, ms []Migration) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	// Every migration not recorded yet is applied, not only those above
	// the newest recorded: a database that saw a later migration before an
	// earlier one was added (two branches merged) still gets both.
	applied := map[int]bool{}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	current := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("read schema version: %w", err)
		}
		applied[v] = true
		current = max(current, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].Version
	}
	if current > known {
		return &SchemaTooNewError{DatabaseVersion: current, KnownVersion: known}
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if err := apply(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, m Migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, FormatTime(time.Now())); err != nil {
		return fmt.Errorf("record migration %04d_%s: %w", m.Version, m.Name, err)
	}
	return tx.Commit()
}

// SchemaVersion returns the newest migration recorded in a database.
func SchemaVersion(ctx context.Context, q Queryer) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Queryer is a *sql.DB or a *sql.Tx, so that a helper serves a service's
// one-off reads and the statements of a transaction alike.
type Queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// NoRows reports whether err says a query found no row (sql.ErrNoRows).
func NoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// IsUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY
// constraint failure, which services turn into a conflict the user can act on.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// IsBusy reports whether err is SQLite giving up on a lock after the busy
// timeout, which callers may retry.
func IsBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// IsFull reports whether err is SQLite failing to write because the disk
// holding the database is full (SQLITE_FULL): the write was rolled back,
// and it may succeed once space is freed.
func IsFull(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrFull
}

// Collect returns a function that scans every row of a query's result
// with scan into a list (never nil) and closes the rows:
//
//	list, err := sqlite.Collect(scanThing)(db.QueryContext(ctx, query, args...))
//
// scan takes the row as the interface *sql.Row and *sql.Rows share, so
// the same function serves QueryRowContext.
func Collect[T any](scan func(row interface{ Scan(...any) error }) (T, error)) func(*sql.Rows, error) ([]T, error) {
	return func(rows *sql.Rows, err error) ([]T, error) {
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		list := []T{}
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, rows.Err()
	}
}

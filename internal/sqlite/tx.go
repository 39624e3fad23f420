package sqlite

import (
	"context"
	"database/sql"
)

// The unit of work. A change that spans several packages — a hand-over
// touches production's jobs, inventory's stock and its filament — must be
// one transaction, yet no package may hand another a *sql.Tx: each names
// only its own tables and asks the owner of the others through an
// exported call. So the transaction travels in the context. InTx opens one
// and passes fn a context carrying it; every statement a service runs goes
// through Q(ctx, db), which finds that transaction, so a call made inside
// fn joins the caller's work without knowing it is there. Outside InTx, Q
// is the database itself and each statement stands alone.

// txKey is the context key of the transaction in progress.
type txKey struct{}

// unit is one transaction in progress and what runs after its commit.
type unit struct {
	db          *sql.DB
	tx          *sql.Tx
	afterCommit []func()
}

// InTx runs fn inside one transaction of db and commits it if fn returns
// nil, or rolls it back otherwise (and if fn panics). When ctx already
// carries a transaction of db, fn joins it instead: the outermost InTx
// decides, so a nested call's error must be returned for the whole to be
// undone, and nothing is committed before the outermost fn returns.
//
// Every transaction takes SQLite's write lock at BEGIN (see dsnOptions and
// writelock.go): code inside fn must run its statements through Q(ctx, db),
// never through db directly, which would wait for the lock it holds.
func InTx(ctx context.Context, db *sql.DB, fn func(ctx context.Context) error) error {
	if u, ok := ctx.Value(txKey{}).(*unit); ok && u.db == db {
		return fn(ctx)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u := &unit{db: db, tx: tx}
	if err := fn(context.WithValue(ctx, txKey{}, u)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, f := range u.afterCommit {
		f()
	}
	return nil
}

// InTxValue is InTx for work that returns a value, which is the zero value
// when the transaction was rolled back.
func InTxValue[T any](ctx context.Context, db *sql.DB, fn func(ctx context.Context) (T, error)) (T, error) {
	var v T
	err := InTx(ctx, db, func(ctx context.Context) error {
		var err error
		v, err = fn(ctx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// Q is where the statements of ctx's work go: the transaction ctx carries
// for db, or db itself outside one.
func Q(ctx context.Context, db *sql.DB) Queryer {
	if u, ok := ctx.Value(txKey{}).(*unit); ok && u.db == db {
		return u.tx
	}
	return db
}

// AfterCommit runs f once the transaction ctx carries for db has
// committed, and never if it rolls back; outside a transaction, at once.
// Caches are emptied this way: emptied before the commit, a reader could
// fill them again with what the commit is about to change.
func AfterCommit(ctx context.Context, db *sql.DB, f func()) {
	if u, ok := ctx.Value(txKey{}).(*unit); ok && u.db == db {
		u.afterCommit = append(u.afterCommit, f)
		return
	}
	f()
}

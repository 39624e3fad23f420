package sqlite

import (
	"context"
	"database/sql/driver"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// SQLite has one writer at a time. When several connections of one process
// want it, those that lose wait in SQLite's busy handler, which sleeps in
// steps of up to 100 ms and wakes to try again: under a storm of claims,
// writers spend most of their time asleep while the lock is free, and some
// give up with "database is locked" after the busy timeout. So, as
// PocketBase does with its single-connection writer pool, the hub queues
// its writers in Go instead: every transaction (all of them BEGIN
// IMMEDIATE, see dsnOptions) and every write outside one takes the
// process's write lock first, in arrival order, and SQLite's busy timeout
// only ever waits for other processes (makerhub fsck, users create,
// backups). Reads outside transactions take no lock: WAL lets them run
// beside the writer.

// writeLock is a FIFO-fair lock usable with a context: a buffered channel
// of one slot, and how long lock waits for it.
type writeLock struct {
	slot chan struct{}
	wait time.Duration
}

// defaultLockWait bounds the wait for the write lock like SQLite's busy
// timeout (5 s, see dsnOptions): past it the caller gets SQLITE_BUSY, which
// the hub answers with 503 and Retry-After, rather than waiting without end.
const defaultLockWait = 5 * time.Second

// newWriteLock returns a write lock whose waits end after wait.
func newWriteLock(wait time.Duration) writeLock {
	return writeLock{slot: make(chan struct{}, 1), wait: wait}
}

func (l writeLock) lock(ctx context.Context) error {
	select {
	case l.slot <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return sqlite3.Error{Code: sqlite3.ErrBusy}
	}
}

func (l writeLock) unlock() { <-l.slot }

// connector opens SQLite connections that share one write lock.
type connector struct {
	dsn  string
	drv  *sqlite3.SQLiteDriver
	lock writeLock
}

func (c *connector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &lockedConn{SQLiteConn: conn.(*sqlite3.SQLiteConn), lock: c.lock}, nil
}

func (c *connector) Driver() driver.Driver { return c.drv }

// lockedConn is a SQLite connection whose writes take the write lock. The
// embedded connection provides everything else database/sql asks of a
// driver connection (prepared statements, queries, pings).
type lockedConn struct {
	*sqlite3.SQLiteConn
	lock writeLock
	inTx bool
}

func (c *lockedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *lockedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.lock.lock(ctx); err != nil {
		return nil, err
	}
	tx, err := c.SQLiteConn.BeginTx(ctx, opts)
	if err != nil {
		c.lock.unlock()
		return nil, err
	}
	c.inTx = true
	return &lockedTx{Tx: tx, conn: c}, nil
}

// ExecContext runs a statement; outside a transaction it is a write of its
// own and takes the lock for its duration.
func (c *lockedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.inTx {
		return c.SQLiteConn.ExecContext(ctx, query, args)
	}
	if err := c.lock.lock(ctx); err != nil {
		return nil, err
	}
	defer c.lock.unlock()
	return c.SQLiteConn.ExecContext(ctx, query, args)
}

// lockedTx releases the write lock when the transaction ends.
type lockedTx struct {
	driver.Tx
	conn *lockedConn
	once sync.Once
}

func (t *lockedTx) Commit() error {
	err := t.Tx.Commit()
	t.end()
	return err
}

func (t *lockedTx) Rollback() error {
	err := t.Tx.Rollback()
	t.end()
	return err
}

func (t *lockedTx) end() {
	t.once.Do(func() {
		t.conn.inTx = false
		t.conn.lock.unlock()
	})
}

var (
	_ driver.Connector          = (*connector)(nil)
	_ driver.ConnBeginTx        = (*lockedConn)(nil)
	_ driver.ExecerContext      = (*lockedConn)(nil)
	_ driver.QueryerContext     = (*lockedConn)(nil)
	_ driver.ConnPrepareContext = (*lockedConn)(nil)
)

package production_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/designstest"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/productiontest"
)

// recorder is a production.Notifier that keeps what it was told, once the
// transaction commits (it writes into a table of its own in the same tx,
// so a rollback leaves nothing).
type recorder struct{ db *sql.DB }

func (r recorder) Notify(ctx context.Context, n makerhub.Notice) error {
	_, err := sqlite.Q(ctx, r.db).ExecContext(ctx, `INSERT INTO test_notices (user_id, org_id, kind, title) VALUES (?, ?, ?, ?)`, n.UserID, n.OrganisationID, n.Kind, n.Title)
	return err
}

// env is a hub's production over a real SQLite file, with real designs
// (the reference parts) and accounts: production/productiontest's hub
// under the names these tests use.
type env struct {
	*productiontest.Hub
	t       testing.TB
	db      *sql.DB
	acc     *accounts.Service
	designs *designs.Service
	svc     *production.Service
	clock   *testenv.Clock

	coord, maker, other, nurse *makerhub.User
	shield, valve              *designs.Design
}

func newEnv(t *testing.T) *env {
	t.Helper()
	h := productiontest.New(t, func(db *sql.DB, _ *accounts.Service) makerhub.Notifier {
		if _, err := db.Exec(`CREATE TABLE test_notices (user_id INTEGER, org_id INTEGER, kind TEXT, title TEXT)`); err != nil {
			t.Fatal(err)
		}
		return recorder{db}
	})
	return &env{Hub: h, t: t, db: h.DB, acc: h.Accounts, designs: h.Designs, svc: h.Production, clock: h.Clock,
		coord: h.Coord, maker: h.Maker, other: h.Other, nurse: h.Nurse, shield: h.Shield, valve: h.Valve}
}

func (e *env) user(role makerhub.Role, lat, lon float64) *makerhub.User {
	return e.User(role, lat, lon)
}
func (e *env) hospital(lat, lon float64, verified bool) *makerhub.User {
	return e.Hospital(lat, lon, verified)
}
func (e *env) printer(u *makerhub.User, name string, bed [3]float64, materials ...string) *production.Printer {
	return e.Printer(u, name, bed, materials...)
}
func (e *env) publish(title, file, material string, status designs.Status) *designs.Design {
	return e.Publish(title, file, material, status)
}
func (e *env) publishSTL(title, file string, data []byte, material string, status designs.Status) *designs.Design {
	return e.PublishSTL(title, file, data, material, status)
}
func (e *env) request(u *makerhub.User, d *designs.Design, units int, prio production.Priority, days int) *production.Request {
	return e.Request(u, d, units, prio, days)
}
func (e *env) route() *production.RoutingRun { return e.Route() }

func (e *env) notices(kind string) []string {
	e.t.Helper()
	rows, err := e.db.Query(`SELECT title FROM test_notices WHERE kind = ? ORDER BY rowid`, kind)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func as(u *makerhub.User) context.Context { return designstest.As(u) }

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	designstest.WantCode(t, err, code, msg)
}

// count runs a counting query.
func (e *env) count(q string, args ...any) int { e.t.Helper(); return e.Count(q, args...) }

package production_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
	"github.com/makerhub/makerhub/production"
)

const testdata = "../testdata/stl"

// recorder is a production.Notifier that keeps what it was told, once the
// transaction commits (it writes into a table of its own in the same tx,
// so a rollback leaves nothing).
type recorder struct{}

func (recorder) Notify(ctx context.Context, tx *sql.Tx, n production.Notice) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO test_notices (user_id, org_id, kind, title) VALUES (?, ?, ?, ?)`, n.UserID, n.OrganisationID, n.Kind, n.Title)
	return err
}

// env is a hub's production over a real SQLite file, with real designs
// (the reference parts) and accounts.
type env struct {
	t       *testing.T
	db      *sql.DB
	acc     *accounts.Service
	designs *designs.Service
	svc     *production.Service
	clock   *testenv.Clock
	seq     int

	coord *makerhub.User
	maker *makerhub.User // Grenoble, a Prusa MK3S for PLA and PETG
	other *makerhub.User // Lyon, an Ender-3 for PLA
	nurse *makerhub.User // verified hospital in Grenoble

	shield *designs.Design // face shield headpiece, PETG, v1 clinically validated
	valve  *designs.Design // valve handle, PLA, v1 submitted
}

var start = time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "makerhub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE test_notices (user_id INTEGER, org_id INTEGER, kind TEXT, title TEXT)`); err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.New(db, accounts.Options{Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := local.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	c := testenv.NewClock(start)
	e := &env{t: t, db: db, acc: acc, clock: c}
	e.designs = designs.New(db, blobs, designs.Options{TempDir: t.TempDir(), Now: c.Now})
	e.svc = production.New(db, e.designs, production.Options{Now: c.Now, Notifier: recorder{}})
	e.coord = e.user(makerhub.RoleCoordinator, 0, 0)
	e.maker = e.user(makerhub.RoleMaker, 45.19, 5.72)
	e.other = e.user(makerhub.RoleMaker, 45.76, 4.84)
	e.nurse = e.hospital(45.20, 5.75, true)
	e.printer(e.maker, "MK3S", [3]float64{250, 210, 210}, "PLA", "PETG")
	e.printer(e.other, "Ender-3", [3]float64{220, 220, 250}, "PLA")
	e.shield = e.publish("Face shield", "face-shield-headpiece.stl", "PETG", designs.ClinicallyValidated)
	e.valve = e.publish("Valve handle", "ventilator-valve-handle.stl", "PLA", designs.Submitted)
	return e
}

func (e *env) user(role makerhub.Role, lat, lon float64) *makerhub.User {
	e.t.Helper()
	e.seq++
	in := accounts.NewUser{Email: fmt.Sprintf("u%d@example.org", e.seq), Password: "correct horse battery",
		Name: fmt.Sprintf("User %d", e.seq), Role: role}
	if role != makerhub.RoleCoordinator {
		in.Organisation = &accounts.OrganisationInput{Name: fmt.Sprintf("Org %d", e.seq), Address: "Somewhere", Lat: &lat, Lon: &lon}
	}
	u, err := e.acc.CreateUser(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// hospital makes a hospital user, verified by the coordinator if asked.
func (e *env) hospital(lat, lon float64, verified bool) *makerhub.User {
	e.t.Helper()
	u := e.user(makerhub.RoleHospital, lat, lon)
	if verified {
		org, err := e.acc.VerifyOrganisation(as(e.coord), u.OrganisationID())
		if err != nil {
			e.t.Fatal(err)
		}
		u.Organisation = org
	}
	return u
}

func (e *env) printer(u *makerhub.User, name string, bed [3]float64, materials ...string) *production.Printer {
	e.t.Helper()
	p, err := e.svc.CreatePrinter(as(u), production.PrinterInput{Name: &name, BedMM: &bed, Materials: &materials, HoursPerDay: ptr(10.0)})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// publish makes a design from a reference part, published and reviewed to
// status.
func (e *env) publish(title, file, material string, status designs.Status) *designs.Design {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, file))
	if err != nil {
		e.t.Fatal(err)
	}
	return e.publishSTL(title, file, data, material, status)
}

// publishSTL is publish with the STL's bytes.
func (e *env) publishSTL(title, file string, data []byte, material string, status designs.Status) *designs.Design {
	e.t.Helper()
	ctx := as(e.coord)
	d, err := e.designs.CreateDesign(ctx, designs.DesignInput{Title: &title, Category: ptr(designs.FaceShield),
		Licence: ptr("CERN-OHL-P-2.0"), Material: &material})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.designs.CreateVersion(ctx, d.ID, "v1"); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.designs.AddFile(ctx, d.ID, 1, designs.Upload{Name: file, Body: bytes.NewReader(data), Size: int64(len(data))}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.designs.Publish(ctx, d.ID, 1, ""); err != nil {
		e.t.Fatal(err)
	}
	for _, s := range []designs.Status{designs.CommunityReviewed, designs.ClinicallyValidated} {
		if status == designs.Submitted {
			break
		}
		if _, err := e.designs.Review(ctx, d.ID, 1, s, "checked"); err != nil {
			e.t.Fatal(err)
		}
		if s == status {
			break
		}
	}
	return d
}

// request files a request from the hospital u.
func (e *env) request(u *makerhub.User, d *designs.Design, units int, prio production.Priority, days int) *production.Request {
	e.t.Helper()
	r, err := e.svc.CreateRequest(as(u), production.RequestInput{DesignID: d.ID, Quantity: units, Priority: prio,
		NeededBy: e.clock.Now().AddDate(0, 0, days).Format("2006-01-02")})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) route() *production.RoutingRun {
	e.t.Helper()
	run, err := e.svc.RunRouting(as(e.coord))
	if err != nil {
		e.t.Fatal(err)
	}
	return run
}

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

func as(u *makerhub.User) context.Context {
	if u == nil {
		return context.Background()
	}
	return makerhub.NewContextWithUser(context.Background(), u)
}

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	if got := makerhub.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	if msg != "" && !strings.Contains(strings.ToLower(makerhub.ErrorMessage(err)), strings.ToLower(msg)) {
		t.Fatalf("message %q does not mention %q", makerhub.ErrorMessage(err), msg)
	}
}

// count runs a counting query.
func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

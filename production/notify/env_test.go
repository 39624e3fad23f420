package notify_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
	"github.com/makerhub/makerhub/production/notify"
)

// env is the notify service on a real SQLite file, with users made by the
// accounts service.
type env struct {
	t     *testing.T
	path  string
	db    *sql.DB
	acc   *accounts.Service
	svc   *notify.Service
	clock *testenv.Clock
	maker *makerhub.User // in a maker group
	mate  *makerhub.User // another user of maker's group
	other *makerhub.User // a maker in another group
	nurse *makerhub.User // hospital staff
	coord *makerhub.User // a coordinator without an organisation
	seq   int
}

// newEnv opens a database and a service; tune changes the options (the
// defaults here allow loopback receivers, since httptest servers are on
// 127.0.0.1).
func newEnv(t *testing.T, tune func(*notify.Options)) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "makerhub.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	acc, err := accounts.New(db, accounts.Options{Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, path: path, db: db, acc: acc, clock: testenv.NewClock(time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))}
	e.svc = e.service(db, tune)
	e.maker = e.user(makerhub.RoleMaker)
	e.mate = e.colleague(e.maker)
	e.other = e.user(makerhub.RoleMaker)
	e.nurse = e.user(makerhub.RoleHospital)
	e.coord = e.user(makerhub.RoleCoordinator)
	return e
}

// service returns another Service on db with the env's clock.
func (e *env) service(db *sql.DB, tune func(*notify.Options)) *notify.Service {
	opts := notify.Options{Now: e.clock.Now, AllowPrivateNetworks: true, Timeout: 2 * time.Second}
	if tune != nil {
		tune(&opts)
	}
	return notify.New(db, e.acc, opts)
}

func (e *env) user(role makerhub.Role) *makerhub.User {
	e.t.Helper()
	e.seq++
	lat, lon := 45.0, 5.0
	in := accounts.NewUser{Email: fmt.Sprintf("u%d@example.org", e.seq), Password: "correct horse battery", Name: fmt.Sprintf("User %d", e.seq), Role: role}
	if role != makerhub.RoleCoordinator {
		in.Organisation = &accounts.OrganisationInput{Name: fmt.Sprintf("Org %d", e.seq), Address: "Grenoble", Lat: &lat, Lon: &lon}
	}
	u, err := e.acc.CreateUser(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// colleague adds a second user to u's organisation. The accounts service
// has no way to join an existing organisation yet, so the row is written
// directly.
func (e *env) colleague(u *makerhub.User) *makerhub.User {
	e.t.Helper()
	e.seq++
	res, err := e.db.Exec(`INSERT INTO users (email, name, role, organisation_id, password_hash, created_at)
		VALUES (?, ?, ?, ?, 'x', ?)`, fmt.Sprintf("u%d@example.org", e.seq), "Colleague", u.Role, u.OrganisationID(),
		sqlite.FormatTime(e.clock.Now()))
	if err != nil {
		e.t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return &makerhub.User{ID: id, Email: fmt.Sprintf("u%d@example.org", e.seq), Name: "Colleague", Role: u.Role, Organisation: u.Organisation}
}

func as(u *makerhub.User) context.Context {
	if u == nil {
		return context.Background()
	}
	return makerhub.NewContextWithUser(context.Background(), u)
}

func ptr[T any](v T) *T { return &v }

// enqueue commits notifications in a transaction of their own, as another
// domain would with its change.
func (e *env) enqueue(ns ...notify.Notification) {
	e.t.Helper()
	if err := sqlite.InTx(context.Background(), e.db, func(ctx context.Context) error {
		return e.svc.EnqueueMany(ctx, ns)
	}); err != nil {
		e.t.Fatal(err)
	}
}

// jobOffered is a notification to u's organisation.
func jobOffered(u *makerhub.User, job int) notify.Notification {
	return notify.Notification{OrganisationID: ptr(u.OrganisationID()), Kind: notify.KindJobOffered,
		Title: fmt.Sprintf("Job %d offered: 40 face shields", job), Body: "Due in 3 days.",
		Link: fmt.Sprintf("/api/v1/jobs/%d", job), Data: []byte(fmt.Sprintf(`{"job_id": %d, "quantity": 40}`, job))}
}

func (e *env) webhook(u *makerhub.User, url string, events ...string) *notify.CreatedWebhook {
	e.t.Helper()
	if len(events) == 0 {
		events = []string{"*"}
	}
	w, err := e.svc.CreateWebhook(as(u), u.OrganisationID(), url, events)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// deliveries returns a webhook's whole log, newest first.
func (e *env) deliveries(w *notify.CreatedWebhook) []*notify.Delivery {
	e.t.Helper()
	list, _, err := e.svc.FindDeliveries(as(e.coord), w.ID, notify.DeliveryFilter{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) only(w *notify.CreatedWebhook) *notify.Delivery {
	e.t.Helper()
	list := e.deliveries(w)
	if len(list) != 1 {
		e.t.Fatalf("webhook %d has %d deliveries, want 1", w.ID, len(list))
	}
	return list[0]
}

func (e *env) deliverDue(want int) {
	e.t.Helper()
	n, err := e.svc.DeliverDue(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	if n != want {
		e.t.Fatalf("DeliverDue handled %d deliveries, want %d", n, want)
	}
}

func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
	path   string
}

// receiver is a real HTTP endpoint on loopback that records what it gets
// and answers with the status that answer returns for the nth request.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, r *http.Request) int
}

func newReceiver(t *testing.T, answer func(n int, r *http.Request) int) *receiver {
	rc := &receiver{answer: answer}
	if rc.answer == nil {
		rc.answer = func(int, *http.Request) int { return http.StatusNoContent }
	}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body, path: r.URL.Path})
		n := len(rc.got)
		rc.mu.Unlock()
		w.WriteHeader(rc.answer(n, r))
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	if got := makerhub.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	if msg != "" && !strings.Contains(strings.ToLower(makerhub.ErrorMessage(err)), strings.ToLower(msg)) {
		t.Fatalf("message %q does not mention %q", makerhub.ErrorMessage(err), msg)
	}
}

package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/notify"
	"github.com/makerhub/makerhub/web"
)

// testHub is a real hub on a loopback port: SQLite file, blob folder, HTTP.
type testHub struct {
	t        testing.TB
	srv      *web.Server
	ts       *httptest.Server
	db       *sql.DB
	accounts *accounts.Service
	blobs    makerhub.BlobStore
	blobDir  string // for the local store
	tmpDir   string
	designs  *designs.Service
	logs     *testenv.LockedBuffer
	seq      atomic.Int64
	notify   *notify.Service
	prod     *production.Service
}

func newTestHub(t testing.TB, opts accounts.Options) *testHub {
	t.Helper()
	blobDir := filepath.Join(t.TempDir(), "blobs")
	blobs, err := local.New(blobDir)
	if err != nil {
		t.Fatal(err)
	}
	h := newTestHubOn(t, opts, blobs, designs.Options{})
	h.blobDir = blobDir
	return h
}

// newTestHubOn builds a hub on the given blob store.
func newTestHubOn(t testing.TB, opts accounts.Options, blobs makerhub.BlobStore, dopts designs.Options) *testHub {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "makerhub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if opts.Password == (accounts.PasswordParams{}) {
		opts.Password = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}
	}
	if opts.Login == (accounts.LoginLimits{}) {
		opts.Login = accounts.LoginLimits{AccountBurst: -1, IPBurst: -1}
	}
	acc, err := accounts.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if dopts.TempDir == "" {
		dopts.TempDir = t.TempDir()
	}
	ds := designs.New(db, acc, blobs, dopts)
	nt := notify.New(db, acc, notify.Options{AllowPrivateNetworks: true})
	prod := production.New(db, acc, ds, production.Options{Notifier: nt})
	inv := inventory.New(db, acc, ds, prod, inventory.Options{Notifier: nt})
	logs := &testenv.LockedBuffer{}
	srv, err := web.NewServer(web.Config{
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		DB:     db, Blobs: blobs, Accounts: acc, Designs: ds, Production: prod, Inventory: inv, Notify: nt, MaxUpload: dopts.MaxUpload,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	// Redirects are answers to check (the pages' forms), not to follow.
	ts.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &testHub{t: t, srv: srv, ts: ts, db: db, accounts: acc, blobs: blobs, tmpDir: dopts.TempDir, designs: ds, logs: logs, notify: nt, prod: prod}
}

// response is a finished HTTP exchange.
type response struct {
	*http.Response
	body string
}

func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

// request sends method path with an optional JSON body and bearer token.
func (h *testHub) request(method, path, body, token string, header http.Header) *response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.ts.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, vs := range header {
		req.Header.Del(k)
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &response{Response: resp, body: string(b)}
}

// caller is a signed-up, logged-in user.
type caller struct {
	name  string
	user  *makerhub.User
	token string
}

func (h *testHub) uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s%d@example.org", prefix, h.seq.Add(1))
}

func signupBody(email string, role makerhub.Role, orgName string) string {
	return fmt.Sprintf(`{"email":%q,"password":"correct horse battery","name":"Test User","role":%q,
		"organisation":{"name":%q,"address":"12 Avenue de la République, Lyon","lat":45.764,"lon":4.8357}}`, email, role, orgName)
}

func (h *testHub) login(email string) string {
	h.t.Helper()
	r := h.request("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":"correct horse battery"}`, email), "", nil)
	if r.StatusCode != 200 {
		h.t.Fatalf("login %s: %d %s", email, r.StatusCode, r.body)
	}
	var s struct{ Token string }
	r.decode(h.t, &s)
	return s.Token
}

// newCaller makes a caller of the given kind: "maker", "hospital" (verified),
// "unverified" (hospital), "coordinator", or "anonymous".
func (h *testHub) newCaller(kind string) *caller {
	h.t.Helper()
	c := &caller{name: kind}
	if kind == "anonymous" {
		return c
	}
	email := h.uniqueEmail(kind)
	if kind == "coordinator" {
		u, err := h.accounts.CreateUser(context.Background(), accounts.NewUser{
			Email: email, Password: "correct horse battery", Name: "Coord", Role: makerhub.RoleCoordinator})
		if err != nil {
			h.t.Fatal(err)
		}
		c.user, c.token = u, h.login(email)
		return c
	}
	role := makerhub.RoleMaker
	if kind == "hospital" || kind == "unverified" {
		role = makerhub.RoleHospital
	}
	r := h.request("POST", "/api/v1/auth/signup", signupBody(email, role, "Org "+email), "", nil)
	if r.StatusCode != 201 {
		h.t.Fatalf("signup %s: %d %s", email, r.StatusCode, r.body)
	}
	c.user = &makerhub.User{}
	r.decode(h.t, c.user)
	if kind == "hospital" {
		coord, err := h.accounts.CreateUser(context.Background(), accounts.NewUser{
			Email: h.uniqueEmail("verifier"), Password: "correct horse battery", Name: "V", Role: makerhub.RoleCoordinator})
		if err != nil {
			h.t.Fatal(err)
		}
		if _, err := h.accounts.VerifyOrganisation(makerhub.NewContextWithUser(context.Background(), coord), c.user.Organisation.ID); err != nil {
			h.t.Fatal(err)
		}
	}
	c.token = h.login(email)
	return c
}

// errorOf decodes the one error shape, failing if the body is not in it.
func errorOf(t *testing.T, r *response) (code, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("body %q is not {\"error\": {\"code\", \"message\"}}", r.body)
	}
	return e.Error.Code, e.Error.Message
}

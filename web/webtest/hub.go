package webtest

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

// Hub is a real hub on a loopback port: SQLite file, blob folder, HTTP.
type Hub struct {
	T        testing.TB
	Srv      *web.Server
	TS       *httptest.Server
	DB       *sql.DB
	Accounts *accounts.Service
	Blobs    makerhub.BlobStore
	BlobDir  string // for the local store
	TmpDir   string // the design library's temp folder
	Designs  *designs.Service
	Logs     *testenv.LockedBuffer // the server's log
	Notify   *notify.Service
	Prod     *production.Service
	Seq      atomic.Int64 // numbers for unique names
}

func NewHub(t testing.TB, opts accounts.Options) *Hub {
	t.Helper()
	blobDir := filepath.Join(t.TempDir(), "blobs")
	blobs, err := local.New(blobDir)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHubOn(t, opts, blobs, designs.Options{})
	h.BlobDir = blobDir
	return h
}

// NewHubOn builds a hub on the given blob store.
func NewHubOn(t testing.TB, opts accounts.Options, blobs makerhub.BlobStore, dopts designs.Options) *Hub {
	t.Helper()
	return newHub(t, opts, blobs, dopts, Mail{})
}

// Mail is how a hub sends mail: through SMTP (nil: mail is off), with links
// to PublicURL.
type Mail struct {
	SMTP      *notify.SMTP
	PublicURL string
}

// NewHubWithMail builds a hub that sends mail through mail.SMTP.
func NewHubWithMail(t testing.TB, opts accounts.Options, mail Mail) *Hub {
	t.Helper()
	blobs, err := local.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return newHub(t, opts, blobs, designs.Options{}, mail)
}

func newHub(t testing.TB, opts accounts.Options, blobs makerhub.BlobStore, dopts designs.Options, mail Mail) *Hub {
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
	nt := notify.New(db, acc, notify.Options{AllowPrivateNetworks: true, SMTP: mail.SMTP})
	acc.UseMailer(nt)
	prod := production.New(db, acc, ds, production.Options{Notifier: nt})
	inv := inventory.New(db, acc, ds, prod, inventory.Options{Notifier: nt})
	logs := &testenv.LockedBuffer{}
	srv, err := web.NewServer(web.Config{
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		DB:     db, Blobs: blobs, Accounts: acc, Designs: ds, Production: prod, Inventory: inv, Notify: nt, MaxUpload: dopts.MaxUpload,
		PublicURL: mail.PublicURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	// Redirects are answers to check (the pages' forms), not to follow.
	ts.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Hub{T: t, Srv: srv, TS: ts, DB: db, Accounts: acc, Blobs: blobs, TmpDir: dopts.TempDir, Designs: ds, Logs: logs, Notify: nt, Prod: prod}
}

// Response is a finished HTTP exchange.
type Response struct {
	*http.Response
	Body string // read whole
}

// Decode reads the JSON body into v, failing the test if it cannot.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// Request sends method path with an optional JSON body and bearer token.
func (h *Hub) Request(method, path, body, token string, header http.Header) *Response {
	h.T.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.TS.URL+path, rd)
	if err != nil {
		h.T.Fatal(err)
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
	resp, err := h.TS.Client().Do(req)
	if err != nil {
		h.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Response: resp, Body: string(b)}
}

// Caller is a signed-up, logged-in user.
type Caller struct {
	Name  string
	User  *makerhub.User
	Token string
}

func (h *Hub) UniqueEmail(prefix string) string {
	return fmt.Sprintf("%s%d@example.org", prefix, h.Seq.Add(1))
}

func SignupBody(email string, role makerhub.Role, orgName string) string {
	return fmt.Sprintf(`{"email":%q,"password":"correct horse battery","name":"Test User","role":%q,
		"organisation":{"name":%q,"address":"12 Avenue de la République, Lyon","lat":45.764,"lon":4.8357}}`, email, role, orgName)
}

func (h *Hub) Login(email string) string {
	h.T.Helper()
	r := h.Request("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":"correct horse battery"}`, email), "", nil)
	if r.StatusCode != 200 {
		h.T.Fatalf("login %s: %d %s", email, r.StatusCode, r.Body)
	}
	var s struct{ Token string }
	r.Decode(h.T, &s)
	return s.Token
}

// NewCaller makes a Caller of the given kind: "maker", "hospital" (verified),
// "unverified" (hospital), "coordinator", or "anonymous".
func (h *Hub) NewCaller(kind string) *Caller {
	h.T.Helper()
	c := &Caller{Name: kind}
	if kind == "anonymous" {
		return c
	}
	email := h.UniqueEmail(kind)
	if kind == "coordinator" {
		u, err := h.Accounts.CreateUser(context.Background(), accounts.NewUser{
			Email: email, Password: "correct horse battery", Name: "Coord", Role: makerhub.RoleCoordinator})
		if err != nil {
			h.T.Fatal(err)
		}
		c.User, c.Token = u, h.Login(email)
		return c
	}
	role := makerhub.RoleMaker
	if kind == "hospital" || kind == "unverified" {
		role = makerhub.RoleHospital
	}
	r := h.Request("POST", "/api/v1/auth/signup", SignupBody(email, role, "Org "+email), "", nil)
	if r.StatusCode != 201 {
		h.T.Fatalf("signup %s: %d %s", email, r.StatusCode, r.Body)
	}
	c.User = &makerhub.User{}
	r.Decode(h.T, c.User)
	if kind == "hospital" {
		coord, err := h.Accounts.CreateUser(context.Background(), accounts.NewUser{
			Email: h.UniqueEmail("verifier"), Password: "correct horse battery", Name: "V", Role: makerhub.RoleCoordinator})
		if err != nil {
			h.T.Fatal(err)
		}
		if _, err := h.Accounts.VerifyOrganisation(makerhub.NewContextWithUser(context.Background(), coord), c.User.Organisation.ID); err != nil {
			h.T.Fatal(err)
		}
	}
	c.Token = h.Login(email)
	return c
}

// ErrorOf decodes the one error shape, failing if the body is not in it.
func ErrorOf(t *testing.T, r *Response) (code, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("body %q is not {\"error\": {\"code\", \"message\"}}", r.Body)
	}
	return e.Error.Code, e.Error.Message
}

// NewMember adds a member (not an owner) to owner's organisation, as the
// operator's tools can, and logs them in.
func (h *Hub) NewMember(owner *Caller) *Caller {
	h.T.Helper()
	email := h.UniqueEmail("member")
	u, err := h.Accounts.CreateUser(context.Background(), accounts.NewUser{Email: email, Password: "correct horse battery",
		Name: "Member", Role: owner.User.Role, JoinOrganisation: owner.User.OrganisationID()})
	if err != nil {
		h.T.Fatal(err)
	}
	return &Caller{Name: "member", User: u, Token: h.Login(email)}
}

// NewHubWithMailpit is a hub that sends mail to a real mailpit started for
// the test, with links to https://hub.example.org/ (the slash is trimmed); the test reads what
// arrived from the mailpit.
func NewHubWithMailpit(t testing.TB, opts accounts.Options) (*Hub, *testenv.Mailpit) {
	t.Helper()
	mp := testenv.StartMailpit(t)
	smtp, err := notify.ParseSMTP("smtp://"+mp.SMTP+"?tls=none", "makerhub <hub@makerhub.example>")
	if err != nil {
		t.Fatal(err)
	}
	return NewHubWithMail(t, opts, Mail{SMTP: smtp, PublicURL: "https://hub.example.org/"}), mp
}

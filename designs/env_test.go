package designs_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/designstest"
	"github.com/makerhub/makerhub/designs/stl/stltest"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/blob/s3"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
)

const testdata = "../testdata/stl"

// env is a design library on real parts: a SQLite file and a blob store.
type env struct {
	t        *testing.T
	svc      *designs.Service
	db       *sql.DB
	acc      *accounts.Service
	blobs    makerhub.BlobStore
	minio    *testenv.MinIO // nil for local disk
	maker    *makerhub.User
	other    *makerhub.User
	nurse    *makerhub.User
	coord    *makerhub.User
	seq      int
	maxBytes int64
}

type backend struct {
	name string
	open func(t *testing.T) (makerhub.BlobStore, *testenv.MinIO)
}

var backends = []backend{
	{"local", func(t *testing.T) (makerhub.BlobStore, *testenv.MinIO) {
		st, err := local.New(filepath.Join(t.TempDir(), "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		return st, nil
	}},
	{"minio", func(t *testing.T) (makerhub.BlobStore, *testenv.MinIO) {
		m := testenv.StartMinIO(t)
		st, err := s3.New(s3.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "designs-test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.EnsureBucket(context.Background()); err != nil {
			t.Fatal(err)
		}
		return st, m
	}},
}

// eachBackend runs f on local disk and on a real MinIO.
func eachBackend(t *testing.T, f func(t *testing.T, e *env)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			blobs, m := b.open(t)
			f(t, newEnv(t, blobs, m, 0))
		})
	}
}

func newEnv(t *testing.T, blobs makerhub.BlobStore, m *testenv.MinIO, maxUpload int64) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "makerhub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	acc, err := accounts.New(db, accounts.Options{Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, acc: acc, blobs: blobs, minio: m, maxBytes: maxUpload}
	e.svc = designs.New(db, acc, blobs, designs.Options{MaxUpload: maxUpload, TempDir: t.TempDir(),
		Now: func() time.Time { return time.Date(2020, 3, 25, 10, 0, 0, 0, time.UTC) }})
	e.maker = e.user(makerhub.RoleMaker)
	e.other = e.user(makerhub.RoleMaker)
	e.nurse = e.user(makerhub.RoleHospital)
	e.coord = e.user(makerhub.RoleCoordinator)
	return e
}

func (e *env) user(role makerhub.Role) *makerhub.User {
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

func as(u *makerhub.User) context.Context { return designstest.As(u) }

func ptr[T any](v T) *T { return &v }

func (e *env) design(title string) *designs.Design {
	e.t.Helper()
	d, err := e.svc.CreateDesign(as(e.maker), designs.DesignInput{Title: ptr(title), Category: ptr(designs.FaceShield), Licence: ptr("CERN-OHL-P-2.0")})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) draft(d *designs.Design) *designs.Version {
	e.t.Helper()
	v, err := e.svc.CreateVersion(as(e.maker), d.ID, "first cut")
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func (e *env) upload(u *makerhub.User, d *designs.Design, n int, name string, data []byte) (*designs.File, error) {
	return e.svc.AddFile(as(u), d.ID, n, designs.Upload{Name: name, Body: bytesReader(data), Size: int64(len(data))})
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// objects lists every object key in the store.
func (e *env) objects() []string {
	e.t.Helper()
	var keys []string
	var seq iter.Seq2[makerhub.BlobInfo, error] = e.blobs.List(context.Background(), "")
	for info, err := range seq {
		if err != nil {
			e.t.Fatal(err)
		}
		keys = append(keys, info.Key)
	}
	return keys
}

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	designstest.WantCode(t, err, code, msg)
}

// smallSTL is a valid binary STL of a 10 mm cube.
func smallSTL(t *testing.T) []byte {
	var b bytes.Buffer
	if err := stltest.WriteBinary(&b, "cube", stltest.Cube([3]float32{}, 10)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

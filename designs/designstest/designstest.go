// Package designstest builds a design library for tests, as net/http/httptest
// does a server: a real SQLite file, real accounts, a library on a local blob
// store with two reference parts of testdata/stl published, and a test clock.
// production/productiontest builds production on top of it.
package designstest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
)

// Start is when every test hub's clock starts.
func Start() time.Time { return time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC) }

// Hub is the accounts and design library of a hub, with a few people and
// parts to start from.
type Hub struct {
	T        testing.TB
	DB       *sql.DB
	Accounts *accounts.Service
	Designs  *designs.Service
	Clock    *testenv.Clock
	seq      int

	Coord *makerhub.User
	Maker *makerhub.User // Grenoble (productiontest gives it a Prusa MK3S for PLA and PETG)
	Other *makerhub.User // Lyon (productiontest gives it an Ender-3 for PLA)
	Nurse *makerhub.User // verified hospital in Grenoble

	Shield *designs.Design // face shield headpiece, PETG, v1 clinically validated
	Valve  *designs.Design // valve handle, PLA, v1 submitted
}

// New builds a hub's accounts and design library, with its people and the
// two parts published.
func New(t testing.TB) *Hub {
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
	blobs, err := local.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	c := testenv.NewClock(Start())
	h := &Hub{T: t, DB: db, Accounts: acc, Clock: c}
	h.Designs = designs.New(db, acc, blobs, designs.Options{TempDir: t.TempDir(), Now: c.Now})
	t.Cleanup(h.Designs.Close)
	h.Coord = h.User(makerhub.RoleCoordinator, 0, 0)
	h.Maker = h.User(makerhub.RoleMaker, 45.19, 5.72)
	h.Other = h.User(makerhub.RoleMaker, 45.76, 4.84)
	h.Nurse = h.Hospital(45.20, 5.75, true)
	h.Shield = h.Publish("Face shield", "face-shield-headpiece.stl", "PETG", designs.ClinicallyValidated)
	h.Valve = h.Publish("Valve handle", "ventilator-valve-handle.stl", "PLA", designs.Submitted)
	return h
}

// User makes a user; makers and hospitals get an organisation at lat, lon.
func (h *Hub) User(role makerhub.Role, lat, lon float64) *makerhub.User {
	h.T.Helper()
	h.seq++
	in := accounts.NewUser{Email: fmt.Sprintf("u%d@example.org", h.seq), Password: "correct horse battery",
		Name: fmt.Sprintf("User %d", h.seq), Role: role}
	if role != makerhub.RoleCoordinator {
		in.Organisation = &accounts.OrganisationInput{Name: fmt.Sprintf("Org %d", h.seq), Address: "Somewhere", Lat: &lat, Lon: &lon}
	}
	u, err := h.Accounts.CreateUser(context.Background(), in)
	if err != nil {
		h.T.Fatal(err)
	}
	return u
}

// Hospital makes a hospital user, verified by the coordinator if asked.
func (h *Hub) Hospital(lat, lon float64, verified bool) *makerhub.User {
	h.T.Helper()
	u := h.User(makerhub.RoleHospital, lat, lon)
	if verified {
		org, err := h.Accounts.VerifyOrganisation(As(h.Coord), u.OrganisationID())
		if err != nil {
			h.T.Fatal(err)
		}
		u.Organisation = org
	}
	return u
}

// Testdata is the folder of the reference parts.
func Testdata() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "stl")
}

// Publish makes a design from a reference part, published and reviewed to
// status.
func (h *Hub) Publish(title, file, material string, status designs.Status) *designs.Design {
	h.T.Helper()
	data, err := os.ReadFile(filepath.Join(Testdata(), file))
	if err != nil {
		h.T.Fatal(err)
	}
	return h.PublishSTL(title, file, data, material, status)
}

// PublishSTL is Publish with the STL's bytes.
func (h *Hub) PublishSTL(title, file string, data []byte, material string, status designs.Status) *designs.Design {
	h.T.Helper()
	ctx := As(h.Coord)
	d, err := h.Designs.CreateDesign(ctx, designs.DesignInput{Title: &title, Category: Ptr(designs.FaceShield),
		Licence: Ptr("CERN-OHL-P-2.0"), Material: &material})
	if err != nil {
		h.T.Fatal(err)
	}
	if _, err := h.Designs.CreateVersion(ctx, d.ID, "v1"); err != nil {
		h.T.Fatal(err)
	}
	if _, err := h.Designs.AddFile(ctx, d.ID, 1, designs.Upload{Name: file, Body: bytes.NewReader(data), Size: int64(len(data))}); err != nil {
		h.T.Fatal(err)
	}
	if _, err := h.Designs.Publish(ctx, d.ID, 1, ""); err != nil {
		h.T.Fatal(err)
	}
	for _, s := range []designs.Status{designs.CommunityReviewed, designs.ClinicallyValidated} {
		if status == designs.Submitted {
			break
		}
		if _, err := h.Designs.Review(ctx, d.ID, 1, s, "checked"); err != nil {
			h.T.Fatal(err)
		}
		if s == status {
			break
		}
	}
	return d
}

// Count runs a counting query.
func (h *Hub) Count(q string, args ...any) int {
	h.T.Helper()
	var n int
	if err := h.DB.QueryRow(q, args...).Scan(&n); err != nil {
		h.T.Fatal(err)
	}
	return n
}

// As is a context acting as u (nil: nobody).
func As(u *makerhub.User) context.Context {
	if u == nil {
		return context.Background()
	}
	return makerhub.NewContextWithUser(context.Background(), u)
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// WantCode fails t unless err has code and its message mentions msg.
func WantCode(t testing.TB, err error, code, msg string) {
	t.Helper()
	if got := makerhub.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	if msg != "" && !strings.Contains(strings.ToLower(makerhub.ErrorMessage(err)), strings.ToLower(msg)) {
		t.Fatalf("message %q does not mention %q", makerhub.ErrorMessage(err), msg)
	}
}

package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/notify"
)

func TestPanicBecomesLogged500(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	blobs, err := local.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.New(db, accounts.Options{Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ds := designs.New(db, acc, blobs, designs.Options{})
	prod := production.New(db, acc, ds, production.Options{})
	s, err := NewServer(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), DB: db, Blobs: blobs, Accounts: acc,
		Designs: ds, Production: prod, Inventory: inventory.New(db, acc, ds, prod, inventory.Options{}), Notify: notify.New(db, acc, notify.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	s.engine.GET("/boom", func(*gin.Context) { panic("nil map somewhere") })

	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) || strings.Contains(rec.Body.String(), "nil map") {
		t.Fatalf("panic answered %d %s; want a 500 in the error shape without the panic value", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "nil map somewhere") || !strings.Contains(logs.String(), "goroutine") {
		t.Fatalf("panic and stack not logged:\n%s", logs.String())
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/sqlite"
)

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestSTLAnalyze(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "notes.stl")
	os.WriteFile(bad, []byte("not a mesh at all"), 0o644)
	var out bytes.Buffer
	err := run(context.Background(), []string{"stl", "analyze", "--material", "PETG",
		"../../testdata/stl/ventilator-valve-handle.stl", bad, "/no/such/file.stl"}, env{}.get, nil, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "2 of 3 files") {
		t.Fatalf("run = %v, want an error for 2 of 3 files (exit status 1)", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines of output, want one JSON object per file:\n%s", len(lines), out.String())
	}
	var good struct {
		Name     string
		SHA256   string
		Size     int64
		Analysis struct {
			Triangles  int
			Watertight bool
			Estimate   struct {
				FilamentG float64 `json:"filament_g"`
				Settings  struct {
					Density float64 `json:"density_g_cm3"`
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(lines[0]), &good); err != nil {
		t.Fatal(err)
	}
	if good.Name != "ventilator-valve-handle.stl" || good.Size != 379884 || len(good.SHA256) != 64 ||
		good.Analysis.Triangles != 7596 || !good.Analysis.Watertight || good.Analysis.Estimate.Settings.Density != 1.27 || good.Analysis.Estimate.FilamentG <= 0 {
		t.Errorf("first line: %s", lines[0])
	}
	if !strings.Contains(lines[1], `"error":"not an STL file`) || !strings.Contains(lines[2], `"error":"open /no/such/file.stl`) {
		t.Errorf("error lines:\n%s\n%s", lines[1], lines[2])
	}
	err = run(context.Background(), []string{"stl", "analyze", "--infill", "150", "x.stl"}, env{}.get, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "infill_percent") {
		t.Errorf("bad infill: %v", err)
	}
}

func TestFsckCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(data, "makerhub.db"))
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := local.New(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := accounts.New(db, accounts.Options{Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	lat, lon := 45.0, 5.0
	u, err := acc.CreateUser(ctx, accounts.NewUser{Email: "m@example.org", Password: "correct horse battery", Name: "M", Role: makerhub.RoleMaker,
		Organisation: &accounts.OrganisationInput{Name: "F", Address: "A", Lat: &lat, Lon: &lon}})
	if err != nil {
		t.Fatal(err)
	}
	uctx := makerhub.NewContextWithUser(ctx, u)
	ds := designs.New(db, acc, blobs, designs.Options{TempDir: t.TempDir()})
	title, cat, lic := "Handle", designs.VentilatorPart, "CERN-OHL-P-2.0"
	d, err := ds.CreateDesign(uctx, designs.DesignInput{Title: &title, Category: &cat, Licence: &lic})
	if err != nil {
		t.Fatal(err)
	}
	ds.CreateVersion(uctx, d.ID, "")
	stl, _ := os.ReadFile("../../testdata/stl/ventilator-valve-handle.stl")
	pdf := []byte("%PDF-1.4 guide")
	f1, err := ds.AddFile(uctx, d.ID, 1, designs.Upload{Name: "h.stl", Body: bytes.NewReader(stl), Size: int64(len(stl))})
	if err != nil {
		t.Fatal(err)
	}
	f2, err := ds.AddFile(uctx, d.ID, 1, designs.Upload{Name: "g.pdf", Body: bytes.NewReader(pdf), Size: int64(len(pdf))})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	fsck := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"fsck"}, args...), env{"MAKERHUB_DATA": data}.get, nil, &out, io.Discard)
		return out.String(), err
	}
	if out, err := fsck(); err != nil || !strings.Contains(out, "checked 2 files") || !strings.Contains(out, "clean") {
		t.Fatalf("fsck of a healthy hub: %v\n%s", err, out)
	}
	// Break it: lose one object, corrupt another, leave an orphan.
	objPath := func(sum string) string { return filepath.Join(data, "blobs", filepath.FromSlash(designs.FileKey(sum))) }
	os.Remove(objPath(f1.SHA256))
	os.WriteFile(objPath(f2.SHA256), []byte("%PDF-1.4 tampered"), 0o644)
	orphan := []byte("left by a crash")
	orphanSum := sha(orphan)
	os.MkdirAll(filepath.Dir(objPath(orphanSum)), 0o755)
	os.WriteFile(objPath(orphanSum), orphan, 0o644)
	// And a request that counts units in inventory no batch holds.
	db, err = sqlite.Open(ctx, filepath.Join(data, "makerhub.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO requests (organisation_id, created_by, design_id, quantity, priority, needed_by, delivery_address,
		state, reconfirmed_at, created_at, updated_at, in_inventory) VALUES (?, ?, ?, 5, 'normal', '2026-04-01T00:00:00.000Z', 'Ward 3',
		'open', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', 2)`, u.OrganisationID(), u.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, err := fsck()
	if err == nil || !strings.Contains(out, "missing object:      "+f1.SHA256) || !strings.Contains(out, "corrupt object:      "+f2.SHA256) ||
		!strings.Contains(out, "unreferenced object: "+designs.FileKey(orphanSum)) ||
		!strings.Contains(out, "inventory:           request 1 counts 2 unit(s) in inventory, but its batches have 0") {
		t.Fatalf("fsck of a broken hub: %v\n%s", err, out)
	}
	out, _ = fsck("--repair")
	if !strings.Contains(out, "removed:             "+designs.FileKey(orphanSum)) {
		t.Fatalf("fsck --repair:\n%s", out)
	}
	if _, err := os.Stat(objPath(orphanSum)); !os.IsNotExist(err) {
		t.Fatal("orphan object still there after --repair")
	}
	if _, err := os.Stat(objPath(f2.SHA256)); err != nil {
		t.Fatal("--repair removed a referenced object")
	}
}

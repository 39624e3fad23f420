package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/internal/sqlite"
)

// TestBackupAndRestoreRefusals: every bad input to backup and restore is
// refused with a message that names the problem and what to do, and
// nothing is stored or lost.
func TestBackupAndRestoreRefusals(t *testing.T) {
	t.Parallel()
	src := seededHub(t)
	srcEnv := env{"MAKERHUB_DATA": src}
	good := filepath.Join(t.TempDir(), "backup")
	if msg, err := runMakerhub(srcEnv, "backup", "--out", good); err != nil {
		t.Fatalf("backup: %v\n%s", err, msg)
	}
	var m backupManifest
	body, _ := os.ReadFile(filepath.Join(good, manifestName))
	if err := json.Unmarshal(body, &m); err != nil || len(m.Objects) != 4 {
		t.Fatalf("manifest: %v, %d objects", err, len(m.Objects))
	}
	obj0 := filepath.Join(objectsDirName, filepath.FromSlash(m.Objects[0].Key))
	editManifest := func(dir string, edit func(map[string]any)) {
		var raw map[string]any
		b, _ := os.ReadFile(filepath.Join(dir, manifestName))
		json.Unmarshal(b, &raw)
		edit(raw)
		b, _ = json.Marshal(raw)
		os.WriteFile(filepath.Join(dir, manifestName), b, 0o600)
	}
	flip := func(path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0xff
		os.WriteFile(path, b, 0o600)
	}

	t.Run("restore", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			damage func(dir string) // on a copy of the good backup
			args   []string         // instead of --from the copy
			want   string
		}{
			{name: "no --from", args: []string{}, want: "--from is required"},
			{name: "no such folder", args: []string{"--from", filepath.Join(t.TempDir(), "nowhere")}, want: "there is no folder"},
			{name: "a file", args: []string{"--from", filepath.Join(good, manifestName)}, want: "is a file: give --from the folder"},
			{name: "not a backup", args: []string{"--from", t.TempDir()}, want: "holds no manifest.json: it is not a backup"},
			{name: "unfinished", damage: func(d string) { os.Remove(filepath.Join(d, manifestName)) },
				want: "the backup there did not finish (backup writes it last)"},
			{name: "garbled manifest", damage: func(d string) { os.WriteFile(filepath.Join(d, manifestName), []byte(`{"format": "makerhub-ba`), 0o600) },
				want: "manifest.json is damaged (unexpected end of JSON input): use another backup"},
			{name: "another program's manifest", damage: func(d string) { editManifest(d, func(m map[string]any) { m["format"] = "photos" }) },
				want: `is not a makerhub backup's manifest (its format is "photos")`},
			{name: "newer backup format", damage: func(d string) { editManifest(d, func(m map[string]any) { m["format_version"] = 2 }) },
				want: "was written by a newer makerhub (dev, backup format 2; this one reads format 1): restore it with that version"},
			{name: "newer schema", damage: func(d string) { editManifest(d, func(m map[string]any) { m["schema_version"] = 9999 }) },
				want: "whose database schema (version 9999) is newer than this makerhub knows"},
			{name: "manifest without its database", damage: func(d string) { editManifest(d, func(m map[string]any) { delete(m, "database") }) },
				want: "manifest.json is damaged (its format version, schema version or database entry is missing)"},
			{name: "snapshot missing", damage: func(d string) { os.Remove(filepath.Join(d, snapshotName)) },
				want: "makerhub.db is missing: the backup is incomplete"},
			{name: "snapshot damaged", damage: func(d string) { flip(filepath.Join(d, snapshotName)) },
				want: "makerhub.db does not match the manifest"},
			{name: "object list edited", damage: func(d string) {
				editManifest(d, func(m map[string]any) { m["objects"] = m["objects"].([]any)[1:] })
			}, want: fmt.Sprintf("does not describe the snapshot beside it (schema %d and 3 objects listed; the snapshot has schema %d and needs 4 objects)", m.SchemaVersion, m.SchemaVersion)},
			{name: "object copy damaged", damage: func(d string) { flip(filepath.Join(d, obj0)) },
				want: "1 object damaged in COPY/objects (size or SHA-256 not what the manifest records): " + m.Objects[0].Key + ". Nothing was changed"},
			{name: "object copy missing", damage: func(d string) { os.Remove(filepath.Join(d, obj0)) },
				want: "1 object needed by the backup's files found neither in local disk"},
		} {
			t.Run(c.name, func(t *testing.T) {
				args := c.args
				dir := ""
				if args == nil {
					dir = copyTree(t, good)
					c.damage(dir)
					args = []string{"--from", dir}
				}
				target := t.TempDir()
				msg, err := runMakerhub(env{"MAKERHUB_DATA": target}, append([]string{"restore"}, args...)...)
				want := strings.ReplaceAll(c.want, "COPY", dir)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("restore: %v, want an error containing %q\n%s", err, want, msg)
				}
				t.Log(err)
				assertUntouched(t, target)
			})
		}
	})

	t.Run("existing database", func(t *testing.T) {
		target := t.TempDir()
		db := filepath.Join(target, "makerhub.db")
		if msg, err := runMakerhub(env{"MAKERHUB_DATA": target}, "restore", "--from", good); err != nil {
			t.Fatalf("restore: %v\n%s", err, msg)
		}
		before := sha256File(db)
		e := env{"MAKERHUB_DATA": target}
		if _, err := runMakerhub(e, "restore", "--from", good); err == nil || !strings.Contains(err.Error(), "a database already exists at "+db+": restore replaces one only with --force") {
			t.Fatalf("restore over a database without --force: %v", err)
		}
		// In use: another connection holds it open.
		open, err := sqlite.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		_, err = runMakerhub(e, "restore", "--from", good, "--force")
		open.Close()
		if err == nil || !strings.Contains(err.Error(), "is in use by another process") {
			t.Fatalf("restore --force over a database in use: %v", err)
		}
		if got := sha256File(db); got != before || exists(db+".before-restore") {
			t.Fatalf("a refused restore changed the database")
		}
		msg, err := runMakerhub(e, "restore", "--from", good, "--force")
		if err != nil || !strings.Contains(msg, "the database it replaced is kept as "+db+".before-restore") {
			t.Fatalf("restore --force: %v\n%s", err, msg)
		}
		if sha256File(db+".before-restore") != before {
			t.Error("the replaced database was not kept as it was")
		}
		after := sha256File(db)
		if _, err := runMakerhub(e, "restore", "--from", good, "--force"); err == nil || !strings.Contains(err.Error(), ".before-restore already exists, from an earlier restore: move it somewhere safe first") {
			t.Fatalf("restore --force with a database kept from before: %v", err)
		}
		if sha256File(db) != after || sha256File(db+".before-restore") != before {
			t.Error("a refused restore changed a database")
		}
	})

	t.Run("backup", func(t *testing.T) {
		foreign := t.TempDir()
		os.WriteFile(filepath.Join(foreign, "thesis.pdf"), []byte("years of work"), 0o600)
		foreignManifest := t.TempDir()
		os.WriteFile(filepath.Join(foreignManifest, manifestName), []byte(`{"name": "my-app"}`), 0o600)
		notDir := filepath.Join(t.TempDir(), "file")
		os.WriteFile(notDir, nil, 0o600)
		for _, c := range []struct {
			name string
			e    env
			args []string
			want string
		}{
			{"no --out", srcEnv, nil, "--out is required"},
			{"no database", env{"MAKERHUB_DATA": t.TempDir()}, []string{"--out", t.TempDir()}, "no database at "},
			{"a folder of other files", srcEnv, []string{"--out", foreign}, "holds thesis.pdf, which is not part of a backup: give a new or empty folder"},
			{"another program's manifest", srcEnv, []string{"--out", foreignManifest}, "holds a manifest.json that is not a makerhub backup's"},
			{"a file", srcEnv, []string{"--out", notDir}, "is a file, not a folder"},
			{"the hub's own folder", env{"MAKERHUB_DB": filepath.Join(src, "makerhub.db"), "MAKERHUB_BLOBS": filepath.Join(src, "blobs")},
				[]string{"--out", src}, "is the folder of the hub's database: give a folder of its own"},
			{"inside the blob folder", srcEnv, []string{"--out", filepath.Join(src, "blobs", "backup")}, "is inside the blob folder"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := runMakerhub(c.e, append([]string{"backup"}, c.args...)...)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("backup: %v, want an error containing %q", err, c.want)
				}
				t.Log(err)
			})
		}
		if b, _ := os.ReadFile(filepath.Join(foreign, "thesis.pdf")); string(b) != "years of work" || exists(filepath.Join(foreign, manifestName)) {
			t.Error("a refused backup wrote into a folder of other files")
		}
	})

	t.Run("backup of a damaged store", func(t *testing.T) {
		key := filepath.Join(src, "blobs", filepath.FromSlash(m.Objects[0].Key))
		saved, err := os.ReadFile(key)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(key, saved, 0o644)
		earlier := copyTree(t, good) // without its copy of the object, which it must then fetch
		os.Remove(filepath.Join(earlier, obj0))
		before := sha256File(filepath.Join(earlier, manifestName))
		os.Remove(key)
		_, err = runMakerhub(srcEnv, "backup", "--out", earlier)
		if err == nil || !strings.Contains(err.Error(), "1 object needed by the hub's files missing from local disk") ||
			!strings.Contains(err.Error(), "run makerhub fsck") {
			t.Fatalf("backup of a store that lost an object: %v", err)
		}
		t.Log(err)
		// The folder's earlier backup is as it was, and still restores.
		if sha256File(filepath.Join(earlier, manifestName)) != before || exists(filepath.Join(earlier, snapshotName+".tmp")) {
			t.Fatal("a failed backup changed the folder's earlier backup")
		}
		os.WriteFile(key, saved, 0o644)
		restoreEnv := env{"MAKERHUB_DB": filepath.Join(t.TempDir(), "makerhub.db"), "MAKERHUB_BLOBS": filepath.Join(src, "blobs")}
		if msg, err := runMakerhub(restoreEnv, "restore", "--from", earlier); err != nil {
			t.Fatalf("restore of the earlier backup after a failed one: %v\n%s", err, msg)
		}
		os.Remove(key)
		out := filepath.Join(t.TempDir(), "backup")
		os.WriteFile(key, append([]byte("x"), saved[1:]...), 0o644)
		_, err = runMakerhub(srcEnv, "backup", "--out", out, "--objects=false")
		if err != nil { // sizes match: a backup that does not read objects cannot tell
			t.Fatalf("backup --objects=false: %v", err)
		}
		os.Remove(filepath.Join(out, manifestName))
		_, err = runMakerhub(srcEnv, "backup", "--out", out)
		if err == nil || !strings.Contains(err.Error(), "1 object damaged in local disk") || exists(filepath.Join(out, manifestName)) {
			t.Fatalf("backup of a store with a damaged object: %v", err)
		}
		t.Log(err)
	})

	t.Run("newer schema", func(t *testing.T) {
		dir := t.TempDir()
		db := filepath.Join(dir, "makerhub.db")
		if _, err := runMakerhub(env{"MAKERHUB_DB": db, "MAKERHUB_BLOBS": filepath.Join(src, "blobs")}, "restore", "--from", good); err != nil {
			t.Fatal(err)
		}
		raw, err := openSQLite(db, "")
		if err != nil {
			t.Fatal(err)
		}
		raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2030-01-01T00:00:00.000Z')`)
		raw.Close()
		_, err = runMakerhub(env{"MAKERHUB_DB": db, "MAKERHUB_BLOBS": filepath.Join(src, "blobs")}, "backup", "--out", filepath.Join(dir, "b"))
		if err == nil || !strings.Contains(err.Error(), "has schema version 9999, newer than this makerhub knows") {
			t.Fatalf("backup of a newer database: %v", err)
		}
	})

	t.Run("interrupted", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "backup")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := run(ctx, []string{"backup", "--out", out}, srcEnv.get, nil, &strings.Builder{}, &strings.Builder{})
		if err == nil {
			t.Fatal("a cancelled backup succeeded")
		}
		t.Log(err)
		if exists(filepath.Join(out, manifestName)) || exists(filepath.Join(out, snapshotName+".tmp")) {
			t.Fatal("a cancelled backup left a manifest or its temporary snapshot")
		}
		// Another run into the same folder finishes the job.
		if msg, err := runMakerhub(srcEnv, "backup", "--out", out); err != nil {
			t.Fatalf("backup after an interrupted one: %v\n%s", err, msg)
		}
		if msg, err := runMakerhub(env{"MAKERHUB_DATA": t.TempDir()}, "restore", "--from", out); err != nil {
			t.Fatalf("restore: %v\n%s", err, msg)
		}
	})
}

func TestBackupHelp(t *testing.T) {
	for _, cmd := range []string{"backup", "restore"} {
		msg, err := runMakerhub(env{}, "help", cmd)
		if err != nil || !strings.Contains(msg, "Usage: makerhub "+cmd+" [flags]") || !strings.Contains(msg, "MAKERHUB_S3_BUCKET") {
			t.Errorf("help %s: %v\n%s", cmd, err, msg)
		}
		if !strings.Contains(mainUsage, "makerhub "+cmd) {
			t.Errorf("the main usage does not list %s", cmd)
		}
	}
}

// TestRestoreMigratesAnOlderBackup: a backup from a makerhub one schema
// version behind is restored and brought up to date by the migrations.
func TestRestoreMigratesAnOlderBackup(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "makerhub.db"))
	if err != nil {
		t.Fatal(err)
	}
	// Undo the newest migration, as a database the version before it left.
	ms, _ := sqlite.Migrations()
	last := ms[len(ms)-1]
	if last.Name != "audit" {
		t.Fatalf("the undo below is for 0015_audit; the newest migration is %04d_%s: undo that one here", last.Version, last.Name)
	}
	_, err = db.Exec(`DROP TABLE audit_log; DELETE FROM schema_migrations WHERE version = 15`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "backup")
	if msg, err := runMakerhub(env{"MAKERHUB_DATA": data}, "backup", "--out", out); err != nil || !strings.Contains(msg, "(schema 14)") {
		t.Fatalf("backup: %v\n%s", err, msg)
	}
	msg, err := runMakerhub(env{"MAKERHUB_DATA": t.TempDir()}, "restore", "--from", out)
	if err != nil || !strings.Contains(msg, "schema 14, migrated to 15)") || !strings.Contains(msg, "\nclean\n") {
		t.Fatalf("restore of an older backup: %v\n%s", err, msg)
	}
}

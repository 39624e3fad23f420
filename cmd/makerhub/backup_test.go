package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs/stl/stltest"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/blob/s3"
	"github.com/makerhub/makerhub/internal/testenv"
)

// TestBackupRestoreWhileServing backs up a hub process filled by --demo
// while a coordinator keeps adding designs and STL files to it, restores
// each backup into a fresh folder (fsck clean), then, writes stopped, backs
// up again into the first folder (only the new objects copied) and checks
// that the restored hub has every table's rows and every object.
func TestBackupRestoreWhileServing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a hub process")
	}
	bin := buildHub(t)
	data := filepath.Join(t.TempDir(), "data")
	h := startProcHub(t, bin, data, "--demo")
	create := exec.Command(bin, "users", "create", "--data", data, "--email", "backup@example.org", "--name", "Backup", "--role", "coordinator")
	create.Stdin = strings.NewReader("a long test password\n")
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("users create: %v\n%s", err, out)
	}
	coord := h.login("backup@example.org")

	var (
		written atomic.Int64
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	var stopOnce sync.Once
	stopWriter := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	t.Cleanup(stopWriter) // before the hub is killed, if the test fails early
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := addDesignWithSTL(h, coord, i); err != nil {
				t.Errorf("writer: %v", err)
				return
			}
			written.Add(1)
		}
	})
	for written.Load() < 3 {
		if t.Failed() {
			t.FailNow()
		}
		time.Sleep(10 * time.Millisecond)
	}
	e := env{"MAKERHUB_DATA": data}
	first := filepath.Join(t.TempDir(), "backup")
	overlapped := 0
	for i := 0; i < 10 && overlapped < 3; i++ {
		out := first
		if i > 0 {
			out = filepath.Join(t.TempDir(), "backup")
		}
		before := written.Load()
		msg, err := runMakerhub(e, "backup", "--out", out)
		if err != nil {
			t.Fatalf("backup while the hub is written to: %v\n%s", err, msg)
		}
		if written.Load() > before {
			overlapped++
		}
		restored := env{"MAKERHUB_DATA": filepath.Join(t.TempDir(), "restored")}
		if msg, err := runMakerhub(restored, "restore", "--from", out); err != nil || !strings.Contains(msg, "\nclean\n") {
			t.Fatalf("restore of a backup made while writing: %v\n%s", err, msg)
		}
	}
	stopWriter()
	t.Logf("%d designs with an STL written; %d backups overlapped writes", written.Load(), overlapped)
	if overlapped == 0 {
		t.Fatal("no backup ran while the hub was written to: nothing was tested")
	}

	// Again into the first folder: only what was added since is copied.
	msg, err := runMakerhub(e, "backup", "--out", first)
	if err != nil || !strings.Contains(msg, "already in the folder") || strings.Contains(msg, ": 0 already in the folder") {
		t.Fatalf("second backup into the same folder: %v\n%s", err, msg)
	}
	t.Log(msg)
	restored := filepath.Join(t.TempDir(), "restored")
	msg, err = runMakerhub(env{"MAKERHUB_DATA": restored}, "restore", "--from", first)
	if err != nil || !strings.Contains(msg, "\nclean\n") {
		t.Fatalf("restore: %v\n%s", err, msg)
	}
	t.Log(msg)
	assertSameHub(t, h.dbPath(), mustLocal(t, filepath.Join(data, "blobs")),
		filepath.Join(restored, "makerhub.db"), mustLocal(t, filepath.Join(restored, "blobs")))
	if msg, err := runMakerhub(env{"MAKERHUB_DATA": restored}, "fsck"); err != nil {
		t.Fatalf("fsck of the restored hub: %v\n%s", err, msg)
	}
}

// addDesignWithSTL makes a design with a draft holding a cube of its own
// size: rows in five tables and one new object.
func addDesignWithSTL(h *procHub, token string, i int) error {
	status, body := h.call(token, "POST", "/api/v1/designs", fmt.Sprintf(`{"title":"Part %d","category":"ear_saver","licence":"CC0-1.0"}`, i))
	if status != 201 {
		return fmt.Errorf("create design: %d %s", status, body)
	}
	var d struct{ ID int64 }
	if err := json.Unmarshal(body, &d); err != nil {
		return err
	}
	id := d.ID
	if status, body := h.call(token, "POST", fmt.Sprintf("/api/v1/designs/%d/versions", id), `{"notes":"v1"}`); status != 201 {
		return fmt.Errorf("open version: %d %s", status, body)
	}
	var cube bytes.Buffer
	stltest.WriteBinary(&cube, "cube", stltest.Cube([3]float32{}, 10+float32(i)/8))
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/designs/%d/versions/1/files?name=cube.stl", h.URL(), id), &cube)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 201 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("upload: %d %s", resp.StatusCode, b)
	}
	return nil
}

// TestBackupRestoreLocalToMinIO moves a demo hub from local disk to MinIO
// through a backup (the migration path), then back from MinIO to local
// disk through a backup of the MinIO hub.
func TestBackupRestoreLocalToMinIO(t *testing.T) {
	t.Parallel()
	m := testenv.StartMinIO(t)
	src := seededHub(t)
	out := filepath.Join(t.TempDir(), "backup")
	if msg, err := runMakerhub(env{"MAKERHUB_DATA": src}, "backup", "--out", out); err != nil {
		t.Fatalf("backup: %v\n%s", err, msg)
	}
	s3env := env{"MAKERHUB_DATA": t.TempDir(), "MAKERHUB_S3_ENDPOINT": m.Endpoint, "MAKERHUB_S3_ACCESS_KEY": m.AccessKey,
		"MAKERHUB_S3_SECRET_KEY": m.SecretKey, "MAKERHUB_S3_BUCKET": "restored"}
	msg, err := runMakerhub(s3env, "restore", "--from", out)
	if err != nil || !strings.Contains(msg, "uploaded to s3://"+m.Endpoint+"/restored") || !strings.Contains(msg, "\nclean\n") {
		t.Fatalf("restore into MinIO: %v\n%s", err, msg)
	}
	t.Log(msg)
	bucket, err := s3.New(s3.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "restored"})
	if err != nil {
		t.Fatal(err)
	}
	assertSameHub(t, filepath.Join(src, "makerhub.db"), mustLocal(t, filepath.Join(src, "blobs")),
		filepath.Join(s3env["MAKERHUB_DATA"], "makerhub.db"), bucket)
	if msg, err := runMakerhub(s3env, "fsck"); err != nil {
		t.Fatalf("fsck of the hub restored into MinIO: %v\n%s", err, msg)
	}

	// And back: a backup of the hub on MinIO, restored onto local disk.
	out2 := filepath.Join(t.TempDir(), "backup")
	if msg, err := runMakerhub(s3env, "backup", "--out", out2); err != nil {
		t.Fatalf("backup from MinIO: %v\n%s", err, msg)
	}
	back := t.TempDir()
	if msg, err := runMakerhub(env{"MAKERHUB_DATA": back}, "restore", "--from", out2); err != nil || !strings.Contains(msg, "\nclean\n") {
		t.Fatalf("restore from a MinIO hub's backup onto local disk: %v\n%s", err, msg)
	}
	assertSameHub(t, filepath.Join(src, "makerhub.db"), mustLocal(t, filepath.Join(src, "blobs")),
		filepath.Join(back, "makerhub.db"), mustLocal(t, filepath.Join(back, "blobs")))
}

// TestBackupWithoutObjects: --objects=false lists the objects without
// copying them; restore then takes them from the store, and says which it
// cannot find when the store lacks them.
func TestBackupWithoutObjects(t *testing.T) {
	t.Parallel()
	src := seededHub(t)
	out := filepath.Join(t.TempDir(), "backup")
	msg, err := runMakerhub(env{"MAKERHUB_DATA": src}, "backup", "--out", out, "--objects=false")
	if err != nil || !strings.Contains(msg, "not copied (--objects=false)") {
		t.Fatalf("backup --objects=false: %v\n%s", err, msg)
	}
	if exists(filepath.Join(out, "objects")) {
		t.Error("backup --objects=false made an objects folder")
	}
	// Into a new database beside the same store: every object is there.
	db := filepath.Join(t.TempDir(), "makerhub.db")
	msg, err = runMakerhub(env{"MAKERHUB_DB": db, "MAKERHUB_BLOBS": filepath.Join(src, "blobs")}, "restore", "--from", out)
	if err != nil || !strings.Contains(msg, "0 uploaded") || !strings.Contains(msg, "\nclean\n") {
		t.Fatalf("restore beside the store: %v\n%s", err, msg)
	}
	// Into an empty store: refused, nothing written.
	empty := t.TempDir()
	msg, err = runMakerhub(env{"MAKERHUB_DATA": empty}, "restore", "--from", out)
	if err == nil || !strings.Contains(err.Error(), "4 objects needed by the backup's files found neither in local disk") {
		t.Fatalf("restore into an empty store: %v\n%s", err, msg)
	}
	t.Log(err)
	assertUntouched(t, empty)
}

// seededHub fills a hub through the demo filler (the services, as serve
// --demo does) and returns its data folder; the services keep the
// database open, as a running hub does.
func seededHub(t *testing.T) string {
	t.Helper()
	svc, blobs := newDemoServices(t, 0)
	if seeded, err := seedDemo(context.Background(), svc, "http://localhost:8080/", io.Discard); err != nil || !seeded {
		t.Fatalf("seedDemo: %v %v", err, seeded)
	}
	return filepath.Dir(blobs.Root())
}

// runMakerhub runs a command in this process and returns what it printed.
func runMakerhub(e env, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, e.get, strings.NewReader(""), &out, &out)
	return out.String(), err
}

func mustLocal(t *testing.T, dir string) *local.Store {
	t.Helper()
	st, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// assertSameHub compares the row count of every table and the stored
// files' objects of two hubs.
func assertSameHub(t *testing.T, wantDB string, wantBlobs makerhub.BlobStore, gotDB string, gotBlobs makerhub.BlobStore) {
	t.Helper()
	want, got := tableCounts(t, wantDB), tableCounts(t, gotDB)
	if !maps.Equal(want, got) {
		t.Errorf("row counts differ:\n  source   %v\n  restored %v", want, got)
	}
	if want["files"] == 0 || want["designs"] == 0 || want["jobs"] == 0 {
		t.Errorf("the source hub is nearly empty (%v): nothing was tested", want)
	}
	wk, gk := objectKeys(t, wantBlobs), objectKeys(t, gotBlobs)
	if !slices.Equal(wk, gk) || len(wk) != want["files"] {
		t.Errorf("objects differ: %d in the source, %d restored, %d file rows", len(wk), len(gk), want["files"])
	}
	t.Logf("%d tables, %d objects alike", len(want), len(wk))
}

// tableCounts returns the number of rows of each table of a database.
func tableCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	db, err := openSQLite(path, "mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	counts := map[string]int{}
	for _, n := range names {
		var c int
		if err := db.QueryRow(`SELECT count(*) FROM "` + n + `"`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		counts[n] = c
	}
	return counts
}

// objectKeys lists the stored files' objects (not thumbnails, which are
// drawn again when asked for).
func objectKeys(t *testing.T, st makerhub.BlobStore) []string {
	t.Helper()
	var keys []string
	for info, err := range st.List(context.Background(), "files/") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, info.Key)
	}
	return keys
}

// assertUntouched checks that a restore that failed left a data folder
// without a database and without objects.
func assertUntouched(t *testing.T, data string) {
	t.Helper()
	for _, name := range []string{"makerhub.db", "makerhub.db.restoring", "makerhub.db.before-restore"} {
		if exists(filepath.Join(data, name)) {
			t.Errorf("a failed restore left %s", name)
		}
	}
	if keys := objectKeys(t, mustLocal(t, filepath.Join(data, "blobs"))); len(keys) > 0 {
		t.Errorf("a failed restore stored %d objects", len(keys))
	}
}

// sha256File is a file's SHA-256, "" if it cannot be read.
func sha256File(path string) string {
	sum, _, err := hashFile(path)
	if err != nil {
		return ""
	}
	return sum
}

// copyTree copies a backup folder, for a test to damage its copy.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

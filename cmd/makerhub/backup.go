package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/blob/s3"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// A backup folder holds the database's snapshot, the objects its files
// need (under objects/, by key, as the local blob store keeps them), and
// the manifest, written last: a folder without one is not a finished backup.
const (
	manifestName   = "manifest.json"
	snapshotName   = "makerhub.db"
	objectsDirName = "objects"
	manifestFormat = "makerhub-backup"
	// manifestVersion is the layout of the folder and the manifest; a
	// restore refuses a layout newer than it knows.
	manifestVersion = 1
)

// backupNames are the only entries a backup folder may hold; backup refuses
// a folder with anything else, so that it never writes among other files.
var backupNames = []string{manifestName, manifestName + ".tmp", snapshotName, snapshotName + ".tmp", objectsDirName, "lost+found"}

// backupManifest describes a backup: what it was taken from, its snapshot
// and every object the snapshot's files need.
type backupManifest struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	HubVersion    string    `json:"hub_version"`
	SchemaVersion int       `json:"schema_version"`
	CreatedAt     time.Time `json:"created_at"`
	Source        struct {
		Database string `json:"database"`
		Blobs    string `json:"blobs"`
	} `json:"source"`
	Database struct {
		File   string `json:"file"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	} `json:"database"`
	// ObjectsCopied is false for a backup made with --objects=false: the
	// objects are listed, and restore expects the store to hold them.
	ObjectsCopied bool                   `json:"objects_copied"`
	ObjectBytes   int64                  `json:"object_bytes"`
	Objects       []designs.StoredObject `json:"objects"`
}

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		store   storeFlags
		out     string
		objects bool
	)
	fs := newFlagSet("backup", "Write a consistent snapshot of the database (SQLite's VACUUM INTO, safe while the hub\n"+
		"serves), the objects its files need, and a manifest with their SHA-256 into a folder.\n"+
		"Running it again into the same folder copies only the objects not already there.", stdout)
	store.register(fs)
	fs.StringVar(&out, "out", "", "`folder` to write the backup to: created if missing; empty or an earlier backup's")
	fs.BoolVar(&objects, "objects", true, "copy the objects' bytes into OUT/objects (false: list them only, when the bucket is replicated or versioned by the object store itself)")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if out == "" {
		return usagef("backup: --out is required: the folder to write the backup to (see makerhub backup --help)")
	}
	start := time.Now()
	src := store.dbPath()
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: no database at %s (%v): give the hub's --data or --db", src, errors.Unwrap(err))
	}
	if err := checkBackupDir(out, src); err != nil {
		return err
	}
	blobs, where, err := store.openBlobs()
	if err != nil {
		return fmt.Errorf("backup: %s", errText(err))
	}
	switch st := blobs.(type) {
	case *s3.Store:
		if err := st.Ping(ctx); err != nil {
			return fmt.Errorf("backup: %s", errText(err))
		}
	case *local.Store:
		// A backup inside the store it copies is lost with it.
		if abs, err := filepath.Abs(out); err == nil && strings.HasPrefix(abs+string(filepath.Separator), st.Root()+string(filepath.Separator)) {
			return fmt.Errorf("backup: --out %s is inside the blob folder %s: give a folder outside it, on another disk if you can", out, st.Root())
		}
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("backup: create folder %s: %w", out, err)
	}

	// The snapshot: one statement on a plain connection, a read of one
	// consistent state under WAL that holds no lock writers wait for.
	// (The hub's own handle would queue it behind the process's writers.)
	live, err := openSQLite(src, "mode=rw&_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer live.Close()
	tmp := filepath.Join(out, snapshotName+".tmp")
	os.Remove(tmp) // VACUUM INTO refuses a file that is not empty; this one is ours
	defer os.Remove(tmp)
	if _, err := live.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("backup: snapshot of %s: %w", src, err)
	}
	m := &backupManifest{Format: manifestFormat, FormatVersion: manifestVersion, HubVersion: makerhub.Version,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond), ObjectsCopied: objects}
	m.Source.Database, m.Source.Blobs = src, where
	m.Database.File = snapshotName
	if m.Database.SHA256, m.Database.Size, err = syncAndHash(tmp); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if m.SchemaVersion, m.Objects, err = readSnapshot(ctx, tmp); err != nil {
		return fmt.Errorf("backup: the snapshot of %s: %w", src, err)
	}
	if known := knownSchema(); m.SchemaVersion > known {
		return fmt.Errorf("backup: %s has schema version %d, newer than this makerhub knows (%d): back it up with the version the hub runs", src, m.SchemaVersion, known)
	}
	for _, o := range m.Objects {
		m.ObjectBytes += o.Size
	}

	// Objects are content-addressed and never change, so copying them after
	// the snapshot copies the same bytes the snapshot's rows name.
	var (
		st  copyStats
		dst *local.Store
	)
	if objects {
		if dst, err = local.New(filepath.Join(out, objectsDirName)); err != nil {
			return fmt.Errorf("backup: %s", errText(err))
		}
		if st, err = copyObjects(ctx, blobs, dst, m.Objects); err != nil {
			return backupObjectError(ctx, err, live, where)
		}
	} else if err := statObjects(ctx, blobs, m.Objects); err != nil {
		return backupObjectError(ctx, err, live, where)
	}

	// Commit: the old manifest goes first, so that no moment shows a
	// manifest beside a snapshot it does not describe.
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	mtmp := filepath.Join(out, manifestName+".tmp")
	if err := writeFileSync(mtmp, append(body, '\n')); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	for _, step := range []func() error{
		func() error { return removeIfExists(filepath.Join(out, manifestName)) },
		func() error { return syncDir(out) },
		func() error { return os.Rename(tmp, filepath.Join(out, snapshotName)) },
		func() error { return os.Rename(mtmp, filepath.Join(out, manifestName)) },
		func() error { return syncDir(out) },
	} {
		if err := step(); err != nil {
			return fmt.Errorf("backup: finish %s: %w (the folder holds no finished backup; run backup again)", out, err)
		}
	}
	if dst != nil {
		st.pruned = pruneObjects(ctx, dst, m.Objects, stderr)
	}
	fmt.Fprintf(stdout, "backup of %s (schema %d) and %s\n", src, m.SchemaVersion, where)
	fmt.Fprintf(stdout, "  database: %s, %s, sha256 %s\n", snapshotName, byteSize(m.Database.Size), m.Database.SHA256)
	switch {
	case !objects:
		fmt.Fprintf(stdout, "  objects:  %d (%s) listed and found in the store, not copied (--objects=false)\n", len(m.Objects), byteSize(m.ObjectBytes))
	default:
		fmt.Fprintf(stdout, "  objects:  %d (%s): %d copied (%s), %d already in the folder", len(m.Objects), byteSize(m.ObjectBytes),
			st.copied, byteSize(st.copiedBytes), st.kept)
		if st.pruned > 0 {
			fmt.Fprintf(stdout, "; %d no longer needed removed", st.pruned)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "written to %s in %s\n", out, time.Since(start).Round(time.Millisecond))
	return nil
}

// checkBackupDir refuses a folder that holds anything a backup does not
// write, or whose snapshot would be the hub's own database.
func checkBackupDir(dir, dbPath string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	} else if !fi.IsDir() {
		return fmt.Errorf("backup: --out %s is a file, not a folder: give a new or empty folder, or an earlier backup's", dir)
	}
	if a, err := os.Stat(filepath.Join(dir, snapshotName)); err == nil {
		if b, err := os.Stat(dbPath); err == nil && os.SameFile(a, b) {
			return fmt.Errorf("backup: --out %s is the folder of the hub's database: give a folder of its own", dir)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	for _, e := range entries {
		if !slices.Contains(backupNames, e.Name()) {
			return fmt.Errorf("backup: --out %s holds %s, which is not part of a backup: give a new or empty folder, or one an earlier makerhub backup wrote", dir, e.Name())
		}
	}
	if body, err := os.ReadFile(filepath.Join(dir, manifestName)); err == nil {
		var m backupManifest
		if json.Unmarshal(body, &m) != nil || m.Format != manifestFormat {
			return fmt.Errorf("backup: --out %s holds a %s that is not a makerhub backup's: give another folder", dir, manifestName)
		}
	}
	return nil
}

// openSQLite opens a database file with the driver's own options, outside
// internal/sqlite: no migrations, no process write lock.
func openSQLite(path, options string) (*sql.DB, error) {
	u := url.URL{Scheme: "file", Opaque: path, RawQuery: options}
	db, err := sql.Open("sqlite3", u.String())
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// readSnapshot returns a snapshot's schema version and the objects its
// files need, reading it as an immutable file (no lock, no journal, not a
// byte changed).
func readSnapshot(ctx context.Context, path string) (int, []designs.StoredObject, error) {
	db, err := openSQLite(path, "mode=ro&immutable=1")
	if err != nil {
		return 0, nil, err
	}
	defer db.Close()
	v, err := sqlite.SchemaVersion(ctx, db)
	if err != nil {
		return 0, nil, fmt.Errorf("no schema version (%v): it is not a makerhub database", err)
	}
	objs, err := designs.ListStoredObjects(ctx, db)
	return v, objs, err
}

// knownSchema is the newest migration this build embeds.
func knownSchema() int {
	ms, err := sqlite.Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// syncAndHash flushes a file to disk and returns its SHA-256 and size.
func syncAndHash(path string) (string, int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil { // a hub's database holds password hashes
		return "", 0, err
	}
	if err := f.Sync(); err != nil {
		return "", 0, fmt.Errorf("flush %s to disk: %w", path, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// writeFileSync writes a file and flushes it to disk.
func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the renames in a folder durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// byteSize writes a size for people: 1.5 MiB.
func byteSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	f, unit := float64(n), 0
	for f >= 1024 && unit < 4 {
		f, unit = f/1024, unit+1
	}
	return fmt.Sprintf("%.1f %s", f, strings.Fields("B KiB MiB GiB TiB")[unit])
}

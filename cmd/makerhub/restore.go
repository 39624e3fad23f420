package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/s3"
	"github.com/makerhub/makerhub/internal/sqlite"
)

func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		store storeFlags
		from  string
		force bool
	)
	fs := newFlagSet("restore", "Bring a hub back from a folder makerhub backup wrote, into the store the flags name\n"+
		"(local disk or S3, whichever the backup came from). The manifest, the snapshot and every\n"+
		"object to upload are checked first: if anything is wrong, nothing is changed. Then the\n"+
		"objects the store lacks are uploaded, the database is put in place, and fsck's checks run.", stdout)
	store.register(fs)
	fs.StringVar(&from, "from", "", "backup `folder` to restore from")
	fs.BoolVar(&force, "force", false, "replace an existing database, which is kept beside it as FILE.before-restore (stop the hub first)")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if from == "" {
		return usagef("restore: --from is required: the folder makerhub backup --out wrote (see makerhub restore --help)")
	}
	start := time.Now()

	// Everything is checked before anything is written.
	m, err := loadBackup(ctx, from)
	if err != nil {
		return err
	}
	target := store.dbPath()
	existing, err := checkRestoreTarget(target, from, force)
	if err != nil {
		return err
	}
	blobs, where, err := store.openBlobs()
	if err != nil {
		return fmt.Errorf("restore: %s", errText(err))
	}
	plan, err := planObjects(ctx, blobs, where, from, m)
	if err != nil {
		return err
	}

	if st, ok := blobs.(*s3.Store); ok {
		if err := st.EnsureBucket(ctx); err != nil {
			return fmt.Errorf("restore: %s; nothing was changed", errText(err))
		}
	}
	var upBytes int64
	for _, o := range plan.upload {
		if err := uploadObject(ctx, blobs, from, o); err != nil {
			return fmt.Errorf("restore: upload %s to %s: %s\nthe database was not restored; the objects already uploaded are harmless: run restore again", o.Key, where, errText(err))
		}
		upBytes += o.Size
	}
	aside, err := placeDatabase(from, target, existing)
	if err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, target) // migrates a backup from an older makerhub
	if err != nil {
		return fmt.Errorf("restore: the backup's database is at %s, but it does not open: %w", target, err)
	}
	defer db.Close()

	fmt.Fprintf(stdout, "restored %s from %s (made %s by makerhub %s, schema %d",
		target, from, m.CreatedAt.Format(time.RFC3339), m.HubVersion, m.SchemaVersion)
	if known := knownSchema(); known > m.SchemaVersion {
		fmt.Fprintf(stdout, ", migrated to %d", known)
	}
	fmt.Fprintln(stdout, ")")
	if aside != "" {
		fmt.Fprintf(stdout, "  the database it replaced is kept as %s\n", aside)
	}
	fmt.Fprintf(stdout, "  objects: %d (%s): %d uploaded to %s (%s), %d already there\n",
		len(m.Objects), byteSize(m.ObjectBytes), len(plan.upload), where, byteSize(upBytes), plan.present)
	if err := checkRestored(ctx, db, blobs, where, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// loadBackup reads a backup's manifest and checks it against the snapshot:
// its SHA-256, SQLite's integrity check, the schema version and the objects
// its files need.
func loadBackup(ctx context.Context, dir string) (*backupManifest, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("restore: there is no folder %s: give --from the folder makerhub backup --out wrote", dir)
	} else if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("restore: %s is a file: give --from the folder makerhub backup --out wrote", dir)
	}
	path := filepath.Join(dir, manifestName)
	body, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		for _, name := range []string{snapshotName, snapshotName + ".tmp", manifestName + ".tmp", objectsDirName} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				return nil, fmt.Errorf("restore: %s holds no %s: the backup there did not finish (backup writes it last); restore an earlier backup, or run makerhub backup --out %s again", dir, manifestName, dir)
			}
		}
		return nil, fmt.Errorf("restore: %s holds no %s: it is not a backup; give --from the folder makerhub backup --out wrote", dir, manifestName)
	} else if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	var m backupManifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("restore: %s is damaged (%v): use another backup", path, err)
	}
	known := knownSchema()
	switch {
	case m.Format != manifestFormat:
		return nil, fmt.Errorf("restore: %s is not a makerhub backup's manifest (its format is %q): give --from the folder makerhub backup --out wrote", path, m.Format)
	case m.FormatVersion > manifestVersion:
		return nil, fmt.Errorf("restore: %s was written by a newer makerhub (%s, backup format %d; this one reads format %d): restore it with that version", path, m.HubVersion, m.FormatVersion, manifestVersion)
	case m.SchemaVersion > known:
		return nil, fmt.Errorf("restore: the backup in %s was made by makerhub %s, whose database schema (version %d) is newer than this makerhub knows (%d): restore it with makerhub %s or newer", dir, m.HubVersion, m.SchemaVersion, known, m.HubVersion)
	case m.FormatVersion < 1 || m.SchemaVersion < 1 || m.Database.File != snapshotName || len(m.Database.SHA256) != 64:
		return nil, fmt.Errorf("restore: %s is damaged (its format version, schema version or database entry is missing): use another backup", path)
	}
	snap := filepath.Join(dir, snapshotName)
	sum, size, err := hashFile(snap)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("restore: %s is missing: the backup is incomplete; use another backup", snap)
	} else if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if sum != m.Database.SHA256 || size != m.Database.Size {
		return nil, fmt.Errorf("restore: %s does not match the manifest (%d bytes, SHA-256 %s; the manifest says %d bytes, %s): the snapshot is damaged or from another backup; use another backup",
			snap, size, sum, m.Database.Size, m.Database.SHA256)
	}
	if err := integrityCheck(ctx, snap); err != nil {
		return nil, fmt.Errorf("restore: %s fails SQLite's integrity check (%v): use another backup", snap, err)
	}
	version, objs, err := readSnapshot(ctx, snap)
	if err != nil {
		return nil, fmt.Errorf("restore: %s: %w", snap, err)
	}
	if version != m.SchemaVersion || !slices.Equal(objs, m.Objects) {
		return nil, fmt.Errorf("restore: the manifest %s does not describe the snapshot beside it (schema %d and %d objects listed; the snapshot has schema %d and needs %d objects): use another backup",
			path, m.SchemaVersion, len(m.Objects), version, len(objs))
	}
	return &m, nil
}

// integrityCheck runs SQLite's integrity check on a snapshot, read as an
// immutable file.
func integrityCheck(ctx context.Context, path string) error {
	db, err := openSQLite(path, "mode=ro&immutable=1")
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return errors.New(res)
	}
	return nil
}

// checkRestoreTarget refuses a target database that exists, unless forced,
// and one that another process has open. It reports whether it exists.
func checkRestoreTarget(target, from string, force bool) (bool, error) {
	if a, err := os.Stat(target); err == nil {
		if b, err := os.Stat(filepath.Join(from, snapshotName)); err == nil && os.SameFile(a, b) {
			return false, fmt.Errorf("restore: --db %s is the backup's own snapshot: give the hub's --data or --db", target)
		}
	}
	existing := false
	for _, p := range []string{target, target + "-wal"} {
		if _, err := os.Stat(p); err == nil {
			existing = true
		}
	}
	if !existing {
		return false, nil
	}
	aside := target + ".before-restore"
	switch {
	case !force:
		return false, fmt.Errorf("restore: a database already exists at %s: restore replaces one only with --force (stop the hub first; the database is then kept as %s), or restore into another --data or --db", target, aside)
	case exists(aside):
		return false, fmt.Errorf("restore: %s already exists, from an earlier restore: move it somewhere safe first (restore keeps a replaced database; it never deletes one)", aside)
	}
	// Another process with the database open holds a shared lock on it,
	// so an exclusive lock is refused at once.
	db, err := openSQLite(target, "_locking_mode=EXCLUSIVE&_busy_timeout=0")
	if err == nil {
		_, err = db.Exec(`BEGIN EXCLUSIVE; COMMIT`)
		db.Close()
	}
	if sqlite.IsBusy(err) {
		return false, fmt.Errorf("restore: %s is in use by another process (a hub, Litestream, makerhub fsck?): stop it, then restore", target)
	}
	// Fold the write-ahead log into the file, so that the file alone is the
	// whole database when it is moved aside; the last connection to close
	// does that and removes the log.
	if db, err := openSQLite(target, "_busy_timeout=0"); err == nil {
		db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		db.Close()
	}
	if exists(target + "-wal") {
		return false, fmt.Errorf("restore: %s-wal remains after a checkpoint: another process has the database open (a hub, Litestream, makerhub fsck?); stop it, then restore", target)
	}
	return true, nil
}

// restorePlan is what restore will do with the backup's objects.
type restorePlan struct {
	upload  []designs.StoredObject // from the backup's copies, checked
	present int                    // already in the target store
}

// planObjects finds which objects the target store lacks and checks the
// backup's copy of each, failing with everything that cannot be restored.
func planObjects(ctx context.Context, blobs makerhub.BlobStore, where, dir string, m *backupManifest) (*restorePlan, error) {
	plan := &restorePlan{}
	var missing, damaged []string
	for _, o := range m.Objects {
		info, err := blobs.Stat(ctx, o.Key)
		wrongSize := err == nil && info.Size != o.Size
		if err == nil && !wrongSize {
			plan.present++
			continue
		} else if err != nil && makerhub.ErrorCode(err) != makerhub.ENOTFOUND {
			return nil, fmt.Errorf("restore: look up %s in %s: %s; nothing was changed", o.Key, where, errText(err))
		}
		path, err := objectPath(dir, o.Key)
		if err != nil {
			return nil, fmt.Errorf("restore: %s", errText(err))
		}
		sum, size, err := hashFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist) && wrongSize:
			missing = append(missing, o.Key+" (the store's copy has the wrong size)")
		case errors.Is(err, os.ErrNotExist):
			missing = append(missing, o.Key)
		case err != nil:
			return nil, fmt.Errorf("restore: %w", err)
		case sum != o.SHA256 || size != o.Size:
			damaged = append(damaged, o.Key)
		default:
			plan.upload = append(plan.upload, o)
		}
	}
	if len(damaged) > 0 {
		return nil, fmt.Errorf("restore: %s damaged in %s (size or SHA-256 not what the manifest records): %s. Nothing was changed: use another backup, or restore into a store that still holds them",
			objectCount(len(damaged)), filepath.Join(dir, objectsDirName), listKeys(damaged))
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("restore: %s needed by the backup's files found neither in %s nor in %s: %s. Nothing was changed: point --blobs or --s3-* at the store that holds them, or copy them into %s under their keys",
			objectCount(len(missing)), where, filepath.Join(dir, objectsDirName), listKeys(missing), filepath.Join(dir, objectsDirName))
	}
	return plan, nil
}

// uploadObject puts a backup's copy into the store, which checks its size
// and SHA-256 again as it writes; a file lets an S3 store send large
// objects in parallel parts.
func uploadObject(ctx context.Context, blobs makerhub.BlobStore, dir string, o designs.StoredObject) error {
	path, err := objectPath(dir, o.Key)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return blobs.Put(ctx, o.Key, f, o.Size, o.SHA256)
}

// placeDatabase copies the snapshot beside the target, moves an existing
// database aside, and renames the copy into place. It returns where the
// replaced database went.
func placeDatabase(from, target string, existing bool) (string, error) {
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return "", fmt.Errorf("restore: create the database's folder: %w", err)
	}
	tmp := target + ".restoring"
	os.Remove(tmp) // left by a restore that was interrupted; the name is ours
	if err := copyFileSync(filepath.Join(from, snapshotName), tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("restore: copy the snapshot to %s: %w", tmp, err)
	}
	// A shared-memory index is rebuilt from the database; one left from the
	// old database must not be read with the new one.
	if err := removeIfExists(target + "-shm"); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("restore: %w", err)
	}
	aside := ""
	if existing {
		aside = target + ".before-restore"
		if err := os.Rename(target, aside); err != nil {
			os.Remove(tmp)
			return "", fmt.Errorf("restore: move the existing database aside: %w; nothing was replaced", err)
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return "", fmt.Errorf("restore: put the database in place: %w (the earlier one is at %s)", err, aside)
	}
	if err := syncDir(filepath.Dir(target)); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	return aside, nil
}

// copyFileSync copies a file and flushes the copy to disk.
func copyFileSync(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// checkRestored runs makerhub fsck's checks on the restored hub, without
// repairs. Objects that no file references are reported but are no
// failure: restoring an older backup into a store that kept newer uploads
// leaves them, and fsck --repair removes them once the operator is sure.
func checkRestored(ctx context.Context, db *sql.DB, blobs makerhub.BlobStore, where string, stdout io.Writer) error {
	fmt.Fprintf(stdout, "checking the restored hub against %s\n", where)
	rep, problems, err := runChecks(ctx, db, blobs, false, stdout)
	if err != nil {
		return fmt.Errorf("restore: the database is restored, but the check after it failed: %s", errText(err))
	}
	fmt.Fprintf(stdout, "checked %d files\n", rep.Checked)
	if len(rep.Missing)+len(rep.Corrupt)+len(problems) > 0 {
		return fmt.Errorf("restore: the database is restored, but fsck's checks found %d missing and %d corrupt objects and %d inventory invariants broken (listed above)",
			len(rep.Missing), len(rep.Corrupt), len(problems))
	}
	if n := len(rep.Unreferenced); n > 0 {
		fmt.Fprintf(stdout, "%d objects in the store are not referenced by the restored database (uploaded after the backup was made?); "+
			"keep them until you are sure, then makerhub fsck --repair removes them\n", n)
		return nil
	}
	fmt.Fprintln(stdout, "clean")
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

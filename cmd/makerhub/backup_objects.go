package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
)

// copyStats counts what a backup did with the objects.
type copyStats struct {
	copied, kept, pruned int
	copiedBytes          int64
}

// objectProblems are the objects a backup could not take from the store.
type objectProblems struct {
	missing, corrupt []string // keys
}

func (p *objectProblems) Error() string {
	return fmt.Sprintf("%d objects missing, %d damaged", len(p.missing), len(p.corrupt))
}

// copyObjects copies into dst every object not already there with the
// right bytes. dst checks each copy's size and SHA-256 as it writes it, so
// a damaged object in the store is found, not copied.
func copyObjects(ctx context.Context, src makerhub.BlobStore, dst *local.Store, objs []designs.StoredObject) (copyStats, error) {
	var (
		st copyStats
		p  objectProblems
	)
	for _, o := range objs {
		if ok, err := hasObject(ctx, dst, o); err != nil {
			return st, fmt.Errorf("read the backup's copy of %s: %s", o.Key, errText(err))
		} else if ok {
			st.kept++
			continue
		}
		rc, err := src.Get(ctx, o.Key, 0, -1)
		if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
			p.missing = append(p.missing, o.Key)
			continue
		} else if err != nil {
			return st, fmt.Errorf("read %s from the store: %s", o.Key, errText(err))
		}
		err = dst.Put(ctx, o.Key, rc, o.Size, o.SHA256)
		rc.Close()
		if makerhub.ErrorCode(err) == makerhub.EINVALID {
			p.corrupt = append(p.corrupt, o.Key)
			continue
		} else if err != nil {
			return st, fmt.Errorf("copy %s: %s", o.Key, errText(err))
		}
		st.copied++
		st.copiedBytes += o.Size
	}
	if len(p.missing)+len(p.corrupt) > 0 {
		return st, &p
	}
	return st, nil
}

// statObjects checks that the store holds every object, with its size,
// for a backup that does not copy them.
func statObjects(ctx context.Context, src makerhub.BlobStore, objs []designs.StoredObject) error {
	var p objectProblems
	for _, o := range objs {
		info, err := src.Stat(ctx, o.Key)
		switch {
		case makerhub.ErrorCode(err) == makerhub.ENOTFOUND:
			p.missing = append(p.missing, o.Key)
		case err != nil:
			return fmt.Errorf("look up %s in the store: %s", o.Key, errText(err))
		case info.Size != o.Size:
			p.corrupt = append(p.corrupt, o.Key)
		}
	}
	if len(p.missing)+len(p.corrupt) > 0 {
		return &p
	}
	return nil
}

// hasObject reports whether s holds o with its exact bytes.
func hasObject(ctx context.Context, s makerhub.BlobStore, o designs.StoredObject) (bool, error) {
	rc, err := s.Get(ctx, o.Key, 0, -1)
	if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return false, err
	}
	return n == o.Size && hex.EncodeToString(h.Sum(nil)) == o.SHA256, nil
}

// pruneObjects removes from a backup folder's objects those its manifest
// no longer lists (files removed from the hub since an earlier backup), so
// that a folder backed up into every day stays the size of the hub.
func pruneObjects(ctx context.Context, dst *local.Store, objs []designs.StoredObject, stderr io.Writer) int {
	keep := make(map[string]bool, len(objs))
	for _, o := range objs {
		keep[o.Key] = true
	}
	var stale []string
	for info, err := range dst.List(ctx, "") {
		if err != nil {
			fmt.Fprintf(stderr, "backup: the backup is complete, but its folder could not be tidied: %s\n", errText(err))
			return 0
		}
		if !keep[info.Key] {
			stale = append(stale, info.Key)
		}
	}
	n := 0
	for _, k := range stale {
		if err := dst.Delete(ctx, k); err != nil {
			fmt.Fprintf(stderr, "backup: the backup is complete, but %s could not be removed from its folder: %s\n", k, errText(err))
			continue
		}
		n++
	}
	return n
}

// backupObjectError explains objects a backup could not take: deleted from
// the hub since the snapshot (back up again), or lost or damaged in the
// store (fsck, and an earlier backup).
func backupObjectError(ctx context.Context, err error, live *sql.DB, where string) error {
	var p *objectProblems
	if !errors.As(err, &p) {
		return fmt.Errorf("backup: %s; no manifest was written", errText(err))
	}
	needed := map[string]bool{}
	if objs, err := designs.ListStoredObjects(ctx, live); err == nil {
		for _, o := range objs {
			needed[o.Key] = true
		}
	}
	var lost, removed []string
	for _, k := range p.missing {
		if needed[k] {
			lost = append(lost, k)
		} else {
			removed = append(removed, k)
		}
	}
	var msgs []string
	if len(lost) > 0 {
		msgs = append(msgs, fmt.Sprintf("%s needed by the hub's files missing from %s: %s; the store has lost them: run makerhub fsck, and take them from an earlier backup",
			objectCount(len(lost)), where, listKeys(lost)))
	}
	if len(p.corrupt) > 0 {
		msgs = append(msgs, fmt.Sprintf("%s damaged in %s (size or SHA-256 not what the database records): %s; run makerhub fsck, and take them from an earlier backup",
			objectCount(len(p.corrupt)), where, listKeys(p.corrupt)))
	}
	if len(removed) > 0 {
		msgs = append(msgs, fmt.Sprintf("%s deleted from %s after the snapshot was taken (their files were removed meanwhile): %s; run backup again",
			objectCount(len(removed)), where, listKeys(removed)))
	}
	return fmt.Errorf("backup: %s\nno manifest was written: the folder holds no new backup", strings.Join(msgs, "\n"))
}

// listKeys names the first few keys of a list.
func listKeys(keys []string) string {
	const shown = 5
	if len(keys) <= shown {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:shown], ", "), len(keys)-shown)
}

// errText is what an operator reads of an error: the message of a coded
// error (a blob store's names the store and what to check), else the error.
func errText(err error) string {
	var e *makerhub.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// objectPath is where a backup folder keeps an object's copy.
func objectPath(dir, key string) (string, error) {
	if err := makerhub.ValidateBlobKey(key); err != nil {
		return "", err
	}
	return filepath.Join(dir, objectsDirName, filepath.FromSlash(key)), nil
}

// hashFile returns a file's SHA-256 and size.
func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// objectCount is "1 object" or "n objects".
func objectCount(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}

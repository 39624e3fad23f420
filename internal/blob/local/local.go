// Package local implements makerhub.BlobStore on a folder of the local file
// system, for single-machine installations and tests.
//
// Every key maps to one file under the root: key "designs/ab/cd.stl" is the
// file root/designs/ab/cd.stl. Writes go to a temporary file in root/.tmp
// first and are renamed into place once the content is checked and on disk,
// so a reader sees the old object or the new one, never a part of either,
// and a failed or crashed upload leaves nothing under the key. Keys are
// validated with makerhub.ValidateBlobKey, which forbids segments starting
// with '.', so no key can name root/.tmp or climb out of the root.
//
// A file system cannot hold both a file "a" and a folder "a", so unlike S3
// this store cannot keep the keys "a" and "a/b" at the same time: storing
// the second one fails with ECONFLICT. The hub's key scheme never does that.
package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/makerhub/makerhub"
)

// tmpDirName is the folder under the root that holds uploads in progress.
// It starts with '.', so no valid key can name it.
const tmpDirName = ".tmp"

// Store is a makerhub.BlobStore on a local folder. It is safe for
// concurrent use, also by several processes sharing the folder.
type Store struct {
	root string // absolute, cleaned
	tmp  string // root/.tmp
}

var _ makerhub.BlobStore = (*Store)(nil)

// New returns a Store keeping objects under root, creating root and its
// folder for uploads in progress if they are missing.
func New(root string) (*Store, error) {
	if root == "" {
		return nil, makerhub.Errorf(makerhub.EINVALID, "the blob folder is not set; configure a folder for stored files")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, makerhub.WrapError(err, makerhub.EINVALID, "blob folder %q is not a usable path: %v", root, err)
	}
	s := &Store{root: abs, tmp: filepath.Join(abs, tmpDirName)}
	// 0o755 for the root as operators inspect it; uploads in progress are
	// private to the service.
	if err := os.MkdirAll(s.root, 0o755); err != nil {
		return nil, makerhub.WrapError(err, makerhub.EUNAVAILABLE, "cannot create blob folder %s: %v; check the path and its permissions", s.root, err)
	}
	if err := os.MkdirAll(s.tmp, 0o700); err != nil {
		return nil, makerhub.WrapError(err, makerhub.EUNAVAILABLE, "cannot create folder %s for uploads: %v; check the permissions of the blob folder", s.tmp, err)
	}
	return s, nil
}

// Root returns the absolute path of the folder holding the objects.
func (s *Store) Root() string { return s.root }

// path validates key and returns its file. It is the only place that turns a
// key into a path, so every operation is protected by the same check.
func (s *Store) path(key string) (string, error) {
	if err := makerhub.ValidateBlobKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// Put implements makerhub.BlobStore.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, sum string) (err error) {
	dst, err := s.path(key)
	if err != nil {
		return err
	}
	want, err := parseSHA256(sum)
	if err != nil {
		return err
	}
	if size < 0 {
		return makerhub.Errorf(makerhub.EINVALID, "declared size %d of %s is negative", size, key)
	}
	if err := ctx.Err(); err != nil {
		return ctxError(err, key)
	}

	f, err := s.createTemp()
	if err != nil {
		return err
	}
	// Until the rename succeeds the temporary file is ours to remove, so
	// that a failed upload leaves no trace.
	renamed := false
	defer func() {
		if !renamed {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	h := sha256.New()
	// Read one byte more than declared: that is enough to tell that the
	// reader is too long without reading an endless one to its end.
	limit := size + 1
	if limit < 0 { // size == MaxInt64
		limit = size
	}
	n, err := copyContext(ctx, io.MultiWriter(f, h), io.LimitReader(r, limit))
	if err != nil {
		if ctx.Err() != nil {
			return ctxError(ctx.Err(), key)
		}
		if errors.Is(err, errWrite) {
			return ioError(err, "write %s", f.Name())
		}
		// The reader belongs to the caller: keep its error recognisable.
		return fmt.Errorf("read content of %s: %w", key, err)
	}
	switch {
	case n > size:
		return makerhub.Errorf(makerhub.EINVALID, "content of %s is longer than the declared %d bytes", key, size)
	case n < size:
		return makerhub.Errorf(makerhub.EINVALID, "content of %s is %d bytes, declared %d", key, n, size)
	}
	if got := h.Sum(nil); !bytes.Equal(got, want) {
		return makerhub.Errorf(makerhub.EINVALID, "content SHA-256 of %s is %x, declared %s", key, got, sum)
	}

	// The data must be on disk before the rename makes it visible, or a
	// crash could leave a complete-looking but empty file under the key.
	if err := f.Sync(); err != nil {
		return ioError(err, "flush %s to disk", f.Name())
	}
	if err := f.Close(); err != nil {
		return ioError(err, "close %s", f.Name())
	}
	if err := s.rename(f.Name(), dst, key); err != nil {
		return err
	}
	renamed = true
	// The rename itself is only durable once the folder is synced.
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return ioError(err, "flush folder %s to disk", filepath.Dir(dst))
	}
	return nil
}

// createTemp makes the upload's temporary file, recreating root/.tmp if an
// operator removed it while the store was running.
func (s *Store) createTemp() (*os.File, error) {
	f, err := os.CreateTemp(s.tmp, "put-*")
	if errors.Is(err, os.ErrNotExist) {
		if err = os.MkdirAll(s.tmp, 0o700); err == nil {
			f, err = os.CreateTemp(s.tmp, "put-*")
		}
	}
	if err != nil {
		return nil, ioError(err, "create a temporary file in %s", s.tmp)
	}
	return f, nil
}

// rename moves the finished upload into place. A concurrent Delete may remove
// the parent folders between mkdir and rename when they become empty, so a
// missing parent is retried a few times.
func (s *Store) rename(tmp, dst, key string) error {
	var err error
	for range 5 {
		if err = s.mkdirAll(filepath.Dir(dst)); err != nil {
			break
		}
		if err = os.Rename(tmp, dst); !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.EEXIST), errors.Is(err, syscall.ENOTEMPTY):
		return makerhub.WrapError(err, makerhub.ECONFLICT, "cannot store %s: a key and a longer key below it (like \"a\" and \"a/b\") cannot both exist in a local blob folder", key)
	}
	return ioError(err, "move the upload of %s into place", key)
}

// mkdirAll creates dir and its missing parents up to the root, syncing the
// parent of each folder it creates so that the new entries survive a crash.
func (s *Store) mkdirAll(dir string) error {
	if dir == s.root {
		return nil
	}
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return &os.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if err := s.mkdirAll(parent); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return syncDir(parent)
}

// Get implements makerhub.BlobStore. The returned reader keeps the file open,
// so it reads the object as it was when Get was called even if a Put
// replaces it meanwhile.
func (s *Store) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "offset %d is negative", offset)
	}
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err, key)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFoundOr(err, key, "open")
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, ioError(err, "read %s", key)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "object %s not found", key)
	}
	if offset > fi.Size() {
		f.Close()
		return nil, makerhub.Errorf(makerhub.EINVALID, "offset %d is beyond the end of %s (%d bytes)", offset, key, fi.Size())
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, ioError(err, "read %s", key)
	}
	if length < 0 {
		return f, nil
	}
	return &limitedFile{Reader: io.LimitReader(f, length), Closer: f}, nil
}

// limitedFile reads a range of a file and closes the file.
type limitedFile struct {
	io.Reader
	io.Closer
}

// Stat implements makerhub.BlobStore.
func (s *Store) Stat(ctx context.Context, key string) (makerhub.BlobInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return makerhub.BlobInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return makerhub.BlobInfo{}, ctxError(err, key)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return makerhub.BlobInfo{}, notFoundOr(err, key, "stat")
	}
	if !fi.Mode().IsRegular() {
		// A folder "a" exists because of keys like "a/b"; it is no object.
		return makerhub.BlobInfo{}, makerhub.Errorf(makerhub.ENOTFOUND, "object %s not found", key)
	}
	return makerhub.BlobInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Delete implements makerhub.BlobStore. It also removes the parent folders
// the deletion leaves empty, so that the tree does not fill with empty
// folders as objects come and go.
func (s *Store) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return ctxError(err, key)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return ioError(err, "delete %s", key)
	}
	if fi.IsDir() {
		return nil // no object under this key, only longer keys
	}
	if err := os.Remove(p); err != nil && !isNotFound(err) {
		return ioError(err, "delete %s", key)
	}
	for dir := filepath.Dir(p); dir != s.root && strings.HasPrefix(dir, s.root); dir = filepath.Dir(dir) {
		// Remove fails on a folder that is not empty, which ends the climb.
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// Ping implements makerhub.BlobStore.
func (s *Store) Ping(ctx context.Context) error {
	fi, err := os.Stat(s.root)
	if err != nil {
		return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "blob folder %s cannot be read: %v; check that it exists and is mounted", s.root, err)
	}
	if !fi.IsDir() {
		return makerhub.Errorf(makerhub.EUNAVAILABLE, "blob folder %s is not a folder; check the configured path", s.root)
	}
	return nil
}

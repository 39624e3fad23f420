package local_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/blob/blobtest"
	"github.com/makerhub/makerhub/internal/blob/local"
)

func newStore(t testing.TB) *local.Store {
	t.Helper()
	s, err := local.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) makerhub.BlobStore {
		s := newStore(t)
		// Every test must leave no upload behind, failed or not.
		t.Cleanup(func() { assertTmpEmpty(t, s) })
		return s
	})
}

func assertTmpEmpty(t *testing.T, s *local.Store) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(s.Root(), ".tmp"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind in .tmp: %s", e.Name())
	}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestFailedPutLeavesNoTempFile(t *testing.T) {
	s := newStore(t)
	content := []byte("content")
	if err := s.Put(t.Context(), "k", bytes.NewReader(content), 7, sum([]byte("other"))); makerhub.ErrorCode(err) != makerhub.EINVALID {
		t.Fatalf("Put with a wrong hash: %v", err)
	}
	if err := s.Put(t.Context(), "k", bytes.NewReader(content), 99, sum(content)); makerhub.ErrorCode(err) != makerhub.EINVALID {
		t.Fatalf("Put with a wrong size: %v", err)
	}
	assertTmpEmpty(t, s)
	// Nothing else was created either: the root holds only .tmp.
	entries, _ := os.ReadDir(s.Root())
	if len(entries) != 1 || entries[0].Name() != ".tmp" {
		t.Fatalf("root holds %v, want only .tmp", entries)
	}
}

func TestMessages(t *testing.T) {
	s := newStore(t)
	content := []byte("twelve bytes")
	err := s.Put(t.Context(), "k", bytes.NewReader(content), 10, sum(content))
	if msg := makerhub.ErrorMessage(err); !strings.Contains(msg, "longer than the declared 10 bytes") {
		t.Errorf("message for a long reader: %q", msg)
	}
	err = s.Put(t.Context(), "k", bytes.NewReader(content), 14, sum(content))
	if msg := makerhub.ErrorMessage(err); !strings.Contains(msg, "is 12 bytes, declared 14") {
		t.Errorf("message for a short reader: %q", msg)
	}
	err = s.Put(t.Context(), "k", bytes.NewReader(content), 12, sum(nil))
	if msg := makerhub.ErrorMessage(err); !strings.Contains(msg, "content SHA-256 of k is "+sum(content)+", declared "+sum(nil)) {
		t.Errorf("message for a wrong hash: %q", msg)
	}
}

// TestKeysStayInsideRoot plants files next to the root and checks that no
// key reaches them.
func TestKeysStayInsideRoot(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "blobs")
	s, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".tmp", "upload"), []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../secret", "a/../../secret", "/etc/passwd", secret, ".tmp/upload", "..", "a/..", "blobs/../secret"} {
		if rc, err := s.Get(t.Context(), key, 0, -1); err == nil {
			b, _ := io.ReadAll(rc)
			rc.Close()
			t.Errorf("Get(%q) read %q", key, b)
		} else if makerhub.ErrorCode(err) != makerhub.EINVALID {
			t.Errorf("Get(%q): %v, want EINVALID", key, err)
		}
		if err := s.Delete(t.Context(), key); makerhub.ErrorCode(err) != makerhub.EINVALID {
			t.Errorf("Delete(%q): %v, want EINVALID", key, err)
		}
		if err := s.Put(t.Context(), key, strings.NewReader("x"), 1, sum([]byte("x"))); makerhub.ErrorCode(err) != makerhub.EINVALID {
			t.Errorf("Put(%q): %v, want EINVALID", key, err)
		}
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "secret" {
		t.Fatalf("file outside the root changed: %q, %v", b, err)
	}
	// List skips the upload folder.
	for info, err := range s.List(t.Context(), "") {
		t.Errorf("List yielded %+v, %v from a store with no objects", info, err)
	}
}

func TestDeleteRemovesEmptyFolders(t *testing.T) {
	s := newStore(t)
	for _, key := range []string{"a/b/c/d", "a/x"} {
		if err := s.Put(t.Context(), key, strings.NewReader(key), int64(len(key)), sum([]byte(key))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(t.Context(), "a/b/c/d"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "a", "b")); !os.IsNotExist(err) {
		t.Errorf("empty folder a/b still exists: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "a", "x")); err != nil {
		t.Errorf("a/x is gone: %v", err)
	}
}

// TestKeyAndLongerKey documents the local store's one difference from S3.
func TestKeyAndLongerKey(t *testing.T) {
	s := newStore(t)
	put := func(key string) error {
		return s.Put(t.Context(), key, strings.NewReader("x"), 1, sum([]byte("x")))
	}
	if err := put("a"); err != nil {
		t.Fatal(err)
	}
	if err := put("a/b"); makerhub.ErrorCode(err) != makerhub.ECONFLICT {
		t.Errorf("Put(a/b) with object a: %v, want ECONFLICT", err)
	}
	if err := put("c/d"); err != nil {
		t.Fatal(err)
	}
	if err := put("c"); makerhub.ErrorCode(err) != makerhub.ECONFLICT {
		t.Errorf("Put(c) with object c/d: %v, want ECONFLICT", err)
	}
	if _, err := s.Stat(t.Context(), "c"); makerhub.ErrorCode(err) != makerhub.ENOTFOUND {
		t.Errorf("Stat(c) with object c/d: %v, want ENOTFOUND", err)
	}
	if _, err := s.Stat(t.Context(), "a/b"); makerhub.ErrorCode(err) != makerhub.ENOTFOUND {
		t.Errorf("Stat(a/b) with object a: %v, want ENOTFOUND", err)
	}
	assertTmpEmpty(t, s)
}

func TestPingMissingRoot(t *testing.T) {
	s := newStore(t)
	if err := os.RemoveAll(s.Root()); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); makerhub.ErrorCode(err) != makerhub.EUNAVAILABLE {
		t.Fatalf("Ping with the root removed: %v, want EUNAVAILABLE", err)
	}
}

// BenchmarkPut stores a 64 MiB object read from a file, the way an upload
// spooled to disk reaches the store.
func BenchmarkPut(b *testing.B) {
	const size = 64 << 20
	path, hash := tempObject(b, size)
	s := newStore(b)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			b.Fatal(err)
		}
		if err := s.Put(b.Context(), "bench/object", f, size, hash); err != nil {
			b.Fatal(err)
		}
	}
}

// tempObject writes size bytes of a repeating pattern to a temporary file.
func tempObject(b *testing.B, size int) (path, hash string) {
	content := bytes.Repeat([]byte("makerhub benchmark content 0123456789\n"), size/38+1)[:size]
	path = filepath.Join(b.TempDir(), "object")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		b.Fatal(err)
	}
	return path, sum(content)
}

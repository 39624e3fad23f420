package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/makerhub/makerhub"
)

// listFixture holds keys chosen so that S3's lexical order differs from the
// order of a naive folder walk: '-' (0x2d) < '.' (0x2e) < '/' (0x2f) < '0'.
var listFixture = []string{
	"a/bc",
	"a.b",
	"b/x",
	"a/b/c",
	"a-x",
	"ab",
	"a/b.c",
	"a0",
	"c/d/e/f",
}

func testList(t *testing.T, s makerhub.BlobStore) {
	sizes := map[string]int64{}
	for i, key := range listFixture {
		content := bytes.Repeat([]byte{'x'}, i*3+1) // a different size each
		mustPut(t, s, key, content)
		sizes[key] = int64(len(content))
	}
	sorted := slices.Sorted(slices.Values(listFixture))
	if got := listKeys(t, s, ""); !slices.Equal(got, sorted) {
		t.Fatalf("List(\"\") = %q\nwant lexical order %q", got, sorted)
	}
	for _, prefix := range []string{"a", "a/", "a/b", "a/b/", "a.", "a-", "b", "b/", "c/d/", "c/d/e/f", "zzz", "a/b/c/"} {
		var want []string
		for _, key := range sorted {
			if strings.HasPrefix(key, prefix) {
				want = append(want, key)
			}
		}
		if got := listKeys(t, s, prefix); !slices.Equal(got, want) {
			t.Errorf("List(%q) = %q, want %q", prefix, got, want)
		}
	}
	for info, err := range s.List(t.Context(), "") {
		if err != nil {
			t.Fatal(err)
		}
		if info.Size != sizes[info.Key] {
			t.Errorf("List: %s has size %d, want %d", info.Key, info.Size, sizes[info.Key])
		}
		if info.ModTime.IsZero() {
			t.Errorf("List: %s has no ModTime", info.Key)
		}
	}
}

func testListEarlyBreak(t *testing.T, s makerhub.BlobStore) {
	for _, key := range listFixture {
		mustPut(t, s, key, []byte(key))
	}
	sorted := slices.Sorted(slices.Values(listFixture))
	var got []string
	for info, err := range s.List(t.Context(), "") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, info.Key)
		if len(got) == 3 {
			break // must not panic with "continued iteration after exit"
		}
	}
	if !slices.Equal(got, sorted[:3]) {
		t.Fatalf("first three keys = %q, want %q", got, sorted[:3])
	}
	// The store is still usable after an abandoned listing.
	if got := listKeys(t, s, "b/"); !slices.Equal(got, []string{"b/x"}) {
		t.Fatalf("List(b/) after an early break = %q", got)
	}
}

func testListInvalidPrefix(t *testing.T, s makerhub.BlobStore) {
	for _, prefix := range []string{"A", "../", "a//", "/a"} {
		n := 0
		for _, err := range s.List(t.Context(), prefix) {
			n++
			wantCode(t, "List("+prefix+")", err, makerhub.EINVALID)
		}
		if n != 1 {
			t.Errorf("List(%q) yielded %d times, want once with the error", prefix, n)
		}
	}
}

func testCancelledBeforePut(t *testing.T, s makerhub.BlobStore) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	content := []byte("never stored")
	err := s.Put(ctx, "cancelled", bytes.NewReader(content), int64(len(content)), sha256Hex(content))
	if err == nil {
		t.Fatal("Put with a cancelled context succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: %v; want an error wrapping context.Canceled", err)
	}
	wantAbsent(t, s, "cancelled")
}

// testCancelledDuringPut cancels the context while the store is reading the
// content: the upload must stop without storing anything.
func testCancelledDuringPut(t *testing.T, s makerhub.BlobStore) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const size = 64 << 20
	r := &cancellingReader{r: gen(3, size), after: 1 << 20, cancel: cancel}
	err := s.Put(ctx, "cancelled/during", r, size, genSHA256(t, 3, size))
	if err == nil {
		t.Fatal("Put succeeded although its context was cancelled during the upload")
	}
	if r.n >= size {
		t.Errorf("Put read all %d bytes after the cancellation", r.n)
	}
	wantAbsent(t, s, "cancelled/during")
}

// cancellingReader calls cancel once more than after bytes were read.
type cancellingReader struct {
	r      io.Reader
	n      int64
	after  int64
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.after {
		c.cancel()
	}
	return n, err
}

// testReaderError checks that an error from the caller's reader fails the
// Put, stores nothing and stays recognisable for the caller.
func testReaderError(t *testing.T, s makerhub.BlobStore) {
	errBoom := errors.New("client went away")
	const size = 1 << 20
	r := io.MultiReader(gen(4, size/2), errReader{errBoom})
	err := s.Put(t.Context(), "reader/error", r, size, genSHA256(t, 4, size))
	if !errors.Is(err, errBoom) {
		t.Errorf("Put with a failing reader: %v; want an error wrapping the reader's", err)
	}
	wantAbsent(t, s, "reader/error")
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// testConcurrentPuts races writers of one key against readers: every read
// must see one complete version, and the key must end with one of them.
func testConcurrentPuts(t *testing.T, s makerhub.BlobStore) {
	const writers, size = 6, 256<<10 + 3
	sums := map[string]bool{}
	sumOf := make([]string, writers)
	for i := range writers {
		sumOf[i] = genSHA256(t, uint64(10+i), size)
		sums[sumOf[i]] = true
	}
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for i := range writers {
		wg.Go(func() {
			if err := s.Put(ctx, "race/key", gen(uint64(10+i), size), size, sumOf[i]); err != nil {
				errs <- fmt.Errorf("writer %d: %w", i, err)
			}
		})
		wg.Go(func() {
			rc, err := s.Get(ctx, "race/key", 0, -1)
			if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
				return // no writer finished yet
			} else if err != nil {
				errs <- fmt.Errorf("reader %d: %w", i, err)
				return
			}
			defer rc.Close()
			if sum, err := hashReader(rc); err != nil {
				errs <- fmt.Errorf("reader %d: %w", i, err)
			} else if !sums[sum] {
				errs <- fmt.Errorf("reader %d saw content with SHA-256 %s, which no writer wrote", i, sum)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rc, err := s.Get(ctx, "race/key", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if sum, err := hashReader(rc); err != nil || !sums[sum] {
		t.Fatalf("after the race the object has SHA-256 %s (%v), which no writer wrote", sum, err)
	}
}

func hashReader(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// listKeys lists the keys with prefix, failing the test on an error.
func listKeys(t *testing.T, s makerhub.BlobStore, prefix string) []string {
	t.Helper()
	var keys []string
	for info, err := range s.List(t.Context(), prefix) {
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		keys = append(keys, info.Key)
	}
	return keys
}

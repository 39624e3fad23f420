// Package blobtest is the conformance suite for makerhub.BlobStore: one set
// of tests that every backend runs, so that the local folder used in
// development and the S3 service used in production behave the same way.
//
// A backend's test calls Run with a function returning a new, empty store:
//
//	func TestConformance(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) makerhub.BlobStore { … })
//	}
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
)

// Run runs the conformance suite as subtests of t. newStore must return a
// new, empty store each time it is called; it registers its own cleanup
// with the given t.
func Run(t *testing.T, newStore func(t *testing.T) makerhub.BlobStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, makerhub.BlobStore)
	}{
		{"RoundTrip", testRoundTrip},
		{"ZeroLength", testZeroLength},
		{"LargeStreamed", testLargeStreamed},
		{"Ranges", testRanges},
		{"Stat", testStat},
		{"Missing", testMissing},
		{"Delete", testDelete},
		{"Overwrite", testOverwrite},
		{"WrongSHA256", testWrongSHA256},
		{"MalformedSHA256", testMalformedSHA256},
		{"WrongSize", testWrongSize},
		{"InvalidKeys", testInvalidKeys},
		{"List", testList},
		{"ListEarlyBreak", testListEarlyBreak},
		{"ListInvalidPrefix", testListInvalidPrefix},
		{"CancelledBeforePut", testCancelledBeforePut},
		{"CancelledDuringPut", testCancelledDuringPut},
		{"ReaderError", testReaderError},
		{"ConcurrentPuts", testConcurrentPuts},
		{"Ping", testPing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

func testRoundTrip(t *testing.T, s makerhub.BlobStore) {
	content := []byte("solid\nfacet normal 0 0 1\nendsolid\n")
	mustPut(t, s, "designs/ab/part.stl", content)
	if got := mustGet(t, s, "designs/ab/part.stl", 0, -1); !bytes.Equal(got, content) {
		t.Fatalf("Get returned %q, want %q", got, content)
	}
}

func testZeroLength(t *testing.T, s makerhub.BlobStore) {
	mustPut(t, s, "empty", nil)
	if got := mustGet(t, s, "empty", 0, -1); len(got) != 0 {
		t.Fatalf("Get returned %d bytes, want 0", len(got))
	}
	if got := mustGet(t, s, "empty", 0, 10); len(got) != 0 {
		t.Fatalf("Get(0, 10) returned %d bytes, want 0", len(got))
	}
	info, err := s.Stat(t.Context(), "empty")
	if err != nil || info.Size != 0 {
		t.Fatalf("Stat = %+v, %v; want size 0", info, err)
	}
	wantCode(t, "Get(1, -1) of an empty object", getErr(s, "empty", 1, -1), makerhub.EINVALID)
}

// testLargeStreamed stores an object larger than a single S3 part buffer
// and the chunk sizes of the clients, generated on the fly so the test holds
// no copy of it in memory.
func testLargeStreamed(t *testing.T, s makerhub.BlobStore) {
	const size = 5<<20 + 12345 // not a multiple of any chunk size
	sum := genSHA256(t, 1, size)
	if err := s.Put(t.Context(), "large/object.bin", gen(1, size), size, sum); err != nil {
		t.Fatalf("Put of %d streamed bytes: %v", size, err)
	}
	rc, err := s.Get(t.Context(), "large/object.bin", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		t.Fatal(err)
	}
	if n != size || hex.EncodeToString(h.Sum(nil)) != sum {
		t.Fatalf("read back %d bytes with SHA-256 %x; want %d bytes with %s", n, h.Sum(nil), size, sum)
	}
	// A range in the middle, across chunk boundaries.
	want := make([]byte, size)
	if _, err := io.ReadFull(gen(1, size), want); err != nil {
		t.Fatal(err)
	}
	off, length := int64(3<<20-7), int64(1<<20+13)
	if got := mustGet(t, s, "large/object.bin", off, length); !bytes.Equal(got, want[off:off+length]) {
		t.Fatalf("Get(%d, %d) returned different bytes", off, length)
	}
}

func testRanges(t *testing.T, s makerhub.BlobStore) {
	content := []byte("0123456789abcdefghij") // 20 bytes
	mustPut(t, s, "range", content)
	for _, tc := range []struct {
		offset, length int64
		want           string
	}{
		{0, -1, "0123456789abcdefghij"},
		{0, 5, "01234"},
		{5, 5, "56789"},
		{5, -1, "56789abcdefghij"},
		{19, 1, "j"},
		{19, -1, "j"},
		{0, 0, ""},
		{7, 0, ""},
		{20, -1, ""}, // offset == size: empty, not an error
		{20, 5, ""},
		{15, 100, "fghij"}, // beyond the end: truncated
		{0, 1 << 40, "0123456789abcdefghij"},
	} {
		if got := mustGet(t, s, "range", tc.offset, tc.length); string(got) != tc.want {
			t.Errorf("Get(%d, %d) = %q, want %q", tc.offset, tc.length, got, tc.want)
		}
	}
	wantCode(t, "Get(21, -1)", getErr(s, "range", 21, -1), makerhub.EINVALID)
	wantCode(t, "Get(100, 5)", getErr(s, "range", 100, 5), makerhub.EINVALID)
	wantCode(t, "Get(-1, 5)", getErr(s, "range", -1, 5), makerhub.EINVALID)
}

func testStat(t *testing.T, s makerhub.BlobStore) {
	before := time.Now()
	mustPut(t, s, "stat/me", []byte("twelve bytes"))
	after := time.Now()
	info, err := s.Stat(t.Context(), "stat/me")
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != "stat/me" || info.Size != 12 {
		t.Errorf("Stat = %+v, want key stat/me and size 12", info)
	}
	// S3 keeps seconds only and a server's clock may be a little off.
	if info.ModTime.Before(before.Add(-time.Minute)) || info.ModTime.After(after.Add(time.Minute)) {
		t.Errorf("ModTime %v is not near the time of the Put (%v)", info.ModTime, before)
	}
}

func testMissing(t *testing.T, s makerhub.BlobStore) {
	_, err := s.Stat(t.Context(), "no/such/key")
	wantCode(t, "Stat of a missing key", err, makerhub.ENOTFOUND)
	wantCode(t, "Get of a missing key", getErr(s, "no/such/key", 0, -1), makerhub.ENOTFOUND)
	wantCode(t, "Get of a missing key with a range", getErr(s, "no/such/key", 3, 4), makerhub.ENOTFOUND)
	wantCode(t, "Get of a missing key, length 0", getErr(s, "no/such/key", 0, 0), makerhub.ENOTFOUND)
}

func testDelete(t *testing.T, s makerhub.BlobStore) {
	mustPut(t, s, "del/a", []byte("a"))
	mustPut(t, s, "del/b", []byte("b"))
	if err := s.Delete(t.Context(), "del/a"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Stat(t.Context(), "del/a")
	wantCode(t, "Stat after Delete", err, makerhub.ENOTFOUND)
	wantCode(t, "Get after Delete", getErr(s, "del/a", 0, -1), makerhub.ENOTFOUND)
	if got := listKeys(t, s, "del/"); strings.Join(got, ",") != "del/b" {
		t.Errorf("List after Delete = %q, want [del/b]", got)
	}
	if err := s.Delete(t.Context(), "del/a"); err != nil {
		t.Errorf("Delete of a deleted key: %v, want nil", err)
	}
	if err := s.Delete(t.Context(), "never/there"); err != nil {
		t.Errorf("Delete of a missing key: %v, want nil", err)
	}
	if err := s.Delete(t.Context(), "del"); err != nil {
		t.Errorf("Delete of a key that is only a prefix: %v, want nil", err)
	}
	if got := mustGet(t, s, "del/b", 0, -1); string(got) != "b" {
		t.Errorf("other object changed: %q", got)
	}
}

func testOverwrite(t *testing.T, s makerhub.BlobStore) {
	mustPut(t, s, "over", []byte("first version"))
	mustPut(t, s, "over", []byte("second"))
	if got := mustGet(t, s, "over", 0, -1); string(got) != "second" {
		t.Fatalf("Get after overwrite = %q, want %q", got, "second")
	}
	if info, err := s.Stat(t.Context(), "over"); err != nil || info.Size != 6 {
		t.Fatalf("Stat after overwrite = %+v, %v; want size 6", info, err)
	}
}

func testWrongSHA256(t *testing.T, s makerhub.BlobStore) {
	content := []byte("new content")
	wrong := sha256Hex([]byte("something else"))
	err := s.Put(t.Context(), "sha/new", bytes.NewReader(content), int64(len(content)), wrong)
	wantCode(t, "Put with a wrong SHA-256", err, makerhub.EINVALID)
	wantAbsent(t, s, "sha/new")

	// A failed overwrite keeps the object that was there.
	mustPut(t, s, "sha/old", []byte("old bytes"))
	err = s.Put(t.Context(), "sha/old", bytes.NewReader(content), int64(len(content)), wrong)
	wantCode(t, "overwriting Put with a wrong SHA-256", err, makerhub.EINVALID)
	if got := mustGet(t, s, "sha/old", 0, -1); string(got) != "old bytes" {
		t.Fatalf("after a failed overwrite Get = %q, want %q", got, "old bytes")
	}
}

func testMalformedSHA256(t *testing.T, s makerhub.BlobStore) {
	content := []byte("x")
	for _, sum := range []string{"", "xyz", strings.ToUpper(sha256Hex(content)), sha256Hex(content)[:62]} {
		err := s.Put(t.Context(), "sha/malformed", bytes.NewReader(content), 1, sum)
		wantCode(t, "Put with SHA-256 "+sum, err, makerhub.EINVALID)
	}
	wantAbsent(t, s, "sha/malformed")
	err := s.Put(t.Context(), "size/negative", bytes.NewReader(content), -1, sha256Hex(content))
	wantCode(t, "Put with size -1", err, makerhub.EINVALID)
	wantAbsent(t, s, "size/negative")
}

func testWrongSize(t *testing.T, s makerhub.BlobStore) {
	ten := []byte("0123456789")
	for _, tc := range []struct {
		name    string
		content []byte
	}{
		{"short", ten[:8]},
		{"long", append(ten, "ab"...)},
		{"empty", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Declared: 10 bytes, and the SHA-256 of exactly what is sent,
			// so only the size can give the mismatch away.
			err := s.Put(t.Context(), "size/"+tc.name, bytes.NewReader(tc.content), 10, sha256Hex(tc.content))
			wantCode(t, "Put of "+tc.name+" content", err, makerhub.EINVALID)
			wantAbsent(t, s, "size/"+tc.name)

			mustPut(t, s, "size/kept", []byte("kept"))
			err = s.Put(t.Context(), "size/kept", bytes.NewReader(tc.content), 10, sha256Hex(ten))
			wantCode(t, "overwriting Put of "+tc.name+" content", err, makerhub.EINVALID)
			if got := mustGet(t, s, "size/kept", 0, -1); string(got) != "kept" {
				t.Fatalf("after a failed overwrite Get = %q, want %q", got, "kept")
			}
		})
	}
	// A reader far longer than declared must not be read to its end.
	err := s.Put(t.Context(), "size/endless", gen(2, 1<<62), 10, sha256Hex(ten))
	wantCode(t, "Put of an endless reader", err, makerhub.EINVALID)
	wantAbsent(t, s, "size/endless")
}

func testInvalidKeys(t *testing.T, s makerhub.BlobStore) {
	ctx := t.Context()
	for _, key := range []string{"", "../x", "a//b", "A", ".tmp/x", "a/../b", "with space", "/lead", "trail/", ".", "a/./b", "a\\b", strings.Repeat("k", makerhub.MaxBlobKeyLength+1)} {
		err := s.Put(ctx, key, strings.NewReader("x"), 1, sha256Hex([]byte("x")))
		wantCode(t, "Put("+key+")", err, makerhub.EINVALID)
		wantCode(t, "Get("+key+")", getErr(s, key, 0, -1), makerhub.EINVALID)
		_, err = s.Stat(ctx, key)
		wantCode(t, "Stat("+key+")", err, makerhub.EINVALID)
		wantCode(t, "Delete("+key+")", s.Delete(ctx, key), makerhub.EINVALID)
	}
	if got := listKeys(t, s, ""); len(got) != 0 {
		t.Fatalf("invalid keys stored something: %q", got)
	}
}

func testPing(t *testing.T, s makerhub.BlobStore) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// mustPut stores content under key with its true size and SHA-256.
func mustPut(t *testing.T, s makerhub.BlobStore, key string, content []byte) {
	t.Helper()
	if err := s.Put(t.Context(), key, bytes.NewReader(content), int64(len(content)), sha256Hex(content)); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// mustGet reads a range of an object in full.
func mustGet(t *testing.T, s makerhub.BlobStore, key string, offset, length int64) []byte {
	t.Helper()
	rc, err := s.Get(t.Context(), key, offset, length)
	if err != nil {
		t.Fatalf("Get(%q, %d, %d): %v", key, offset, length, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading Get(%q, %d, %d): %v", key, offset, length, err)
	}
	return b
}

// getErr returns Get's error, closing the reader if there was none.
func getErr(s makerhub.BlobStore, key string, offset, length int64) error {
	rc, err := s.Get(context.Background(), key, offset, length)
	if err == nil {
		rc.Close()
	}
	return err
}

// wantAbsent checks that nothing is stored under key.
func wantAbsent(t *testing.T, s makerhub.BlobStore, key string) {
	t.Helper()
	_, err := s.Stat(t.Context(), key)
	wantCode(t, "Stat("+key+") after a failed Put", err, makerhub.ENOTFOUND)
}

// wantCode checks that err is an *Error with the code, and that its message
// is meant for people: present and without the Go error chain.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := makerhub.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
		return
	}
	var e *makerhub.Error
	if errors.As(err, &e) && e.Message == "" {
		t.Errorf("%s: *Error has no message", what)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// gen returns size deterministic pseudo-random bytes for a seed, generated as
// they are read.
func gen(seed uint64, size int64) io.Reader {
	var key [32]byte
	key[0] = byte(seed)
	return io.LimitReader(rand.NewChaCha8(key), size)
}

// genSHA256 is the SHA-256 of gen(seed, size).
func genSHA256(t *testing.T, seed uint64, size int64) string {
	h := sha256.New()
	if _, err := io.Copy(h, gen(seed, size)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

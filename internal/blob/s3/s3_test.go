package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/blob/blobtest"
	"github.com/makerhub/makerhub/internal/testenv"
)

var bucketSeq atomic.Int64

// newStore returns a store on a new bucket of m, created with EnsureBucket.
func newStore(tb testing.TB, m *testenv.MinIO) *Store {
	tb.Helper()
	s, err := New(Config{
		Endpoint:  m.Endpoint,
		AccessKey: m.AccessKey,
		SecretKey: m.SecretKey,
		Bucket:    fmt.Sprintf("test-%d", bucketSeq.Add(1)),
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.EnsureBucket(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestStore runs everything that needs MinIO against one server. The
// outage test stops and restarts it, so it runs last.
func TestStore(t *testing.T) {
	m := testenv.StartMinIO(t)
	t.Run("Conformance", func(t *testing.T) {
		blobtest.Run(t, func(t *testing.T) makerhub.BlobStore { return newStore(t, m) })
	})
	t.Run("EnsureBucket", func(t *testing.T) { testEnsureBucket(t, m) })
	t.Run("ServerChecksSHA256", func(t *testing.T) { testServerChecksSHA256(t, newStore(t, m)) })
	t.Run("Multipart", func(t *testing.T) { testMultipart(t, newStore(t, m)) })
	t.Run("Parallel", func(t *testing.T) { testParallel(t, newStore(t, m)) })
	t.Run("Outage", func(t *testing.T) { testOutage(t, m) })
}

func testEnsureBucket(t *testing.T, m *testenv.MinIO) {
	s, err := New(Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "ensure-me"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Ping(t.Context())
	if makerhub.ErrorCode(err) != makerhub.EUNAVAILABLE || !strings.Contains(makerhub.ErrorMessage(err), "bucket ensure-me does not exist") {
		t.Fatalf("Ping before EnsureBucket: %v; want EUNAVAILABLE naming the bucket", err)
	}
	for i := range 2 { // the second call finds the bucket there
		if err := s.EnsureBucket(t.Context()); err != nil {
			t.Fatalf("EnsureBucket #%d: %v", i+1, err)
		}
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping after EnsureBucket: %v", err)
	}
	// Several instances starting at once race to create the bucket.
	s2, _ := New(Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "ensure-race"})
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- s2.EnsureBucket(t.Context()) }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent EnsureBucket: %v", err)
		}
	}
}

// testServerChecksSHA256 bypasses the verifyingReader to show that the
// server itself rejects a body that does not match x-amz-checksum-sha256,
// with the options Put uses.
func testServerChecksSHA256(t *testing.T, s *Store) {
	content := []byte("the real content")
	wrong := sha256.Sum256([]byte("declared content"))
	opts := minio.PutObjectOptions{
		DisableMultipart: true,
		UserMetadata:     map[string]string{"x-amz-checksum-sha256": base64.StdEncoding.EncodeToString(wrong[:])},
	}
	// Hide bytes.Reader's Seek and ReadAt, as Put's reader has neither.
	r := struct{ io.Reader }{bytes.NewReader(content)}
	_, err := s.client.PutObject(t.Context(), s.bucket, "checked", r, int64(len(content)), opts)
	if err == nil {
		t.Fatal("the server accepted a body whose SHA-256 differs from x-amz-checksum-sha256")
	}
	if got := s.mapError(t.Context(), err, "checked", "store checked"); makerhub.ErrorCode(got) != makerhub.EINVALID {
		t.Errorf("mapped error: %v; want EINVALID", got)
	}
	if _, err := s.Stat(t.Context(), "checked"); makerhub.ErrorCode(err) != makerhub.ENOTFOUND {
		t.Errorf("Stat after the rejected upload: %v; want ENOTFOUND", err)
	}
}

// testMultipart lowers the single-PUT limit to send small objects through
// the path that objects over 5 GiB take.
func testMultipart(t *testing.T, s *Store) {
	s.sizes.maxSinglePut, s.sizes.partSize = 1<<20, 5<<20 // 5 MiB is S3's smallest part

	const size = 12<<20 + 7 // three parts, the last one short
	sum := genSHA256(7, size)
	if err := s.Put(t.Context(), "multi/ok", gen(7, size), size, sum); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Get(t.Context(), "multi/ok", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, rc)
	rc.Close()
	if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != sum {
		t.Fatalf("read back %d bytes, SHA-256 %x, %v; want %d bytes, %s", n, h.Sum(nil), err, size, sum)
	}

	for name, put := range map[string]func() error{
		"wrong SHA-256": func() error { return s.Put(t.Context(), "multi/bad", gen(7, size), size, genSHA256(8, size)) },
		"short":         func() error { return s.Put(t.Context(), "multi/bad", gen(7, size-1), size, sum) },
		"long":          func() error { return s.Put(t.Context(), "multi/bad", gen(7, size+1), size, sum) },
	} {
		if err := put(); makerhub.ErrorCode(err) != makerhub.EINVALID {
			t.Errorf("multipart Put, %s: %v; want EINVALID", name, err)
		}
	}
	if _, err := s.Stat(t.Context(), "multi/bad"); makerhub.ErrorCode(err) != makerhub.ENOTFOUND {
		t.Errorf("Stat after failed multipart uploads: %v; want ENOTFOUND", err)
	}
	// The failed uploads were aborted, so their parts do not use space.
	for u := range s.client.ListIncompleteUploads(t.Context(), s.bucket, "multi/", true) {
		t.Errorf("incomplete upload left behind: %+v", u)
	}
}

// testParallel sends files (io.ReaderAt) through the parallel multipart
// path, with the threshold lowered so small files take it, and checks that
// wrong content is refused before anything is stored.
func testParallel(t *testing.T, s *Store) {
	s.sizes.parallelAbove, s.sizes.parallelPartSize = 1<<20, 5<<20

	const size = 12<<20 + 7
	file := func(n int64) *os.File {
		f, err := os.Create(filepath.Join(t.TempDir(), "content"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, gen(7, n)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	sum := genSHA256(7, size)
	if err := s.Put(t.Context(), "par/ok", file(size), size, sum); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Get(t.Context(), "par/ok", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, rc)
	rc.Close()
	if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != sum {
		t.Fatalf("read back %d bytes, SHA-256 %x, %v; want %d bytes, %s", n, h.Sum(nil), err, size, sum)
	}
	// Content the caller says it hashed: stored without a second hashing
	// pass when its hash is the declared one; checked as usual when not.
	hashed := func(f *os.File, claimed string) *hashedFile {
		return &hashedFile{SectionReader: io.NewSectionReader(f, 0, size), sum: claimed}
	}
	if err := s.Put(t.Context(), "par/hashed", hashed(file(size), sum), size, sum); err != nil {
		t.Fatalf("hashed content: %v", err)
	}
	if info, err := s.Stat(t.Context(), "par/hashed"); err != nil || info.Size != size {
		t.Fatalf("hashed content stored as %+v, %v", info, err)
	}
	for name, put := range map[string]func() error{
		"hashed, but not what is declared": func() error {
			return s.Put(t.Context(), "par/bad", hashed(file(size), sum), size, genSHA256(8, size))
		},
		"wrong SHA-256": func() error { return s.Put(t.Context(), "par/bad", file(size), size, genSHA256(8, size)) },
		"short":         func() error { return s.Put(t.Context(), "par/bad", file(size-1), size, sum) },
		"long":          func() error { return s.Put(t.Context(), "par/bad", file(size+1), size, sum) },
	} {
		if err := put(); makerhub.ErrorCode(err) != makerhub.EINVALID {
			t.Errorf("parallel Put, %s: %v; want EINVALID", name, err)
		}
	}
	if _, err := s.Stat(t.Context(), "par/bad"); makerhub.ErrorCode(err) != makerhub.ENOTFOUND {
		t.Errorf("Stat after refused parallel uploads: %v; want ENOTFOUND", err)
	}
	for u := range s.client.ListIncompleteUploads(t.Context(), s.bucket, "par/", true) {
		t.Errorf("incomplete upload left behind: %+v", u)
	}
}

// hashedFile is content whose caller declares the SHA-256 it computed.
type hashedFile struct {
	*io.SectionReader
	sum string
}

func (h *hashedFile) HashedSHA256() string { return h.sum }

// testOutage takes the server away and brings it back, as a restart or a
// network failure would.
func testOutage(t *testing.T, m *testenv.MinIO) {
	s := newStore(t, m)
	content := []byte("survives the outage")
	sum := sha256.Sum256(content)
	sumHex := hex.EncodeToString(sum[:])
	if err := s.Put(t.Context(), "kept", bytes.NewReader(content), int64(len(content)), sumHex); err != nil {
		t.Fatal(err)
	}
	m.Stop(t)

	// A readiness probe gives Ping a deadline and must have its answer
	// well within it: 5 s is the bound in the spec, not a tuned figure.
	for _, timeout := range []time.Duration{5 * time.Second, 0} {
		ctx := t.Context()
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		start := time.Now()
		err := s.Ping(ctx)
		elapsed := time.Since(start)
		if makerhub.ErrorCode(err) != makerhub.EUNAVAILABLE {
			t.Errorf("Ping (timeout %v) with MinIO stopped: %v; want EUNAVAILABLE", timeout, err)
		}
		if !strings.Contains(makerhub.ErrorMessage(err), m.Endpoint) {
			t.Errorf("Ping's message %q does not name the endpoint %s", makerhub.ErrorMessage(err), m.Endpoint)
		}
		if elapsed >= 5*time.Second {
			t.Errorf("Ping (timeout %v) took %v with MinIO stopped; want under 5s", timeout, elapsed)
		}
		t.Logf("Ping (timeout %v) with MinIO stopped: %v after %v", timeout, makerhub.ErrorMessage(err), elapsed.Round(time.Millisecond))
	}

	start := time.Now()
	_, err := s.Get(t.Context(), "kept", 0, -1)
	if makerhub.ErrorCode(err) != makerhub.EUNAVAILABLE {
		t.Errorf("Get with MinIO stopped: %v; want EUNAVAILABLE", err)
	}
	t.Logf("Get with MinIO stopped: %v after %v", makerhub.ErrorMessage(err), time.Since(start).Round(time.Millisecond))
	err = s.Put(t.Context(), "new", bytes.NewReader(content), int64(len(content)), sumHex)
	if makerhub.ErrorCode(err) != makerhub.EUNAVAILABLE {
		t.Errorf("Put with MinIO stopped: %v; want EUNAVAILABLE", err)
	}
	if _, err := s.Stat(t.Context(), "kept"); makerhub.ErrorCode(err) != makerhub.EUNAVAILABLE {
		t.Errorf("Stat with MinIO stopped: %v; want EUNAVAILABLE", err)
	}
	for _, err := range s.List(t.Context(), "") {
		if makerhub.ErrorCode(err) != makerhub.EUNAVAILABLE {
			t.Errorf("List with MinIO stopped: %v; want EUNAVAILABLE", err)
		}
	}

	m.Start(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping after MinIO came back: %v", err)
	}
	rc, err := s.Get(t.Context(), "kept", 0, -1)
	if err != nil {
		t.Fatalf("Get after MinIO came back: %v", err)
	}
	defer rc.Close()
	if got, err := io.ReadAll(rc); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("after the outage the object reads %q, %v", got, err)
	}
}

func TestConfig(t *testing.T) {
	ok := Config{Endpoint: "127.0.0.1:9000", AccessKey: "a", SecretKey: "s", Bucket: "makerhub"}
	if _, err := New(ok); err != nil {
		t.Fatalf("New(%+v): %v", ok, err)
	}
	for _, tc := range []struct {
		change func(*Config)
		want   string // in the message
	}{
		{func(c *Config) { c.Endpoint = "" }, "MAKERHUB_S3_ENDPOINT is not set"},
		{func(c *Config) { c.Endpoint = "http://127.0.0.1:9000" }, "without a scheme"},
		{func(c *Config) { c.Endpoint = "127.0.0.1" }, "is not host:port"},
		{func(c *Config) { c.Endpoint = ":9000" }, "is not host:port"},
		{func(c *Config) { c.Endpoint = "minio:http" }, "no valid port"},
		{func(c *Config) { c.Bucket = "" }, "MAKERHUB_S3_BUCKET is not set"},
		{func(c *Config) { c.Bucket = "Upper_Case" }, "MAKERHUB_S3_BUCKET=\"Upper_Case\" is not a valid bucket name"},
		{func(c *Config) { c.Bucket = "ab" }, "not a valid bucket name"},
		{func(c *Config) { c.AccessKey = "" }, "MAKERHUB_S3_ACCESS_KEY"},
		{func(c *Config) { c.SecretKey = "" }, "MAKERHUB_S3_SECRET_KEY"},
	} {
		cfg := ok
		tc.change(&cfg)
		_, err := New(cfg)
		if makerhub.ErrorCode(err) != makerhub.EINVALID || !strings.Contains(makerhub.ErrorMessage(err), tc.want) {
			t.Errorf("New(%+v): %v; want EINVALID saying %q", cfg, err, tc.want)
		}
	}
}

// BenchmarkPut uploads a 64 MiB file through Store.Put. Compare B/op with
// BenchmarkPutMinioGoDefault, the same upload with minio-go's defaults.
func BenchmarkPut(b *testing.B) {
	m := testenv.StartMinIO(b)
	s := newStore(b, m)
	f, size, sum := benchFile(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			b.Fatal(err)
		}
		if err := s.Put(b.Context(), "bench/object", f, size, sum); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutMinioGoDefault is the anchor for BenchmarkPut: plain
// PutObject with the size known and default options, which for a file
// (an io.ReaderAt) means a parallel multipart upload.
func BenchmarkPutMinioGoDefault(b *testing.B) {
	m := testenv.StartMinIO(b)
	s := newStore(b, m)
	f, size, _ := benchFile(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			b.Fatal(err)
		}
		if _, err := s.client.PutObject(b.Context(), s.bucket, "bench/object", f, size, minio.PutObjectOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutMinioGoUnknownSize shows why Put never passes size -1:
// minio-go then allocates a part buffer sized for a 5 TiB object (about
// 528 MiB) per upload, whatever the object's size. Expect B/op near 550 MB.
func BenchmarkPutMinioGoUnknownSize(b *testing.B) {
	m := testenv.StartMinIO(b)
	s := newStore(b, m)
	f, size, _ := benchFile(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			b.Fatal(err)
		}
		r := struct{ io.Reader }{f} // a stream, as an HTTP request body is
		if _, err := s.client.PutObject(b.Context(), s.bucket, "bench/object", r, -1, minio.PutObjectOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchFile writes a 64 MiB file and opens it.
func benchFile(b *testing.B) (f *os.File, size int64, sum string) {
	size = 64 << 20
	path := filepath.Join(b.TempDir(), "object")
	w, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(w, gen(1, size)); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if f, err = os.Open(path); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f, size, genSHA256(1, size)
}

// gen returns size deterministic pseudo-random bytes, made as they are read.
func gen(seed uint64, size int64) io.Reader {
	var key [32]byte
	key[0] = byte(seed)
	return io.LimitReader(rand.NewChaCha8(key), size)
}

func genSHA256(seed uint64, size int64) string {
	h := sha256.New()
	io.Copy(h, gen(seed, size))
	return hex.EncodeToString(h.Sum(nil))
}

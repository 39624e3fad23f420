package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"

	"github.com/minio/minio-go/v7"

	"github.com/makerhub/makerhub"
)

// putParallel stores content that can be read at any offset (a file) by
// uploading parts of it in parallel, as minio-go does for an io.ReaderAt:
// the service then spreads the work over its cores, and a single stream is
// no longer the limit (docs/performance-history.md). Each part carries
// a CRC32C that the service checks on arrival.
//
// S3 has no whole-object SHA-256 for multipart uploads, so the content is
// checked here, while the parts go up: a gatedReaderAt holds back the last
// bytes of the object until the hash and the size are confirmed, and fails
// them otherwise, which makes minio-go abort the upload — the object is
// never completed. The content must not change during Put; the hub passes
// its own temporary files.
func (s *Store) putParallel(ctx context.Context, key string, ra io.ReaderAt, size int64, want []byte) error {
	g := &gatedReaderAt{ctx: ctx, ra: ra, size: size, checked: make(chan struct{})}
	if h, ok := ra.(makerhub.HashedReaderAt); ok && h.HashedSHA256() == hex.EncodeToString(want) {
		// The caller hashed these bytes already: check only the size.
		g.err = s.checkSize(ctx, key, ra, size)
		close(g.checked)
	} else {
		go func() {
			g.err = s.check(ctx, key, ra, size, want)
			close(g.checked)
		}()
	}
	opts := minio.PutObjectOptions{
		ContentType: "application/octet-stream",
		PartSize:    s.sizes.parallelPartSize,
		NumThreads:  4,
		// The parts' CRC32C (sent as trailers) protect them in transit;
		// hashing every chunk for a streaming signature as well would add
		// a pass over the data for nothing.
		DisableContentSha256: true,
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, io.NewSectionReader(g, 0, size), size, opts)
	<-g.checked
	if g.err != nil {
		return g.err
	}
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchBucket {
			return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "bucket %s does not exist at %s; check MAKERHUB_S3_BUCKET", s.bucket, s.endpoint)
		}
		return s.mapError(ctx, err, key, "store "+key)
	}
	return nil
}

// check hashes the content and checks that it is exactly size bytes.
func (s *Store) check(ctx context.Context, key string, ra io.ReaderAt, size int64, want []byte) error {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(ra, 0, size)); err != nil {
		return s.readError(ctx, err, key)
	}
	if got := h.Sum(nil); !bytes.Equal(got, want) {
		return makerhub.Errorf(makerhub.EINVALID, "content SHA-256 of %s is %x, declared %x", key, got, want)
	}
	return s.checkSize(ctx, key, ra, size)
}

// checkSize checks that the content ends exactly at size: it has a byte at
// size-1 (the upload reads it) and none at size.
func (s *Store) checkSize(ctx context.Context, key string, ra io.ReaderAt, size int64) error {
	var one [1]byte
	switch n, err := ra.ReadAt(one[:], size); {
	case n > 0:
		return makerhub.Errorf(makerhub.EINVALID, "content of %s is longer than the declared %d bytes", key, size)
	case err != nil && !errors.Is(err, io.EOF):
		return s.readError(ctx, err, key)
	}
	return nil
}

// errUnchecked fails the last bytes of an upload whose content check failed.
var errUnchecked = errors.New("content check failed: upload stopped")

// gatedReaderAt passes reads through, except a read that reaches the end of
// the content, which waits for the content check and fails if it failed.
type gatedReaderAt struct {
	ctx     context.Context
	ra      io.ReaderAt
	size    int64
	checked chan struct{}
	err     error // set before checked is closed
}

func (g *gatedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) >= g.size {
		select {
		case <-g.checked:
		case <-g.ctx.Done():
			return 0, g.ctx.Err()
		}
		if g.err != nil {
			return 0, errUnchecked
		}
	}
	return g.ra.ReadAt(p, off)
}

// readError reports a failure to read the caller's content, keeping its
// error recognisable, unless the context ended.
func (s *Store) readError(ctx context.Context, err error, key string) error {
	if ctx.Err() != nil {
		return s.mapError(ctx, err, key, "store "+key)
	}
	var me *makerhub.Error
	if errors.As(err, &me) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return makerhub.Errorf(makerhub.EINVALID, "content of %s is shorter than the declared size", key)
	}
	return &readErr{key: key, err: err}
}

type readErr struct {
	key string
	err error
}

func (e *readErr) Error() string { return "read content of " + e.key + ": " + e.err.Error() }
func (e *readErr) Unwrap() error { return e.err }

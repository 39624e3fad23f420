package s3

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/makerhub/makerhub"
)

// errStopped is returned to a reader of the body after Put has returned.
var errStopped = errors.New("upload is over")

// verifyingReader passes exactly size bytes of r through, hashing them. When
// the last byte has been read from r, and before it is handed on, it checks
// that r has nothing more and that the SHA-256 matches; on a mismatch it
// returns an error instead of those bytes. The consumer (minio-go and the
// HTTP transport) therefore never sees a complete body unless the content is
// right, and an incomplete body makes the server drop the upload.
//
// The error goes out from Read, so it must also hold for io.ReadFull, which
// drops an error that comes with enough bytes: withholding the last bytes
// makes sure the error cannot be lost that way.
type verifyingReader struct {
	mu      sync.Mutex // Read may run on a transport goroutine
	r       io.Reader
	key     string
	size    int64
	n       int64
	want    []byte
	h       hash.Hash
	err     error // sticky: a content mismatch or r's failure
	done    bool  // all size bytes read and verified
	stopped bool
}

func newVerifyingReader(r io.Reader, key string, size int64, want []byte) *verifyingReader {
	return &verifyingReader{r: r, key: key, size: size, want: want, h: sha256.New()}
}

// Read implements io.Reader.
func (v *verifyingReader) Read(p []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case v.err != nil:
		return 0, v.err
	case v.stopped:
		return 0, errStopped
	case v.done:
		return 0, io.EOF
	case len(p) == 0:
		return 0, nil
	}
	// Never read past the declared size here: one byte too many is
	// detected by finish, without reading an over-long reader to its end.
	if rest := v.size - v.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	switch {
	case v.n == v.size:
		if ferr := v.finishLocked(err == io.EOF); ferr != nil {
			return 0, ferr // withhold the last bytes
		}
		return n, nil
	case err == io.EOF:
		v.err = makerhub.Errorf(makerhub.EINVALID, "content of %s is %d bytes, declared %d", v.key, v.n, v.size)
		return 0, v.err
	case err != nil:
		// The caller's reader failed: keep its error recognisable.
		v.err = fmt.Errorf("read content of %s: %w", v.key, err)
		return 0, v.err
	}
	return n, nil
}

// finish verifies the content once all size bytes have been read; it is
// called directly for an empty object, whose body nobody reads.
func (v *verifyingReader) finish() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.err != nil || v.done {
		return v.err
	}
	return v.finishLocked(false)
}

func (v *verifyingReader) finishLocked(sawEOF bool) error {
	if !sawEOF {
		var one [1]byte
		switch n, err := io.ReadFull(v.r, one[:]); {
		case n > 0:
			v.err = makerhub.Errorf(makerhub.EINVALID, "content of %s is longer than the declared %d bytes", v.key, v.size)
			return v.err
		case err != io.EOF:
			v.err = fmt.Errorf("read content of %s: %w", v.key, err)
			return v.err
		}
	}
	if got := v.h.Sum(nil); !bytes.Equal(got, v.want) {
		v.err = makerhub.Errorf(makerhub.EINVALID, "content SHA-256 of %s is %x, declared %x", v.key, got, v.want)
		return v.err
	}
	v.done = true
	return nil
}

// stop waits for a Read in progress, makes later ones fail and returns the
// verification error, if any.
func (v *verifyingReader) stop() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.stopped = true
	return v.err
}

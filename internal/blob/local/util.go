package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/makerhub/makerhub"
)

// copyBufPool holds copy buffers, so a Put of any size allocates nearly
// nothing per call.
var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// errWrite marks errors from the destination of copyContext, to tell them
// from the caller's reader failing.
var errWrite = errors.New("write failed")

// copyContext is io.Copy that stops when ctx is done, checked between
// reads, so that cancelling a request stops a long upload.
func copyContext(ctx context.Context, dst io.Writer, src io.Reader) (int64, error) {
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	buf := *bp
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		nr, rerr := src.Read(buf)
		if nr > 0 {
			nw, werr := dst.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				return n, fmt.Errorf("%w: %w", errWrite, werr)
			}
		}
		if rerr == io.EOF {
			return n, nil
		} else if rerr != nil {
			return n, rerr
		}
	}
}

// syncDir flushes a folder's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// parseSHA256 decodes a lowercase hex SHA-256.
func parseSHA256(sum string) ([]byte, error) {
	b, err := hex.DecodeString(sum)
	if err != nil || len(b) != sha256.Size || strings.ToLower(sum) != sum {
		return nil, makerhub.Errorf(makerhub.EINVALID, "declared SHA-256 %q is not 64 lowercase hex digits", sum)
	}
	return b, nil
}

// isNotFound reports whether err means the path does not exist, including
// a path whose parent is a file (key "a/b" when "a" is an object).
func isNotFound(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func notFoundOr(err error, key, op string) error {
	if isNotFound(err) {
		return makerhub.WrapError(err, makerhub.ENOTFOUND, "object %s not found", key)
	}
	return ioError(err, "%s %s", op, key)
}

// ioError turns a file-system failure into an *Error: a full or read-only
// disk is something an operator can fix and a retry may then succeed, so it
// is EUNAVAILABLE; anything else is unexpected.
func ioError(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "cannot %s: the disk holding the blob folder is full; free some space", what)
	case errors.Is(err, syscall.EROFS), errors.Is(err, os.ErrPermission):
		return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "cannot %s: %v; check that the blob folder is writable", what, err)
	}
	return makerhub.WrapError(err, makerhub.EINTERNAL, "cannot %s: %v", what, err)
}

// ctxError reports a cancelled or expired request, keeping ctx's error in
// the chain so callers can recognise it with errors.Is.
func ctxError(err error, key string) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "the request for %s ran out of time; try again", key)
	}
	return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "the request for %s was cancelled", key)
}

package makerhub

import (
	"context"
	"io"
	"iter"
	"strings"
	"time"
)

// BlobStore keeps immutable objects (STL files, thumbnails, backups) under
// keys that the hub itself makes, never from user-supplied names. Backends:
// internal/blob/local (a folder on disk) and internal/blob/s3 (any S3 service
// through minio-go). Both pass the conformance suite in internal/blob/blobtest.
//
// Errors are *Error values: ENOTFOUND for a missing key, EINVALID for a bad key,
// range or a content that does not match the declared size or SHA-256, and
// EUNAVAILABLE when the backing service cannot be reached.
type BlobStore interface {
	// Put stores exactly size bytes read from r under key. sha256 is the
	// lowercase hex SHA-256 of those bytes; the store checks both, and if
	// either does not match nothing is stored. Writing an existing key
	// replaces it atomically: readers see the old or the new object, never a
	// mixture.
	Put(ctx context.Context, key string, r io.Reader, size int64, sha256 string) error

	// Get returns length bytes of the object starting at offset; a negative
	// length reads to the end. An offset beyond the object's size is EINVALID.
	Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)

	// Stat returns the object's size and modification time.
	Stat(ctx context.Context, key string) (BlobInfo, error)

	// Delete removes the object. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error

	// List yields every object whose key starts with prefix, in lexical key
	// order. Stop early by breaking out of the loop.
	List(ctx context.Context, prefix string) iter.Seq2[BlobInfo, error]

	// Ping checks that the store answers, for readiness probes.
	Ping(ctx context.Context) error
}

// HashedReaderAt is content handed to BlobStore.Put whose SHA-256 the
// caller computed itself from these very bytes, such as an upload hashed as
// it was written to the hub's own temporary file. A store that would read
// the content a second time only to hash it (S3 multipart uploads carry no
// whole-object SHA-256) may skip that pass when HashedSHA256 equals the
// declared hash; it still checks the size. On 2 cores the second pass
// slowed a 200 MB upload measurably (docs/performance-history.md).
type HashedReaderAt interface {
	io.ReaderAt
	HashedSHA256() string
}

// BlobInfo describes a stored object.
type BlobInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// MaxBlobKeyLength bounds keys so that they fit every backend's limits
// (S3: 1024 bytes, most file systems: 255 bytes a path segment).
const MaxBlobKeyLength = 512

// ValidateBlobKey reports whether key is a well-formed blob key: one or more
// segments separated by "/", each of lowercase letters, digits, '.', '_' or
// '-', none empty, none starting with '.', at most MaxBlobKeyLength bytes in
// all. The rules keep keys safe as file paths on any system and as S3 object
// names, and make a key built from user input stand out as a bug.
func ValidateBlobKey(key string) error {
	if key == "" {
		return Errorf(EINVALID, "blob key is empty")
	}
	if len(key) > MaxBlobKeyLength {
		return Errorf(EINVALID, "blob key is %d bytes long; the limit is %d", len(key), MaxBlobKeyLength)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" {
			return Errorf(EINVALID, "blob key %q has an empty segment", key)
		}
		if len(seg) > 200 {
			return Errorf(EINVALID, "blob key %q has a segment longer than 200 bytes", key)
		}
		if seg[0] == '.' {
			return Errorf(EINVALID, "blob key %q has a segment starting with '.'", key)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
				return Errorf(EINVALID, "blob key %q has the character %q; keys use only a-z, 0-9, '.', '_', '-' and '/'", key, c)
			}
		}
	}
	return nil
}

// ValidateBlobPrefix reports whether prefix can start a valid key: empty, or a
// valid key optionally followed by "/", or the start of a segment.
func ValidateBlobPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	return ValidateBlobKey(strings.TrimSuffix(prefix, "/"))
}

package s3

import (
	"context"
	"iter"

	"github.com/minio/minio-go/v7"

	"github.com/makerhub/makerhub"
)

// List implements makerhub.BlobStore. S3 lists keys in lexical order. Keys
// that makerhub.ValidateBlobKey rejects, put in the bucket by other tools,
// are skipped: the store could not Get them.
func (s *Store) List(ctx context.Context, prefix string) iter.Seq2[makerhub.BlobInfo, error] {
	return func(yield func(makerhub.BlobInfo, error) bool) {
		if err := makerhub.ValidateBlobPrefix(prefix); err != nil {
			yield(makerhub.BlobInfo{}, err)
			return
		}
		// Breaking out of the loop returns from here; cancelling ends any
		// request minio-go still has in flight.
		lctx, cancel := context.WithCancel(ctx)
		defer cancel()
		opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: true}
		for obj := range s.client.ListObjectsIter(lctx, s.bucket, opts) {
			if obj.Err != nil {
				yield(makerhub.BlobInfo{}, s.mapError(ctx, obj.Err, "", "list "+prefix+"…"))
				return
			}
			if makerhub.ValidateBlobKey(obj.Key) != nil {
				continue
			}
			if !yield(makerhub.BlobInfo{Key: obj.Key, Size: obj.Size, ModTime: obj.LastModified}, nil) {
				return
			}
		}
	}
}

// Package s3 implements makerhub.BlobStore on any S3-compatible service
// (MinIO, AWS S3, Garage, Ceph…) through github.com/minio/minio-go/v7.
//
// Uploads stream: a Put holds a few small buffers however large the object,
// and both the store and the server check the declared size and SHA-256, so
// that nothing is stored unless it is exactly what the caller meant.
package s3

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/makerhub/makerhub"
)

// Config says where the objects live. Each field comes from the environment
// variable named in its comment; error messages name the variables too.
type Config struct {
	Endpoint  string // MAKERHUB_S3_ENDPOINT: host:port, without scheme
	AccessKey string // MAKERHUB_S3_ACCESS_KEY
	SecretKey string // MAKERHUB_S3_SECRET_KEY
	Bucket    string // MAKERHUB_S3_BUCKET
	Region    string // MAKERHUB_S3_REGION: empty asks the service once
	Secure    bool   // MAKERHUB_S3_SECURE: use https
}

// Store is a makerhub.BlobStore on one bucket. It is safe for concurrent use.
type Store struct {
	client   *minio.Client
	core     minio.Core    // for a GetObject that fails at once on a missing key
	probe    *minio.Client // for Ping: a single attempt, no retries
	bucket   string
	region   string
	endpoint string
	sizes    uploadSizes
}

var _ makerhub.BlobStore = (*Store)(nil)

// uploadSizes are the sizes that choose how an object is uploaded. A Store
// takes defaultUploadSizes; tests lower them on their own Store to reach the
// multipart paths with small objects.
type uploadSizes struct {
	// maxSinglePut is the largest object sent in one PUT: S3's limit.
	maxSinglePut int64
	// partSize is the part size of larger uploads. minio-go holds one part
	// in memory per upload, and 10,000 parts of 64 MiB reach 625 GiB.
	partSize uint64
	// parallelAbove is the size from which content that can be read at any
	// offset (a file) is uploaded in parallel parts, see putParallel.
	parallelAbove int64
	// parallelPartSize is the part size of parallel uploads: 10,000 parts
	// of 16 MiB reach 156 GiB; each part streams from the file unbuffered.
	parallelPartSize uint64
}

func defaultUploadSizes() uploadSizes {
	return uploadSizes{maxSinglePut: 5 << 30, partSize: 64 << 20, parallelAbove: 32 << 20, parallelPartSize: 16 << 20}
}

// New checks cfg and returns a Store. It does no network I/O, so the hub
// starts even when the service is down; Ping reports that, and EnsureBucket
// creates the bucket.
func New(cfg Config) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	opts := func(retries int) *minio.Options {
		return &minio.Options{
			Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
			Secure: cfg.Secure,
			Region: cfg.Region,
			// Required by minio-go for the x-amz-checksum-sha256 header
			// that Put sends.
			TrailingHeaders: true,
			MaxRetries:      retries,
		}
	}
	client, err := minio.New(cfg.Endpoint, opts(0)) // 0: minio-go's default retries
	if err != nil {
		return nil, makerhub.WrapError(err, makerhub.EINVALID, "MAKERHUB_S3_ENDPOINT=%q is not usable: %v", cfg.Endpoint, err)
	}
	// A readiness probe wants a prompt answer, not minio-go's retries with
	// backoff, which take up to about 8 s against a stopped server.
	probe, err := minio.New(cfg.Endpoint, opts(1))
	if err != nil {
		return nil, makerhub.WrapError(err, makerhub.EINVALID, "MAKERHUB_S3_ENDPOINT=%q is not usable: %v", cfg.Endpoint, err)
	}
	return &Store{
		client:   client,
		core:     minio.Core{Client: client},
		probe:    probe,
		bucket:   cfg.Bucket,
		region:   cfg.Region,
		endpoint: cfg.Endpoint,
		sizes:    defaultUploadSizes(),
	}, nil
}

func (cfg Config) validate() error {
	switch {
	case cfg.Endpoint == "":
		return makerhub.Errorf(makerhub.EINVALID, "MAKERHUB_S3_ENDPOINT is not set; set it to the host:port of the S3 service, like 127.0.0.1:9000")
	case strings.Contains(cfg.Endpoint, "://"):
		return makerhub.Errorf(makerhub.EINVALID, "MAKERHUB_S3_ENDPOINT=%q must be host:port without a scheme; set MAKERHUB_S3_SECURE=true for https", cfg.Endpoint)
	}
	host, port, err := net.SplitHostPort(cfg.Endpoint)
	if err != nil || host == "" {
		return makerhub.Errorf(makerhub.EINVALID, "MAKERHUB_S3_ENDPOINT=%q is not host:port; set it like 127.0.0.1:9000", cfg.Endpoint)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return makerhub.Errorf(makerhub.EINVALID, "MAKERHUB_S3_ENDPOINT=%q has no valid port; set it like 127.0.0.1:9000", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return makerhub.Errorf(makerhub.EINVALID, "MAKERHUB_S3_BUCKET is not set; set it to the name of the bucket for makerhub's files")
	}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return makerhub.Errorf(makerhub.EINVALID, "MAKERHUB_S3_BUCKET=%q is not a valid bucket name (%v); use 3 to 63 lowercase letters, digits, '-' and '.'", cfg.Bucket, err)
	}
	if cfg.AccessKey == "" {
		return makerhub.Errorf(makerhub.EINVALID, "MAKERHUB_S3_ACCESS_KEY is not set; set it to the access key of the S3 service")
	}
	if cfg.SecretKey == "" {
		return makerhub.Errorf(makerhub.EINVALID, "MAKERHUB_S3_SECRET_KEY is not set; set it to the secret key of the S3 service")
	}
	return nil
}

// EnsureBucket creates the bucket if it does not exist yet. Several
// instances may start at once, so losing the race to create it is fine.
func (s *Store) EnsureBucket(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.mapError(ctx, err, "", "check bucket "+s.bucket)
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
	switch minio.ToErrorResponse(err).Code {
	case "":
		if err == nil {
			return nil
		}
	case minio.BucketAlreadyOwnedByYou:
		return nil
	case minio.BucketAlreadyExists:
		return makerhub.WrapError(err, makerhub.EINVALID, "bucket %s at %s belongs to another account; choose another MAKERHUB_S3_BUCKET", s.bucket, s.endpoint)
	}
	return s.mapError(ctx, err, "", "create bucket "+s.bucket)
}

// Put implements makerhub.BlobStore.
//
// minio-go's PutObject with an unknown size (-1) buffers a 16 MiB to 512 MiB
// part per upload; Put always knows the size and avoids that. Objects up to
// 5 GiB go in one streaming PUT (minio-go signs 64 KiB chunks as it sends
// them) with the SHA-256 in x-amz-checksum-sha256, which the server checks
// against what it received before storing anything. Larger objects go in
// 64 MiB parts, minio-go holding one part at a time. Either way the content
// passes through a verifyingReader, which fails the upload before its last
// byte is sent if the size or SHA-256 is wrong, so the object is never
// completed on the server.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, sum string) error {
	if err := makerhub.ValidateBlobKey(key); err != nil {
		return err
	}
	want, err := hex.DecodeString(sum)
	if err != nil || len(want) != 32 || strings.ToLower(sum) != sum {
		return makerhub.Errorf(makerhub.EINVALID, "declared SHA-256 %q is not 64 lowercase hex digits", sum)
	}
	if size < 0 {
		return makerhub.Errorf(makerhub.EINVALID, "declared size %d of %s is negative", size, key)
	}
	if err := ctx.Err(); err != nil {
		return s.mapError(ctx, err, key, "store "+key)
	}
	if ra, ok := r.(io.ReaderAt); ok && size >= s.sizes.parallelAbove {
		return s.putParallel(ctx, key, ra, size, want)
	}

	vr := newVerifyingReader(r, key, size, want)
	defer vr.stop()
	if size == 0 {
		// minio-go sends no body for an empty object and so never reads
		// r; check it here.
		if err := vr.finish(); err != nil {
			return err
		}
	}
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream"}
	if size <= s.sizes.maxSinglePut {
		opts.DisableMultipart = true
		// The server checks the whole object's SHA-256 from the header
		// below, so minio-go need not hash each chunk for a streaming
		// signature as well: UNSIGNED-PAYLOAD saves a pass over the data.
		opts.DisableContentSha256 = true
		// minio-go sends x-amz-checksum-* entries as headers, not as
		// x-amz-meta- metadata.
		opts.UserMetadata = map[string]string{"x-amz-checksum-sha256": base64.StdEncoding.EncodeToString(want)}
	} else {
		// S3 has no full-object SHA-256 for multipart uploads; the
		// verifyingReader alone checks the hash.
		opts.PartSize = s.sizes.partSize
	}
	_, err = s.client.PutObject(ctx, s.bucket, key, vr, size, opts)
	// The HTTP transport may still be reading the body after PutObject
	// returns; stop waits for that and then denies further reads, so the
	// caller's reader is not touched once Put has returned.
	if verr := vr.stop(); verr != nil {
		return verr
	}
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchBucket {
			return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "bucket %s does not exist at %s; check MAKERHUB_S3_BUCKET", s.bucket, s.endpoint)
		}
		return s.mapError(ctx, err, key, "store "+key)
	}
	return nil
}

// Get implements makerhub.BlobStore. It uses minio-go's Core API, whose
// GetObject sends the request at once: the plain API's is lazy and would
// report a missing key only at the first Read. The reader is bound to ctx.
func (s *Store) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := makerhub.ValidateBlobKey(key); err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "offset %d is negative", offset)
	}
	if length == 0 {
		// HTTP cannot ask for zero bytes; check the key and offset only.
		info, err := s.Stat(ctx, key)
		if err != nil {
			return nil, err
		}
		return emptyRange(info, offset)
	}
	var opts minio.GetObjectOptions
	var err error
	switch {
	case offset == 0 && (length < 0 || length > 1<<62):
		// The whole object: no Range header. (SetRange(0, -1) would
		// mean the last byte.)
	case length < 0 || length > 1<<62-offset:
		err = opts.SetRange(offset, 0) // bytes=offset-
	default:
		err = opts.SetRange(offset, offset+length-1)
	}
	if err != nil {
		return nil, makerhub.WrapError(err, makerhub.EINVALID, "range %d+%d of %s is not valid", offset, length, key)
	}
	body, _, _, err := s.core.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.InvalidRange {
			// The offset is at or past the end. At the end is an empty
			// read, as with files; past it is an error.
			info, serr := s.Stat(ctx, key)
			switch {
			case serr != nil:
				return nil, serr
			case offset < info.Size: // replaced by a longer object meanwhile
				return nil, makerhub.Errorf(makerhub.ECONFLICT, "object %s changed while it was being read; try again", key)
			}
			return emptyRange(info, offset)
		}
		return nil, s.mapError(ctx, err, key, "read "+key)
	}
	return &objectReader{ReadCloser: body, ctx: ctx, s: s, key: key}, nil
}

// emptyRange returns an empty reader if offset is within or at the end of
// the object.
func emptyRange(info makerhub.BlobInfo, offset int64) (io.ReadCloser, error) {
	if offset > info.Size {
		return nil, makerhub.Errorf(makerhub.EINVALID, "offset %d is beyond the end of %s (%d bytes)", offset, info.Key, info.Size)
	}
	return io.NopCloser(strings.NewReader("")), nil
}

// objectReader maps errors in the middle of a download, such as the server
// going away, to *Error values.
type objectReader struct {
	io.ReadCloser
	ctx context.Context
	s   *Store
	key string
}

func (r *objectReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = r.s.mapError(r.ctx, err, r.key, "read "+r.key)
	}
	return n, err
}

// Stat implements makerhub.BlobStore.
func (s *Store) Stat(ctx context.Context, key string) (makerhub.BlobInfo, error) {
	if err := makerhub.ValidateBlobKey(key); err != nil {
		return makerhub.BlobInfo{}, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return makerhub.BlobInfo{}, s.mapError(ctx, err, key, "look up "+key)
	}
	return makerhub.BlobInfo{Key: key, Size: info.Size, ModTime: info.LastModified}, nil
}

// Delete implements makerhub.BlobStore.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := makerhub.ValidateBlobKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return s.mapError(ctx, err, key, "delete "+key)
	}
	return nil
}

// Ping implements makerhub.BlobStore with a single HEAD request on the
// bucket, bounded by ctx. Every failure is EUNAVAILABLE: the store cannot
// serve requests, whatever the reason.
func (s *Store) Ping(ctx context.Context) error {
	exists, err := s.probe.BucketExists(ctx, s.bucket)
	if err != nil {
		err = s.mapError(ctx, err, "", "check bucket "+s.bucket)
		if e, ok := err.(*makerhub.Error); ok && e.Code != makerhub.EUNAVAILABLE {
			return &makerhub.Error{Code: makerhub.EUNAVAILABLE, Message: e.Message, Err: e.Err}
		}
		return err
	}
	if !exists {
		return makerhub.Errorf(makerhub.EUNAVAILABLE, "bucket %s does not exist at %s; check MAKERHUB_S3_BUCKET or let makerhub create it at start-up", s.bucket, s.endpoint)
	}
	return nil
}

// String describes the store for logs.
func (s *Store) String() string { return fmt.Sprintf("s3://%s/%s", s.endpoint, s.bucket) }

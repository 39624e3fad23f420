package s3

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/minio/minio-go/v7"

	"github.com/makerhub/makerhub"
)

// S3 error codes for a body that does not match the checksum sent with it.
var checksumCodes = map[string]bool{
	minio.BadDigest:               true,
	minio.InvalidDigest:           true,
	"XAmzContentChecksumMismatch": true,
	"XAmzContentSHA256Mismatch":   true,
	minio.IncompleteBody:          true,
}

// Error codes that mean the service cannot serve now or is misconfigured.
var unavailableCodes = map[string]bool{
	minio.AccessDenied:           true,
	minio.InvalidAccessKeyID:     true,
	minio.SignatureDoesNotMatch:  true,
	minio.RequestTimeTooSkewed:   true,
	"SlowDown":                   true,
	"ServiceUnavailable":         true,
	"XMinioServerNotInitialized": true,
	"XMinioStorageFull":          true,
}

// mapError turns an error from minio-go into an *Error whose message says
// what failed and what to check. key is the object concerned, if any;
// action completes "could not …".
func (s *Store) mapError(ctx context.Context, err error, key, action string) error {
	var e *makerhub.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	// The caller's context ended: minio-go returns ctx.Err() or an error
	// that wraps it. Keep ctx's error in the chain for errors.Is.
	if cerr := ctx.Err(); cerr != nil {
		if !errors.Is(err, cerr) {
			err = errors.Join(cerr, err)
		}
		if errors.Is(cerr, context.DeadlineExceeded) {
			return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "object storage at %s did not answer in time (could not %s); check MAKERHUB_S3_ENDPOINT and that the service is running", s.endpoint, action)
		}
		return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "the request was cancelled before object storage could %s", action)
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == minio.NoSuchKey || resp.Code == "NoSuchVersion":
		return makerhub.WrapError(err, makerhub.ENOTFOUND, "object %s not found", key)
	case resp.Code == minio.NoSuchBucket:
		return makerhub.WrapError(err, makerhub.ENOTFOUND, "bucket %s does not exist at %s; check MAKERHUB_S3_BUCKET", s.bucket, s.endpoint)
	case checksumCodes[resp.Code]:
		return makerhub.WrapError(err, makerhub.EINVALID, "object storage rejected the content of %s: it does not match the declared size and SHA-256", key)
	case resp.Code == minio.InvalidRange:
		return makerhub.WrapError(err, makerhub.EINVALID, "the requested range is outside %s", key)
	case resp.Code == minio.AccessDenied || resp.Code == minio.InvalidAccessKeyID || resp.Code == minio.SignatureDoesNotMatch:
		return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "object storage at %s refused access to bucket %s (%s); check MAKERHUB_S3_ACCESS_KEY, MAKERHUB_S3_SECRET_KEY and the key's permissions", s.endpoint, s.bucket, resp.Code)
	case unavailableCodes[resp.Code] || resp.StatusCode == http.StatusServiceUnavailable:
		return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "object storage at %s could not %s: %s; try again later", s.endpoint, action, resp.Message)
	case isNetworkError(err):
		return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "object storage at %s is unreachable: %s; check MAKERHUB_S3_ENDPOINT and that the service is running", s.endpoint, networkCause(err))
	}
	return makerhub.WrapError(err, makerhub.EINTERNAL, "object storage at %s could not %s: %v", s.endpoint, action, err)
}

// isNetworkError reports whether err means the service could not be reached
// or the connection broke.
func isNetworkError(err error) bool {
	var ne net.Error
	var ue *url.Error
	switch {
	case minio.IsNetworkOrHostDown(err, false), errors.As(err, &ne), errors.As(err, &ue):
		return true
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	// minio-go reports some failures only as text.
	msg := err.Error()
	return strings.Contains(msg, "Connection closed by foreign host") || strings.Contains(msg, "connection reset") || strings.HasSuffix(msg, " is offline.")
}

// networkCause is the useful part of a network error: net/http's url.Error
// adds the method and URL, which say nothing to a reader.
func networkCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err.Error()
	}
	return err.Error()
}

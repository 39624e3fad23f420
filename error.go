package makerhub

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. Each maps to one HTTP status in web/errors.go; the list is short
// on purpose so that callers can branch on a handful of meanings.
const (
	ECONFLICT       = "conflict"               // 409: the state of a resource forbids the change
	EINTERNAL       = "internal"               // 500: a bug or an unexpected failure; logged, never shown
	EINVALID        = "invalid"                // 400: the request itself is malformed or incomplete
	ENOTFOUND       = "not_found"              // 404
	EUNAUTHORIZED   = "unauthorized"           // 401: no valid credentials
	EFORBIDDEN      = "forbidden"              // 403: valid credentials, wrong role or organisation
	ETOOLARGE       = "too_large"              // 413
	EUNSUPPORTED    = "unsupported_media_type" // 415
	EUNPROCESSABLE  = "unprocessable"          // 422: well-formed, but the content cannot be used
	ERATELIMITED    = "rate_limited"           // 429
	EUNAVAILABLE    = "unavailable"            // 503: a dependency (database, object store) does not answer
	ENOTIMPLEMENTED = "not_implemented"        // 501
)

// Error is an error whose Message is safe and useful to show to a user: it
// names the problem and, where it can, what to do about it. Any error that is
// not an *Error (or does not wrap one) is treated as internal: it is logged
// and the user sees only a generic message.
type Error struct {
	Code    string
	Message string

	// RetryAfter, when positive, tells the client when trying again may
	// succeed (sent as the Retry-After header with ERATELIMITED and
	// EUNAVAILABLE).
	RetryAfter time.Duration

	// Err is an optional underlying cause, kept for logs and errors.Is; it
	// is never shown to users.
	Err error

	// format and args are what Errorf or WrapError made Message from, kept
	// so that a page can say the same thing in another language.
	format string
	args   []any
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("makerhub error: code=%s message=%s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("makerhub error: code=%s message=%s", e.Code, e.Message)
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// MessageFormat returns the format and arguments that Errorf or WrapError
// made Message from: the English format is the key under which a catalogue
// finds the same message in another language, to be formatted with the same
// arguments. It returns "" and nil for an Error built as a struct literal,
// whose Message can only be shown as it is.
func (e *Error) MessageFormat() (format string, args []any) { return e.format, e.args }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// WrapError returns an *Error with the given code and message that keeps err
// as its cause.
func WrapError(err error, code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err, format: format, args: args}
}

// ErrorCode returns the code of the first *Error in err's chain, ""
// for nil, and EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain, or a generic message for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// errorStatus maps each error code to its HTTP status: the only place where
// domain errors meet HTTP.
var errorStatus = map[string]int{
	makerhub.EINVALID:        http.StatusBadRequest,
	makerhub.EUNAUTHORIZED:   http.StatusUnauthorized,
	makerhub.EFORBIDDEN:      http.StatusForbidden,
	makerhub.ENOTFOUND:       http.StatusNotFound,
	makerhub.ECONFLICT:       http.StatusConflict,
	makerhub.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	makerhub.EUNSUPPORTED:    http.StatusUnsupportedMediaType,
	makerhub.EUNPROCESSABLE:  http.StatusUnprocessableEntity,
	makerhub.ERATELIMITED:    http.StatusTooManyRequests,
	makerhub.EINTERNAL:       http.StatusInternalServerError,
	makerhub.ENOTIMPLEMENTED: http.StatusNotImplemented,
	makerhub.EUNAVAILABLE:    http.StatusServiceUnavailable,
}

// statusClientClosedRequest is what nginx logs when the client went away
// before the answer; nobody reads the response, but metrics and logs do.
const statusClientClosedRequest = 499

// errorBody is the one shape of every JSON error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Status is the HTTP status of an error code, and whether the code is one
// of the table's.
func Status(code string) (int, bool) {
	st, ok := errorStatus[code]
	return st, ok
}

// Classify turns infrastructure failures that are not coded yet into coded
// errors users can act on: a database busy past its timeout is a 503 worth
// retrying, not a bug.
func Classify(err error) error {
	if sqlite.IsBusy(err) {
		e := makerhub.WrapError(err, makerhub.EUNAVAILABLE, "The database is busy: try again in a moment.")
		e.RetryAfter = time.Second
		return e
	}
	if sqlite.IsFull(err) || errors.Is(err, syscall.ENOSPC) {
		// Nothing was stored: SQLite rolled the transaction back, and a
		// spooled upload is removed with its temp file.
		e := makerhub.WrapError(err, makerhub.EUNAVAILABLE, "The hub's disk is full, so nothing was stored: try again in a few minutes. Operators: free space on the disk holding the hub's data folder.")
		e.RetryAfter = 30 * time.Second
		return e
	}
	return err
}

// RenderError answers the request with err in the one error shape. Internal
// errors are logged with the request ID and shown only as a generic message
// that quotes the ID, so a user can report it and an operator can find it.
func (p *Plumbing) RenderError(c *gin.Context, err error) {
	err = Classify(err)
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		p.Log.LogAttrs(c.Request.Context(), slog.LevelInfo, "client closed the request",
			slog.String("request_id", RequestID(c)), slog.String("error", err.Error()))
		c.AbortWithStatus(statusClientClosedRequest)
		return
	}
	code := makerhub.ErrorCode(err)
	msg := makerhub.ErrorMessage(err)
	status, ok := errorStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusInternalServerError {
		p.Log.LogAttrs(c.Request.Context(), slog.LevelError, "internal error",
			slog.String("request_id", RequestID(c)), slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path), slog.String("error", err.Error()))
		msg = "Internal error: the hub could not complete this request. If it persists, report request ID " + RequestID(c) + " to a coordinator."
		code = makerhub.EINTERNAL
	} else if status == http.StatusServiceUnavailable {
		p.Log.LogAttrs(c.Request.Context(), slog.LevelWarn, "dependency unavailable",
			slog.String("request_id", RequestID(c)), slog.String("error", err.Error()))
	}
	var me *makerhub.Error
	if errors.As(err, &me) && me.RetryAfter > 0 {
		secs := int(me.RetryAfter.Seconds())
		if secs < 1 {
			secs = 1
		}
		c.Header("Retry-After", strconv.Itoa(secs))
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="makerhub"`)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: code, Message: msg}})
}

// AbortWith is RenderError for a coded error built on the spot.
func (p *Plumbing) AbortWith(c *gin.Context, code, format string, args ...any) {
	p.RenderError(c, makerhub.Errorf(code, format, args...))
}

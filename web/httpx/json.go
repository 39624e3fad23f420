package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
)

// defaultMaxJSONBytes bounds JSON request bodies; no JSON request of the hub
// comes near it, and file uploads do not go through DecodeJSON.
const defaultMaxJSONBytes = 1 << 20

// DecodeJSON reads the request body into v, strictly: the body must be one
// JSON object of known fields with the right types, sent as application/json,
// no larger than the limit. Every failure is a coded error that names the
// problem, so that a client never sees a 500 for a malformed request.
func (p *Plumbing) DecodeJSON(c *gin.Context, v any) error {
	ct := c.GetHeader("Content-Type")
	if ct == "" {
		return makerhub.Errorf(makerhub.EUNSUPPORTED, "The request has no Content-Type: send a JSON body with Content-Type: application/json.")
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return makerhub.Errorf(makerhub.EUNSUPPORTED, "Content-Type %q is not supported here: send a JSON body with Content-Type: application/json.", ct)
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, p.maxJSONBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, p.maxJSONBytes)
	}
	// One object only: trailing data is more likely a client bug than intent.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return jsonError(err, p.maxJSONBytes)
		}
		return makerhub.Errorf(makerhub.EINVALID, "The request body has more data after the JSON object: send exactly one object.")
	}
	return nil
}

// jsonError turns an encoding/json error into a message naming the problem.
func jsonError(err error, limit int64) error {
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		tooLarge  *http.MaxBytesError
		badTarget *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &tooLarge):
		return makerhub.Errorf(makerhub.ETOOLARGE, "The request body is larger than %d bytes.", limit)
	case errors.Is(err, io.EOF):
		return makerhub.Errorf(makerhub.EINVALID, "The request body is empty: send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return makerhub.Errorf(makerhub.EINVALID, "The request body is not valid JSON: it ends before the object is complete.")
	case errors.As(err, &syntax):
		return makerhub.Errorf(makerhub.EINVALID, "The request body is not valid JSON: %s (at byte %d).", syntax.Error(), syntax.Offset)
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return makerhub.Errorf(makerhub.EINVALID, "The request body must be a JSON object, not %s.", article(typeErr.Value))
		}
		return makerhub.Errorf(makerhub.EINVALID, "Field %q must be %s, not %s.", typeErr.Field, jsonKind(typeErr.Type), article(typeErr.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return makerhub.Errorf(makerhub.EINVALID, "The request body has an unknown field %s: check its spelling against /api/v1/openapi.json.", field)
	case errors.As(err, &badTarget):
		return fmt.Errorf("decode JSON: %w", err) // a bug: internal
	}
	return makerhub.WrapError(err, makerhub.EINVALID, "The request body could not be read as JSON: %v.", err)
}

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// article turns json's value description ("string", "number 1.5") into
// "a string", "a number (1.5)".
func article(v string) string {
	kind, detail, _ := strings.Cut(v, " ")
	a := "a "
	if kind == "array" || kind == "object" {
		a = "an "
	}
	if detail != "" {
		return a + kind + " (" + detail + ")"
	}
	return a + kind
}

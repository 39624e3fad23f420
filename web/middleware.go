package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
)

const (
	requestIDHeader = "X-Request-ID"
	requestIDKey    = "makerhub.request_id"
	tokenIDKey      = "makerhub.token_id"
	sessionCookie   = "makerhub_session"
)

// withRequestID tags each request with an ID, taken from the client's
// X-Request-ID when it is a sane token (so IDs can follow a request through a
// reverse proxy) or made afresh, and echoes it in the response.
func withRequestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if !validRequestID(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(requestIDKey, id)
	c.Header(requestIDHeader, id)
	c.Next()
}

func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// recoverPanics turns a panic in a handler into a logged 500 in the usual
// error shape instead of a dropped connection.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic", "request_id", requestID(c), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.renderError(c, fmt.Errorf("panic: %v", v))
			}
		}
	}()
	c.Next()
}

// logRequests writes one structured line per request and records metrics.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	s.metrics.observe(c.Request.Method, route, status, elapsed)

	level := slog.LevelInfo
	if status >= 500 && status != statusClientClosedRequest {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int("bytes", c.Writer.Size()),
		slog.Duration("duration", elapsed),
		slog.String("client_ip", c.ClientIP()),
	}
	if u := makerhub.UserFromContext(c.Request.Context()); u != nil {
		attrs = append(attrs, slog.Int64("user_id", u.ID))
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// refuseCrossOrigin protects against cross-site request forgery: cookies make
// browsers send credentials with requests that other sites trigger, so unsafe
// cross-origin browser requests are refused (Go's CrossOriginProtection, which
// judges by Sec-Fetch-Site and Origin; clients that are not browsers send
// neither and pass). It runs inside gin so refusals are logged and counted.
func (s *Server) refuseCrossOrigin(c *gin.Context) {
	if err := s.csrf.Check(c.Request); err != nil {
		s.abortWith(c, makerhub.EFORBIDDEN, "Cross-origin request refused: this action must come from the hub's own pages or a non-browser client.")
		return
	}
	c.Next()
}

// authenticate puts the caller, if any, in the request context. A bearer token
// that is not accepted is answered 401 at once with the reason (expired,
// revoked…), since an API client wants to know. A stale session cookie is
// dropped and the request goes on anonymously, so that a browser holding an
// old cookie can still reach the login and sign-up forms.
func (s *Server) authenticate(c *gin.Context) {
	secret, fromCookie, err := credentials(c.Request)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if secret == "" {
		c.Next()
		return
	}
	u, tokenID, err := s.accounts.Authenticate(c.Request.Context(), secret)
	if err != nil {
		if fromCookie && makerhub.ErrorCode(err) == makerhub.EUNAUTHORIZED {
			s.clearSessionCookie(c)
			c.Next()
			return
		}
		s.renderError(c, err)
		return
	}
	c.Set(tokenIDKey, tokenID)
	c.Request = c.Request.WithContext(makerhub.NewContextWithUser(c.Request.Context(), u))
	c.Next()
}

// credentials returns the secret from the Authorization header, or else from
// the session cookie.
func credentials(r *http.Request) (secret string, fromCookie bool, err error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return "", false, makerhub.Errorf(makerhub.EUNAUTHORIZED, "The Authorization header must be \"Bearer <token>\".")
		}
		return token, false, nil
	}
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		return ck.Value, true, nil
	}
	return "", false, nil
}

func (s *Server) setSessionCookie(c *gin.Context, secret string, expires time.Time) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.cookieSecure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cookieSecure, SameSite: http.SameSiteLaxMode,
	})
}

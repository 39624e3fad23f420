package httpx

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
)

const (
	tokenIDKey = "makerhub.token_id"
	// SessionCookie holds a browser's session token.
	SessionCookie = "makerhub_session"
)

// Authenticate puts the caller, if any, in the request context. A bearer token
// that is not accepted is answered 401 at once with the reason (expired,
// revoked…), since an API client wants to know. A stale session cookie is
// dropped and the request goes on anonymously, so that a browser holding an
// old cookie can still reach the login and sign-up forms.
func (p *Plumbing) Authenticate(c *gin.Context) {
	secret, fromCookie, err := credentials(c.Request)
	if err != nil {
		p.RenderError(c, err)
		return
	}
	if secret == "" {
		c.Next()
		return
	}
	u, tokenID, err := p.accounts.Authenticate(c.Request.Context(), secret)
	if err != nil {
		if fromCookie && makerhub.ErrorCode(err) == makerhub.EUNAUTHORIZED {
			p.ClearSessionCookie(c)
			c.Next()
			return
		}
		p.RenderError(c, err)
		return
	}
	c.Set(tokenIDKey, tokenID)
	c.Request = c.Request.WithContext(makerhub.NewContextWithUser(c.Request.Context(), u))
	c.Next()
}

// TokenID is the ID of the token the request was authenticated with, or 0.
func TokenID(c *gin.Context) int64 { return c.GetInt64(tokenIDKey) }

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
	if ck, err := r.Cookie(SessionCookie); err == nil && ck.Value != "" {
		return ck.Value, true, nil
	}
	return "", false, nil
}

// SetSessionCookie gives the browser its session token.
func (p *Plumbing) SetSessionCookie(c *gin.Context, secret string, expires time.Time) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SessionCookie, Value: secret, Path: "/", Expires: expires,
		HttpOnly: true, Secure: p.cookieSecure, SameSite: http.SameSiteLaxMode,
	})
}

// ClearSessionCookie makes the browser forget its session token.
func (p *Plumbing) ClearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: p.cookieSecure, SameSite: http.SameSiteLaxMode,
	})
}

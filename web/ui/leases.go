package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// leaseCookie keeps the lease tokens of the claims made in this browser:
// the hub stores only their hashes, so a claim made elsewhere (another
// device, the API) is reported on from there.
const leaseCookie = "makerhub_leases"

func leaseTokens(c *gin.Context) map[int64]string {
	out := map[int64]string{}
	ck, err := c.Request.Cookie(leaseCookie)
	if err != nil {
		return out
	}
	for entry := range strings.SplitSeq(ck.Value, ".") {
		id, token, ok := strings.Cut(entry, "-")
		if n, err := strconv.ParseInt(id, 10, 64); ok && err == nil && token != "" {
			out[n] = token
		}
	}
	return out
}

func (s *Handler) setLeaseTokens(c *gin.Context, m map[int64]string) {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10) + "-" + m[id] // tokens are base64url: no '.'
	}
	ck := &http.Cookie{Name: leaseCookie, Value: strings.Join(parts, "."), Path: "/dashboard", MaxAge: 90 * 24 * 3600,
		HttpOnly: true, Secure: s.CookieSecure(), SameSite: http.SameSiteLaxMode}
	if len(parts) == 0 {
		ck.MaxAge = -1
	}
	http.SetCookie(c.Writer, ck)
}

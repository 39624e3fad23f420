package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/web/i18n"
)

// HandleHome shows the home page with the three roles.
func (s *Handler) HandleHome(c *gin.Context) {
	s.render(c, http.StatusOK, "home", i18n.Of(c.Request).T("home.title"), &view{Section: "home"})
}

// HandleLang remembers the language chosen with the switch (a year) and
// goes back to the page it was chosen on.
func (s *Handler) HandleLang(c *gin.Context) {
	l := i18n.ByCode(c.Param("code"))
	if l == nil {
		s.AbortWith(c, makerhub.ENOTFOUND, "The hub speaks en and fr, not %q.", c.Param("code"))
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: i18n.Cookie, Value: l.Code, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		Secure: s.CookieSecure(), SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
}

// localPath keeps a redirect on the hub: a path of its own, or /.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

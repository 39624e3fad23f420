package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/i18n"
)

type signupForm struct {
	Role, Name, Email, OrgName, Address, Region, Lat, Lon string
}

// HandleSignupPage shows the sign-up form.
func (s *Handler) HandleSignupPage(c *gin.Context) {
	s.render(c, http.StatusOK, "signup", i18n.Of(c.Request).T("signup.title"), &view{Section: "signup", Data: signupForm{Role: c.Query("role")}})
}

// HandleSignupForm creates the account and logs it in.
func (s *Handler) HandleSignupForm(c *gin.Context) {
	l := i18n.Of(c.Request)
	f := signupForm{Role: c.PostForm("role"), Name: c.PostForm("name"), Email: strings.TrimSpace(c.PostForm("email")),
		OrgName: c.PostForm("org_name"), Address: c.PostForm("org_address"), Region: c.PostForm("org_region"),
		Lat: strings.TrimSpace(c.PostForm("org_lat")), Lon: strings.TrimSpace(c.PostForm("org_lon"))}
	fail := func(err error) {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "signup", l.T("signup.title"), &view{Section: "signup", Error: msg, Data: f})
	}
	org := &accounts.OrganisationInput{Name: f.OrgName, Address: f.Address, Region: f.Region}
	for _, v := range []struct {
		raw, field string
		dst        **float64
	}{{f.Lat, "lat", &org.Lat}, {f.Lon, "lon", &org.Lon}} {
		x, err := strconv.ParseFloat(strings.ReplaceAll(v.raw, ",", "."), 64)
		if err != nil {
			fail(makerhub.Errorf(makerhub.EINVALID, "%s", l.T("signup.coordinate.invalid", l.T("form.org."+v.field), v.raw)))
			return
		}
		*v.dst = &x
	}
	password := c.PostForm("password")
	if _, err := s.accounts.Signup(c.Request.Context(), accounts.NewUser{Email: f.Email, Password: password, Name: f.Name,
		Role: makerhub.Role(f.Role), Organisation: org}); err != nil {
		fail(err)
		return
	}
	sess, err := s.accounts.Login(c.Request.Context(), accounts.Credentials{Email: f.Email, Password: password}, c.ClientIP())
	if err != nil {
		fail(err)
		return
	}
	s.SetSessionCookie(c, sess.Token, sess.ExpiresAt)
	c.Redirect(http.StatusSeeOther, "/dashboard")
}

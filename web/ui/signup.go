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
	// Invitation is the token of the invitation the person signs up with;
	// InvitedTo names its organisation.
	Invitation, InvitedTo string
}

// HandleSignupPage shows the sign-up form, or, from an invitation's link,
// the shorter form that joins the inviting organisation.
func (s *Handler) HandleSignupPage(c *gin.Context) {
	l := i18n.Of(c.Request)
	f := signupForm{Role: c.Query("role")}
	if token := c.Query("invitation"); token != "" {
		inv, org, err := s.accounts.InvitationByToken(c.Request.Context(), token)
		if err != nil {
			status, msg := s.formError(c, l, err)
			s.render(c, status, "signup", l.T("signup.title"), &view{Section: "signup", Error: msg, Data: f})
			return
		}
		f.Invitation, f.InvitedTo, f.Email = token, org, inv.Email
	}
	s.render(c, http.StatusOK, "signup", l.T("signup.title"), &view{Section: "signup", Data: f})
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
	password := c.PostForm("password")
	if f.Invitation = c.PostForm("invitation"); f.Invitation != "" {
		f.InvitedTo = c.PostForm("invited_to")
		s.signupAndLogin(c, accounts.NewUser{Email: f.Email, Password: password, Name: f.Name, Invitation: f.Invitation}, fail)
		return
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
	s.signupAndLogin(c, accounts.NewUser{Email: f.Email, Password: password, Name: f.Name,
		Role: makerhub.Role(f.Role), Organisation: org}, fail)
}

// signupAndLogin creates the account, logs it in and goes to its
// dashboard; fail shows the form again with what went wrong.
func (s *Handler) signupAndLogin(c *gin.Context, in accounts.NewUser, fail func(error)) {
	if _, err := s.accounts.Signup(c.Request.Context(), in); err != nil {
		fail(err)
		return
	}
	sess, err := s.accounts.Login(c.Request.Context(), accounts.Credentials{Email: in.Email, Password: in.Password}, c.ClientIP())
	if err != nil {
		fail(err)
		return
	}
	s.SetSessionCookie(c, sess.Token, sess.ExpiresAt)
	c.Redirect(http.StatusSeeOther, "/dashboard")
}

package ui

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

// accountPage is the person's own account: who they are, and changing
// their password.
type accountPage struct {
	Done        bool // the password was just changed
	ContactDone bool // the contact details were just saved
	Contact     makerhub.Contact
}

// HandleAccountPage shows the logged-in person's account.
func (s *Handler) HandleAccountPage(c *gin.Context) {
	if makerhub.UserFromContext(c.Request.Context()) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/account"))
		return
	}
	l := i18n.Of(c.Request)
	u := makerhub.UserFromContext(c.Request.Context())
	p := accountPage{Done: c.Query("done") == "password", ContactDone: c.Query("done") == "contact"}
	if u.Organisation != nil {
		p.Contact = u.Organisation.Contact
	}
	s.render(c, http.StatusOK, "account", l.T("account.title"), &view{Section: "account", Data: p})
}

// HandlePasswordForm changes the password; the person's other sessions
// end, this one goes on.
func (s *Handler) HandlePasswordForm(c *gin.Context) {
	if makerhub.UserFromContext(c.Request.Context()) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/account"))
		return
	}
	l := i18n.Of(c.Request)
	err := s.accounts.ChangePassword(c.Request.Context(), httpx.TokenID(c), accounts.PasswordChange{
		CurrentPassword: c.PostForm("current_password"), NewPassword: c.PostForm("new_password")})
	if err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "account", l.T("account.title"), &view{Section: "account", Error: msg, Data: accountPage{}})
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=password")
}

// HandleContactForm saves the person's organisation's contact details.
func (s *Handler) HandleContactForm(c *gin.Context) {
	u := makerhub.UserFromContext(c.Request.Context())
	if u == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/account"))
		return
	}
	l := i18n.Of(c.Request)
	in := makerhub.Contact{ContactName: c.PostForm("contact_name"), Phone: c.PostForm("phone"),
		DeliveryHours: c.PostForm("delivery_hours"), DeliveryNotes: c.PostForm("delivery_notes")}
	if _, err := s.accounts.UpdateContact(c.Request.Context(), u.OrganisationID(), in); err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "account", l.T("account.title"), &view{Section: "account", Error: msg, Data: accountPage{Contact: in}})
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=contact")
}

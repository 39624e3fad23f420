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
	// Invite is set for those who manage the organisation's members:
	// its invitations, and whether one was just sent.
	Invite      bool
	InviteDone  bool
	Invitations []*accounts.Invitation
}

// HandleAccountPage shows the logged-in person's account.
func (s *Handler) HandleAccountPage(c *gin.Context) {
	if makerhub.UserFromContext(c.Request.Context()) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/account"))
		return
	}
	s.renderAccount(c, http.StatusOK, "", accountPage{Done: c.Query("done") == "password", ContactDone: c.Query("done") == "contact",
		InviteDone: c.Query("done") == "invited"})
}

// renderAccount shows the account page with the person's organisation's
// contact details and, for those who manage its members, its invitations.
func (s *Handler) renderAccount(c *gin.Context, status int, errMsg string, p accountPage) {
	ctx := c.Request.Context()
	u := makerhub.UserFromContext(ctx)
	if u.Organisation != nil && p.Contact == (makerhub.Contact{}) {
		p.Contact = u.Organisation.Contact
	}
	if p.Invite = s.accounts.MayManage(ctx, u.OrganisationID()); p.Invite {
		var err error
		if p.Invitations, err = s.accounts.FindInvitations(ctx, u.OrganisationID()); err != nil {
			s.RenderError(c, err)
			return
		}
	}
	s.render(c, status, "account", i18n.Of(c.Request).T("account.title"), &view{Section: "account", Error: errMsg, Data: p})
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
		s.renderAccount(c, status, msg, accountPage{})
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
		s.renderAccount(c, status, msg, accountPage{Contact: in})
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=contact")
}

// HandleInviteForm invites a colleague into the person's organisation.
func (s *Handler) HandleInviteForm(c *gin.Context) {
	u := makerhub.UserFromContext(c.Request.Context())
	if u == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/account"))
		return
	}
	l := i18n.Of(c.Request)
	in := accounts.InviteInput{Email: c.PostForm("email"), Role: c.PostForm("role")}
	if _, err := s.accounts.Invite(c.Request.Context(), u.OrganisationID(), in, s.publicURL, l.InviteMail); err != nil {
		status, msg := s.formError(c, l, err)
		s.renderAccount(c, status, msg, accountPage{})
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=invited")
}

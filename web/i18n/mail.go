package i18n

import (
	"html/template"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
)

// ResetMail writes the message that carries a password reset link in l's
// language (accounts.ResetMail): plain text, and HTML with the link as a
// button. Its addressee is set by accounts.
func (l *Lang) ResetMail(name, link string, valid time.Duration) makerhub.Mail {
	minutes := int(valid.Minutes())
	text := l.T("mail.reset.text", name, link, minutes)
	var html strings.Builder
	_ = resetHTML.Execute(&html, map[string]any{
		"Hello": l.T("mail.reset.hello", name), "Why": l.T("mail.reset.why"), "Button": l.T("mail.reset.button"),
		"Link": link, "Valid": l.T("mail.reset.valid", minutes), "Ignore": l.T("mail.reset.ignore"),
	})
	return makerhub.Mail{Subject: l.T("mail.reset.subject"), Text: text, HTML: html.String()}
}

// resetHTML escapes every value it is given.
var resetHTML = template.Must(template.New("reset").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p>{{.Hello}}</p>
<p>{{.Why}}</p>
<p><a href="{{.Link}}" style="background: #b34a0e; color: #fff; padding: 0.5em 1em; text-decoration: none; border-radius: 4px">{{.Button}}</a></p>
<p>{{.Valid}}</p>
<p style="color: #555">{{.Ignore}}</p>
</body></html>
`))

// InviteMail writes an invitation's message in l's language
// (accounts.InviteMail): who invites whom to which organisation, and the
// link that signs up into it.
func (l *Lang) InviteMail(organisation, inviter, link string, valid time.Duration) makerhub.Mail {
	days := int(valid.Hours() / 24)
	var html strings.Builder
	_ = inviteHTML.Execute(&html, map[string]any{
		"Why": l.T("mail.invite.why", inviter, organisation), "Button": l.T("mail.invite.button"), "Link": link,
		"Valid": l.T("mail.invite.valid", days), "Ignore": l.T("mail.invite.ignore"),
	})
	return makerhub.Mail{Subject: l.T("mail.invite.subject", organisation), Text: l.T("mail.invite.text", inviter, organisation, link, days),
		HTML: html.String()}
}

var inviteHTML = template.Must(template.New("invite").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p>{{.Why}}</p>
<p><a href="{{.Link}}" style="background: #b34a0e; color: #fff; padding: 0.5em 1em; text-decoration: none; border-radius: 4px">{{.Button}}</a></p>
<p>{{.Valid}}</p>
<p style="color: #555">{{.Ignore}}</p>
</body></html>
`))

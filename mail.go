package makerhub

import "context"

// Mail is an e-mail the hub sends one person: a subject, a plain-text body
// and optionally an HTML alternative, already in the person's language.
type Mail struct {
	To      string // the address
	UserID  int64  // the person's account; 0 for someone without one yet
	Kind    string // what it is about, such as "password_reset", for the delivery log
	Subject string // one line
	Text    string
	HTML    string // optional
}

// Mailer queues mail in the caller's unit of work, the transaction ctx
// carries: a message exists exactly when the change that causes it was
// committed, and it is sent after that commit (a transactional outbox).
type Mailer interface {
	// MailOn reports whether the hub sends mail at all (its operator set
	// an SMTP server); pages that would send one say so when it does not.
	MailOn() bool
	Mail(ctx context.Context, m Mail) error
}

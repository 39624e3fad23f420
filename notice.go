package makerhub

import "context"

// Notice is a notification for a user or an organisation, as a domain
// reports it: an offer made, a lease about to lapse, a recall.
type Notice struct {
	UserID         int64 // 0: everyone in the organisation
	OrganisationID int64 // 0: only the user
	Kind           string
	Title          string
	Body           string
	Link           string
	Data           any
}

// Notifier records notices inside the caller's unit of work, the
// transaction ctx carries, so that a notice exists exactly when the change
// it reports was committed (a transactional outbox).
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

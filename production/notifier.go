package production

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/makerhub/makerhub/production/notify"
)

// NotifyWith makes the notify service production's Notifier: in-app
// notifications, and webhooks for notices addressed to an organisation.
func NotifyWith(n *notify.Service) Notifier { return notifyAdapter{n} }

type notifyAdapter struct{ n *notify.Service }

func (a notifyAdapter) Notify(ctx context.Context, tx *sql.Tx, no Notice) error {
	nn := notify.Notification{Kind: no.Kind, Title: no.Title, Body: no.Body, Link: no.Link}
	if no.UserID != 0 {
		nn.UserID = &no.UserID
	}
	if no.OrganisationID != 0 {
		nn.OrganisationID = &no.OrganisationID
	}
	if no.Data != nil {
		data, err := json.Marshal(no.Data)
		if err != nil {
			return err
		}
		nn.Data = data
	}
	return a.n.Enqueue(ctx, tx, nn)
}

// makerNotice addresses a notice to a maker and to the maker group they
// belong to, so that the group's webhooks (its chat) follow its offers.
func makerNotice(ctx context.Context, tx *sql.Tx, makerID int64, n Notice) (Notice, error) {
	n.UserID = makerID
	var org sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM users WHERE id = ?`, makerID).Scan(&org); err != nil {
		return n, err
	}
	n.OrganisationID = org.Int64
	return n, nil
}

package notify

import (
	"context"
	"encoding/json"

	"github.com/makerhub/makerhub"
)

var _ makerhub.Notifier = (*Service)(nil)

// Notify records a domain's notice in the caller's unit of work: the
// in-app notification, and webhooks for notices addressed to an
// organisation (Enqueue).
func (s *Service) Notify(ctx context.Context, no makerhub.Notice) error {
	nn := Notification{Kind: no.Kind, Title: no.Title, Body: no.Body, Link: no.Link}
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
	return s.Enqueue(ctx, nn)
}

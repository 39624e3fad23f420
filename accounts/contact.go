package accounts

import (
	"context"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// checkContact tidies and checks an organisation's contact details, each
// optional; prefix names the fields in messages ("organisation." at
// sign-up).
func checkContact(prefix string, c *makerhub.Contact) error {
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"contact_name", &c.ContactName, 200}, {"phone", &c.Phone, 50},
		{"delivery_hours", &c.DeliveryHours, 200}, {"delivery_notes", &c.DeliveryNotes, 1000},
	} {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			continue
		}
		if err := checkText(prefix+f.name, *f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

// UpdateContact replaces an organisation's contact details: its members
// and coordinators. Empty fields are cleared.
func (s *Service) UpdateContact(ctx context.Context, id int64, c makerhub.Contact) (*makerhub.Organisation, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != makerhub.RoleCoordinator && u.OrganisationID() != id {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "You can only change your own organisation's contact details.")
	}
	if err := checkContact("", &c); err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*makerhub.Organisation, error) {
		before, err := findOrganisationByID(ctx, s.q(ctx), id)
		if err != nil {
			return nil, err
		}
		if err := s.Audit(ctx, "organisation.contact", "organisation", id, before.Name, before.Contact, c); err != nil {
			return nil, err
		}
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE organisations SET contact_name = ?, phone = ?, delivery_hours = ?, delivery_notes = ?
			WHERE id = ?`, c.ContactName, c.Phone, c.DeliveryHours, c.DeliveryNotes, id); err != nil {
			return nil, err
		}
		sqlite.AfterCommit(ctx, s.db, s.auth.clear) // cached users carry their organisation
		return findOrganisationByID(ctx, s.q(ctx), id)
	})
}

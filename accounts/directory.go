package accounts

import (
	"context"
	"database/sql"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// The directory: what other services read of people and organisations,
// which only this package's SQL may name. These calls check no caller: the
// service asking holds the ID in its own rows and decides itself what its
// caller may see of the answer. They run in ctx's unit of work, if any.

// LookupUser returns a user with their organisation, or ENOTFOUND.
func (s *Service) LookupUser(ctx context.Context, id int64) (*makerhub.User, error) {
	return findUserByID(ctx, s.q(ctx), id)
}

// LookupOrganisation returns an organisation, or ENOTFOUND.
func (s *Service) LookupOrganisation(ctx context.Context, id int64) (*makerhub.Organisation, error) {
	return findOrganisationByID(ctx, s.q(ctx), id)
}

// UserOrganisation returns the ID of the organisation a user belongs to,
// 0 for none (a coordinator), or ENOTFOUND.
func (s *Service) UserOrganisation(ctx context.Context, userID int64) (int64, error) {
	var org sql.NullInt64
	err := s.q(ctx).QueryRowContext(ctx, `SELECT organisation_id FROM users WHERE id = ?`, userID).Scan(&org)
	if sqlite.NoRows(err) {
		return 0, makerhub.Errorf(makerhub.ENOTFOUND, "User %d does not exist.", userID)
	}
	return org.Int64, err
}

// MakerGroups returns every maker's organisation (0 for none), by user ID.
func (s *Service) MakerGroups(ctx context.Context) (map[int64]int64, error) {
	groups := map[int64]int64{}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, organisation_id FROM users WHERE role = 'maker'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var org sql.NullInt64
		if err := rows.Scan(&id, &org); err != nil {
			return nil, err
		}
		groups[id] = org.Int64
	}
	return groups, rows.Err()
}

// Organisations returns every organisation by ID: routing places each
// hospital and maker group on the map and needs to know which hospitals
// are verified.
func (s *Service) Organisations(ctx context.Context) (map[int64]*makerhub.Organisation, error) {
	list, err := sqlite.Collect(scanOrganisation)(s.q(ctx).QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations o`))
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*makerhub.Organisation, len(list))
	for _, o := range list {
		byID[o.ID] = o
	}
	return byID, nil
}

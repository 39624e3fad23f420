package production

import (
	"context"

	"github.com/makerhub/makerhub"
)

// makerNotice addresses a notice to a maker and to the maker group they
// belong to, so that the group's webhooks (its chat) follow its offers.
func (s *Service) makerNotice(ctx context.Context, makerID int64, n makerhub.Notice) (makerhub.Notice, error) {
	n.UserID = makerID
	org, err := s.accounts.UserOrganisation(ctx, makerID)
	n.OrganisationID = org
	return n, err
}

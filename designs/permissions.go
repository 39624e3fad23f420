package designs

import (
	"context"

	"github.com/makerhub/makerhub"
)

// MayEdit reports whether the acting user may change design d: upload to
// its drafts, publish them, open new versions. Pages ask it to decide which
// forms to show; the rule itself is canEdit's, the one every change obeys.
func (s *Service) MayEdit(ctx context.Context, d *Design) bool {
	u := makerhub.UserFromContext(ctx)
	return u != nil && d != nil && canEdit(u, d) == nil
}

// mayShare is the rule of who shares designs: makers and coordinators.
func mayShare(u *makerhub.User) error {
	if u.Role != makerhub.RoleMaker && u.Role != makerhub.RoleCoordinator {
		return makerhub.Errorf(makerhub.EFORBIDDEN, "Only makers and coordinators publish designs.")
	}
	return nil
}

// mayReview is the rule of who reviews design versions: coordinators.
func mayReview(u *makerhub.User) error {
	if u.Role != makerhub.RoleCoordinator {
		return makerhub.Errorf(makerhub.EFORBIDDEN, "Only coordinators review design versions.")
	}
	return nil
}

// MayShare reports whether the acting user may share a new design
// (CreateDesign's rule); pages ask it before showing the form.
func (s *Service) MayShare(ctx context.Context) bool {
	u := makerhub.UserFromContext(ctx)
	return u != nil && mayShare(u) == nil
}

// MayReview reports whether the acting user may review versions (Review's
// rule); pages ask it before showing the review form.
func (s *Service) MayReview(ctx context.Context) bool {
	u := makerhub.UserFromContext(ctx)
	return u != nil && mayReview(u) == nil
}

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

package ui

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
)

// A coordinator's actions: verifying a hospital, running routing, recalling
// a filament lot.

// Verify verifies organisation :id.
func (s *Handler) Verify() Action {
	return OnID("Organisation", func(_ *gin.Context, ctx context.Context, id int64) (*makerhub.Organisation, error) {
		return s.accounts.VerifyOrganisation(ctx, id)
	})
}

// Route runs routing over the open demand.
func (s *Handler) Route() Action {
	return Do(func(_ *gin.Context, ctx context.Context) (*production.RoutingRun, error) {
		return s.production.RunRouting(ctx)
	})
}

// LotRecall recalls what was printed from a filament lot.
func (s *Handler) LotRecall() Action {
	return Do(func(c *gin.Context, ctx context.Context) (*inventory.Recall, error) {
		return s.inventory.CreateRecall(ctx, inventory.RecallInput{FilamentLot: c.PostForm("filament_lot"), Reason: c.PostForm("reason")})
	})
}

package ui

import (
	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
)

// makerDashboard reads what a maker sees: their printers and filament, the
// jobs offered to them, held and printed, the open pool, their stock and
// their shipments on the way.
func (s *Handler) makerDashboard(c *gin.Context) (*makerDashboard, error) {
	ctx := c.Request.Context()
	d := &makerDashboard{Beds: stl.Beds(), Materials: designs.Materials()}
	var err error
	if d.Printers, _, err = s.production.FindPrinters(ctx, production.PrinterFilter{Limit: 1000}); err != nil {
		return nil, err
	}
	tokens := leaseTokens(c)
	t := &titles{s: s}
	mine, _, err := s.production.FindJobs(ctx, production.JobFilter{Scope: production.ScopeMine, Limit: 1000})
	if err != nil {
		return nil, err
	}
	kept := map[int64]string{}
	for _, j := range mine {
		dj := &dashJob{Job: j, Title: t.of(ctx, j.DesignID)}
		switch j.State {
		case production.JobOffered:
			d.Offered = append(d.Offered, dj)
		case production.JobClaimed, production.JobPrinting:
			if tok, ok := tokens[j.ID]; ok {
				dj.HasLease, kept[j.ID] = true, tok
			}
			d.Held = append(d.Held, dj)
		case production.JobPrinted:
			d.Printed = append(d.Printed, dj)
		}
	}
	if len(kept) != len(tokens) { // forget the tokens of claims that ended
		s.setLeaseTokens(c, kept)
	}
	pool, total, err := s.production.FindJobs(ctx, production.JobFilter{Scope: production.ScopePool, Limit: 20})
	if err != nil {
		return nil, err
	}
	d.PoolTotal = total
	for _, j := range pool {
		d.Pool = append(d.Pool, &dashJob{Job: j, Title: t.of(ctx, j.DesignID)})
	}
	if d.Spools, _, err = s.inventory.FindSpools(ctx, inventory.SpoolFilter{Limit: 1000}); err != nil {
		return nil, err
	}
	stock, err := s.inventory.FindStock(ctx, inventory.StockFilter{})
	if err != nil {
		return nil, err
	}
	for _, line := range stock {
		d.Stock = append(d.Stock, &dashStock{StockLine: line, Title: t.of(ctx, line.DesignID)})
	}
	// The shipments a maker sees are those they sent and those from their
	// site: the ones not yet received or cancelled are theirs to follow.
	shipments, _, err := s.inventory.FindShipments(ctx, inventory.ShipmentFilter{Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, sh := range shipments {
		if sh.State != inventory.ShipmentReceived && sh.State != inventory.ShipmentCancelled {
			d.Shipments = append(d.Shipments, sh)
		}
	}
	return d, nil
}

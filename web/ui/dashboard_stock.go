package ui

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

// A maker's stock: passing a batch's quality check, and shipping passed
// units to the hospital they were printed for.

// stockLine reads batch :id's stock line of the status at the maker's site,
// and the quantity the form asks for (all of it when the field is empty).
func (s *Handler) stockLine(c *gin.Context, ctx context.Context, status inventory.Status) (*inventory.StockLine, int, error) {
	l := i18n.Of(c.Request)
	id, err := httpx.PathID(c, "Batch")
	if err != nil {
		return nil, 0, err
	}
	lines, err := s.inventory.FindStock(ctx, inventory.StockFilter{BatchID: id})
	if err != nil {
		return nil, 0, err
	}
	for _, line := range lines {
		if line.Status == status && line.LocationKind == inventory.MakerSite {
			n, err := formInt(c, l, "quantity", line.Quantity)
			return line, n, err
		}
	}
	return nil, 0, makerhub.Errorf(makerhub.ECONFLICT, "%s", l.T("stock.none", id))
}

// Pass records that units of batch :id passed their quality check.
func (s *Handler) Pass() Action {
	return Do(func(c *gin.Context, ctx context.Context) (*inventory.Movement, error) {
		line, n, err := s.stockLine(c, ctx, inventory.Unchecked)
		if err != nil {
			return nil, err
		}
		return s.inventory.Move(ctx, inventory.MoveInput{BatchID: line.BatchID, Kind: inventory.QualityPassed, LocationID: line.LocationID, Quantity: n})
	})
}

// Ship sends passed units of batch :id to the hospital it was printed for:
// the shipment is made and dispatched.
func (s *Handler) Ship() Action {
	return Do(func(c *gin.Context, ctx context.Context) (*inventory.Shipment, error) {
		line, n, err := s.stockLine(c, ctx, inventory.Passed)
		if err != nil {
			return nil, err
		}
		b, err := s.inventory.FindBatchByID(ctx, line.BatchID)
		if err != nil {
			return nil, err
		}
		j, err := s.production.FindJobByID(ctx, b.JobID)
		if err != nil {
			return nil, err
		}
		sh, err := s.inventory.CreateShipment(ctx, inventory.ShipmentInput{FromLocationID: line.LocationID, ToOrganisationID: j.HospitalID,
			Carrier: c.PostForm("carrier"), Tracking: c.PostForm("tracking"),
			Lines: []inventory.ShipmentLineInput{{BatchID: line.BatchID, Quantity: n}}})
		if err != nil {
			return nil, err
		}
		return s.inventory.Dispatch(ctx, sh.ID, inventory.ShipmentStep{})
	})
}

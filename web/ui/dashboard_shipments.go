package ui

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/inventory"
)

// Shipments: the maker dispatches one prepared elsewhere, the hospital
// confirms receipt.

// Dispatch sends shipment :id on its way.
func (s *Handler) Dispatch() Action {
	return OnID("Shipment", func(_ *gin.Context, ctx context.Context, id int64) (*inventory.Shipment, error) {
		return s.inventory.Dispatch(ctx, id, inventory.ShipmentStep{})
	})
}

// Receive confirms that shipment :id arrived.
func (s *Handler) Receive() Action {
	return OnID("Shipment", func(c *gin.Context, ctx context.Context, id int64) (*inventory.Shipment, error) {
		return s.inventory.Receive(ctx, id, inventory.ReceiptInput{Note: c.PostForm("note")})
	})
}

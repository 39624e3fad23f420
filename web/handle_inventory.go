package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/inventory"
)

// handleLocationList lists maker sites, hubs and hospitals; ?kind= filters.
func (s *Server) handleLocationList(c *gin.Context) {
	ls, err := s.inventory.FindLocations(c.Request.Context(), inventory.LocationKind(c.Query("kind")))
	s.reply(c, http.StatusOK, list[*inventory.Location]{Items: ls, Total: len(ls), Limit: len(ls)}, err)
}

func (s *Server) handleLocationView(c *gin.Context) {
	byID(s, c, "Location", http.StatusOK, s.inventory.FindLocationByID)
}

// handleHubCreate opens a collection hub (coordinators).
func (s *Server) handleHubCreate(c *gin.Context) {
	var in inventory.HubInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	l, err := s.inventory.CreateHub(c.Request.Context(), in)
	if err == nil {
		c.Header("Location", fmt.Sprintf("/api/v1/locations/%d", l.ID))
	}
	s.reply(c, http.StatusCreated, l, err)
}

// handleQualityRule: {"location_id": HUB} makes units of the category pass
// their check at that hub; {"location_id": 0} lifts the rule.
func (s *Server) handleQualityRule(c *gin.Context) {
	var in struct {
		LocationID int64 `json:"location_id"`
	}
	if err := s.decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	err := s.inventory.RequireQualityCheck(c.Request.Context(), designs.Category(c.Param("category")), in.LocationID)
	s.reply(c, http.StatusNoContent, nil, err)
}

// handleJobProduce hands a printed job over to the stock: 201 with the batch.
func (s *Server) handleJobProduce(c *gin.Context) {
	byIDWith(s, c, "Job", http.StatusCreated, true, s.inventory.Produce)
}

func (s *Server) handleBatchView(c *gin.Context) {
	byID(s, c, "Batch", http.StatusOK, s.inventory.FindBatchByID)
}

func (s *Server) handleBatchMovements(c *gin.Context) {
	withList(s, c, "Batch", s.inventory.FindMovements)
}

func (s *Server) handleBatchTrace(c *gin.Context) {
	byID(s, c, "Batch", http.StatusOK, s.inventory.TraceBatch)
}

// handleMovementCreate records a quality check, transfer or adjustment.
func (s *Server) handleMovementCreate(c *gin.Context) {
	withBody(s, c, http.StatusCreated, s.inventory.Move)
}

// handleStockList lists units in stock; ?location=ID and ?batch=ID filter.
func (s *Server) handleStockList(c *gin.Context) {
	loc, err := queryInt(c, "location", 0, 1, 1<<62)
	if err != nil {
		s.renderError(c, err)
		return
	}
	batch, err := queryInt(c, "batch", 0, 1, 1<<62)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ls, err := s.inventory.FindStock(c.Request.Context(), inventory.StockFilter{LocationID: int64(loc), BatchID: int64(batch)})
	s.reply(c, http.StatusOK, list[*inventory.StockLine]{Items: ls, Total: len(ls), Limit: len(ls)}, err)
}

// handleShipmentCreate prepares a shipment: 201.
func (s *Server) handleShipmentCreate(c *gin.Context) {
	var in inventory.ShipmentInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	sh, err := s.inventory.CreateShipment(c.Request.Context(), in)
	if err == nil {
		c.Header("Location", fmt.Sprintf("/api/v1/shipments/%d", sh.ID))
	}
	s.reply(c, http.StatusCreated, sh, err)
}

func (s *Server) handleShipmentView(c *gin.Context) {
	byID(s, c, "Shipment", http.StatusOK, s.inventory.FindShipmentByID)
}

func (s *Server) handleShipmentDispatch(c *gin.Context) {
	byIDWith(s, c, "Shipment", http.StatusOK, true, s.inventory.Dispatch)
}

func (s *Server) handleShipmentDelivered(c *gin.Context) {
	byIDWith(s, c, "Shipment", http.StatusOK, true, s.inventory.MarkDelivered)
}

func (s *Server) handleShipmentCancel(c *gin.Context) {
	byIDWith(s, c, "Shipment", http.StatusOK, true, s.inventory.CancelShipment)
}

// handleShipmentReceive: {"lines": [{"batch_id": B, "received": N}], "note": "…"};
// lines not listed arrived in full, an empty body means all of it.
func (s *Server) handleShipmentReceive(c *gin.Context) {
	byIDWith(s, c, "Shipment", http.StatusOK, true, s.inventory.Receive)
}

func (s *Server) handleShipmentTrace(c *gin.Context) {
	byID(s, c, "Shipment", http.StatusOK, s.inventory.TraceShipment)
}

func (s *Server) handleRecallList(c *gin.Context) {
	rs, err := s.inventory.FindRecalls(c.Request.Context())
	s.reply(c, http.StatusOK, list[*inventory.Recall]{Items: rs, Total: len(rs), Limit: len(rs)}, err)
}

// handleRecallCreate recalls a filament lot or a withdrawn version: 201.
func (s *Server) handleRecallCreate(c *gin.Context) {
	withBody(s, c, http.StatusCreated, s.inventory.CreateRecall)
}

func (s *Server) handleRecallView(c *gin.Context) {
	byID(s, c, "Recall", http.StatusOK, s.inventory.FindRecallByID)
}

// handleRecallRelease lets a held batch move again: {"note": "why"}.
func (s *Server) handleRecallRelease(c *gin.Context) {
	batch, err := pathParamID(c, "batch", "Batch")
	if err != nil {
		s.renderError(c, err)
		return
	}
	byIDWith(s, c, "Recall", http.StatusOK, false, func(ctx context.Context, id int64, in inventory.ReleaseInput) (*inventory.Recall, error) {
		return s.inventory.ReleaseBatch(ctx, id, batch, in)
	})
}

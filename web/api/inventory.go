package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleLocationList lists maker sites, hubs and hospitals; ?kind= filters.
func (s *Handler) HandleLocationList(c *gin.Context) {
	ls, err := s.inventory.FindLocations(c.Request.Context(), inventory.LocationKind(c.Query("kind")))
	s.reply(c, http.StatusOK, list[*inventory.Location]{Items: ls, Total: len(ls), Limit: len(ls)}, err)
}

func (s *Handler) HandleLocationView(c *gin.Context) {
	byID(s, c, "Location", http.StatusOK, s.inventory.FindLocationByID)
}

// HandleHubCreate opens a collection hub (coordinators).
func (s *Handler) HandleHubCreate(c *gin.Context) {
	var in inventory.HubInput
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	l, err := s.inventory.CreateHub(c.Request.Context(), in)
	if err == nil {
		c.Header("Location", fmt.Sprintf("/api/v1/locations/%d", l.ID))
	}
	s.reply(c, http.StatusCreated, l, err)
}

// HandleQualityRule: {"location_id": HUB} makes units of the category pass
// their check at that hub; {"location_id": 0} lifts the rule.
func (s *Handler) HandleQualityRule(c *gin.Context) {
	var in struct {
		LocationID int64 `json:"location_id"`
	}
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	err := s.inventory.RequireQualityCheck(c.Request.Context(), designs.Category(c.Param("category")), in.LocationID)
	s.reply(c, http.StatusNoContent, nil, err)
}

// HandleJobProduce hands a printed job over to the stock: 201 with the batch.
func (s *Handler) HandleJobProduce(c *gin.Context) {
	byIDWith(s, c, "Job", http.StatusCreated, true, s.inventory.Produce)
}

func (s *Handler) HandleBatchView(c *gin.Context) {
	byID(s, c, "Batch", http.StatusOK, s.inventory.FindBatchByID)
}

func (s *Handler) HandleBatchMovements(c *gin.Context) {
	withList(s, c, "Batch", s.inventory.FindMovements)
}

func (s *Handler) HandleBatchTrace(c *gin.Context) {
	byID(s, c, "Batch", http.StatusOK, s.inventory.TraceBatch)
}

// HandleMovementCreate records a quality check, transfer or adjustment.
func (s *Handler) HandleMovementCreate(c *gin.Context) {
	withBody(s, c, http.StatusCreated, s.inventory.Move)
}

// HandleStockList lists units in stock; ?location=ID and ?batch=ID filter.
func (s *Handler) HandleStockList(c *gin.Context) {
	loc, err := httpx.QueryInt(c, "location", 0, 1, 1<<62)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	batch, err := httpx.QueryInt(c, "batch", 0, 1, 1<<62)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	ls, err := s.inventory.FindStock(c.Request.Context(), inventory.StockFilter{LocationID: int64(loc), BatchID: int64(batch)})
	s.reply(c, http.StatusOK, list[*inventory.StockLine]{Items: ls, Total: len(ls), Limit: len(ls)}, err)
}

// HandleShipmentCreate prepares a shipment: 201.
func (s *Handler) HandleShipmentCreate(c *gin.Context) {
	var in inventory.ShipmentInput
	if err := s.DecodeJSON(c, &in); err != nil {
		s.RenderError(c, err)
		return
	}
	sh, err := s.inventory.CreateShipment(c.Request.Context(), in)
	if err == nil {
		c.Header("Location", fmt.Sprintf("/api/v1/shipments/%d", sh.ID))
	}
	s.reply(c, http.StatusCreated, sh, err)
}

func (s *Handler) HandleShipmentView(c *gin.Context) {
	byID(s, c, "Shipment", http.StatusOK, s.inventory.FindShipmentByID)
}

func (s *Handler) HandleShipmentDispatch(c *gin.Context) {
	byIDWith(s, c, "Shipment", http.StatusOK, true, s.inventory.Dispatch)
}

func (s *Handler) HandleShipmentDelivered(c *gin.Context) {
	byIDWith(s, c, "Shipment", http.StatusOK, true, s.inventory.MarkDelivered)
}

func (s *Handler) HandleShipmentCancel(c *gin.Context) {
	byIDWith(s, c, "Shipment", http.StatusOK, true, s.inventory.CancelShipment)
}

// HandleShipmentReceive: {"lines": [{"batch_id": B, "received": N}], "note": "…"};
// lines not listed arrived in full, an empty body means all of it.
func (s *Handler) HandleShipmentReceive(c *gin.Context) {
	byIDWith(s, c, "Shipment", http.StatusOK, true, s.inventory.Receive)
}

func (s *Handler) HandleShipmentTrace(c *gin.Context) {
	byID(s, c, "Shipment", http.StatusOK, s.inventory.TraceShipment)
}

func (s *Handler) HandleRecallList(c *gin.Context) {
	rs, err := s.inventory.FindRecalls(c.Request.Context())
	s.reply(c, http.StatusOK, list[*inventory.Recall]{Items: rs, Total: len(rs), Limit: len(rs)}, err)
}

// HandleRecallCreate recalls a filament lot or a withdrawn version: 201.
func (s *Handler) HandleRecallCreate(c *gin.Context) {
	withBody(s, c, http.StatusCreated, s.inventory.CreateRecall)
}

func (s *Handler) HandleRecallView(c *gin.Context) {
	byID(s, c, "Recall", http.StatusOK, s.inventory.FindRecallByID)
}

// HandleRecallRelease lets a held batch move again: {"note": "why"}.
func (s *Handler) HandleRecallRelease(c *gin.Context) {
	batch, err := httpx.PathParamID(c, "batch", "Batch")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	byIDWith(s, c, "Recall", http.StatusOK, false, func(ctx context.Context, id int64, in inventory.ReleaseInput) (*inventory.Recall, error) {
		return s.inventory.ReleaseBatch(ctx, id, batch, in)
	})
}

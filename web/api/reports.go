package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleSpoolCreate registers a spool: 201.
func (s *Handler) HandleSpoolCreate(c *gin.Context) {
	withBody(s, c, http.StatusCreated, s.inventory.CreateSpool)
}

func (s *Handler) HandleSpoolUpdate(c *gin.Context) {
	byIDWith(s, c, "Spool", http.StatusOK, false, s.inventory.UpdateSpool)
}

// HandleSpoolList lists spools; ?maker=ID (coordinators), ?material=,
// ?low=true, ?offset=, ?limit=.
func (s *Handler) HandleSpoolList(c *gin.Context) {
	f := inventory.SpoolFilter{Material: c.Query("material")}
	maker, err := httpx.QueryInt(c, "maker", 0, 1, 1<<62)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	f.MakerID = int64(maker)
	low, err := httpx.QueryBool(c, "low")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	f.Low = low != nil && *low
	if f.Offset, f.Limit, err = page(c, 100, 1000); err != nil {
		s.RenderError(c, err)
		return
	}
	sps, total, err := s.inventory.FindSpools(c.Request.Context(), f)
	s.reply(c, http.StatusOK, list[*inventory.Spool]{Items: sps, Total: total, Offset: f.Offset, Limit: f.Limit}, err)
}

func (s *Handler) HandleSpoolEvents(c *gin.Context) {
	withList(s, c, "Spool", s.inventory.FindSpoolEvents)
}

// HandleFilamentForecast: ?short=true keeps the makers who will run out.
func (s *Handler) HandleFilamentForecast(c *gin.Context) {
	short, err := httpx.QueryBool(c, "short")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	ns, err := s.inventory.FilamentForecast(c.Request.Context(), short != nil && *short)
	s.reply(c, http.StatusOK, list[*inventory.FilamentNeed]{Items: ns, Total: len(ns), Limit: len(ns)}, err)
}

// HandleShipmentList lists shipments; ?state=, ?location=ID, ?offset=,
// ?limit=.
func (s *Handler) HandleShipmentList(c *gin.Context) {
	f := inventory.ShipmentFilter{State: inventory.ShipmentState(c.Query("state"))}
	loc, err := httpx.QueryInt(c, "location", 0, 1, 1<<62)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	f.LocationID = int64(loc)
	if f.Offset, f.Limit, err = page(c, 100, 1000); err != nil {
		s.RenderError(c, err)
		return
	}
	shs, total, err := s.inventory.FindShipments(c.Request.Context(), f)
	s.reply(c, http.StatusOK, list[*inventory.Shipment]{Items: shs, Total: total, Offset: f.Offset, Limit: f.Limit}, err)
}

// reportFilter reads ?by=, ?interval=, ?from= and ?to= (dates, or times
// in RFC 3339).
func reportFilter(c *gin.Context) (inventory.ReportFilter, error) {
	f := inventory.ReportFilter{By: inventory.ReportBy(c.Query("by")), Interval: inventory.Interval(c.Query("interval"))}
	var err error
	if f.From, err = queryTime(c, "from"); err != nil {
		return f, err
	}
	f.To, err = queryTime(c, "to")
	return f, err
}

// queryTime parses an optional date (2026-03-23, midnight UTC) or RFC 3339
// time query parameter.
func queryTime(c *gin.Context, name string) (time.Time, error) {
	raw := c.Query(name)
	if raw == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	return time.Time{}, makerhub.Errorf(makerhub.EINVALID, "Query parameter %s=%q is not a date: use 2026-03-23 or 2026-03-23T08:00:00Z.", name, raw)
}

func (s *Handler) HandleDeliveryReport(c *gin.Context) {
	f, err := reportFilter(c)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	rep, err := s.inventory.DeliveryReport(c.Request.Context(), f)
	s.reply(c, http.StatusOK, rep, err)
}

func (s *Handler) HandleRejectionReport(c *gin.Context) {
	f, err := reportFilter(c)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	rs, err := s.inventory.RejectionReport(c.Request.Context(), f.From, f.To)
	s.reply(c, http.StatusOK, list[*inventory.Rejections]{Items: rs, Total: len(rs), Limit: len(rs)}, err)
}

// HandleExport streams a table as CSV for a spreadsheet: UTF-8 with a byte
// order mark (without it Excel reads accents as Latin-1), CRLF line ends
// (RFC 4180), one header row. The answer starts only with the first
// record, so a refusal is still a JSON error; a failure after it cuts the
// connection, so that a short file is never taken for a whole one.
func (s *Handler) HandleExport(c *gin.Context) {
	name, ok := strings.CutSuffix(c.Param("name"), ".csv")
	if !ok {
		s.RenderError(c, makerhub.Errorf(makerhub.ENOTFOUND, "Exports are CSV files: ask for /api/v1/exports/%s.csv.", c.Param("name")))
		return
	}
	f, err := reportFilter(c)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	var w *csv.Writer
	rec := make([]string, 0, 20)
	err = s.inventory.Export(c.Request.Context(), name, inventory.ExportFilter{ReportFilter: f}, func(cells []inventory.Cell) error {
		if w == nil {
			c.Header("Content-Type", "text/csv; charset=utf-8")
			c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="makerhub-%s-%s.csv"`, name, time.Now().UTC().Format(time.DateOnly)))
			c.Status(http.StatusOK)
			if _, err := c.Writer.WriteString("\ufeff"); err != nil {
				return err
			}
			w = csv.NewWriter(c.Writer)
			w.UseCRLF = true
		}
		rec = rec[:0]
		for _, cell := range cells {
			rec = append(rec, inventory.FormatCell(cell))
		}
		return w.Write(rec)
	})
	if w == nil {
		if err == nil {
			err = fmt.Errorf("export %s emitted no header", name)
		}
		s.RenderError(c, err)
		return
	}
	if w.Flush(); err == nil {
		err = w.Error()
	}
	if err != nil {
		s.Log.Error("export cut short", "request_id", httpx.RequestID(c), "export", name, "err", err)
		panic(http.ErrAbortHandler)
	}
}

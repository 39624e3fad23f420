package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandlePrinterList lists the caller's printers (coordinators: all, or
// ?owner=ID), paginated.
func (s *Handler) HandlePrinterList(c *gin.Context) {
	var f production.PrinterFilter
	var err error
	if f.Offset, f.Limit, err = page(c, 100, 1000); err != nil {
		s.RenderError(c, err)
		return
	}
	owner, err := httpx.QueryInt(c, "owner", 0, 1, 1<<62)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	f.OwnerID = int64(owner)
	ps, total, err := s.production.FindPrinters(c.Request.Context(), f)
	s.reply(c, http.StatusOK, list[*production.Printer]{Items: ps, Total: total, Offset: f.Offset, Limit: f.Limit}, err)
}

func (s *Handler) HandlePrinterCreate(c *gin.Context) {
	withBody(s, c, http.StatusCreated, s.production.CreatePrinter)
}

func (s *Handler) HandlePrinterView(c *gin.Context) {
	byID(s, c, "Printer", http.StatusOK, s.production.FindPrinterByID)
}

func (s *Handler) HandlePrinterUpdate(c *gin.Context) {
	byIDWith(s, c, "Printer", http.StatusOK, false, s.production.UpdatePrinter)
}

func (s *Handler) HandlePrinterDelete(c *gin.Context) {
	byID(s, c, "Printer", http.StatusNoContent, func(ctx context.Context, id int64) (any, error) {
		return nil, s.production.DeletePrinter(ctx, id)
	})
}

// versionPrinters is which printers can print a version, and how fast.
type versionPrinters struct {
	Profile  *designs.PrintProfile    `json:"profile"`
	Printers []*production.PrinterFit `json:"printers"`
}

// HandleVersionPrinters tells which of the caller's printers (coordinators:
// all) can print a published version and how many units a day each makes.
func (s *Handler) HandleVersionPrinters(c *gin.Context) {
	id, n, err := httpx.VersionParams(c)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	p, fits, err := s.production.FitPrinters(c.Request.Context(), id, n)
	s.reply(c, http.StatusOK, versionPrinters{p, fits}, err)
}

// page reads ?offset and ?limit.
func page(c *gin.Context, def, max int) (offset, limit int, err error) {
	if offset, err = httpx.QueryInt(c, "offset", 0, 0, 1<<31-1); err != nil {
		return
	}
	limit, err = httpx.QueryInt(c, "limit", def, 1, max)
	return
}

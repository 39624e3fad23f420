package ui

import (
	"context"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/web/i18n"
)

// A maker's workshop: the printers and the filament they declare.

// AddPrinter declares a printer from the bed chosen in the form.
func (s *Handler) AddPrinter() Action {
	return Do(func(c *gin.Context, ctx context.Context) (*production.Printer, error) {
		l := i18n.Of(c.Request)
		in := production.PrinterInput{}
		name, model := strings.TrimSpace(c.PostForm("name")), strings.TrimSpace(c.PostForm("model"))
		in.Name, in.Model = &name, &model
		bed := c.PostForm("bed")
		i := slices.IndexFunc(stl.Beds(), func(b stl.Bed) bool { return b.ID == bed })
		if i < 0 {
			return nil, makerhub.Errorf(makerhub.EINVALID, "%s", l.T("printer.bed.invalid"))
		}
		in.BedMM = &[3]float64{stl.Beds()[i].X, stl.Beds()[i].Y, stl.Beds()[i].Z}
		if model == "" {
			in.Model = &stl.Beds()[i].Name
		}
		materials := c.PostFormArray("materials")
		in.Materials = &materials
		hours, err := formFloat(c, l, "hours_per_day")
		if err != nil {
			return nil, err
		}
		in.HoursPerDay = hours
		return s.production.CreatePrinter(ctx, in)
	})
}

// AddSpool adds a spool of filament.
func (s *Handler) AddSpool() Action {
	return Do(func(c *gin.Context, ctx context.Context) (*inventory.Spool, error) {
		grams, err := formFloat(c, i18n.Of(c.Request), "grams_left")
		if err != nil {
			return nil, err
		}
		return s.inventory.CreateSpool(ctx, inventory.SpoolInput{Material: c.PostForm("material"), Colour: c.PostForm("colour"),
			GramsLeft: grams, Lot: c.PostForm("lot"), Donor: c.PostForm("donor")})
	})
}

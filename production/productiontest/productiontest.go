// Package productiontest builds a hub's production for tests, on top of
// designs/designstest's accounts and design library: the two makers get
// printers, and production runs on the same test clock. The production and
// inventory tests share it.
package productiontest

import (
	"database/sql"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/designstest"
	"github.com/makerhub/makerhub/production"
)

// Hub is designstest's hub with production.
type Hub struct {
	*designstest.Hub
	Production *production.Service
}

// New builds a hub; notifier (may be nil) is production's Notifier. The
// maker gets a Prusa MK3S for PLA and PETG, the other maker an Ender-3 for
// PLA.
func New(t testing.TB, notifier func(db *sql.DB, acc *accounts.Service) makerhub.Notifier) *Hub {
	t.Helper()
	h := &Hub{Hub: designstest.New(t)}
	var n makerhub.Notifier
	if notifier != nil {
		n = notifier(h.DB, h.Accounts)
	}
	h.Production = production.New(h.DB, h.Accounts, h.Designs, production.Options{Now: h.Clock.Now, Notifier: n})
	h.Printer(h.Maker, "MK3S", [3]float64{250, 210, 210}, "PLA", "PETG")
	h.Printer(h.Other, "Ender-3", [3]float64{220, 220, 250}, "PLA")
	return h
}

// Printer adds a printer (10 hours a day) for the maker u.
func (h *Hub) Printer(u *makerhub.User, name string, bed [3]float64, materials ...string) *production.Printer {
	h.T.Helper()
	p, err := h.Production.CreatePrinter(designstest.As(u), production.PrinterInput{Name: &name, BedMM: &bed, Materials: &materials, HoursPerDay: designstest.Ptr(10.0)})
	if err != nil {
		h.T.Fatal(err)
	}
	return p
}

// Request files a request from the hospital u, needed in days.
func (h *Hub) Request(u *makerhub.User, d *designs.Design, units int, prio production.Priority, days int) *production.Request {
	h.T.Helper()
	r, err := h.Production.CreateRequest(designstest.As(u), production.RequestInput{DesignID: d.ID, Quantity: units, Priority: prio,
		NeededBy: h.Clock.Now().AddDate(0, 0, days).Format("2006-01-02")})
	if err != nil {
		h.T.Fatal(err)
	}
	return r
}

// Route runs routing as the coordinator.
func (h *Hub) Route() *production.RoutingRun {
	h.T.Helper()
	run, err := h.Production.RunRouting(designstest.As(h.Coord))
	if err != nil {
		h.T.Fatal(err)
	}
	return run
}

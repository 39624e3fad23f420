package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

// The coordinators' map of collection hubs, hospitals and maker groups. The
// dashboard's map reads its places as JSON (/dashboard/places.json); the
// same places, in the same order, are a paginated table at /dashboard/places,
// the map's version without JavaScript and for screen readers. Both were
// once one 3,000-row table inside the dashboard, which made it the slowest
// view of the national day.

// maxPlaces bounds the map: a national network's 20,000 maker groups would
// be megabytes of markers; the hubs and hospitals come first.
const maxPlaces = 3000

// placesPerPage is the length of a page of the places' table.
const placesPerPage = 200

// place is a point of the coordinator's map.
type place struct {
	Kind     string  `json:"kind"` // maker, hub, hospital
	Name     string  `json:"name"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	Verified bool    `json:"verified"`
}

var placeKind = map[makerhub.OrganisationKind]string{makerhub.OrgMakers: "maker", makerhub.OrgHospital: "hospital"}

// places reads the places in the map's order — hubs, hospitals, maker
// groups — from offset, at most limit, and how many there are in all: the
// hubs that have coordinates, then the organisations that do
// (accounts.FindMapOrganisations reads them through an index, so a page
// costs its own length, not the network's).
func (s *Handler) places(ctx context.Context, offset, limit int) ([]place, int, error) {
	hubs, err := s.inventory.FindLocations(ctx, inventory.Hub)
	if err != nil {
		return nil, 0, err
	}
	var located []place
	for _, h := range hubs {
		if h.Lat != nil && h.Lon != nil {
			located = append(located, place{Kind: "hub", Name: h.Name, Lat: *h.Lat, Lon: *h.Lon, Verified: true})
		}
	}
	out := []place{}
	if offset < len(located) {
		out = append(out, located[offset:min(len(located), offset+limit)]...)
	}
	orgs, total, err := s.accounts.FindMapOrganisations(ctx, max(0, offset-len(located)), limit-len(out))
	if err != nil {
		return nil, 0, err
	}
	for _, o := range orgs {
		out = append(out, place{Kind: placeKind[o.Kind], Name: o.Name, Lat: o.Lat, Lon: o.Lon, Verified: o.Verified()})
	}
	return out, len(located) + total, nil
}

// unshownPlaces is how many places the map leaves out.
func (s *Handler) unshownPlaces(ctx context.Context) (int, error) {
	_, total, err := s.places(ctx, 0, 0)
	return max(0, total-maxPlaces), err
}

// mapPlaces is the body of /dashboard/places.json.
type mapPlaces struct {
	Places []place `json:"places"`
	Total  int     `json:"total"` // places there are; the map shows the first maxPlaces
}

// HandlePlacesJSON answers the dashboard's map with its places. It is the
// page's data, under the page's session, not part of the API.
func (s *Handler) HandlePlacesJSON(c *gin.Context) {
	ps, total, err := s.places(c.Request.Context(), 0, maxPlaces)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	c.Header("Vary", "Cookie")
	c.JSON(http.StatusOK, mapPlaces{Places: ps, Total: total})
}

// placesPage is what the places template gets.
type placesPage struct {
	Places     []place
	Total      int
	First      int // the numbers of the page's first and last places, from 1
	Last       int
	Prev, Next string
	MaxPlaces  int
}

// HandlePlacesPage shows the map's places as a table, placesPerPage at a
// time, in the map's order.
func (s *Handler) HandlePlacesPage(c *gin.Context) {
	if makerhub.UserFromContext(c.Request.Context()) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/dashboard/places"))
		return
	}
	l := i18n.Of(c.Request)
	offset, err := httpx.QueryInt(c, "offset", 0, 0, 1<<31-1)
	p := placesPage{First: offset + 1, MaxPlaces: maxPlaces}
	if err == nil {
		p.Places, p.Total, err = s.places(c.Request.Context(), offset, placesPerPage)
	}
	if err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "error", l.T("error.title"), &view{Error: msg})
		return
	}
	p.Last = offset + len(p.Places)
	if offset > 0 {
		p.Prev = "/dashboard/places?offset=" + strconv.Itoa(max(0, offset-placesPerPage))
	}
	if offset+placesPerPage < p.Total {
		p.Next = "/dashboard/places?offset=" + strconv.Itoa(offset+placesPerPage)
	}
	s.render(c, http.StatusOK, "places", l.T("places.title"), &view{Section: "dashboard", Data: p})
}

package ui

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
)

// requestable are the designs a hospital may ask for: those with a
// current version that is not rejected.
func (s *Handler) requestable(ctx context.Context) ([]*designs.Design, error) {
	var out []*designs.Design
	for _, st := range []designs.Status{designs.ClinicallyValidated, designs.CommunityReviewed, designs.Submitted} {
		ds, _, err := s.designs.FindDesigns(ctx, designs.DesignFilter{Status: st, Limit: 500})
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

func (s *Handler) hospitalDashboard(ctx context.Context, form url.Values) (*hospitalDashboard, error) {
	u := makerhub.UserFromContext(ctx)
	d := &hospitalDashboard{Verified: u.Organisation.Verified(), Tomorrow: time.Now().AddDate(0, 0, 14).Format(time.DateOnly)}
	if form != nil {
		d.Quantity = form.Get("quantity")
		d.DesignID, _ = strconv.ParseInt(form.Get("design_id"), 10, 64)
		if nb := form.Get("needed_by"); nb != "" {
			d.Tomorrow = nb
		}
	}
	var err error
	if d.Designs, err = s.requestable(ctx); err != nil {
		return nil, err
	}
	reqs, _, err := s.production.FindRequests(ctx, production.RequestFilter{Limit: 200})
	if err != nil {
		return nil, err
	}
	t := &titles{s: s}
	for _, r := range reqs {
		d.Requests = append(d.Requests, &dashRequest{Request: r, Title: t.of(ctx, r.DesignID)})
	}
	// A hospital sees the shipments to its location (it sends none): those
	// on their way or delivered wait for its confirmation. Read only: the
	// location is made by the first shipment, not by a page view.
	for _, st := range []inventory.ShipmentState{inventory.ShipmentInTransit, inventory.ShipmentDelivered} {
		shipments, _, err := s.inventory.FindShipments(ctx, inventory.ShipmentFilter{State: st, Limit: 100})
		if err != nil {
			return nil, err
		}
		d.Incoming = append(d.Incoming, shipments...)
	}
	return d, nil
}

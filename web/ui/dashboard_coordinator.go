package ui

import (
	"context"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
)

func (s *Handler) coordinatorDashboard(ctx context.Context) (*coordinatorDashboard, error) {
	d := &coordinatorDashboard{MapTiles: s.mapTiles, RunTitles: map[int64]string{}}
	unverified := false
	var err error
	if d.ToVerify, _, err = s.accounts.FindOrganisations(ctx, accounts.OrganisationFilter{Kind: makerhub.OrgHospital, Verified: &unverified, Limit: 100}); err != nil {
		return nil, err
	}
	if d.ToReview, _, err = s.designs.FindDesigns(ctx, designs.DesignFilter{Status: designs.Submitted, Limit: 100}); err != nil {
		return nil, err
	}
	runs, _, err := s.production.FindRoutingRuns(ctx, 0, 1)
	if err != nil {
		return nil, err
	}
	t := &titles{s: s}
	if len(runs) > 0 {
		d.Run = runs[0]
		if d.Unallocated, d.UnallocatedTotal, err = s.production.FindUnallocated(ctx, d.Run.ID, maxUnallocated); err != nil {
			return nil, err
		}
		for _, u := range d.Unallocated {
			if r, err := s.production.FindRequestByID(ctx, u.RequestID); err == nil {
				d.RunTitles[u.RequestID] = t.of(ctx, r.DesignID)
			}
		}
	}
	stale := true
	reqs, _, err := s.production.FindRequests(ctx, production.RequestFilter{State: production.RequestOpen, Stale: &stale, Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		d.Stale = append(d.Stale, &dashRequest{Request: r, Title: t.of(ctx, r.DesignID)})
	}
	if _, d.Open, err = s.production.FindRequests(ctx, production.RequestFilter{State: production.RequestOpen, Limit: 1}); err != nil {
		return nil, err
	}
	if d.Recalls, err = s.inventory.FindRecalls(ctx); err != nil {
		return nil, err
	}
	// The map reads its places from /dashboard/places.json, and the table
	// of them is a page of its own: 3,000 rows in this page made it the
	// slowest view of the national day. Here only their number is read.
	if d.Unshown, err = s.unshownPlaces(ctx); err != nil {
		return nil, err
	}
	to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	rep, err := s.inventory.DeliveryReport(ctx, inventory.ReportFilter{By: inventory.ByAll, Interval: inventory.Daily, From: to.AddDate(0, 0, -30), To: to})
	if err != nil {
		return nil, err
	}
	d.Totals = rep.Totals
	d.Chart = cumulativeChart(rep.Rows, to.AddDate(0, 0, -30), 30)
	return d, nil
}

// maxUnallocated bounds the unallocated lines the coordinator's dashboard
// shows: a national run leaves thousands (the API lists them all).
const maxUnallocated = 100

package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/routing"
	"github.com/makerhub/makerhub/web/i18n"
)

// Each role has a dashboard at /dashboard: what needs doing, with a form
// for each action. Every action is a form post to /dashboard/...; it runs
// the service as the logged-in user, then goes back to the dashboard with
// ?done=<what> (a sentence from the catalogue), or shows the dashboard again
// with the service's error and the status it maps to.

// dashboardView is what a dashboard template gets in view.Data.
type dashboardView struct {
	Done        string // the catalogue key of what the last action did
	MapBuilt    bool   // the map's script was built
	Maker       *makerDashboard
	Hospital    *hospitalDashboard
	Coordinator *coordinatorDashboard
}

// dashJob is a job with what a page shows about it.
type dashJob struct {
	*production.Job
	Title    string // the design's
	HasLease bool   // this browser holds the claim's lease token
}

type dashStock struct {
	*inventory.StockLine
	Title string
}

type makerDashboard struct {
	Printers  []*production.Printer
	Beds      []stl.Bed
	Materials []designs.Material
	Offered   []*dashJob // offered to this maker
	Held      []*dashJob // claimed or printing
	Printed   []*dashJob // printed, to hand over
	Pool      []*dashJob
	PoolTotal int
	Spools    []*inventory.Spool
	Stock     []*dashStock
	Shipments []*inventory.Shipment // not yet received
}

type dashRequest struct {
	*production.Request
	Title string
}

type hospitalDashboard struct {
	Verified bool
	Designs  []*designs.Design // what can be requested
	Requests []*dashRequest
	Incoming []*inventory.Shipment // on their way or delivered, to confirm
	Tomorrow string                // the form's default needed-by date
	Quantity string                // the form's values after a refusal
	DesignID int64
}

type coordinatorDashboard struct {
	ToVerify []*makerhub.Organisation
	ToReview []*designs.Design
	Run      *production.RoutingRun // the last run, its figures (not its jobs)
	// Unallocated is the last run's first unallocated lines (of
	// UnallocatedTotal), with their designs' titles by request.
	Unallocated      []routing.Unallocated
	UnallocatedTotal int
	RunTitles        map[int64]string
	Stale            []*dashRequest
	Open             int // open requests
	Recalls          []*inventory.Recall
	Unshown          int // places beyond maxPlaces, left out of the map
	MapTiles         string
	Chart            *chart
	Totals           inventory.ReportRow
}

// HandleDashboard shows the logged-in user's dashboard; visitors log in
// first.
func (s *Handler) HandleDashboard(c *gin.Context) {
	if makerhub.UserFromContext(c.Request.Context()) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/dashboard"))
		return
	}
	s.dashboard(c, http.StatusOK, "", nil)
}

// dashboard renders the dashboard of the user's role, with an error from
// an action (and the status it maps to), or the sentence of ?done=.
func (s *Handler) dashboard(c *gin.Context, status int, errMsg string, form url.Values) {
	l := i18n.Of(c.Request)
	ctx := c.Request.Context()
	u := makerhub.UserFromContext(ctx)
	v := &dashboardView{MapBuilt: mapBuilt}
	if done := c.Query("done"); errMsg == "" && done != "" && l.Has("done."+done) {
		v.Done = "done." + done
	}
	var err error
	switch u.Role {
	case makerhub.RoleMaker:
		v.Maker, err = s.makerDashboard(c)
	case makerhub.RoleHospital:
		v.Hospital, err = s.hospitalDashboard(ctx, form)
	case makerhub.RoleCoordinator:
		v.Coordinator, err = s.coordinatorDashboard(ctx)
	}
	if err != nil {
		st, msg := s.formError(c, l, err)
		s.render(c, st, "error", l.T("error.title"), &view{Error: msg})
		return
	}
	s.render(c, status, "dashboard", l.T("dashboard.title"), &view{Section: "dashboard", Error: errMsg, Data: v})
}

// titles caches design titles for a page.
type titles struct {
	s *Handler
	m map[int64]string
}

func (t *titles) of(ctx context.Context, id int64) string {
	if t.m == nil {
		t.m = map[int64]string{}
	}
	if title, ok := t.m[id]; ok {
		return title
	}
	title := "#" + strconv.FormatInt(id, 10)
	if d, err := t.s.designs.FindDesignByID(ctx, id); err == nil {
		title = d.Title
	}
	t.m[id] = title
	return title
}

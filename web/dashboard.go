package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
	"github.com/makerhub/makerhub/production/routing"
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

// leaseCookie keeps the lease tokens of the claims made in this browser:
// the hub stores only their hashes, so a claim made elsewhere (another
// device, the API) is reported on from there.
const leaseCookie = "makerhub_leases"

func leaseTokens(c *gin.Context) map[int64]string {
	out := map[int64]string{}
	ck, err := c.Request.Cookie(leaseCookie)
	if err != nil {
		return out
	}
	for entry := range strings.SplitSeq(ck.Value, ".") {
		id, token, ok := strings.Cut(entry, "-")
		if n, err := strconv.ParseInt(id, 10, 64); ok && err == nil && token != "" {
			out[n] = token
		}
	}
	return out
}

func (s *Server) setLeaseTokens(c *gin.Context, m map[int64]string) {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10) + "-" + m[id] // tokens are base64url: no '.'
	}
	ck := &http.Cookie{Name: leaseCookie, Value: strings.Join(parts, "."), Path: "/dashboard", MaxAge: 90 * 24 * 3600,
		HttpOnly: true, Secure: s.cookieSecure, SameSite: http.SameSiteLaxMode}
	if len(parts) == 0 {
		ck.MaxAge = -1
	}
	http.SetCookie(c.Writer, ck)
}

// handleDashboard shows the logged-in user's dashboard; visitors log in
// first.
func (s *Server) handleDashboard(c *gin.Context) {
	if makerhub.UserFromContext(c.Request.Context()) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/dashboard"))
		return
	}
	s.dashboard(c, http.StatusOK, "", nil)
}

// dashboard renders the dashboard of the user's role, with an error from
// an action (and the status it maps to), or the sentence of ?done=.
func (s *Server) dashboard(c *gin.Context, status int, errMsg string, form url.Values) {
	l := langOf(c.Request)
	ctx := c.Request.Context()
	u := makerhub.UserFromContext(ctx)
	v := &dashboardView{MapBuilt: mapBuilt}
	if done := c.Query("done"); errMsg == "" && done != "" && l.has("done."+done) {
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
	s *Server
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

func (s *Server) makerDashboard(c *gin.Context) (*makerDashboard, error) {
	ctx := c.Request.Context()
	d := &makerDashboard{Beds: stl.Beds(), Materials: designs.Materials()}
	var err error
	if d.Printers, _, err = s.production.FindPrinters(ctx, production.PrinterFilter{Limit: 1000}); err != nil {
		return nil, err
	}
	tokens := leaseTokens(c)
	t := &titles{s: s}
	mine, _, err := s.production.FindJobs(ctx, production.JobFilter{Scope: production.ScopeMine, Limit: 1000})
	if err != nil {
		return nil, err
	}
	kept := map[int64]string{}
	for _, j := range mine {
		dj := &dashJob{Job: j, Title: t.of(ctx, j.DesignID)}
		switch j.State {
		case production.JobOffered:
			d.Offered = append(d.Offered, dj)
		case production.JobClaimed, production.JobPrinting:
			if tok, ok := tokens[j.ID]; ok {
				dj.HasLease, kept[j.ID] = true, tok
			}
			d.Held = append(d.Held, dj)
		case production.JobPrinted:
			d.Printed = append(d.Printed, dj)
		}
	}
	if len(kept) != len(tokens) { // forget the tokens of claims that ended
		s.setLeaseTokens(c, kept)
	}
	pool, total, err := s.production.FindJobs(ctx, production.JobFilter{Scope: production.ScopePool, Limit: 20})
	if err != nil {
		return nil, err
	}
	d.PoolTotal = total
	for _, j := range pool {
		d.Pool = append(d.Pool, &dashJob{Job: j, Title: t.of(ctx, j.DesignID)})
	}
	if d.Spools, _, err = s.inventory.FindSpools(ctx, inventory.SpoolFilter{Limit: 1000}); err != nil {
		return nil, err
	}
	stock, err := s.inventory.FindStock(ctx, inventory.StockFilter{})
	if err != nil {
		return nil, err
	}
	for _, line := range stock {
		d.Stock = append(d.Stock, &dashStock{StockLine: line, Title: t.of(ctx, line.DesignID)})
	}
	// The shipments a maker sees are those they sent and those from their
	// site: the ones not yet received or cancelled are theirs to follow.
	shipments, _, err := s.inventory.FindShipments(ctx, inventory.ShipmentFilter{Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, sh := range shipments {
		if sh.State != inventory.ShipmentReceived && sh.State != inventory.ShipmentCancelled {
			d.Shipments = append(d.Shipments, sh)
		}
	}
	return d, nil
}

// requestable are the designs a hospital may ask for: those with a
// current version that is not rejected.
func (s *Server) requestable(ctx context.Context) ([]*designs.Design, error) {
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

func (s *Server) hospitalDashboard(ctx context.Context, form url.Values) (*hospitalDashboard, error) {
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

func (s *Server) coordinatorDashboard(ctx context.Context) (*coordinatorDashboard, error) {
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

// act makes a dashboard action: run does the work with the form; success
// goes back to the dashboard saying done, failure shows it with the error.
func (s *Server) act(done string, run func(c *gin.Context, ctx context.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if makerhub.UserFromContext(c.Request.Context()) == nil {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/dashboard"))
			return
		}
		if err := c.Request.ParseForm(); err != nil {
			s.dashboard(c, http.StatusBadRequest, err.Error(), nil)
			return
		}
		if err := run(c, c.Request.Context()); err != nil {
			status, msg := s.formError(c, langOf(c.Request), err)
			s.dashboard(c, status, msg, c.Request.PostForm)
			return
		}
		c.Redirect(http.StatusSeeOther, "/dashboard?done="+done)
	}
}

// formInt reads a whole number from a form field; def when it is empty.
func formInt(c *gin.Context, l *Lang, field string, def int) (int, error) {
	raw := strings.TrimSpace(c.PostForm(field))
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, makerhub.Errorf(makerhub.EINVALID, "%s", l.T("form.int.invalid", l.T("form."+field), raw))
	}
	return n, nil
}

func formFloat(c *gin.Context, l *Lang, field string) (*float64, error) {
	raw := strings.TrimSpace(c.PostForm(field))
	if raw == "" {
		return nil, nil
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
	if err != nil {
		return nil, makerhub.Errorf(makerhub.EINVALID, "%s", l.T("form.number.invalid", l.T("form."+field), raw))
	}
	return &x, nil
}

// The maker's actions.

func (s *Server) handleAddPrinter(c *gin.Context, ctx context.Context) error {
	l := langOf(c.Request)
	in := production.PrinterInput{}
	name, model := strings.TrimSpace(c.PostForm("name")), strings.TrimSpace(c.PostForm("model"))
	in.Name, in.Model = &name, &model
	bed := c.PostForm("bed")
	i := slices.IndexFunc(stl.Beds(), func(b stl.Bed) bool { return b.ID == bed })
	if i < 0 {
		return makerhub.Errorf(makerhub.EINVALID, "%s", l.T("printer.bed.invalid"))
	}
	in.BedMM = &[3]float64{stl.Beds()[i].X, stl.Beds()[i].Y, stl.Beds()[i].Z}
	if model == "" {
		in.Model = &stl.Beds()[i].Name
	}
	materials := c.PostFormArray("materials")
	in.Materials = &materials
	hours, err := formFloat(c, l, "hours_per_day")
	if err != nil {
		return err
	}
	in.HoursPerDay = hours
	_, err = s.production.CreatePrinter(ctx, in)
	return err
}

func (s *Server) handleAddSpool(c *gin.Context, ctx context.Context) error {
	l := langOf(c.Request)
	grams, err := formFloat(c, l, "grams_left")
	if err != nil {
		return err
	}
	_, err = s.inventory.CreateSpool(ctx, inventory.SpoolInput{Material: c.PostForm("material"), Colour: c.PostForm("colour"),
		GramsLeft: grams, Lot: c.PostForm("lot"), Donor: c.PostForm("donor")})
	return err
}

func (s *Server) handleClaim(c *gin.Context, ctx context.Context) error {
	id, err := pathID(c, "Job")
	if err != nil {
		return err
	}
	claim, err := s.production.Claim(ctx, id, production.ClaimInput{})
	if err != nil {
		return err
	}
	tokens := leaseTokens(c)
	tokens[id] = claim.LeaseToken
	s.setLeaseTokens(c, tokens)
	return nil
}

// leased runs a report on a job claimed in this browser.
func (s *Server) leased(report func(ctx context.Context, id int64, in production.ProgressInput) (*production.Job, error), printed bool) func(*gin.Context, context.Context) error {
	return func(c *gin.Context, ctx context.Context) error {
		l := langOf(c.Request)
		id, err := pathID(c, "Job")
		if err != nil {
			return err
		}
		in := production.ProgressInput{LeaseToken: leaseTokens(c)[id], Note: c.PostForm("note")}
		if in.LeaseToken == "" {
			return makerhub.Errorf(makerhub.EFORBIDDEN, "%s", l.T("job.nolease", id))
		}
		if printed && strings.TrimSpace(c.PostForm("printed")) != "" {
			n, err := formInt(c, l, "printed", 0)
			if err != nil {
				return err
			}
			in.Printed = &n
		}
		_, err = report(ctx, id, in)
		return err
	}
}

func (s *Server) handleHandOver(c *gin.Context, ctx context.Context) error {
	id, err := pathID(c, "Job")
	if err != nil {
		return err
	}
	in := inventory.ProduceInput{FilamentLot: strings.TrimSpace(c.PostForm("filament_lot"))}
	if raw := c.PostForm("spool_id"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return makerhub.Errorf(makerhub.EINVALID, "spool_id %q is not a spool.", raw)
		}
		in.SpoolID = &n
	}
	_, err = s.inventory.Produce(ctx, id, in)
	return err
}

// stockAction reads a batch's stock line at the maker's site.
func (s *Server) stockLine(c *gin.Context, ctx context.Context, status inventory.Status) (*inventory.StockLine, int, error) {
	l := langOf(c.Request)
	id, err := pathID(c, "Batch")
	if err != nil {
		return nil, 0, err
	}
	lines, err := s.inventory.FindStock(ctx, inventory.StockFilter{BatchID: id})
	if err != nil {
		return nil, 0, err
	}
	for _, line := range lines {
		if line.Status == status && line.LocationKind == inventory.MakerSite {
			n, err := formInt(c, l, "quantity", line.Quantity)
			return line, n, err
		}
	}
	return nil, 0, makerhub.Errorf(makerhub.ECONFLICT, "%s", l.T("stock.none", id))
}

func (s *Server) handlePass(c *gin.Context, ctx context.Context) error {
	line, n, err := s.stockLine(c, ctx, inventory.Unchecked)
	if err != nil {
		return err
	}
	_, err = s.inventory.Move(ctx, inventory.MoveInput{BatchID: line.BatchID, Kind: inventory.QualityPassed, LocationID: line.LocationID, Quantity: n})
	return err
}

// handleShip sends passed units of a batch to the hospital it was printed
// for: the shipment is made and dispatched.
func (s *Server) handleShip(c *gin.Context, ctx context.Context) error {
	line, n, err := s.stockLine(c, ctx, inventory.Passed)
	if err != nil {
		return err
	}
	b, err := s.inventory.FindBatchByID(ctx, line.BatchID)
	if err != nil {
		return err
	}
	j, err := s.production.FindJobByID(ctx, b.JobID)
	if err != nil {
		return err
	}
	sh, err := s.inventory.CreateShipment(ctx, inventory.ShipmentInput{FromLocationID: line.LocationID, ToOrganisationID: j.HospitalID,
		Carrier: c.PostForm("carrier"), Tracking: c.PostForm("tracking"),
		Lines: []inventory.ShipmentLineInput{{BatchID: line.BatchID, Quantity: n}}})
	if err != nil {
		return err
	}
	_, err = s.inventory.Dispatch(ctx, sh.ID, inventory.ShipmentStep{})
	return err
}

func (s *Server) handleDispatch(c *gin.Context, ctx context.Context) error {
	id, err := pathID(c, "Shipment")
	if err != nil {
		return err
	}
	_, err = s.inventory.Dispatch(ctx, id, inventory.ShipmentStep{})
	return err
}

// The hospital's actions.

func (s *Server) handleNewRequest(c *gin.Context, ctx context.Context) error {
	l := langOf(c.Request)
	design, err := strconv.ParseInt(c.PostForm("design_id"), 10, 64)
	if err != nil {
		return makerhub.Errorf(makerhub.EINVALID, "%s", l.T("request.design.invalid"))
	}
	qty, err := formInt(c, l, "quantity", 0)
	if err != nil {
		return err
	}
	_, err = s.production.CreateRequest(ctx, production.RequestInput{DesignID: design, Quantity: qty,
		Priority: production.Priority(c.PostForm("priority")), NeededBy: c.PostForm("needed_by"),
		ClinicallyValidatedOnly: c.PostForm("clinically_validated_only") != "", Notes: c.PostForm("notes")})
	return err
}

func (s *Server) handleReconfirm(c *gin.Context, ctx context.Context) error {
	id, err := pathID(c, "Request")
	if err != nil {
		return err
	}
	_, err = s.production.Reconfirm(ctx, id)
	return err
}

func (s *Server) handleCancelRequest(c *gin.Context, ctx context.Context) error {
	id, err := pathID(c, "Request")
	if err != nil {
		return err
	}
	_, err = s.production.CancelRequest(ctx, id, c.PostForm("note"))
	return err
}

func (s *Server) handleReceive(c *gin.Context, ctx context.Context) error {
	id, err := pathID(c, "Shipment")
	if err != nil {
		return err
	}
	_, err = s.inventory.Receive(ctx, id, inventory.ReceiptInput{Note: c.PostForm("note")})
	return err
}

// The coordinator's actions.

func (s *Server) handleVerify(c *gin.Context, ctx context.Context) error {
	id, err := pathID(c, "Organisation")
	if err != nil {
		return err
	}
	_, err = s.accounts.VerifyOrganisation(ctx, id)
	return err
}

func (s *Server) handleRoute(c *gin.Context, ctx context.Context) error {
	_, err := s.production.RunRouting(ctx)
	return err
}

func (s *Server) handleLotRecall(c *gin.Context, ctx context.Context) error {
	_, err := s.inventory.CreateRecall(ctx, inventory.RecallInput{FilamentLot: c.PostForm("filament_lot"), Reason: c.PostForm("reason")})
	return err
}

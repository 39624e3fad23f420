package inventory_test

import (
	"slices"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs/designstest"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
)

// reportHub is a fortnight of work, with figures known in advance:
//
//	week of 16 March: the nurse (Auvergne-Rhône-Alpes) asks for 10 face
//	shields; the maker prints 10, 2 fail their check, 8 ship and 7 arrive.
//	week of 23 March: a Paris hospital (Île-de-France) asks for 6 valve
//	handles, which the other maker prints and delivers; a third hospital,
//	with no region, asks for 4 face shields.
type reportHub struct {
	*env
	paris, third *makerhub.User
	s1, s2       *inventory.Shipment
}

func newReportHub(t *testing.T) *reportHub {
	e := newEnv(t)
	h := &reportHub{env: e, paris: e.Hospital(48.85, 2.35, true), third: e.Hospital(45.9, 6.1, true)}
	region := func(u *makerhub.User, r string) {
		if _, err := e.DB.Exec(`UPDATE organisations SET region = ? WHERE id = ?`, r, u.OrganisationID()); err != nil {
			t.Fatal(err)
		}
	}
	region(e.Nurse, "Auvergne-Rhône-Alpes")
	region(h.paris, "Île-de-France")

	_, b := e.batch(10)
	e.pass(b, b.LocationID, 8)
	if _, err := e.inv.Move(as(e.Maker), inventory.MoveInput{BatchID: b.ID, Kind: inventory.QualityRejected, LocationID: b.LocationID,
		Quantity: 2, Reason: "warped"}); err != nil {
		t.Fatal(err)
	}
	h.s1 = e.dispatch(e.Maker, e.ship(e.Maker, inventory.ShipmentInput{FromLocationID: b.LocationID, ToOrganisationID: e.Nurse.OrganisationID(), Lines: line(b, 8)}))
	if _, err := e.inv.Receive(as(e.Nurse), h.s1.ID, inventory.ReceiptInput{Lines: []inventory.ReceiptLine{{BatchID: b.ID, Received: 7}}}); err != nil {
		t.Fatal(err)
	}

	e.Clock.Add(8 * 24 * time.Hour)
	b2 := e.made(e.Request(h.paris, e.Valve, 6, production.Normal, 10), e.Other, 6, "PLA-1")
	h.s2 = e.dispatch(e.Other, e.ship(e.Other, inventory.ShipmentInput{FromLocationID: b2.LocationID, ToOrganisationID: h.paris.OrganisationID(), Lines: line(b2, 6)}))
	if _, err := e.inv.Receive(as(h.paris), h.s2.ID, inventory.ReceiptInput{}); err != nil {
		t.Fatal(err)
	}
	e.Request(h.third, e.Shield, 4, production.Normal, 10)
	return h
}

type figures struct {
	period, label                  string
	requested, produced, delivered int
}

func (h *reportHub) report(u *makerhub.User, f inventory.ReportFilter) []figures {
	h.T.Helper()
	rep, err := h.inv.DeliveryReport(as(u), f)
	if err != nil {
		h.T.Fatal(err)
	}
	var out []figures
	total := figures{}
	for _, r := range rep.Rows {
		out = append(out, figures{r.Period, r.Label, r.Requested, r.Produced, r.Delivered})
		total.requested, total.produced, total.delivered = total.requested+r.Requested, total.produced+r.Produced, total.delivered+r.Delivered
	}
	if got := (figures{"", "Total", rep.Totals.Requested, rep.Totals.Produced, rep.Totals.Delivered}); got != (figures{"", "Total", total.requested, total.produced, total.delivered}) {
		h.T.Fatalf("totals %+v do not sum the rows %+v", rep.Totals, total)
	}
	return out
}

func TestDeliveryReports(t *testing.T) {
	h := newReportHub(t)
	nurse, paris, third := h.Nurse.Organisation.Name, h.paris.Organisation.Name, h.third.Organisation.Name
	day := func(d int) time.Time { return designstest.Start().Truncate(24*time.Hour).AddDate(0, 0, d) }
	for _, c := range []struct {
		name string
		f    inventory.ReportFilter
		want []figures
	}{
		{"all", inventory.ReportFilter{}, []figures{{"", "All", 20, 16, 13}}},
		{"by hospital", inventory.ReportFilter{By: inventory.ByHospital}, []figures{
			{"", nurse, 10, 10, 7}, {"", paris, 6, 6, 6}, {"", third, 4, 0, 0}}},
		{"by design", inventory.ReportFilter{By: inventory.ByDesign}, []figures{
			{"", "Face shield", 14, 10, 7}, {"", "Valve handle", 6, 6, 6}}},
		{"by region", inventory.ReportFilter{By: inventory.ByRegion}, []figures{
			{"", "(no region given)", 4, 0, 0}, {"", "Auvergne-Rhône-Alpes", 10, 10, 7}, {"", "Île-de-France", 6, 6, 6}}},
		{"weekly", inventory.ReportFilter{Interval: inventory.Weekly}, []figures{
			{"2026-03-16", "All", 10, 10, 7}, {"2026-03-23", "All", 10, 6, 6}}},
		{"daily by design", inventory.ReportFilter{By: inventory.ByDesign, Interval: inventory.Daily}, []figures{
			{"2026-03-20", "Face shield", 10, 10, 7}, {"2026-03-28", "Face shield", 4, 0, 0}, {"2026-03-28", "Valve handle", 6, 6, 6}}},
		{"monthly", inventory.ReportFilter{Interval: inventory.Monthly}, []figures{{"2026-03", "All", 20, 16, 13}}},
		{"second week", inventory.ReportFilter{From: day(7)}, []figures{{"", "All", 10, 6, 6}}},
		{"first week", inventory.ReportFilter{To: day(7)}, []figures{{"", "All", 10, 10, 7}}},
		{"nothing yet", inventory.ReportFilter{To: day(-1)}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := h.report(h.Coord, c.f); !slices.Equal(got, c.want) {
				t.Fatalf("rows\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
	// A hospital sees its own figures, whatever it asks.
	if got := h.report(h.paris, inventory.ReportFilter{By: inventory.ByHospital}); !slices.Equal(got, []figures{{"", paris, 6, 6, 6}}) {
		t.Fatalf("the Paris hospital's report %+v", got)
	}
	for _, c := range []struct {
		u    *makerhub.User
		f    inventory.ReportFilter
		code string
		msg  string
	}{
		{h.Maker, inventory.ReportFilter{}, makerhub.EFORBIDDEN, "coordinators and hospitals"},
		{h.Coord, inventory.ReportFilter{By: "maker"}, makerhub.EINVALID, `by "maker" is not known`},
		{h.Coord, inventory.ReportFilter{Interval: "year"}, makerhub.EINVALID, `interval "year" is not known`},
		{h.Coord, inventory.ReportFilter{From: day(3), To: day(3)}, makerhub.EINVALID, "must be before to"},
	} {
		_, err := h.inv.DeliveryReport(as(c.u), c.f)
		designstest.WantCode(t, err, c.code, c.msg)
	}
}

func TestRejectionReport(t *testing.T) {
	h := newReportHub(t)
	rs, err := h.inv.RejectionReport(as(h.Coord), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.Rejections{
		{MakerID: h.Maker.ID, MakerName: h.Maker.Name, DesignID: h.Shield.ID, DesignTitle: "Face shield", Version: 1,
			Batches: 1, Produced: 10, Passed: 8, Rejected: 2, RejectRate: 0.2},
		{MakerID: h.Other.ID, MakerName: h.Other.Name, DesignID: h.Valve.ID, DesignTitle: "Valve handle", Version: 1,
			Batches: 1, Produced: 6, Passed: 6},
	}
	if len(rs) != len(want) || *rs[0] != want[0] || *rs[1] != want[1] {
		t.Fatalf("rejections %+v", rs)
	}
	mine, err := h.inv.RejectionReport(as(h.Other), time.Time{}, time.Time{})
	if err != nil || len(mine) != 1 || *mine[0] != want[1] {
		t.Fatalf("the other maker's record %+v, %v", mine, err)
	}
	_, err = h.inv.RejectionReport(as(h.Nurse), time.Time{}, time.Time{})
	designstest.WantCode(t, err, makerhub.EFORBIDDEN, "")
}

func TestShipmentLists(t *testing.T) {
	h := newReportHub(t)
	ids := func(u *makerhub.User, f inventory.ShipmentFilter) ([]int64, int) {
		t.Helper()
		shs, total, err := h.inv.FindShipments(as(u), f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, sh := range shs {
			if len(sh.Lines) != 1 {
				t.Fatalf("shipment %d listed with %d lines", sh.ID, len(sh.Lines))
			}
			out = append(out, sh.ID)
		}
		return out, total
	}
	s1, s2 := h.s1.ID, h.s2.ID
	for _, c := range []struct {
		name  string
		u     *makerhub.User
		f     inventory.ShipmentFilter
		want  []int64
		total int
	}{
		{"coordinator", h.Coord, inventory.ShipmentFilter{}, []int64{s2, s1}, 2},
		{"page", h.Coord, inventory.ShipmentFilter{Offset: 1, Limit: 1}, []int64{s1}, 2},
		{"received", h.Coord, inventory.ShipmentFilter{State: inventory.ShipmentReceived}, []int64{s2, s1}, 2},
		{"in transit", h.Coord, inventory.ShipmentFilter{State: inventory.ShipmentInTransit}, nil, 0},
		{"to the nurse", h.Coord, inventory.ShipmentFilter{LocationID: h.s1.ToLocationID}, []int64{s1}, 1},
		{"the nurse", h.Nurse, inventory.ShipmentFilter{}, []int64{s1}, 1},
		{"the sender", h.Other, inventory.ShipmentFilter{}, []int64{s2}, 1},
		{"a stranger", h.third, inventory.ShipmentFilter{}, nil, 0},
	} {
		if got, total := ids(c.u, c.f); !slices.Equal(got, c.want) || total != c.total {
			t.Errorf("%s: %v (total %d); want %v (%d)", c.name, got, total, c.want, c.total)
		}
	}
	if sh, _, _ := h.inv.FindShipments(as(h.Coord), inventory.ShipmentFilter{State: inventory.ShipmentReceived}); sh[1].Missing != 1 {
		t.Errorf("shipment %d listed with %d missing; want 1", sh[1].ID, sh[1].Missing)
	}
	_, _, err := h.inv.FindShipments(as(h.Coord), inventory.ShipmentFilter{State: "lost"})
	designstest.WantCode(t, err, makerhub.EINVALID, `state "lost" is not known`)
	_, _, err = h.inv.FindShipments(as(h.Coord), inventory.ShipmentFilter{Offset: -1})
	designstest.WantCode(t, err, makerhub.EINVALID, "offset must not be negative")
}

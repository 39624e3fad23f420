package inventory

import (
	"context"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// ReportBy is what a report groups by.
type ReportBy string

// Report groupings.
const (
	ByAll      ReportBy = "all"      // one group: the whole hub
	ByHospital ReportBy = "hospital" // the requesting hospital
	ByDesign   ReportBy = "design"
	ByRegion   ReportBy = "region" // the hospital's declared region
)

// Interval is a report's time bucket.
type Interval string

// Intervals: days, weeks (starting on Monday) and months, in UTC; none
// sums over the whole window.
const (
	NoInterval Interval = ""
	Daily      Interval = "day"
	Weekly     Interval = "week"
	Monthly    Interval = "month"
)

// ReportFilter selects a report's window and shape.
type ReportFilter struct {
	By       ReportBy
	Interval Interval
	From, To time.Time // [From, To); zero: unbounded
}

// ReportRow is what was requested, produced and delivered in one period
// for one group.
type ReportRow struct {
	// Period is the bucket's first day (2026-03-23; a week's Monday) or
	// month (2026-03); empty without an interval.
	Period string `json:"period"`
	Key    string `json:"key"` // the hospital's or design's id, the region, or "all"
	Label  string `json:"label"`
	// Requested: units asked for in requests filed in the period; Produced:
	// units handed over to the stock for those hospitals or designs;
	// Delivered: units hospitals confirmed receiving.
	Requested int `json:"requested"`
	Produced  int `json:"produced"`
	Delivered int `json:"delivered"`
}

// Report is requested vs produced vs delivered, by group and period.
type Report struct {
	By       ReportBy    `json:"by"`
	Interval Interval    `json:"interval"`
	From     *time.Time  `json:"from"`
	To       *time.Time  `json:"to"`
	Rows     []ReportRow `json:"rows"`
	Totals   ReportRow   `json:"totals"`
}

var reportGroups = map[ReportBy][2]string{ // key, label
	ByAll:      {`'all'`, `'All'`},
	ByHospital: {`CAST(o.id AS TEXT)`, `o.name`},
	ByDesign:   {`CAST(d.id AS TEXT)`, `d.title`},
	ByRegion:   {`o.region`, `CASE o.region WHEN '' THEN '(no region given)' ELSE o.region END`},
}

var reportPeriods = map[Interval]string{
	NoInterval: `''`,
	Daily:      `substr(at, 1, 10)`,
	Weekly:     `date(substr(at, 1, 10), '-6 days', 'weekday 1')`,
	Monthly:    `substr(at, 1, 7)`,
}

// DeliveryReport sums what was requested, produced and delivered, by
// hospital, design or region, over time: the figures coordinators report
// to health authorities. Coordinators see the whole hub; hospital staff
// their own organisation.
func (s *Service) DeliveryReport(ctx context.Context, f ReportFilter) (*Report, error) {
	u, err := makerhub.RequireRole(ctx, "coordinators and hospitals see delivery reports", makerhub.RoleCoordinator, makerhub.RoleHospital)
	if err != nil {
		return nil, err
	}
	if f.By == "" {
		f.By = ByAll
	}
	group, ok := reportGroups[f.By]
	if !ok {
		return nil, makerhub.Errorf(makerhub.EINVALID, "by %q is not known: use all, hospital, design or region.", f.By)
	}
	period, ok := reportPeriods[f.Interval]
	if !ok {
		return nil, makerhub.Errorf(makerhub.EINVALID, "interval %q is not known: use day, week or month, or leave it out.", f.Interval)
	}
	from, to, err := window(f.From, f.To)
	if err != nil {
		return nil, err
	}
	var org int64
	if u.Role == makerhub.RoleHospital {
		org = u.OrganisationID()
	}
	// Three streams of (time, hospital, design, units), each read by its
	// index-friendly join, summed by group and period in one statement.
	rows, err := sqlite.Collect(func(row interface{ Scan(...any) error }) (ReportRow, error) {
		var r ReportRow
		return r, row.Scan(&r.Period, &r.Key, &r.Label, &r.Requested, &r.Produced, &r.Delivered)
	})(s.q(ctx).QueryContext(ctx, `WITH facts (at, org_id, design_id, requested, produced, delivered) AS (
			SELECT r.created_at, r.organisation_id, r.design_id, r.quantity, 0, 0 FROM production_requests r
			UNION ALL
			SELECT b.produced_at, r.organisation_id, v.design_id, 0, b.quantity, 0
			FROM batches b JOIN production_requests r ON r.id = b.request_id JOIN designs_versions v ON v.id = b.version_id
			UNION ALL
			SELECT m.at, l.organisation_id, v.design_id, 0, 0, m.quantity
			FROM movements m JOIN locations l ON l.id = m.to_location_id JOIN batches b ON b.id = m.batch_id
			JOIN designs_versions v ON v.id = b.version_id
			WHERE m.kind = 'received' AND l.kind = 'hospital')
		SELECT `+period+` AS period, `+group[0]+` AS key, max(`+group[1]+`), sum(requested), sum(produced), sum(delivered)
		FROM facts JOIN accounts_organisations o ON o.id = facts.org_id JOIN designs_designs d ON d.id = facts.design_id
		WHERE at >= ? AND at < ? AND (? = 0 OR o.id = ?)
		GROUP BY period, key ORDER BY period, 3, key`, from, to, org, org))
	if err != nil {
		return nil, err
	}
	rep := &Report{By: f.By, Interval: f.Interval, Rows: rows, Totals: ReportRow{Key: "total", Label: "Total"}}
	if !f.From.IsZero() {
		rep.From = &f.From
	}
	if !f.To.IsZero() {
		rep.To = &f.To
	}
	for _, r := range rows {
		rep.Totals.Requested += r.Requested
		rep.Totals.Produced += r.Produced
		rep.Totals.Delivered += r.Delivered
	}
	return rep, nil
}

// window turns [from, to) into the bounds of a text comparison on stored
// times (zero: unbounded).
func window(from, to time.Time) (string, string, error) {
	lo, hi := "", "9999"
	if !from.IsZero() {
		lo = sqlite.FormatTime(from)
	}
	if !to.IsZero() {
		hi = sqlite.FormatTime(to)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return "", "", makerhub.Errorf(makerhub.EINVALID, "from (%s) must be before to (%s).", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	return lo, hi, nil
}

// Rejections is the quality record of one maker's batches of one design
// version.
type Rejections struct {
	MakerID     int64   `json:"maker_id"`
	MakerName   string  `json:"maker_name"`
	DesignID    int64   `json:"design_id"`
	DesignTitle string  `json:"design_title"`
	Version     int     `json:"version"`
	Batches     int     `json:"batches"`
	Produced    int     `json:"produced"`
	Passed      int     `json:"passed"`
	Rejected    int     `json:"rejected"`
	RejectRate  float64 `json:"reject_rate"` // rejected / (passed + rejected); 0 before any check
}

// RejectionReport counts quality checks per maker and design version, most
// rejected first, for batches produced in [from, to): coordinators see
// every maker, makers their own record.
func (s *Service) RejectionReport(ctx context.Context, from, to time.Time) ([]*Rejections, error) {
	u, err := makerhub.RequireRole(ctx, "coordinators and makers see rejection reports", makerhub.RoleCoordinator, makerhub.RoleMaker)
	if err != nil {
		return nil, err
	}
	lo, hi, err := window(from, to)
	if err != nil {
		return nil, err
	}
	var maker int64
	if u.Role == makerhub.RoleMaker {
		maker = u.ID
	}
	return sqlite.Collect(func(row interface{ Scan(...any) error }) (*Rejections, error) {
		r := &Rejections{}
		err := row.Scan(&r.MakerID, &r.MakerName, &r.DesignID, &r.DesignTitle, &r.Version, &r.Batches, &r.Produced, &r.Passed, &r.Rejected)
		if checked := r.Passed + r.Rejected; checked > 0 {
			r.RejectRate = float64(r.Rejected) / float64(checked)
		}
		return r, err
	})(s.q(ctx).QueryContext(ctx, `SELECT b.maker_id, u.name, v.design_id, d.title, v.number, count(*), sum(b.quantity),
			COALESCE(sum(m.passed), 0), COALESCE(sum(m.rejected), 0)
		FROM batches b JOIN accounts_users u ON u.id = b.maker_id JOIN designs_versions v ON v.id = b.version_id JOIN designs_designs d ON d.id = v.design_id
		LEFT JOIN (SELECT batch_id, sum(CASE kind WHEN 'quality_passed' THEN quantity ELSE 0 END) AS passed,
				sum(CASE kind WHEN 'quality_rejected' THEN quantity ELSE 0 END) AS rejected
			FROM movements WHERE kind IN ('quality_passed', 'quality_rejected') GROUP BY batch_id) m ON m.batch_id = b.id
		WHERE b.produced_at >= ? AND b.produced_at < ? AND (? = 0 OR b.maker_id = ?)
		GROUP BY b.maker_id, b.version_id
		ORDER BY 9 DESC, 1, 3, 5`, lo, hi, maker, maker))
}

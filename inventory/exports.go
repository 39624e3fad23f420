package inventory

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Exports returns the tables coordinators take into a spreadsheet. The
// slice is the caller's own copy.
func Exports() []string {
	return []string{"requests", "shipments", "stock", "ledger", "deliveries", "rejections"}
}

// ExportFilter bounds an export: the ledger's movements, shipments and
// requests by time; the reports as in ReportFilter. Stock is always now.
type ExportFilter struct {
	ReportFilter
}

// A Cell of an exported record: a string (text people typed, or a name), an
// int64, a float64, a time.Time, or nil (empty). The writer formats each
// for a spreadsheet; text is never taken for a formula.
type Cell = any

// export is a table: its headings, and the query that reads it. Columns
// whose heading ends in _utc hold stored times. A query with parameters
// takes the window's bounds.
type export struct {
	header []string
	query  string
}

var exports = map[string]export{
	"requests": {
		header: []string{"request_id", "created_at_utc", "hospital_id", "hospital", "region", "design_id", "design", "version",
			"priority", "needed_by_utc", "quantity", "delivered", "cancelled", "on_the_way", "open", "state", "delivery_address", "notes"},
		query: `SELECT r.id, r.created_at, o.id, o.name, o.region, d.id, d.title, r.version_number, r.priority, r.needed_by,
			r.quantity, r.delivered, r.cancelled, r.in_inventory, r.quantity - r.delivered - r.cancelled, r.state, r.delivery_address, r.notes
			FROM production_requests r JOIN accounts_organisations o ON o.id = r.organisation_id JOIN designs_designs d ON d.id = r.design_id
			WHERE r.created_at >= ? AND r.created_at < ? ORDER BY r.id`,
	},
	"shipments": {
		header: []string{"shipment_id", "created_at_utc", "updated_at_utc", "state", "from_location_id", "from", "to_location_id", "to",
			"carrier", "tracking", "batch_id", "design_id", "design", "version", "status", "quantity", "received", "missing", "request_id"},
		query: `SELECT sh.id, sh.created_at, sh.updated_at, sh.state, fl.id, fl.name, tl.id, tl.name, sh.carrier, sh.tracking,
			sl.batch_id, v.design_id, d.title, v.number, sl.status, sl.quantity, sl.received, sl.quantity - sl.received, sl.request_id
			FROM shipments sh JOIN locations fl ON fl.id = sh.from_location_id JOIN locations tl ON tl.id = sh.to_location_id
			JOIN shipment_lines sl ON sl.shipment_id = sh.id JOIN batches b ON b.id = sl.batch_id
			JOIN designs_versions v ON v.id = b.version_id JOIN designs_designs d ON d.id = v.design_id
			WHERE sh.created_at >= ? AND sh.created_at < ? ORDER BY sh.id, sl.batch_id, sl.status`,
	},
	"stock": {
		header: []string{"location_id", "location", "location_kind", "batch_id", "design_id", "design", "version", "maker_id", "maker",
			"filament_lot", "status", "quantity", "held_by_recall"},
		query: `SELECT l.id, l.name, l.kind, st.batch_id, v.design_id, d.title, v.number, b.maker_id, u.name, b.filament_lot, st.status,
			st.quantity, EXISTS (SELECT 1 FROM batch_holds h WHERE h.batch_id = b.id AND h.released_at IS NULL)
			FROM stock st JOIN locations l ON l.id = st.location_id JOIN batches b ON b.id = st.batch_id
			JOIN designs_versions v ON v.id = b.version_id JOIN designs_designs d ON d.id = v.design_id JOIN accounts_users u ON u.id = b.maker_id
			WHERE st.quantity > 0 ORDER BY l.name, st.batch_id, st.status`,
	},
	"ledger": {
		header: []string{"movement_id", "at_utc", "kind", "batch_id", "design_id", "design", "version", "from_location_id", "from",
			"from_status", "to_location_id", "to", "to_status", "quantity", "shipment_id", "reason", "actor_id", "actor"},
		query: `SELECT m.id, m.at, m.kind, m.batch_id, v.design_id, d.title, v.number, m.from_location_id, fl.name, m.from_status,
			m.to_location_id, tl.name, m.to_status, m.quantity, m.shipment_id, m.reason, m.actor_id, u.name
			FROM movements m JOIN batches b ON b.id = m.batch_id JOIN designs_versions v ON v.id = b.version_id
			JOIN designs_designs d ON d.id = v.design_id LEFT JOIN locations fl ON fl.id = m.from_location_id
			LEFT JOIN locations tl ON tl.id = m.to_location_id LEFT JOIN accounts_users u ON u.id = m.actor_id
			WHERE m.at >= ? AND m.at < ? ORDER BY m.id`,
	},
}

// Export streams one of Exports to emit, a header record first, for
// coordinators. A table is read by one statement, so it is one consistent
// snapshot, and it takes no lock writers wait for. Nothing is emitted
// before the caller's right to it is checked and the query has started, so
// an error with no record emitted can still be answered as such.
func (s *Service) Export(ctx context.Context, name string, f ExportFilter, emit func([]Cell) error) error {
	if _, err := makerhub.RequireRole(ctx, "coordinators export the hub's tables", makerhub.RoleCoordinator); err != nil {
		return err
	}
	switch name {
	case "deliveries":
		return s.exportDeliveries(ctx, f.ReportFilter, emit)
	case "rejections":
		return s.exportRejections(ctx, f.From, f.To, emit)
	}
	e, ok := exports[name]
	if !ok {
		return makerhub.Errorf(makerhub.ENOTFOUND, "There is no export %q: use one of requests, shipments, stock, ledger, deliveries, rejections.", name)
	}
	lo, hi, err := window(f.From, f.To)
	if err != nil {
		return err
	}
	var args []any
	if strings.Contains(e.query, "?") { // the stock is now: it takes no window
		args = []any{lo, hi}
	}
	rows, err := s.q(ctx).QueryContext(ctx, e.query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	if len(cols) != len(e.header) {
		return fmt.Errorf("export %s: %d columns for %d headings", name, len(cols), len(e.header))
	}
	header := make([]Cell, len(e.header))
	for i, h := range e.header {
		header[i] = h
	}
	if err := emit(header); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		rec := make([]Cell, len(vals))
		for i, v := range vals {
			if rec[i], err = exportCell(v, strings.HasSuffix(e.header[i], "_utc")); err != nil {
				return fmt.Errorf("export %s, column %s: %w", name, e.header[i], err)
			}
		}
		if err := emit(rec); err != nil {
			return err
		}
	}
	return rows.Err()
}

// exportCell turns a value the driver scanned into a Cell.
func exportCell(v any, isTime bool) (Cell, error) {
	switch v := v.(type) {
	case nil, int64, float64:
		return v, nil
	case []byte:
		return exportCell(string(v), isTime)
	case string:
		if isTime {
			return sqlite.ParseTime(v)
		}
		return v, nil
	case bool:
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	case time.Time:
		return v, nil
	}
	return nil, fmt.Errorf("unexpected %T", v)
}

func (s *Service) exportDeliveries(ctx context.Context, f ReportFilter, emit func([]Cell) error) error {
	rep, err := s.DeliveryReport(ctx, f)
	if err != nil {
		return err
	}
	if err := emit([]Cell{"period", "by", "key", "label", "requested", "produced", "delivered"}); err != nil {
		return err
	}
	for _, r := range rep.Rows {
		if err := emit([]Cell{r.Period, string(rep.By), r.Key, r.Label, int64(r.Requested), int64(r.Produced), int64(r.Delivered)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) exportRejections(ctx context.Context, from, to time.Time, emit func([]Cell) error) error {
	rs, err := s.RejectionReport(ctx, from, to)
	if err != nil {
		return err
	}
	if err := emit([]Cell{"maker_id", "maker", "design_id", "design", "version", "batches", "produced", "passed", "rejected", "reject_rate"}); err != nil {
		return err
	}
	for _, r := range rs {
		if err := emit([]Cell{r.MakerID, r.MakerName, r.DesignID, r.DesignTitle, int64(r.Version), int64(r.Batches), int64(r.Produced),
			int64(r.Passed), int64(r.Rejected), r.RejectRate}); err != nil {
			return err
		}
	}
	return nil
}

// FormatCell writes a Cell as spreadsheet text: numbers plainly, times as
// "2006-01-02 15:04:05" in UTC (which spreadsheets read as a date), and
// text that a spreadsheet would run as a formula (starting with =, +, -, @,
// a tab or a carriage return) behind an apostrophe, as OWASP advises
// against CSV injection.
func FormatCell(c Cell) string {
	switch v := c.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case time.Time:
		return v.UTC().Format(time.DateTime)
	case string:
		if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
			return "'" + v
		}
		return v
	}
	return fmt.Sprint(c)
}

package inventory

import (
	"context"
	"fmt"

	"github.com/makerhub/makerhub/internal/sqlite"
)

// Check verifies the inventory's invariants and returns every violation,
// one sentence each (none: all hold). It reads inside one transaction,
// which holds SQLite's write lock (the hub's transactions all do), so it
// sees one consistent state even on a live hub, whose writers wait for it.
// `makerhub fsck` and the tests run it.
//
//   - the stock is the ledger summed, for every batch, location and status,
//     and never below zero;
//   - for each batch, produced + adjusted in = in stock (hospitals included)
//   - in transit + rejected + adjusted out + missing;
//   - for each request, the units counted in inventory are those of its
//     batches in stock short of a hospital or in transit, and it was not
//     delivered more than its shipments brought it (requested = delivered
//   - open + cancelled holds by construction: open is derived, and the
//     schema's CHECKs keep delivered + cancelled within the quantity);
//   - a job is handed over exactly when a batch holds its units;
//   - a spool's grams are its events summed, and a batch printed from a
//     spool took its grams from it exactly once.
func (s *Service) Check(ctx context.Context) ([]string, error) {
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) ([]string, error) {
		tx := s.q(ctx)
		var problems []string
		for _, c := range checks {
			rows, err := tx.QueryContext(ctx, c.query)
			if err != nil {
				return nil, fmt.Errorf("check %q: %w", c.what, err)
			}
			for rows.Next() {
				var id, a, b any
				if err := rows.Scan(&id, &a, &b); err != nil {
					rows.Close()
					return nil, err
				}
				problems = append(problems, fmt.Sprintf(c.what, id, a, b))
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
		return problems, nil
	})
}

// checks are queries returning (subject, found, expected) for each
// violation, and how to say it.
var checks = []struct{ what, query string }{
	{"stock of batch %v (location, status: %v) is %v: the ledger does not sum to it",
		`WITH ledger AS (
			SELECT batch_id, location_id, status, sum(q) AS q FROM (
				SELECT batch_id, to_location_id AS location_id, to_status AS status, quantity AS q FROM movements WHERE to_location_id IS NOT NULL
				UNION ALL
				SELECT batch_id, from_location_id, from_status, -quantity FROM movements WHERE from_location_id IS NOT NULL)
			GROUP BY batch_id, location_id, status)
		SELECT COALESCE(s.batch_id, l.batch_id), COALESCE(s.location_id, l.location_id) || ', ' || COALESCE(s.status, l.status),
			COALESCE(s.quantity, 0) || ' (ledger: ' || COALESCE(l.q, 0) || ')'
		FROM stock s FULL OUTER JOIN ledger l ON l.batch_id = s.batch_id AND l.location_id = s.location_id AND l.status = s.status
		WHERE COALESCE(s.quantity, 0) != COALESCE(l.q, 0) OR COALESCE(s.quantity, 0) < 0`},
	{"batch %v produced %v but its units add up to %v (in stock + in transit + rejected + adjusted out + missing)",
		`SELECT b.id,
			(SELECT COALESCE(sum(quantity), 0) FROM movements WHERE batch_id = b.id AND (kind = 'produced' OR kind = 'adjusted' AND from_location_id IS NULL)),
			(SELECT COALESCE(sum(quantity), 0) FROM stock WHERE batch_id = b.id)
			+ (SELECT COALESCE(sum(CASE kind WHEN 'shipped' THEN quantity WHEN 'received' THEN -quantity END), 0) FROM movements WHERE batch_id = b.id)
			+ (SELECT COALESCE(sum(quantity), 0) FROM movements WHERE batch_id = b.id AND (kind = 'quality_rejected' OR kind = 'adjusted' AND to_location_id IS NULL))
		FROM batches b WHERE
			(SELECT COALESCE(sum(quantity), 0) FROM movements WHERE batch_id = b.id AND (kind = 'produced' OR kind = 'adjusted' AND from_location_id IS NULL))
			!= (SELECT COALESCE(sum(quantity), 0) FROM stock WHERE batch_id = b.id)
			+ (SELECT COALESCE(sum(CASE kind WHEN 'shipped' THEN quantity WHEN 'received' THEN -quantity END), 0) FROM movements WHERE batch_id = b.id)
			+ (SELECT COALESCE(sum(quantity), 0) FROM movements WHERE batch_id = b.id AND (kind = 'quality_rejected' OR kind = 'adjusted' AND to_location_id IS NULL))
			OR (SELECT COALESCE(sum(quantity), 0) FROM movements WHERE batch_id = b.id AND kind = 'produced') != b.quantity`},
	{"shipment lines of batch %v: %v shipped by the ledger, %v by the shipments",
		`SELECT b.id,
			(SELECT COALESCE(sum(quantity), 0) FROM movements WHERE batch_id = b.id AND kind = 'shipped'),
			(SELECT COALESCE(sum(l.quantity), 0) FROM shipment_lines l JOIN shipments sh ON sh.id = l.shipment_id
				WHERE l.batch_id = b.id AND sh.state IN ('in_transit', 'delivered', 'received'))
		FROM batches b WHERE (SELECT COALESCE(sum(quantity), 0) FROM movements WHERE batch_id = b.id AND kind = 'shipped')
			!= (SELECT COALESCE(sum(l.quantity), 0) FROM shipment_lines l JOIN shipments sh ON sh.id = l.shipment_id
				WHERE l.batch_id = b.id AND sh.state IN ('in_transit', 'delivered', 'received'))`},
	{"request %v counts %v unit(s) in inventory, but its batches have %v in stock short of a hospital or in transit",
		`WITH way AS (
			SELECT b.request_id, sum(q) AS q FROM batches b JOIN (
				SELECT st.batch_id, st.quantity AS q FROM stock st JOIN locations l ON l.id = st.location_id WHERE l.kind != 'hospital'
				UNION ALL
				SELECT sl.batch_id, sl.quantity FROM shipment_lines sl JOIN shipments sh ON sh.id = sl.shipment_id
				WHERE sh.state IN ('in_transit', 'delivered')) u ON u.batch_id = b.id
			GROUP BY b.request_id)
		SELECT r.id, r.in_inventory, COALESCE(w.q, 0) FROM production_requests r LEFT JOIN way w ON w.request_id = r.id
		WHERE r.in_inventory != COALESCE(w.q, 0)`},
	{"request %v was delivered %v unit(s), more than the %v its received shipments brought",
		`SELECT r.id, r.delivered, COALESCE((SELECT sum(received) FROM shipment_lines WHERE request_id = r.id AND received IS NOT NULL), 0)
		FROM production_requests r WHERE r.delivered > COALESCE((SELECT sum(received) FROM shipment_lines WHERE request_id = r.id AND received IS NOT NULL), 0)`},
	{"job %v is %v but %v batch(es) hold its units",
		`SELECT j.id, j.state, (SELECT count(*) FROM batches WHERE job_id = j.id) FROM production_jobs j
		WHERE (j.state = 'handed_over') != EXISTS (SELECT 1 FROM batches WHERE job_id = j.id)`},
	{"spool %v has %v g left, but its events sum to %v g",
		`SELECT s.id, s.grams_left, round(COALESCE((SELECT sum(grams) FROM spool_events WHERE spool_id = s.id), 0), 1) FROM spools s
		WHERE abs(s.grams_left - COALESCE((SELECT sum(grams) FROM spool_events WHERE spool_id = s.id), 0)) > 0.001`},
	{"batch %v took %v g from its spool, but the spool's events record %v g",
		`SELECT b.id, b.filament_g, COALESCE((SELECT -sum(grams) FROM spool_events WHERE batch_id = b.id AND spool_id = b.spool_id), 0)
		FROM batches b WHERE b.spool_id IS NOT NULL AND abs(b.filament_g
			- COALESCE((SELECT -sum(grams) FROM spool_events WHERE batch_id = b.id AND spool_id = b.spool_id), 0)) > 0.001`},
}

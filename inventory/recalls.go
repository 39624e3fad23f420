package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production/notify"
)

// Recall is a withdrawn design version or a bad filament lot, with
// everything it reaches: the batches printed from it (held back from
// moving until a coordinator releases each), where their units are, the
// shipments that carried them, and the hospitals that hold or are getting
// them.
type Recall struct {
	ID          int64            `json:"id"`
	Kind        string           `json:"kind"` // version or filament_lot
	DesignID    *int64           `json:"design_id"`
	Version     *int             `json:"version"`
	FilamentLot *string          `json:"filament_lot"`
	Reason      string           `json:"reason"`
	CreatedBy   int64            `json:"created_by"`
	CreatedAt   time.Time        `json:"created_at"`
	Batches     []RecallBatch    `json:"batches"`
	Stock       []*StockLine     `json:"stock"`
	Shipments   []RecallShipment `json:"shipments"`
	Hospitals   []RecallHospital `json:"hospitals"`
	// Spools of a recalled filament lot that still hold filament: their
	// makers must not print with them.
	Spools []*Spool `json:"spools"`
}

// RecallBatch is a batch a recall reaches.
type RecallBatch struct {
	BatchID    int64      `json:"batch_id"`
	MakerID    int64      `json:"maker_id"`
	Quantity   int        `json:"quantity"`
	Held       bool       `json:"held"` // false once a coordinator released it
	ReleasedAt *time.Time `json:"released_at"`
}

// RecallShipment is a shipment that carried units of a recalled batch.
type RecallShipment struct {
	ShipmentID   int64         `json:"shipment_id"`
	State        ShipmentState `json:"state"`
	ToLocationID int64         `json:"to_location_id"`
	ToName       string        `json:"to_name"`
	Units        int           `json:"units"`
}

// RecallHospital is a hospital that holds or is getting recalled units.
type RecallHospital struct {
	OrganisationID int64  `json:"organisation_id"`
	Name           string `json:"name"`
	Received       int    `json:"received"` // in its stock
	OnTheWay       int    `json:"on_the_way"`
}

// RecallInput opens a recall of a filament lot, or of a design version
// already withdrawn (withdrawing a version opens its recall by itself).
type RecallInput struct {
	DesignID    int64  `json:"design_id"`
	Version     int    `json:"version"`
	FilamentLot string `json:"filament_lot"`
	Reason      string `json:"reason"`
}

// CreateRecall opens a recall (coordinators).
func (s *Service) CreateRecall(ctx context.Context, in RecallInput) (*Recall, error) {
	u, err := makerhub.RequireRole(ctx, "coordinators open recalls", makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	in.Reason, in.FilamentLot = strings.TrimSpace(in.Reason), strings.TrimSpace(in.FilamentLot)
	switch {
	case in.Reason == "" || len(in.Reason) > 2000:
		return nil, makerhub.Errorf(makerhub.EINVALID, "reason is required, at most 2000 characters: say what is wrong, for the hospitals and makers told.")
	case (in.FilamentLot != "") == (in.DesignID > 0):
		return nil, makerhub.Errorf(makerhub.EINVALID, "Give either filament_lot, or design_id and version.")
	case in.DesignID > 0 && in.Version <= 0:
		return nil, makerhub.Errorf(makerhub.EINVALID, "version is required with design_id.")
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Recall, error) {
		tx := s.q(ctx)
		var id int64
		var err error
		if in.FilamentLot != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM batches WHERE filament_lot = ?`, in.FilamentLot).Scan(&n); err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, makerhub.Errorf(makerhub.ENOTFOUND, "No batch was printed with filament lot %q: check the lot as makers entered it.", in.FilamentLot)
			}
			id, err = s.recall(ctx, tx, u, "filament_lot", 0, in.FilamentLot, in.Reason)
		} else {
			var v designs.VersionRef
			v, err = s.designs.VersionRefByNumber(ctx, in.DesignID, in.Version)
			switch {
			case err != nil:
				return nil, err
			case v.Lifecycle != designs.Withdrawn:
				return nil, makerhub.Errorf(makerhub.ECONFLICT, "Version %d of design %d is not withdrawn: withdraw it (POST /api/v1/designs/%d/versions/%d/lifecycle), which opens its recall.", in.Version, in.DesignID, in.DesignID, in.Version)
			}
			id, err = s.recall(ctx, tx, u, "version", v.VersionID, "", in.Reason)
		}
		if err != nil {
			return nil, err
		}
		r, err := s.findRecall(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return r, nil
	})
}

// RecallWithdrawn is designs' withdrawal hook: it recalls the version's
// batches in the withdrawal's unit of work (ctx).
func (s *Service) RecallWithdrawn(ctx context.Context, versionID int64, reason string) error {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return err
	}
	_, err = s.recall(ctx, s.q(ctx), u, "version", versionID, "", orDefault(reason, "the design version was withdrawn"))
	return err
}

// recall records a recall, holds every batch it reaches and tells the
// makers who printed them and the hospitals that hold or are getting their
// units (in-app and by webhook).
func (s *Service) recall(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, kind string, versionID int64, lot, reason string) (int64, error) {
	var version, filament any
	cond, arg := "filament_lot = ?", any(lot)
	if kind == "version" {
		version, cond, arg = versionID, "version_id = ?", versionID
		var open int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM recalls WHERE version_id = ?`, versionID).Scan(&open)
		if err == nil {
			return 0, makerhub.Errorf(makerhub.ECONFLICT, "This version is already recalled: recall %d.", open)
		} else if !sqlite.NoRows(err) {
			return 0, err
		}
	} else {
		filament = lot
	}
	at := sqlite.FormatTime(s.now())
	res, err := tx.ExecContext(ctx, `INSERT INTO recalls (kind, version_id, filament_lot, reason, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, kind, version, filament, reason, u.ID, at)
	if err != nil {
		return 0, fmt.Errorf("insert recall: %w", err)
	}
	id, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO batch_holds (batch_id, recall_id) SELECT id, ? FROM batches WHERE `+cond,
		id, arg); err != nil {
		return 0, fmt.Errorf("hold the recalled batches: %w", err)
	}
	if err := s.accounts.Audit(ctx, "recall.open", "recall", id, reason, nil, map[string]any{"kind": kind, "version_id": version, "filament_lot": filament}); err != nil {
		return 0, err
	}
	if s.notifier == nil {
		return id, nil
	}
	r, err := s.findRecall(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	what := "filament lot " + lot
	if kind == "version" {
		refs, err := s.designs.VersionRefs(ctx, []int64{versionID})
		if err != nil {
			return 0, err
		}
		what = fmt.Sprintf("%s, version %d", refs[versionID].Title, *r.Version)
	}
	link := fmt.Sprintf("/api/v1/recalls/%d", id)
	for _, h := range r.Hospitals {
		if err := s.notifier.Notify(ctx, makerhub.Notice{OrganisationID: h.OrganisationID, Kind: notify.KindRecall,
			Title: "Recall: " + what,
			Body:  fmt.Sprintf("%s. Set aside the %d unit(s) you received and refuse the %d on their way until the hub says otherwise.", reason, h.Received, h.OnTheWay),
			Link:  link, Data: map[string]any{"recall_id": id, "received": h.Received, "on_the_way": h.OnTheWay}}); err != nil {
			return 0, err
		}
	}
	makers := map[int64]int{}
	spools := map[int64][]string{}
	for _, b := range r.Batches {
		makers[b.MakerID] += b.Quantity
	}
	for _, sp := range r.Spools {
		makers[sp.MakerID] += 0
		spools[sp.MakerID] = append(spools[sp.MakerID], fmt.Sprintf("%d (%.0f g)", sp.ID, sp.GramsLeft))
	}
	for _, m := range slices.Sorted(maps.Keys(makers)) {
		org, err := s.accounts.UserOrganisation(ctx, m)
		if err != nil {
			return 0, err
		}
		body := reason + "."
		if makers[m] > 0 {
			body += fmt.Sprintf(" Your batches of it (%d unit(s)) are held: do not ship them until a coordinator releases them.", makers[m])
		}
		if len(spools[m]) > 0 {
			body += fmt.Sprintf(" Do not print with your spool(s) of this lot: %s.", strings.Join(spools[m], ", "))
		}
		if err := s.notifier.Notify(ctx, makerhub.Notice{UserID: m, OrganisationID: org, Kind: notify.KindRecall,
			Title: "Recall: " + what, Body: body, Link: link, Data: map[string]any{"recall_id": id}}); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (s *Service) findRecall(ctx context.Context, q sqlite.Queryer, id int64) (*Recall, error) {
	r := &Recall{}
	var versionID sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT r.id, r.kind, r.version_id, v.design_id, v.number, r.filament_lot, r.reason, r.created_by, r.created_at
		FROM recalls r LEFT JOIN designs_versions v ON v.id = r.version_id WHERE r.id = ?`, id).Scan(&r.ID, &r.Kind, &versionID,
		&r.DesignID, &r.Version, &r.FilamentLot, &r.Reason, &r.CreatedBy, sqlite.Time(&r.CreatedAt))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Recall %d does not exist.", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT b.id, b.maker_id, b.quantity, h.released_at FROM batch_holds h JOIN batches b ON b.id = h.batch_id
		WHERE h.recall_id = ? ORDER BY b.id`, id)
	if err != nil {
		return nil, err
	}
	r.Batches = []RecallBatch{}
	for rows.Next() {
		var b RecallBatch
		if err := rows.Scan(&b.BatchID, &b.MakerID, &b.Quantity, sqlite.NullTime(&b.ReleasedAt)); err != nil {
			rows.Close()
			return nil, err
		}
		b.Held = b.ReleasedAt == nil
		r.Batches = append(r.Batches, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	held := `st.batch_id IN (SELECT batch_id FROM batch_holds WHERE recall_id = ?)`
	if r.Stock, err = s.stockLines(ctx, q, held, id); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT sh.id, sh.state, sh.to_location_id, l.name, sum(sl.quantity)
		FROM shipment_lines sl JOIN shipments sh ON sh.id = sl.shipment_id JOIN locations l ON l.id = sh.to_location_id
		WHERE sl.batch_id IN (SELECT batch_id FROM batch_holds WHERE recall_id = ?) AND sh.state != 'cancelled'
		GROUP BY sh.id ORDER BY sh.id`, id)
	if err != nil {
		return nil, err
	}
	r.Shipments = []RecallShipment{}
	for rows.Next() {
		var sh RecallShipment
		if err := rows.Scan(&sh.ShipmentID, &sh.State, &sh.ToLocationID, &sh.ToName, &sh.Units); err != nil {
			rows.Close()
			return nil, err
		}
		r.Shipments = append(r.Shipments, sh)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The hospitals: those holding units in stock, and those a dispatched
	// shipment is bringing units to.
	rows, err = q.QueryContext(ctx, `SELECT l.organisation_id, l.name,
		COALESCE((SELECT sum(st.quantity) FROM stock st WHERE st.location_id = l.id AND `+held+`), 0),
		COALESCE((SELECT sum(sl.quantity) FROM shipment_lines sl JOIN shipments sh ON sh.id = sl.shipment_id
			WHERE sh.to_location_id = l.id AND sh.state IN ('in_transit', 'delivered')
			AND sl.batch_id IN (SELECT batch_id FROM batch_holds WHERE recall_id = ?)), 0) AS coming
		FROM locations l WHERE l.kind = 'hospital'
		AND (EXISTS (SELECT 1 FROM stock st WHERE st.location_id = l.id AND st.quantity > 0 AND `+held+`)
			OR EXISTS (SELECT 1 FROM shipment_lines sl JOIN shipments sh ON sh.id = sl.shipment_id
				WHERE sh.to_location_id = l.id AND sh.state IN ('in_transit', 'delivered')
				AND sl.batch_id IN (SELECT batch_id FROM batch_holds WHERE recall_id = ?)))
		ORDER BY l.name, l.id`, id, id, id, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	r.Hospitals = []RecallHospital{}
	for rows.Next() {
		var h RecallHospital
		if err := rows.Scan(&h.OrganisationID, &h.Name, &h.Received, &h.OnTheWay); err != nil {
			return nil, err
		}
		r.Hospitals = append(r.Hospitals, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r.Spools, err = sqlite.Collect(s.scanSpool)(q.QueryContext(ctx, `SELECT `+spoolColumns+` FROM spools
		WHERE ? != '' AND lot = ? AND grams_left > 0 ORDER BY maker_id, id`, r.FilamentLot, r.FilamentLot))
	return r, err
}

// FindRecallByID returns a recall. Coordinators see all it reaches; a
// maker or a hospital sees the recall with only their own batches, stock,
// shipments and hospital.
func (s *Service) FindRecallByID(ctx context.Context, id int64) (*Recall, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.findRecall(ctx, s.q(ctx), id)
	if err != nil || u.Role == makerhub.RoleCoordinator {
		return r, err
	}
	org := u.OrganisationID()
	ids, err := sqlite.Collect(func(row interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	})(s.q(ctx).QueryContext(ctx, `SELECT id FROM locations WHERE organisation_id = ?`, org))
	if err != nil {
		return nil, err
	}
	mine := map[int64]bool{}
	for _, id := range ids {
		mine[id] = true
	}
	r.Batches = slices.DeleteFunc(r.Batches, func(b RecallBatch) bool { return b.MakerID != u.ID })
	r.Stock = slices.DeleteFunc(r.Stock, func(l *StockLine) bool { return !mine[l.LocationID] })
	r.Shipments = slices.DeleteFunc(r.Shipments, func(sh RecallShipment) bool { return !mine[sh.ToLocationID] })
	r.Hospitals = slices.DeleteFunc(r.Hospitals, func(h RecallHospital) bool { return h.OrganisationID != org })
	r.Spools = slices.DeleteFunc(r.Spools, func(sp *Spool) bool { return sp.MakerID != u.ID })
	return r, nil
}

// FindRecalls lists the recalls, newest first (any logged-in user: a
// recall is public knowledge; what it reaches is in FindRecallByID).
func (s *Service) FindRecalls(ctx context.Context) ([]*Recall, error) {
	if _, err := makerhub.RequireUser(ctx); err != nil {
		return nil, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT r.id, r.kind, v.design_id, v.number, r.filament_lot, r.reason, r.created_by, r.created_at
		FROM recalls r LEFT JOIN designs_versions v ON v.id = r.version_id ORDER BY r.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*Recall{}
	for rows.Next() {
		r := &Recall{}
		if err := rows.Scan(&r.ID, &r.Kind, &r.DesignID, &r.Version, &r.FilamentLot, &r.Reason, &r.CreatedBy, sqlite.Time(&r.CreatedAt)); err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// ReleaseInput releases a held batch, with why it is safe.
type ReleaseInput struct {
	Note string `json:"note"`
}

// ReleaseBatch lets a recalled batch move again (coordinators): inspected
// and found sound, or to be moved to a hub for destruction.
func (s *Service) ReleaseBatch(ctx context.Context, recallID, batchID int64, in ReleaseInput) (*Recall, error) {
	u, err := makerhub.RequireRole(ctx, "coordinators release recalled batches", makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	in.Note = strings.TrimSpace(in.Note)
	if in.Note == "" || len(in.Note) > 2000 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "note is required, at most 2000 characters: say why the batch may move again.")
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Recall, error) {
		tx := s.q(ctx)
		res, err := tx.ExecContext(ctx, `UPDATE batch_holds SET released_at = ?, released_by = ?, note = ?
		WHERE recall_id = ? AND batch_id = ? AND released_at IS NULL`, sqlite.FormatTime(s.now()), u.ID, in.Note, recallID, batchID)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.findRecall(ctx, tx, recallID); err != nil {
				return nil, err
			}
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Recall %d does not hold batch %d (not reached by it, or released already).", recallID, batchID)
		}
		if err := s.accounts.Audit(ctx, "recall.release", "batch", batchID, fmt.Sprintf("recall %d: %s", recallID, in.Note),
			map[string]any{"held_by_recall": recallID}, map[string]any{"held_by_recall": nil}); err != nil {
			return nil, err
		}
		r, err := s.findRecall(ctx, tx, recallID)
		if err != nil {
			return nil, err
		}
		return r, nil
	})
}

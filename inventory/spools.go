package inventory

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production/notify"
)

// Spool is a reel of filament a maker has: volunteers named raw material
// as what held production back in 2020, so the hub counts it. Batches
// consume their estimated grams from the spool their maker names.
type Spool struct {
	ID        int64     `json:"id"`
	MakerID   int64     `json:"maker_id"`
	Material  string    `json:"material"` // upper case, as printers and designs name it: PLA, PETG
	Colour    string    `json:"colour"`
	GramsLeft float64   `json:"grams_left"`
	Lot       string    `json:"lot"`   // the manufacturer's lot, printed on the spool: recalls name it
	Donor     string    `json:"donor"` // who gave it, if donated
	Low       bool      `json:"low"`   // under the hub's low-spool threshold
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SpoolEvent is a change of a spool's grams: added, weighed or consumed
// (by a batch).
type SpoolEvent struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Grams     float64   `json:"grams"` // the change; negative when consumed
	GramsLeft float64   `json:"grams_left"`
	BatchID   *int64    `json:"batch_id"`
	ActorID   *int64    `json:"actor_id"`
	At        time.Time `json:"at"`
}

// SpoolInput registers a spool. Coordinators registering a donated spool
// for a maker name them with MakerID; makers register their own.
type SpoolInput struct {
	MakerID   int64    `json:"maker_id"`
	Material  string   `json:"material"`
	Colour    string   `json:"colour"`
	GramsLeft *float64 `json:"grams_left"`
	Lot       string   `json:"lot"`
	Donor     string   `json:"donor"`
}

// SpoolUpdate changes a spool: GramsLeft after weighing it, or its labels.
// Absent fields are left as they are.
type SpoolUpdate struct {
	GramsLeft *float64 `json:"grams_left"`
	Colour    *string  `json:"colour"`
	Lot       *string  `json:"lot"`
	Donor     *string  `json:"donor"`
}

// maxSpoolGrams bounds a spool's figure: the largest common spools hold 10 kg.
const maxSpoolGrams = 100_000

const spoolColumns = `id, maker_id, material, colour, grams_left, lot, donor, created_at, updated_at`

func (s *Service) scanSpool(row interface{ Scan(...any) error }) (*Spool, error) {
	sp := &Spool{}
	err := row.Scan(&sp.ID, &sp.MakerID, &sp.Material, &sp.Colour, &sp.GramsLeft, &sp.Lot, &sp.Donor,
		sqlite.Time(&sp.CreatedAt), sqlite.Time(&sp.UpdatedAt))
	sp.Low = sp.GramsLeft < s.lowSpoolG
	return sp, err
}

func (s *Service) findSpool(ctx context.Context, q sqlite.Queryer, id int64) (*Spool, error) {
	sp, err := s.scanSpool(q.QueryRowContext(ctx, `SELECT `+spoolColumns+` FROM spools WHERE id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Spool %d does not exist.", id)
	}
	return sp, err
}

func checkGrams(field string, g *float64) error {
	if g == nil {
		return makerhub.Errorf(makerhub.EINVALID, "%s is required: weigh the spool and give the filament's weight in grams (without the reel).", field)
	}
	if math.IsNaN(*g) || *g < 0 || *g > maxSpoolGrams {
		return makerhub.Errorf(makerhub.EUNPROCESSABLE, "%s is %v: give the filament's weight in grams, from 0 to %d.", field, *g, maxSpoolGrams)
	}
	return nil
}

// spoolLabels trims a spool's colour, lot and donor (those given: nil is
// left out) and checks their lengths.
func spoolLabels(colour, lot, donor *string) error {
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"colour", colour, 100}, {"lot", lot, 200}, {"donor", donor, 200}} {
		if f.v == nil {
			continue
		}
		if *f.v = strings.TrimSpace(*f.v); len(*f.v) > f.max {
			return makerhub.Errorf(makerhub.EINVALID, "%s must be at most %d characters long.", f.name, f.max)
		}
	}
	return nil
}

// CreateSpool registers a spool: a maker's own, or one a coordinator
// gives to a maker.
func (s *Service) CreateSpool(ctx context.Context, in SpoolInput) (*Spool, error) {
	u, err := makerhub.RequireRole(ctx, "makers and coordinators register spools", makerhub.RoleMaker, makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Role == makerhub.RoleMaker && in.MakerID != 0 && in.MakerID != u.ID:
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Makers register their own spools: leave maker_id out.")
	case u.Role == makerhub.RoleMaker:
		in.MakerID = u.ID
	case in.MakerID <= 0:
		return nil, makerhub.Errorf(makerhub.EINVALID, "maker_id is required: the maker who has the spool.")
	}
	in.Material = strings.ToUpper(strings.TrimSpace(in.Material))
	if in.Material == "" || len(in.Material) > 40 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "material is required (at most 40 characters): PLA, PETG, ABS…")
	}
	if err := checkGrams("grams_left", in.GramsLeft); err != nil {
		return nil, err
	}
	if err := spoolLabels(&in.Colour, &in.Lot, &in.Donor); err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Spool, error) {
		tx := s.q(ctx)
		if m, err := s.accounts.LookupUser(ctx, in.MakerID); makerhub.ErrorCode(err) == makerhub.ENOTFOUND || err == nil && m.Role != makerhub.RoleMaker {
			return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "User %d is not a maker: spools belong to makers.", in.MakerID)
		} else if err != nil {
			return nil, err
		}
		at := sqlite.FormatTime(s.now())
		res, err := tx.ExecContext(ctx, `INSERT INTO spools (maker_id, material, colour, grams_left, lot, donor, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.MakerID, in.Material, in.Colour, *in.GramsLeft, in.Lot, in.Donor, at, at)
		if err != nil {
			return nil, fmt.Errorf("insert spool: %w", err)
		}
		id, _ := res.LastInsertId()
		if err := spoolEvent(ctx, tx, id, "added", *in.GramsLeft, *in.GramsLeft, nil, u.ID, at); err != nil {
			return nil, err
		}
		sp, err := s.findSpool(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return sp, nil
	})
}

func spoolEvent(ctx context.Context, tx sqlite.Queryer, spool int64, kind string, grams, left float64, batch *int64, actor int64, at string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO spool_events (spool_id, kind, grams, grams_left, batch_id, actor_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, spool, kind, grams, left, batch, actor, at)
	if err != nil {
		return fmt.Errorf("record the spool's %s event: %w", kind, err)
	}
	return nil
}

// mayUseSpool: its maker and coordinators.
func mayUseSpool(u *makerhub.User, sp *Spool) error {
	if u.Role == makerhub.RoleCoordinator || u.ID == sp.MakerID {
		return nil
	}
	return makerhub.Errorf(makerhub.EFORBIDDEN, "Spool %d is another maker's.", sp.ID)
}

// UpdateSpool records a spool's weight after weighing it, or corrects its
// colour, lot or donor (its maker or a coordinator).
func (s *Service) UpdateSpool(ctx context.Context, id int64, in SpoolUpdate) (*Spool, error) {
	u, err := makerhub.RequireRole(ctx, "makers and coordinators update spools", makerhub.RoleMaker, makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	if in.GramsLeft != nil {
		if err := checkGrams("grams_left", in.GramsLeft); err != nil {
			return nil, err
		}
	}
	if err := spoolLabels(in.Colour, in.Lot, in.Donor); err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Spool, error) {
		tx := s.q(ctx)
		sp, err := s.findSpool(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := mayUseSpool(u, sp); err != nil {
			return nil, err
		}
		at := sqlite.FormatTime(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE spools SET grams_left = COALESCE(?, grams_left), colour = COALESCE(?, colour),
		lot = COALESCE(?, lot), donor = COALESCE(?, donor), updated_at = ? WHERE id = ?`,
			in.GramsLeft, in.Colour, in.Lot, in.Donor, at, id); err != nil {
			return nil, err
		}
		if in.GramsLeft != nil && *in.GramsLeft != sp.GramsLeft {
			if err := spoolEvent(ctx, tx, id, "weighed", *in.GramsLeft-sp.GramsLeft, *in.GramsLeft, nil, u.ID, at); err != nil {
				return nil, err
			}
		}
		if sp, err = s.findSpool(ctx, tx, id); err != nil {
			return nil, err
		}
		return sp, nil
	})
}

// SpoolFilter selects spools.
type SpoolFilter struct {
	MakerID  int64  // coordinators: one maker's; makers always see their own
	Material string // PLA, PETG…
	Low      bool   // only spools under the low threshold
	Offset   int
	Limit    int // default 100, at most 1000
}

// FindSpools lists spools by maker and material, fullest first: a
// maker's own, or, for coordinators, everyone's. It returns the page and
// the total.
func (s *Service) FindSpools(ctx context.Context, f SpoolFilter) ([]*Spool, int, error) {
	u, err := makerhub.RequireRole(ctx, "makers and coordinators see spools", makerhub.RoleMaker, makerhub.RoleCoordinator)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit, err = makerhub.PageLimit(f.Offset, f.Limit, 100, 1000); err != nil {
		return nil, 0, err
	}
	if u.Role == makerhub.RoleMaker {
		f.MakerID = u.ID
	}
	material := strings.ToUpper(strings.TrimSpace(f.Material))
	low := math.Inf(1)
	if f.Low {
		low = s.lowSpoolG
	}
	where := ` FROM spools WHERE (? = 0 OR maker_id = ?) AND (? = '' OR material = ?) AND grams_left < ?`
	args := []any{f.MakerID, f.MakerID, material, material, low}
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*)`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	sps, err := sqlite.Collect(s.scanSpool)(s.q(ctx).QueryContext(ctx, `SELECT `+spoolColumns+where+
		` ORDER BY maker_id, material, grams_left DESC, id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...))
	return sps, total, err
}

// FindSpoolEvents returns what changed a spool's grams, oldest first.
func (s *Service) FindSpoolEvents(ctx context.Context, id int64) ([]*SpoolEvent, error) {
	u, err := makerhub.RequireRole(ctx, "makers and coordinators see spools", makerhub.RoleMaker, makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	sp, err := s.findSpool(ctx, s.q(ctx), id)
	if err != nil {
		return nil, err
	}
	if err := mayUseSpool(u, sp); err != nil {
		return nil, err
	}
	return sqlite.Collect(func(row interface{ Scan(...any) error }) (*SpoolEvent, error) {
		e := &SpoolEvent{}
		return e, row.Scan(&e.ID, &e.Kind, &e.Grams, &e.GramsLeft, &e.BatchID, &e.ActorID, sqlite.Time(&e.At))
	})(s.q(ctx).QueryContext(ctx, `SELECT id, kind, grams, grams_left, batch_id, actor_id, at FROM spool_events
		WHERE spool_id = ? ORDER BY id`, id))
}

// consume takes a batch's estimated grams from the spool its maker named,
// inside the hand-over's transaction. Like the stock, a spool cannot go
// below zero: if it holds fewer grams than the estimate, its figure is
// wrong (the units were printed), and the maker must weigh it first.
func (s *Service) consume(ctx context.Context, tx sqlite.Queryer, spoolID, makerID int64, material string, grams float64,
	batch int64, actor int64, at string) (*Spool, error) {
	sp, err := s.findSpool(ctx, tx, spoolID)
	if err != nil {
		return nil, err
	}
	if sp.MakerID != makerID {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Spool %d is another maker's: name one of the spools of the maker who printed the job.", spoolID)
	}
	if material != "" && sp.Material != material {
		return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "Spool %d is %s, but the design is printed in %s: name the spool the job was printed from.",
			spoolID, sp.Material, material)
	}
	res, err := tx.ExecContext(ctx, `UPDATE spools SET grams_left = grams_left - ?, updated_at = ? WHERE id = ? AND grams_left >= ?`,
		grams, at, spoolID, grams)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, makerhub.Errorf(makerhub.ECONFLICT, "Spool %d has %.1f g of %s left, but this batch took an estimated %.1f g: weigh the spool and correct its grams_left (PATCH /api/v1/spools/%d), or name the spool it was printed from.",
			spoolID, sp.GramsLeft, sp.Material, grams, spoolID)
	}
	if sp, err = s.findSpool(ctx, tx, spoolID); err != nil {
		return nil, err
	}
	return sp, spoolEvent(ctx, tx, spoolID, "consumed", -grams, sp.GramsLeft, &batch, actor, at)
}

func round1(g float64) float64 { return math.Round(g*10) / 10 }

func cmpDesc(a, b float64) int {
	if a > b {
		return -1
	}
	return 1
}

// warnLowFilament tells a maker, after a batch took from their spool, that
// the spool is low or that their spools of the material will not finish
// their claimed jobs. It returns the warnings, for the hand-over's answer.
func (s *Service) warnLowFilament(ctx context.Context, tx sqlite.Queryer, sp *Spool) ([]string, error) {
	var warnings []string
	if sp.Low {
		warnings = append(warnings, fmt.Sprintf("Spool %d (%s %s) has %.1f g left.", sp.ID, sp.Material, sp.Colour, sp.GramsLeft))
	}
	needs, err := s.forecast(ctx, tx, sp.MakerID)
	if err != nil {
		return nil, err
	}
	for _, n := range needs {
		if n.Material == sp.Material && n.Short() {
			warnings = append(warnings, fmt.Sprintf("Your claimed jobs need %.1f g more %s than your spools hold (%.1f g needed, %.1f g on %d spool(s)).",
				n.ShortG, n.Material, n.NeededG+n.PendingG, n.SpoolsG, n.Spools))
		}
	}
	if len(warnings) == 0 || s.notifier == nil {
		return warnings, nil
	}
	org, err := s.accounts.UserOrganisation(ctx, sp.MakerID)
	if err != nil {
		return nil, err
	}
	return warnings, s.notifier.Notify(ctx, makerhub.Notice{UserID: sp.MakerID, OrganisationID: org,
		Kind: notify.KindFilamentLow, Title: "Filament running low: " + sp.Material, Body: strings.Join(warnings, " "),
		Link: "/api/v1/filament/forecast", Data: map[string]any{"spool_id": sp.ID, "grams_left": sp.GramsLeft}})
}

package production

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Printer is a maker's own 3D printer and the time it gives the hub.
type Printer struct {
	ID             int64      `json:"id"`
	OwnerID        int64      `json:"owner_id"`
	OrganisationID int64      `json:"organisation_id"`
	Name           string     `json:"name"`
	Model          string     `json:"model"`
	BedMM          [3]float64 `json:"bed_mm"` // build volume x, y, z
	NozzleMM       float64    `json:"nozzle_mm"`
	Materials      []string   `json:"materials"`
	HoursPerDay    float64    `json:"hours_per_day"`
	Active         bool       `json:"active"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// PrinterInput creates or edits a printer; nil fields are left as they are
// (on creation name, bed_mm, materials and hours_per_day are required).
type PrinterInput struct {
	Name        *string     `json:"name"`
	Model       *string     `json:"model"`
	BedMM       *[3]float64 `json:"bed_mm"`
	NozzleMM    *float64    `json:"nozzle_mm"`
	Materials   *[]string   `json:"materials"`
	HoursPerDay *float64    `json:"hours_per_day"`
	Active      *bool       `json:"active"`
}

const printerColumns = `id, owner_id, organisation_id, name, model, bed_x_mm, bed_y_mm, bed_z_mm, nozzle_mm,
	materials, hours_per_day, active, created_at, updated_at`

func scanPrinter(row interface{ Scan(...any) error }) (*Printer, error) {
	p := &Printer{}
	var materials string
	err := row.Scan(&p.ID, &p.OwnerID, &p.OrganisationID, &p.Name, &p.Model, &p.BedMM[0], &p.BedMM[1], &p.BedMM[2],
		&p.NozzleMM, &materials, &p.HoursPerDay, &p.Active, sqlite.Time(&p.CreatedAt), sqlite.Time(&p.UpdatedAt))
	if err != nil {
		return nil, err
	}
	p.Materials = strings.Split(materials, ",")
	return p, nil
}

// CreatePrinter adds a printer owned by the acting maker.
func (s *Service) CreatePrinter(ctx context.Context, in PrinterInput) (*Printer, error) {
	u, err := makerhub.RequireRole(ctx, "makers register printers", makerhub.RoleMaker)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Name == nil:
		return nil, makerhub.Errorf(makerhub.EINVALID, "name is required: how you call this printer, e.g. \"Prusa MK3S #2\".")
	case in.BedMM == nil:
		return nil, makerhub.Errorf(makerhub.EINVALID, "bed_mm is required: the build volume [x, y, z] in millimetres, e.g. [250, 210, 210].")
	case in.Materials == nil:
		return nil, makerhub.Errorf(makerhub.EINVALID, "materials is required: the filaments this printer prints, e.g. [\"PLA\", \"PETG\"].")
	case in.HoursPerDay == nil:
		return nil, makerhub.Errorf(makerhub.EINVALID, "hours_per_day is required: how many hours a day the printer can print for the hub (up to 24).")
	}
	p := &Printer{OwnerID: u.ID, OrganisationID: u.OrganisationID(), NozzleMM: 0.4, Active: true}
	if err := applyPrinter(p, in); err != nil {
		return nil, err
	}
	now := sqlite.FormatTime(s.now())
	res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO printers (owner_id, organisation_id, name, model, bed_x_mm, bed_y_mm,
		bed_z_mm, nozzle_mm, materials, hours_per_day, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.OwnerID, p.OrganisationID, p.Name, p.Model, p.BedMM[0], p.BedMM[1], p.BedMM[2], p.NozzleMM,
		strings.Join(p.Materials, ","), p.HoursPerDay, p.Active, now, now)
	if err != nil {
		return nil, fmt.Errorf("insert printer: %w", err)
	}
	id, _ := res.LastInsertId()
	s.printers.clear()
	return findPrinter(ctx, s.q(ctx), id)
}

// UpdatePrinter edits a printer (its owner or a coordinator).
func (s *Service) UpdatePrinter(ctx context.Context, id int64, in PrinterInput) (*Printer, error) {
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Printer, error) {
		tx := s.q(ctx)
		p, err := s.ownPrinter(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := applyPrinter(p, in); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE printers SET name = ?, model = ?, bed_x_mm = ?, bed_y_mm = ?, bed_z_mm = ?,
		nozzle_mm = ?, materials = ?, hours_per_day = ?, active = ?, updated_at = ? WHERE id = ?`,
			p.Name, p.Model, p.BedMM[0], p.BedMM[1], p.BedMM[2], p.NozzleMM, strings.Join(p.Materials, ","),
			p.HoursPerDay, p.Active, sqlite.FormatTime(s.now()), id); err != nil {
			return nil, fmt.Errorf("update printer: %w", err)
		}
		if p, err = findPrinter(ctx, tx, id); err != nil {
			return nil, err
		}
		sqlite.AfterCommit(ctx, s.db, s.printers.clear)
		return p, nil
	})
}

// DeletePrinter removes a printer from the hub (its owner or a
// coordinator). A printer holding claimed jobs cannot go: release or finish
// them first. Its history stays: the row is retired, not erased.
func (s *Service) DeletePrinter(ctx context.Context, id int64) error {
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		tx := s.q(ctx)
		if _, err := s.ownPrinter(ctx, tx, id); err != nil {
			return err
		}
		var busy int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE printer_id = ? AND state IN ('claimed', 'printing')`, id).Scan(&busy); err != nil {
			return err
		}
		if busy > 0 {
			return makerhub.Errorf(makerhub.ECONFLICT, "Printer %d holds %d claimed job(s): complete or release them before removing it.", id, busy)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE printers SET deleted_at = ?, active = 0 WHERE id = ?`, sqlite.FormatTime(s.now()), id); err != nil {
			return err
		}
		sqlite.AfterCommit(ctx, s.db, s.printers.clear)
		return nil
	})
}

// FindPrinterByID returns a printer: its owner, makers of its organisation
// and coordinators may see it.
func (s *Service) FindPrinterByID(ctx context.Context, id int64) (*Printer, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	p, err := findPrinter(ctx, s.q(ctx), id)
	if err != nil {
		return nil, err
	}
	if u.Role != makerhub.RoleCoordinator && p.OwnerID != u.ID && (u.Role != makerhub.RoleMaker || p.OrganisationID != u.OrganisationID()) {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Printer %d belongs to another maker group.", id)
	}
	return p, nil
}

// PrinterFilter selects printers in FindPrinters.
type PrinterFilter struct {
	OwnerID int64 // coordinators only; makers always see their own
	Offset  int
	Limit   int // default 100, at most 1000
}

// FindPrinters lists printers: a maker's own, or any for coordinators.
func (s *Service) FindPrinters(ctx context.Context, f PrinterFilter) ([]*Printer, int, error) {
	u, err := makerhub.RequireRole(ctx, "makers and coordinators list printers", makerhub.RoleMaker, makerhub.RoleCoordinator)
	if err != nil {
		return nil, 0, err
	}
	if u.Role == makerhub.RoleMaker {
		f.OwnerID = u.ID
	}
	limit, err := makerhub.PageLimit(f.Offset, f.Limit, 100, 1000)
	if err != nil {
		return nil, 0, err
	}
	cond, args := "deleted_at IS NULL", []any{}
	if f.OwnerID != 0 {
		cond, args = cond+" AND owner_id = ?", append(args, f.OwnerID)
	}
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM printers WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+printerColumns+` FROM printers WHERE `+cond+` ORDER BY id LIMIT ? OFFSET ?`,
		append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*Printer{}
	for rows.Next() {
		p, err := scanPrinter(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, p)
	}
	return list, total, rows.Err()
}

// ownPrinter loads a printer the caller may change: its owner's, or any
// for coordinators.
func (s *Service) ownPrinter(ctx context.Context, q sqlite.Queryer, id int64) (*Printer, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	p, err := findPrinter(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if u.Role != makerhub.RoleCoordinator && p.OwnerID != u.ID {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Printer %d is another maker's: only its owner and coordinators change it.", id)
	}
	return p, nil
}

func findPrinter(ctx context.Context, q sqlite.Queryer, id int64) (*Printer, error) {
	p, err := scanPrinter(q.QueryRowContext(ctx, `SELECT `+printerColumns+` FROM printers WHERE id = ? AND deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Printer %d does not exist.", id)
	}
	return p, err
}

func applyPrinter(p *Printer, in PrinterInput) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || len(name) > 200 {
			return makerhub.Errorf(makerhub.EINVALID, "name must be 1 to 200 characters long.")
		}
		p.Name = name
	}
	if in.Model != nil {
		if len(*in.Model) > 200 {
			return makerhub.Errorf(makerhub.EINVALID, "model must be at most 200 characters long.")
		}
		p.Model = strings.TrimSpace(*in.Model)
	}
	if in.BedMM != nil {
		for i, v := range *in.BedMM {
			if !(v >= 10 && v <= 2000) || math.IsNaN(v) {
				return makerhub.Errorf(makerhub.EINVALID, "bed_mm[%d] (the %c size of the build volume) is %v mm: it must be between 10 and 2000 mm.", i, "xyz"[i], v)
			}
		}
		p.BedMM = *in.BedMM
	}
	if in.NozzleMM != nil {
		if !(*in.NozzleMM >= 0.1 && *in.NozzleMM <= 2) {
			return makerhub.Errorf(makerhub.EINVALID, "nozzle_mm is %v: it must be between 0.1 and 2 mm.", *in.NozzleMM)
		}
		p.NozzleMM = *in.NozzleMM
	}
	if in.Materials != nil {
		ms, err := normaliseMaterials(*in.Materials)
		if err != nil {
			return err
		}
		p.Materials = ms
	}
	if in.HoursPerDay != nil {
		if !(*in.HoursPerDay > 0 && *in.HoursPerDay <= 24) {
			return makerhub.Errorf(makerhub.EINVALID, "hours_per_day is %v: it must be more than 0 and at most 24.", *in.HoursPerDay)
		}
		p.HoursPerDay = *in.HoursPerDay
	}
	if in.Active != nil {
		p.Active = *in.Active
	}
	return nil
}

func normaliseMaterials(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "materials must list at least one filament, e.g. [\"PLA\"].")
	}
	var out []string
	for _, m := range in {
		m = strings.ToUpper(strings.TrimSpace(m))
		if _, err := designs.LookupMaterial(m); err != nil {
			return nil, makerhub.Errorf(makerhub.EINVALID, "materials: %q is not a known filament; use those listed at /api/v1/materials.", m)
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out, nil
}

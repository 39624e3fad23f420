package inventory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production"
)

// Batch is what one job printed: the unit of traceability.
type Batch struct {
	ID          int64            `json:"id"`
	JobID       int64            `json:"job_id"`
	RequestID   int64            `json:"request_id"`
	DesignID    int64            `json:"design_id"`
	Version     int              `json:"version"`
	VersionID   int64            `json:"version_id"`
	Category    designs.Category `json:"category"`
	MakerID     int64            `json:"maker_id"`
	PrinterID   *int64           `json:"printer_id"`
	FilamentLot string           `json:"filament_lot"`
	SpoolID     *int64           `json:"spool_id"`   // the spool it was printed from, if its maker named one
	FilamentG   float64          `json:"filament_g"` // estimated grams it took (the design's estimate × units)
	Quantity    int              `json:"quantity"`   // produced
	LocationID  int64            `json:"location_id"`
	Files       []BatchFile      `json:"files"`
	PrintedAt   time.Time        `json:"printed_at"`
	ProducedAt  time.Time        `json:"produced_at"`
	// Warnings, in a hand-over's answer: the spool is low, or the maker's
	// spools will not finish their claimed jobs.
	Warnings []string `json:"warnings,omitempty"`
}

// BatchFile is a file a batch was printed from.
type BatchFile struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
}

const batchColumns = `b.id, b.job_id, b.request_id, v.design_id, v.number, b.version_id, d.category, b.maker_id, b.printer_id,
	b.filament_lot, b.spool_id, b.filament_g, b.quantity, b.location_id, b.printed_at, b.produced_at`

const batchFrom = ` FROM batches b JOIN designs_versions v ON v.id = b.version_id JOIN designs_designs d ON d.id = v.design_id `

func scanBatch(row interface{ Scan(...any) error }) (*Batch, error) {
	b := &Batch{}
	err := row.Scan(&b.ID, &b.JobID, &b.RequestID, &b.DesignID, &b.Version, &b.VersionID, &b.Category, &b.MakerID, &b.PrinterID,
		&b.FilamentLot, &b.SpoolID, &b.FilamentG, &b.Quantity, &b.LocationID, sqlite.Time(&b.PrintedAt), sqlite.Time(&b.ProducedAt))
	return b, err
}

func findBatch(ctx context.Context, q sqlite.Queryer, id int64) (*Batch, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, `SELECT `+batchColumns+batchFrom+`WHERE b.id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Batch %d does not exist.", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT sha256, name FROM batch_files WHERE batch_id = ? ORDER BY name`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	b.Files = []BatchFile{}
	for rows.Next() {
		var f BatchFile
		if err := rows.Scan(&f.SHA256, &f.Name); err != nil {
			return nil, err
		}
		b.Files = append(b.Files, f)
	}
	return b, rows.Err()
}

// ProduceInput hands a printed job's units over to the stock.
type ProduceInput struct {
	// SpoolID is the maker's spool the job was printed from: the batch
	// takes its estimated grams from it, and its lot.
	SpoolID *int64 `json:"spool_id"`
	// FilamentLot is the lot printed on the spool, when no spool is named
	// (or to check the named spool's).
	FilamentLot string `json:"filament_lot"`
	Note        string `json:"note"`
}

// Produce hands a printed job over to the stock (its maker or a
// coordinator): the job becomes a batch of its units, unchecked, at the
// maker's site, recorded in the ledger as produced; the job is handed_over,
// in the same transaction. The batch records the filament the design's
// estimate says it took, and takes it from the spool named, if any.
func (s *Service) Produce(ctx context.Context, jobID int64, in ProduceInput) (*Batch, error) {
	u, err := makerhub.RequireRole(ctx, "makers and coordinators hand printed jobs over", makerhub.RoleMaker, makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	in.FilamentLot = strings.TrimSpace(in.FilamentLot)
	if len(in.FilamentLot) > 200 || len(in.Note) > 2000 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "filament_lot must be at most 200 characters long and note at most 2000.")
	}
	material, perUnit, err := s.jobEstimate(ctx, jobID)
	if err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Batch, error) {
		j, err := s.production.HandOver(ctx, jobID, orDefault(in.Note, "handed over to the stock"))
		if err != nil {
			return nil, err
		}
		now := sqlite.FormatTime(s.now())
		site, err := s.makerSite(ctx, *j.ClaimedBy, now)
		if err != nil {
			return nil, fmt.Errorf("the maker of job %d: %w", jobID, err)
		}
		spool, err := s.spoolOf(ctx, &in)
		if err != nil {
			return nil, err
		}
		grams := round1(perUnit * float64(j.Quantity))
		id, err := s.insertBatch(ctx, j, in, grams, site, now)
		if err != nil {
			return nil, err
		}
		var warnings []string
		if spool != nil {
			if spool, err = s.consume(ctx, s.q(ctx), spool.ID, *j.ClaimedBy, material, grams, id, u.ID, now); err != nil {
				return nil, err
			}
			if warnings, err = s.warnLowFilament(ctx, s.q(ctx), spool); err != nil {
				return nil, err
			}
		}
		if err := s.traceFiles(ctx, id, j); err != nil {
			return nil, err
		}
		// Printed from a recalled version or lot: traced, and held at once.
		if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO batch_holds (batch_id, recall_id) SELECT ?, id FROM recalls
		WHERE version_id = ? OR filament_lot = ?`, id, j.VersionID, in.FilamentLot); err != nil {
			return nil, fmt.Errorf("hold the batch for its recalls: %w", err)
		}
		b, err := findBatch(ctx, s.q(ctx), id)
		if err != nil {
			return nil, err
		}
		if _, err := s.apply(ctx, s.q(ctx), &move{batch: b, kind: Produced, to: &place{site, Unchecked}, qty: j.Quantity,
			reason: in.Note, actor: u.ID, at: now}); err != nil {
			return nil, err
		}
		b.Warnings = warnings
		return b, nil
	})
}

// jobEstimate is the material and grams a unit of the job's version takes
// (published versions do not change); nothing for a job that does not
// exist, which the hand-over then reports.
func (s *Service) jobEstimate(ctx context.Context, jobID int64) (material string, perUnit float64, err error) {
	j, err := s.production.LookupJob(ctx, jobID)
	if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
		return "", 0, nil
	} else if err != nil {
		return "", 0, err
	}
	p, err := s.designs.FindPrintProfileByVersionID(ctx, j.VersionID)
	if err != nil {
		return "", 0, err
	}
	return p.Material, p.FilamentG, nil
}

// makerSite is the stock location of a maker's group, made on first need.
func (s *Service) makerSite(ctx context.Context, maker int64, now string) (*Location, error) {
	org, err := s.accounts.UserOrganisation(ctx, maker)
	if err != nil {
		return nil, err
	}
	return s.organisationLocation(ctx, org, now)
}

// spoolOf is the spool a batch was printed from, if in names one, whose
// lot becomes the batch's when in gives none.
func (s *Service) spoolOf(ctx context.Context, in *ProduceInput) (*Spool, error) {
	if in.SpoolID == nil {
		return nil, nil
	}
	spool, err := s.findSpool(ctx, s.q(ctx), *in.SpoolID)
	if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
		return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "spool_id %d: no such spool; list yours with GET /api/v1/spools.", *in.SpoolID)
	} else if err != nil {
		return nil, err
	}
	switch {
	case in.FilamentLot == "":
		in.FilamentLot = spool.Lot
	case spool.Lot != "" && spool.Lot != in.FilamentLot:
		return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "filament_lot %q is not the lot of spool %d (%q): leave filament_lot out, or name the spool the job was printed from.",
			in.FilamentLot, spool.ID, spool.Lot)
	}
	return spool, nil
}

func (s *Service) insertBatch(ctx context.Context, j *production.Job, in ProduceInput, grams float64, site *Location, now string) (int64, error) {
	res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO batches (job_id, request_id, version_id, maker_id, printer_id, filament_lot,
		spool_id, filament_g, quantity, location_id, printed_at, produced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.RequestID, j.VersionID, *j.ClaimedBy, j.PrinterID, in.FilamentLot, in.SpoolID, grams, j.Quantity, site.ID,
		sqlite.FormatTime(j.UpdatedAt), now)
	if err != nil {
		return 0, fmt.Errorf("insert batch: %w", err)
	}
	return res.LastInsertId()
}

// traceFiles records the STL files a batch was printed from: a batch must
// be traceable to the bytes printed, so a version without one is refused.
func (s *Service) traceFiles(ctx context.Context, batch int64, j *production.Job) error {
	files, err := s.designs.VersionSTLFiles(ctx, j.VersionID)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return makerhub.Errorf(makerhub.ECONFLICT, "Version %d of design %d has no STL file: its units cannot be traced to what was printed.", j.Version, j.DesignID)
	}
	for _, f := range files {
		if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO batch_files (batch_id, sha256, name) VALUES (?, ?, ?)`, batch, f.SHA256, f.Name); err != nil {
			return fmt.Errorf("record the batch's files: %w", err)
		}
	}
	return nil
}

// FindBatchByID returns a batch: coordinators, its maker, and the hospital
// it was printed for see it.
func (s *Service) FindBatchByID(ctx context.Context, id int64) (*Batch, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	b, err := findBatch(ctx, s.q(ctx), id)
	if err != nil {
		return nil, err
	}
	return b, s.canSeeBatch(ctx, u, b)
}

func (s *Service) canSeeBatch(ctx context.Context, u *makerhub.User, b *Batch) error {
	switch u.Role {
	case makerhub.RoleCoordinator:
		return nil
	case makerhub.RoleMaker, makerhub.RoleHospital:
		if b.MakerID == u.ID {
			return nil
		}
		// The hospital it was printed for, or an organisation its units
		// went through.
		r, err := s.production.LookupRequest(ctx, b.RequestID)
		if err != nil {
			return err
		}
		if r.OrganisationID == u.OrganisationID() {
			return nil
		}
		var n int
		if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM movements m JOIN locations l ON l.id IN (m.from_location_id, m.to_location_id)
				WHERE m.batch_id = ? AND l.organisation_id = ?`, b.ID, u.OrganisationID()).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
	return makerhub.Errorf(makerhub.EFORBIDDEN, "Batch %d is not yours to see: it was printed by another maker for another hospital.", b.ID)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

package designs

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/makerhub/makerhub"
)

// PrintProfile is what production needs to know to print one unit of a
// published version: its review state and licence (for a hospital's
// acceptance rules), the material, and the STL parts that make a unit, with
// what they take on a bed and the estimated print time for the design's
// settings. A unit is one print of every STL file of the version (a visor's
// headband and its reinforcement, say).
type PrintProfile struct {
	DesignID     int64     `json:"design_id"`
	VersionID    int64     `json:"version_id"`
	Number       int       `json:"number"`
	Title        string    `json:"title"`
	Category     Category  `json:"category"`
	Licence      Licence   `json:"licence"`
	Status       Status    `json:"status"`
	Lifecycle    Lifecycle `json:"lifecycle"`
	Material     string    `json:"material"`
	Parts        []Part    `json:"parts"`
	PrintMinutes float64   `json:"print_minutes"` // per unit, all parts
	FilamentG    float64   `json:"filament_g"`    // per unit, all parts
}

// Part is one STL file of a version as a printer sees it.
type Part struct {
	Name       string       `json:"name"`
	SHA256     string       `json:"sha256"`
	HeightMM   float64      `json:"height_mm"`
	Footprints [][2]float64 `json:"footprints_mm"`
}

// fitTolerance matches designs/stl: a part exactly as wide as the bed fits.
const fitTolerance = 1e-3

// Printable reports whether the version can be printed at all: published,
// neither rejected nor withdrawn, with at least one analysed STL part.
func (p *PrintProfile) Printable() bool {
	return p.Status != Draft && p.Status != Rejected && p.Lifecycle != Withdrawn && len(p.Parts) > 0 && p.PrintMinutes > 0
}

// FitsBed reports whether every part fits a build volume of x × y × z mm,
// each rotated about Z as it needs.
func (p *PrintProfile) FitsBed(x, y, z float64) bool {
	if len(p.Parts) == 0 {
		return false
	}
	for _, part := range p.Parts {
		if part.HeightMM > z+fitTolerance {
			return false
		}
		if !slices.ContainsFunc(part.Footprints, func(f [2]float64) bool {
			return f[0] <= x+fitTolerance && f[1] <= y+fitTolerance
		}) {
			return false
		}
	}
	return true
}

// HeightMM is the tallest part's height.
func (p *PrintProfile) HeightMM() float64 {
	h := 0.0
	for _, part := range p.Parts {
		h = max(h, part.HeightMM)
	}
	return h
}

// Footprints returns the smallest beds [x, y] on which every part fits (each
// part alone, rotated as it needs): a bed holds all parts exactly when it
// holds, for each part, one of its footprints, so the answer is the
// Pareto-minimal set of the component-wise maxima over one footprint per
// part. Routing checks printers against this one list.
func (p *PrintProfile) Footprints() [][2]float64 {
	if len(p.Parts) == 0 {
		return nil
	}
	front := slices.Clone(p.Parts[0].Footprints)
	for _, part := range p.Parts[1:] {
		var next [][2]float64
		for _, a := range front {
			for _, b := range part.Footprints {
				next = append(next, [2]float64{max(a[0], b[0]), max(a[1], b[1])})
			}
		}
		front = paretoMin(next)
	}
	return front
}

// paretoMin keeps the pairs no other pair beats in both coordinates.
func paretoMin(ps [][2]float64) [][2]float64 {
	slices.SortFunc(ps, func(a, b [2]float64) int {
		if a[0] != b[0] {
			if a[0] < b[0] {
				return -1
			}
			return 1
		}
		if a[1] < b[1] {
			return -1
		} else if a[1] > b[1] {
			return 1
		}
		return 0
	})
	var out [][2]float64
	for _, q := range ps {
		if len(out) == 0 || q[1] < out[len(out)-1][1] {
			out = append(out, q)
		}
	}
	return out
}

// FindPrintProfile returns the print profile of design designID's version
// number. Drafts have no profile (ENOTFOUND): nothing unpublished is printed.
func (s *Service) FindPrintProfile(ctx context.Context, designID int64, number int) (*PrintProfile, error) {
	d, err := findDesignByID(ctx, s.q(ctx), designID)
	if err != nil {
		return nil, err
	}
	v, err := findVersion(ctx, s.q(ctx), d, number)
	if makerhub.ErrorCode(err) == makerhub.ENOTFOUND || err == nil && v.Status == Draft {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Design %d has no published version %d: give the number of a published version, or leave it out for the current one.", designID, number)
	} else if err != nil {
		return nil, err
	}
	return profileOf(d, v), nil
}

// FindPrintProfiles returns the profiles of a design's published versions,
// newest first; ENOTFOUND if the design does not exist.
func (s *Service) FindPrintProfiles(ctx context.Context, designID int64) ([]*PrintProfile, error) {
	d, err := findDesignByID(ctx, s.q(ctx), designID)
	if err != nil {
		return nil, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, number FROM design_versions
		WHERE design_id = ? AND status != 'draft' ORDER BY number DESC`, designID)
	if err != nil {
		return nil, err
	}
	type ref struct {
		id     int64
		number int
	}
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.number); err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*PrintProfile, 0, len(refs))
	for _, r := range refs {
		v, err := findVersion(ctx, s.q(ctx), d, r.number)
		if err != nil {
			return nil, err
		}
		out = append(out, profileOf(d, v))
	}
	return out, nil
}

// FindPrintProfileByVersionID returns the profile of a version by its ID
// (jobs refer to versions by ID).
func (s *Service) FindPrintProfileByVersionID(ctx context.Context, versionID int64) (*PrintProfile, error) {
	var designID int64
	var number int
	err := s.q(ctx).QueryRowContext(ctx, `SELECT design_id, number FROM design_versions WHERE id = ?`, versionID).Scan(&designID, &number)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Design version %d does not exist.", versionID)
	} else if err != nil {
		return nil, err
	}
	return s.FindPrintProfile(ctx, designID, number)
}

func profileOf(d *Design, v *Version) *PrintProfile {
	p := &PrintProfile{
		DesignID: d.ID, VersionID: v.ID, Number: v.Number, Title: d.Title, Category: d.Category,
		Licence: d.Licence, Status: v.Status, Lifecycle: v.Lifecycle, Material: strings.ToUpper(d.Material),
		Parts: []Part{},
	}
	for _, f := range v.Files {
		if f.Kind != KindSTL || f.Analysis == nil || f.Analysis.Analysis == nil {
			continue
		}
		a := f.Analysis
		p.Parts = append(p.Parts, Part{Name: f.Name, SHA256: f.SHA256, HeightMM: float64(a.SizeMM[2]), Footprints: a.Footprints})
		if a.Estimate != nil {
			p.PrintMinutes += a.Estimate.PrintMinutes
			p.FilamentG += a.Estimate.FilamentG
		}
	}
	return p
}

package designs

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// DesignInput creates or edits a design. Nil fields are left as they are
// (on creation: title, category and licence are required; the rest have
// defaults: PLA and the default print settings).
type DesignInput struct {
	Title         *string             `json:"title"`
	Category      *Category           `json:"category"`
	Description   *string             `json:"description"`
	Licence       *string             `json:"licence"`
	SourceURL     *string             `json:"source_url"`
	Material      *string             `json:"material"`
	PrintSettings *PrintSettingsInput `json:"print_settings"`
	Tags          *[]string           `json:"tags"`
}

// PrintSettingsInput changes some print settings.
type PrintSettingsInput struct {
	LayerHeightMM *float64 `json:"layer_height_mm"`
	InfillPercent *float64 `json:"infill_percent"`
	Perimeters    *int     `json:"perimeters"`
	Supports      *bool    `json:"supports"`
}

// DefaultPrintSettings are a new design's settings unless given.
func DefaultPrintSettings() PrintSettings {
	s := stl.DefaultSettings()
	return PrintSettings{LayerHeightMM: s.LayerHeightMM, InfillPercent: s.InfillPercent, Perimeters: s.Perimeters}
}

// CreateDesign creates a design authored by the acting maker or coordinator,
// on behalf of their organisation.
func (s *Service) CreateDesign(ctx context.Context, in DesignInput) (*Design, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := mayShare(u); err != nil {
		return nil, err
	}
	switch {
	case in.Title == nil:
		return nil, makerhub.Errorf(makerhub.EINVALID, "title is required.")
	case in.Category == nil:
		return nil, makerhub.Errorf(makerhub.EINVALID, "category is required: one of %s.", categoryList())
	case in.Licence == nil:
		return nil, makerhub.Errorf(makerhub.EINVALID, "licence is required: give an SPDX identifier such as CERN-OHL-P-2.0, CC-BY-4.0 or GPL-3.0-or-later.")
	}
	d := &Design{Material: "PLA", PrintSettings: DefaultPrintSettings(), Tags: []string{}, AuthorID: u.ID, ReviewStatus: Draft}
	if org := u.OrganisationID(); org != 0 {
		d.OrganisationID = &org
	}
	if err := apply(d, in); err != nil {
		return nil, err
	}
	now := s.now()
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Design, error) {
		tx := s.q(ctx)
		res, err := tx.ExecContext(ctx, `INSERT INTO designs (title, category, description, licence, source_url, organisation_id,
		author_id, material, layer_height_mm, infill_percent, perimeters, supports, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Title, d.Category, d.Description, d.Licence.ID, d.SourceURL, d.OrganisationID, d.AuthorID, d.Material,
			d.PrintSettings.LayerHeightMM, d.PrintSettings.InfillPercent, d.PrintSettings.Perimeters, d.PrintSettings.Supports,
			sqlite.FormatTime(now), sqlite.FormatTime(now))
		if err != nil {
			return nil, fmt.Errorf("insert design: %w", err)
		}
		id, _ := res.LastInsertId()
		if err := setTags(ctx, tx, id, d.Tags); err != nil {
			return nil, err
		}
		if d, err = findDesignByID(ctx, tx, id); err != nil {
			return nil, err
		}
		return d, nil
	})
}

// UpdateDesign edits a design's metadata (its author or a coordinator).
// Files and reviews belong to versions and are not changed here.
func (s *Service) UpdateDesign(ctx context.Context, id int64, in DesignInput) (*Design, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Design, error) {
		tx := s.q(ctx)
		d, err := findDesignByID(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := canEdit(u, d); err != nil {
			return nil, err
		}
		if err := apply(d, in); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE designs SET title = ?, category = ?, description = ?, licence = ?, source_url = ?,
		material = ?, layer_height_mm = ?, infill_percent = ?, perimeters = ?, supports = ?, updated_at = ? WHERE id = ?`,
			d.Title, d.Category, d.Description, d.Licence.ID, d.SourceURL, d.Material,
			d.PrintSettings.LayerHeightMM, d.PrintSettings.InfillPercent, d.PrintSettings.Perimeters, d.PrintSettings.Supports,
			sqlite.FormatTime(s.now()), id); err != nil {
			return nil, fmt.Errorf("update design %d: %w", id, err)
		}
		if in.Tags != nil {
			if err := setTags(ctx, tx, id, d.Tags); err != nil {
				return nil, err
			}
		}
		if d, err = findDesignByID(ctx, tx, id); err != nil {
			return nil, err
		}
		return d, nil
	})
}

// canEdit allows a design's author and coordinators.
func canEdit(u *makerhub.User, d *Design) error {
	if u.Role == makerhub.RoleCoordinator || u.ID == d.AuthorID {
		return nil
	}
	return makerhub.Errorf(makerhub.EFORBIDDEN, "Only the author of design %d and coordinators can change it.", d.ID)
}

// apply validates in and copies its fields onto d.
func apply(d *Design, in DesignInput) error {
	if in.Title != nil {
		d.Title = strings.TrimSpace(*in.Title)
		if err := checkText("title", d.Title, 1, 200); err != nil {
			return err
		}
	}
	if in.Category != nil {
		if !slices.Contains(categories, *in.Category) {
			return makerhub.Errorf(makerhub.EINVALID, "category %q is not known: use one of %s.", *in.Category, categoryList())
		}
		d.Category = *in.Category
	}
	if in.Description != nil {
		d.Description = strings.TrimSpace(*in.Description)
		if err := checkText("description", d.Description, 0, 20000); err != nil {
			return err
		}
	}
	if in.Licence != nil {
		l, err := LookupLicence(*in.Licence)
		if err != nil {
			return err
		}
		d.Licence = l
	}
	if in.SourceURL != nil {
		d.SourceURL = strings.TrimSpace(*in.SourceURL)
		if d.SourceURL != "" {
			u, err := url.Parse(d.SourceURL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(d.SourceURL) > 2000 {
				return makerhub.Errorf(makerhub.EINVALID, "source_url %q is not an http(s) address (like https://github.com/org/project).", d.SourceURL)
			}
		}
	}
	if in.Material != nil {
		m, err := LookupMaterial(*in.Material)
		if err != nil {
			return err
		}
		d.Material = m.ID
	}
	if p := in.PrintSettings; p != nil {
		ps := d.PrintSettings
		if p.LayerHeightMM != nil {
			ps.LayerHeightMM = *p.LayerHeightMM
		}
		if p.InfillPercent != nil {
			ps.InfillPercent = *p.InfillPercent
		}
		if p.Perimeters != nil {
			ps.Perimeters = *p.Perimeters
		}
		if p.Supports != nil {
			ps.Supports = *p.Supports
		}
		if _, err := estimateSettings(ps, d.Material); err != nil {
			return makerhub.Errorf(makerhub.EINVALID, "print_settings: %v.", err)
		}
		d.PrintSettings = ps
	}
	if in.Tags != nil {
		tags, err := normaliseTags(*in.Tags)
		if err != nil {
			return err
		}
		d.Tags = tags
	}
	return nil
}

// estimateSettings turns a design's settings and material into the
// estimate's, checking the ranges.
func estimateSettings(ps PrintSettings, material string) (stl.PrintSettings, error) {
	m, err := LookupMaterial(material)
	if err != nil {
		return stl.PrintSettings{}, err
	}
	s := stl.DefaultSettings()
	s.LayerHeightMM, s.InfillPercent, s.Perimeters, s.Supports = ps.LayerHeightMM, ps.InfillPercent, ps.Perimeters, ps.Supports
	s.DensityGCm3 = m.DensityGCm3
	return s, s.Validate()
}

func normaliseTags(in []string) ([]string, error) {
	if len(in) > 20 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "a design has at most 20 tags (%d given).", len(in))
	}
	tags := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t == "" || utf8.RuneCountInString(t) > 40 {
			return nil, makerhub.Errorf(makerhub.EINVALID, "tag %q must be 1 to 40 characters.", t)
		}
		for _, r := range t {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ' ' && r != '-' {
				return nil, makerhub.Errorf(makerhub.EINVALID, "tag %q may hold only letters, digits, spaces and hyphens.", t)
			}
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	slices.Sort(tags)
	return tags, nil
}

func setTags(ctx context.Context, tx sqlite.Queryer, id int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM design_tags WHERE design_id = ?`, id); err != nil {
		return err
	}
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO design_tags (design_id, tag) VALUES (?, ?)`, id, t); err != nil {
			return fmt.Errorf("insert tag: %w", err)
		}
	}
	return nil
}

func categoryList() string {
	s := make([]string, len(categories))
	for i, c := range categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func checkText(field, v string, minLen, maxLen int) error {
	n := utf8.RuneCountInString(v)
	switch {
	case !utf8.ValidString(v):
		return makerhub.Errorf(makerhub.EINVALID, "%s is not valid UTF-8 text.", field)
	case n < minLen:
		return makerhub.Errorf(makerhub.EINVALID, "%s is required.", field)
	case n > maxLen:
		return makerhub.Errorf(makerhub.EINVALID, "%s is %d characters long; the limit is %d.", field, n, maxLen)
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return makerhub.Errorf(makerhub.EINVALID, "%s contains a control character (U+%04X).", field, r)
		}
	}
	return nil
}

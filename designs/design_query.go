package designs

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// currentVersionSQL picks a design's current version: the newest published
// one that is neither rejected nor withdrawn, preferring active ones over
// superseded ones.
const currentVersionSQL = `(SELECT v.number FROM design_versions v WHERE v.design_id = d.id
	AND v.status IN ('submitted', 'community_reviewed', 'clinically_validated') AND v.lifecycle != 'withdrawn'
	ORDER BY v.lifecycle = 'active' DESC, v.number DESC LIMIT 1)`

const designColumns = `d.id, d.title, d.category, d.description, d.licence, d.source_url, d.organisation_id,
	d.author_id, d.material, d.layer_height_mm, d.infill_percent, d.perimeters, d.supports, d.created_at, d.updated_at,
	cur.number, COALESCE(cur.status, 'draft'),
	COALESCE((SELECT group_concat(tag, ',') FROM (SELECT tag FROM design_tags WHERE design_id = d.id ORDER BY tag)), ''),
	COALESCE((SELECT vf.sha256 FROM version_files vf JOIN files f ON f.sha256 = vf.sha256
		WHERE vf.version_id = cur.id AND f.kind = 'stl' ORDER BY vf.name LIMIT 1), '')`

const designFrom = ` FROM designs d LEFT JOIN design_versions cur ON cur.design_id = d.id AND cur.number = ` + currentVersionSQL + ` `

func scanDesign(row interface{ Scan(...any) error }) (*Design, error) {
	var (
		d       Design
		licence string
		org     sql.NullInt64
		current sql.NullInt64
		tags    string
	)
	err := row.Scan(&d.ID, &d.Title, &d.Category, &d.Description, &licence, &d.SourceURL, &org,
		&d.AuthorID, &d.Material, &d.PrintSettings.LayerHeightMM, &d.PrintSettings.InfillPercent, &d.PrintSettings.Perimeters,
		&d.PrintSettings.Supports, sqlite.Time(&d.CreatedAt), sqlite.Time(&d.UpdatedAt), &current, &d.ReviewStatus, &tags, &d.Cover)
	if err != nil {
		return nil, err
	}
	if d.Licence, err = LookupLicence(licence); err != nil {
		d.Licence = Licence{ID: licence, Name: licence} // an id dropped from the list later stays readable
	}
	if org.Valid {
		d.OrganisationID = &org.Int64
	}
	if current.Valid {
		n := int(current.Int64)
		d.CurrentVersion = &n
	}
	d.Tags = []string{}
	if tags != "" {
		d.Tags = strings.Split(tags, ",")
	}
	return &d, nil
}

// FindDesignByID returns a design. Designs are open: anyone may read them.
func (s *Service) FindDesignByID(ctx context.Context, id int64) (*Design, error) {
	return findDesignByID(ctx, s.q(ctx), id)
}

func findDesignByID(ctx context.Context, q sqlite.Queryer, id int64) (*Design, error) {
	d, err := scanDesign(q.QueryRowContext(ctx, `SELECT `+designColumns+designFrom+`WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Design %d does not exist.", id)
	}
	return d, err
}

// DesignFilter selects designs in FindDesigns.
type DesignFilter struct {
	Category Category
	Status   Status // the design's review status (that of its current version)
	Licence  string // SPDX id
	Query    string // text in the title, description or tags
	AuthorID int64
	Offset   int
	Limit    int // default 50, at most 500
}

// FindDesigns lists designs, newest first, with the number that match.
func (s *Service) FindDesigns(ctx context.Context, f DesignFilter) ([]*Design, int, error) {
	var where []string
	var args []any
	if f.Category != "" {
		if !slices.Contains(categories, f.Category) {
			return nil, 0, makerhub.Errorf(makerhub.EINVALID, "category %q is not known: use one of %s.", f.Category, categoryList())
		}
		where, args = append(where, "d.category = ?"), append(args, f.Category)
	}
	if f.Status != "" {
		if !slices.Contains([]Status{Draft, Submitted, CommunityReviewed, ClinicallyValidated, Rejected}, f.Status) {
			return nil, 0, makerhub.Errorf(makerhub.EINVALID, "status %q is not known: use draft, submitted, community_reviewed or clinically_validated.", f.Status)
		}
		where, args = append(where, "COALESCE(cur.status, 'draft') = ?"), append(args, f.Status)
	}
	if f.Licence != "" {
		l, err := LookupLicence(f.Licence)
		if err != nil {
			return nil, 0, err
		}
		where, args = append(where, "d.licence = ?"), append(args, l.ID)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
		where = append(where, `(d.title LIKE ? ESCAPE '\' OR d.description LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM design_tags t WHERE t.design_id = d.id AND t.tag LIKE ? ESCAPE '\'))`)
		args = append(args, like, like, like)
	}
	if f.AuthorID != 0 {
		where, args = append(where, "d.author_id = ?"), append(args, f.AuthorID)
	}
	var err error
	if f.Limit, err = makerhub.PageLimit(f.Offset, f.Limit, 50, 500); err != nil {
		return nil, 0, err
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*)`+designFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+designColumns+designFrom+cond+` ORDER BY d.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*Design{}
	for rows.Next() {
		d, err := scanDesign(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, d)
	}
	return list, total, rows.Err()
}

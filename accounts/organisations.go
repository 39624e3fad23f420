package accounts

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

const orgColumns = `o.id, o.kind, o.name, o.address, o.region, o.lat, o.lon, o.verified_at, o.verified_by, o.created_at,
	o.contact_name, o.phone, o.delivery_hours, o.delivery_notes`

// nullOrganisation scans an organisation from a LEFT JOIN, where every column
// may be NULL (a coordinator without an organisation).
type nullOrganisation struct {
	id         sql.NullInt64
	kind       sql.NullString
	name       sql.NullString
	address    sql.NullString
	region     sql.NullString
	lat, lon   sql.NullFloat64
	verifiedAt *time.Time
	verifiedBy sql.NullInt64
	createdAt  sql.NullString
	contact    [4]sql.NullString
}

func (n *nullOrganisation) organisation() (*makerhub.Organisation, error) {
	if !n.id.Valid {
		return nil, nil
	}
	o := &makerhub.Organisation{
		ID: n.id.Int64, Kind: makerhub.OrganisationKind(n.kind.String),
		Name: n.name.String, Address: n.address.String, Region: n.region.String,
		Lat: n.lat.Float64, Lon: n.lon.Float64, VerifiedAt: n.verifiedAt,
		Contact: makerhub.Contact{ContactName: n.contact[0].String, Phone: n.contact[1].String,
			DeliveryHours: n.contact[2].String, DeliveryNotes: n.contact[3].String},
	}
	if n.verifiedBy.Valid {
		by := n.verifiedBy.Int64
		o.VerifiedBy = &by
	}
	var err error
	o.CreatedAt, err = sqlite.ParseTime(n.createdAt.String)
	return o, err
}

// dest is where orgColumns scan to.
func (n *nullOrganisation) dest() []any {
	return []any{&n.id, &n.kind, &n.name, &n.address, &n.region, &n.lat, &n.lon, sqlite.NullTime(&n.verifiedAt), &n.verifiedBy, &n.createdAt,
		&n.contact[0], &n.contact[1], &n.contact[2], &n.contact[3]}
}

func scanOrganisation(row interface{ Scan(...any) error }) (*makerhub.Organisation, error) {
	var n nullOrganisation
	if err := row.Scan(n.dest()...); err != nil {
		return nil, err
	}
	return n.organisation()
}

// FindOrganisationByID returns an organisation. Coordinators see any; other
// users only their own.
func (s *Service) FindOrganisationByID(ctx context.Context, id int64) (*makerhub.Organisation, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != makerhub.RoleCoordinator && u.OrganisationID() != id {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "You can only see your own organisation.")
	}
	return findOrganisationByID(ctx, s.q(ctx), id)
}

func findOrganisationByID(ctx context.Context, q sqlite.Queryer, id int64) (*makerhub.Organisation, error) {
	o, err := scanOrganisation(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations o WHERE o.id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Organisation %d does not exist.", id)
	}
	return o, err
}

// OrganisationFilter selects organisations in FindOrganisations.
type OrganisationFilter struct {
	Kind     makerhub.OrganisationKind // "" for any
	Verified *bool                     // nil for any
	Query    string                    // case-insensitive substring of name or address
	Offset   int
	Limit    int // default 50, at most 500
}

// FindOrganisations lists organisations for coordinators, oldest first, with
// the total number that match the filter.
func (s *Service) FindOrganisations(ctx context.Context, f OrganisationFilter) ([]*makerhub.Organisation, int, error) {
	if _, err := requireCoordinator(ctx, "list organisations"); err != nil {
		return nil, 0, err
	}
	if f.Kind != "" && f.Kind != makerhub.OrgHospital && f.Kind != makerhub.OrgMakers {
		return nil, 0, makerhub.Errorf(makerhub.EINVALID, `kind %q is not known: use "hospital" or "makers".`, f.Kind)
	}
	var err error
	if f.Limit, err = makerhub.PageLimit(f.Offset, f.Limit, 50, 500); err != nil {
		return nil, 0, err
	}
	where := []string{"1=1"}
	var args []any
	if f.Kind != "" {
		where, args = append(where, "o.kind = ?"), append(args, f.Kind)
	}
	if f.Verified != nil {
		if *f.Verified {
			where = append(where, "o.verified_at IS NOT NULL")
		} else {
			where = append(where, "o.verified_at IS NULL")
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
		where = append(where, `(o.name LIKE ? ESCAPE '\' OR o.address LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM organisations o`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations o`+cond+
		` ORDER BY o.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	orgs := []*makerhub.Organisation{}
	for rows.Next() {
		o, err := scanOrganisation(rows)
		if err != nil {
			return nil, 0, err
		}
		orgs = append(orgs, o)
	}
	return orgs, total, rows.Err()
}

// VerifyOrganisation marks a hospital as verified by the acting coordinator,
// after which its requests can be routed. Verifying an already verified
// hospital changes nothing and is not an error.
func (s *Service) VerifyOrganisation(ctx context.Context, id int64) (*makerhub.Organisation, error) {
	u, err := requireCoordinator(ctx, "verify organisations")
	if err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*makerhub.Organisation, error) {
		tx := s.q(ctx)
		o, err := findOrganisationByID(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if o.Kind != makerhub.OrgHospital {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Organisation %d (%s) is a maker group; only hospitals are verified.", o.ID, o.Name)
		}
		if o.Verified() {
			return o, nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE organisations SET verified_at = ?, verified_by = ? WHERE id = ?`,
			sqlite.FormatTime(s.now()), u.ID, id); err != nil {
			return nil, err
		}
		if o, err = findOrganisationByID(ctx, tx, id); err != nil {
			return nil, err
		}
		if err := s.Audit(ctx, "organisation.verify", "organisation", id, o.Name, map[string]any{"verified_at": nil},
			map[string]any{"verified_at": o.VerifiedAt}); err != nil {
			return nil, err
		}
		sqlite.AfterCommit(ctx, s.db, s.auth.clear) // cached users carry their organisation's verification
		return o, nil
	})
}

// FindMapOrganisations returns, to a coordinator, the organisations that
// have coordinates in the map's order — hospitals first, then maker groups,
// each oldest first — from offset, at most limit, and how many there are in
// all (limit 0: only how many). It reads through the organisations_map
// index, so a page costs its offset and limit, not the whole network's tens
// of thousands.
func (s *Service) FindMapOrganisations(ctx context.Context, offset, limit int) ([]*makerhub.Organisation, int, error) {
	if _, err := requireCoordinator(ctx, "list organisations"); err != nil {
		return nil, 0, err
	}
	// (0, 0) is where an organisation that gave no coordinates sits.
	const located = ` WHERE NOT (o.lat = 0 AND o.lon = 0)`
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM organisations o`+located).Scan(&total); err != nil {
		return nil, 0, err
	}
	if limit <= 0 { // the count alone (the dashboard's "not on the map")
		return nil, total, nil
	}
	orgs, err := sqlite.Collect(scanOrganisation)(s.q(ctx).QueryContext(ctx,
		`SELECT `+orgColumns+` FROM organisations o`+located+` ORDER BY o.kind != 'hospital', o.id LIMIT ? OFFSET ?`, limit, offset))
	return orgs, total, err
}

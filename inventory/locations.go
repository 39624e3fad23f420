package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Location is a place that holds units.
type Location struct {
	ID             int64        `json:"id"`
	Kind           LocationKind `json:"kind"`
	OrganisationID *int64       `json:"organisation_id"` // the maker group or hospital; nil for hubs
	Name           string       `json:"name"`
	Address        string       `json:"address"`
	Lat            *float64     `json:"lat"`
	Lon            *float64     `json:"lon"`
	// QualityChecks lists the design categories whose units must pass
	// their check at this hub.
	QualityChecks []designs.Category `json:"quality_checks"`
	CreatedAt     time.Time          `json:"created_at"`
}

const locationColumns = `l.id, l.kind, l.organisation_id, l.name, l.address, l.lat, l.lon, l.created_at,
	COALESCE((SELECT group_concat(q.category) FROM quality_rules q WHERE q.location_id = l.id), '')`

func scanLocation(row interface{ Scan(...any) error }) (*Location, error) {
	l := &Location{}
	var rules string
	if err := row.Scan(&l.ID, &l.Kind, &l.OrganisationID, &l.Name, &l.Address, &l.Lat, &l.Lon, sqlite.Time(&l.CreatedAt), &rules); err != nil {
		return nil, err
	}
	l.QualityChecks = []designs.Category{}
	for c := range strings.SplitSeq(rules, ",") {
		if c != "" {
			l.QualityChecks = append(l.QualityChecks, designs.Category(c))
		}
	}
	slices.Sort(l.QualityChecks)
	return l, nil
}

func findLocation(ctx context.Context, q sqlite.Queryer, id int64) (*Location, error) {
	l, err := scanLocation(q.QueryRowContext(ctx, `SELECT `+locationColumns+` FROM locations l WHERE l.id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Location %d does not exist (see /api/v1/locations).", id)
	}
	return l, err
}

// HubInput makes a collection hub.
type HubInput struct {
	Name    string   `json:"name"`
	Address string   `json:"address"`
	Lat     *float64 `json:"lat"`
	Lon     *float64 `json:"lon"`
}

// CreateHub makes a collection hub, a drop-off point run by coordinators.
func (s *Service) CreateHub(ctx context.Context, in HubInput) (*Location, error) {
	u, err := makerhub.RequireRole(ctx, "coordinators open collection hubs", makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	in.Name, in.Address = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address)
	switch {
	case in.Name == "" || len(in.Name) > 200:
		return nil, makerhub.Errorf(makerhub.EINVALID, "name is required, at most 200 characters: what makers and drivers call the hub.")
	case in.Address == "" || len(in.Address) > 500:
		return nil, makerhub.Errorf(makerhub.EINVALID, "address is required, at most 500 characters: where units are dropped off.")
	case (in.Lat == nil) != (in.Lon == nil):
		return nil, makerhub.Errorf(makerhub.EINVALID, "lat and lon go together: give both or neither.")
	case in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90 || *in.Lon < -180 || *in.Lon > 180):
		return nil, makerhub.Errorf(makerhub.EINVALID, "lat must be between -90 and 90 and lon between -180 and 180.")
	}
	res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO locations (kind, name, address, lat, lon, created_by, created_at)
		VALUES ('hub', ?, ?, ?, ?, ?, ?)`, in.Name, in.Address, in.Lat, in.Lon, u.ID, sqlite.FormatTime(s.now()))
	if err != nil {
		return nil, fmt.Errorf("insert hub: %w", err)
	}
	id, _ := res.LastInsertId()
	return findLocation(ctx, s.q(ctx), id)
}

// FindLocations lists the locations, hubs first. Anyone logged in may see
// them: drivers and makers need the addresses.
func (s *Service) FindLocations(ctx context.Context, kind LocationKind) ([]*Location, error) {
	if _, err := makerhub.RequireUser(ctx); err != nil {
		return nil, err
	}
	if kind != "" && !slices.Contains([]LocationKind{MakerSite, Hub, Hospital}, kind) {
		return nil, makerhub.Errorf(makerhub.EINVALID, "kind %q is not known: use maker_site, hub or hospital.", kind)
	}
	return sqlite.Collect(scanLocation)(s.q(ctx).QueryContext(ctx, `SELECT `+locationColumns+` FROM locations l WHERE ? = '' OR l.kind = ?
		ORDER BY CASE l.kind WHEN 'hub' THEN 0 WHEN 'hospital' THEN 1 ELSE 2 END, l.name, l.id`, kind, kind))
}

// FindLocationByID returns a location.
func (s *Service) FindLocationByID(ctx context.Context, id int64) (*Location, error) {
	if _, err := makerhub.RequireUser(ctx); err != nil {
		return nil, err
	}
	return findLocation(ctx, s.q(ctx), id)
}

// organisationLocation returns the location of a maker group or hospital,
// made from the organisation on first need.
func (s *Service) organisationLocation(ctx context.Context, orgID int64, at string) (*Location, error) {
	q := s.q(ctx)
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM locations WHERE organisation_id = ?`, orgID).Scan(&id)
	if sqlite.NoRows(err) {
		o, err := s.accounts.LookupOrganisation(ctx, orgID)
		if err != nil {
			return nil, err
		}
		kind := MakerSite
		if o.Kind == makerhub.OrgHospital {
			kind = Hospital
		}
		res, err := q.ExecContext(ctx, `INSERT INTO locations (kind, organisation_id, name, address, lat, lon, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, kind, o.ID, o.Name, o.Address, o.Lat, o.Lon, at)
		if err != nil {
			return nil, fmt.Errorf("make the location of organisation %d: %w", orgID, err)
		}
		id, _ = res.LastInsertId()
	} else if err != nil {
		return nil, err
	}
	return findLocation(ctx, q, id)
}

// HospitalLocation returns the location of a hospital organisation, made
// on first need (shipments go there).
func (s *Service) HospitalLocation(ctx context.Context, orgID int64) (*Location, error) {
	if _, err := makerhub.RequireUser(ctx); err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Location, error) {
		l, err := s.organisationLocation(ctx, orgID, sqlite.FormatTime(s.now()))
		if err != nil {
			return nil, err
		}
		if l.Kind != Hospital {
			return nil, makerhub.Errorf(makerhub.EINVALID, "Organisation %d is not a hospital.", orgID)
		}
		return l, nil
	})
}

// RequireQualityCheck makes units of a design category pass their quality
// check at a hub (coordinators): makers can no longer pass them at their
// site. An empty hub (0) lifts the rule.
func (s *Service) RequireQualityCheck(ctx context.Context, category designs.Category, hubID int64) error {
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.requireQualityCheck(ctx, category, hubID); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, "quality_rule.set", "location", hubID, string(category), nil, map[string]any{"category": category, "hub": hubID})
	})
}

func (s *Service) requireQualityCheck(ctx context.Context, category designs.Category, hubID int64) error {
	u, err := makerhub.RequireRole(ctx, "coordinators set where quality checks happen", makerhub.RoleCoordinator)
	if err != nil {
		return err
	}
	if !slices.Contains(designs.Categories(), category) {
		return makerhub.Errorf(makerhub.EINVALID, "category %q is not known: use one of face_shield, mask, ear_saver, ventilator_part, test_kit_part, other.", category)
	}
	if hubID == 0 {
		_, err := s.q(ctx).ExecContext(ctx, `DELETE FROM quality_rules WHERE category = ?`, category)
		return err
	}
	l, err := findLocation(ctx, s.q(ctx), hubID)
	if err != nil {
		return err
	}
	if l.Kind != Hub {
		return makerhub.Errorf(makerhub.EUNPROCESSABLE, "Location %d is a %s: quality checks are required at a collection hub.", hubID, l.Kind)
	}
	_, err = s.q(ctx).ExecContext(ctx, `INSERT INTO quality_rules (category, location_id, created_by, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (category) DO UPDATE SET location_id = excluded.location_id, created_by = excluded.created_by,
		created_at = excluded.created_at`, category, hubID, u.ID, sqlite.FormatTime(s.now()))
	return err
}

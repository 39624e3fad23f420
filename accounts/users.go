package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Password length bounds. The upper bound stops a megabyte "password" from
// costing a hash's worth of CPU per byte of request.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 1024
)

// OrganisationInput describes a new organisation. Lat and Lon are pointers so
// that a missing coordinate is told apart from 0, which is a real place.
type OrganisationInput struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	// Region is optional: a région, county or state; reports group by it.
	Region string   `json:"region"`
	Lat    *float64 `json:"lat"`
	Lon    *float64 `json:"lon"`
	// Contact is optional at sign-up; members complete it later.
	makerhub.Contact
}

// NewUser is an account to create.
type NewUser struct {
	Email    string        `json:"email"`
	Password string        `json:"password"`
	Name     string        `json:"name"`
	Role     makerhub.Role `json:"role"`
	// Organisation is required for makers and hospital staff, optional for
	// coordinators (a coordinator may run a collection hub, for example).
	Organisation *OrganisationInput `json:"organisation"`
	// Invitation is the token of an invitation to join an organisation,
	// instead of creating one: role and organisation come from it.
	Invitation string `json:"invitation,omitempty"`
	// JoinOrganisation makes the account a member of an existing
	// organisation: for the operator's tools (CreateUser) only, never
	// from a request (Signup ignores it; people join by invitation).
	JoinOrganisation int64 `json:"-"`
}

// Signup creates a maker or hospital account together with its organisation.
// Hospital organisations start unverified. Anyone may sign up; coordinators
// are created by an operator with CreateUser (makerhub users create).
func (s *Service) Signup(ctx context.Context, in NewUser) (*makerhub.User, error) {
	in.JoinOrganisation = 0
	if in.Invitation != "" {
		return s.signupInvited(ctx, in)
	}
	switch in.Role {
	case makerhub.RoleMaker, makerhub.RoleHospital:
	case makerhub.RoleCoordinator:
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Coordinator accounts cannot sign up; an operator creates them with: makerhub users create --role coordinator.")
	case "":
		return nil, makerhub.Errorf(makerhub.EINVALID, `role is required: "maker" or "hospital".`)
	default:
		return nil, makerhub.Errorf(makerhub.EINVALID, `role %q is not known: use "maker" or "hospital".`, in.Role)
	}
	return s.CreateUser(ctx, in)
}

// CreateUser creates an account of any role. It authorizes nobody: it is for
// the operator's command line, which has the database at hand anyway. The web
// API reaches it only through Signup.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*makerhub.User, error) {
	if err := validateNewUser(&in); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, in.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*makerhub.User, error) {
		tx := s.q(ctx)

		var orgID sql.NullInt64
		if o := in.Organisation; o != nil {
			kind := makerhub.OrgMakers
			if in.Role == makerhub.RoleHospital {
				kind = makerhub.OrgHospital
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO organisations (kind, name, address, region, lat, lon, created_at,
			contact_name, phone, delivery_hours, delivery_notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				kind, o.Name, o.Address, o.Region, *o.Lat, *o.Lon, sqlite.FormatTime(now),
				o.ContactName, o.Phone, o.DeliveryHours, o.DeliveryNotes)
			if err != nil {
				return nil, fmt.Errorf("insert organisation: %w", err)
			}
			id, _ := res.LastInsertId()
			orgID = sql.NullInt64{Int64: id, Valid: true}
		}
		orgRole := OrgOwner // the creator of an organisation owns it
		if in.JoinOrganisation != 0 {
			o, err := findOrganisationByID(ctx, tx, in.JoinOrganisation)
			if err != nil {
				return nil, err
			}
			if (o.Kind == makerhub.OrgHospital) != (in.Role == makerhub.RoleHospital) {
				return nil, makerhub.Errorf(makerhub.EINVALID, "Organisation %d is a %s: its members are not %ss.", o.ID, o.Kind, in.Role)
			}
			orgID, orgRole = sql.NullInt64{Int64: o.ID, Valid: true}, OrgMember
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, role, organisation_id, org_role, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, in.Email, in.Name, in.Role, orgID, orgRole, hash, sqlite.FormatTime(now))
		if sqlite.IsUniqueViolation(err) {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "An account with the email %s already exists: log in instead.", in.Email)
		} else if err != nil {
			return nil, fmt.Errorf("insert user: %w", err)
		}
		id, _ := res.LastInsertId()
		u, err := findUserByID(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return u, nil
	})
}

// validateNewUser checks and normalises in, naming the first field at fault.
func validateNewUser(in *NewUser) error {
	if err := validateNewUserFields(in); err != nil {
		return err
	}
	if in.JoinOrganisation != 0 {
		if in.Organisation != nil || in.Role == makerhub.RoleCoordinator {
			return makerhub.Errorf(makerhub.EINVALID, "A member joins an existing organisation: give no new organisation, and a maker or hospital role.")
		}
		return nil
	}
	if in.Organisation == nil {
		if in.Role != makerhub.RoleCoordinator {
			return makerhub.Errorf(makerhub.EINVALID, "organisation is required for a %s: give its name, address, lat and lon.", in.Role)
		}
		return nil
	}
	return validateOrganisation(in.Organisation)
}

// validateNewUserFields checks and normalises the person's own fields:
// email, password, name and role.
func validateNewUserFields(in *NewUser) error {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	if err := validateEmail(in.Email); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(in.Password); n < MinPasswordLength {
		return makerhub.Errorf(makerhub.EINVALID, "password must be at least %d characters long (it has %d).", MinPasswordLength, n)
	}
	if len(in.Password) > MaxPasswordLength {
		return makerhub.Errorf(makerhub.EINVALID, "password must be at most %d bytes long.", MaxPasswordLength)
	}
	if err := checkText("name", in.Name, 200); err != nil {
		return err
	}
	if !in.Role.Valid() {
		return makerhub.Errorf(makerhub.EINVALID, `role %q is not known: use "coordinator", "maker" or "hospital".`, in.Role)
	}
	return nil
}

// validateEmail checks an address already lowered and trimmed.
func validateEmail(email string) error {
	if email == "" {
		return makerhub.Errorf(makerhub.EINVALID, "email is required.")
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return makerhub.Errorf(makerhub.EINVALID, "email %q is not a valid email address (expected name@example.org).", email)
	}
	return nil
}

func validateOrganisation(o *OrganisationInput) error {
	o.Name = strings.TrimSpace(o.Name)
	o.Address = strings.TrimSpace(o.Address)
	if err := checkText("organisation.name", o.Name, 200); err != nil {
		return err
	}
	if err := checkText("organisation.address", o.Address, 500); err != nil {
		return err
	}
	if o.Region = strings.TrimSpace(o.Region); o.Region != "" {
		if err := checkText("organisation.region", o.Region, 100); err != nil {
			return err
		}
	}
	if err := checkContact("organisation.", &o.Contact); err != nil {
		return err
	}
	if o.Lat == nil || o.Lon == nil {
		return makerhub.Errorf(makerhub.EINVALID, "organisation.lat and organisation.lon are required: the hub routes parts by distance.")
	}
	if math.IsNaN(*o.Lat) || *o.Lat < -90 || *o.Lat > 90 {
		return makerhub.Errorf(makerhub.EINVALID, "organisation.lat must be between -90 and 90 (it is %v).", *o.Lat)
	}
	if math.IsNaN(*o.Lon) || *o.Lon < -180 || *o.Lon > 180 {
		return makerhub.Errorf(makerhub.EINVALID, "organisation.lon must be between -180 and 180 (it is %v).", *o.Lon)
	}
	return nil
}

func checkText(field, v string, max int) error {
	if v == "" {
		return makerhub.Errorf(makerhub.EINVALID, "%s is required.", field)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return makerhub.Errorf(makerhub.EINVALID, "%s is %d characters long; the limit is %d.", field, n, max)
	}
	if !utf8.ValidString(v) {
		return makerhub.Errorf(makerhub.EINVALID, "%s is not valid UTF-8 text.", field)
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f {
			return makerhub.Errorf(makerhub.EINVALID, "%s contains a control character (U+%04X).", field, r)
		}
	}
	return nil
}

// CountCoordinators returns how many coordinator accounts exist; serve warns
// at start when there are none, since nobody could then verify hospitals.
func (s *Service) CountCoordinators(ctx context.Context) (int, error) {
	var n int
	err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'coordinator'`).Scan(&n)
	return n, err
}

// CountUsers returns how many accounts exist of any role; serve --demo
// fills only a hub that has none.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

const userColumns = `u.id, u.email, u.name, u.role, u.created_at, ` + orgColumns +
	`, u.suspended_at, u.suspended_by, u.suspended_reason, u.org_role`

const userFrom = ` FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id `

// findUserByID returns the user with its organisation, or ENOTFOUND.
func findUserByID(ctx context.Context, q sqlite.Queryer, id int64) (*makerhub.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "User %d does not exist.", id)
	}
	return u, err
}

// scanUser scans userColumns.
func scanUser(row interface{ Scan(...any) error }) (*makerhub.User, error) {
	var u makerhub.User
	var o nullOrganisation
	var suspendedAt *time.Time
	var suspendedBy sql.NullInt64
	var reason string
	err := row.Scan(append(append([]any{&u.ID, &u.Email, &u.Name, &u.Role, sqlite.Time(&u.CreatedAt)}, o.dest()...),
		sqlite.NullTime(&suspendedAt), &suspendedBy, &reason, &u.OrgRole)...)
	if err != nil {
		return nil, err
	}
	if suspendedAt != nil {
		u.Suspension = &makerhub.Suspension{At: *suspendedAt, By: suspendedBy.Int64, Reason: reason}
	}
	if u.Organisation, err = o.organisation(); err != nil {
		return nil, err
	}
	if u.Organisation == nil {
		u.OrgRole = ""
	}
	return &u, nil
}

// Me returns the acting user, or EUNAUTHORIZED for an anonymous caller.
func (s *Service) Me(ctx context.Context) (*makerhub.User, error) {
	return makerhub.RequireUser(ctx)
}

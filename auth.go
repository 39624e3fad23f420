package makerhub

import (
	"context"
	"time"
)

// Role is what a user does in the hub; it decides what the user may do.
type Role string

// The three roles. Coordinators are created by an operator (makerhub users
// create); makers and hospital staff sign up themselves.
const (
	RoleCoordinator Role = "coordinator"
	RoleMaker       Role = "maker"
	RoleHospital    Role = "hospital"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleCoordinator, RoleMaker, RoleHospital:
		return true
	}
	return false
}

// OrganisationKind says whether an organisation is a health facility or a
// group of makers (a fablab, a maker collective, a single maker's workshop).
type OrganisationKind string

// Organisation kinds. Only hospitals are verified by a coordinator: a
// hospital's requests are not routed until it is.
const (
	OrgHospital OrganisationKind = "hospital"
	OrgMakers   OrganisationKind = "makers"
)

// Organisation is a hospital or a group of makers, located so that routing can
// measure distances between them.
type Organisation struct {
	ID      int64            `json:"id"`
	Kind    OrganisationKind `json:"kind"`
	Name    string           `json:"name"`
	Address string           `json:"address"`
	Region  string           `json:"region"` // a région, county or state, as declared; may be empty
	Lat     float64          `json:"lat"`
	Lon     float64          `json:"lon"`
	Contact

	// VerifiedAt is set when a coordinator has verified a hospital; nil for
	// an unverified hospital and for maker groups, which need no verification.
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	VerifiedBy *int64     `json:"verified_by,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Contact is what people need to reach an organisation in an emergency;
// every field may be empty.
type Contact struct {
	ContactName   string `json:"contact_name"`   // whom to ask for
	Phone         string `json:"phone"`          // as people dial it
	DeliveryHours string `json:"delivery_hours"` // when deliveries are taken
	DeliveryNotes string `json:"delivery_notes"` // how to find the door
}

// Verified reports whether the organisation has been verified by a
// coordinator.
func (o *Organisation) Verified() bool { return o != nil && o.VerifiedAt != nil }

// User is an account. Makers and hospital staff belong to an organisation;
// coordinators may or may not.
type User struct {
	ID           int64         `json:"id"`
	Email        string        `json:"email"`
	Name         string        `json:"name"`
	Role         Role          `json:"role"`
	Organisation *Organisation `json:"organisation,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	// OrgRole is the person's role inside their organisation: "owner"
	// (invites and manages members) or "member"; empty without one.
	OrgRole string `json:"org_role,omitempty"`
	// Suspension is set while a coordinator has suspended the account.
	Suspension *Suspension `json:"suspension,omitempty"`
}

// Suspension says who suspended an account, when and why.
type Suspension struct {
	At     time.Time `json:"at"`
	By     int64     `json:"by"`
	Reason string    `json:"reason"`
}

// OrganisationID returns the ID of the user's organisation, or 0.
func (u *User) OrganisationID() int64 {
	if u == nil || u.Organisation == nil {
		return 0
	}
	return u.Organisation.ID
}

type contextKey int

const userContextKey contextKey = iota

// NewContextWithUser returns a copy of ctx that carries the acting user.
// Domain services read it to decide what the caller may do.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey, u)
}

// RequireUser returns the acting user, or EUNAUTHORIZED for an anonymous
// caller: every domain service starts its authorization with it.
func RequireUser(ctx context.Context) (*User, error) {
	u := UserFromContext(ctx)
	if u == nil {
		return nil, Errorf(EUNAUTHORIZED, "You must log in: send a session cookie or an Authorization: Bearer token.")
	}
	return u, nil
}

// RequireRole returns the acting user if they have one of roles; otherwise
// EUNAUTHORIZED (nobody logged in) or EFORBIDDEN saying "Only <what>."
func RequireRole(ctx context.Context, what string, roles ...Role) (*User, error) {
	u, err := RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if u.Role == r {
			return u, nil
		}
	}
	return nil, Errorf(EFORBIDDEN, "Only %s.", what)
}

// UserFromContext returns the acting user, or nil for an anonymous caller.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Organisations have members: whoever created one is its owner, and owners
// (and coordinators) invite colleagues by e-mail. An invitation is a link,
// good once within InvitationValidity, that signs the colleague up into the
// organisation, verified already if it is.

// InvitationValidity is how long an invitation works.
const InvitationValidity = 7 * 24 * time.Hour

// invitePrefix starts invitation tokens.
const invitePrefix = "mhi_"

// Organisation roles.
const (
	OrgOwner  = "owner"
	OrgMember = "member"
)

// Invitation is an invitation to join an organisation.
type Invitation struct {
	ID             int64      `json:"id"`
	OrganisationID int64      `json:"organisation_id"`
	Email          string     `json:"email"`
	Role           string     `json:"role"` // owner or member
	InvitedBy      int64      `json:"invited_by"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	UsedAt         *time.Time `json:"used_at,omitempty"`
	RevokedAt      *time.Time `json:"revoked_at,omitempty"`
}

// InviteInput names whom to invite, and as what.
type InviteInput struct {
	Email string `json:"email"`
	Role  string `json:"role"` // owner or member (default)
}

// InviteMail writes an invitation's message in the inviter's language.
type InviteMail func(organisation, inviter, link string, valid time.Duration) makerhub.Mail

// mayManage says whether u manages organisation id's members: its owners
// and coordinators.
func mayManage(u *makerhub.User, id int64) error {
	if u.Role == makerhub.RoleCoordinator || u.OrganisationID() == id && u.OrgRole == OrgOwner {
		return nil
	}
	return makerhub.Errorf(makerhub.EFORBIDDEN, "Only the owners of organisation %d and coordinators manage its members.", id)
}

// Invite e-mails an invitation to join organisation orgID (its owners and
// coordinators). An address that has an account already is refused: that
// person is a member of another organisation. Inviting an address again
// replaces its pending invitation.
func (s *Service) Invite(ctx context.Context, orgID int64, in InviteInput, baseURL string, compose InviteMail) (*Invitation, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := mayManage(u, orgID); err != nil {
		return nil, err
	}
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if err := validateEmail(in.Email); err != nil {
		return nil, err
	}
	switch in.Role {
	case "":
		in.Role = OrgMember
	case OrgOwner, OrgMember:
	default:
		return nil, makerhub.Errorf(makerhub.EINVALID, `role %q is not an organisation role: use "member" or "owner".`, in.Role)
	}
	if err := s.mayMailLinks(baseURL); err != nil {
		return nil, err
	}
	token, err := newSecret(invitePrefix)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Invitation, error) {
		o, err := findOrganisationByID(ctx, s.q(ctx), orgID)
		if err != nil {
			return nil, err
		}
		var taken int
		if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM users WHERE email = ?`, in.Email).Scan(&taken); err != nil {
			return nil, err
		}
		if taken > 0 {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "%s has an account already, in another organisation: a person belongs to one organisation.", in.Email)
		}
		at := sqlite.FormatTime(now)
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE invitations SET revoked_at = ? WHERE organisation_id = ? AND email = ?
			AND used_at IS NULL AND revoked_at IS NULL`, at, orgID, in.Email); err != nil {
			return nil, err
		}
		res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO invitations (organisation_id, email, role, token_hash, invited_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, orgID, in.Email, in.Role, hashSecret(token), u.ID, at, sqlite.FormatTime(now.Add(InvitationValidity)))
		if err != nil {
			return nil, fmt.Errorf("store invitation: %w", err)
		}
		id, _ := res.LastInsertId()
		m := compose(o.Name, u.Name, strings.TrimSuffix(baseURL, "/")+"/signup?invitation="+token, InvitationValidity)
		m.To, m.Kind = in.Email, "invitation"
		if err := s.mailer.Mail(ctx, m); err != nil {
			return nil, err
		}
		return findInvitation(ctx, s.q(ctx), id)
	})
}

const invitationColumns = `id, organisation_id, email, role, invited_by, created_at, expires_at, used_at, revoked_at`

func scanInvitation(row interface{ Scan(...any) error }) (*Invitation, error) {
	i := &Invitation{}
	return i, row.Scan(&i.ID, &i.OrganisationID, &i.Email, &i.Role, &i.InvitedBy, sqlite.Time(&i.CreatedAt), sqlite.Time(&i.ExpiresAt),
		sqlite.NullTime(&i.UsedAt), sqlite.NullTime(&i.RevokedAt))
}

func findInvitation(ctx context.Context, q sqlite.Queryer, id int64) (*Invitation, error) {
	i, err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Invitation %d does not exist.", id)
	}
	return i, err
}

// FindInvitations lists an organisation's invitations, newest first (its
// owners and coordinators).
func (s *Service) FindInvitations(ctx context.Context, orgID int64) ([]*Invitation, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := mayManage(u, orgID); err != nil {
		return nil, err
	}
	return sqlite.Collect(scanInvitation)(s.q(ctx).QueryContext(ctx,
		`SELECT `+invitationColumns+` FROM invitations WHERE organisation_id = ? ORDER BY id DESC`, orgID))
}

// RevokeInvitation withdraws a pending invitation (its organisation's
// owners and coordinators); its link stops working.
func (s *Service) RevokeInvitation(ctx context.Context, id int64) (*Invitation, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Invitation, error) {
		i, err := findInvitation(ctx, s.q(ctx), id)
		if err != nil {
			return nil, err
		}
		if err := mayManage(u, i.OrganisationID); err != nil {
			return nil, err
		}
		if i.UsedAt != nil {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Invitation %d was used already: its invitee is a member now.", id)
		}
		if i.RevokedAt == nil {
			if _, err := s.q(ctx).ExecContext(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ?`, sqlite.FormatTime(s.now()), id); err != nil {
				return nil, err
			}
		}
		return findInvitation(ctx, s.q(ctx), id)
	})
}

// signupInvited signs a person up into the organisation that invited
// them, with the invitation's role; the user's role follows the
// organisation's kind. The address must be the invited one.
func (s *Service) signupInvited(ctx context.Context, in NewUser) (*makerhub.User, error) {
	if in.Organisation != nil {
		return nil, makerhub.Errorf(makerhub.EINVALID, "organisation must be left out when signing up with an invitation: you join the organisation that invited you.")
	}
	token := strings.TrimSpace(in.Invitation)
	if !wellFormed(token, invitePrefix) {
		return nil, makerhub.Errorf(makerhub.EINVALID, "This is not an invitation link of this hub: copy the whole link from the e-mail, or ask for a new invitation.")
	}
	var inv *Invitation
	var kind makerhub.OrganisationKind
	err := s.q(ctx).QueryRowContext(ctx, `SELECT o.kind FROM invitations i JOIN organisations o ON o.id = i.organisation_id WHERE i.token_hash = ?`,
		hashSecret(token)).Scan(&kind)
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.EINVALID, "This is not an invitation link of this hub: copy the whole link from the e-mail, or ask for a new invitation.")
	} else if err != nil {
		return nil, err
	}
	in.Role = makerhub.RoleMaker
	if kind == makerhub.OrgHospital {
		in.Role = makerhub.RoleHospital
	}
	if err := validateNewUserFields(&in); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, in.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*makerhub.User, error) {
		inv, err = scanInvitation(s.q(ctx).QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE token_hash = ?`, hashSecret(token)))
		switch {
		case err != nil:
			return nil, err
		case inv.UsedAt != nil:
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "This invitation was used already: each works once. Log in, or ask for a new invitation.")
		case inv.RevokedAt != nil:
			return nil, makerhub.Errorf(makerhub.EINVALID, "This invitation was withdrawn by the organisation: ask them for a new one.")
		case !now.Before(inv.ExpiresAt):
			return nil, makerhub.Errorf(makerhub.EINVALID, "This invitation has expired: invitations work for %d days. Ask for a new one.", int(InvitationValidity.Hours()/24))
		case inv.Email != in.Email:
			return nil, makerhub.Errorf(makerhub.EINVALID, "This invitation is for %s: sign up with that address, or ask for an invitation to yours.", inv.Email)
		}
		res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO users (email, name, role, organisation_id, org_role, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, in.Email, in.Name, in.Role, inv.OrganisationID, inv.Role, hash, sqlite.FormatTime(now))
		if sqlite.IsUniqueViolation(err) {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "An account with the email %s already exists: log in instead.", in.Email)
		} else if err != nil {
			return nil, fmt.Errorf("insert user: %w", err)
		}
		id, _ := res.LastInsertId()
		if _, err := s.q(ctx).ExecContext(ctx, `UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ?`, sqlite.FormatTime(now), id, inv.ID); err != nil {
			return nil, err
		}
		return findUserByID(ctx, s.q(ctx), id)
	})
}

// InvitationByToken returns the invitation a link carries and the name of
// its organisation, for the sign-up page to say who invites; whoever holds
// the link may read them. A link that is not usable says why, as sign-up
// would.
func (s *Service) InvitationByToken(ctx context.Context, token string) (*Invitation, string, error) {
	token = strings.TrimSpace(token)
	bad := makerhub.Errorf(makerhub.EINVALID, "This is not an invitation link of this hub: copy the whole link from the e-mail, or ask for a new invitation.")
	if !wellFormed(token, invitePrefix) {
		return nil, "", bad
	}
	var orgName string
	inv, err := scanInvitation(prefixScan{s.q(ctx).QueryRowContext(ctx, `SELECT o.name, i.id, i.organisation_id, i.email, i.role, i.invited_by,
		i.created_at, i.expires_at, i.used_at, i.revoked_at FROM invitations i JOIN organisations o ON o.id = i.organisation_id
		WHERE i.token_hash = ?`, hashSecret(token)), []any{&orgName}})
	if sqlite.NoRows(err) {
		return nil, "", bad
	}
	return inv, orgName, err
}

// MayManage reports whether the acting user manages organisation id's
// members (invites, withdraws invitations): pages ask it before showing
// those forms.
func (s *Service) MayManage(ctx context.Context, id int64) bool {
	u := makerhub.UserFromContext(ctx)
	return u != nil && id != 0 && mayManage(u, id) == nil
}

package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
)

func TestAPITokens(t *testing.T) {
	e := mustService(t, accounts.Options{})
	ada := e.mustCreate(t, "ada@example.org", makerhub.RoleMaker)
	bob := e.mustCreate(t, "bob@example.org", makerhub.RoleMaker)
	ctx := as(ada)

	_, err := e.svc.CreateToken(context.Background(), accounts.NewAPIToken{Name: "x"})
	wantCode(t, err, makerhub.EUNAUTHORIZED, "")
	_, err = e.svc.CreateToken(ctx, accounts.NewAPIToken{Name: ""})
	wantCode(t, err, makerhub.EINVALID, "name is required")
	zero := 0
	_, err = e.svc.CreateToken(ctx, accounts.NewAPIToken{Name: "x", ExpiresInDays: &zero})
	wantCode(t, err, makerhub.EINVALID, "between 1 and 3650")

	seven := 7
	tok, err := e.svc.CreateToken(ctx, accounts.NewAPIToken{Name: "printer farm script", ExpiresInDays: &seven})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Kind != accounts.TokenAPI || tok.Secret == "" || !tok.ExpiresAt.Equal(e.clock.Now().Add(7*24*time.Hour)) {
		t.Fatalf("token = %+v", tok)
	}
	u, _, err := e.svc.Authenticate(context.Background(), tok.Secret)
	if err != nil || u.ID != ada.ID {
		t.Fatalf("Authenticate = %v, %v", u, err)
	}

	list, err := e.svc.FindTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != tok.ID || list[0].LastUsedAt == nil {
		t.Fatalf("FindTokens = %+v, want the one token, marked used", list)
	}
	if others, _ := e.svc.FindTokens(as(bob)); len(others) != 0 {
		t.Fatalf("bob sees %d of ada's tokens", len(others))
	}

	// Bob cannot revoke Ada's token, nor learn that it exists.
	wantCode(t, e.svc.RevokeToken(as(bob), tok.ID), makerhub.ENOTFOUND, "")
	if err := e.svc.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Authenticate(context.Background(), tok.Secret)
	wantCode(t, err, makerhub.EUNAUTHORIZED, "revoked")
	if list, _ := e.svc.FindTokens(ctx); len(list) != 0 {
		t.Fatalf("revoked token still listed: %+v", list)
	}
	// Revoking twice is harmless.
	if err := e.svc.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}

	// An API token expires on its date.
	tok2, err := e.svc.CreateToken(ctx, accounts.NewAPIToken{Name: "short", ExpiresInDays: &seven})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(7 * 24 * time.Hour)
	_, _, err = e.svc.Authenticate(context.Background(), tok2.Secret)
	wantCode(t, err, makerhub.EUNAUTHORIZED, "expired")
}

func TestOrganisations(t *testing.T) {
	e := mustService(t, accounts.Options{})
	coord := e.mustCreate(t, "coord@example.org", makerhub.RoleCoordinator)
	maker := e.mustCreate(t, "maker@example.org", makerhub.RoleMaker)
	nurse := e.mustCreate(t, "nurse@example.org", makerhub.RoleHospital)
	hospitalID := nurse.Organisation.ID

	// Only coordinators verify, and only hospitals.
	_, err := e.svc.VerifyOrganisation(context.Background(), hospitalID)
	wantCode(t, err, makerhub.EUNAUTHORIZED, "")
	_, err = e.svc.VerifyOrganisation(as(maker), hospitalID)
	wantCode(t, err, makerhub.EFORBIDDEN, "Only coordinators")
	_, err = e.svc.VerifyOrganisation(as(nurse), hospitalID)
	wantCode(t, err, makerhub.EFORBIDDEN, "Only coordinators")
	_, err = e.svc.VerifyOrganisation(as(coord), maker.Organisation.ID)
	wantCode(t, err, makerhub.ECONFLICT, "only hospitals are verified")
	_, err = e.svc.VerifyOrganisation(as(coord), 9999)
	wantCode(t, err, makerhub.ENOTFOUND, "9999")

	o, err := e.svc.VerifyOrganisation(as(coord), hospitalID)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Verified() || *o.VerifiedBy != coord.ID || !o.VerifiedAt.Equal(e.clock.Now()) {
		t.Fatalf("verified organisation = %+v", o)
	}
	e.clock.Add(time.Hour)
	again, err := e.svc.VerifyOrganisation(as(coord), hospitalID)
	if err != nil || !again.VerifiedAt.Equal(*o.VerifiedAt) {
		t.Fatalf("second verify = %+v, %v; want unchanged", again, err)
	}

	// The nurse now sees a verified organisation when authenticated afresh.
	s, err := e.svc.Login(context.Background(), accounts.Credentials{Email: "nurse@example.org", Password: "correct horse battery"}, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if !s.User.Organisation.Verified() {
		t.Fatal("nurse's organisation not verified after login")
	}

	// Who sees which organisation.
	if _, err := e.svc.FindOrganisationByID(as(maker), maker.Organisation.ID); err != nil {
		t.Fatalf("maker cannot see own organisation: %v", err)
	}
	_, err = e.svc.FindOrganisationByID(as(maker), hospitalID)
	wantCode(t, err, makerhub.EFORBIDDEN, "own organisation")
	if _, err := e.svc.FindOrganisationByID(as(coord), hospitalID); err != nil {
		t.Fatal(err)
	}

	// Listing, for coordinators, with filters.
	_, _, err = e.svc.FindOrganisations(as(maker), accounts.OrganisationFilter{})
	wantCode(t, err, makerhub.EFORBIDDEN, "")
	e.mustCreate(t, "other@chu.example", makerhub.RoleHospital)
	no := false
	list, total, err := e.svc.FindOrganisations(as(coord), accounts.OrganisationFilter{Kind: makerhub.OrgHospital, Verified: &no})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || list[0].Name != "Org of other@chu.example" {
		t.Fatalf("unverified hospitals = %d %+v", total, list)
	}
	list, total, err = e.svc.FindOrganisations(as(coord), accounts.OrganisationFilter{Query: "MAKER@", Limit: 1})
	if err != nil || total != 1 || len(list) != 1 {
		t.Fatalf("query = %d, %v", total, err)
	}
	list, total, err = e.svc.FindOrganisations(as(coord), accounts.OrganisationFilter{Limit: 2, Offset: 2})
	if err != nil || total != 3 || len(list) != 1 {
		t.Fatalf("page 2 = %d items of %d, %v", len(list), total, err)
	}
	_, _, err = e.svc.FindOrganisations(as(coord), accounts.OrganisationFilter{Kind: "clinic"})
	wantCode(t, err, makerhub.EINVALID, `"clinic"`)
	_, _, err = e.svc.FindOrganisations(as(coord), accounts.OrganisationFilter{Query: "%"})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCountCoordinators(t *testing.T) {
	e := mustService(t, accounts.Options{})
	n, err := e.svc.CountCoordinators(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("CountCoordinators = %d, %v", n, err)
	}
	e.mustCreate(t, "coord@example.org", makerhub.RoleCoordinator)
	if n, _ = e.svc.CountCoordinators(context.Background()); n != 1 {
		t.Fatalf("CountCoordinators = %d, want 1", n)
	}
}

// TestAuthenticationCacheServesNothingStale: an authenticated token is
// remembered for a few seconds, but revocation and verification are seen
// at once, and expiry is checked on every call.
func TestAuthenticationCacheServesNothingStale(t *testing.T) {
	e := mustService(t, accounts.Options{})
	nurse := e.mustCreate(t, "nurse@example.org", makerhub.RoleHospital)
	coord := e.mustCreate(t, "coord@example.org", makerhub.RoleCoordinator)
	one := 1
	tok, err := e.svc.CreateToken(as(nurse), accounts.NewAPIToken{Name: "x", ExpiresInDays: &one})
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := e.svc.Authenticate(context.Background(), tok.Secret)
	if err != nil || u.Organisation.Verified() {
		t.Fatalf("first call: %v %+v", err, u)
	}
	// Verified while the token is remembered: the next call says so.
	if _, err := e.svc.VerifyOrganisation(as(coord), nurse.Organisation.ID); err != nil {
		t.Fatal(err)
	}
	if u, _, err = e.svc.Authenticate(context.Background(), tok.Secret); err != nil || !u.Organisation.Verified() {
		t.Fatalf("after verification: %v, verified %v", err, u.Organisation.Verified())
	}
	// A caller changing its copy changes nothing for the next one.
	u.Role = makerhub.RoleCoordinator
	if again, _, _ := e.svc.Authenticate(context.Background(), tok.Secret); again.Role != makerhub.RoleHospital {
		t.Fatal("the cache handed out a shared user")
	}
	// An expired token is refused (the cache checks expiry too, on a hit).
	e.clock.Add(24*time.Hour + time.Second)
	_, _, err = e.svc.Authenticate(context.Background(), tok.Secret)
	wantCode(t, err, makerhub.EUNAUTHORIZED, "expired")

	// Revoked while remembered: refused at once.
	tok2, _ := e.svc.CreateToken(as(nurse), accounts.NewAPIToken{Name: "y"})
	if _, _, err := e.svc.Authenticate(context.Background(), tok2.Secret); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RevokeToken(as(nurse), tok2.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Authenticate(context.Background(), tok2.Secret)
	wantCode(t, err, makerhub.EUNAUTHORIZED, "revoked")
}

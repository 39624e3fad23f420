package accounts_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
)

// cheap argon2id costs keep the race-detector run fast; TestPasswordDefaults
// exercises the real ones.
var cheap = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

type env struct {
	svc   *accounts.Service
	clock *testenv.Clock
	path  string
}

func mustService(t *testing.T, opts accounts.Options) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "makerhub.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := testenv.NewClock(time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))
	opts.Now = clock.Now
	if opts.Password == (accounts.PasswordParams{}) {
		opts.Password = cheap
	}
	svc, err := accounts.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, clock: clock, path: path}
}

func f(v float64) *float64 { return &v }

func org(name string) *accounts.OrganisationInput {
	return &accounts.OrganisationInput{Name: name, Address: "1 Rue de la Paix, Paris", Lat: f(48.8566), Lon: f(2.3522)}
}

func newUser(email string, role makerhub.Role) accounts.NewUser {
	u := accounts.NewUser{Email: email, Password: "correct horse battery", Name: "Ada", Role: role}
	if role != makerhub.RoleCoordinator {
		u.Organisation = org("Org of " + email)
	}
	return u
}

func (e *env) mustCreate(t *testing.T, email string, role makerhub.Role) *makerhub.User {
	t.Helper()
	u, err := e.svc.CreateUser(context.Background(), newUser(email, role))
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func as(u *makerhub.User) context.Context {
	return makerhub.NewContextWithUser(context.Background(), u)
}

func wantCode(t *testing.T, err error, code string, msgPart string) {
	t.Helper()
	if got := makerhub.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if msgPart != "" && !strings.Contains(makerhub.ErrorMessage(err), msgPart) {
		t.Fatalf("message %q does not mention %q", makerhub.ErrorMessage(err), msgPart)
	}
}

func TestSignup(t *testing.T) {
	e := mustService(t, accounts.Options{})
	ctx := context.Background()

	maker, err := e.svc.Signup(ctx, newUser("Maker@Example.org ", makerhub.RoleMaker))
	if err != nil {
		t.Fatal(err)
	}
	if maker.Email != "maker@example.org" || maker.Role != makerhub.RoleMaker {
		t.Errorf("maker = %+v", maker)
	}
	if o := maker.Organisation; o == nil || o.Kind != makerhub.OrgMakers || o.Lat != 48.8566 || o.Verified() {
		t.Errorf("maker organisation = %+v", o)
	}

	in := newUser("nurse@chu.example", makerhub.RoleHospital)
	in.Organisation.Region = " Île-de-France "
	nurse, err := e.svc.Signup(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if o := nurse.Organisation; o == nil || o.Kind != makerhub.OrgHospital || o.Verified() || o.Region != "Île-de-France" {
		t.Errorf("hospital organisation = %+v, want an unverified hospital", o)
	}

	_, err = e.svc.Signup(ctx, newUser("boss@example.org", makerhub.RoleCoordinator))
	wantCode(t, err, makerhub.EFORBIDDEN, "makerhub users create")
}

func TestSignupRejectsBadInputAndStoresNothing(t *testing.T) {
	e := mustService(t, accounts.Options{})
	ctx := context.Background()
	e.mustCreate(t, "taken@example.org", makerhub.RoleMaker)

	tests := []struct {
		name   string
		change func(u *accounts.NewUser)
		code   string
		msg    string
	}{
		{"no email", func(u *accounts.NewUser) { u.Email = "" }, makerhub.EINVALID, "email is required"},
		{"bad email", func(u *accounts.NewUser) { u.Email = "not an email" }, makerhub.EINVALID, "not a valid email"},
		{"email with name", func(u *accounts.NewUser) { u.Email = "Ada <ada@example.org>" }, makerhub.EINVALID, "not a valid email"},
		{"short password", func(u *accounts.NewUser) { u.Password = "short" }, makerhub.EINVALID, "at least 10 characters"},
		{"huge password", func(u *accounts.NewUser) { u.Password = strings.Repeat("x", 2000) }, makerhub.EINVALID, "at most 1024"},
		{"no name", func(u *accounts.NewUser) { u.Name = "  " }, makerhub.EINVALID, "name is required"},
		{"long name", func(u *accounts.NewUser) { u.Name = strings.Repeat("é", 201) }, makerhub.EINVALID, "limit is 200"},
		{"control char", func(u *accounts.NewUser) { u.Name = "a\x00b" }, makerhub.EINVALID, "control character"},
		{"no role", func(u *accounts.NewUser) { u.Role = "" }, makerhub.EINVALID, "role is required"},
		{"unknown role", func(u *accounts.NewUser) { u.Role = "admin" }, makerhub.EINVALID, `"admin" is not known`},
		{"no organisation", func(u *accounts.NewUser) { u.Organisation = nil }, makerhub.EINVALID, "organisation is required"},
		{"no org name", func(u *accounts.NewUser) { u.Organisation.Name = "" }, makerhub.EINVALID, "organisation.name is required"},
		{"no address", func(u *accounts.NewUser) { u.Organisation.Address = "" }, makerhub.EINVALID, "organisation.address is required"},
		{"long region", func(u *accounts.NewUser) { u.Organisation.Region = strings.Repeat("r", 101) }, makerhub.EINVALID, "organisation.region is 101 characters"},
		{"no lat", func(u *accounts.NewUser) { u.Organisation.Lat = nil }, makerhub.EINVALID, "lat and organisation.lon are required"},
		{"lat out of range", func(u *accounts.NewUser) { u.Organisation.Lat = f(91) }, makerhub.EINVALID, "between -90 and 90"},
		{"lon out of range", func(u *accounts.NewUser) { u.Organisation.Lon = f(-180.5) }, makerhub.EINVALID, "between -180 and 180"},
		{"duplicate email", func(u *accounts.NewUser) { u.Email = "TAKEN@example.org" }, makerhub.ECONFLICT, "already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUser("new@example.org", makerhub.RoleMaker)
			tt.change(&u)
			_, err := e.svc.Signup(ctx, u)
			wantCode(t, err, tt.code, tt.msg)
		})
	}
	// Nothing was stored by any failed sign-up: one organisation, that of
	// taken@example.org.
	coord := e.mustCreate(t, "coord@example.org", makerhub.RoleCoordinator)
	orgs, total, err := e.svc.FindOrganisations(as(coord), accounts.OrganisationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(orgs) != 1 {
		t.Fatalf("after failed sign-ups there are %d organisations, want 1", total)
	}
}

func TestLoginAndAuthenticate(t *testing.T) {
	e := mustService(t, accounts.Options{})
	ctx := context.Background()
	u := e.mustCreate(t, "ada@example.org", makerhub.RoleMaker)

	s, err := e.svc.Login(ctx, accounts.Credentials{Email: " ADA@example.org", Password: "correct horse battery"}, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Token, "mh_") || s.User.ID != u.ID {
		t.Fatalf("session = %+v", s)
	}
	if want := e.clock.Now().Add(30 * 24 * time.Hour); !s.ExpiresAt.Equal(want) {
		t.Errorf("session expires %v, want %v", s.ExpiresAt, want)
	}
	got, tokenID, err := e.svc.Authenticate(ctx, s.Token)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.Organisation == nil || tokenID != s.TokenID {
		t.Fatalf("Authenticate = %+v, %d", got, tokenID)
	}

	_, err = e.svc.Login(ctx, accounts.Credentials{Email: "ada@example.org", Password: "wrong password!"}, "192.0.2.1")
	wantCode(t, err, makerhub.EUNAUTHORIZED, "email or password is incorrect")
	_, err = e.svc.Login(ctx, accounts.Credentials{Email: "nobody@example.org", Password: "wrong password!"}, "192.0.2.1")
	wantCode(t, err, makerhub.EUNAUTHORIZED, "email or password is incorrect")
	_, err = e.svc.Login(ctx, accounts.Credentials{Email: "ada@example.org"}, "192.0.2.1")
	wantCode(t, err, makerhub.EINVALID, "required")

	for _, bad := range []string{"", "Bearer x", "mh_short", "mh_" + strings.Repeat("A", 43)} {
		_, _, err = e.svc.Authenticate(ctx, bad)
		wantCode(t, err, makerhub.EUNAUTHORIZED, "")
	}

	// The session expires.
	e.clock.Add(30*24*time.Hour + time.Second)
	_, _, err = e.svc.Authenticate(ctx, s.Token)
	wantCode(t, err, makerhub.EUNAUTHORIZED, "expired")
}

func TestLoginRateLimits(t *testing.T) {
	e := mustService(t, accounts.Options{Login: accounts.LoginLimits{
		AccountBurst: 3, AccountInterval: time.Minute, IPBurst: 100, IPInterval: time.Second,
	}})
	ctx := context.Background()
	e.mustCreate(t, "ada@example.org", makerhub.RoleMaker)
	good := accounts.Credentials{Email: "ada@example.org", Password: "correct horse battery"}
	bad := accounts.Credentials{Email: "ada@example.org", Password: "guess guess guess"}

	for i := 0; i < 3; i++ {
		_, err := e.svc.Login(ctx, bad, "192.0.2.7")
		wantCode(t, err, makerhub.EUNAUTHORIZED, "")
	}
	// Even the right password is refused now, from any IP, with a wait.
	_, err := e.svc.Login(ctx, good, "198.51.100.1")
	wantCode(t, err, makerhub.ERATELIMITED, "failed logins for this account")
	var me *makerhub.Error
	if !asError(err, &me) || me.RetryAfter <= 0 || me.RetryAfter > time.Minute {
		t.Fatalf("RetryAfter = %v, want within (0, 1m]", me.RetryAfter)
	}
	// Another account is not affected.
	e.mustCreate(t, "bob@example.org", makerhub.RoleMaker)
	if _, err := e.svc.Login(ctx, accounts.Credentials{Email: "bob@example.org", Password: "correct horse battery"}, "192.0.2.7"); err != nil {
		t.Fatalf("other account: %v", err)
	}
	// After the advertised wait, the right password works.
	e.clock.Add(me.RetryAfter)
	if _, err := e.svc.Login(ctx, good, "192.0.2.7"); err != nil {
		t.Fatalf("after waiting %v: %v", me.RetryAfter, err)
	}
}

func TestLoginRateLimitPerIP(t *testing.T) {
	e := mustService(t, accounts.Options{Login: accounts.LoginLimits{
		AccountBurst: 100, AccountInterval: time.Second, IPBurst: 2, IPInterval: 10 * time.Second,
	}})
	ctx := context.Background()
	e.mustCreate(t, "ada@example.org", makerhub.RoleMaker)
	good := accounts.Credentials{Email: "ada@example.org", Password: "correct horse battery"}
	for i := 0; i < 2; i++ {
		if _, err := e.svc.Login(ctx, good, "203.0.113.9"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.Login(ctx, good, "203.0.113.9")
	wantCode(t, err, makerhub.ERATELIMITED, "from your network")
	if _, err := e.svc.Login(ctx, good, "203.0.113.10"); err != nil {
		t.Fatalf("another IP is limited too: %v", err)
	}
	e.clock.Add(10 * time.Second)
	if _, err := e.svc.Login(ctx, good, "203.0.113.9"); err != nil {
		t.Fatalf("after the interval: %v", err)
	}
}

func TestLoginLimitsOff(t *testing.T) {
	e := mustService(t, accounts.Options{Login: accounts.LoginLimits{AccountBurst: -1, IPBurst: -1}})
	e.mustCreate(t, "ada@example.org", makerhub.RoleMaker)
	for i := 0; i < 50; i++ {
		_, err := e.svc.Login(context.Background(), accounts.Credentials{Email: "ada@example.org", Password: "nope nope nope"}, "127.0.0.1")
		wantCode(t, err, makerhub.EUNAUTHORIZED, "")
	}
}

func asError(err error, target **makerhub.Error) bool {
	e, ok := err.(*makerhub.Error)
	*target = e
	return ok
}

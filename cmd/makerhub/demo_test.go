package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
)

// demoLine is an account line of seedDemo's output: its email and password.
var demoLine = regexp.MustCompile(`(?m)^  (coordinator|maker|hospital) +\S.*\n {15}(\S+@demo\.example\.org) +([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})$`)

// newDemoServices builds a hub's services on a fresh database and local
// blob folder, with cheap password hashes.
func newDemoServices(t *testing.T, maxUpload int64) (demoServices, *local.Store) {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "makerhub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := local.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.New(db, accounts.Options{Password: accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ds := designs.New(db, acc, blobs, designs.Options{TempDir: t.TempDir(), MaxUpload: maxUpload})
	t.Cleanup(ds.Close)
	prod := production.New(db, acc, ds, production.Options{})
	return demoServices{Accounts: acc, Designs: ds, Production: prod, Inventory: inventory.New(db, acc, ds, prod, inventory.Options{}),
		Blobs: blobs}, blobs
}

func TestSeedDemoFillsAnEmptyHubOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, blobs := newDemoServices(t, 0)
	acc, ds, prod := svc.Accounts, svc.Designs, svc.Production

	var out strings.Builder
	start := time.Now()
	seeded, err := seedDemo(ctx, svc, "http://localhost:8080/", &out)
	if err != nil || !seeded {
		t.Fatalf("seedDemo: %v, seeded %v", err, seeded)
	}
	t.Logf("seeded in %s:\n%s", time.Since(start).Round(time.Millisecond), out.String())
	if !strings.Contains(out.String(), "Open http://localhost:8080/ and log in as:") {
		t.Errorf("the output does not say what to open")
	}

	// Every printed account logs in with its printed password.
	lines := demoLine.FindAllStringSubmatch(out.String(), -1)
	if len(lines) != len(demoAccounts) {
		t.Fatalf("%d accounts printed, want %d", len(lines), len(demoAccounts))
	}
	as := map[makerhub.Role]context.Context{}
	var makers []context.Context // those with printers: the owners
	members := map[int64]int{}   // organisation → its members (not owners)
	for _, l := range lines {
		s, err := acc.Login(ctx, accounts.Credentials{Email: l[2], Password: l[3]}, "127.0.0.1")
		if err != nil {
			t.Fatalf("log in as %s: %v", l[2], err)
		}
		if string(s.User.Role) != l[1] {
			t.Errorf("%s is a %s, printed as %s", l[2], s.User.Role, l[1])
		}
		as[s.User.Role] = makerhub.NewContextWithUser(ctx, s.User)
		if s.User.Role == makerhub.RoleMaker && s.User.OrgRole == accounts.OrgOwner {
			makers = append(makers, as[s.User.Role])
		}
		if s.User.OrgRole == accounts.OrgMember {
			members[s.User.OrganisationID()]++
		}
	}
	coord := as[makerhub.RoleCoordinator]
	// A second member in one hospital and in one maker group.
	if len(members) != 2 {
		t.Errorf("organisations with a second member: %v, want one hospital and one maker group", members)
	}

	counts := func() map[string]int {
		t.Helper()
		n := map[string]int{}
		var err error
		must := func(e error) {
			if e != nil && err == nil {
				err = e
			}
		}
		var c int
		c, e := acc.CountUsers(ctx)
		n["users"] = c
		must(e)
		_, n["designs"], e = ds.FindDesigns(coord, designs.DesignFilter{})
		must(e)
		_, n["submitted"], e = ds.FindDesigns(coord, designs.DesignFilter{Status: designs.Submitted})
		must(e)
		_, n["validated"], e = ds.FindDesigns(coord, designs.DesignFilter{Status: designs.ClinicallyValidated})
		must(e)
		_, n["printers"], e = prod.FindPrinters(coord, production.PrinterFilter{})
		must(e)
		_, n["requests"], e = prod.FindRequests(coord, production.RequestFilter{})
		must(e)
		_, n["runs"], e = prod.FindRoutingRuns(coord, 0, 10)
		must(e)
		_, n["offered"], e = prod.FindJobs(coord, production.JobFilter{State: production.JobOffered})
		must(e)
		hubs, e := svc.Inventory.FindLocations(coord, inventory.Hub)
		n["hubs"] = len(hubs)
		must(e)
		_, n["spools"], e = svc.Inventory.FindSpools(coord, inventory.SpoolFilter{})
		must(e)
		_, n["hospitals"], e = acc.FindOrganisations(coord, accounts.OrganisationFilter{Kind: makerhub.OrgHospital})
		must(e)
		_, n["verified"], e = acc.FindOrganisations(coord, accounts.OrganisationFilter{Kind: makerhub.OrgHospital, Verified: new(true)})
		must(e)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := map[string]int{"users": 9, "designs": 4, "submitted": 1, "validated": 1, "printers": 6, "requests": 3,
		"runs": 1, "hubs": 1, "spools": 5, "hospitals": 3, "verified": 2}
	got := counts()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d, want %d", k, got[k], v)
		}
	}
	if got["offered"] == 0 {
		t.Errorf("routing offered no jobs")
	}
	for i, m := range makers {
		if _, n, err := prod.FindJobs(m, production.JobFilter{Scope: production.ScopeMine}); err != nil || n == 0 {
			t.Errorf("maker %d has %d jobs offered (%v): each demo maker should have some", i, n, err)
		}
	}

	// Each design's STL is analysed, and its thumbnail drawn and stored.
	list, _, err := ds.FindDesigns(coord, designs.DesignFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		v, err := ds.FindVersion(coord, d.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Files) != 1 || v.Files[0].Analysis == nil || v.Files[0].Analysis.Estimate == nil {
			b, _ := json.Marshal(v.Files)
			t.Fatalf("design %q: files %s, want one analysed STL", d.Title, b)
		}
		if a := v.Files[0].Analysis; !a.Watertight || len(a.FitsBeds) == 0 {
			t.Errorf("design %q: watertight %v, fits %v", d.Title, a.Watertight, a.FitsBeds)
		}
		if _, err := blobs.Stat(ctx, designs.ThumbnailKey(v.Files[0].SHA256)); err != nil {
			t.Errorf("design %q: no stored thumbnail: %v", d.Title, err)
		}
		if d.Licence.ID == "" || d.SourceURL == "" {
			t.Errorf("design %q: licence %q, source %q", d.Title, d.Licence.ID, d.SourceURL)
		}
	}

	// A second start adds nothing and prints nothing.
	out.Reset()
	if seeded, err := seedDemo(ctx, svc, "http://localhost:8080/", &out); err != nil || seeded || out.Len() != 0 {
		t.Fatalf("second seedDemo: %v, seeded %v, printed %q", err, seeded, out.String())
	}
	again := counts()
	for k, v := range got {
		if again[k] != v {
			t.Errorf("after a second seedDemo, %s: %d, was %d", k, again[k], v)
		}
	}
}

// TestSeedDemoNamesTheFailedStep: a step that fails stops the seeding with
// its name, and serve says what to do with the half-filled hub.
func TestSeedDemoNamesTheFailedStep(t *testing.T) {
	t.Parallel()
	svc, _ := newDemoServices(t, 1<<20) // the face shield's STL is 1.6 MiB
	var out strings.Builder
	err := startDemo(context.Background(), slog.New(slog.DiscardHandler), svc, "http://localhost:8080/", "data/makerhub.db", &out)
	if err == nil || !strings.Contains(err.Error(), "demo data: publish face-shield-headpiece.stl: ") ||
		!strings.Contains(err.Error(), "delete data/makerhub.db and start again with --demo") {
		t.Errorf("error %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("a failed seeding printed accounts:\n%s", out.String())
	}
	t.Log(err)
}

// TestServeDemo runs serve --demo: the accounts go to stdout, one logs in
// through the API, and a restart with --demo keeps the hub as it is.
func TestServeDemo(t *testing.T) {
	t.Parallel()
	e := env{"MAKERHUB_DATA": t.TempDir(), "MAKERHUB_DEMO": "true", "MAKERHUB_ROUTING_EVERY": "0"}
	stdout, _, url, stop := startDemoHub(t, e)
	m := demoLine.FindStringSubmatch(stdout.String())
	if m == nil || !strings.Contains(stdout.String(), "Open "+url+"/ and log in as:") {
		stop()
		t.Fatalf("serve --demo printed:\n%s", stdout)
	}
	body, _ := json.Marshal(accounts.Credentials{Email: m[2], Password: m[3]})
	if code, resp := post(t, url+"/api/v1/auth/login", string(body)); code != 200 {
		t.Errorf("log in as %s: %d %s", m[2], code, resp)
	}
	stop()

	stdout, logs, _, stop := startDemoHub(t, e)
	stop()
	if stdout.String() != "" || !strings.Contains(logs.String(), "no demo data was added") ||
		strings.Contains(logs.String(), "no coordinator account") {
		t.Errorf("restart with --demo printed %q, logged:\n%s", stdout, logs)
	}
}

// TestServeDemoOnMinIO: the demo's files go to a bucket that serve creates
// before it seeds.
func TestServeDemoOnMinIO(t *testing.T) {
	t.Parallel()
	m := testenv.StartMinIO(t)
	stdout, logs, _, stop := startDemoHub(t, env{"MAKERHUB_DATA": t.TempDir(), "MAKERHUB_DEMO": "true",
		"MAKERHUB_ROUTING_EVERY": "0", "MAKERHUB_S3_ENDPOINT": m.Endpoint, "MAKERHUB_S3_ACCESS_KEY": m.AccessKey,
		"MAKERHUB_S3_SECRET_KEY": m.SecretKey, "MAKERHUB_S3_BUCKET": "demo-blobs"})
	stop()
	if len(demoLine.FindAllString(stdout.String(), -1)) != len(demoAccounts) {
		t.Errorf("serve --demo on MinIO printed:\n%s\nlogged:\n%s", stdout, logs)
	}
}

// startDemoHub runs serve in-process until it is healthy, keeping its
// stdout; stop cancels it and waits for it to return.
func startDemoHub(t *testing.T, e env) (stdout, logs *testenv.LockedBuffer, url string, stop func()) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, logs = &testenv.LockedBuffer{}, &testenv.LockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr}, e.get, strings.NewReader(""), stdout, logs)
	}()
	url = "http://" + addr
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve --demo stopped: %v\nstdout:\n%s\nlogs:\n%s", err, stdout, logs)
		default:
		}
		if code, _ := get(url + "/healthz"); code == 200 {
			break
		}
		if time.Since(start) > 60*time.Second {
			cancel()
			t.Fatalf("serve --demo not healthy after 60 s; logs:\n%s", logs)
		}
	}
	return stdout, logs, url, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}

func TestDemoURL(t *testing.T) {
	for _, c := range []struct {
		public string
		addr   net.Addr
		want   string
	}{
		{"", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8080/"},
		{"", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://localhost:8080/"},
		{"", &net.TCPAddr{IP: net.IPv4(192, 168, 1, 20), Port: 9000}, "http://192.168.1.20:9000/"},
		{"", &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "http://[::1]:8080/"},
		{"https://hub.example.org", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "https://hub.example.org/"},
	} {
		if got := demoURL(c.public, c.addr); got != c.want {
			t.Errorf("demoURL(%q, %v) = %q, want %q", c.public, c.addr, got, c.want)
		}
	}
}

func TestDemoPasswordsAreRandomAndReadable(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		pw, err := demoPassword()
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$`).MatchString(pw) || seen[pw] {
			t.Fatalf("password %q: not of the form xxxx-xxxx-xxxx, or seen before", pw)
		}
		seen[pw] = true
	}
}

// get returns url's status, 0 if it does not answer.
func get(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

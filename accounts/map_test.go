package accounts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// TestFindMapOrganisations: hospitals first, then maker groups, each oldest
// first; organisations without coordinates are left out of the pages and
// the total; offset and limit page through them; only coordinators list.
func TestFindMapOrganisations(t *testing.T) {
	e := mustService(t, accounts.Options{})
	coord := e.mustCreate(t, "coord@example.org", makerhub.RoleCoordinator)
	var makers, hospitals []string
	for i := range 6 {
		role, email := makerhub.RoleMaker, fmt.Sprintf("maker%d@example.org", i)
		if i%2 == 1 {
			role, email = makerhub.RoleHospital, fmt.Sprintf("nurse%d@chu.example", i)
		}
		u := e.mustCreate(t, email, role)
		if role == makerhub.RoleMaker {
			makers = append(makers, u.Organisation.Name)
		} else {
			hospitals = append(hospitals, u.Organisation.Name)
		}
	}
	nowhere := newUser("nowhere@example.org", makerhub.RoleMaker)
	nowhere.Organisation.Lat, nowhere.Organisation.Lon = f(0), f(0)
	if _, err := e.svc.CreateUser(context.Background(), nowhere); err != nil {
		t.Fatal(err)
	}

	want := append(append([]string{}, hospitals...), makers...)
	var got []string
	for offset := 0; offset < 10; offset += 4 {
		page, total, err := e.svc.FindMapOrganisations(as(coord), offset, 4)
		if err != nil {
			t.Fatal(err)
		}
		if total != 6 {
			t.Fatalf("total = %d, want 6 (the organisation at (0, 0) has no place on the map)", total)
		}
		for _, o := range page {
			got = append(got, o.Name)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("map order = %q, want %q", got, want)
	}
	if none, total, err := e.svc.FindMapOrganisations(as(coord), 0, 0); err != nil || len(none) != 0 || total != 6 {
		t.Fatalf("limit 0: %d organisations of %d, %v; want none of 6", len(none), total, err)
	}

	_, _, err := e.svc.FindMapOrganisations(as(e.mustCreate(t, "m@example.org", makerhub.RoleMaker)), 0, 10)
	wantCode(t, err, makerhub.EFORBIDDEN, "Only coordinators")
	_, _, err = e.svc.FindMapOrganisations(context.Background(), 0, 10)
	wantCode(t, err, makerhub.EUNAUTHORIZED, "")
}

// TestMapOrderUsesItsIndex: the map's query reads organisations in index
// order instead of sorting a national network's tens of thousands on every
// view.
func TestMapOrderUsesItsIndex(t *testing.T) {
	e := mustService(t, accounts.Options{})
	db, err := sqlite.Open(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT o.id FROM organisations o WHERE NOT (o.lat = 0 AND o.lon = 0)
		ORDER BY o.kind != 'hospital', o.id LIMIT 10 OFFSET 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	p := strings.Join(plan, "; ")
	if !strings.Contains(p, "organisations_map") || strings.Contains(p, "TEMP B-TREE") {
		t.Fatalf("query plan %q: want a scan of the organisations_map index and no sort", p)
	}
}

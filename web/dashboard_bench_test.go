package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/accounts"
)

// BenchmarkDashboardNational renders the dashboards on a hub holding a
// national network's organisations (20,000 maker groups, 7,000 hospitals,
// as makerhub-load's national day signs up), coordinator's beside a
// maker's, whose page reads nothing network-wide: the anchor. The national
// day found the coordinator's at 683 ms p99.
//
//	go test -run '^$' -bench BenchmarkDashboardNational -benchtime 20x ./web/
func BenchmarkDashboardNational(b *testing.B) {
	h := newTestHub(b, accounts.Options{})
	coord, maker := h.newCaller("coordinator"), h.newCaller("maker")
	tx, err := h.db.BeginTx(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z") // the hub's stored form
	for i := range 27000 {
		kind, verified := "makers", any(nil)
		if i%27 < 7 {
			kind, verified = "hospital", now
		}
		if _, err := tx.Exec(`INSERT INTO organisations (kind, name, address, lat, lon, verified_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			kind, fmt.Sprintf("%s %d", kind, i), "1 rue de la Paix", 43.3+float64(i%6000)/1000, -1.2+float64(i%8500)/1000, verified, now); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for _, who := range []struct {
		name string
		c    *caller
	}{{"coordinator", coord}, {"maker", maker}} {
		b.Run(who.name, func(b *testing.B) {
			for b.Loop() {
				if r := h.page("/dashboard", "", session(who.c)); r.StatusCode != 200 {
					b.Fatalf("%d; log: %s", r.StatusCode, h.logs.String()[max(0, len(h.logs.String())-1500):])
				}
			}
		})
	}
}

// TestDashboardMapCap: the map shows 3,000 places, hospitals first, and
// says how many organisations it leaves out.
func TestDashboardMapCap(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	coord := h.newCaller("coordinator")
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	for i := range 3010 {
		kind := "makers"
		if i >= 3000 {
			kind = "hospital"
		}
		if _, err := h.db.Exec(`INSERT INTO organisations (kind, name, address, lat, lon, created_at) VALUES (?, ?, ?, 45, 5, ?)`,
			kind, fmt.Sprintf("%s %d", kind, i), "1 rue de la Paix", now); err != nil {
			t.Fatal(err)
		}
	}
	var total int
	if err := h.db.QueryRow(`SELECT count(*) FROM organisations`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	r := h.page("/dashboard", "", session(coord))
	if want := fmt.Sprintf("%d more maker groups are not on the map", total-3000); !strings.Contains(r.body, want) {
		t.Errorf("the dashboard does not say %q", want)
	}
	for _, name := range []string{"hospital 3000", "hospital 3009"} { // the last hospitals still shown
		if !strings.Contains(r.body, name) {
			t.Errorf("the map leaves out %s", name)
		}
	}
	if strings.Contains(r.body, ">makers 2999<") {
		t.Errorf("the map shows the last maker group, beyond its 3,000 places")
	}
}

package ui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/makerhub/makerhub/accounts"
)

// BenchmarkDashboardNational renders the dashboards on a hub holding a
// national network's organisations (20,000 maker groups, 7,000 hospitals,
// as makerhub-load's national day signs up), coordinator's beside a
// maker's, whose page reads nothing network-wide: the anchor; and the
// coordinator's map's places (/dashboard/places.json), which the page's
// script fetches. The national day found the coordinator's dashboard at
// 683 ms p99 when it held the places as a 3,000-row table.
//
//	go test -run '^$' -bench BenchmarkDashboardNational -benchtime 20x ./web/
func BenchmarkDashboardNational(b *testing.B) {
	h := newTestHub(b, accounts.Options{})
	coord, maker := h.NewCaller("coordinator"), h.NewCaller("maker")
	tx, err := h.DB.BeginTx(context.Background(), nil)
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
		name, path string
		c          *caller
	}{{"coordinator", "/dashboard", coord}, {"places.json", "/dashboard/places.json", coord}, {"maker", "/dashboard", maker}} {
		b.Run(who.name, func(b *testing.B) {
			for b.Loop() {
				if r := h.page(who.path, "", session(who.c)); r.StatusCode != 200 {
					b.Fatalf("%d; log: %s", r.StatusCode, h.Logs.String()[max(0, len(h.Logs.String())-1500):])
				}
			}
		})
	}
}

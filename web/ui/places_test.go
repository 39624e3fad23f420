package ui_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/makerhub/makerhub/accounts"
)

// TestPlaces: the map's places come as JSON, at most 3,000, hubs first, then
// hospitals, then maker groups; the dashboard says how many it leaves out;
// the table of places pages through them all in the same order; neither
// shows an organisation without coordinates, and only coordinators see them.
func TestPlaces(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	coord, maker := h.NewCaller("coordinator"), h.NewCaller("maker")
	h.Must(201, "POST", "/api/v1/hubs", `{"name":"Hub Lyon","address":"1 quai du Rhône","lat":45.76,"lon":4.84}`, coord.Token, nil)
	h.Must(201, "POST", "/api/v1/hubs", `{"name":"Hub sans carte","address":"2 place du Marché"}`, coord.Token, nil)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	tx, err := h.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3011 {
		kind, lat := "makers", 45.0
		if i >= 3000 {
			kind = "hospital"
		}
		if i == 3010 {
			lat = 0 // no coordinates: at (0, 0)
		}
		if _, err := tx.Exec(`INSERT INTO organisations (kind, name, address, lat, lon, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			kind, fmt.Sprintf("%s %d", kind, i), "1 rue de la Paix", lat, 5*lat/45, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// The callers' own organisations have coordinates: maker groups
	// created before these.
	var located int
	if err := h.DB.QueryRow(`SELECT count(*) FROM organisations WHERE NOT (lat = 0 AND lon = 0)`).Scan(&located); err != nil {
		t.Fatal(err)
	}
	total := located + 1 // and the hub that has coordinates

	// The dashboard reads no place, only how many the map leaves out.
	r := h.page("/dashboard", "", session(coord))
	wantPage(t, r, 200, fmt.Sprintf("%d more places are not on the map", total-3000), `data-places="/dashboard/places.json"`, `href="/dashboard/places"`)
	if strings.Contains(r.Body, `class="places`) {
		t.Error("the dashboard lists places itself")
	}

	// The map's JSON.
	r = h.page("/dashboard/places.json", "", session(coord))
	var m struct {
		Places []struct {
			Kind, Name string
			Lat, Lon   float64
			Verified   bool
		}
		Total int
	}
	if r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &m) != nil {
		t.Fatalf("places.json: %d %.300s", r.StatusCode, r.Body)
	}
	if m.Total != total || len(m.Places) != 3000 {
		t.Fatalf("places.json: %d places of %d, want 3000 of %d", len(m.Places), m.Total, total)
	}
	if p := m.Places[0]; p.Kind != "hub" || p.Name != "Hub Lyon" || p.Lat != 45.76 || p.Lon != 4.84 || !p.Verified {
		t.Errorf("first place %+v, want the hub with coordinates", p)
	}
	for i, name := range []string{"hospital 3000", "hospital 3009"} {
		if p := m.Places[1+i*9]; p.Kind != "hospital" || p.Name != name || p.Verified {
			t.Errorf("place %d = %+v, want %s, not verified", 1+i*9, p, name)
		}
	}
	if p := m.Places[11]; p.Kind != "maker" {
		t.Errorf("place 11 = %+v, want the maker groups after the hospitals", p)
	}
	for _, p := range m.Places {
		if p.Name == "hospital 3010" || p.Name == "Hub sans carte" || p.Name == "makers 2999" {
			t.Errorf("the map shows %s (no coordinates, or beyond its 3,000 places)", p.Name)
		}
	}

	// The table: every place, 200 a page, in the map's order.
	var names []string
	next := "/dashboard/places"
	for pages := 0; next != ""; pages++ {
		if pages > total/200+1 {
			t.Fatalf("the table has more pages than its %d places fill", total)
		}
		r = h.page(next, "", session(coord))
		wantPage(t, r, 200, message.NewPrinter(language.English).Sprintf("%d collection hubs, hospitals and maker groups have coordinates.", total))
		for _, row := range strings.Split(r.Body, "<tr><td>")[1:] {
			names = append(names, row[:strings.Index(row, "</td>")])
		}
		next = ""
		if i := strings.Index(r.Body, `rel="next"`); i >= 0 {
			href := r.Body[strings.LastIndex(r.Body[:i], `href="`)+6:]
			next = strings.ReplaceAll(href[:strings.Index(href, `"`)], "&amp;", "&")
		}
	}
	if len(names) != total || names[0] != "Hub Lyon" || names[1] != "hospital 3000" || names[total-1] != "makers 2999" {
		t.Fatalf("the table lists %d places (%q … %q), want %d from the hub to makers 2999", len(names), names[:min(3, len(names))], names[len(names)-1], total)
	}
	wantPage(t, h.page("/dashboard/places?offset=200", "fr", session(coord)), 200, "Lieux 201 à 400 sur", `rel="prev"`)
	wantPage(t, h.page("/dashboard/places?offset=-1", "", session(coord)), 400, "offset")

	// Only coordinators.
	wantPage(t, h.page("/dashboard/places", "", session(maker)), 403, "Only coordinators")
	if r = h.page("/dashboard/places", ""); r.StatusCode != 303 || r.Header.Get("Location") != "/login?next=%2Fdashboard%2Fplaces" {
		t.Errorf("a visitor: %d to %q, want the login page", r.StatusCode, r.Header.Get("Location"))
	}
	for who, want := range map[string]int{"maker": 403, "visitor": 401} {
		r = h.page("/dashboard/places.json", "", session(maker))
		if who == "visitor" {
			r = h.page("/dashboard/places.json", "")
		}
		if r.StatusCode != want || !strings.Contains(r.Body, `"error":{"code"`) {
			t.Errorf("places.json for a %s: %d %s, want %d in the one error shape", who, r.StatusCode, r.Body, want)
		}
	}
}

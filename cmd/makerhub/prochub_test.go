package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/designs/stl/stltest"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/internal/testenv"
)

// procHub is a hub in a process of its own (testenv.HubProcess), built
// from this package, with a client for its API.
type procHub struct {
	*testenv.HubProcess
	tb     testing.TB
	client *http.Client
}

// buildHub builds this package's makerhub binary, once per test binary.
func buildHub(tb testing.TB) string {
	tb.Helper()
	return testenv.BuildHub(tb, ".")
}

// startProcHub starts bin serving data on a free loopback port, routing
// schedule off, login limits off (every client is on loopback).
func startProcHub(tb testing.TB, bin, data string, extra ...string) *procHub {
	tb.Helper()
	if v := os.Getenv("BENCH_HUB_DEBUG_ADDR"); v != "" {
		extra = append(extra, "--debug-addr", v) // to profile the hub under load
	}
	return &procHub{HubProcess: testenv.StartHub(tb, bin, data, extra...), tb: tb,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}}
}

// call sends a request and returns the status and body; a transport error
// (the hub is gone) is status 0.
func (h *procHub) call(token, method, path, body string) (int, []byte) {
	req, err := http.NewRequestWithContext(context.Background(), method, h.URL()+path, strings.NewReader(body))
	if err != nil {
		h.tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// must is call that fails unless the status is want, decoding into v.
func (h *procHub) must(want int, token, method, path, body string, v any) {
	h.tb.Helper()
	status, out := h.call(token, method, path, body)
	if status != want {
		h.tb.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, out)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			h.tb.Fatalf("%s %s: %v: %s", method, path, err, out)
		}
	}
}

func (h *procHub) login(email string) string {
	h.tb.Helper()
	var s struct{ Token string }
	h.must(200, "", "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":"a long test password"}`, email), &s)
	return s.Token
}

// prodSeed is a hub ready for claims: makers with printers, a verified
// hospital's request for a published part.
type prodSeed struct {
	coord, hospital string
	makers          []string // tokens
	request         int64
	version         int64
}

// seedProduction fills a running hub through its API and CLI.
func seedProduction(tb testing.TB, h *procHub, makers, units int) *prodSeed {
	tb.Helper()
	create := exec.Command(h.Bin, "users", "create", "--data", h.Data, "--email", "coord@example.org", "--name", "Coord", "--role", "coordinator")
	create.Stdin = strings.NewReader("a long test password\n")
	if out, err := create.CombinedOutput(); err != nil {
		tb.Fatalf("users create: %v\n%s", err, out)
	}
	s := &prodSeed{coord: h.login("coord@example.org")}
	signup := func(email, role string, lat float64) (int64, string) {
		var u struct{ Organisation struct{ ID int64 } }
		h.must(201, "", "POST", "/api/v1/auth/signup", fmt.Sprintf(`{"email":%q,"password":"a long test password","name":"T","role":%q,
			"organisation":{"name":"Org %s","address":"Lyon","lat":%v,"lon":4.8}}`, email, role, email, lat), &u)
		return u.Organisation.ID, h.login(email)
	}
	org, tok := signup("nurse@example.org", "hospital", 45.7)
	h.must(200, s.coord, "POST", fmt.Sprintf("/api/v1/organisations/%d/verify", org), "", nil)
	s.hospital = tok
	for i := range makers {
		_, tok := signup(fmt.Sprintf("maker%d@example.org", i), "maker", 45+float64(i)/100)
		h.must(201, tok, "POST", "/api/v1/printers", `{"name":"Ender-3","bed_mm":[220,220,250],"materials":["PLA"],"hours_per_day":16}`, nil)
		s.makers = append(s.makers, tok)
	}
	var d struct{ ID int64 }
	h.must(201, s.coord, "POST", "/api/v1/designs", `{"title":"Ear saver","category":"ear_saver","licence":"CC0-1.0"}`, &d)
	h.must(201, s.coord, "POST", fmt.Sprintf("/api/v1/designs/%d/versions", d.ID), `{"notes":"v1"}`, nil)
	var cube bytes.Buffer
	stltest.WriteBinary(&cube, "cube", stltest.Cube([3]float32{}, 20))
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/designs/%d/versions/1/files?name=ear.stl", h.URL(), d.ID), &cube)
	req.Header.Set("Authorization", "Bearer "+s.coord)
	resp, err := h.client.Do(req)
	if err != nil || resp.StatusCode != 201 {
		tb.Fatalf("upload: %v %v", err, resp)
	}
	resp.Body.Close()
	var v struct{ ID int64 }
	h.must(200, s.coord, "POST", fmt.Sprintf("/api/v1/designs/%d/versions/1/publish", d.ID), "", &v)
	s.version = v.ID
	var r struct{ ID int64 }
	h.must(201, s.hospital, "POST", "/api/v1/requests", fmt.Sprintf(`{"design_id":%d,"quantity":%d,"needed_by":%q}`,
		d.ID, units, time.Now().AddDate(0, 0, 20).Format("2006-01-02")), &r)
	s.request = r.ID
	return s
}

// seedPoolJobs puts n one-unit jobs for the seed's request in the open
// pool, straight into the database (making 100,000 jobs one API call at a
// time would take longer than the benchmark), and returns the first ID.
func seedPoolJobs(tb testing.TB, dbPath string, s *prodSeed, n int) int64 {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var first int64
	now := sqlite.FormatTime(time.Now())
	err = db.QueryRow(`SELECT COALESCE(max(id), 0) + 1 FROM jobs`).Scan(&first)
	if err == nil {
		_, err = db.Exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
			INSERT INTO jobs (request_id, version_id, quantity, state, reason, created_at, updated_at)
			SELECT ?, ?, 1, 'open', 'seeded for the benchmark', ?, ? FROM k`, n, s.request, s.version, now, now)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return first
}

// dbPath is the hub's database file.
func (h *procHub) dbPath() string { return filepath.Join(h.Data, "makerhub.db") }

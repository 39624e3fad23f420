package report

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden pages in testdata from the fixtures")

func render(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// golden compares a page with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, page string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if page != string(want) {
		t.Errorf("the page differs from %s (go test -run %s -update rewrites it); got:\n%s", path, t.Name(), page)
	}
}

// everyBenchmarkShown checks that no benchmark of the report vanished from
// the page: each one's name is on it, or it only groups sub-benchmarks.
func everyBenchmarkShown(t *testing.T, r *Report, page string) {
	t.Helper()
	for _, p := range r.Packages {
		for _, b := range p.Benchmarks {
			if !isParent(p, b) && !strings.Contains(page, "`"+b.Name+"`") {
				t.Errorf("%s %s is not on the page", p.Dir, b.Name)
			}
		}
	}
}

func TestRenderQuickRun(t *testing.T) {
	r := mustParse(t, "quick-run.txt")
	page := render(t, r)
	golden(t, "quick-run.md", page)
	everyBenchmarkShown(t, r, page)
	for _, want := range []string{
		"> **Quick run**",
		"| cores | 2 |",
		"## STL analysis against admesh (issue 3)",
		"| face-shield-headpiece.stl | 33630 / 33630 |",
		"## Print estimates against PrusaSlicer (issue 3)",
		"## Uploads against plain minio-go (issue 3)",
		"## Claims against raw SQLite (issue 4)",
		"BENCH_CLAIMS=2000 go test -run '^$' -bench '^BenchmarkClaims$' -benchtime 1x -count 1 -timeout 60m -v ./cmd/makerhub/",
		"## Routing against the greedy baseline (issue 4)",
		"## The emergency-day load (issue 7)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "not run") || strings.Contains(page, notReported) {
		t.Errorf("a run where everything passed says \"not run\" or %q somewhere", notReported)
	}
}

func TestRenderFailures(t *testing.T) {
	r := mustParse(t, "failed-run.txt")
	page := render(t, r)
	golden(t, "failed-run.md", page)
	everyBenchmarkShown(t, r, page)
	for _, want := range []string{
		// A package that did not build: each of its benchmarks says so.
		"| full analysis of the 1M-triangle torus, a fresh process per run | not run: ./cmd/makerhub/ did not build: cmd/makerhub/backup.go:134:7: undefined: copyStats;",
		"## Claims against raw SQLite (issue 4)",
		// Skipped: the reason the benchmark gave.
		"not run: skipped: MinIO server binary not found",
		// A package bench.sh did not list.
		"not run: ./production/routing/ is not in this run",
		// Cut short after its first sub-benchmark.
		"| `BenchmarkSolve/60k-nodes-500k-arcs`: 60,002 nodes, 499,462 arcs |",
		"| `BenchmarkSolve/500k-nodes-2M-arcs` | not run: the output of ./production/mcf/ stops during BenchmarkSolve/500k-nodes-2M-arcs (killed, or cut short)",
		"| `BenchmarkSpeedupOverSSP` | not run: the output of ./production/mcf/ stops before BenchmarkSpeedupOverSSP (killed, or cut short)",
		"not run: scripts/load.sh missing",
		// An unknown package's benchmarks, each with what became of it.
		"## Other benchmarks",
		"| ./internal/example/ | `BenchmarkOK` | 1 | 681 ns/op, 3 things |",
		"| ./internal/example/ | `BenchmarkFatal` |  | not run: failed: before; want 5 claims won exactly once and no failures |",
		"| ./internal/example/ | `BenchmarkSkip` |  | not run: skipped: admesh is not installed: apt-get install admesh |",
		"| ./internal/example/ | `BenchmarkPanic` |  | not run: ./internal/example/ panicked: assignment to entry in nil map; example.org/bhfail.BenchmarkPanic(",
		"## Failures",
		"- ./internal/example/: `BenchmarkFatal` failed",
		"- ./cmd/makerhub/: did not build: cmd/makerhub/backup.go:134:7: undefined: copyStats;",
		"- ./production/mcf/: its output stops before go test's final line (killed, or cut short)",
		"| result | FAILED: ./cmd/makerhub/ ./production/mcf/ ./internal/example/ |",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestFixedTextHoldsNoFigures renders a report with no figures at all, so
// that every number left on the page is the generator's own text: each
// must be a benchmark's input or a target, listed here, never a figure
// of a past run.
func TestFixedTextHoldsNoFigures(t *testing.T) {
	r := mustParse(t, "quick-run.txt")
	r.Header, r.Summary, r.Packages = nil, nil, nil
	r.Load = &LoadRun{Command: "scripts/load.sh", NotRun: "stripped"}
	page := render(t, r)
	allowed := []string{
		"1,000,000", "50", "200,000", "4,000,000", "200", "64", "100,000", "0.001", "0.1", "0.4", "0.2", "2", "20",
		"15", "30", "3,000", "150", "10", "20,000", "30,000", "7,000", "28", "32", "38753", "60", "1", "4", "7",
		"1M", "2M", "60k", "500k", "1x", "3x", "5x", "8x", "20x", "60m", "27,000",
		"0", "3", "80", "100", "99", "200M", "256", "409", // --routing-every 0, issue 3, ≥ 80 MB/s, p99, …Upload200MB, SHA-256, 409
	}
	number := regexp.MustCompile(`[0-9][0-9.,]*[0-9kMx]?`)
	var unknown []string
	for _, n := range number.FindAllString(page, -1) {
		n = strings.TrimRight(n, ".,")
		if !slices.Contains(allowed, n) && !slices.Contains(unknown, n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		t.Errorf("the page's fixed text holds numbers that are neither inputs nor targets: %q", unknown)
	}
}

// TestRenderLoad renders the load's section from a hand-made fixture
// (testdata/load-fixture.json: invented figures, not a measurement).
func TestRenderLoad(t *testing.T) {
	r := mustParse(t, "load-report.txt")
	if r.Load == nil || r.Load.Result == nil {
		t.Fatalf("load not read: %+v", r.Load)
	}
	page := render(t, r)
	golden(t, "load-report.md", page)
	section := page[strings.Index(page, "## The emergency-day load"):]
	for _, want := range []string{
		"scripts/load.sh --scale national --json load-fixture.json\n",
		"Scale: makers 20,000, hospitals 7,000, units 10,000, designs 4, rounds 3, concurrency 64, seed 1.",
		"Duration 812.50 s, 123,456 requests, 152 requests/s, 2 unanswered.",
		"The hub's peak memory (VmHWM): 140 MiB; its CPU time: 300.10 s.",
		"| endpoint | calls | errors: hub / client | expected refusals | p50 | p90 | p99 | max | p99 ÷ anchor's | p99 < 200 ms |",
		"| `POST /api/v1/jobs/{id}/claim` | 3,000 | 0 / 12 | 2,990 | 3.10 ms | 8.20 ms | 25.0 ms | 80.1 ms | 12.50× | **met** |",
		"| `GET /api/v1/dashboard` | 900 | 1 / 0 | 0 | 40.0 ms | 150 ms | 250 ms | 400 ms | 125× | **not met** |",
		"| `POST /api/v1/designs/{id}/versions/{n}/files` | 40 | 0 / 0 | 0 | 900 ms | 1,500 ms | 2,100 ms | 2,500 ms | 1,050× | exempt |",
		"| anchor: `GET /readyz` | 500 | — | — | 0.400 ms | — | 2.00 ms | — |  |  |",
		"| no job claimed twice | yes | 3000 jobs checked |",
		"| stock never below zero | **no** | 2 locations checked; first cases: location 7: -1 |",
		"- `GET /api/v1/dashboard`: 500 Internal Server Error",
		"| sign-ups | 120.00 s | 54,000 | 27000 accounts |",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("the load's section lacks %q", want)
		}
	}
	for _, want := range []string{
		"| emergency-day load | p99 < 200 ms on every endpoint but uploads and routing | 1 of 2 endpoints; slowest p99 250 ms (`GET /api/v1/dashboard`) | **not met** |",
		"| emergency-day load | no error: none of the hub's, no unexpected refusal | 13 | **not met** |",
		"| emergency-day load | every invariant holds | 1 of 2 | **not met** |",
		// Targets whose benchmarks did not run are listed all the same.
		"| ASCII STL reading | ≥ 80 MB/s | not run: ./designs/stl/ is not in this run (scripts/bench.sh's list of packages) |  |",
		"| routing | < 10 s, < 2 GiB | not run: ./production/routing/ is not in this run",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the targets lack %q", want)
		}
	}
}

func TestRenderLoadNotRun(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"cpus: 2\n", "not run: this run's report has no load section"},
		{"cpus: 2\n## scripts/load.sh --scale national --json x.json\nnot run: scripts/load.sh missing\n", "not run: scripts/load.sh missing"},
		{"cpus: 2\n## scripts/load.sh --scale national --json missing-load.json\n    hub did not start\nload.sh: exit status 1\n",
			"not run: scripts/load.sh exited with status 1 and wrote no result"},
	} {
		r, err := Parse(strings.NewReader(tc.raw))
		if err != nil {
			t.Fatal(err)
		}
		r.ReadLoad(t.TempDir())
		page := render(t, r)
		if !strings.Contains(page, tc.want) {
			t.Errorf("%q: the page lacks %q:\n%s", tc.raw, tc.want, page)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{grouped(1234567.891, 1), "1,234,567.9"},
		{grouped(-1234, 0), "-1,234"},
		{grouped(-0.0001, 2), "0.00"},
		{count(1648551), "1,648,551"},
		{num(322.7), "323"},
		{num(56.78), "56.8"},
		{num(3.14159), "3.14"},
		{num(0.7317), "0.732"},
		{num(0.0123), "0.0123"},
		{num(0.0000005), "5e-07"},
		{seconds(8.07), "8.07 s"},
		{seconds(0.3951), "0.395 s"},
		{seconds(0.0168), "16.8 ms"},
		{seconds(0.000012), "12.0 µs"},
		{bytesSI(54019), "54.0 kB"},
		{bytesSI(558084080), "558 MB"},
		{bytesSI(6032032800), "6.03 GB"},
		{times(1.852), "1.85×"},
		{times(386.1), "386×"},
		{percent(6.903, 1), "6.9 %"},
		{(&table{head: []string{"a", "b"}, rows: [][]string{{"x|y", "1\n2"}}}).String(), "| a | b |\n|---|---|\n| x\\|y | 1 2 |\n"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if v := verdict(true, 1, nan()); v != "not measured" {
		t.Errorf("verdict with a missing figure: %q", v)
	}
	if s := seconds(nan()); s != notReported {
		t.Errorf("seconds(NaN) = %q", s)
	}
}

func nan() float64 { return math.NaN() }

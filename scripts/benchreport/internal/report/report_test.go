package report

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// mustParse reads a raw report of testdata (README.md says where each
// came from).
func mustParse(t *testing.T, name string) *Report {
	t.Helper()
	r, err := ParseFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func names(p *Package) []string {
	var ns []string
	for _, b := range p.Benchmarks {
		ns = append(ns, b.Name)
	}
	return ns
}

// TestParseQuickRun reads the report of a real `scripts/bench.sh --quick`.
func TestParseQuickRun(t *testing.T) {
	r := mustParse(t, "quick-run.txt")
	if got := r.Get("cpus"); got != "2" {
		t.Errorf("cpus = %q, want 2", got)
	}
	if got := r.Get("go"); !strings.HasPrefix(got, "go version go1.") {
		t.Errorf("go = %q", got)
	}
	if got := r.Get("mode"); got != "quick" {
		t.Errorf("mode = %q, want quick", got)
	}
	var dirs []string
	for _, p := range r.Packages {
		dirs = append(dirs, p.Dir)
		// The run was a fresh machine's first: "go: downloading …" lines
		// are in its output, and are no failure.
		if !p.Passed || !p.Ended || len(p.Failure) > 0 {
			t.Errorf("%s: passed %v, ended %v, failure %q", p.Dir, p.Passed, p.Ended, p.Failure)
		}
		if p.Benchtime != "1x" {
			t.Errorf("%s: benchtime %q, want 1x", p.Dir, p.Benchtime)
		}
	}
	want := []string{"./designs/stl/", "./designs/", "./internal/blob/local/", "./internal/blob/s3/",
		"./production/mcf/", "./production/routing/", "./cmd/makerhub/", "./web/"}
	if !slices.Equal(dirs, want) {
		t.Errorf("packages %q, want %q", dirs, want)
	}

	mcf := r.Package("./production/mcf/")
	if got, want := names(mcf), []string{"BenchmarkSolve", "BenchmarkSolve/60k-nodes-500k-arcs",
		"BenchmarkSolve/500k-nodes-2M-arcs", "BenchmarkSpeedupOverSSP"}; !slices.Equal(got, want) {
		t.Errorf("mcf benchmarks %q, want %q", got, want)
	}
	if mcf.Import != "github.com/makerhub/makerhub/production/mcf" {
		t.Errorf("mcf import path %q", mcf.Import)
	}
	solve := mcf.Benchmark("BenchmarkSolve/60k-nodes-500k-arcs")
	if solve.State != StateRan || solve.N != 1 {
		t.Errorf("%s: state %v, N %d", solve.Name, solve.State, solve.N)
	}
	for unit, want := range map[string]float64{"nodes": 60002, "arcs": 499462, "allocs/op": 29} {
		if v, ok := solve.Metric(unit); !ok || v != want {
			t.Errorf("%s %s = %v (%v), want %v", solve.Name, unit, v, ok, want)
		}
	}
	if parent := mcf.Benchmark("BenchmarkSolve"); parent.State != StateStarted || !isParent(mcf, parent) {
		t.Errorf("BenchmarkSolve: state %v, want a parent that only started", parent.State)
	}

	hub := r.Package("./cmd/makerhub/")
	ag := hub.Benchmark("BenchmarkAgreementWithAdmesh")
	if len(ag.Logs) != 6 || !strings.HasPrefix(ag.Logs[0], "| file | facets") {
		t.Errorf("agreement logs: %q", ag.Logs)
	}
	claims := hub.Benchmark("BenchmarkClaims")
	if v, _ := claims.Metric("jobs"); v != 2000 {
		t.Errorf("claims: jobs = %v, want 2000 (BENCH_CLAIMS of the quick run)", v)
	}
	// The hub's own log lines (slog text on stderr) are not the
	// benchmark's.
	up := hub.Benchmark("BenchmarkUpload200MB")
	for _, l := range up.Logs {
		if strings.Contains(l, "level=") {
			t.Errorf("upload benchmark log holds a line of the hub's log: %q", l)
		}
	}
	if r.Load == nil || !strings.HasPrefix(r.Load.Command, "scripts/load.sh --scale small") {
		t.Errorf("load section %+v", r.Load)
	}
	if len(r.Summary) != 2 || r.Summary[1] != "all benchmarks passed" {
		t.Errorf("summary %q", r.Summary)
	}
}

// TestParseFailures reads a report made of real go test outputs of
// failures: a build failure, skips, a Fatalf, an Errorf, a failed
// sub-benchmark, a panic, and a package whose output was cut short.
func TestParseFailures(t *testing.T) {
	r := mustParse(t, "failed-run.txt")

	hub := r.Package("./cmd/makerhub/")
	if hub.Passed || !hub.Ended || len(hub.Benchmarks) != 0 {
		t.Errorf("cmd/makerhub: passed %v, ended %v, benchmarks %q", hub.Passed, hub.Ended, names(hub))
	}
	if len(hub.Failure) == 0 || !strings.HasPrefix(hub.Failure[0], "# github.com/makerhub/makerhub/cmd/makerhub") ||
		!strings.Contains(strings.Join(hub.Failure, "\n"), "[build failed]") {
		t.Errorf("cmd/makerhub failure %q", hub.Failure)
	}

	s3 := r.Package("./internal/blob/s3/")
	for _, b := range s3.Benchmarks {
		if b.State != StateSkipped || len(b.Logs) != 1 || !strings.Contains(b.Logs[0], "MinIO server binary not found") {
			t.Errorf("s3 %s: state %v, logs %q", b.Name, b.State, b.Logs)
		}
	}
	if !s3.Passed {
		t.Error("s3: skips are no failure")
	}

	mcf := r.Package("./production/mcf/")
	if mcf.Ended || mcf.Passed {
		t.Errorf("mcf was cut short: ended %v, passed %v", mcf.Ended, mcf.Passed)
	}
	if b := mcf.Benchmark("BenchmarkSolve/500k-nodes-2M-arcs"); b == nil || b.State != StateStarted {
		t.Errorf("mcf 500k: %+v, want started", b)
	}

	ex := r.Package("./internal/example/")
	states := map[string]State{}
	for _, b := range ex.Benchmarks {
		states[b.Name] = b.State
	}
	want := map[string]State{"BenchmarkOK": StateRan, "BenchmarkFatal": StateFailed, "BenchmarkErrorf": StateFailed,
		"BenchmarkSkip": StateSkipped, "BenchmarkSub": StateFailed, "BenchmarkSub/one": StateRan,
		"BenchmarkSub/two": StateFailed, "BenchmarkPanic": StateStarted}
	for name, s := range want {
		if states[name] != s {
			t.Errorf("%s: state %v, want %v", name, states[name], s)
		}
	}
	if e := ex.Benchmark("BenchmarkErrorf"); len(e.Logs) != 1 || e.Logs[0] != "a.stl: volume deviates\nsecond line" {
		t.Errorf("a multi-line message: %q", e.Logs)
	}
	if len(ex.Failure) == 0 || ex.Failure[0] != "panic: assignment to entry in nil map" {
		t.Errorf("panic: %q", ex.Failure)
	}
	if r.Load == nil || r.Load.NotRun != "scripts/load.sh missing" {
		t.Errorf("load: %+v", r.Load)
	}
}

func TestParseNotAReport(t *testing.T) {
	if _, err := Parse(strings.NewReader("hello\nworld\n")); err == nil {
		t.Error("Parse of two words: no error")
	}
}

func TestParseLoadJSONMissing(t *testing.T) {
	raw := "cpus: 2\n\n## scripts/load.sh --scale national --json nowhere-load.json\n\n    load: building\nload.sh: exit status 1\n\n## summary\n\nFAILED: scripts/load.sh\n"
	r, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	r.ReadLoad(t.TempDir())
	l := r.Load
	if l.JSONPath != "nowhere-load.json" || l.ExitStatus != 1 || l.Result != nil ||
		!strings.Contains(l.Err, "exited with status 1 and wrote no result") || !slices.Equal(l.Output, []string{"load: building"}) {
		t.Errorf("load %+v", l)
	}
}

// TestParseNames checks the GOMAXPROCS suffix is dropped, and only it: a
// sub-benchmark may end in a number of its own.
func TestParseNames(t *testing.T) {
	raw := "## go test -run '^$' -bench . -benchtime 1x -v ./x/\n" +
		"BenchmarkSize/n-1000\n" +
		"BenchmarkSize/n-1000-2   \t       1\t       5.0 ns/op\n" +
		"BenchmarkPlain-16   \t       3\t       7.0 ns/op\t   2.5 things\n" +
		"ok  \texample.org/x\t0.1s\n"
	r, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	x := r.Package("./x/")
	if got := names(x); !slices.Equal(got, []string{"BenchmarkSize/n-1000", "BenchmarkPlain"}) {
		t.Errorf("names %q", got)
	}
	if b := x.Benchmark("BenchmarkPlain"); b.N != 3 || !slices.Equal(b.Metrics, []Metric{{7, "ns/op"}, {2.5, "things"}}) {
		t.Errorf("BenchmarkPlain: %+v", b)
	}
	if !x.Passed || !x.Ended {
		t.Errorf("passed %v, ended %v", x.Passed, x.Ended)
	}
}

// Package report turns the raw report of one run of scripts/bench.sh
// into docs/benchmarks.md, so that every figure on that page comes from the
// run it describes.
//
// The raw report is what bench.sh prints: a header of "key: value" lines
// about the machine, then one "## go test … PKG" section per package holding
// that package's `go test -bench -v` output, a "## scripts/load.sh …"
// section for the emergency-day load, and a "## summary" section. Parse
// reads it; Render writes the page. Benchmarks report their figures with
// b.ReportMetric, so the figures are read from standard benchmark lines;
// only the agreement tables, which the benchmarks log as markdown rows, are
// read from b.Logf lines.
package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Report is one run of scripts/bench.sh.
type Report struct {
	// Header holds the machine and the run's settings, in the order the
	// report gives them: date, commit, cpus, cpu, memory, kernel, go,
	// tools, minio, mode, env.
	Header []Field
	// Packages are the packages whose benchmarks ran, in order.
	Packages []*Package
	// Load is the emergency-day load's section, nil if the report has none.
	Load *LoadRun
	// Summary holds the summary section's lines: the duration and whether
	// every benchmark passed.
	Summary []string
}

// Field is one "key: value" line of the header.
type Field struct{ Key, Value string }

// Get returns the value of the header field key, or "".
func (r *Report) Get(key string) string {
	for _, f := range r.Header {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

// Package is the output of one `go test -bench` of one package.
type Package struct {
	// Dir is the package as bench.sh named it: "./designs/stl/".
	Dir string
	// Command is the go test command that ran, from the section's title.
	Command string
	// Benchtime is the -benchtime of the command: "5x".
	Benchtime string
	// Import is the package's import path, from go test's "pkg:" line.
	Import string
	// Benchmarks are the benchmarks the output shows, in order.
	Benchmarks []*Benchmark
	// Passed is true when go test ended with "ok".
	Passed bool
	// Ended is true when go test printed its final ok or FAIL line for the
	// package: false if it was killed or its output cut short.
	Ended bool
	// Failure holds what explains a failed package beyond its benchmarks'
	// own messages: build errors, a panic, a timeout.
	Failure []string
}

// Benchmark is one benchmark (or sub-benchmark) of a package.
type Benchmark struct {
	// Name is the benchmark's name without the GOMAXPROCS suffix:
	// "BenchmarkSolve/60k-nodes-500k-arcs".
	Name string
	// State is StateRan, StateSkipped, StateFailed or StateStarted (the
	// output shows it started, and nothing more).
	State State
	// N is the number of iterations of its result line.
	N int64
	// Metrics are the figures of its result line, in order.
	Metrics []Metric
	// Logs are its b.Log lines, without the file:line prefix.
	Logs []string
}

// State is what became of a benchmark.
type State int

// The states of a benchmark.
const (
	StateStarted State = iota
	StateRan
	StateSkipped
	StateFailed
)

// Metric is one "value unit" pair of a benchmark line.
type Metric struct {
	Value float64
	Unit  string
}

// Metric returns the value the benchmark reported in unit.
func (b *Benchmark) Metric(unit string) (float64, bool) {
	for _, m := range b.Metrics {
		if m.Unit == unit {
			return m.Value, true
		}
	}
	return 0, false
}

// Benchmark returns the package's benchmark called name, or nil.
func (p *Package) Benchmark(name string) *Benchmark {
	for _, b := range p.Benchmarks {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// Package returns the package bench.sh listed as dir ("./designs/stl/"),
// or nil if it did not run.
func (r *Report) Package(dir string) *Package {
	for _, p := range r.Packages {
		if p.Dir == dir {
			return p
		}
	}
	return nil
}

var (
	resultLine  = regexp.MustCompile(`^(Benchmark\S+)\s+(\d+)\s+(.*)$`)
	nameLine    = regexp.MustCompile(`^Benchmark\S+$`)
	logLine     = regexp.MustCompile(`^ {4}\S+\.go:\d+: ?(.*)$`)
	logMore     = regexp.MustCompile(`^ {8}(.*)$`)
	verdictLine = regexp.MustCompile(`^--- (SKIP|FAIL|BENCH|PASS): (\S+)`)
	okLine      = regexp.MustCompile(`^ok\s+(\S+)`)
	failLine    = regexp.MustCompile(`^FAIL\s+(\S+)`)
	buildError  = regexp.MustCompile(`^(# \S+.*|\S+\.go:\d+:\d+: .*|.*\[setup failed\].*|go: .*)$`)
	procsSuffix = regexp.MustCompile(`-\d+$`)
	procsOnly   = regexp.MustCompile(`^-\d+$`)
	benchtimeOf = regexp.MustCompile(`-benchtime (\S+)`)
)

// Parse reads the raw report of scripts/bench.sh.
func Parse(r io.Reader) (*Report, error) {
	rep := &Report{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 4<<20)
	var (
		section string // "", "package", "load", "summary", "other"
		pkg     *Package
		pp      packageParser
	)
	for sc.Scan() {
		line := sc.Text()
		if title, ok := strings.CutPrefix(line, "## "); ok {
			section, pkg = "other", nil
			switch {
			case strings.HasPrefix(title, "go test "):
				fields := strings.Fields(title)
				pkg = &Package{Dir: fields[len(fields)-1], Command: title}
				if m := benchtimeOf.FindStringSubmatch(title); m != nil {
					pkg.Benchtime = m[1]
				}
				rep.Packages = append(rep.Packages, pkg)
				pp = packageParser{pkg: pkg}
				section = "package"
			case strings.HasPrefix(title, "scripts/load.sh"):
				rep.Load = &LoadRun{Command: title}
				if f := strings.Fields(title); len(f) > 1 {
					for i := range f[:len(f)-1] {
						if f[i] == "--json" {
							rep.Load.JSONPath = f[i+1]
						}
					}
				}
				section = "load"
			case title == "summary":
				section = "summary"
			}
			continue
		}
		switch section {
		case "":
			if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
				rep.Header = append(rep.Header, Field{strings.TrimSpace(k), strings.TrimSpace(v)})
			}
		case "package":
			pp.line(line)
		case "load":
			rep.Load.line(line)
		case "summary":
			if strings.TrimSpace(line) != "" {
				rep.Summary = append(rep.Summary, line)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the bench report: %w", err)
	}
	if len(rep.Header) == 0 && len(rep.Packages) == 0 {
		return nil, fmt.Errorf("not a scripts/bench.sh report: no header and no \"## go test\" section")
	}
	return rep, nil
}

// packageParser reads one package's go test output, a line at a time.
type packageParser struct {
	pkg *Package
	// cur is the benchmark the next log line belongs to.
	cur *Benchmark
	// inLog is set after a log line: a line indented by eight spaces then
	// continues it (a multi-line b.Log message).
	inLog bool
	// panicking counts the lines kept from a "panic:" line on: what
	// follows it is its goroutine trace, of which the first frame is kept.
	panicking int
}

// bench returns the package's benchmark called name, adding it if new.
func (pp *packageParser) bench(name string) *Benchmark {
	if b := pp.pkg.Benchmark(name); b != nil {
		return b
	}
	b := &Benchmark{Name: name}
	pp.pkg.Benchmarks = append(pp.pkg.Benchmarks, b)
	return b
}

// name drops the -GOMAXPROCS suffix of a benchmark's name in a result or
// verdict line. With -v, go test prints the bare name first, which says
// exactly what the suffix is; without it, a trailing -N is taken as one.
func (pp *packageParser) name(full string) string {
	if pp.cur != nil {
		if rest, ok := strings.CutPrefix(full, pp.cur.Name); ok && (rest == "" || procsOnly.MatchString(rest)) {
			return pp.cur.Name
		}
	}
	return procsSuffix.ReplaceAllString(full, "")
}

func (pp *packageParser) line(line string) {
	p := pp.pkg
	if pp.panicking > 0 {
		// Keep the panic's message and the first frame of its trace: the
		// function that panicked and where.
		if m := failLine.FindStringSubmatch(line); m != nil {
			p.Ended = true
			return
		}
		trimmed := strings.TrimSpace(line)
		if pp.panicking < 3 && trimmed != "" && !strings.HasPrefix(trimmed, "goroutine ") && !strings.HasPrefix(trimmed, "[") {
			p.Failure = append(p.Failure, trimmed)
			pp.panicking++
		}
		return
	}
	if m := logLine.FindStringSubmatch(line); m != nil && pp.cur != nil {
		pp.cur.Logs = append(pp.cur.Logs, m[1])
		pp.inLog = true
		return
	}
	if m := logMore.FindStringSubmatch(line); m != nil && pp.cur != nil && pp.inLog {
		last := len(pp.cur.Logs) - 1
		pp.cur.Logs[last] += "\n" + m[1]
		return
	}
	pp.inLog = false
	switch {
	case strings.HasPrefix(line, "pkg: "):
		p.Import = strings.TrimSpace(strings.TrimPrefix(line, "pkg: "))
	case nameLine.MatchString(line):
		pp.cur = pp.bench(line)
	case resultLine.MatchString(line):
		m := resultLine.FindStringSubmatch(line)
		b := pp.bench(pp.name(m[1]))
		b.N, _ = strconv.ParseInt(m[2], 10, 64)
		b.Metrics = parseMetrics(m[3])
		b.State = StateRan
		pp.cur = b
	case verdictLine.MatchString(line):
		m := verdictLine.FindStringSubmatch(line)
		b := pp.bench(pp.name(m[2]))
		switch m[1] {
		case "SKIP":
			b.State = StateSkipped
		case "FAIL":
			b.State = StateFailed
		}
		// A "--- BENCH:" block (go test without -v) holds the logs.
		pp.cur = b
	case okLine.MatchString(line):
		p.Passed, p.Ended = true, true
	case failLine.MatchString(line):
		p.Passed, p.Ended = false, true
		if strings.Contains(line, "[build failed]") || strings.Contains(line, "[setup failed]") {
			p.Failure = append(p.Failure, strings.TrimSpace(line))
		}
	case strings.HasPrefix(line, "panic: "), strings.HasPrefix(line, "fatal error: "):
		p.Failure = append(p.Failure, line)
		pp.panicking = 1
	case strings.HasPrefix(line, "*** Test killed"), strings.HasPrefix(line, "signal: "):
		p.Failure = append(p.Failure, line)
	case strings.HasPrefix(line, "go: downloading "), strings.HasPrefix(line, "go: finding "), strings.HasPrefix(line, "go: extracting "):
		// The go command fetching a module on a machine's first run:
		// progress, not a failure.
	case buildError.MatchString(line):
		p.Failure = append(p.Failure, line)
	}
}

// parseMetrics reads the "value unit value unit …" of a benchmark line.
func parseMetrics(s string) []Metric {
	f := strings.Fields(s)
	var ms []Metric
	for i := 0; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			break
		}
		ms = append(ms, Metric{v, f[i+1]})
	}
	return ms
}

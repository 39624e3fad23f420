package report

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
)

// Render writes docs/benchmarks.md for the run r. Every figure it writes is
// read from r; the page's fixed text says what each benchmark measures and
// which targets the issues set, never what a past run measured. What the
// run lacks (a package that failed, a benchmark skipped or missing, a metric
// not reported) is written as such, never left out.
func Render(w io.Writer, r *Report) error {
	p := &page{r: r, shown: make(map[*Benchmark]bool)}
	var body strings.Builder
	for _, s := range []func(*strings.Builder){
		p.stlSection, p.estimatesSection, p.uploadSection, p.claimsSection, p.routingSection, p.loadSection, p.dashboardSection,
		p.otherSection, p.failuresSection,
	} {
		s(&body)
	}
	var out strings.Builder
	p.header(&out)
	p.targetsTable(&out)
	out.WriteString(body.String())
	_, err := io.WriteString(w, out.String())
	return err
}

// page is docs/benchmarks.md being written.
type page struct {
	r *Report
	// shown holds the benchmarks a section showed; the others go to
	// "Other benchmarks" so that none vanishes from the page.
	shown map[*Benchmark]bool
	// targets are the rows of the table of targets at the top.
	targets [][]string
}

// target records a target of the issues and whether this run met it.
func (p *page) target(capability, target, figure, verdict string) {
	p.targets = append(p.targets, []string{capability, target, figure, verdict})
}

// bench returns the benchmark name of the package bench.sh lists as dir,
// or nil and why it did not run ("not run: …").
func (p *page) bench(dir, name string) (*Benchmark, string) {
	pkg := p.r.Package(dir)
	if pkg == nil {
		return nil, fmt.Sprintf("not run: %s is not in this run (scripts/bench.sh's list of packages)", dir)
	}
	b := pkg.Benchmark(name)
	if b == nil {
		switch {
		case !pkg.Passed && len(pkg.Failure) > 0:
			return nil, fmt.Sprintf("not run: %s %s", dir, failure(pkg))
		case !pkg.Ended:
			return nil, fmt.Sprintf("not run: the output of %s stops before %s (killed, or cut short)", dir, name)
		case !pkg.Passed:
			return nil, fmt.Sprintf("not run: %s failed before %s", dir, name)
		}
		return nil, fmt.Sprintf("not run: %s has no %s in this run", dir, name)
	}
	p.shown[b] = true
	if b.State == StateRan {
		return b, ""
	}
	return nil, notRun(pkg, b)
}

// notRun says why b, which printed no result, did not run.
func notRun(pkg *Package, b *Benchmark) string {
	switch {
	case b.State == StateSkipped:
		return "not run: skipped: " + lastLogs(b, 1)
	case b.State == StateFailed:
		return "not run: failed: " + lastLogs(b, 3)
	case !pkg.Passed && len(pkg.Failure) > 0:
		return fmt.Sprintf("not run: %s %s", pkg.Dir, failure(pkg))
	case !pkg.Ended:
		return fmt.Sprintf("not run: the output of %s stops during %s (killed, or cut short)", pkg.Dir, b.Name)
	}
	return "not run: started but printed no result"
}

// failure says in a few words why a package failed, beyond its
// benchmarks' own messages: "did not build: x.go:1:2: undefined: y".
func failure(pkg *Package) string {
	var compile, other []string
	for _, l := range pkg.Failure {
		switch {
		case strings.HasPrefix(l, "# "), strings.HasPrefix(l, "FAIL"):
		case buildError.MatchString(l):
			compile = append(compile, l)
		default:
			other = append(other, l)
		}
	}
	switch {
	case len(compile) > 0:
		return "did not build: " + excerpt(compile, 2)
	case len(other) > 0 && strings.HasPrefix(other[0], "panic: "):
		return "panicked: " + excerpt(append([]string{strings.TrimPrefix(other[0], "panic: ")}, other[1:]...), 3)
	case len(other) > 0:
		return "failed: " + excerpt(other, 3)
	}
	return "failed: " + excerpt(pkg.Failure, 2)
}

// val returns the figure b reported in unit, or NaN (written "not
// reported") if b is nil or did not report it.
func val(b *Benchmark, unit string) float64 {
	if b == nil {
		return math.NaN()
	}
	if v, ok := b.Metric(unit); ok {
		return v
	}
	return math.NaN()
}

// lastLogs joins the last n log lines of b, for a reason.
func lastLogs(b *Benchmark, n int) string {
	if len(b.Logs) == 0 {
		return "no message"
	}
	return excerpt(b.Logs[max(0, len(b.Logs)-n):], n)
}

// excerpt joins up to n lines, each cut to a readable length.
func excerpt(lines []string, n int) string {
	var parts []string
	for _, l := range lines[:min(n, len(lines))] {
		l = strings.Join(strings.Fields(l), " ")
		if r := []rune(l); len(r) > 240 {
			l = string(r[:240]) + "…"
		}
		parts = append(parts, l)
	}
	if len(lines) > n {
		parts = append(parts, fmt.Sprintf("(%d more lines in the raw report)", len(lines)-n))
	}
	return strings.Join(parts, "; ")
}

// command is the command that reruns the benchmarks matching regex of the
// package dir as bench.sh ran them (same -benchtime, same environment).
func (p *page) command(dir, regex, benchtime string) string {
	if pkg := p.r.Package(dir); pkg != nil && pkg.Benchtime != "" {
		benchtime = pkg.Benchtime
	}
	env := p.r.Get("env")
	if env != "" {
		env += " "
	}
	return fmt.Sprintf("%sgo test -run '^$' -bench '%s' -benchtime %s -count 1 -timeout 60m -v %s", env, regex, benchtime, dir)
}

// commands writes a shell block.
func commands(b *strings.Builder, lines ...string) {
	b.WriteString("```sh\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	b.WriteString("```\n\n")
}

const minioEnv = `MAKERHUB_MINIO=$(scripts/ensure-minio.sh) `

// minioVersion finds the version in the path of scripts/ensure-minio.sh's
// binary: …/minio-v0.0.0-20260212201848-7aac2a2c5b7c/minio.
var minioVersion = regexp.MustCompile(`/minio-(v[^/]+)/minio$`)

// header writes the title, the machine and the run.
func (p *page) header(b *strings.Builder) {
	r := p.r
	b.WriteString("<!-- Generated by scripts/bench.sh (scripts/benchreport) from one run: do not edit; rerun it. -->\n\n")
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("Every figure on this page comes from one run of `scripts/bench.sh` on the machine below, and each\n" +
		"anchor was measured in the same run as the figure it is compared with. `scripts/bench.sh` installs\n" +
		"what the benchmarks need, runs them all, and writes this page from their output; each section gives\n" +
		"the command that reruns just its benchmarks. Throughput and latency on a shared virtual machine move\n" +
		"between runs, allocation figures do not. Earlier runs, what changed between them and why figures\n" +
		"moved are in [performance-history.md](performance-history.md).\n\n")
	if r.Get("mode") == "quick" {
		b.WriteString("> **Quick run**: every benchmark ran once (`scripts/bench.sh --quick`), with fewer claims and the\n" +
			"> load at its small scale. It checks that the benchmarks and this page work; its figures are not the\n" +
			"> project's.\n\n")
	}
	t := table{head: []string{"run", ""}}
	duration, status := "", ""
	for _, l := range r.Summary {
		if v, ok := strings.CutPrefix(l, "duration:"); ok {
			duration = strings.TrimSpace(v)
		} else {
			status = l
		}
	}
	if status == "" {
		status = "not recorded: the report has no summary (bench.sh stopped before its end)"
	}
	rows := []struct{ label, key string }{
		{"date", "date"}, {"commit", "commit"}, {"cpu", "cpu"}, {"cores", "cpus"}, {"memory", "memory"},
		{"kernel", "kernel"}, {"Go", "go"}, {"tools", "tools"}, {"MinIO", "minio"},
	}
	for _, row := range rows {
		v := r.Get(row.key)
		if m := minioVersion.FindStringSubmatch(v); row.key == "minio" && m != nil {
			v = m[1] // the path only repeats it, with the user's home
		}
		if row.key == "go" {
			v = strings.TrimPrefix(v, "go version ")
		}
		if v == "" {
			v = "not recorded"
		}
		t.add(row.label, v)
	}
	cmd := "scripts/bench.sh"
	if r.Get("mode") == "quick" {
		cmd += " --quick"
	}
	t.add("command", "`"+cmd+"`")
	if env := r.Get("env"); env != "" {
		t.add("environment", "`"+env+"`")
	}
	if duration != "" {
		t.add("duration", duration)
	}
	t.add("result", status)
	b.WriteString(t.String() + "\n")
}

// targetsTable writes the targets the issues set, with this run's figures.
func (p *page) targetsTable(b *strings.Builder) {
	b.WriteString("## Targets\n\n")
	b.WriteString("The targets the issues set, each with this run's figure; the sections below give the details.\n\n")
	if len(p.targets) == 0 {
		b.WriteString("No benchmark with a target ran.\n\n")
		return
	}
	t := table{head: []string{"capability", "target", "this run", ""}}
	for _, row := range p.targets {
		t.add(row...)
	}
	b.WriteString(t.String() + "\n")
}

// otherSection lists the benchmarks no section showed, so that a new
// benchmark appears on the page before anyone writes a section for it.
func (p *page) otherSection(b *strings.Builder) {
	t := table{head: []string{"package", "benchmark", "runs", "figures"}}
	for _, pkg := range p.r.Packages {
		for _, bm := range pkg.Benchmarks {
			if p.shown[bm] || isParent(pkg, bm) {
				continue
			}
			figures := notRun(pkg, bm)
			if bm.State == StateRan {
				var fs []string
				for _, m := range bm.Metrics {
					fs = append(fs, quantity(m.Value)+" "+m.Unit)
				}
				figures = strings.Join(fs, ", ")
			}
			runs := ""
			if bm.State == StateRan {
				runs = count(float64(bm.N))
			}
			t.add(pkg.Dir, "`"+bm.Name+"`", runs, figures)
		}
	}
	if len(t.rows) == 0 {
		return
	}
	b.WriteString("## Other benchmarks\n\n")
	b.WriteString("Benchmarks of this run that no section above describes yet, with every figure they reported.\n\n")
	b.WriteString(t.String() + "\n")
}

// isParent reports whether bm groups sub-benchmarks (b.Run), which report
// the figures, or the failures, themselves.
func isParent(pkg *Package, bm *Benchmark) bool {
	for _, o := range pkg.Benchmarks {
		if strings.HasPrefix(o.Name, bm.Name+"/") {
			return true
		}
	}
	return false
}

// failuresSection lists every package that failed, with what its output
// says, and the load if it failed.
func (p *page) failuresSection(b *strings.Builder) {
	var items []string
	for _, pkg := range p.r.Packages {
		if pkg.Passed {
			continue
		}
		var why []string
		for _, bm := range pkg.Benchmarks {
			if bm.State == StateFailed && !isParent(pkg, bm) {
				why = append(why, fmt.Sprintf("`%s` failed: %s", bm.Name, lastLogs(bm, 3)))
			}
		}
		if len(pkg.Failure) > 0 {
			why = append(why, failure(pkg))
		}
		if !pkg.Ended {
			why = append(why, "its output stops before go test's final line (killed, or cut short)")
		}
		if len(why) == 0 {
			why = append(why, "go test reported FAIL (the raw report has its output)")
		}
		items = append(items, fmt.Sprintf("- %s: %s", pkg.Dir, strings.Join(why, "; ")))
	}
	if l := p.r.Load; l != nil && l.ExitStatus != 0 {
		items = append(items, fmt.Sprintf("- %s: exit status %d (the load's section says what it missed)", loadCommand(l), l.ExitStatus))
	}
	if len(items) == 0 {
		return
	}
	b.WriteString("## Failures\n\n")
	b.WriteString("What failed in this run; the raw report that `scripts/bench.sh` printed has the whole output.\n\n")
	b.WriteString(strings.Join(items, "\n") + "\n\n")
}

package main

// Benchmarks that hold `makerhub stl analyze` against tools nobody on this
// project wrote: admesh for speed, memory and geometry, PrusaSlicer for the
// print estimates. They run the real binaries, so they need the Debian
// packages admesh, prusa-slicer and time (GNU /usr/bin/time); each
// benchmark skips, naming the package, when its tool is missing.
// scripts/bench.sh installs them and runs these with the other benchmarks;
// docs/benchmarks.md records its output.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/designs/stl/stltest"
)

// compareRuns is how many times each b.Loop iteration of
// BenchmarkAnalyzeVsAdmesh runs each tool. The VM's timings vary by ±15 %,
// so the figures are the median and the minimum over all runs.
const compareRuns = 7

// BenchmarkAnalyzeVsAdmesh times `makerhub stl analyze` and `admesh` on the
// same closed 1,000,000-triangle torus (a 50 MB binary STL), each as a fresh
// process under GNU time, in alternating order. One op is one round of
// compareRuns runs of each tool. Peak memory is the process's own maxrss as
// GNU time sees it, never the rusage of a child of this (big) test process:
// Linux carries the parent's high-water mark across fork and exec.
func BenchmarkAnalyzeVsAdmesh(b *testing.B) {
	requireTool(b, "/usr/bin/time", "time")
	admesh := requireTool(b, "admesh", "admesh")
	bin := buildHub(b)
	torus := filepath.Join(b.TempDir(), "torus-1m.stl")
	f, err := os.Create(torus)
	if err != nil {
		b.Fatal(err)
	}
	if err := stltest.WriteBinary(f, "solid torus 1M", stltest.Torus(1000, 500, 80, 20)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}

	tools := []struct {
		name string
		args []string
		// check is called on the stdout of every run.
		check      func([]byte)
		secs, kibs []float64
	}{
		{name: "makerhub", args: []string{bin, "stl", "analyze", torus}, check: func(out []byte) {
			a := analyzeOutput(b, out)[torus]
			if a.Analysis == nil || a.Analysis.Triangles != 1_000_000 || !a.Analysis.Watertight {
				b.Fatalf("makerhub: want 1000000 triangles, watertight; got %s", out)
			}
		}},
		{name: "admesh", args: []string{admesh, torus}, check: func(out []byte) {
			r, err := parseAdmesh(out)
			if err != nil || r.facets != 1_000_000 {
				b.Fatalf("admesh: want 1000000 facets (%v):\n%s", err, out)
			}
		}},
	}
	// One unmeasured run of each, so that both find the file in the page
	// cache and their binaries loaded.
	for _, t := range tools {
		t.check(runUnderTime(b, t.args...).stdout)
	}
	for b.Loop() {
		for i := range compareRuns {
			for j := range tools {
				t := &tools[(i+j)%len(tools)] // alternate which tool goes first
				r := runUnderTime(b, t.args...)
				t.check(r.stdout)
				t.secs = append(t.secs, r.wall.Seconds())
				t.kibs = append(t.kibs, float64(r.peakKiB))
			}
		}
	}
	mhMed, mhMin := medianMin(tools[0].secs)
	adMed, adMin := medianMin(tools[1].secs)
	mhPeak := slices.Max(tools[0].kibs) / 1024
	adPeak := slices.Max(tools[1].kibs) / 1024
	b.ReportMetric(mhMed, "makerhub-median-s")
	b.ReportMetric(mhMin, "makerhub-min-s")
	b.ReportMetric(adMed, "admesh-median-s")
	b.ReportMetric(adMin, "admesh-min-s")
	b.ReportMetric(mhPeak, "makerhub-peak-MiB")
	b.ReportMetric(adPeak, "admesh-peak-MiB")
	b.ReportMetric(adMed/mhMed, "speedup")
	b.ReportMetric(float64(len(tools[0].secs)), "runs-each")
	b.Logf("1M-triangle torus (50 MB), %d runs each: makerhub median %.3f s (min %.3f), peak %.0f MiB; admesh median %.3f s (min %.3f), peak %.0f MiB; admesh/makerhub = %.2f×",
		len(tools[0].secs), mhMed, mhMin, mhPeak, adMed, adMin, adPeak, adMed/mhMed)
}

// BenchmarkAgreementWithAdmesh checks the geometry of the reference parts in
// testdata/stl against admesh: facet count, bounding box and volume. admesh
// runs once; one op is one `makerhub stl analyze` of all the parts.
func BenchmarkAgreementWithAdmesh(b *testing.B) {
	admesh := requireTool(b, "admesh", "admesh")
	bin := buildHub(b)
	files := referenceSTLs(b)
	ref := make(map[string]admeshReport)
	for _, file := range files {
		r, err := parseAdmesh(commandOutput(b, nil, admesh, file))
		if err != nil {
			b.Fatalf("admesh %s: %v", file, err)
		}
		ref[file] = r
	}
	var ours map[string]analyzeLine
	for b.Loop() {
		ours = analyzeOutput(b, commandOutput(b, nil, bin, append([]string{"stl", "analyze"}, files...)...))
	}
	var maxBBox, maxVol float64
	b.Logf("| file | facets (ours / admesh) | max bbox deviation (mm) | volume deviation (%%) |")
	b.Logf("|---|---|---|---|")
	for _, file := range files {
		r, a := ref[file], ours[file].Analysis
		if a == nil {
			b.Errorf("%s: makerhub: %s", file, ours[file].Error)
			continue
		}
		var dBBox float64
		for i := range 3 {
			dBBox = max(dBBox, math.Abs(a.BBox.Min[i]-r.min[i]), math.Abs(a.BBox.Max[i]-r.max[i]))
		}
		dVol := 100 * (a.VolumeCm3*1000 - r.volumeMM3) / r.volumeMM3
		maxBBox, maxVol = max(maxBBox, dBBox), max(maxVol, math.Abs(dVol))
		b.Logf("| %s | %d / %d | %.6f | %+.4f |", filepath.Base(file), a.Triangles, r.facets, dBBox, dVol)
		if a.Triangles != r.facets {
			b.Errorf("%s: %d triangles, admesh counts %d facets", file, a.Triangles, r.facets)
		}
		if dBBox > 0.001 {
			b.Errorf("%s: bounding box deviates from admesh's by %g mm (limit 0.001 mm)", file, dBBox)
		}
		if math.Abs(dVol) > 0.1 {
			b.Errorf("%s: volume deviates from admesh's by %+.4f %% (limit 0.1 %%)", file, dVol)
		}
	}
	b.ReportMetric(maxBBox, "max-bbox-dev-mm")
	b.ReportMetric(maxVol, "max-volume-dev-%")
}

// BenchmarkEstimatesVsPrusaSlicer checks the filament and time estimates for
// the reference parts against PrusaSlicer's, sliced with the reference
// profile (testdata/prusaslicer-reference.ini, PETG) by the command in
// testdata/README.md. PrusaSlicer runs once per part (0.7 to 4 s each); one
// op is one `makerhub stl analyze --material PETG` of all the parts, whose
// default settings are the profile's.
func BenchmarkEstimatesVsPrusaSlicer(b *testing.B) {
	slicer := requireTool(b, "prusa-slicer", "prusa-slicer")
	bin := buildHub(b)
	files := referenceSTLs(b)
	profile, err := filepath.Abs("../../testdata/prusaslicer-reference.ini")
	if err != nil {
		b.Fatal(err)
	}
	tmp := b.TempDir()
	// A HOME of its own keeps PrusaSlicer away from the user's profiles; it
	// needs no display for --export-gcode.
	slicerEnv := append(os.Environ(), "HOME="+filepath.Join(tmp, "home"))
	ref := make(map[string]gcodeStats)
	for _, file := range files {
		gcode := filepath.Join(tmp, strings.TrimSuffix(filepath.Base(file), ".stl")+".gcode")
		commandOutput(b, slicerEnv, slicer, "--loglevel", "0", "--load", profile,
			"--export-gcode", "--center", "125,105", "--output", gcode, file)
		data, err := os.ReadFile(gcode)
		if err != nil {
			b.Fatal(err)
		}
		s, err := parseGcodeStats(data)
		if err != nil {
			b.Fatalf("PrusaSlicer G-code for %s: %v", file, err)
		}
		ref[file] = s
	}
	var ours map[string]analyzeLine
	for b.Loop() {
		ours = analyzeOutput(b, commandOutput(b, nil, bin, append([]string{"stl", "analyze", "--material", "PETG"}, files...)...))
	}
	var maxFil, maxTime float64
	b.Logf("| file | PrusaSlicer filament (g) | PrusaSlicer time (min) | ours filament (g) | ours time (min) | filament error | time error |")
	b.Logf("|---|---|---|---|---|---|---|")
	for _, file := range files {
		p, a := ref[file], ours[file].Analysis
		if a == nil {
			b.Errorf("%s: makerhub: %s", file, ours[file].Error)
			continue
		}
		e := a.Estimate
		dFil := 100 * (e.FilamentG - p.filamentG) / p.filamentG
		dTime := 100 * (e.PrintMinutes - p.minutes) / p.minutes
		maxFil, maxTime = max(maxFil, math.Abs(dFil)), max(maxTime, math.Abs(dTime))
		b.Logf("| %s | %.2f | %.1f | %.2f | %.1f | %+.1f %% | %+.1f %% |",
			filepath.Base(file), p.filamentG, p.minutes, e.FilamentG, e.PrintMinutes, dFil, dTime)
		if math.Abs(dFil) > 15 {
			b.Errorf("%s: filament %.2f g, PrusaSlicer %.2f g (%.2f cm³): %+.1f %% (limit ±15 %%)", file, e.FilamentG, p.filamentG, p.filamentCm3, dFil)
		}
		if math.Abs(dTime) > 30 {
			b.Errorf("%s: print time %.1f min, PrusaSlicer %.1f min: %+.1f %% (limit ±30 %%)", file, e.PrintMinutes, p.minutes, dTime)
		}
	}
	b.ReportMetric(maxFil, "max-filament-err-%")
	b.ReportMetric(maxTime, "max-time-err-%")
}

// requireTool returns the path of a program, or skips the benchmark, saying
// which Debian package provides it.
func requireTool(b *testing.B, name, pkg string) string {
	b.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		b.Skipf("%s is not installed: apt-get install %s (scripts/bench.sh installs it)", name, pkg)
	}
	return path
}

// referenceSTLs returns the absolute paths of the parts in testdata/stl,
// which have admesh and PrusaSlicer reference figures (testdata/README.md).
func referenceSTLs(b *testing.B) []string {
	b.Helper()
	files, err := filepath.Glob("../../testdata/stl/*.stl")
	if err != nil || len(files) == 0 {
		b.Fatalf("no STL files in ../../testdata/stl (%v)", err)
	}
	for i, f := range files {
		if files[i], err = filepath.Abs(f); err != nil {
			b.Fatal(err)
		}
	}
	return files
}

// commandOutput runs a program to completion (with env, or this process's
// environment if nil) and returns its stdout, failing the benchmark with
// its stderr if it does not succeed.
func commandOutput(b *testing.B, env []string, name string, args ...string) []byte {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, lastChars(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

// timedRun is one run of a program under GNU time.
type timedRun struct {
	wall    time.Duration
	peakKiB int64
	stdout  []byte
}

// runUnderTime runs a program under `/usr/bin/time -f "%e %M"` and returns
// its wall time and peak resident memory. The memory is GNU time's %M, the
// maxrss of a process it forked itself: a child of this test process would
// report this process's high-water mark instead. The wall time is taken
// around /usr/bin/time on this side, because %e has only 10 ms resolution
// (5 % of a 0.2 s run); starting GNU time adds about a millisecond to every
// run of every tool alike, and %e serves as a cross-check.
func runUnderTime(b *testing.B, args ...string) timedRun {
	b.Helper()
	cmd := exec.CommandContext(b.Context(), "/usr/bin/time", append([]string{"-f", "%e %M"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, lastChars(stderr.String(), 2000))
	}
	// GNU time's line is the last one, after whatever the program wrote.
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	var secs float64
	var kib int64
	if n, _ := fmt.Sscanf(lines[len(lines)-1], "%g %d", &secs, &kib); n != 2 || kib <= 0 {
		b.Fatalf("%s: no \"%%e %%M\" line from /usr/bin/time (GNU time needed) in:\n%s", args[0], lastChars(stderr.String(), 2000))
	}
	if d := math.Abs(wall.Seconds() - secs); d > 0.05+0.1*secs {
		b.Fatalf("%s: wall time %v here, %.2f s by GNU time", args[0], wall, secs)
	}
	return timedRun{wall: wall, peakKiB: kib, stdout: stdout.Bytes()}
}

// analyzeLine is the part of a `makerhub stl analyze` output line that the
// comparisons read.
type analyzeLine struct {
	Path     string
	Error    string
	Analysis *struct {
		Triangles  int
		BBox       struct{ Min, Max [3]float64 } `json:"bbox_mm"`
		VolumeCm3  float64                       `json:"volume_cm3"`
		Watertight bool
		Estimate   struct {
			FilamentG    float64 `json:"filament_g"`
			PrintMinutes float64 `json:"print_minutes"`
		}
	}
}

// analyzeOutput parses the JSON lines of `makerhub stl analyze`, by path.
func analyzeOutput(b *testing.B, out []byte) map[string]analyzeLine {
	b.Helper()
	lines := make(map[string]analyzeLine)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l analyzeLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			b.Fatalf("makerhub output: %v:\n%s", err, sc.Bytes())
		}
		lines[l.Path] = l
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return lines
}

// admeshReport holds the figures of admesh's report: the facets the file
// has (the "Original" column) and its size and volume.
type admeshReport struct {
	facets    int
	min, max  [3]float64
	volumeMM3 float64
}

var (
	admeshFacets = regexp.MustCompile(`(?m)^Number of facets\s*:\s*(\d+)`)
	admeshSize   = regexp.MustCompile(`(?m)^Min ([XYZ]) =\s*(\S+), Max [XYZ] =\s*(\S+)$`)
	admeshVolume = regexp.MustCompile(`Volume\s*:\s*(\S+)`)
)

// parseAdmesh reads the report of admesh 0.98, which looks like
//
//	Min X = -8.996912, Max X =  17.499699
//	…
//	Number of facets                 :  7596                7596
//	…
//	Number of parts       :     1        Volume   :  3195.623291
func parseAdmesh(out []byte) (admeshReport, error) {
	var r admeshReport
	m := admeshFacets.FindSubmatch(out)
	v := admeshVolume.FindSubmatch(out)
	sizes := admeshSize.FindAllSubmatch(out, -1)
	if m == nil || v == nil || len(sizes) != 3 {
		return r, fmt.Errorf("unexpected admesh report:\n%s", out)
	}
	r.facets, _ = strconv.Atoi(string(m[1]))
	var errs [7]error
	r.volumeMM3, errs[0] = strconv.ParseFloat(string(v[1]), 64)
	for _, s := range sizes {
		i := int(s[1][0] - 'X')
		r.min[i], errs[1+2*i] = strconv.ParseFloat(string(s[2]), 64)
		r.max[i], errs[2+2*i] = strconv.ParseFloat(string(s[3]), 64)
	}
	for _, err := range errs {
		if err != nil {
			return r, fmt.Errorf("admesh report: %v", err)
		}
	}
	return r, nil
}

// gcodeStats are PrusaSlicer's figures from the comments at the end of its
// G-code.
type gcodeStats struct {
	filamentCm3, filamentG, minutes float64
}

var (
	gcodeCm3  = regexp.MustCompile(`(?m)^; filament used \[cm3\] = ([\d.]+)`)
	gcodeG    = regexp.MustCompile(`(?m)^; filament used \[g\] = ([\d.]+)`)
	gcodeTime = regexp.MustCompile(`(?m)^; estimated printing time \(normal mode\) = (.+)$`)
	gcodeUnit = regexp.MustCompile(`(\d+)([dhms])`)
)

// parseGcodeStats reads
//
//	; filament used [cm3] = 29.38
//	; filament used [g] = 37.32
//	; estimated printing time (normal mode) = 3h 10m 30s
func parseGcodeStats(gcode []byte) (gcodeStats, error) {
	var s gcodeStats
	cm3, g, t := gcodeCm3.FindSubmatch(gcode), gcodeG.FindSubmatch(gcode), gcodeTime.FindSubmatch(gcode)
	if cm3 == nil || g == nil || t == nil {
		return s, fmt.Errorf("no filament used [cm3], filament used [g] or estimated printing time comment")
	}
	s.filamentCm3, _ = strconv.ParseFloat(string(cm3[1]), 64)
	s.filamentG, _ = strconv.ParseFloat(string(g[1]), 64)
	seconds := map[byte]float64{'d': 86400, 'h': 3600, 'm': 60, 's': 1}
	for _, u := range gcodeUnit.FindAllSubmatch(t[1], -1) {
		n, _ := strconv.Atoi(string(u[1]))
		s.minutes += float64(n) * seconds[u[2][0]] / 60
	}
	if s.filamentG <= 0 || s.minutes <= 0 {
		return s, fmt.Errorf("cannot read %q and %q", g[0], t[0])
	}
	return s, nil
}

// medianMin returns the median and the minimum of xs.
func medianMin(xs []float64) (median, minimum float64) {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	return (s[(n-1)/2] + s[n/2]) / 2, s[0]
}

// lastChars returns the last n bytes of s, for error messages.
func lastChars(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

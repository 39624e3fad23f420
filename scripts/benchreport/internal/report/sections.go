package report

import (
	"fmt"
	"math"
	"strings"
)

// The capability sections. Their fixed text says what each benchmark does
// and which target the issues set; every figure comes from the run.

// speed writes a benchmark's time per op and throughput:
// "16.8 ms (2,980 MB/s)".
func speed(b *Benchmark) string {
	s := seconds(val(b, "ns/op") / 1e9)
	if mbs := val(b, "MB/s"); !math.IsNaN(mbs) {
		s += " (" + num(mbs) + " MB/s)"
	}
	return s
}

// allocated writes a benchmark's allocations per op:
// "164 kB in 5 allocations".
func allocated(b *Benchmark) string {
	return fmt.Sprintf("%s in %s allocations", bytesSI(val(b, "B/op")), count(val(b, "allocs/op")))
}

// loggedTable returns the markdown table rows a benchmark logged.
func loggedTable(b *Benchmark) string {
	var rows []string
	for _, l := range b.Logs {
		if strings.HasPrefix(l, "|") {
			rows = append(rows, l)
		}
	}
	if len(rows) < 2 {
		return ""
	}
	return strings.Join(rows, "\n") + "\n"
}

func (p *page) stlSection(b *strings.Builder) {
	const hub, stl = "./cmd/makerhub/", "./designs/stl/"
	b.WriteString("## STL analysis against admesh (issue 3)\n\n")
	b.WriteString("`makerhub stl analyze` and `admesh` (Debian) each read the same closed torus of 1,000,000 triangles\n" +
		"(a 50 MB binary STL) as a fresh process under GNU time, in alternating order, for wall time and peak\n" +
		"memory. In process, the reader and the whole analysis (size, volume, watertightness, print estimate)\n" +
		"run on that torus, on a 200,000-triangle ASCII torus, on the 4,000,000-triangle mesh of the upload\n" +
		"benchmark and on the parts of `testdata/stl`; reading is compared with github.com/hschendel/stl on\n" +
		"the same bytes.\n\n")
	commands(b, "scripts/ensure-apt.sh admesh:admesh /usr/bin/time:time",
		p.command(hub, "^Benchmark(AnalyzeVsAdmesh|AgreementWithAdmesh)$", "3x"),
		p.command(stl, ".", "5x"))

	t := table{head: []string{"what", "makerhub", "anchor (same run)", "ratio", "target"}}
	const fresh = "full analysis of the 1M-triangle torus, a fresh process per run"
	if vs, why := p.bench(hub, "BenchmarkAnalyzeVsAdmesh"); vs == nil {
		t.add(fresh, why)
		p.target("STL analysis", "as fast as admesh, peak < 100 MiB", why, "")
	} else {
		mhMed, mhMin, mhPeak := val(vs, "makerhub-median-s"), val(vs, "makerhub-min-s"), val(vs, "makerhub-peak-MiB")
		adMed, adMin, adPeak := val(vs, "admesh-median-s"), val(vs, "admesh-min-s"), val(vs, "admesh-peak-MiB")
		ratio := val(vs, "speedup")
		runs := val(vs, "runs-each") * float64(vs.N)
		v := verdict(ratio >= 1 && mhPeak < 100, ratio, mhPeak)
		t.add(fresh+fmt.Sprintf(", %s of each tool (`BenchmarkAnalyzeVsAdmesh`)", plural(runs, "run", "runs")),
			fmt.Sprintf("median %s, min %s, peak %s MiB", seconds(mhMed), seconds(mhMin), num(mhPeak)),
			fmt.Sprintf("`admesh`: median %s, min %s, peak %s MiB", seconds(adMed), seconds(adMin), num(adPeak)),
			times(ratio)+" (admesh's median ÷ ours)",
			"as fast as admesh, peak < 100 MiB: "+v)
		p.target("STL analysis", "as fast as admesh, peak < 100 MiB",
			fmt.Sprintf("%s admesh's speed, peak %s MiB", times(ratio), num(mhPeak)), v)
	}
	// pair adds a row of ours beside its anchor; target, if not nil,
	// writes the target's cell and records it.
	pair := func(what, ours, anchor, anchorName string, target func(o *Benchmark, why string) string) {
		o, whyO := p.bench(stl, ours)
		a, whyA := p.bench(stl, anchor)
		row := []string{what, whyO, whyA, "", ""}
		if target != nil {
			row[4] = target(o, whyO)
		}
		if o != nil {
			row[1] = fmt.Sprintf("`%s`: %s; %s", ours, speed(o), allocated(o))
		}
		if a != nil {
			row[2] = fmt.Sprintf("%s (`%s`): %s; %s", anchorName, anchor, speed(a), allocated(a))
		}
		if o != nil && a != nil {
			row[3] = times(val(a, "ns/op")/val(o, "ns/op")) + " (its time ÷ ours)"
		}
		t.add(row...)
	}
	pair("reading the 1M-triangle binary torus", "BenchmarkReadBinary1M", "BenchmarkReadBinary1MHschendel", "hschendel/stl", nil)
	pair("reading the 200,000-triangle ASCII torus", "BenchmarkReadASCII", "BenchmarkReadASCIIHschendel", "hschendel/stl",
		func(o *Benchmark, why string) string {
			if o == nil {
				p.target("ASCII STL reading", "≥ 80 MB/s", why, "")
				return ""
			}
			mbs := val(o, "MB/s")
			v := verdict(mbs >= 80, mbs)
			p.target("ASCII STL reading", "≥ 80 MB/s", num(mbs)+" MB/s", v)
			return "≥ 80 MB/s: " + v
		})
	for _, s := range []struct{ what, name string }{
		{"full analysis in process, 1M-triangle binary torus", "BenchmarkAnalyzeBinary1M"},
		{"full analysis in process, 4,000,000 triangles (the upload benchmark's 200 MB mesh)", "BenchmarkAnalyzeBinary4M"},
		{"full analysis in process, 200,000-triangle ASCII torus", "BenchmarkAnalyzeASCII"},
		{"full analysis in process, the parts of `testdata/stl` one after the other", "BenchmarkAnalyzeTestdata"},
	} {
		if bm, why := p.bench(stl, s.name); bm == nil {
			t.add(s.what, why)
		} else {
			t.add(s.what, fmt.Sprintf("`%s`: %s; %s", s.name, speed(bm), allocated(bm)), "—")
		}
	}
	b.WriteString(t.String() + "\n")

	b.WriteString("### Geometry against admesh\n\n")
	b.WriteString("`BenchmarkAgreementWithAdmesh` runs admesh and `makerhub stl analyze` on each part of `testdata/stl` and\n" +
		"compares facet counts, bounding boxes and volumes. The benchmark fails if a facet count differs, a\n" +
		"bounding box deviates by more than 0.001 mm or a volume by more than 0.1 %.\n\n")
	const agreement = "same facets, bbox within 0.001 mm, volume within 0.1 %"
	if ag, why := p.bench(hub, "BenchmarkAgreementWithAdmesh"); ag == nil {
		b.WriteString(why + "\n\n")
		p.target("STL geometry", "as admesh: "+agreement, why, "")
	} else {
		if tab := loggedTable(ag); tab != "" {
			b.WriteString(tab + "\n")
		} else {
			b.WriteString("The benchmark logged no table in this run.\n\n")
		}
		bbox, vol := val(ag, "max-bbox-dev-mm"), val(ag, "max-volume-dev-%")
		v := verdict(bbox <= 0.001 && vol <= 0.1, bbox, vol)
		fmt.Fprintf(b, "Largest deviations: bounding box %s mm, volume %s %%. Within the limits (%s): %s.\n\n", num(bbox), num(vol), agreement, v)
		p.target("STL geometry", "as admesh: "+agreement, fmt.Sprintf("bbox %s mm, volume %s %%", num(bbox), num(vol)), v)
	}
}

func (p *page) estimatesSection(b *strings.Builder) {
	const hub = "./cmd/makerhub/"
	b.WriteString("## Print estimates against PrusaSlicer (issue 3)\n\n")
	b.WriteString("`BenchmarkEstimatesVsPrusaSlicer` slices each part of `testdata/stl` with PrusaSlicer (Debian; its\n" +
		"version is in the tools above) and `testdata/prusaslicer-reference.ini` (0.4 mm nozzle, 0.2 mm layers,\n" +
		"2 perimeters, 20 % infill, PETG), and compares its filament and print time with the hub's estimate\n" +
		"(docs/estimates.md). Targets: filament within ±15 %, time within ±30 %.\n\n")
	commands(b, "scripts/ensure-apt.sh prusa-slicer:prusa-slicer",
		p.command(hub, "^BenchmarkEstimatesVsPrusaSlicer$", "3x"))
	es, why := p.bench(hub, "BenchmarkEstimatesVsPrusaSlicer")
	if es == nil {
		b.WriteString(why + "\n\n")
		p.target("print estimates", "filament ±15 %, time ±30 % of PrusaSlicer", why, "")
		return
	}
	if tab := loggedTable(es); tab != "" {
		b.WriteString(tab + "\n")
	} else {
		b.WriteString("The benchmark logged no table in this run.\n\n")
	}
	fil, tm := val(es, "max-filament-err-%"), val(es, "max-time-err-%")
	v := verdict(fil <= 15 && tm <= 30, fil, tm)
	fmt.Fprintf(b, "Largest errors: filament %s, time %s: %s.\n\n", percent(fil, 1), percent(tm, 1), v)
	p.target("print estimates", "filament ±15 %, time ±30 % of PrusaSlicer",
		fmt.Sprintf("worst: filament %s, time %s", percent(fil, 1), percent(tm, 1)), v)
}

func (p *page) uploadSection(b *strings.Builder) {
	const hub, local, s3, designs = "./cmd/makerhub/", "./internal/blob/local/", "./internal/blob/s3/", "./designs/"
	b.WriteString("## Uploads against plain minio-go (issue 3)\n\n")
	b.WriteString("### A 200 MB STL through the API into MinIO\n\n")
	b.WriteString("`BenchmarkUpload200MB` sends a 200 MB binary STL (4,000,000 triangles) as a raw body to a hub process\n" +
		"that stores into a real MinIO; each round also puts the same file with plain minio-go `PutObject`\n" +
		"(the anchor), the two alternating, and the medians are compared. It reads each process's CPU time\n" +
		"from `/proc/PID/stat` and the hub's peak resident memory (VmHWM) before stopping it. Targets: at most\n" +
		"2× the anchor's time, under 150 MiB.\n\n")
	commands(b, minioEnv+p.command(hub, "^BenchmarkUpload200MB$", "3x"))
	if up, why := p.bench(hub, "BenchmarkUpload200MB"); up == nil {
		b.WriteString(why + "\n\n")
		p.target("200 MB upload", "≤ 2× plain PutObject, < 150 MiB", why, "")
	} else {
		api, anchor, ratio := val(up, "api-median-s"), val(up, "putobject-median-s"), val(up, "api/putobject")
		peak := val(up, "server-peak-MiB")
		t := table{head: []string{"", "through the hub's API", "plain `PutObject` (anchor)", "ratio", "target"}}
		vTime := verdict(ratio <= 2, ratio)
		vMem := verdict(peak < 150, peak)
		t.add(fmt.Sprintf("median time, %s", plural(float64(up.N), "round", "rounds")), seconds(api), seconds(anchor), times(ratio), "≤ 2×: "+vTime)
		t.add("hub's peak memory (VmHWM)", num(peak)+" MiB", "—", "", "< 150 MiB: "+vMem)
		t.add("CPU per upload (medians)",
			fmt.Sprintf("hub %s, MinIO %s", seconds(val(up, "hub-cpu-s/upload")), seconds(val(up, "api-minio-cpu-s/upload"))),
			"MinIO "+seconds(val(up, "anchor-minio-cpu-s/upload")), "", "")
		b.WriteString(t.String() + "\n")
		p.target("200 MB upload", "≤ 2× plain PutObject", times(ratio), vTime)
		p.target("200 MB upload", "hub < 150 MiB", num(peak)+" MiB", vMem)
	}

	b.WriteString("### Storing a 64 MiB file\n\n")
	b.WriteString("Each store's `Put` of a 64 MiB file, the way a spooled upload reaches it: the local store (temp\n" +
		"file, SHA-256, fsync, rename, folder fsync) and the S3 store into a real MinIO (parallel parts read from\n" +
		"the file, SHA-256 checked before the last part completes), beside plain minio-go `PutObject` with the\n" +
		"size known (the anchor) and with size −1 from a stream, the path the hub never takes (gitea #38753).\n\n")
	commands(b, p.command(local, "^BenchmarkPut$", "5x"), minioEnv+p.command(s3, "^BenchmarkPut", "5x"))
	t := table{head: []string{"benchmark", "what it does", "time", "allocated"}}
	puts := []struct{ dir, name, what string }{
		{local, "BenchmarkPut", "local store's Put"},
		{s3, "BenchmarkPut", "S3 store's Put"},
		{s3, "BenchmarkPutMinioGoDefault", "anchor: plain `PutObject`, size known, default options"},
		{s3, "BenchmarkPutMinioGoUnknownSize", "plain `PutObject`, size −1, from a stream"},
	}
	got := make([]*Benchmark, len(puts))
	for i, s := range puts {
		name := strings.TrimSuffix(strings.TrimPrefix(s.dir, "./internal/blob/"), "/") + " `" + s.name + "`"
		bm, why := p.bench(s.dir, s.name)
		if got[i] = bm; bm == nil {
			t.add(name, s.what, why)
			continue
		}
		t.add(name, s.what, speed(bm), allocated(bm))
	}
	b.WriteString(t.String() + "\n")
	if ours, anchor := got[1], got[2]; ours != nil && anchor != nil {
		fmt.Fprintf(b, "The S3 store's `Put` against the anchor: %s its throughput, %s its allocated bytes.\n\n",
			times(val(ours, "MB/s")/val(anchor, "MB/s")), times(val(ours, "B/op")/val(anchor, "B/op")))
	}

	b.WriteString("### Writing an upload's spool file\n\n")
	b.WriteString("`BenchmarkSpoolWrite` writes 200 MB the way an upload fills its spool, into a new file each time\n" +
		"(kept to the end, as an object store keeps objects) or into the file the hub keeps between uploads,\n" +
		"and reports the CPU time of the writes: fresh page cache can cost a virtual machine far more than\n" +
		"pages the kernel already holds.\n\n")
	commands(b, p.command(designs, "^BenchmarkSpoolWrite$", "8x"))
	st := table{head: []string{"spool file", "CPU per 200 MB", "time per 200 MB"}}
	var cpu [2]float64
	for i, s := range []struct{ name, what string }{
		{"BenchmarkSpoolWrite/new-file", "a new file each time"},
		{"BenchmarkSpoolWrite/kept-file", "the kept file"},
	} {
		what := fmt.Sprintf("%s (`%s`)", s.what, s.name)
		bm, why := p.bench(designs, s.name)
		if bm == nil {
			st.add(what, why)
			cpu[i] = math.NaN()
			continue
		}
		cpu[i] = val(bm, "cpu-s/op")
		st.add(what, seconds(cpu[i]), speed(bm))
	}
	b.WriteString(st.String() + "\n")
	if !math.IsNaN(cpu[0]) && !math.IsNaN(cpu[1]) {
		fmt.Fprintf(b, "A new file costs %s the CPU of the kept one.\n\n", times(cpu[0]/cpu[1]))
	}
}

func (p *page) claimsSection(b *strings.Builder) {
	const hub = "./cmd/makerhub/"
	b.WriteString("## Claims against raw SQLite (issue 4)\n\n")
	cl, why := p.bench(hub, "BenchmarkClaims")
	jobs := "100,000"
	if cl != nil {
		jobs = count(val(cl, "jobs"))
	}
	fmt.Fprintf(b, "A hub process built from the tree (`--routing-every 0`) with 64 makers, each with a token and a\n"+
		"printer, and %s one-unit jobs in the open pool; 64 goroutines each send `POST /api/v1/jobs/{id}/claim`,\n"+
		"every job raced for by two makers: exactly one 200 and one 409 per job. The anchor, in the same run,\n"+
		"is the same claim transaction (the guarded `UPDATE … RETURNING` and its event row) from 64 goroutines\n"+
		"on a SQLite file of the same schema, one transaction per claim, no HTTP. After the storm the benchmark\n"+
		"counts jobs claimed twice and \"database is locked\" in the hub's log. Targets: ≥ 3,000 claims/s,\n"+
		"p99 < 50 ms, no double claims, no \"database is locked\".\n\n", jobs)
	commands(b, p.command(hub, "^BenchmarkClaims$", "1x")+"   # BENCH_CLAIMS=N for fewer jobs")
	if cl == nil {
		b.WriteString(why + "\n\n")
		p.target("claims", "≥ 3,000/s, p99 < 50 ms, none twice, no \"database is locked\"", why, "")
		return
	}
	rate, p99 := val(cl, "claims/s"), val(cl, "p99-ms")
	twice, locked, errs := val(cl, "double-claims"), val(cl, "db-locked"), val(cl, "errors")
	t := table{head: []string{"`BenchmarkClaims`", "claims won/s", "claim calls/s", "p50", "p99", "double claims", "errors"}}
	t.add("HTTP, 64 makers", count(rate), count(val(cl, "calls/s")), num(val(cl, "p50-ms"))+" ms", num(p99)+" ms",
		count(twice), fmt.Sprintf("%s (of which \"database is locked\": %s)", count(errs), count(locked)))
	t.add("raw SQLite (anchor)", count(val(cl, "raw-sqlite-claims/s")), count(val(cl, "raw-sqlite-calls/s")),
		num(val(cl, "raw-sqlite-p50-ms"))+" ms", num(val(cl, "raw-sqlite-p99-ms"))+" ms", "not checked", count(val(cl, "raw-sqlite-failed")))
	b.WriteString(t.String() + "\n")
	cores := ""
	if c := p.r.Get("cpus"); c != "" {
		cores = " × " + c + " cores"
	}
	fmt.Fprintf(b, "HTTP calls: %s won (200), %s lost (409), %s failed. ", count(val(cl, "won")), count(val(cl, "lost")), count(val(cl, "failed")))
	fmt.Fprintf(b, "HTTP ÷ raw SQLite: %s the claims per second. CPU during the HTTP storm: hub %s, load generator\n"+
		"%s, of %s%s.\n\n", times(rate/val(cl, "raw-sqlite-claims/s")), seconds(val(cl, "hub-cpu-s")),
		seconds(val(cl, "loadgen-cpu-s")), seconds(val(cl, "storm-s")), cores)
	vRate, vP99 := verdict(rate >= 3000, rate), verdict(p99 < 50, p99)
	vTwice, vLocked := verdict(twice == 0, twice), verdict(locked == 0, locked)
	fmt.Fprintf(b, "≥ 3,000 claims/s: %s. p99 < 50 ms: %s. No double claims: %s. No \"database is locked\": %s.\n\n", vRate, vP99, vTwice, vLocked)
	p.target("claims", "≥ 3,000 claims/s", count(rate)+"/s", vRate)
	p.target("claims", "p99 < 50 ms", num(p99)+" ms", vP99)
	p.target("claims", "no job claimed twice", count(twice), vTwice)
	p.target("claims", "no \"database is locked\"", count(locked), vLocked)
}

func (p *page) routingSection(b *strings.Builder) {
	const routing, mcf = "./production/routing/", "./production/mcf/"
	b.WriteString("## Routing against the greedy baseline (issue 4)\n\n")
	b.WriteString("`routing.Generate(1, 1)`, the national instance: 20,000 makers with 30,000 printers, 7,000 hospitals,\n" +
		"200 design versions and 30,000 open request lines, clustered around 28 cities (docs/routing.md).\n" +
		"`Solve` is exact per planning region over each request's 32 nearest eligible printers; the anchor,\n" +
		"in the same run, is `Greedy`: requests by priority then deadline, each to its nearest printer with\n" +
		"time left. Targets: under 10 s and 2 GiB.\n\n")
	commands(b, p.command(routing, "National", "1x"), p.command(mcf, ".", "1x"))
	so, why := p.bench(routing, "BenchmarkNational")
	gr, whyG := p.bench(routing, "BenchmarkNationalGreedy")
	if so == nil {
		b.WriteString(why + "\n\n")
		p.target("routing", "< 10 s, < 2 GiB", why, "")
	} else {
		fmt.Fprintf(b, "Demand: %s units in %s request lines.\n\n", count(val(so, "requested-units")), count(val(so, "request-lines")))
		greedyTime := whyG
		if gr != nil {
			greedyTime = seconds(val(gr, "s/solve"))
		}
		t := table{head: []string{"", "Solve (min-cost flow): `BenchmarkNational`", "Greedy (anchor): `BenchmarkNationalGreedy` for its time, the rest from `BenchmarkNational`", "Solve ÷ Greedy"}}
		ratio := func(a, g float64) string { return times(a / g) }
		st, gt := val(so, "s/solve"), val(gr, "s/solve")
		t.add("time", seconds(st), greedyTime, ratio(st, gt))
		heap, sys := val(so, "peak-heap-MiB"), val(so, "sys-MiB")
		t.add("peak heap in use / memory from the OS", num(heap)+" MiB / "+num(sys)+" MiB", "—", "")
		for _, r := range []struct{ what, unit string }{
			{"units on time", "ontime-units"},
			{"priority-weighted units on time", "ontime-weighted"},
			{"units late", "late-units"},
			{"late unit-days", "late-unit-days"},
			{"units unallocated", "unalloc-units"},
			{"total km (Σ job distances)", "total-km"},
			{"jobs", "jobs"},
		} {
			s, g := val(so, r.unit), val(so, "greedy-"+r.unit)
			t.add(r.what, count(s), count(g), ratio(s, g))
		}
		b.WriteString(t.String() + "\n")
		fmt.Fprintf(b, "Solve: %s regions, %s nodes, %s arcs, %s phases, %s pivots.\n\n",
			count(val(so, "regions")), count(val(so, "nodes")), count(val(so, "arcs")), count(val(so, "phases")), count(val(so, "pivots")))
		vTime, vMem := verdict(st < 10, st), verdict(sys < 2048, sys)
		fmt.Fprintf(b, "Under 10 s: %s. Under 2 GiB (memory from the OS): %s.\n\n", vTime, vMem)
		p.target("routing, national instance", "< 10 s", seconds(st), vTime)
		p.target("routing, national instance", "< 2 GiB", num(sys)+" MiB from the OS", vMem)
	}

	b.WriteString("### The solver alone\n\n")
	b.WriteString("`production/mcf`, a primal network simplex, on random routing-shaped graphs; the anchor is successive\n" +
		"shortest paths on an instance small enough for it, both checked to reach the same cost.\n\n")
	t := table{head: []string{"instance", "time", "pivots", "allocated", "anchor (same run)"}}
	for _, name := range []string{"BenchmarkSolve/60k-nodes-500k-arcs", "BenchmarkSolve/500k-nodes-2M-arcs"} {
		bm, why := p.bench(mcf, name)
		if bm == nil {
			t.add("`"+name+"`", why)
			continue
		}
		t.add(fmt.Sprintf("`%s`: %s nodes, %s arcs", name, count(val(bm, "nodes")), count(val(bm, "arcs"))),
			seconds(val(bm, "ns/op")/1e9), count(val(bm, "pivots")), allocated(bm), "")
	}
	if sp, why := p.bench(mcf, "BenchmarkSpeedupOverSSP"); sp == nil {
		t.add("`BenchmarkSpeedupOverSSP`", why)
	} else {
		t.add(fmt.Sprintf("`BenchmarkSpeedupOverSSP`: %s nodes, %s arcs", count(val(sp, "nodes")), count(val(sp, "arcs"))),
			seconds(val(sp, "simplex-ns/op")/1e9), "", "",
			fmt.Sprintf("successive shortest paths: %s (%s slower)", seconds(val(sp, "ssp-ns/op")/1e9), times(val(sp, "speedup"))))
	}
	b.WriteString(t.String() + "\n")
}

package report

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// f reads an optional figure of the load's JSON: NaN (written "not
// reported") when the file leaves it out.
func f(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

// ms writes milliseconds: "3.1 ms".
func ms(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return num(v) + " ms"
}

func (p *page) loadSection(b *strings.Builder) {
	b.WriteString("## The emergency-day load (issue 7)\n\n")
	b.WriteString("`scripts/load.sh` starts a fresh hub and plays an emergency day against its HTTP API with\n" +
		"`cmd/makerhub-load`, at the scale below; its client times every call by endpoint, and the hub's data\n" +
		"is checked afterwards against the invariants listed. The anchor, measured in the same run, is the\n" +
		"cheapest call the hub answers: what the machine and HTTP alone cost under that load. Target: p99\n" +
		"under the target below on every endpoint except the exempt ones (uploads and routing).\n\n")
	l := p.r.Load
	const capability = "emergency-day load"
	if l == nil {
		why := "not run: this run's report has no load section"
		b.WriteString(why + "\n\n")
		p.target(capability, "p99 target on every endpoint", why, "")
		return
	}
	commands(b, loadCommand(l))
	if l.NotRun != "" || l.Result == nil {
		why := "not run: " + l.NotRun
		if l.NotRun == "" {
			why = "not run: " + l.Err
		}
		b.WriteString(why + "\n\n")
		if l.NotRun == "" && len(l.Output) > 0 {
			b.WriteString("The last lines it printed:\n\n```\n" + strings.Join(l.Output[max(0, len(l.Output)-8):], "\n") + "\n```\n\n")
		}
		p.target(capability, "p99 target on every endpoint", why, "")
		return
	}
	res := l.Result
	if len(res.Scale) > 0 {
		var parts []string
		for _, s := range res.Scale {
			v := s.Value
			if x, err := strconv.ParseFloat(v, 64); err == nil && s.Key != "seed" {
				v = quantity(x)
			}
			parts = append(parts, s.Key+" "+v)
		}
		fmt.Fprintf(b, "Scale: %s.\n\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(b, "Duration %s, %s requests, %s requests/s", seconds(f(res.DurationS)), count(f(res.Requests)), num(f(res.ThroughputRPS)))
	if res.Unanswered != nil {
		fmt.Fprintf(b, ", %s unanswered", count(*res.Unanswered))
	}
	b.WriteString(".")
	if res.Hub != nil {
		fmt.Fprintf(b, " The hub's peak memory (VmHWM): %s MiB; its CPU time: %s.", num(f(res.Hub.PeakRSSMiB)), seconds(f(res.Hub.CPUS)))
	} else {
		b.WriteString(" The hub's memory and CPU time: not reported.")
	}
	b.WriteString("\n\n")
	if l.ExitStatus != 0 {
		fmt.Fprintf(b, "scripts/load.sh exited with status %d.\n\n", l.ExitStatus)
	}

	target := f(res.TargetP99Ms)
	targetHead := "p99 target"
	if !math.IsNaN(target) {
		targetHead = "p99 < " + num(target) + " ms"
	}
	anchorP99 := math.NaN()
	if res.Anchor != nil {
		anchorP99 = f(res.Anchor.P99Ms)
	}
	t := table{head: []string{"endpoint", "calls", "errors: hub / client", "expected refusals", "p50", "p90", "p99", "max", "p99 ÷ anchor's", targetHead}}
	var covered, under, errors float64
	var examples []string
	worst, worstEP := math.NaN(), ""
	for _, e := range res.Endpoints {
		p99 := f(e.P99Ms)
		v := "exempt"
		if !e.Exempt {
			covered++
			met := p99 < target
			if met && !math.IsNaN(p99) {
				under++
			}
			v = verdict(met, p99, target)
			if math.IsNaN(worst) || p99 > worst {
				worst, worstEP = p99, e.Endpoint
			}
		}
		errors += f(e.ErrorsHub) + f(e.ErrorsClient)
		for _, x := range e.Examples {
			examples = append(examples, fmt.Sprintf("`%s`: %s", e.Endpoint, x))
		}
		ratio := ""
		if !math.IsNaN(anchorP99) && anchorP99 > 0 && !math.IsNaN(p99) {
			ratio = times(p99 / anchorP99)
		}
		t.add("`"+e.Endpoint+"`", count(f(e.Count)), errorCounts(e), optCount(e.Refused),
			ms(f(e.P50Ms)), ms(f(e.P90Ms)), ms(p99), ms(f(e.MaxMs)), ratio, v)
	}
	if a := res.Anchor; a != nil {
		t.add("anchor: `"+a.Endpoint+"`", count(f(a.Count)), errorCounts(*a), optCount(a.Refused),
			ms(f(a.P50Ms)), ms(f(a.P90Ms)), ms(f(a.P99Ms)), ms(f(a.MaxMs)), "", "")
	} else {
		t.add("anchor", "not reported")
	}
	b.WriteString(t.String() + "\n")
	if len(res.Endpoints) == 0 {
		b.WriteString("The load's result lists no endpoint.\n\n")
	}
	if len(examples) > 0 {
		b.WriteString("First errors, as the load saw them:\n\n")
		for _, x := range examples {
			b.WriteString("- " + cell(x) + "\n")
		}
		b.WriteString("\n")
	}
	if len(res.Errors) > 0 {
		b.WriteString("Steps that failed, which the day went on past:\n\n")
		for _, x := range res.Errors {
			b.WriteString("- " + cell(x) + "\n")
		}
		b.WriteString("\n")
	}
	if len(res.Stages) > 0 {
		st := table{head: []string{"stage", "time", "calls", "detail"}}
		for _, s := range res.Stages {
			st.add(s.Name, seconds(f(s.Seconds)), count(f(s.Calls)), s.Detail)
		}
		b.WriteString(st.String() + "\n")
	}

	okInv := 0
	if len(res.Invariants) > 0 {
		it := table{head: []string{"invariant", "holds", "detail"}}
		for _, inv := range res.Invariants {
			holds := "**no**"
			if inv.OK {
				holds, okInv = "yes", okInv+1
			}
			detail := inv.Detail
			if len(inv.Problems) > 0 {
				detail += "; first cases: " + strings.Join(inv.Problems, "; ")
			}
			it.add(inv.Name, holds, detail)
		}
		b.WriteString(it.String() + "\n")
	} else {
		b.WriteString("The load's result lists no invariant.\n\n")
	}

	if math.IsNaN(target) {
		p.target(capability, "p99 target on every endpoint", "the load's result gives no target_p99_ms", "")
	} else {
		figure := fmt.Sprintf("%s of %s endpoints", count(under), count(covered))
		if worstEP != "" {
			figure += fmt.Sprintf("; slowest p99 %s (`%s`)", ms(worst), worstEP)
		}
		v := verdict(covered > 0 && under == covered)
		p.target(capability, fmt.Sprintf("p99 < %s ms on every endpoint but uploads and routing", num(target)), figure, v)
	}
	p.target(capability, "no error: none of the hub's, no unexpected refusal", count(errors), verdict(errors == 0, errors))
	p.target(capability, "every invariant holds", fmt.Sprintf("%d of %d", okInv, len(res.Invariants)),
		verdict(len(res.Invariants) > 0 && okInv == len(res.Invariants)))
}

// quantity writes a whole number with grouped thousands, anything else as
// num does.
func quantity(v float64) string {
	if v == math.Trunc(v) {
		return count(v)
	}
	return num(v)
}

// optCount writes an optional count, "—" when the file leaves it out.
func optCount(v *float64) string {
	if v == nil {
		return "—"
	}
	return count(*v)
}

// errorCounts writes an endpoint's errors: "hub / client".
func errorCounts(e Endpoint) string {
	if e.ErrorsHub == nil && e.ErrorsClient == nil {
		return "—"
	}
	return optCount(e.ErrorsHub) + " / " + optCount(e.ErrorsClient)
}

// loadCommand is the command bench.sh ran for the load, the JSON file
// named without its folder (a temporary one, of no use to a reader).
func loadCommand(l *LoadRun) string {
	if l.JSONPath == "" {
		return l.Command
	}
	return strings.Replace(l.Command, l.JSONPath, filepath.Base(l.JSONPath), 1)
}

// dashboardSection shows the coordinator's dashboard and its map's places
// on a national network beside a maker's dashboard. It sets no target of its
// own: the load's p99 is the target; this is where its slowest page is
// measured alone.
func (p *page) dashboardSection(b *strings.Builder) {
	// The pages live in ./web/ui/ since the web package was split by
	// audience; reports of earlier runs have them in ./web/.
	web := "./web/ui/"
	if p.r.Package(web) == nil && p.r.Package("./web/") != nil {
		web = "./web/"
	}
	b.WriteString("## The coordinator's dashboard on a national network (issue 7)\n\n")
	b.WriteString("`BenchmarkDashboardNational` renders pages in process, over HTTP, on a hub holding a national\n" +
		"network's 27,000 organisations (20,000 maker groups, 7,000 hospitals): the coordinator's dashboard,\n" +
		"which reads network-wide figures, and the places of its map (`/dashboard/places.json`, 3,000 at\n" +
		"most), which the page's script fetches. The anchor, in the same run, is a maker's dashboard, which\n" +
		"reads only the maker's own work.\n\n")
	commands(b, p.command(web, "BenchmarkDashboardNational", "20x"))
	anchor, whyA := p.bench(web, "BenchmarkDashboardNational/maker")
	anchorTime := whyA
	if anchor != nil {
		anchorTime = "`BenchmarkDashboardNational/maker`: " + seconds(val(anchor, "ns/op")/1e9)
	}
	t := table{head: []string{"page", "time per view", "anchor: a maker's dashboard (same run)", "ratio"}}
	for _, r := range []struct{ what, name string }{
		{"the coordinator's dashboard", "BenchmarkDashboardNational/coordinator"},
		{"its map's places", "BenchmarkDashboardNational/places.json"},
	} {
		bm, why := p.bench(web, r.name)
		if bm == nil {
			t.add(fmt.Sprintf("%s (`%s`)", r.what, r.name), why)
			continue
		}
		ratio := ""
		if anchor != nil {
			ratio = times(val(bm, "ns/op")/val(anchor, "ns/op")) + " (its time ÷ the anchor's)"
		}
		t.add(fmt.Sprintf("%s (`%s`)", r.what, r.name), seconds(val(bm, "ns/op")/1e9), anchorTime, ratio)
	}
	b.WriteString(t.String() + "\n")
}

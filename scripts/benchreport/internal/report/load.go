package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// LoadRun is the emergency-day load's section of the raw report: what
// scripts/bench.sh ran, and the JSON file scripts/load.sh wrote.
type LoadRun struct {
	// Command is the section's title: the command bench.sh ran.
	Command string
	// JSONPath is the file given to --json.
	JSONPath string
	// NotRun says why bench.sh did not run the load ("scripts/load.sh
	// missing"), from a "not run: …" line.
	NotRun string
	// ExitStatus is scripts/load.sh's exit status, from bench.sh's
	// "load.sh: exit status N" line.
	ExitStatus int
	// Output holds the last lines load.sh printed.
	Output []string
	// Result is the JSON file, read by ReadLoad; nil if it could not be,
	// with the reason in Err.
	Result *Load
	Err    string
}

var exitStatus = regexp.MustCompile(`^load\.sh: exit status (\d+)$`)

func (l *LoadRun) line(line string) {
	if why, ok := strings.CutPrefix(line, "not run: "); ok {
		l.NotRun = why
		return
	}
	if m := exitStatus.FindStringSubmatch(line); m != nil {
		l.ExitStatus, _ = strconv.Atoi(m[1])
		return
	}
	if strings.TrimSpace(line) == "" {
		return
	}
	l.Output = append(l.Output, strings.TrimPrefix(line, "    "))
	if len(l.Output) > 20 {
		l.Output = l.Output[1:]
	}
}

// Load is the JSON file `scripts/load.sh --json FILE` writes.
type Load struct {
	Scale         OrderedObject `json:"scale"`
	DurationS     *float64      `json:"duration_s"`
	Requests      *float64      `json:"requests"`
	ThroughputRPS *float64      `json:"throughput_rps"`
	Endpoints     []Endpoint    `json:"endpoints"`
	Anchor        *Endpoint     `json:"anchor"`
	TargetP99Ms   *float64      `json:"target_p99_ms"`
	Invariants    []Invariant   `json:"invariants"`
	Stages        []Stage       `json:"stages"`
	Hub           *struct {
		PeakRSSMiB *float64 `json:"peak_rss_mib"`
		CPUS       *float64 `json:"cpu_s"`
	} `json:"hub"`
	// Unanswered counts calls that got no answer.
	Unanswered *float64 `json:"unanswered"`
	// Errors are the first errors of steps the day went on past.
	Errors  []string `json:"errors"`
	Command string   `json:"command"`
}

// Stage is a phase of the day.
type Stage struct {
	Name    string   `json:"name"`
	Seconds *float64 `json:"seconds"`
	Calls   *float64 `json:"calls"`
	Detail  string   `json:"detail"`
}

// Endpoint is one endpoint's calls during the load. Figures the file
// leaves out are nil, and written "—".
type Endpoint struct {
	Endpoint     string   `json:"endpoint"`
	Count        *float64 `json:"count"`
	ErrorsHub    *float64 `json:"errors_hub"`
	ErrorsClient *float64 `json:"errors_client"`
	// Refused counts the refusals the load expects (a lost race).
	Refused *float64 `json:"refused"`
	P50Ms   *float64 `json:"p50_ms"`
	P90Ms   *float64 `json:"p90_ms"`
	P99Ms   *float64 `json:"p99_ms"`
	MaxMs   *float64 `json:"max_ms"`
	// Exempt marks endpoints the p99 target does not cover (uploads,
	// routing).
	Exempt bool `json:"exempt"`
	// Examples are the first errors, as the load saw them.
	Examples []string `json:"examples"`
}

// Invariant is a property of the hub's data checked after the load.
type Invariant struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	// Problems are the first cases that break it.
	Problems []string `json:"problems"`
}

// OrderedObject is a JSON object whose keys keep the file's order.
type OrderedObject []Field

// UnmarshalJSON reads an object of scalar values, in order; other values
// are kept as compact JSON.
func (o *OrderedObject) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		if string(bytes.TrimSpace(data)) == "null" {
			return nil
		}
		return fmt.Errorf("scale: want an object, got %s", data)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		// Numbers are kept as written: a seed is no quantity to round.
		var v string
		var n json.Number
		switch {
		case bytes.HasPrefix(raw, []byte(`"`)) && json.Unmarshal(raw, &v) == nil:
		case json.Unmarshal(raw, &n) == nil:
			v = n.String()
		default:
			var c bytes.Buffer
			json.Compact(&c, raw)
			v = c.String()
		}
		*o = append(*o, Field{fmt.Sprint(k), v})
	}
	return nil
}

// ReadLoad reads the JSON file of the report's load, if it ran; a relative
// path is taken from dir, the folder of the raw report. What goes wrong is
// recorded in Err, for the page to say.
func (r *Report) ReadLoad(dir string) {
	l := r.Load
	if l == nil || l.NotRun != "" {
		return
	}
	if l.JSONPath == "" {
		l.Err = "the report does not say where load.sh wrote its JSON (no --json in its command)"
		return
	}
	path := l.JSONPath
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		l.Err = fmt.Sprintf("no result: %v", err)
		if l.ExitStatus != 0 {
			l.Err = fmt.Sprintf("scripts/load.sh exited with status %d and wrote no result (%v)", l.ExitStatus, err)
		}
		return
	}
	var res Load
	if err := json.Unmarshal(data, &res); err != nil {
		l.Err = fmt.Sprintf("%s is not the JSON load.sh is to write: %v", l.JSONPath, err)
		return
	}
	l.Result = &res
}

// ParseFile reads a raw report and its load's JSON file.
func ParseFile(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.ReadLoad(filepath.Dir(path))
	return r, nil
}

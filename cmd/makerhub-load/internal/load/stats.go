package load

import (
	"math"
	"slices"
	"sort"
	"sync"
	"time"
)

// recorder keeps every answer's latency per endpoint. A national day is a
// few hundred thousand calls: their durations fit in a few MiB, and exact
// percentiles need no histogram's rounding.
type recorder struct {
	mu  sync.Mutex
	eps map[string]*endpoint
}

type endpoint struct {
	samples   []time.Duration // every call's, answered or not
	hubErrors int             // 5xx and answers that never came
	unexpect  int             // an answer the load did not expect: a 4xx it did not ask for
	refused   int             // refusals the load expects (a lost race, storage down)
	examples  []string
}

// outcome is how one call ended.
type outcome int

const (
	okay outcome = iota
	refused
	unexpected
	hubFault
)

func newRecorder() *recorder { return &recorder{eps: map[string]*endpoint{}} }

func (r *recorder) add(name string, d time.Duration, o outcome, example string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.eps[name]
	if e == nil {
		e = &endpoint{}
		r.eps[name] = e
	}
	e.samples = append(e.samples, d)
	switch o {
	case refused:
		e.refused++
	case unexpected:
		e.unexpect++
	case hubFault:
		e.hubErrors++
	}
	if (o == unexpected || o == hubFault) && len(e.examples) < 3 {
		e.examples = append(e.examples, example)
	}
}

// EndpointStats are the figures of one endpoint.
type EndpointStats struct {
	Endpoint string `json:"endpoint"`
	Count    int    `json:"count"`
	// ErrorsHub are answers that were the hub's fault: 5xx, or no answer.
	ErrorsHub int `json:"errors_hub"`
	// ErrorsClient are 4xx answers the load did not expect: a mistake of
	// the load's or the hub refusing something it should take.
	ErrorsClient int `json:"errors_client"`
	// Refused are refusals the load expects: a lost race for a job (409),
	// object storage stopped by a fault test (503).
	Refused  int      `json:"refused"`
	P50      float64  `json:"p50_ms"`
	P90      float64  `json:"p90_ms"`
	P99      float64  `json:"p99_ms"`
	Max      float64  `json:"max_ms"`
	Exempt   bool     `json:"exempt"` // uploads and routing: not held to the p99 target
	Examples []string `json:"examples,omitempty"`
}

func (r *recorder) stats(exempt func(string) bool) []EndpointStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]EndpointStats, 0, len(r.eps))
	for name, e := range r.eps {
		s := slices.Clone(e.samples)
		slices.Sort(s)
		out = append(out, EndpointStats{Endpoint: name, Count: len(e.samples),
			ErrorsHub: e.hubErrors, ErrorsClient: e.unexpect, Refused: e.refused,
			P50: ms(quantile(s, 0.50)), P90: ms(quantile(s, 0.90)), P99: ms(quantile(s, 0.99)), Max: ms(quantile(s, 1)),
			Exempt: exempt(name), Examples: slices.Clone(e.examples)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Endpoint < out[j].Endpoint })
	return out
}

// quantile is the nearest-rank quantile of sorted samples.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// client calls the hub and records every call's latency and outcome under
// its endpoint's name.
type client struct {
	base string
	http *http.Client
	rec  *recorder
	// fault is set while a fault test has the hub down or its storage
	// stopped, and faults counts the times it changed: a call that fails
	// while a fault overlaps it is the fault's doing, counted as refused.
	fault  atomic.Bool
	faults atomic.Int64
	// unanswered counts calls that got no answer: whether they took
	// effect is unknown, so ledger totals may fall short of the hub's.
	unanswered atomic.Int64
	// waitHub is how long a call that got no answer waits for the hub to
	// answer /readyz again before the load goes on (0: not at all).
	waitHub time.Duration
	calls   atomic.Int64
}

func newClient(base string, conns int, waitHub time.Duration) *client {
	return &client{base: base, rec: newRecorder(), waitHub: waitHub,
		http: &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{
			MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}}}
}

// call is one request to the hub.
type call struct {
	ep     string // the endpoint's name in the report: "POST /api/v1/jobs/{id}/claim"
	path   string // the request's path and query
	token  string
	body   any    // sent as JSON, unless raw is set
	raw    []byte // sent as is, as application/octet-stream
	want   int    // the status that means success
	refuse []int  // statuses the load expects now and then: a lost race
	out    any    // the answer is decoded into it on success
}

// errRefused marks an expected refusal and errNoHub a call that got no
// answer; callError.Is reports them.
var (
	errRefused = errors.New("refused")
	errNoHub   = errors.New("no answer from the hub")
)

// callError is a call that did not succeed.
type callError struct {
	status  int // 0: no answer
	refused bool
	msg     string
}

func (e *callError) Error() string { return e.msg }

func (e *callError) Is(target error) bool {
	return target == errRefused && e.refused || target == errNoHub && e.status == 0
}

// retryable says whether the same call may succeed later: it got no answer,
// or the hub said it is unavailable for now (503: storage down, disk full).
func retryable(err error) bool {
	var ce *callError
	return errors.As(err, &ce) && (ce.status == 0 || ce.status == http.StatusServiceUnavailable)
}

// do sends k and returns nil on success, a *callError otherwise. When the
// load waits for the hub (fault tests), a 503 — the hub saying it stored
// nothing because its storage or disk failed — is tried again until the
// wait is over, as a person would; a call that got no answer is not, since
// it may have taken effect.
func (c *client) do(ctx context.Context, k call) error {
	deadline := time.Now().Add(c.waitHub)
	for {
		err := c.once(ctx, k)
		var ce *callError
		if !errors.As(err, &ce) || ce.status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (c *client) once(ctx context.Context, k call) error {
	method, _, _ := strings.Cut(k.ep, " ")
	var body io.Reader
	ctype := ""
	switch {
	case k.raw != nil:
		body, ctype = bytes.NewReader(k.raw), "application/octet-stream"
	case k.body != nil:
		b, err := json.Marshal(k.body)
		if err != nil {
			return err
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+k.path, body)
	if err != nil {
		return err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if k.token != "" {
		req.Header.Set("Authorization", "Bearer "+k.token)
	}
	if k.ep != anchorEndpoint {
		c.calls.Add(1)
	}
	start, faults := time.Now(), c.faults.Load()
	overlap := func() bool { return c.fault.Load() || c.faults.Load() != faults }
	resp, err := c.http.Do(req)
	if err != nil {
		d := time.Since(start)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.unanswered.Add(1)
		c.record(k.ep, d, hubFault, overlap(), fmt.Sprintf("%s %s: %v", method, k.path, err))
		c.awaitHub(ctx)
		return &callError{msg: fmt.Sprintf("%s %s: no answer: %v", method, k.path, err)}
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		c.unanswered.Add(1)
		c.record(k.ep, d, hubFault, overlap(), fmt.Sprintf("%s %s: reading the answer: %v", method, k.path, err))
		c.awaitHub(ctx)
		return &callError{msg: fmt.Sprintf("%s %s: no answer: reading it: %v", method, k.path, err)}
	}
	switch {
	case resp.StatusCode == k.want:
		c.record(k.ep, d, okay, false, "")
		if k.out != nil {
			if err := json.Unmarshal(data, k.out); err != nil {
				return fmt.Errorf("%s %s: the answer is not the JSON expected: %v", method, k.path, err)
			}
		}
		return nil
	case slices.Contains(k.refuse, resp.StatusCode):
		c.record(k.ep, d, refused, false, "")
		return &callError{status: resp.StatusCode, refused: true, msg: fmt.Sprintf("%s %s: %d %s", method, k.path, resp.StatusCode, short(data))}
	case resp.StatusCode >= 500:
		c.record(k.ep, d, hubFault, overlap(), fmt.Sprintf("%d %s", resp.StatusCode, short(data)))
	default:
		c.record(k.ep, d, unexpected, overlap(), fmt.Sprintf("%d %s", resp.StatusCode, short(data)))
	}
	return &callError{status: resp.StatusCode, refused: overlap(),
		msg: fmt.Sprintf("%s %s: %d, want %d: %s", method, k.path, resp.StatusCode, k.want, short(data))}
}

func (c *client) record(ep string, d time.Duration, o outcome, duringFault bool, example string) {
	if o != okay && duringFault {
		o = refused // the fault test's doing, not the hub's
	}
	c.rec.add(ep, d, o, example)
}

// awaitHub waits, after a call got no answer, until the hub answers
// /readyz again: a fault test restarts it.
func (c *client) awaitHub(ctx context.Context) {
	if c.waitHub <= 0 {
		return
	}
	deadline := time.Now().Add(c.waitHub)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/readyz", nil)
		if resp, err := c.http.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func short(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

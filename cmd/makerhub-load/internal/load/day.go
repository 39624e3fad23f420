package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// filing is a request a hospital will file in a round.
type filing struct {
	hosp   *actor
	design *design
	units  int
	round  int
}

// jobJSON is what the load reads of a job.
type jobJSON struct {
	ID        int64  `json:"id"`
	RequestID int64  `json:"request_id"`
	Hospital  int64  `json:"hospital_id"`
	DesignID  int64  `json:"design_id"`
	Quantity  int    `json:"quantity"`
	State     string `json:"state"`
	OfferedTo *int64 `json:"offered_to"`
}

// plan spreads the day's units over requests of 1 to 40 units (most
// small, as most wards asked for a box or two), hospitals, designs
// (weighted) and rounds.
func (l *Load) plan() []filing {
	var fs []filing
	weights := 0
	for _, d := range l.designs {
		weights += d.weight
	}
	for left, k := l.cfg.Units, 0; left > 0; k++ {
		units := min(left, 1+l.intn(8)*l.intn(6))
		left -= units
		w := l.intn(weights)
		var d *design
		for _, d = range l.designs {
			if w -= d.weight; w < 0 {
				break
			}
		}
		fs = append(fs, filing{hosp: l.hosps[(k*7919)%len(l.hosps)], design: d, units: units, round: k % l.cfg.Rounds})
	}
	return fs
}

// day files the requests round by round; after each round the coordinator
// runs routing, makers work the jobs offered to them, and hospitals
// confirm what arrives. Once every request is filed, rounds go on until
// no request is left open or a round makes no progress.
func (l *Load) day(ctx context.Context) (string, error) {
	plan := l.plan()
	hospByOrg := map[int64]*actor{}
	for _, h := range l.hosps {
		hospByOrg[h.org] = h
	}
	open, stuck := -1, 0
	var round int
	// Rounds after the last filing drain what is left; four times the
	// filing rounds bounds a day whose demand cannot all be met.
	for round = 0; ctx.Err() == nil && round < 4*l.cfg.Rounds; round++ {
		if round < l.cfg.Rounds {
			l.note("filing", l.file(ctx, plan, round))
		}
		jobs, err := l.route(ctx)
		l.note("routing", err)
		l.work(ctx, jobs, hospByOrg)
		l.note("reading", l.look(ctx))
		if round < l.cfg.Rounds-1 {
			continue
		}
		var left struct{ Total int }
		if err := l.c.do(ctx, call{ep: "GET /api/v1/requests", path: "/api/v1/requests?state=open&limit=1", token: l.coord.token, want: 200, out: &left}); err != nil {
			l.note("counting open requests", err)
			continue
		}
		if left.Total == 0 {
			break
		}
		if left.Total == open {
			stuck++
		} else {
			stuck = 0
		}
		if open = left.Total; stuck >= 2 {
			fmt.Fprintf(l.cfg.Log, "%d requests are still open after two rounds without progress\n", open)
			break
		}
	}
	p := l.led.progress()
	return fmt.Sprintf("%d rounds: %d requests for %d units, %d jobs claimed, %d shipments, %d units received, %d cancelled",
		round+1, p.Requests, p.Requested, p.Claims, p.Shipments, p.Received, p.Cancelled), ctx.Err()
}

// file has the round's hospitals file their requests; one in 30 is
// cancelled at once, as a ward that found another supplier.
func (l *Load) file(ctx context.Context, plan []filing, round int) error {
	var these []filing
	for _, f := range plan {
		if f.round == round {
			these = append(these, f)
		}
	}
	priorities := []string{"critical", "high", "high", "normal", "normal", "normal"}
	_, err := each(ctx, len(these), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		f := these[i]
		var r struct {
			ID       int64 `json:"id"`
			Quantity int   `json:"quantity"`
		}
		if err := l.c.do(ctx, call{ep: "POST /api/v1/requests", path: "/api/v1/requests", token: f.hosp.token, want: 201, out: &r,
			body: map[string]any{"design_id": f.design.id, "quantity": f.units, "priority": priorities[i%len(priorities)],
				"needed_by": time.Now().AddDate(0, 0, 3+i%12).Format("2006-01-02")}}); err != nil {
			return err
		}
		l.led.requested(r.ID, f.hosp, r.Quantity)
		if !l.chance(1.0 / 30) {
			return nil
		}
		var c struct{ Cancelled int }
		if err := l.c.do(ctx, call{ep: "POST /api/v1/requests/{id}/cancel", path: fmt.Sprintf("/api/v1/requests/%d/cancel", r.ID),
			token: f.hosp.token, want: 200, out: &c, body: map[string]any{"note": "found another supplier"}}); err != nil {
			return err
		}
		l.led.cancelled(r.ID, c.Cancelled)
		return nil
	})
	return err
}

// route runs routing as the coordinator and returns the jobs it offered.
func (l *Load) route(ctx context.Context) ([]jobJSON, error) {
	var run struct {
		ID   int64     `json:"id"`
		Jobs []jobJSON `json:"jobs"`
	}
	if err := l.c.do(ctx, call{ep: "POST /api/v1/routing/runs", path: "/api/v1/routing/runs", token: l.coord.token, want: 201, out: &run}); err != nil {
		return nil, err
	}
	return run.Jobs, nil
}

// work has each maker with offers list them, then claim and carry out
// each job; one claim in 30 is given back and raced for by two makers.
func (l *Load) work(ctx context.Context, jobs []jobJSON, hospByOrg map[int64]*actor) {
	byMaker := map[*actor][]jobJSON{}
	offeredFor := map[int64][]*actor{} // design → makers that can print it
	var order []*actor
	for _, j := range jobs {
		if j.OfferedTo == nil {
			continue
		}
		m := l.byUser[*j.OfferedTo]
		if m == nil {
			continue // a maker of another load, or the hub's own
		}
		if byMaker[m] == nil {
			order = append(order, m)
		}
		byMaker[m] = append(byMaker[m], j)
		if !slices.Contains(offeredFor[j.DesignID], m) {
			offeredFor[j.DesignID] = append(offeredFor[j.DesignID], m)
		}
	}
	var (
		mu       sync.Mutex
		released []jobJSON
	)
	_, err := each(ctx, len(order), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		m := order[i]
		var mine struct{ Total int }
		if err := l.c.do(ctx, call{ep: "GET /api/v1/jobs", path: "/api/v1/jobs?scope=mine&state=offered", token: m.token, want: 200, out: &mine}); err != nil {
			return err
		}
		for _, j := range byMaker[m] {
			if err := l.job(ctx, m, j, hospByOrg[j.Hospital], &mu, &released); tolerate(err) != nil {
				return err
			}
		}
		return nil
	})
	l.note("work", err)
	_, err = each(ctx, len(released), l.cfg.Concurrency, func(ctx context.Context, i int) error {
		j := released[i]
		return l.race(ctx, j, offeredFor[j.DesignID], hospByOrg[j.Hospital])
	})
	l.note("pool races", err)
}

// job claims one offered job and carries it out, or gives it back.
func (l *Load) job(ctx context.Context, m *actor, j jobJSON, hosp *actor, mu *sync.Mutex, released *[]jobJSON) error {
	lease, err := l.claim(ctx, m, j, false)
	if err != nil {
		return err
	}
	if l.chance(1.0 / 30) {
		if err := l.c.do(ctx, call{ep: "POST /api/v1/jobs/{id}/release", path: fmt.Sprintf("/api/v1/jobs/%d/release", j.ID),
			token: m.token, want: 200, body: map[string]any{"lease_token": lease, "note": "printer broke down"}}); err != nil {
			return err
		}
		l.led.released(j.ID)
		mu.Lock()
		*released = append(*released, j)
		mu.Unlock()
		return nil
	}
	return l.carryOut(ctx, m, j, lease, hosp)
}

// race has two makers who can print a released job claim it at once:
// exactly one may win, and it carries the job out.
func (l *Load) race(ctx context.Context, j jobJSON, able []*actor, hosp *actor) error {
	if len(able) < 2 {
		return nil // nobody else can print it: it waits in the pool
	}
	// Two different makers: able holds each maker once.
	first := l.intn(len(able))
	second := (first + 1 + l.intn(len(able)-1)) % len(able)
	racers := []*actor{able[first], able[second]}
	type win struct {
		m     *actor
		lease string
	}
	wins := make(chan win, 2)
	var wg sync.WaitGroup
	for _, m := range racers {
		wg.Go(func() {
			var pool struct{ Total int }
			l.c.do(ctx, call{ep: "GET /api/v1/jobs", path: "/api/v1/jobs?scope=pool&limit=20", token: m.token, want: 200, out: &pool})
			if lease, err := l.claim(ctx, m, j, true); err == nil {
				wins <- win{m, lease}
			}
		})
	}
	wg.Wait()
	close(wins)
	var won []win
	for w := range wins {
		won = append(won, w)
	}
	if len(won) > 1 {
		return fmt.Errorf("job %d was claimed by two makers at once (%d and %d)", j.ID, won[0].m.user, won[1].m.user)
	}
	if len(won) == 0 {
		return nil // neither could (a printer too small): it waits in the pool
	}
	return l.carryOut(ctx, won[0].m, j, won[0].lease, hosp)
}

// claim claims j for m and returns the lease token. In a race a lost
// claim (409) or one m's printers cannot take (422) is expected.
func (l *Load) claim(ctx context.Context, m *actor, j jobJSON, racing bool) (string, error) {
	var c struct {
		LeaseToken string `json:"lease_token"`
	}
	k := call{ep: "POST /api/v1/jobs/{id}/claim", path: fmt.Sprintf("/api/v1/jobs/%d/claim", j.ID), token: m.token, want: 200, out: &c}
	if racing {
		k.refuse = []int{409, 422}
	}
	if err := l.c.do(ctx, k); err != nil {
		return "", err
	}
	l.led.claimed(j.ID, m.user)
	return c.LeaseToken, nil
}

// tolerate passes expected refusals and lost answers: the fault tests
// make some, and the load goes on past them.
func tolerate(err error) error {
	if err == nil || errors.Is(err, errRefused) || errors.Is(err, errNoHub) {
		return nil
	}
	return err
}

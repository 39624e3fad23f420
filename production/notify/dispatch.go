package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	randv2 "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Payload is the JSON body of a webhook delivery. It is the same on every
// attempt; only the timestamp and signature headers change.
type Payload struct {
	ID           int64        `json:"id"`    // the delivery ID, also in X-Makerhub-Delivery
	Event        string       `json:"event"` // the notification's kind, also in X-Makerhub-Event
	CreatedAt    time.Time    `json:"created_at"`
	Notification Notification `json:"notification"`
}

// DefaultBackoff waits 30 s after the first failed attempt and twice as long
// after each further one, up to an hour, less a random 0–20 % so that
// deliveries that failed together (a receiver that went down) do not all
// come back at the same moment. Ten attempts span about three hours.
func DefaultBackoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	return d - randv2.N(d/5)
}

// maxBodyRead is how much of a receiver's answer is read (and discarded) so
// that its connection can be reused; the rest is not waited for.
const maxBodyRead = 64 << 10

// claimed is a delivery this dispatcher holds the lease on.
type claimed struct {
	id, webhookID int64
	attempts      int // including the one about to be made
	url, secret   string
	token         string
	leaseUntil    time.Time
	n             Notification
}

// RunDispatcher sends due webhook deliveries until ctx is done, looking for
// them every PollInterval (at once again after a full batch), and prunes the
// delivery log once an hour. Several dispatchers, in one process or several,
// may run on the same database: leases keep them from sending a delivery
// twice at once. Requests in flight when ctx ends are abandoned, and their
// deliveries are due again at the next start.
func (s *Service) RunDispatcher(ctx context.Context) {
	var lastPrune time.Time
	s.poll(ctx, "webhook dispatch", s.DeliverDue, func() {
		if now := s.now(); s.retention > 0 && now.Sub(lastPrune) >= time.Hour {
			lastPrune = now
			if k, err := s.Prune(ctx, s.retention); err != nil && ctx.Err() == nil {
				s.log.Error("prune webhook deliveries", "err", err)
			} else if k > 0 {
				s.log.Info("pruned webhook deliveries", "count", k, "older_than", s.retention)
			}
		}
	})
}

// poll runs pass until ctx is done: at once again after a full batch,
// otherwise every PollInterval, with after (if not nil) after each pass.
// Errors are logged under what.
func (s *Service) poll(ctx context.Context, what string, pass func(context.Context) (int, error), after func()) {
	tick := time.NewTicker(s.pollInterval)
	defer tick.Stop()
	for {
		n, err := pass(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Error(what, "err", err)
		}
		if after != nil {
			after()
		}
		if err == nil && n == s.batchSize {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// DeliverDue claims up to BatchSize due deliveries, sends them (Concurrency
// at a time) and records each outcome. It returns how many it claimed.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	batch, err := s.claim(ctx)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, s.concurrency)
	)
	for _, c := range batch {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := s.deliver(ctx, c); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("delivery %d: %w", c.id, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(batch), errors.Join(errs...)
}

// lease is how long a claim holds a batch: long enough for every request
// of the batch to time out in turn, with a margin for recording outcomes.
func (s *Service) lease() time.Duration {
	rounds := (s.batchSize + s.concurrency - 1) / s.concurrency
	return time.Duration(rounds)*s.timeout + time.Minute
}

// claim takes a lease on due deliveries in one short write transaction:
// the UPDATE picks and leases them in one statement, so two dispatchers
// never hold the same delivery; no HTTP request is made while SQLite's
// write lock is held.
func (s *Service) claim(ctx context.Context) ([]claimed, error) {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	token := hex.EncodeToString(raw)
	now := s.now()
	nowText, until := sqlite.FormatTime(now), now.Add(s.lease())
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) ([]claimed, error) {
		tx := s.q(ctx)
		// A dispatcher that stopped during the last allowed attempt left it
		// leased and pending: it has had its attempts.
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
		lease_token = NULL, lease_until = NULL,
		last_error = CASE WHEN last_error = '' THEN 'the last attempt was interrupted' ELSE last_error END
		WHERE status = 'pending' AND attempts >= ? AND (lease_until IS NULL OR lease_until <= ?)`,
			s.maxAttempts, nowText); err != nil {
			return nil, fmt.Errorf("fail exhausted deliveries: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `UPDATE webhook_deliveries
		SET lease_token = ?, lease_until = ?, attempts = attempts + 1, last_attempt_at = ?
		WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
			AND w.active = 1 ORDER BY d.next_attempt_at, d.id LIMIT ?)
		RETURNING id`, token, sqlite.FormatTime(until), nowText, nowText, nowText, s.batchSize)
		if err != nil {
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, nil
		}
		rows, err = tx.QueryContext(ctx, `SELECT `+notificationColumns+`, d.id, d.webhook_id, d.attempts, w.url, w.secret
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN notifications n ON n.id = d.notification_id
		WHERE d.lease_token = ? ORDER BY d.next_attempt_at, d.id`, token)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		batch := make([]claimed, 0, n)
		for rows.Next() {
			c := claimed{token: token, leaseUntil: until}
			nt, err := scanNotification(rows, &c.id, &c.webhookID, &c.attempts, &c.url, &c.secret)
			if err != nil {
				return nil, err
			}
			c.n = *nt
			batch = append(batch, c)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return batch, nil
	})
}

// outcome is what one attempt came to.
type outcome struct {
	ok          bool
	code        *int   // the receiver's status, nil if it did not answer
	problem     string // for the log when not ok
	interrupted bool   // ctx ended: the attempt does not count
}

// deliver makes one attempt and records its outcome with the lease token,
// in a write of its own.
func (s *Service) deliver(ctx context.Context, c claimed) error {
	var o outcome
	if s.now().Add(s.timeout).After(c.leaseUntil) {
		// The pass ran so long that the lease could lapse mid-request
		// and another dispatcher take the delivery: give it back instead.
		o.interrupted = true
	} else {
		o = s.send(ctx, c)
	}
	// Record even when ctx has ended, so that the lease is released.
	return s.record(context.WithoutCancel(ctx), c, o)
}

// send POSTs the signed payload to the webhook's URL.
func (s *Service) send(ctx context.Context, c claimed) outcome {
	body, err := json.Marshal(Payload{ID: c.id, Event: c.n.Kind, CreatedAt: c.n.CreatedAt, Notification: c.n})
	if err != nil {
		return outcome{problem: "the hub could not encode the payload"}
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	reqCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return outcome{problem: "the webhook URL cannot be used: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "makerhub-webhooks/"+makerhub.Version)
	req.Header.Set(HeaderEvent, c.n.Kind)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(c.id, 10))
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(c.secret, ts, body))
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{interrupted: true}
		}
		return outcome{problem: s.describe(err)}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBodyRead))
	code := resp.StatusCode
	if code >= 200 && code <= 299 {
		return outcome{ok: true, code: &code}
	}
	return outcome{code: &code, problem: "the receiver answered " + resp.Status + "; any 2xx status counts as delivered"}
}

// describe turns a failed request into a line for the delivery log.
func (s *Service) describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is on the webhook already
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return fmt.Sprintf("the receiver did not answer within %s", s.timeout)
	}
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return msg
}

// record writes an attempt's outcome, if this dispatcher still holds the
// lease (a deleted webhook takes its deliveries with it).
func (s *Service) record(ctx context.Context, c claimed, o outcome) error {
	now := s.now()
	nowText := sqlite.FormatTime(now)
	var err error
	switch {
	case o.interrupted:
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts - 1, lease_token = NULL, lease_until = NULL
			WHERE id = ? AND lease_token = ?`, c.id, c.token)
	case o.ok:
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = ?, next_attempt_at = NULL,
			last_status_code = ?, last_error = '', lease_token = NULL, lease_until = NULL
			WHERE id = ? AND lease_token = ?`, nowText, *o.code, c.id, c.token)
	case c.attempts >= s.maxAttempts:
		s.log.Warn("webhook delivery failed", "delivery", c.id, "webhook", c.webhookID, "attempts", c.attempts, "problem", o.problem)
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
			last_status_code = ?, last_error = ?, lease_token = NULL, lease_until = NULL
			WHERE id = ? AND lease_token = ?`, o.code, o.problem, c.id, c.token)
	default:
		next := now.Add(s.backoff(c.attempts))
		s.log.Debug("webhook attempt failed", "delivery", c.id, "webhook", c.webhookID, "attempts", c.attempts, "problem", o.problem, "next", next)
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = ?,
			last_status_code = ?, last_error = ?, lease_token = NULL, lease_until = NULL
			WHERE id = ? AND lease_token = ?`, sqlite.FormatTime(next), o.code, o.problem, c.id, c.token)
	}
	return err
}

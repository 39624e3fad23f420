package production

import (
	"context"
	"fmt"
	"sync"

	"github.com/makerhub/makerhub/internal/sqlite"
)

// Claims commit in groups. One claim's transaction is small, but its commit
// rewrites the pages of the jobs table, its five indexes and the event log
// (measured: about 77 µs of a claim's ~300 µs in SQLite), and under a
// storm of claims that cost, paid once per claim, is what bounds the rate.
// So claims that arrive while another group is being written wait and go
// together in the next transaction: each keeps its own UPDATE guarded by
// the job's state, so exactly one of any number of claims on a job wins,
// and no caller is answered before the transaction holding its claim has
// committed. A lone claim goes at once; nothing waits for a group to fill.
type claimBatcher struct {
	mu      sync.Mutex
	queue   []*claimReq
	leading bool
}

// maxClaimBatch bounds one group, and so the time the write lock is held.
const maxClaimBatch = 256

type claimReq struct {
	ctx                    context.Context
	job, maker, printer    int64
	leaseHash, expires, at string
	done                   chan claimResult
}

type claimResult struct {
	requestID int64
	quantity  int
	from      JobState
	err       error // sql.ErrNoRows: the job was not claimable any more
}

// claimGrouped runs one claim in the next group and waits for its result.
func (s *Service) claimGrouped(r *claimReq) claimResult {
	r.done = make(chan claimResult, 1)
	b := &s.claims
	b.mu.Lock()
	b.queue = append(b.queue, r)
	lead := !b.leading
	b.leading = true
	b.mu.Unlock()
	if lead {
		s.leadClaims()
	}
	return <-r.done
}

// leadClaims writes the queued claims as one group; if more arrived
// meanwhile, a new goroutine leads the next group, so that the caller who
// led this one is answered now.
func (s *Service) leadClaims() {
	b := &s.claims
	b.mu.Lock()
	n := min(len(b.queue), maxClaimBatch)
	group := b.queue[:n:n]
	b.queue = b.queue[n:]
	b.mu.Unlock()

	s.writeClaims(group)

	b.mu.Lock()
	if len(b.queue) > 0 {
		go s.leadClaims()
	} else {
		b.leading = false
	}
	b.mu.Unlock()
}

func (s *Service) writeClaims(group []*claimReq) {
	results := make([]claimResult, len(group))
	err := func() error {
		// The group's transaction belongs to no single caller: one who
		// gives up must not undo the others' claims.
		return sqlite.InTx(context.Background(), s.db, func(ctx context.Context) error {
			tx := s.q(ctx)
			for i, r := range group {
				if err := r.ctx.Err(); err != nil {
					results[i].err = err
					continue
				}
				res := &results[i]
				err := tx.QueryRowContext(ctx, `UPDATE jobs SET state = 'claimed', claimed_by = ?1, printer_id = ?2, lease_hash = ?3,
				lease_expires_at = ?4, lease_warned = 0, printed = 0, updated_at = ?5
				WHERE id = ?6 AND (state = 'open' OR (state = 'offered' AND (offered_to = ?1 OR offer_expires_at <= ?5)))
				RETURNING request_id, quantity, CASE WHEN offer_expires_at > ?5 AND offered_to = ?1 THEN 'offered' ELSE 'open' END`,
					r.maker, r.printer, r.leaseHash, r.expires, r.at, r.job).Scan(&res.requestID, &res.quantity, &res.from)
				if err != nil {
					// A failed statement is undone alone; the group goes on.
					res.err = err
					continue
				}
				if err := addJobEvent(ctx, tx, r.job, res.requestID, r.maker, r.at, res.from, JobClaimed, res.quantity,
					fmt.Sprintf("on printer %d", r.printer)); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	for i, r := range group {
		if err != nil {
			results[i] = claimResult{err: err}
		}
		r.done <- results[i]
	}
}

package production

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Claim is a maker's hold on a job: the lease token proves it on every
// progress report, and the lease lapses at ExpiresAt unless renewed.
type Claim struct {
	Job        *Job      `json:"job"`
	LeaseToken string    `json:"lease_token"`
	ExpiresAt  time.Time `json:"lease_expires_at"`
}

// ClaimInput optionally names the printer the maker will use.
type ClaimInput struct {
	PrinterID int64 `json:"printer_id"`
}

func hashLease(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Claim takes a job for the acting maker. Exactly one of any number of
// concurrent callers wins: the state change is one UPDATE guarded by the
// state the job is in, under SQLite's write lock; every other caller gets
// ECONFLICT. The job must be offered to this maker, or be in the pool (open,
// or an offer that expired) and printable on one of the maker's printers.
func (s *Service) Claim(ctx context.Context, jobID int64, in ClaimInput) (*Claim, error) {
	u, err := makerhub.RequireRole(ctx, "makers claim jobs", makerhub.RoleMaker)
	if err != nil {
		return nil, err
	}
	// Eligibility is read before the write transaction: it changes only
	// with the maker's own printers, and keeping the profile lookups out of
	// the write lock keeps claims fast under contention.
	j, err := s.claimRead(ctx, jobID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := claimable(j, u.ID, now); err != nil {
		return nil, err
	}
	printers, err := s.activePrinters(ctx, s.q(ctx), u.ID)
	if err != nil {
		return nil, err
	}
	preferred := in.PrinterID
	if preferred == 0 && j.PrinterID != nil {
		preferred = *j.PrinterID
	}
	if in.PrinterID != 0 && !hasPrinter(printers, in.PrinterID) {
		return nil, makerhub.Errorf(makerhub.EINVALID, "printer_id %d is not one of your active printers.", in.PrinterID)
	}
	pr, why := s.pickPrinter(ctx, j.VersionID, printers, preferred)
	if pr == nil || (in.PrinterID != 0 && pr.ID != in.PrinterID) {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "You cannot print job %d: %s.", jobID, why)
	}

	raw := make([]byte, 24)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	expires := now.Add(s.opts.Lease)
	at := sqlite.FormatTime(now)
	res := s.claimGrouped(&claimReq{ctx: ctx, job: jobID, maker: u.ID, printer: pr.ID, leaseHash: hashLease(token),
		expires: sqlite.FormatTime(expires), at: at})
	if errors.Is(res.err, sql.ErrNoRows) {
		// Lost the race (or the job moved since it was read): say why,
		// from the job's own row (the join is not needed for that).
		if err := s.q(ctx).QueryRowContext(ctx, `SELECT state, offered_to, offer_expires_at, claimed_by FROM jobs WHERE id = ?`,
			jobID).Scan(&j.State, &j.OfferedTo, sqlite.NullTime(&j.OfferExpiresAt), &j.ClaimedBy); err != nil {
			return nil, err
		}
		if err := claimable(j, u.ID, now); err != nil {
			return nil, err
		}
		return nil, makerhub.Errorf(makerhub.ECONFLICT, "Job %d was just taken by someone else.", jobID)
	} else if res.err != nil {
		return nil, res.err
	}
	// The job as the claim left it, without reading it again.
	expires = expires.UTC().Truncate(time.Millisecond)
	j.State, j.ClaimedBy, j.PrinterID, j.Printed = JobClaimed, &u.ID, &pr.ID, 0
	j.LeaseExpiresAt, j.UpdatedAt = &expires, now.UTC().Truncate(time.Millisecond)
	return &Claim{Job: j, LeaseToken: token, ExpiresAt: expires}, nil
}

func hasPrinter(ps []*Printer, id int64) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
}

// claimable says why maker cannot claim j now, as the error they get.
func claimable(j *Job, maker int64, now time.Time) error {
	switch {
	case j.State == JobOpen:
		return nil
	case j.State == JobOffered && (is(j.OfferedTo, maker) || j.inPool(now)):
		return nil
	case j.State == JobOffered:
		return makerhub.Errorf(makerhub.ECONFLICT, "Job %d is offered to another maker until %s; it goes to the open pool then.", j.ID, j.OfferExpiresAt.UTC().Format(time.RFC3339))
	case (j.State == JobClaimed || j.State == JobPrinting) && is(j.ClaimedBy, maker):
		return makerhub.Errorf(makerhub.ECONFLICT, "You already hold job %d: report progress with your lease token.", j.ID)
	case j.State == JobClaimed || j.State == JobPrinting:
		return makerhub.Errorf(makerhub.ECONFLICT, "Job %d is already claimed by another maker.", j.ID)
	}
	return makerhub.Errorf(makerhub.ECONFLICT, "Job %d is %s: it can no longer be claimed.", j.ID, j.State)
}

// ProgressInput reports on a claimed job.
type ProgressInput struct {
	LeaseToken string `json:"lease_token"`
	Printed    *int   `json:"printed"` // units printed so far (complete: the final count; default all)
	Note       string `json:"note"`
}

// leased runs change on a job the acting maker holds with a live lease
// whose token matches, in one transaction.
func (s *Service) leased(ctx context.Context, jobID int64, in ProgressInput, change func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, j *Job, now time.Time) error) (*Job, error) {
	u, err := makerhub.RequireRole(ctx, "makers report on their jobs", makerhub.RoleMaker)
	if err != nil {
		return nil, err
	}
	if in.LeaseToken == "" {
		return nil, makerhub.Errorf(makerhub.EINVALID, "lease_token is required: the token you got when you claimed the job.")
	}
	if len(in.Note) > 2000 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "note must be at most 2000 characters long.")
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Job, error) {
		tx := s.q(ctx)
		j, err := s.findJob(ctx, tx, jobID)
		if err != nil {
			return nil, err
		}
		now := s.now()
		switch {
		case j.State != JobClaimed && j.State != JobPrinting:
			if is(j.ClaimedBy, u.ID) || j.State == JobOpen || j.State == JobOffered {
				return nil, makerhub.Errorf(makerhub.ECONFLICT, "Job %d is %s: your claim on it has ended (a lease that lapses sends the job back to the pool).", jobID, j.State)
			}
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Job %d is %s.", jobID, j.State)
		case !is(j.ClaimedBy, u.ID):
			return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Job %d is held by another maker.", jobID)
		case subtle.ConstantTimeCompare([]byte(hashLease(in.LeaseToken)), []byte(j.leaseHash)) != 1:
			return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "lease_token does not match your claim on job %d: use the token from your latest claim.", jobID)
		case !now.Before(*j.LeaseExpiresAt):
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Your lease on job %d expired at %s: claim it again if it is still open.", jobID, j.LeaseExpiresAt.UTC().Format(time.RFC3339))
		}
		if err := change(ctx, tx, u, j, now); err != nil {
			return nil, err
		}
		if j, err = s.findJob(ctx, tx, jobID); err != nil {
			return nil, err
		}
		return j, nil
	})
}

// Progress records units printed so far; the job is printing and its lease
// renewed.
func (s *Service) Progress(ctx context.Context, jobID int64, in ProgressInput) (*Job, error) {
	return s.leased(ctx, jobID, in, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, j *Job, now time.Time) error {
		printed := j.Printed
		if in.Printed != nil {
			printed = *in.Printed
		}
		if printed < 0 || printed > j.Quantity {
			return makerhub.Errorf(makerhub.EINVALID, "printed is %d: it must be between 0 and the job's %d units.", printed, j.Quantity)
		}
		at := sqlite.FormatTime(now)
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'printing', printed = ?, lease_expires_at = ?, lease_warned = 0,
			updated_at = ? WHERE id = ?`, printed, sqlite.FormatTime(now.Add(s.opts.Lease)), at, j.ID); err != nil {
			return err
		}
		return addJobEvent(ctx, tx, j.ID, j.RequestID, u.ID, at, j.State, JobPrinting, printed, in.Note)
	})
}

// Complete ends a claim with the units printed. Fewer than the job's
// quantity is allowed: the job keeps what was printed and the rest goes
// back to the pool as a new job.
func (s *Service) Complete(ctx context.Context, jobID int64, in ProgressInput) (*Job, error) {
	return s.leased(ctx, jobID, in, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, j *Job, now time.Time) error {
		printed := j.Quantity
		if in.Printed != nil {
			printed = *in.Printed
		}
		if printed < 1 || printed > j.Quantity {
			return makerhub.Errorf(makerhub.EINVALID, "printed is %d: it must be between 1 and the job's %d units (release the job if you printed none).", printed, j.Quantity)
		}
		at := sqlite.FormatTime(now)
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'printed', quantity = ?, printed = ?, lease_hash = NULL,
			lease_expires_at = NULL, updated_at = ? WHERE id = ?`, printed, printed, at, j.ID); err != nil {
			return err
		}
		if err := addJobEvent(ctx, tx, j.ID, j.RequestID, u.ID, at, j.State, JobPrinted, printed, in.Note); err != nil {
			return err
		}
		if rest := j.Quantity - printed; rest > 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO jobs (request_id, version_id, quantity, state, reason, created_by,
				created_at, updated_at) VALUES (?, ?, ?, 'open', ?, ?, ?, ?)`, j.RequestID, j.VersionID, rest,
				fmt.Sprintf("the %d unit(s) job %d did not print", rest, j.ID), u.ID, at, at)
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			return addJobEvent(ctx, tx, id, j.RequestID, u.ID, at, "", JobOpen, rest, fmt.Sprintf("remainder of job %d", j.ID))
		}
		return nil
	})
}

// Release gives a claimed job back to the pool.
func (s *Service) Release(ctx context.Context, jobID int64, in ProgressInput) (*Job, error) {
	return s.leased(ctx, jobID, in, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, j *Job, now time.Time) error {
		at := sqlite.FormatTime(now)
		if err := toPool(ctx, tx, j.ID, at); err != nil {
			return err
		}
		return addJobEvent(ctx, tx, j.ID, j.RequestID, u.ID, at, j.State, JobOpen, j.Quantity, orDefault(in.Note, "released by the maker"))
	})
}

// Fail ends a claim that cannot be printed (a broken printer, no filament);
// the reason is required. Its units return to the request's demand for the
// next routing run.
func (s *Service) Fail(ctx context.Context, jobID int64, in ProgressInput) (*Job, error) {
	if strings.TrimSpace(in.Note) == "" {
		return nil, makerhub.Errorf(makerhub.EINVALID, "note is required: say why the job failed.")
	}
	return s.leased(ctx, jobID, in, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, j *Job, now time.Time) error {
		at := sqlite.FormatTime(now)
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'failed', lease_hash = NULL, lease_expires_at = NULL,
			reason = ?, updated_at = ? WHERE id = ?`, in.Note, at, j.ID); err != nil {
			return err
		}
		return addJobEvent(ctx, tx, j.ID, j.RequestID, u.ID, at, j.State, JobFailed, j.Quantity, in.Note)
	})
}

// CancelJob cancels a job that is not printed yet (coordinators), with a
// reason. Its units return to the request's demand.
func (s *Service) CancelJob(ctx context.Context, jobID int64, reason string) (*Job, error) {
	u, err := makerhub.RequireRole(ctx, "coordinators cancel jobs", makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "reason is required (at most 2000 characters): say why the job is cancelled.")
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Job, error) {
		tx := s.q(ctx)
		j, err := s.findJob(ctx, tx, jobID)
		if err != nil {
			return nil, err
		}
		if err := cancelJob(ctx, tx, j, u.ID, sqlite.FormatTime(s.now()), reason); err != nil {
			return nil, err
		}
		before := j.State
		if j, err = s.findJob(ctx, tx, jobID); err != nil {
			return nil, err
		}
		return j, s.accounts.Audit(ctx, "job.cancel", "job", jobID, reason, map[string]JobState{"state": before}, map[string]JobState{"state": j.State})
	})
}

func cancelJob(ctx context.Context, tx sqlite.Queryer, j *Job, actor int64, at, reason string) error {
	switch j.State {
	case JobOffered, JobOpen, JobClaimed, JobPrinting:
	default:
		return makerhub.Errorf(makerhub.ECONFLICT, "Job %d is %s: only jobs not yet printed can be cancelled.", j.ID, j.State)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'cancelled', lease_hash = NULL, lease_expires_at = NULL,
		reason = ?, updated_at = ? WHERE id = ?`, reason, at, j.ID); err != nil {
		return err
	}
	return addJobEvent(ctx, tx, j.ID, j.RequestID, actor, at, j.State, JobCancelled, j.Quantity, reason)
}

// toPool puts a job back in the open pool, claim and progress cleared.
func toPool(ctx context.Context, tx sqlite.Queryer, id int64, at string) error {
	_, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'open', claimed_by = NULL, lease_hash = NULL, lease_expires_at = NULL,
		offer_expires_at = NULL, printed = 0, updated_at = ? WHERE id = ?`, at, id)
	return err
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// HandOver moves a printed job to handed_over. Inventory calls it inside
// its own unit of work (ctx) as the job's units enter the stock as a batch,
// so that the job and the batch change together. The maker who printed it
// or a coordinator. It returns the job as it was when printed.
func (s *Service) HandOver(ctx context.Context, jobID int64, note string) (*Job, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Job, error) {
		return s.handOver(ctx, u, jobID, note)
	})
}

func (s *Service) handOver(ctx context.Context, u *makerhub.User, jobID int64, note string) (*Job, error) {
	tx := s.q(ctx)
	j, err := s.findJob(ctx, tx, jobID)
	if err != nil {
		return nil, err
	}
	if u.Role != makerhub.RoleCoordinator && !(u.Role == makerhub.RoleMaker && is(j.ClaimedBy, u.ID)) {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Job %d was not printed by you: only its maker or a coordinator hands it over.", jobID)
	}
	switch j.State {
	case JobPrinted:
	case JobHandedOver:
		return nil, makerhub.Errorf(makerhub.ECONFLICT, "Job %d was already handed over: its units are in the stock.", jobID)
	default:
		return nil, makerhub.Errorf(makerhub.ECONFLICT, "Job %d is %s: only a printed job is handed over (complete it first).", jobID, j.State)
	}
	at := sqlite.FormatTime(s.now())
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'handed_over', updated_at = ? WHERE id = ?`, at, jobID); err != nil {
		return nil, err
	}
	if err := addJobEvent(ctx, tx, j.ID, j.RequestID, u.ID, at, JobPrinted, JobHandedOver, j.Quantity, note); err != nil {
		return nil, err
	}
	return j, nil
}

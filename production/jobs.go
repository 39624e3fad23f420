package production

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Job is N units of one design version for one request: offered to one
// maker or open to all in the pool, then claimed, printed and handed over.
type Job struct {
	ID             int64      `json:"id"`
	RequestID      int64      `json:"request_id"`
	HospitalID     int64      `json:"hospital_id"`
	DesignID       int64      `json:"design_id"`
	Version        int        `json:"version"`
	VersionID      int64      `json:"version_id"`
	Quantity       int        `json:"quantity"`
	Printed        int        `json:"printed"`
	State          JobState   `json:"state"`
	Priority       Priority   `json:"priority"`
	NeededBy       time.Time  `json:"needed_by"`
	OfferedTo      *int64     `json:"offered_to"`
	OfferExpiresAt *time.Time `json:"offer_expires_at"`
	PrinterID      *int64     `json:"printer_id"`
	ClaimedBy      *int64     `json:"claimed_by"`
	LeaseExpiresAt *time.Time `json:"lease_expires_at"`
	RunID          *int64     `json:"routing_run_id"`
	Reason         string     `json:"reason"`
	DistanceKM     *float64   `json:"distance_km"`
	CreatedBy      *int64     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`

	leaseHash string
}

const jobColumns = `j.id, j.request_id, r.organisation_id, j.version_id, j.quantity, j.printed, j.state,
	r.priority, r.needed_by, j.offered_to, j.offer_expires_at, j.printer_id, j.claimed_by, j.lease_expires_at, j.run_id,
	j.reason, j.distance_km, j.created_by, j.created_at, j.updated_at, COALESCE(j.lease_hash, '')`

const jobFrom = ` FROM jobs j JOIN requests r ON r.id = j.request_id `

func scanJob(row interface{ Scan(...any) error }) (*Job, error) {
	j := &Job{}
	err := row.Scan(&j.ID, &j.RequestID, &j.HospitalID, &j.VersionID, &j.Quantity, &j.Printed,
		&j.State, &j.Priority, sqlite.Time(&j.NeededBy), &j.OfferedTo, sqlite.NullTime(&j.OfferExpiresAt), &j.PrinterID,
		&j.ClaimedBy, sqlite.NullTime(&j.LeaseExpiresAt), &j.RunID, &j.Reason, &j.DistanceKM, &j.CreatedBy,
		sqlite.Time(&j.CreatedAt), sqlite.Time(&j.UpdatedAt), &j.leaseHash)
	return j, err
}

// findJob returns a job with its version's design and number.
func (s *Service) findJob(ctx context.Context, q sqlite.Queryer, id int64) (*Job, error) {
	j, err := scanJob(q.QueryRowContext(ctx, `SELECT `+jobColumns+jobFrom+`WHERE j.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Job %d does not exist.", id)
	} else if err != nil {
		return nil, err
	}
	return j, s.fillVersions(ctx, []*Job{j})
}

// inPool reports whether any eligible maker may claim the job now.
func (j *Job) inPool(now time.Time) bool {
	return j.State == JobOpen || j.State == JobOffered && j.OfferExpiresAt != nil && !now.Before(*j.OfferExpiresAt)
}

// canSeeJob: coordinators; the maker it is offered to or claimed by; any
// maker while it is in the pool; the hospital whose request it serves.
func (s *Service) canSeeJob(u *makerhub.User, j *Job) error {
	switch {
	case u.Role == makerhub.RoleCoordinator:
		return nil
	case u.Role == makerhub.RoleMaker && (is(j.OfferedTo, u.ID) || is(j.ClaimedBy, u.ID) || j.inPool(s.now())):
		return nil
	case u.Role == makerhub.RoleHospital && u.OrganisationID() == j.HospitalID:
		return nil
	}
	return makerhub.Errorf(makerhub.EFORBIDDEN, "Job %d is not yours to see: it is offered to or held by another maker.", j.ID)
}

func is(p *int64, id int64) bool { return p != nil && *p == id }

// FindJobByID returns a job the caller may see.
func (s *Service) FindJobByID(ctx context.Context, id int64) (*Job, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	j, err := s.findJob(ctx, s.q(ctx), id)
	if err != nil {
		return nil, err
	}
	return j, s.canSeeJob(u, j)
}

// JobScope selects which jobs a maker lists.
type JobScope string

// Scopes for makers: their own (offered to them or claimed by them) or the
// open pool of jobs their printers can print.
const (
	ScopeMine JobScope = "mine"
	ScopePool JobScope = "pool"
)

// JobFilter selects jobs in FindJobs.
type JobFilter struct {
	Scope     JobScope // makers: mine (default) or pool
	State     JobState
	RequestID int64
	Offset    int
	Limit     int // default 100, at most 1000
}

// FindJobs lists jobs, most urgent first. Makers see theirs or the pool
// (only jobs one of their active printers can print); hospitals the jobs
// for their requests; coordinators all.
func (s *Service) FindJobs(ctx context.Context, f JobFilter) ([]*Job, int, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, 0, err
	}
	limit, err := makerhub.PageLimit(f.Offset, f.Limit, 100, 1000)
	if err != nil {
		return nil, 0, err
	}
	now := sqlite.FormatTime(s.now())
	where, args := []string{"1 = 1"}, []any{}
	pool := false
	switch u.Role {
	case makerhub.RoleMaker:
		switch f.Scope {
		case "", ScopeMine:
			where = append(where, "((j.state = 'offered' AND j.offered_to = ? AND j.offer_expires_at > ?) OR j.claimed_by = ?)")
			args = append(args, u.ID, now, u.ID)
		case ScopePool:
			pool = true
			where = append(where, "(j.state = 'open' OR (j.state = 'offered' AND j.offer_expires_at <= ?))")
			args = append(args, now)
		default:
			return nil, 0, makerhub.Errorf(makerhub.EINVALID, "scope %q is not known: use mine or pool.", f.Scope)
		}
	case makerhub.RoleHospital:
		where, args = append(where, "r.organisation_id = ?"), append(args, u.OrganisationID())
	}
	if f.State != "" {
		if !validJobState(f.State) {
			return nil, 0, makerhub.Errorf(makerhub.EINVALID, "state %q is not known: use one of %s.", f.State, jobStateList())
		}
		where, args = append(where, "j.state = ?"), append(args, f.State)
	}
	if f.RequestID != 0 {
		where, args = append(where, "j.request_id = ?"), append(args, f.RequestID)
	}
	if pool {
		// The pool holds only what the maker's printers can print, which
		// SQL cannot see (bed fit needs the parts' footprints). It depends
		// on the version alone, so the few versions in the pool are
		// checked here and SQL filters, counts and pages the jobs.
		versions, err := s.printableVersions(ctx, u.ID, strings.Join(where, " AND "), args)
		if err != nil {
			return nil, 0, err
		}
		if len(versions) == 0 {
			return []*Job{}, 0, nil
		}
		in := strings.TrimSuffix(strings.Repeat("?,", len(versions)), ",")
		where = append(where, "j.version_id IN ("+in+")")
		for _, v := range versions {
			args = append(args, v)
		}
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*)`+jobFrom+`WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := s.queryJobs(ctx, s.q(ctx), `SELECT `+jobColumns+jobFrom+`WHERE `+cond+`
		ORDER BY CASE r.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, r.needed_by, j.id
		LIMIT ? OFFSET ?`, append(args, limit, f.Offset)...)
	return list, total, err
}

// printableVersions returns the versions of the jobs matching cond that
// one of the maker's active printers can print.
func (s *Service) printableVersions(ctx context.Context, maker int64, cond string, args []any) ([]int64, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT DISTINCT j.version_id`+jobFrom+`WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	var all []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	printers, err := s.activePrinters(ctx, s.q(ctx), maker)
	if err != nil {
		return nil, err
	}
	var ok []int64
	for _, v := range all {
		if p, _ := s.pickPrinter(ctx, v, printers, 0); p != nil {
			ok = append(ok, v)
		}
	}
	return ok, nil
}

// queryJobs runs a query of jobColumns on a database or a transaction;
// the list is never nil.
func (s *Service) queryJobs(ctx context.Context, q sqlite.Queryer, query string, args ...any) ([]*Job, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, j)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return list, s.fillVersions(ctx, list)
}

var jobStates = []JobState{JobOffered, JobOpen, JobClaimed, JobPrinting, JobPrinted, JobHandedOver, JobFailed, JobCancelled}

func validJobState(s JobState) bool { return slices.Contains(jobStates, s) }

func jobStateList() string {
	out := make([]string, len(jobStates))
	for i, s := range jobStates {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

// JobInput is a job a coordinator makes by hand.
type JobInput struct {
	RequestID int64  `json:"request_id"`
	Quantity  int    `json:"quantity"`
	OfferedTo *int64 `json:"offered_to"` // a maker's user id; nil: straight to the pool
	Note      string `json:"note"`
}

// CreateJob makes a job by hand (coordinators): offered to a maker, or in
// the pool. Its units must still be unallocated on the request.
func (s *Service) CreateJob(ctx context.Context, in JobInput) (*Job, error) {
	u, err := makerhub.RequireRole(ctx, "coordinators make jobs by hand", makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	if in.Quantity <= 0 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "quantity is %d: a job prints at least 1 unit.", in.Quantity)
	}
	if len(in.Note) > 2000 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "note must be at most 2000 characters long.")
	}
	r, err := s.findRequest(ctx, s.q(ctx), in.RequestID)
	if err != nil {
		return nil, err
	}
	res, err := s.resolveVersion(ctx, r)
	if err != nil {
		return nil, err
	}
	if res.reason != "" {
		return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "Request %d cannot be printed: %s.", r.ID, res.reason)
	}
	if in.OfferedTo != nil {
		printers, err := s.activePrinters(ctx, s.q(ctx), *in.OfferedTo)
		if err != nil {
			return nil, err
		}
		if len(printers) == 0 {
			return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "offered_to: user %d is not a maker with an active printer.", *in.OfferedTo)
		}
		if p, why := s.pickPrinter(ctx, res.profile.VersionID, printers, 0); p == nil {
			return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "offered_to: maker %d cannot print it: %s.", *in.OfferedTo, why)
		}
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Job, error) {
		tx := s.q(ctx)
		// Read again under the write lock: routing or a claim may have moved.
		if r, err = s.findRequest(ctx, tx, in.RequestID); err != nil {
			return nil, err
		}
		if r.State != RequestOpen {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Request %d is %s: it needs no more jobs.", r.ID, r.State)
		}
		if free := r.Open - r.InJobs - r.InInventory; in.Quantity > free {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Request %d has %d unit(s) neither in a job nor already printed; a job of %d would print too many.", r.ID, free, in.Quantity)
		}
		now := s.now()
		state, expires, reason := JobOpen, (*string)(nil), "made by a coordinator for the pool"
		if in.OfferedTo != nil {
			e := sqlite.FormatTime(now.Add(s.opts.OfferWindow))
			state, expires, reason = JobOffered, &e, "offered by a coordinator"
		}
		if in.Note != "" {
			reason += ": " + in.Note
		}
		at := sqlite.FormatTime(now)
		result, err := tx.ExecContext(ctx, `INSERT INTO jobs (request_id, version_id, quantity, state, offered_to, offer_expires_at,
		reason, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, res.profile.VersionID, in.Quantity, state, in.OfferedTo, expires, reason, u.ID, at, at)
		if err != nil {
			return nil, fmt.Errorf("insert job: %w", err)
		}
		id, _ := result.LastInsertId()
		if err := addJobEvent(ctx, tx, id, r.ID, u.ID, at, "", state, in.Quantity, reason); err != nil {
			return nil, err
		}
		if in.OfferedTo != nil {
			if err := s.notifyOffer(ctx, id, *in.OfferedTo, in.Quantity, res.profile.Title); err != nil {
				return nil, err
			}
		}
		j, err := s.findJob(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return j, nil
	})
}

func (s *Service) notifyOffer(ctx context.Context, jobID, makerID int64, units int, title string) error {
	n, err := s.makerNotice(ctx, makerID, makerhub.Notice{
		Kind:  "job.offered",
		Title: fmt.Sprintf("Job %d offered to you: %d × %s", jobID, units, title),
		Body:  fmt.Sprintf("Claim it within %s, or it goes to the open pool.", s.opts.OfferWindow),
		Link:  fmt.Sprintf("/api/v1/jobs/%d", jobID),
		Data:  map[string]any{"job_id": jobID, "units": units},
	})
	if err != nil {
		return err
	}
	return s.notify(ctx, n)
}

// JobEvent is one transition of a job.
type JobEvent struct {
	JobID     int64     `json:"job_id"`
	RequestID int64     `json:"request_id"`
	ActorID   *int64    `json:"actor_id"` // nil: the hub itself (routing, expiry)
	At        time.Time `json:"at"`
	From      JobState  `json:"from"`
	To        JobState  `json:"to"`
	Quantity  int       `json:"quantity"`
	Note      string    `json:"note,omitempty"`
}

func addJobEvent(ctx context.Context, q sqlite.Queryer, jobID, requestID, actor int64, at string, from, to JobState, quantity int, note string) error {
	var a any
	if actor != 0 {
		a = actor
	}
	_, err := q.ExecContext(ctx, `INSERT INTO job_events (job_id, request_id, actor_id, at, from_state, to_state, quantity, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, jobID, requestID, a, at, from, to, quantity, note)
	return err
}

// FindJobEvents returns a job's transitions, oldest first.
func (s *Service) FindJobEvents(ctx context.Context, jobID int64) ([]*JobEvent, error) {
	if _, err := s.FindJobByID(ctx, jobID); err != nil {
		return nil, err
	}
	return s.jobEvents(ctx, "job_id = ?", jobID)
}

// FindRequestEvents returns a request's own changes and every transition of
// its jobs, oldest first.
func (s *Service) FindRequestEvents(ctx context.Context, requestID int64) ([]*RequestEvent, []*JobEvent, error) {
	if _, err := s.FindRequestByID(ctx, requestID); err != nil {
		return nil, nil, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT actor_id, at, action, note FROM request_events WHERE request_id = ? ORDER BY id`, requestID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	res := []*RequestEvent{}
	for rows.Next() {
		e := &RequestEvent{}
		if err := rows.Scan(&e.ActorID, sqlite.Time(&e.At), &e.Action, &e.Note); err != nil {
			return nil, nil, err
		}
		res = append(res, e)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	jobs, err := s.jobEvents(ctx, "request_id = ?", requestID)
	return res, jobs, err
}

func (s *Service) jobEvents(ctx context.Context, cond string, arg any) ([]*JobEvent, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT job_id, request_id, actor_id, at, from_state, to_state, quantity, note
		FROM job_events WHERE `+cond+` ORDER BY id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*JobEvent{}
	for rows.Next() {
		e := &JobEvent{}
		if err := rows.Scan(&e.JobID, &e.RequestID, &e.ActorID, sqlite.Time(&e.At), &e.From, &e.To, &e.Quantity, &e.Note); err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	return list, rows.Err()
}

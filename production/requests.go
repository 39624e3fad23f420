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
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Request is a hospital's request for units of a design. Its units are
// always split as Quantity = Delivered + Cancelled + Open.
type Request struct {
	ID             int64 `json:"id"`
	OrganisationID int64 `json:"organisation_id"`
	CreatedBy      int64 `json:"created_by"`
	DesignID       int64 `json:"design_id"`
	// Version is the version asked for; nil: the design's current version
	// when routing runs.
	Version   *int `json:"version"`
	Quantity  int  `json:"quantity"`
	Delivered int  `json:"delivered"`
	Cancelled int  `json:"cancelled"`
	Open      int  `json:"open"`
	InJobs    int  `json:"in_jobs"` // open units in live jobs (offered … printed)
	// InInventory is units printed for this request and handed over,
	// not yet delivered: in stock short of a hospital, or in transit.
	InInventory             int          `json:"in_inventory"`
	Priority                Priority     `json:"priority"`
	NeededBy                time.Time    `json:"needed_by"`
	DeliveryAddress         string       `json:"delivery_address"`
	ClinicallyValidatedOnly bool         `json:"clinically_validated_only"`
	RefusedLicences         []string     `json:"refused_licences"`
	Notes                   string       `json:"notes"`
	State                   RequestState `json:"state"`
	ReconfirmedAt           time.Time    `json:"reconfirmed_at"`
	// Stale: not reconfirmed for longer than the hub allows; left out of
	// routing until its hospital reconfirms it.
	Stale     bool      `json:"stale"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RequestInput files a request.
type RequestInput struct {
	DesignID                int64    `json:"design_id"`
	Version                 *int     `json:"version"`
	Quantity                int      `json:"quantity"`
	Priority                Priority `json:"priority"`
	NeededBy                string   `json:"needed_by"` // a date (2026-12-01) or an RFC 3339 time
	DeliveryAddress         string   `json:"delivery_address"`
	ClinicallyValidatedOnly bool     `json:"clinically_validated_only"`
	RefusedLicences         []string `json:"refused_licences"`
	Notes                   string   `json:"notes"`
}

// MaxRequestQuantity bounds one request line; larger needs are split.
const MaxRequestQuantity = 1_000_000

const requestColumns = `r.id, r.organisation_id, r.created_by, r.design_id, r.version_number, r.quantity, r.delivered,
	r.cancelled, r.priority, r.needed_by, r.delivery_address, r.clinically_validated_only, r.refused_licences, r.notes,
	r.state, r.reconfirmed_at, r.created_at, r.updated_at, r.in_inventory,
	COALESCE((SELECT sum(j.quantity) FROM jobs j WHERE j.request_id = r.id
		AND j.state IN ('offered', 'open', 'claimed', 'printing', 'printed')), 0)`

func (s *Service) scanRequest(row interface{ Scan(...any) error }) (*Request, error) {
	r := &Request{}
	var version sql.NullInt64
	var refused string
	err := row.Scan(&r.ID, &r.OrganisationID, &r.CreatedBy, &r.DesignID, &version, &r.Quantity, &r.Delivered,
		&r.Cancelled, &r.Priority, sqlite.Time(&r.NeededBy), &r.DeliveryAddress, &r.ClinicallyValidatedOnly, &refused,
		&r.Notes, &r.State, sqlite.Time(&r.ReconfirmedAt), sqlite.Time(&r.CreatedAt), sqlite.Time(&r.UpdatedAt), &r.InInventory, &r.InJobs)
	if err != nil {
		return nil, err
	}
	if version.Valid {
		n := int(version.Int64)
		r.Version = &n
	}
	r.RefusedLicences = []string{}
	if refused != "" {
		r.RefusedLicences = strings.Split(refused, ",")
	}
	r.Open = r.Quantity - r.Delivered - r.Cancelled
	r.Stale = r.State == RequestOpen && s.now().Sub(r.ReconfirmedAt) > s.opts.StaleAfter
	return r, nil
}

// CreateRequest files a request for the acting user's hospital, which must
// be verified by a coordinator.
func (s *Service) CreateRequest(ctx context.Context, in RequestInput) (*Request, error) {
	u, err := makerhub.RequireRole(ctx, "hospital staff file requests", makerhub.RoleHospital)
	if err != nil {
		return nil, err
	}
	if !u.Organisation.Verified() {
		return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "Your hospital %q is not verified yet: a coordinator must verify it before it can file requests.", u.Organisation.Name)
	}
	now := s.now()
	if in.DesignID <= 0 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "design_id is required: the id of the design to print (see /api/v1/designs).")
	}
	if in.Quantity <= 0 || in.Quantity > MaxRequestQuantity {
		return nil, makerhub.Errorf(makerhub.EINVALID, "quantity is %d: it must be between 1 and %d.", in.Quantity, MaxRequestQuantity)
	}
	if in.Priority == "" {
		in.Priority = Normal
	}
	if !slices.Contains([]Priority{Critical, High, Normal}, in.Priority) {
		return nil, makerhub.Errorf(makerhub.EINVALID, "priority %q is not known: use critical, high or normal.", in.Priority)
	}
	neededBy, err := parseNeededBy(in.NeededBy, now)
	if err != nil {
		return nil, err
	}
	in.DeliveryAddress = strings.TrimSpace(in.DeliveryAddress)
	if in.DeliveryAddress == "" {
		in.DeliveryAddress = u.Organisation.Address
	}
	if len(in.DeliveryAddress) > 500 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "delivery_address must be at most 500 characters long.")
	}
	if len(in.Notes) > 5000 {
		return nil, makerhub.Errorf(makerhub.EINVALID, "notes must be at most 5000 characters long.")
	}
	refused := []string{}
	for _, id := range in.RefusedLicences {
		l, err := designs.LookupLicence(id)
		if err != nil {
			return nil, makerhub.Errorf(makerhub.EINVALID, "refused_licences: %s", makerhub.ErrorMessage(err))
		}
		if !slices.Contains(refused, l.ID) {
			refused = append(refused, l.ID)
		}
	}
	// The design (and a pinned version) must exist and be printable.
	if in.Version != nil {
		p, err := s.designs.FindPrintProfile(ctx, in.DesignID, *in.Version)
		if err != nil {
			return nil, err
		}
		if !p.Printable() {
			return nil, makerhub.Errorf(makerhub.EUNPROCESSABLE, "Version %d of design %d cannot be printed (%s, %s): ask for the current version instead.", p.Number, p.DesignID, p.Status, p.Lifecycle)
		}
	} else if _, err := s.designs.FindDesignByID(ctx, in.DesignID); err != nil {
		return nil, err
	}

	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Request, error) {
		tx := s.q(ctx)
		at := sqlite.FormatTime(now)
		res, err := tx.ExecContext(ctx, `INSERT INTO requests (organisation_id, created_by, design_id, version_number, quantity,
		priority, needed_by, delivery_address, clinically_validated_only, refused_licences, notes, state, reconfirmed_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
			u.OrganisationID(), u.ID, in.DesignID, in.Version, in.Quantity, in.Priority, sqlite.FormatTime(neededBy),
			in.DeliveryAddress, in.ClinicallyValidatedOnly, strings.Join(refused, ","), in.Notes, at, at, at)
		if err != nil {
			return nil, fmt.Errorf("insert request: %w", err)
		}
		id, _ := res.LastInsertId()
		if err := addRequestEvent(ctx, tx, id, u.ID, at, "created", fmt.Sprintf("%d units, %s, needed by %s", in.Quantity, in.Priority, neededBy.Format("2006-01-02"))); err != nil {
			return nil, err
		}
		r, err := s.findRequest(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return r, nil
	})
}

// parseNeededBy reads a date (the end of that day, UTC) or an RFC 3339 time
// and refuses the past.
func parseNeededBy(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, makerhub.Errorf(makerhub.EINVALID, "needed_by is required: the date the units are needed by, e.g. %q.", now.AddDate(0, 0, 14).Format("2006-01-02"))
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		d, derr := time.Parse("2006-01-02", v)
		if derr != nil {
			return time.Time{}, makerhub.Errorf(makerhub.EINVALID, "needed_by %q is not a date: write it as YYYY-MM-DD or an RFC 3339 time.", v)
		}
		t = d.Add(24*time.Hour - time.Millisecond)
	}
	if !t.After(now) {
		return time.Time{}, makerhub.Errorf(makerhub.EINVALID, "needed_by %s is in the past: give a date from today on.", v)
	}
	if t.After(now.AddDate(2, 0, 0)) {
		return time.Time{}, makerhub.Errorf(makerhub.EINVALID, "needed_by %s is more than two years away.", v)
	}
	return t.UTC(), nil
}

// FindRequestByID returns a request: to its hospital and to coordinators.
func (s *Service) FindRequestByID(ctx context.Context, id int64) (*Request, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.findRequest(ctx, s.q(ctx), id)
	if err != nil {
		return nil, err
	}
	return r, canSeeRequest(u, r)
}

func canSeeRequest(u *makerhub.User, r *Request) error {
	switch {
	case u.Role == makerhub.RoleCoordinator:
		return nil
	case u.Role == makerhub.RoleHospital && u.OrganisationID() == r.OrganisationID:
		return nil
	}
	return makerhub.Errorf(makerhub.EFORBIDDEN, "Request %d belongs to another hospital: only its hospital and coordinators see it.", r.ID)
}

func (s *Service) findRequest(ctx context.Context, q sqlite.Queryer, id int64) (*Request, error) {
	r, err := s.scanRequest(q.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM requests r WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Request %d does not exist.", id)
	}
	return r, err
}

// RequestFilter selects requests in FindRequests.
type RequestFilter struct {
	State          RequestState
	Stale          *bool
	OrganisationID int64 // coordinators only; hospitals see their own
	Offset, Limit  int
}

// FindRequests lists requests, most urgent first: a hospital's own, or any
// for coordinators (who filter the stale ones to chase).
func (s *Service) FindRequests(ctx context.Context, f RequestFilter) ([]*Request, int, error) {
	u, err := makerhub.RequireRole(ctx, "hospitals and coordinators list requests", makerhub.RoleHospital, makerhub.RoleCoordinator)
	if err != nil {
		return nil, 0, err
	}
	if u.Role == makerhub.RoleHospital {
		f.OrganisationID = u.OrganisationID()
	}
	limit, err := makerhub.PageLimit(f.Offset, f.Limit, 100, 1000)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.State != "" {
		if !slices.Contains([]RequestState{RequestOpen, RequestFulfilled, RequestCancelled}, f.State) {
			return nil, 0, makerhub.Errorf(makerhub.EINVALID, "state %q is not known: use open, fulfilled or cancelled.", f.State)
		}
		where, args = append(where, "r.state = ?"), append(args, f.State)
	}
	if f.OrganisationID != 0 {
		where, args = append(where, "r.organisation_id = ?"), append(args, f.OrganisationID)
	}
	if f.Stale != nil {
		op := ">="
		if *f.Stale {
			op = "<"
			where = append(where, "r.state = 'open'")
		}
		where, args = append(where, "r.reconfirmed_at "+op+" ?"), append(args, sqlite.FormatTime(s.now().Add(-s.opts.StaleAfter)))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM requests r WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+requestColumns+` FROM requests r WHERE `+cond+`
		ORDER BY r.state = 'open' DESC, CASE r.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, r.needed_by, r.id
		LIMIT ? OFFSET ?`, append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*Request{}
	for rows.Next() {
		r, err := s.scanRequest(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, r)
	}
	return list, total, rows.Err()
}

// Reconfirm tells the hub the request's open units are still needed; a
// stale request goes back into routing.
func (s *Service) Reconfirm(ctx context.Context, id int64) (*Request, error) {
	return s.changeRequest(ctx, id, func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, r *Request, at string) error {
		if r.State != RequestOpen {
			return makerhub.Errorf(makerhub.ECONFLICT, "Request %d is %s: only open requests are reconfirmed.", id, r.State)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET reconfirmed_at = ?, updated_at = ? WHERE id = ?`, at, at, id); err != nil {
			return err
		}
		return addRequestEvent(ctx, tx, id, u.ID, at, "reconfirmed", "")
	})
}

// changeRequest runs change in a transaction on a request the caller may
// change: its hospital's staff or a coordinator.
func (s *Service) changeRequest(ctx context.Context, id int64, change func(ctx context.Context, tx sqlite.Queryer, u *makerhub.User, r *Request, at string) error) (*Request, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Request, error) {
		tx := s.q(ctx)
		r, err := s.findRequest(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := canSeeRequest(u, r); err != nil {
			return nil, err
		}
		if err := change(ctx, tx, u, r, sqlite.FormatTime(s.now())); err != nil {
			return nil, err
		}
		if r, err = s.findRequest(ctx, tx, id); err != nil {
			return nil, err
		}
		return r, nil
	})
}

// RequestEvent is a change to a request.
type RequestEvent struct {
	ActorID *int64    `json:"actor_id"`
	At      time.Time `json:"at"`
	Action  string    `json:"action"` // created, lowered, cancelled, reconfirmed, fulfilled
	Note    string    `json:"note,omitempty"`
}

func addRequestEvent(ctx context.Context, q sqlite.Queryer, requestID, actor int64, at, action, note string) error {
	var a any
	if actor != 0 {
		a = actor
	}
	_, err := q.ExecContext(ctx, `INSERT INTO request_events (request_id, actor_id, at, action, note) VALUES (?, ?, ?, ?, ?)`,
		requestID, a, at, action, note)
	return err
}

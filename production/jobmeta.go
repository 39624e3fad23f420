package production

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/makerhub/makerhub/internal/sqlite"
)

// jobMeta is what a job shows of its request and version: columns that
// never change once written (a request's hospital, priority and needed-by
// date; a version's design and number), so they are remembered for good.
// A claim then reads only the job's own row before it writes: the join it
// replaces read three tables' pages anew after every commit.
type jobMeta struct {
	hospital int64
	priority Priority
	neededBy time.Time
	design   int64
	version  int
}

type metaCache struct {
	mu       sync.Mutex
	requests map[int64]jobMeta // hospital, priority, neededBy
	versions map[int64][2]int64
}

// claimRead returns the job as findJob does, from the job's row and the
// remembered request and version columns.
func (s *Service) claimRead(ctx context.Context, id int64) (*Job, error) {
	j := &Job{}
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id, request_id, version_id, quantity, printed, state, offered_to, offer_expires_at,
		printer_id, claimed_by, lease_expires_at, run_id, reason, distance_km, created_by, created_at, updated_at, COALESCE(lease_hash, '')
		FROM jobs WHERE id = ?`, id).Scan(&j.ID, &j.RequestID, &j.VersionID, &j.Quantity, &j.Printed, &j.State, &j.OfferedTo,
		sqlite.NullTime(&j.OfferExpiresAt), &j.PrinterID, &j.ClaimedBy, sqlite.NullTime(&j.LeaseExpiresAt), &j.RunID, &j.Reason,
		&j.DistanceKM, &j.CreatedBy, sqlite.Time(&j.CreatedAt), sqlite.Time(&j.UpdatedAt), &j.leaseHash)
	if err != nil {
		if sqlite.NoRows(err) {
			return s.findJob(ctx, s.q(ctx), id) // its ENOTFOUND
		}
		return nil, err
	}
	c := &s.meta
	c.mu.Lock()
	r, okR := c.requests[j.RequestID]
	v, okV := c.versions[j.VersionID]
	c.mu.Unlock()
	if !okR || !okV {
		full, err := s.findJob(ctx, s.q(ctx), id)
		if err != nil {
			return nil, err
		}
		r = jobMeta{hospital: full.HospitalID, priority: full.Priority, neededBy: full.NeededBy}
		v = [2]int64{full.DesignID, int64(full.Version)}
		c.mu.Lock()
		if c.requests == nil || len(c.requests) > 200_000 {
			c.requests = map[int64]jobMeta{}
		}
		if c.versions == nil || len(c.versions) > 100_000 {
			c.versions = map[int64][2]int64{}
		}
		c.requests[j.RequestID], c.versions[j.VersionID] = r, v
		c.mu.Unlock()
	}
	j.HospitalID, j.Priority, j.NeededBy = r.hospital, r.priority, r.neededBy
	j.DesignID, j.Version = v[0], int(v[1])
	return j, nil
}

// fillVersions sets each job's design and version number from its version,
// which the design library owns: remembered for good once read, since a
// version's design and number never change.
func (s *Service) fillVersions(ctx context.Context, jobs []*Job) error {
	c := &s.meta
	var missing []int64
	c.mu.Lock()
	for _, j := range jobs {
		if v, ok := c.versions[j.VersionID]; ok {
			j.DesignID, j.Version = v[0], int(v[1])
		} else if !slices.Contains(missing, j.VersionID) {
			missing = append(missing, j.VersionID)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	refs, err := s.designs.VersionRefs(ctx, missing)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.versions == nil || len(c.versions) > 100_000 {
		c.versions = map[int64][2]int64{}
	}
	for id, r := range refs {
		c.versions[id] = [2]int64{r.DesignID, int64(r.Number)}
	}
	for _, j := range jobs {
		if v, ok := c.versions[j.VersionID]; ok {
			j.DesignID, j.Version = v[0], int(v[1])
		}
	}
	return nil
}

package production

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// resolved is the version a request prints, or why none can be.
type resolved struct {
	profile *designs.PrintProfile
	reason  string // non-empty: not acceptable to the hospital, or not printable
}

// acceptable says why a hospital cannot take a version, or "".
func acceptable(r *Request, p *designs.PrintProfile) string {
	if r.ClinicallyValidatedOnly && p.Status != designs.ClinicallyValidated {
		return fmt.Sprintf("version %d is %s, and the hospital accepts clinically validated versions only", p.Number, p.Status)
	}
	if slices.Contains(r.RefusedLicences, p.Licence.ID) {
		return fmt.Sprintf("the design's licence %s is one the hospital cannot accept", p.Licence.ID)
	}
	return ""
}

// resolveVersion picks the version a request prints: the one it names, or
// the current one — the newest printable version, active before superseded,
// that the hospital accepts.
func (s *Service) resolveVersion(ctx context.Context, r *Request) (resolved, error) {
	profiles, err := s.designs.FindPrintProfiles(ctx, r.DesignID)
	if err != nil {
		return resolved{}, err
	}
	return resolveFrom(profiles, r), nil
}

// resolveFrom is resolveVersion over the design's published profiles.
func resolveFrom(profiles []*designs.PrintProfile, r *Request) resolved {
	profiles = slices.Clone(profiles)
	if r.Version != nil {
		for _, p := range profiles {
			if p.Number != *r.Version {
				continue
			}
			if !p.Printable() {
				return resolved{profile: p, reason: fmt.Sprintf("version %d is %s and %s: it must not be printed", p.Number, p.Status, p.Lifecycle)}
			}
			return resolved{profile: p, reason: acceptable(r, p)}
		}
		return resolved{reason: fmt.Sprintf("design %d has no published version %d", r.DesignID, *r.Version)}
	}
	// Same order as the design library's current version.
	slices.SortStableFunc(profiles, func(a, b *designs.PrintProfile) int {
		aa, ba := a.Lifecycle == designs.Active, b.Lifecycle == designs.Active
		if aa != ba {
			if aa {
				return -1
			}
			return 1
		}
		return b.Number - a.Number
	})
	first := ""
	for _, p := range profiles {
		if !p.Printable() {
			continue
		}
		why := acceptable(r, p)
		if why == "" {
			return resolved{profile: p}
		}
		if first == "" {
			first = why
		}
	}
	if first == "" {
		first = fmt.Sprintf("design %d has no published version with an analysed STL file that may be printed", r.DesignID)
	}
	return resolved{reason: first}
}

// profileCache keeps print profiles by version ID for a short while: claims
// check eligibility on every call, and a profile takes several queries.
// A profile changes only when a design's material or settings do, or a
// version's review state; a minute's delay there is harmless, and withdrawn
// versions' jobs are cancelled by recalls, not by this check.
type profileCache struct {
	mu sync.Mutex
	m  map[int64]cachedProfile
}

type cachedProfile struct {
	p  *designs.PrintProfile
	at time.Time
}

const profileTTL = time.Minute

func (s *Service) profile(ctx context.Context, versionID int64) (*designs.PrintProfile, error) {
	now := time.Now()
	s.profiles.mu.Lock()
	c, ok := s.profiles.m[versionID]
	s.profiles.mu.Unlock()
	if ok && now.Sub(c.at) < profileTTL {
		return c.p, nil
	}
	p, err := s.designs.FindPrintProfileByVersionID(ctx, versionID)
	if err != nil {
		return nil, err
	}
	s.profiles.mu.Lock()
	if s.profiles.m == nil || len(s.profiles.m) > 10000 {
		s.profiles.m = map[int64]cachedProfile{}
	}
	s.profiles.m[versionID] = cachedProfile{p, now}
	s.profiles.mu.Unlock()
	return p, nil
}

// canPrint says why printer pr cannot print profile p, or "".
func canPrint(pr *Printer, p *designs.PrintProfile) string {
	if !slices.Contains(pr.Materials, p.Material) {
		return fmt.Sprintf("printer %q does not print %s", pr.Name, p.Material)
	}
	if !p.FitsBed(pr.BedMM[0], pr.BedMM[1], pr.BedMM[2]) {
		return fmt.Sprintf("the part (%.0f mm tall) does not fit printer %q's %.0f × %.0f × %.0f mm bed", p.HeightMM(), pr.Name, pr.BedMM[0], pr.BedMM[1], pr.BedMM[2])
	}
	return ""
}

// UnitsPerDay is how many units a printer makes a day: its hours over the
// estimated print time of one unit.
func UnitsPerDay(pr *Printer, p *designs.PrintProfile) float64 {
	if p.PrintMinutes <= 0 {
		return 0
	}
	return math.Floor(pr.HoursPerDay*60/p.PrintMinutes*10) / 10
}

// pickPrinter returns the first of printers (preferred first, if given)
// that can print the version, or nil and why none can.
func (s *Service) pickPrinter(ctx context.Context, versionID int64, printers []*Printer, preferred int64) (*Printer, string) {
	p, err := s.profile(ctx, versionID)
	if err != nil {
		return nil, "its design version cannot be read"
	}
	if preferred != 0 {
		if i := slices.IndexFunc(printers, func(pr *Printer) bool { return pr.ID == preferred }); i > 0 {
			printers = append([]*Printer{printers[i]}, slices.Delete(slices.Clone(printers), i, i+1)...)
		}
	}
	why := "you have no active printer"
	for _, pr := range printers {
		if w := canPrint(pr, p); w == "" {
			return pr, ""
		} else {
			why = w
		}
	}
	return nil, why
}

// printerCache remembers each maker's active printers for a few seconds:
// every claim checks them, and under a storm of claims the query was a
// tenth of the hub's CPU. Every change to a printer through this service
// empties the cache, so this process never serves a stale list.
type printerCache struct {
	mu  sync.Mutex
	m   map[int64]cachedPrinters
	gen uint64 // counts clears, as in accounts' token cache
}

type cachedPrinters struct {
	list []*Printer
	at   time.Time
}

const printersTTL = 10 * time.Second

func (c *printerCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.gen++
	c.mu.Unlock()
}

// activePrinters returns a maker's active printers, oldest first, from the
// cache when it can. The list is shared: callers must not change it.
func (s *Service) activePrinters(ctx context.Context, q sqlite.Queryer, ownerID int64) ([]*Printer, error) {
	now := time.Now()
	c := &s.printers
	c.mu.Lock()
	e, ok := c.m[ownerID]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.at) < printersTTL {
		return e.list, nil
	}
	list, err := queryActivePrinters(ctx, q, ownerID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if gen == c.gen {
		if c.m == nil || len(c.m) > 100_000 {
			c.m = map[int64]cachedPrinters{}
		}
		c.m[ownerID] = cachedPrinters{list, now}
	}
	c.mu.Unlock()
	return list, nil
}

func queryActivePrinters(ctx context.Context, q sqlite.Queryer, ownerID int64) ([]*Printer, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+printerColumns+` FROM printers WHERE owner_id = ? AND active = 1
		AND deleted_at IS NULL ORDER BY id`, ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*Printer
	for rows.Next() {
		p, err := scanPrinter(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, rows.Err()
}

// PrinterFit is whether one printer can print a version, and how fast.
type PrinterFit struct {
	Printer     *Printer `json:"printer"`
	CanPrint    bool     `json:"can_print"`
	Why         string   `json:"why,omitempty"`
	UnitsPerDay float64  `json:"units_per_day"`
}

// FitPrinters tells, for a published version, which printers can print it
// (bed fit with rotation about Z, material) and how many units a day each
// makes: a maker's own printers, or every printer for coordinators.
func (s *Service) FitPrinters(ctx context.Context, designID int64, number int) (*designs.PrintProfile, []*PrinterFit, error) {
	p, err := s.designs.FindPrintProfile(ctx, designID, number)
	if err != nil {
		return nil, nil, err
	}
	printers, _, err := s.FindPrinters(ctx, PrinterFilter{Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	out := []*PrinterFit{}
	for _, pr := range printers {
		f := &PrinterFit{Printer: pr, Why: canPrint(pr, p)}
		if !pr.Active && f.Why == "" {
			f.Why = fmt.Sprintf("printer %q is paused", pr.Name)
		}
		f.CanPrint = f.Why == ""
		if f.CanPrint {
			f.UnitsPerDay = UnitsPerDay(pr, p)
		}
		out = append(out, f)
	}
	return p, out, nil
}

package inventory

import (
	"context"
	"slices"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// FilamentNeed is, for one maker and material, the grams the maker's jobs
// still need against the grams on the maker's spools.
type FilamentNeed struct {
	MakerID   int64  `json:"maker_id"`
	MakerName string `json:"maker_name"`
	Material  string `json:"material"`
	// NeededG is what the units not yet printed of the maker's claimed
	// jobs will take; PendingG what printed units not yet handed over took
	// (it leaves the spools at hand-over).
	NeededG  float64 `json:"needed_g"`
	PendingG float64 `json:"pending_g"`
	SpoolsG  float64 `json:"spools_g"`
	Spools   int     `json:"spools"`
	// ShortG is how much more filament the maker needs to finish:
	// needed + pending − spools, when positive.
	ShortG float64 `json:"short_g"`
}

// Short reports whether the maker will run out before finishing.
func (n *FilamentNeed) Short() bool { return n.ShortG > 0 }

// FilamentForecast compares, for each maker and material, the grams their
// claimed jobs still need with what their spools hold, most short first:
// coordinators see every maker, a maker their own. onlyShort keeps the
// makers who will run out, which is what a coordinator with donated
// filament to hand out needs at national scale.
func (s *Service) FilamentForecast(ctx context.Context, onlyShort bool) ([]*FilamentNeed, error) {
	u, err := makerhub.RequireRole(ctx, "makers and coordinators see the filament forecast", makerhub.RoleMaker, makerhub.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	var maker int64
	if u.Role == makerhub.RoleMaker {
		maker = u.ID
	}
	needs, err := s.forecast(ctx, s.q(ctx), maker)
	if onlyShort {
		needs = slices.DeleteFunc(needs, func(n *FilamentNeed) bool { return !n.Short() })
	}
	return needs, err
}

func (s *Service) forecast(ctx context.Context, q sqlite.Queryer, maker int64) ([]*FilamentNeed, error) {
	type key struct {
		maker    int64
		material string
	}
	needs := map[key]*FilamentNeed{}
	need := func(k key, name string) *FilamentNeed {
		n := needs[k]
		if n == nil {
			n = &FilamentNeed{MakerID: k.maker, MakerName: name, Material: k.material}
			needs[k] = n
		}
		return n
	}
	// Jobs: units to print and units printed, per maker and version.
	type work struct {
		maker            int64
		name             string
		version          int64
		toPrint, printed int
	}
	ws, err := sqlite.Collect(func(row interface{ Scan(...any) error }) (work, error) {
		var w work
		return w, row.Scan(&w.maker, &w.name, &w.version, &w.toPrint, &w.printed)
	})(q.QueryContext(ctx, `SELECT j.claimed_by, u.name, j.version_id,
			sum(CASE WHEN j.state IN ('claimed', 'printing') THEN j.quantity - j.printed ELSE 0 END),
			sum(CASE WHEN j.state = 'printed' THEN j.quantity ELSE j.printed END)
		FROM production_jobs j JOIN accounts_users u ON u.id = j.claimed_by
		WHERE j.state IN ('claimed', 'printing', 'printed') AND (? = 0 OR j.claimed_by = ?)
		GROUP BY j.claimed_by, j.version_id`, maker, maker))
	if err != nil {
		return nil, err
	}
	profiles := map[int64]*designs.PrintProfile{}
	for _, w := range ws {
		p := profiles[w.version]
		if p == nil {
			if p, err = s.designs.FindPrintProfileByVersionID(ctx, w.version); err != nil {
				return nil, err
			}
			profiles[w.version] = p
		}
		n := need(key{w.maker, p.Material}, w.name)
		n.NeededG += p.FilamentG * float64(w.toPrint)
		n.PendingG += p.FilamentG * float64(w.printed)
	}
	// Spools.
	type have struct {
		maker    int64
		name     string
		material string
		grams    float64
		n        int
	}
	hs, err := sqlite.Collect(func(row interface{ Scan(...any) error }) (have, error) {
		var h have
		return h, row.Scan(&h.maker, &h.name, &h.material, &h.grams, &h.n)
	})(q.QueryContext(ctx, `SELECT s.maker_id, u.name, s.material, sum(s.grams_left), count(*) FROM spools s
		JOIN accounts_users u ON u.id = s.maker_id WHERE s.grams_left > 0 AND (? = 0 OR s.maker_id = ?)
		GROUP BY s.maker_id, s.material`, maker, maker))
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		n := need(key{h.maker, h.material}, h.name)
		n.SpoolsG, n.Spools = h.grams, h.n
	}
	out := make([]*FilamentNeed, 0, len(needs))
	for _, n := range needs {
		n.NeededG, n.PendingG, n.SpoolsG = round1(n.NeededG), round1(n.PendingG), round1(n.SpoolsG)
		n.ShortG = max(0, round1(n.NeededG+n.PendingG-n.SpoolsG))
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b *FilamentNeed) int {
		switch {
		case a.ShortG != b.ShortG:
			return cmpDesc(a.ShortG, b.ShortG)
		case a.MakerID != b.MakerID:
			return int(a.MakerID - b.MakerID)
		}
		return strings.Compare(a.Material, b.Material)
	})
	return out, nil
}

package routing

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// fitTolerance absorbs float32 rounding in mesh coordinates, as in
// designs/stl: a part exactly as wide as the bed fits.
const fitTolerance = 1e-3

// fits reports whether a version's part fits a printer's build volume,
// rotated about Z if needed.
func fits(v *Version, p *Printer) bool {
	if v.HeightMM > p.BedZ+fitTolerance {
		return false
	}
	for _, f := range v.Footprints {
		if f[0] <= p.BedX+fitTolerance && f[1] <= p.BedY+fitTolerance {
			return true
		}
	}
	return false
}

func hasMaterial(p *Printer, material string) bool {
	return slices.ContainsFunc(p.Materials, func(m string) bool { return strings.EqualFold(m, material) })
}

// instance is a Problem checked, sorted by ID (so that the order of the
// input slices never matters) and indexed.
type instance struct {
	s        settings
	printers []Printer
	versions []Version
	requests []Request
	vIndex   map[int64]int
	reqVer   []int     // version index per request
	unitMin  []float64 // minutes per unit used by the model (≥ 1), per version
	demand   []int64   // minutes to print per request: ⌈units × unitMin⌉
}

func newInstance(p *Problem) (*instance, error) {
	s, err := p.settings()
	if err != nil {
		return nil, err
	}
	in := &instance{s: s,
		printers: slices.Clone(p.Printers), versions: slices.Clone(p.Versions), requests: slices.Clone(p.Requests)}
	slices.SortFunc(in.printers, func(a, b Printer) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(in.versions, func(a, b Version) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(in.requests, func(a, b Request) int { return cmp.Compare(a.ID, b.ID) })
	for i := 1; i < len(in.printers); i++ {
		if in.printers[i].ID == in.printers[i-1].ID {
			return nil, fmt.Errorf("routing: printer %d appears twice", in.printers[i].ID)
		}
	}
	for i := 1; i < len(in.requests); i++ {
		if in.requests[i].ID == in.requests[i-1].ID {
			return nil, fmt.Errorf("routing: request %d appears twice", in.requests[i].ID)
		}
	}
	for i := range in.printers {
		pr := &in.printers[i]
		if pr.MinutesPerDay < 0 || pr.BookedMinutes < 0 || pr.MinutesPerDay > 24*60 {
			return nil, fmt.Errorf("routing: printer %d has %d minutes a day and %d booked; they must be in [0, 1440] and ≥ 0",
				pr.ID, pr.MinutesPerDay, pr.BookedMinutes)
		}
		if !validLatLon(pr.Lat, pr.Lon) {
			return nil, fmt.Errorf("routing: printer %d is at (%g, %g), not a valid latitude and longitude", pr.ID, pr.Lat, pr.Lon)
		}
	}
	in.vIndex = make(map[int64]int, len(in.versions))
	in.unitMin = make([]float64, len(in.versions))
	for i, v := range in.versions {
		if _, dup := in.vIndex[v.ID]; dup {
			return nil, fmt.Errorf("routing: version %d appears twice", v.ID)
		}
		if !(v.PrintMinutes > 0) || v.PrintMinutes > maxPrintMinutes {
			return nil, fmt.Errorf("routing: version %d prints in %g minutes a unit; it must be in (0, %d]", v.ID, v.PrintMinutes, maxPrintMinutes)
		}
		in.vIndex[v.ID] = i
		in.unitMin[i] = max(1, v.PrintMinutes)
	}
	in.reqVer = make([]int, len(in.requests))
	in.demand = make([]int64, len(in.requests))
	var total int64
	for i, r := range in.requests {
		vi, ok := in.vIndex[r.VersionID]
		if !ok {
			return nil, fmt.Errorf("routing: request %d asks for version %d, which is not in Problem.Versions", r.ID, r.VersionID)
		}
		if r.Units < 0 || r.Units > maxUnits {
			return nil, fmt.Errorf("routing: request %d has %d units; it must be in [0, %d]", r.ID, r.Units, maxUnits)
		}
		if r.Priority.Weight() == 0 {
			return nil, fmt.Errorf("routing: request %d has priority %q; use critical, high or normal", r.ID, r.Priority)
		}
		if !validLatLon(r.Lat, r.Lon) {
			return nil, fmt.Errorf("routing: request %d is at (%g, %g), not a valid latitude and longitude", r.ID, r.Lat, r.Lon)
		}
		in.reqVer[i] = vi
		in.demand[i] = int64(math.Ceil(float64(r.Units) * in.unitMin[vi]))
		if total += in.demand[i]; total > maxTotalMinutes {
			return nil, fmt.Errorf("routing: the requests need more than %d print minutes in all; split the run", int64(maxTotalMinutes))
		}
	}
	return in, nil
}

// Input bounds. They keep every count and cost far from int64 limits (see
// docs/routing.md, "Integer costs"), and no real run comes near them.
const (
	maxPrintMinutes = 100_000 // about ten weeks for one unit
	maxUnits        = 10_000_000
	maxTotalMinutes = 1 << 40
)

func validLatLon(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 360
}

// freeBefore is the printer time left in the first d days once booked jobs
// are done: capacity is the same every day and booked time comes first.
func (in *instance) freeBefore(p int, d int) int64 {
	pr := &in.printers[p]
	return max(0, int64(d)*int64(pr.MinutesPerDay)-pr.BookedMinutes)
}

// eligibility groups printers by what they can print and answers, per
// version, which printers fit it, which also have its material, and which
// of those have free time within the horizon (the candidates).
type eligibility struct {
	kindOf   []int            // printer → kind (same bed and materials)
	kindRep  []int            // kind → a representative printer
	classKey []string         // version → key of its class (the kinds that can print it)
	members  map[string][]int // class → printers of those kinds with free time
	anyFit   []bool           // version → some printer's bed holds it
	anyMat   []bool           // version → some fitting printer has its material
}

func newEligibility(in *instance) *eligibility {
	e := &eligibility{kindOf: make([]int, len(in.printers)), members: map[string][]int{}}
	kinds := map[string]int{}
	for i := range in.printers {
		pr := &in.printers[i]
		mats := make([]string, len(pr.Materials))
		for j, m := range pr.Materials {
			mats[j] = strings.ToUpper(m)
		}
		slices.Sort(mats)
		key := fmt.Sprintf("%g×%g×%g|%s", pr.BedX, pr.BedY, pr.BedZ, strings.Join(mats, ","))
		k, ok := kinds[key]
		if !ok {
			k = len(e.kindRep)
			kinds[key] = k
			e.kindRep = append(e.kindRep, i)
		}
		e.kindOf[i] = k
	}
	nv := len(in.versions)
	e.classKey = make([]string, nv)
	e.anyFit, e.anyMat = make([]bool, nv), make([]bool, nv)
	for vi := range in.versions {
		v := &in.versions[vi]
		ok := make([]bool, len(e.kindRep))
		var key strings.Builder
		for k, rep := range e.kindRep {
			if fits(v, &in.printers[rep]) {
				e.anyFit[vi] = true
				if hasMaterial(&in.printers[rep], v.Material) {
					e.anyMat[vi] = true
					ok[k] = true
					fmt.Fprintf(&key, "%d,", k)
				}
			}
		}
		e.classKey[vi] = key.String()
		if _, done := e.members[key.String()]; done || !e.anyMat[vi] {
			continue
		}
		var list []int
		for i := range in.printers {
			if ok[e.kindOf[i]] && in.freeBefore(i, in.s.horizon) > 0 {
				list = append(list, i)
			}
		}
		e.members[key.String()] = list
	}
	return e
}

// pair is a candidate (printer, request) arc of the model.
type pair struct {
	req, prn int
	km       float64
	rank     int // 1 for the request's nearest candidate
	// cut is the number of whole days, from Now, whose printing still
	// arrives by NeededBy: printing must end by Now + cut days. It is
	// clamped to at most the horizon and may be zero or negative.
	cut int
	gi  int // index in the run's list of pairs (models hold a region's)
}

// candidates lists, for every request that has eligible printers with free
// time, its nearest candidates in its region (pairs are grouped by request,
// nearest first). byReq[r] is the range of r's pairs.
func candidates(in *instance, e *eligibility, rg *regions) (pairs []pair, byReq [][2]int) {
	byReq = make([][2]int, len(in.requests))
	// Trees per class, over all its printers (region -1) and per region.
	type key struct {
		class  string
		region int
	}
	trees := map[key]*kdTree{}
	byRegion := map[string]map[int][]int{}
	tree := func(class string, region int) *kdTree {
		k := key{class, region}
		if t, ok := trees[k]; ok {
			return t
		}
		list := e.members[class]
		if region >= 0 {
			if byRegion[class] == nil {
				byRegion[class] = map[int][]int{}
				for _, i := range list {
					byRegion[class][rg.of[i]] = append(byRegion[class][rg.of[i]], i)
				}
			}
			list = byRegion[class][region]
		}
		var t *kdTree
		if len(list) > 0 {
			pts := make([][3]float64, len(list))
			ids := make([]int64, len(list))
			for j, i := range list {
				pr := &in.printers[i]
				pts[j], ids[j] = unitVector(pr.Lat, pr.Lon), pr.ID
			}
			t = newKDTree(pts, ids, list)
		}
		trees[k] = t
		return t
	}
	var buf []neighbour
	pairs = make([]pair, 0, len(in.requests)*min(in.s.candidates, len(in.printers)))
	for ri := range in.requests {
		r := &in.requests[ri]
		start := len(pairs)
		byReq[ri] = [2]int{start, start}
		class := e.classKey[in.reqVer[ri]]
		t := tree(class, -1)
		if r.Units == 0 || r.NotAcceptable != "" || t == nil {
			continue
		}
		q := unitVector(r.Lat, r.Lon)
		if rg.n > 1 {
			// The request belongs to the region of its nearest eligible
			// printer, and its candidates are the nearest there.
			buf = t.nearest(q, 1, buf)
			t = tree(class, rg.of[buf[0].idx])
		}
		buf = t.nearest(q, in.s.candidates, buf)
		daysLeft := r.NeededBy.Sub(in.s.now).Hours() / 24
		for k, nb := range buf {
			pr := &in.printers[nb.idx]
			km := distanceKM(pr.Lat, pr.Lon, r.Lat, r.Lon)
			x := math.Floor(daysLeft - in.s.shipDays(km))
			cut := in.s.horizon
			if x < float64(cut) {
				cut = int(max(x, -2*maxHorizonDays))
			}
			pairs = append(pairs, pair{req: ri, prn: nb.idx, km: km, rank: k + 1, cut: cut, gi: len(pairs)})
		}
		byReq[ri][1] = len(pairs)
	}
	return pairs, byReq
}

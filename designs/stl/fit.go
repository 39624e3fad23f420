package stl

import (
	"cmp"
	"math"
	"slices"
)

// Bed is a printer's build volume in mm.
type Bed struct {
	ID   string  `json:"id"`
	Name string  `json:"name"`
	X    float64 `json:"x_mm"`
	Y    float64 `json:"y_mm"`
	Z    float64 `json:"z_mm"`
}

// Beds returns the standard printers Analysis.FitsBeds is checked against:
// the machines most makers owned in 2020, from small to large, with their
// makers' published build volumes. The slice is the caller's own copy.
func Beds() []Bed { return slices.Clone(beds) }

// beds are Beds; nothing may change them.
var beds = []Bed{
	{"prusa-mini", "Original Prusa MINI+", 180, 180, 180},
	{"bambu-a1-mini", "Bambu Lab A1 mini", 180, 180, 180},
	{"anycubic-i3-mega", "Anycubic i3 Mega", 210, 210, 205},
	{"creality-ender-3", "Creality Ender-3", 220, 220, 250},
	{"prusa-mk3s", "Original Prusa i3 MK3S+", 250, 210, 210},
	{"bambu-x1-p1", "Bambu Lab X1 / P1", 256, 256, 256},
	{"creality-cr-10", "Creality CR-10", 300, 300, 400},
	{"ultimaker-s5", "UltiMaker S5", 330, 240, 300},
	{"prusa-xl", "Original Prusa XL", 360, 360, 360},
}

// fitTolerance absorbs float32 rounding in coordinates: a part exactly as
// wide as the bed fits.
const fitTolerance = 1e-3

// FitsBed reports whether the part fits a build volume of x × y × z mm as it
// stands, rotated about Z if needed.
func (a *Analysis) FitsBed(x, y, z float64) bool {
	if a.SizeMM[2] > z+fitTolerance {
		return false
	}
	for _, f := range a.Footprints {
		if f[0] <= x+fitTolerance && f[1] <= y+fitTolerance {
			return true
		}
	}
	return false
}

func fitsBeds(a *Analysis) []string {
	ids := []string{}
	for _, b := range beds {
		if a.FitsBed(b.X, b.Y, b.Z) {
			ids = append(ids, b.ID)
		}
	}
	return ids
}

// footprints returns the Pareto-optimal [x, y] extents of the points' XY
// projection over rotations about Z. Only the convex hull matters; the
// candidate angles are those that align a hull edge with an axis (where the
// smallest rectangles are) and a 0.25° grid (for diagonal placements).
func footprints(vs [][3]float32) [][2]float64 {
	hull := convexHull(vs)
	if len(hull) == 0 {
		return nil
	}
	angles := make([]float64, 0, 2*len(hull)+360)
	for i := range hull {
		p, q := hull[i], hull[(i+1)%len(hull)]
		angles = append(angles, math.Mod(-math.Atan2(q[1]-p[1], q[0]-p[0])+2*math.Pi, math.Pi/2))
	}
	for k := 0; k < 360; k++ {
		angles = append(angles, float64(k)*math.Pi/720)
	}
	var pairs [][2]float64
	for _, th := range angles {
		c, s := math.Cos(th), math.Sin(th)
		minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, p := range hull {
			x, y := p[0]*c-p[1]*s, p[0]*s+p[1]*c
			minX, maxX = min(minX, x), max(maxX, x)
			minY, maxY = min(minY, y), max(maxY, y)
		}
		w, d := maxX-minX, maxY-minY
		pairs = append(pairs, [2]float64{w, d}, [2]float64{d, w})
	}
	// Keep the Pareto front: sorted by x, each kept pair narrower in y than
	// every pair before it.
	slices.SortFunc(pairs, func(a, b [2]float64) int {
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		return cmp.Compare(a[1], b[1])
	})
	front := pairs[:0]
	bestY := math.Inf(1)
	for _, p := range pairs {
		if p[1] < bestY-1e-9 {
			front = append(front, [2]float64{round6(p[0]), round6(p[1])})
			bestY = p[1]
		}
	}
	return thin(front, 64)
}

// thin keeps at most n pairs, always the first and the last, evenly spread:
// the front of a round part has hundreds of nearly equal points.
func thin(front [][2]float64, n int) [][2]float64 {
	if len(front) <= n {
		return slices.Clone(front)
	}
	out := make([][2]float64, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, front[i*(len(front)-1)/(n-1)])
	}
	return out
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// convexHull returns the convex hull of the points' XY projection,
// counter-clockwise (Andrew's monotone chain). Points strictly inside the
// polygon of the extreme points in sixteen directions are dropped first
// (Akl–Toussaint), which leaves few points to sort, and little memory, even
// for millions of vertices.
func convexHull(vs [][3]float32) [][2]float64 {
	if len(vs) == 0 {
		return nil
	}
	var dirs [16][2]float64
	for i := range dirs {
		a := float64(i) * math.Pi / 8
		dirs[i] = [2]float64{math.Cos(a), math.Sin(a)}
	}
	var ext [16][2]float64
	var best [16]float64
	for i := range best {
		best[i] = math.Inf(-1)
	}
	for _, v := range vs {
		x, y := float64(v[0]), float64(v[1])
		for i, d := range dirs {
			if s := x*d[0] + y*d[1]; s > best[i] {
				best[i], ext[i] = s, [2]float64{x, y}
			}
		}
	}
	poly := ext[:]
	// Points inside the polygon's inscribed circle are inside the polygon:
	// one distance settles most of them before the edge-by-edge test.
	c, r2 := incircle(poly)
	var pts [][2]float64
	for _, v := range vs {
		p := [2]float64{float64(v[0]), float64(v[1])}
		if dx, dy := p[0]-c[0], p[1]-c[1]; dx*dx+dy*dy < r2 {
			continue
		}
		if !strictlyInside(poly, p) {
			pts = append(pts, p)
		}
	}
	slices.SortFunc(pts, func(a, b [2]float64) int {
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		return cmp.Compare(a[1], b[1])
	})
	pts = slices.Compact(pts)
	if len(pts) < 3 {
		return pts
	}
	turn := func(o, a, b [2]float64) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	var hull [][2]float64   // a hull has few corners: let it grow
	for _, p := range pts { // lower hull
		for len(hull) >= 2 && turn(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	for i, lower := len(pts)-2, len(hull)+1; i >= 0; i-- { // upper hull
		p := pts[i]
		for len(hull) >= lower && turn(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	return hull[:len(hull)-1]
}

// incircle returns the centroid of a convex polygon's corners and the square
// of a radius (slightly under its distance to the nearest edge) within which
// points are strictly inside. A degenerate polygon has radius 0.
func incircle(poly [][2]float64) ([2]float64, float64) {
	var c [2]float64
	for _, p := range poly {
		c[0] += p[0] / float64(len(poly))
		c[1] += p[1] / float64(len(poly))
	}
	r := math.Inf(1)
	edges := 0
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		if a == b {
			continue
		}
		edges++
		d := ((b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])) / math.Hypot(b[0]-a[0], b[1]-a[1])
		r = min(r, d) // positive when c is to the left of a→b, i.e. inside
	}
	if edges < 3 || !(r > 0) {
		return c, 0
	}
	r *= 1 - 1e-9
	return c, r * r
}

// strictlyInside reports whether p is strictly inside the convex polygon
// poly (counter-clockwise, possibly with repeated corners).
func strictlyInside(poly [][2]float64, p [2]float64) bool {
	n := len(poly)
	edges := 0
	for i := 0; i < n; i++ {
		a, b := poly[i], poly[(i+1)%n]
		if a == b {
			continue
		}
		edges++
		if (b[0]-a[0])*(p[1]-a[1])-(b[1]-a[1])*(p[0]-a[0]) <= 0 {
			return false
		}
	}
	return edges >= 3
}

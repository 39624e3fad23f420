package stl

import (
	"io"
	"math"
	"slices"
)

// Analysis is what the hub knows about a mesh. Lengths are in mm, areas in
// cm², volumes in cm³.
type Analysis struct {
	Format    Format  `json:"format"`
	Triangles int     `json:"triangles"`
	Vertices  int     `json:"vertices"` // distinct corners
	BBox      BBox    `json:"bbox_mm"`
	SizeMM    Vec3    `json:"size_mm"`
	VolumeCm3 float64 `json:"volume_cm3"`
	AreaCm2   float64 `json:"area_cm2"`

	// Watertight: the surface is closed — every edge of every facet meets
	// another facet across it (no open edges), so the mesh encloses a volume
	// and slices as a solid. Edges where four facets meet in two pairs (two
	// surfaces touching along a line, as in a thread) keep a mesh closed, as
	// admesh and slicers see it; they are counted in NonManifoldEdges, and
	// Manifold is false. An odd number of facets on an edge leaves one
	// without a partner: that edge is open.
	Watertight       bool `json:"watertight"`
	Manifold         bool `json:"manifold"`
	OpenEdges        int  `json:"open_edges"`
	NonManifoldEdges int  `json:"non_manifold_edges"`
	// OrientationErrors counts edges whose two facets run the same way
	// round, i.e. a facet flipped relative to its neighbour.
	OrientationErrors int `json:"orientation_errors"`
	// Shells counts connected parts (facets connected through corners).
	Shells int `json:"shells"`
	// Inverted: the facets' winding makes the normals point inwards (the
	// signed volume is negative). Slicers usually repair it; it still hints
	// at a bad export.
	Inverted bool `json:"inverted"`
	// DegenerateFacets have zero area: repeated or collinear corners.
	DegenerateFacets int `json:"degenerate_facets"`

	// Footprints are the smallest extents [x, y] in mm the part can take on
	// a bed when rotated about Z (each pair is optimal: no rotation is
	// smaller in both). FitsBed uses them for any bed size.
	Footprints [][2]float64 `json:"footprints_mm"`
	// FitsBeds lists the standard printers whose build volume holds the
	// part as it stands, rotated about Z if needed (see Beds).
	FitsBeds []string `json:"fits_beds"`
	// Surface holds the figures the print estimate is computed from.
	Surface  Surface  `json:"surface"`
	Warnings []string `json:"warnings,omitempty"`
}

// Vec3 is a point or size in mm.
type Vec3 [3]float64

// BBox is an axis-aligned bounding box in mm.
type BBox struct {
	Min Vec3 `json:"min"`
	Max Vec3 `json:"max"`
}

// Surface splits the mesh's area by direction, for the print estimate. Up and
// down areas are projected on the XY plane; wall area is projected on the
// vertical. Overhangs face down more steeply than 45° and are not on the bed.
type Surface struct {
	UpCm2         float64 `json:"up_cm2"`
	DownCm2       float64 `json:"down_cm2"`
	WallCm2       float64 `json:"wall_cm2"`
	BedContactCm2 float64 `json:"bed_contact_cm2"`
	OverhangCm2   float64 `json:"overhang_cm2"`
	// SupportCm3 is the volume under overhangs down to the bed, which
	// supports would fill (at their own density).
	SupportCm3 float64 `json:"support_cm3"`
}

// Analyze reads an STL of size bytes from r and analyses it. A problem with
// the content is a *FormatError.
func Analyze(r io.Reader, size int64) (*Analysis, error) {
	m := &mesh{}
	format, warnings, err := readTriangles(r, size, m)
	if err != nil {
		return nil, err
	}
	a := m.analyse()
	a.Format = format
	a.Warnings = warnings
	return a, nil
}

// mesh collects indexed triangles: three uint32 a facet plus each distinct
// corner once, about 20 bytes a triangle for a closed mesh.
type mesh struct {
	vt       *vertexTable
	tris     [][3]uint32
	min, max [3]float32
}

func (m *mesh) reserve(n int) {
	m.vt = newVertexTable(n/2 + 16)
	m.tris = make([][3]uint32, 0, n)
}

func (m *mesh) add(t *Triangle) error {
	if m.vt == nil {
		m.reserve(1024)
	}
	if len(m.tris) == 0 {
		m.min, m.max = t[0], t[0]
	}
	var tri [3]uint32
	for v := 0; v < 3; v++ {
		for c := 0; c < 3; c++ {
			m.min[c] = min(m.min[c], t[v][c])
			m.max[c] = max(m.max[c], t[v][c])
		}
		tri[v] = m.vt.id(&t[v])
	}
	m.tris = append(m.tris, tri)
	return nil
}

func (m *mesh) analyse() *Analysis {
	m.vt.release()
	vs := m.vt.vs
	a := &Analysis{Triangles: len(m.tris), Vertices: len(vs)}
	for c := 0; c < 3; c++ {
		a.BBox.Min[c] = float64(m.min[c])
		a.BBox.Max[c] = float64(m.max[c])
		a.SizeMM[c] = a.BBox.Max[c] - a.BBox.Min[c]
	}

	// One pass over the facets. The volume comes from the divergence
	// theorem, relative to the first corner p to keep products small for
	// parts far from the origin: each facet adds the signed volume of the
	// tetrahedron (p, v0, v1, v2), (v0−p)·((v1−v0)×(v2−v0))/6.
	p := vs[m.tris[0][0]]
	zmin := a.BBox.Min[2]
	var vol6, area2 float64
	var sf surfaceSums
	deg := make([]uint32, len(vs)+1)
	// Degenerate facets are decided once, here, and skipped by every later
	// pass: deciding again with other arithmetic could disagree for extreme
	// coordinates and break the edge table's counts.
	degenerate := make([]uint64, (len(m.tris)+63)/64)
	uf := newUnionFind(len(vs))
	for i, t := range m.tris {
		v0, v1, v2 := &vs[t[0]], &vs[t[1]], &vs[t[2]]
		n := cross(sub(v1, v0), sub(v2, v0))
		vol6 += dot(sub(v0, &p), n)
		ar2 := norm(n)
		area2 += ar2
		uf.union(t[0], t[1])
		uf.union(t[1], t[2])
		if t[0] == t[1] || t[1] == t[2] || t[0] == t[2] || ar2 == 0 {
			a.DegenerateFacets++
			degenerate[i/64] |= 1 << (i % 64)
			continue
		}
		deg[t[0]]++
		deg[t[1]]++
		deg[t[2]]++
		sf.add(v0, v1, v2, n[2]/ar2, ar2/2, zmin)
	}
	a.Inverted = vol6 < 0
	a.VolumeCm3 = math.Abs(vol6) / 6 / 1000
	a.AreaCm2 = area2 / 2 / 100
	a.Shells = uf.roots()
	a.OpenEdges, a.NonManifoldEdges, a.OrientationErrors = m.edges(deg, degenerate)
	a.Watertight = a.OpenEdges == 0
	a.Manifold = a.NonManifoldEdges == 0
	a.Surface = sf.surface(a.Inverted)
	a.Footprints = footprints(vs)
	a.FitsBeds = fitsBeds(a)
	return a
}

// edges classifies every undirected edge of the non-degenerate facets by
// how many facets use it in each direction, using the facets' directed
// edges a→b, b→c, c→a grouped by their first corner (compressed sparse
// rows: 4 bytes an edge, no hash table). deg holds each corner's number of
// outgoing edges and is used as scratch; degenerate marks facets to skip.
func (m *mesh) edges(deg []uint32, degenerate []uint64) (open, nonManifold, flipped int) {
	n := len(m.vt.vs)
	off := make([]uint32, n+1)
	for i := 0; i < n; i++ {
		off[i+1] = off[i] + deg[i]
		deg[i] = off[i] // now the fill cursor
	}
	tgt := make([]uint32, off[n])
	for i, t := range m.tris {
		if degenerate[i/64]&(1<<(i%64)) != 0 {
			continue
		}
		tgt[deg[t[0]]], deg[t[0]] = t[1], deg[t[0]]+1
		tgt[deg[t[1]]], deg[t[1]] = t[2], deg[t[1]]+1
		tgt[deg[t[2]]], deg[t[2]] = t[0], deg[t[2]]+1
	}
	// Sorted lists make a pair's count a run length (and a binary search
	// from the other end), so a corner shared by thousands of facets — the
	// centre of a fan-triangulated cylinder cap — costs n log n, not n².
	for a := 0; a < n; a++ {
		sortSmall(tgt[off[a]:off[a+1]])
	}
	for a := uint32(0); a < uint32(n); a++ {
		list := tgt[off[a]:off[a+1]]
		for k := 0; k < len(list); {
			b := list[k]
			ab := 1
			for k+ab < len(list) && list[k+ab] == b {
				ab++
			}
			k += ab
			back := tgt[off[b]:off[b+1]]
			i, _ := slices.BinarySearch(back, a)
			ba := 0
			for i+ba < len(back) && back[i+ba] == a {
				ba++
			}
			if ba > 0 && b < a {
				continue // classified from b
			}
			total := ab + ba
			if total%2 == 1 {
				open++
			}
			if total > 2 {
				nonManifold++
			}
			if total%2 == 0 && ab != ba {
				flipped++ // paired facets that run the same way round
			}
		}
	}
	return open, nonManifold, flipped
}

// sortSmall sorts a corner's neighbour list: insertion sort for the usual
// handful of entries, where a general sort's setup would dominate.
func sortSmall(s []uint32) {
	if len(s) > 16 {
		slices.Sort(s)
		return
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// surfaceSums accumulates the direction split for the estimate in one pass.
// Whether the winding is inverted is known only at the end, so the sums that
// depend on which way is down are kept for both readings (index 0: as wound,
// 1: inverted).
type surfaceSums struct {
	wall, up, down float64
	bed, overhang  [2]float64
	support        [2]float64
}

const (
	cos45 = 0.7071067811865476
	onBed = 0.01 // mm: a facet this close to the lowest point rests on the bed
)

// add takes a facet with unit normal z component nz and area (mm²).
func (s *surfaceSums) add(v0, v1, v2 *[3]float32, nz, area, zmin float64) {
	s.wall += area * math.Sqrt(max(0, 1-nz*nz))
	if nz > 0 {
		s.up += area * nz
	} else {
		s.down -= area * nz
	}
	k := 0 // which reading sees this facet facing steeply down
	switch {
	case nz < -cos45:
	case nz > cos45:
		k = 1
	default:
		return
	}
	proj := area * math.Abs(nz)
	z0, z1, z2 := float64(v0[2])-zmin, float64(v1[2])-zmin, float64(v2[2])-zmin
	if max(z0, z1, z2) <= onBed {
		s.bed[k] += proj
		return
	}
	s.overhang[k] += proj
	s.support[k] += proj * (z0 + z1 + z2) / 3
}

// surface returns the figures in cm² and cm³, reading the normals as they
// point outwards.
func (s *surfaceSums) surface(inverted bool) Surface {
	k, up, down := 0, s.up, s.down
	if inverted {
		k, up, down = 1, s.down, s.up
	}
	return Surface{
		UpCm2: up / 100, DownCm2: down / 100, WallCm2: s.wall / 100,
		BedContactCm2: s.bed[k] / 100, OverhangCm2: s.overhang[k] / 100, SupportCm3: s.support[k] / 1000,
	}
}

func sub(a, b *[3]float32) [3]float64 {
	return [3]float64{float64(a[0]) - float64(b[0]), float64(a[1]) - float64(b[1]), float64(a[2]) - float64(b[2])}
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func norm(a [3]float64) float64 { return math.Sqrt(dot(a, a)) }

// unionFind groups corners into connected parts.
type unionFind []uint32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = uint32(i)
	}
	return u
}

func (u unionFind) find(x uint32) uint32 {
	for u[x] != x {
		u[x] = u[u[x]] // path halving
		x = u[x]
	}
	return x
}

func (u unionFind) union(a, b uint32) {
	ra, rb := u.find(a), u.find(b)
	if ra < rb {
		u[rb] = ra
	} else if rb < ra {
		u[ra] = rb
	}
}

func (u unionFind) roots() int {
	n := 0
	for i := range u {
		if u[i] == uint32(i) {
			n++
		}
	}
	return n
}

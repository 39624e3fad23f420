package stl

import (
	"io"
	"math"
	"slices"
	"unsafe"
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

// Analyze reads an STL of size bytes from r (-1 when the length is not known
// yet, see Read) and analyses it. A problem with the content is a
// *FormatError. It keeps no memory for a next call: for many files, use one
// Analyzer.
func Analyze(r io.Reader, size int64) (*Analysis, error) {
	var z Analyzer
	defer z.Close()
	return z.Analyze(r, size)
}

// AnalyzeStream is the Analyzer's AnalyzeStream with no memory kept for a
// next call.
func AnalyzeStream(r io.Reader, bound int64) (*Analysis, error) {
	var z Analyzer
	defer z.Close()
	return z.AnalyzeStream(r, bound)
}

// Analyze reads an STL of size bytes from r (-1 when the length is not known
// yet, see Read) and analyses it. A problem with the content is a
// *FormatError.
func (z *Analyzer) Analyze(r io.Reader, size int64) (*Analysis, error) {
	return z.analyze(r, size, -1)
}

// AnalyzeStream analyses an STL stream whose length is not known until its
// end, but is at most bound bytes (-1: no bound known). The bound lets a big
// binary mesh reserve its memory once instead of growing into it.
func (z *Analyzer) AnalyzeStream(r io.Reader, bound int64) (*Analysis, error) {
	return z.analyze(r, -1, bound)
}

func (z *Analyzer) analyze(r io.Reader, size, bound int64) (*Analysis, error) {
	m := &mesh{z: z}
	format, warnings, err := readTriangles(r, size, bound, m)
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
	z     *Analyzer // whose memory the arena is
	vt    *vertexTable
	tris  [][3]uint32
	arena *arena // where tris, vt.vs and vt.slots start out
	// Scratch for addBatch: each corner's hash, and its id+1 when the
	// vertex table's recent cache already knew it (0 otherwise).
	hashes       []uint64
	known, homes []uint32
	sink         uint32 // keeps prefetch's loads alive
}

func (m *mesh) reserve(n int) {
	expected := n/2 + 16 // corners: a closed mesh has about half as many as facets
	slots := capacityFor(expected)
	m.arena = m.z.takeArena(n, expected, slots)
	m.vt = &vertexTable{vs: m.arena.corners(), slots: m.arena.table(slots)}
	m.tris = m.arena.facets()
}

// addBatch adds triangles, resolving first the corners the vertex table's
// recent cache knows (most of them: neighbouring facets share corners) and
// prefetching the hash table's slots for the others.
func (m *mesh) addBatch(ts []Triangle) error {
	if m.vt == nil {
		m.reserve(1024)
	}
	// A batch's vertices as one flat slice, for prefetch.
	flat := unsafe.Slice((*[3]float32)(unsafe.Pointer(&ts[0])), 3*len(ts))
	if cap(m.hashes) < len(flat) {
		m.hashes, m.known, m.homes = make([]uint64, len(flat)), make([]uint32, len(flat)), make([]uint32, len(flat))
	}
	hashes, known := m.hashes[:len(flat)], m.known[:len(flat)]
	m.sink += m.vt.prefetch(flat, hashes, known, m.homes[:len(flat)])
	for i := range ts {
		var tri [3]uint32
		for v := 0; v < 3; v++ {
			k := 3*i + v
			if known[k] != 0 {
				tri[v] = known[k] - 1
				continue
			}
			x, y, z := vertexBits(&flat[k])
			tri[v] = m.vt.idHashed(x, y, z, hashes[k])
		}
		m.tris = append(m.tris, tri)
	}
	return nil
}

func (m *mesh) add(t *Triangle) error {
	if m.vt == nil {
		m.reserve(1024)
	}
	var tri [3]uint32
	for v := 0; v < 3; v++ {
		tri[v] = m.vt.id(&t[v])
	}
	m.tris = append(m.tris, tri)
	return nil
}

// bounds is the bounding box of the distinct corners, which is that of
// every corner: each is one of them.
func bounds(vs [][3]float32) (lo, hi [3]float32) {
	lo, hi = vs[0], vs[0]
	for i := range vs {
		for c := 0; c < 3; c++ {
			lo[c] = min(lo[c], vs[i][c])
			hi[c] = max(hi[c], vs[i][c])
		}
	}
	return lo, hi
}

func (m *mesh) analyse() *Analysis {
	// The hash table's memory becomes the per-corner arrays.
	slots := m.vt.slots
	m.vt.release()
	vs := m.vt.vs
	defer m.z.giveArena(m.arena)
	a := &Analysis{Triangles: len(m.tris), Vertices: len(vs)}
	lo, hi := bounds(vs)
	for c := 0; c < 3; c++ {
		a.BBox.Min[c] = float64(lo[c])
		a.BBox.Max[c] = float64(hi[c])
		a.SizeMM[c] = a.BBox.Max[c] - a.BBox.Min[c]
	}

	// One pass over the facets. The volume comes from the divergence
	// theorem, relative to the first corner p to keep products small for
	// parts far from the origin: each facet adds the signed volume of the
	// tetrahedron (p, v0, v1, v2), (v0−p)·((v1−v0)×(v2−v0))/6.
	// The footprints need only the corners: work them out on the other
	// core while this one goes through the facets.
	footprintsDone := make(chan [][2]float64, 1)
	go func() { footprintsDone <- footprints(vs) }()

	p := &vs[m.tris[0][0]]
	px, py, pz := float64(p[0]), float64(p[1]), float64(p[2])
	zmin := a.BBox.Min[2]
	var vol6, area2 float64
	var sf surfaceSums
	// deg counts the edges filed under each corner (see edges); uf
	// groups them into shells.
	deg, ufMem := cornerArrays(slots, len(vs))
	uf := unionFind(ufMem)
	uf.init()
	// Degenerate facets are decided once, here, and skipped by every later
	// pass: deciding again with other arithmetic could disagree for extreme
	// coordinates and break the edge table's counts.
	degenerate := make([]uint64, (len(m.tris)+63)/64)
	for i, t := range m.tris {
		v0, v1, v2 := &vs[t[0]], &vs[t[1]], &vs[t[2]]
		// n = (v1−v0)×(v2−v0), in scalars: Go keeps small arrays in
		// memory, and the stores and loads cost more than the arithmetic.
		x0, y0, z0 := float64(v0[0]), float64(v0[1]), float64(v0[2])
		ax, ay, az := float64(v1[0])-x0, float64(v1[1])-y0, float64(v1[2])-z0
		bx, by, bz := float64(v2[0])-x0, float64(v2[1])-y0, float64(v2[2])-z0
		nx, ny, nz := ay*bz-az*by, az*bx-ax*bz, ax*by-ay*bx
		vol6 += (x0-px)*nx + (y0-py)*ny + (z0-pz)*nz
		ar2 := math.Sqrt(nx*nx + ny*ny + nz*nz)
		area2 += ar2
		uf.union(t[0], t[1])
		uf.union(t[1], t[2])
		if t[0] == t[1] || t[1] == t[2] || t[0] == t[2] || ar2 == 0 {
			a.DegenerateFacets++
			degenerate[i/64] |= 1 << (i % 64)
			continue
		}
		deg[min(t[0], t[1])]++
		deg[min(t[1], t[2])]++
		deg[min(t[2], t[0])]++
		sf.add(v0, v1, v2, nz/ar2, ar2/2, zmin)
	}
	a.Inverted = vol6 < 0
	a.VolumeCm3 = math.Abs(vol6) / 6 / 1000
	a.AreaCm2 = area2 / 2 / 100
	a.Shells = uf.roots()
	a.Surface = sf.surface(a.Inverted)
	a.Footprints = <-footprintsDone
	// The edge pass needs the corners' coordinates no more: their memory
	// holds its lists.
	a.OpenEdges, a.NonManifoldEdges, a.OrientationErrors = m.edges(deg, degenerate, asUint32(vs[:cap(vs)]))
	a.Watertight = a.OpenEdges == 0
	a.Manifold = a.NonManifoldEdges == 0
	a.FitsBeds = fitsBeds(a)
	return a
}

// defaultEdgeChunk bounds the directed edges held at once by edges: 4 Mi
// entries, 16 MB. Larger meshes are classified in several passes over vertex
// ranges, so that memory stays proportional to the mesh, not to its edges.
const defaultEdgeChunk = 4 << 20

// edges classifies every undirected edge of the non-degenerate facets by
// how many facets use it in each direction. Each directed edge a→b is filed
// once, under its smaller corner, as the other corner with a direction bit;
// a corner's list then holds every count of each of its edges, so a sorted
// list classifies them in one sweep (compressed sparse rows: 4 bytes an
// edge, no hash table). pos holds each corner's number of edges filed under
// it and is used as scratch; degenerate marks facets to skip.
func (m *mesh) edges(pos []uint32, degenerate []uint64, scratch []uint32) (open, nonManifold, flipped int) {
	n := len(pos) - 1
	edgeChunk := m.z.edgeChunk
	if edgeChunk <= 0 {
		edgeChunk = defaultEdgeChunk
	}
	// Inclusive prefix sums: pos[v] is the end of v's list.
	for v := 1; v <= n; v++ {
		pos[v] += pos[v-1]
	}
	buf := scratch
	if size := min(int(pos[n]), edgeChunk); len(buf) < size {
		buf = make([]uint32, size)
	}
	base := uint32(0) // where the chunk's first list starts
	for lo := 0; lo < n; {
		// The chunk takes the corners [lo, hi) whose lists fit (at least
		// one corner, however long its list).
		hi := lo + 1
		for hi < n && int(pos[hi]-base) <= edgeChunk {
			hi++
		}
		size := int(pos[hi-1] - base)
		if size > len(buf) {
			buf = make([]uint32, size)
		}
		list := buf[:size]
		m.fileEdges(pos, degenerate, uint32(lo), uint32(hi), base, list)
		// fileEdges left pos[v] at the start of v's list; v's list ends
		// where v+1's starts, or at the end of the chunk.
		for v := lo; v < hi; v++ {
			end := uint32(size)
			if v+1 < hi {
				end = pos[v+1] - base
			}
			o, nm, f := classify(list[pos[v]-base : end])
			open, nonManifold, flipped = open+o, nonManifold+nm, flipped+f
		}
		base += uint32(size)
		lo = hi
	}
	return open, nonManifold, flipped
}

// fileEdges files the directed edges whose smaller corner is in [lo, hi)
// into list, filling each corner's slot from its end backwards.
func (m *mesh) fileEdges(pos []uint32, degenerate []uint64, lo, hi, base uint32, list []uint32) {
	put := func(a, b uint32) {
		v, e := a, b<<1 // a→b filed under a
		if b < a {
			v, e = b, a<<1|1 // under b, as coming in
		}
		if v >= lo && v < hi {
			pos[v]--
			list[pos[v]-base] = e
		}
	}
	for i, t := range m.tris {
		if degenerate[i/64]&(1<<(i%64)) != 0 {
			continue
		}
		put(t[0], t[1])
		put(t[1], t[2])
		put(t[2], t[0])
	}
}

// classify counts the kinds of a corner's edges from its list of other
// corners with direction bits (0: outgoing, 1: incoming).
func classify(list []uint32) (open, nonManifold, flipped int) {
	sortSmall(list)
	for k := 0; k < len(list); {
		other := list[k] >> 1
		var out, in int
		for ; k < len(list) && list[k]>>1 == other; k++ {
			if list[k]&1 == 0 {
				out++
			} else {
				in++
			}
		}
		total := out + in
		if total%2 == 1 {
			open++
		}
		if total > 2 {
			nonManifold++
		}
		if total%2 == 0 && out != in {
			flipped++ // paired facets that run the same way round
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

// unionFind groups corners into connected parts.
type unionFind []uint32

// init makes each corner its own group.
func (u unionFind) init() {
	for i := range u {
		u[i] = uint32(i)
	}
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

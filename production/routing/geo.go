package routing

import (
	"cmp"
	"math"
	"slices"
)

// earthRadiusKM is the mean Earth radius (IUGG).
const earthRadiusKM = 6371.0088

// distanceKM is the great-circle distance between two points in degrees
// (haversine, which stays accurate for short distances).
func distanceKM(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKM * math.Asin(math.Sqrt(min(1, a)))
}

// unitVector places a point on the unit sphere. The straight-line (chord)
// distance between two such vectors grows with the great-circle distance,
// so nearest neighbours on the sphere are nearest neighbours in 3-D, where a
// k-d tree finds them with no special cases at the poles or the date line.
func unitVector(lat, lon float64) [3]float64 {
	const rad = math.Pi / 180
	cl := math.Cos(lat * rad)
	return [3]float64{cl * math.Cos(lon*rad), cl * math.Sin(lon*rad), math.Sin(lat * rad)}
}

// kdTree answers k-nearest-neighbour queries over a fixed set of points.
// It is stored implicitly: the subtree over pts[lo:hi] splits at its middle
// element on axis[mid], so no nodes are allocated.
type kdTree struct {
	pts  [][3]float64
	ids  []int64 // tie-break key (printer ID), parallel to pts
	idx  []int   // caller's index, parallel to pts
	axis []uint8
}

func newKDTree(pts [][3]float64, ids []int64, idx []int) *kdTree {
	t := &kdTree{pts: pts, ids: ids, idx: idx, axis: make([]uint8, len(pts))}
	perm := make([]int, len(pts))
	for i := range perm {
		perm[i] = i
	}
	t.build(perm, 0, len(perm))
	// Apply the permutation once at the end.
	np := make([][3]float64, len(pts))
	nid := make([]int64, len(pts))
	nix := make([]int, len(pts))
	for i, j := range perm {
		np[i], nid[i], nix[i] = pts[j], ids[j], idx[j]
	}
	t.pts, t.ids, t.idx = np, nid, nix
	return t
}

// build orders perm[lo:hi] so that its middle element splits the widest
// axis, recursively. Sorting (rather than quickselect) keeps it simple and
// deterministic; building is O(n log² n), a few ms for 30,000 printers.
func (t *kdTree) build(perm []int, lo, hi int) {
	if hi-lo <= 1 {
		return
	}
	var mn, mx [3]float64
	for a := 0; a < 3; a++ {
		mn[a], mx[a] = math.Inf(1), math.Inf(-1)
	}
	for _, j := range perm[lo:hi] {
		for a := 0; a < 3; a++ {
			mn[a] = min(mn[a], t.pts[j][a])
			mx[a] = max(mx[a], t.pts[j][a])
		}
	}
	ax := 0
	for a := 1; a < 3; a++ {
		if mx[a]-mn[a] > mx[ax]-mn[ax] {
			ax = a
		}
	}
	slices.SortFunc(perm[lo:hi], func(x, y int) int {
		if c := cmp.Compare(t.pts[x][ax], t.pts[y][ax]); c != 0 {
			return c
		}
		return cmp.Compare(t.ids[x], t.ids[y])
	})
	mid := (lo + hi) / 2
	t.axis[mid] = uint8(ax)
	t.build(perm, lo, mid)
	t.build(perm, mid+1, hi)
}

// neighbour is a point found by nearest: its caller index and squared
// chord distance.
type neighbour struct {
	idx int
	id  int64
	d2  float64
}

func lessNeighbour(a, b neighbour) bool { return a.d2 < b.d2 || a.d2 == b.d2 && a.id < b.id }

// nearest returns the k points nearest q, nearest first, ties broken by ID.
// buf is reused to avoid allocating per query.
func (t *kdTree) nearest(q [3]float64, k int, buf []neighbour) []neighbour {
	buf = buf[:0]
	if k <= 0 || len(t.pts) == 0 {
		return buf
	}
	// buf is a max-heap on (d2, id) while searching.
	var visit func(lo, hi int)
	visit = func(lo, hi int) {
		if lo >= hi {
			return
		}
		mid := (lo + hi) / 2
		p := t.pts[mid]
		dx, dy, dz := p[0]-q[0], p[1]-q[1], p[2]-q[2]
		nb := neighbour{t.idx[mid], t.ids[mid], dx*dx + dy*dy + dz*dz}
		if len(buf) < k {
			buf = append(buf, nb)
			siftUp(buf, len(buf)-1)
		} else if lessNeighbour(nb, buf[0]) {
			buf[0] = nb
			siftDown(buf, 0)
		}
		ax := t.axis[mid]
		diff := q[ax] - p[ax]
		near, far := [2]int{lo, mid}, [2]int{mid + 1, hi}
		if diff > 0 {
			near, far = far, near
		}
		visit(near[0], near[1])
		// The far side can only hold points at least |diff| away; equal
		// distance still matters for the ID tie-break.
		if len(buf) < k || diff*diff <= buf[0].d2 {
			visit(far[0], far[1])
		}
	}
	visit(0, len(t.pts))
	slices.SortFunc(buf, func(a, b neighbour) int {
		if lessNeighbour(a, b) {
			return -1
		} else if lessNeighbour(b, a) {
			return 1
		}
		return 0
	})
	return buf
}

func siftUp(h []neighbour, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !lessNeighbour(h[p], h[i]) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func siftDown(h []neighbour, i int) {
	for {
		l, best := 2*i+1, i
		if l < len(h) && lessNeighbour(h[best], h[l]) {
			best = l
		}
		if r := l + 1; r < len(h) && lessNeighbour(h[best], h[r]) {
			best = r
		}
		if best == i {
			return
		}
		h[i], h[best] = h[best], h[i]
		i = best
	}
}

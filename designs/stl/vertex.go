package stl

import "math"

// vertexTable deduplicates vertices by their exact float32 bits (with -0
// folded into 0), the way a well-formed STL shares corners between facets.
//
// It is an open-addressing hash table of 8-byte slots — a 32-bit fingerprint
// of the key and the vertex's index — sized to a load of at most 3/4 without
// rounding to a power of two (fastrange maps hashes onto any size). A million
// vertices cost 11 MB here; Go's map would take several times that.
type vertexTable struct {
	vs    [][3]float32
	slots []slot
	// recent caches the last vertex seen at each of a few thousand hash
	// values, with its full key. Neighbouring facets share corners, so most
	// lookups hit this small table, which stays in the CPU cache, and skip
	// the large one.
	recent [recentSize]recentSlot
}

// slot is a key's fingerprint and its index+1 in vs (0: empty).
type slot struct{ fp, id uint32 }

type recentSlot struct{ x, y, z, id uint32 }

const recentSize = 4096

// capacityFor gives a table size holding n keys at a load of 0.7.
func capacityFor(n int) int { return max(1024, n*10/7+1) }

func vertexBits(v *[3]float32) (uint32, uint32, uint32) {
	// Adding 0 turns -0 into +0 and leaves every other value alone.
	return math.Float32bits(v[0] + 0), math.Float32bits(v[1] + 0), math.Float32bits(v[2] + 0)
}

func hashBits(x, y, z uint32) uint64 {
	h := uint64(x)*0x9E3779B97F4A7C15 ^ uint64(y)*0xC2B2AE3D27D4EB4F ^ uint64(z)*0x165667B19E3779F9
	return h ^ h>>29
}

// home is the slot a hash starts probing at: its high 32 bits scaled onto
// the table (fastrange); the low 32 bits are the fingerprint.
func home(h uint64, n int) int { return int((h >> 32) * uint64(n) >> 32) }

// prefetch hashes a batch of vertices and resolves those the recent cache
// knows, setting known[i] to their id+1 (0 for the others). For the others
// it then touches their home slots before they are looked up one by one.
// For a mesh of millions of vertices the table fits in no cache and these
// cache misses are where the time goes; the touching loop is kept tight so
// that the CPU has many of its independent loads in flight at once instead
// of waiting for each in turn (interleaved with the hashing, only a couple
// fit in its reorder window: measured, each miss then cost about a full
// memory latency). The corners the recent cache knows, about three in four
// in a mesh exported facet by neighbouring facet, need no load at all.
// homes is scratch of len(vs). It returns a value only so that the loads
// are not optimised away.
func (t *vertexTable) prefetch(vs [][3]float32, hashes []uint64, known []uint32, homes []uint32) uint32 {
	n := len(t.slots)
	misses := 0
	for i := range vs {
		x, y, z := vertexBits(&vs[i])
		h := hashBits(x, y, z)
		hashes[i] = h
		r := &t.recent[h&(recentSize-1)]
		if r.id != 0 && r.x == x && r.y == y && r.z == z {
			known[i] = r.id
			continue
		}
		known[i] = 0
		homes[misses] = uint32(home(h, n))
		misses++
	}
	var sink uint32
	for _, i := range homes[:misses] {
		sink += t.slots[i].id
	}
	return sink
}

// id returns the index of v, adding it if new.
func (t *vertexTable) id(v *[3]float32) uint32 {
	x, y, z := vertexBits(v)
	return t.idHashed(x, y, z, hashBits(x, y, z))
}

// idHashed is id with the key's bits and hash already computed.
func (t *vertexTable) idHashed(x, y, z uint32, h uint64) uint32 {
	r := &t.recent[h&(recentSize-1)]
	if r.id != 0 && r.x == x && r.y == y && r.z == z {
		return r.id - 1
	}
	fp := uint32(h)
	n := len(t.slots)
	i := home(h, n)
	for {
		s := t.slots[i]
		if s.id == 0 {
			break
		}
		if s.fp == fp {
			w := &t.vs[s.id-1]
			if math.Float32bits(w[0]) == x && math.Float32bits(w[1]) == y && math.Float32bits(w[2]) == z {
				*r = recentSlot{x, y, z, s.id}
				return s.id - 1
			}
		}
		if i++; i == n {
			i = 0
		}
	}
	t.vs = append(t.vs, [3]float32{math.Float32frombits(x), math.Float32frombits(y), math.Float32frombits(z)})
	id := uint32(len(t.vs))
	t.slots[i] = slot{fp, id}
	*r = recentSlot{x, y, z, id}
	if 4*len(t.vs) > 3*n {
		t.grow()
	}
	return id - 1
}

// grow doubles the table, rehashing from the stored vertices.
func (t *vertexTable) grow() {
	n := 2 * len(t.slots)
	t.slots = make([]slot, n)
	for k := range t.vs {
		h := hashBits(vertexBits(&t.vs[k]))
		i := home(h, n)
		for t.slots[i].id != 0 {
			if i++; i == n {
				i = 0
			}
		}
		t.slots[i] = slot{uint32(h), uint32(k + 1)}
	}
}

// release drops the hash table once every vertex is known.
func (t *vertexTable) release() { t.slots = nil }

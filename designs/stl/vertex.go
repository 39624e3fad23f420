package stl

import "math"

// vertexTable deduplicates vertices by their exact float32 bits (with -0
// folded into 0), the way a well-formed STL shares corners between facets.
// It is an open-addressing hash table whose slots hold the key bits next to
// the index, so that a probe reads one cache line; Go's map would cost
// several times the memory for a million vertices.
type vertexTable struct {
	vs    [][3]float32
	slots []slot
	mask  uint32
}

// slot is a key and its index+1 in vs (0: empty).
type slot struct{ x, y, z, id uint32 }

func newVertexTable(expected int) *vertexTable {
	n := uint32(1024)
	for int(n) < 2*expected && n < 1<<31 {
		n <<= 1
	}
	return &vertexTable{vs: make([][3]float32, 0, expected), slots: make([]slot, n), mask: n - 1}
}

func vertexBits(v *[3]float32) (uint32, uint32, uint32) {
	// Adding 0 turns -0 into +0 and leaves every other value alone.
	return math.Float32bits(v[0] + 0), math.Float32bits(v[1] + 0), math.Float32bits(v[2] + 0)
}

func hashBits(x, y, z uint32) uint32 {
	h := uint64(x)*0x9E3779B97F4A7C15 ^ uint64(y)*0xC2B2AE3D27D4EB4F ^ uint64(z)*0x165667B19E3779F9
	h ^= h >> 29
	return uint32(h ^ h>>32)
}

// id returns the index of v, adding it if new.
func (t *vertexTable) id(v *[3]float32) uint32 {
	x, y, z := vertexBits(v)
	i := hashBits(x, y, z) & t.mask
	for {
		s := &t.slots[i]
		if s.id == 0 {
			break
		}
		if s.x == x && s.y == y && s.z == z {
			return s.id - 1
		}
		i = (i + 1) & t.mask
	}
	t.vs = append(t.vs, [3]float32{math.Float32frombits(x), math.Float32frombits(y), math.Float32frombits(z)})
	id := uint32(len(t.vs))
	t.slots[i] = slot{x, y, z, id}
	if 2*len(t.vs) > len(t.slots) {
		t.grow()
	}
	return id - 1
}

func (t *vertexTable) grow() {
	old := t.slots
	n := uint32(len(old)) * 2
	t.slots = make([]slot, n)
	t.mask = n - 1
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		i := hashBits(s.x, s.y, s.z) & t.mask
		for t.slots[i].id != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = s
	}
}

// release drops the hash table once every vertex is known, so that later
// passes do not hold it in memory.
func (t *vertexTable) release() { t.slots = nil }

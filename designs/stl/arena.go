package stl

import (
	"runtime/debug"
	"sync"
	"time"
	"unsafe"
)

// arena holds the big arrays of a mesh analysis — the facets, the corners
// and the corners' hash table — in memory kept for the next analysis.
//
// Allocating them afresh for each upload costs more than it seems: on the
// virtual machines a hub runs on, the first touch of each fresh page is a
// fault the hypervisor takes part in, and a 4M-triangle mesh touches ~95 MB
// (measured: about 0.15 s of a 200 MB upload's CPU time). The memory is
// mapped outside the Go heap (see arena_unix.go): a live 95 MB array in the
// heap doubles the garbage collector's target, and the server's other
// garbage then grew to fill it (measured: 213 MiB peak instead of ~140).
//
// The hash table's memory is used twice: once the corners are known, the
// table is no longer needed, and its 8-byte slots — at least 4/3 of the
// corners, see capacityFor — hold the two per-corner arrays of the next
// phase (edge counts and the union-find), 4 bytes each. The corners'
// coordinates then hold the edge lists.
type arena struct {
	tris, vs, slots []byte
}

// bigArena is the size of new memory from which takeArena first returns
// the heap's free pages to the system.
const bigArena = 16 << 20

// arenaKeep is how long a released arena waits for the next analysis before
// its memory goes back to the system.
const arenaKeep = time.Minute

// Analyzer analyses STL files, keeping the memory of one analysis for the
// next: uploads come one after another more often than side by side, and one
// spare arena is what the memory budget allows. Its zero value is ready to
// use; hold one per service (designs.Service does) rather than one per call,
// or the memory is mapped afresh every time. An Analyzer is safe for
// concurrent use and must not be copied after first use.
type Analyzer struct {
	mu    sync.Mutex
	spare *arena      // the one released arena kept for the next analysis
	timer *time.Timer // drops spare after arenaKeep without an analysis

	// edgeChunk bounds the directed edges held at once by mesh.edges
	// (0: defaultEdgeChunk); tests make it small to force many passes.
	edgeChunk int
}

// Close releases the memory kept for the next analysis. The Analyzer stays
// usable: a later analysis maps new memory.
func (z *Analyzer) Close() {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.timer != nil {
		z.timer.Stop()
	}
	if z.spare != nil {
		z.spare.release()
		z.spare = nil
	}
}

// takeArena returns an arena with room for the given numbers of facets,
// corners and slots, reusing the spare one where it is big enough.
func (z *Analyzer) takeArena(tris, vs, slots int) *arena {
	z.mu.Lock()
	a := z.spare
	z.spare = nil
	z.mu.Unlock()
	if a == nil {
		a = &arena{}
	}
	tb, vb, sb := tris*12, vs*12, slots*8
	if fresh := max(tb-len(a.tris), 0) + max(vb-len(a.vs), 0) + max(sb-len(a.slots), 0); fresh >= bigArena {
		// Mapping a big mesh's memory: hand the heap's free pages
		// (an earlier login's password hash, say: 19 MiB) back to the
		// system first, so that the peak is the mesh and the live heap,
		// not the mesh on top of what the heap keeps for later.
		debug.FreeOSMemory()
	}
	a.tris, a.vs, a.slots = fit(a.tris, tb), fit(a.vs, vb), fit(a.slots, sb)
	return a
}

// fit returns mem if it holds size bytes, else new memory in its place.
func fit(mem []byte, size int) []byte {
	if len(mem) >= size {
		return mem
	}
	unmap(mem)
	return mmap(size)
}

// release unmaps the arena's memory.
func (a *arena) release() {
	unmap(a.tris)
	unmap(a.vs)
	unmap(a.slots)
	*a = arena{}
}

// facets, corners and table are the arena's arrays: facets and corners
// empty with the arena's capacity, table zeroed with n slots.
func (a *arena) facets() [][3]uint32 {
	return unsafe.Slice((*[3]uint32)(unsafe.Pointer(unsafe.SliceData(a.tris))), len(a.tris)/12)[:0]
}

func (a *arena) corners() [][3]float32 {
	return unsafe.Slice((*[3]float32)(unsafe.Pointer(unsafe.SliceData(a.vs))), len(a.vs)/12)[:0]
}

func (a *arena) table(n int) []slot {
	s := unsafe.Slice((*slot)(unsafe.Pointer(unsafe.SliceData(a.slots))), len(a.slots)/8)[:n]
	clear(s)
	return s
}

// giveArena releases an arena for the next analysis, keeping the bigger of
// it and the spare. Nothing may use its memory afterwards.
func (z *Analyzer) giveArena(a *arena) {
	if a == nil {
		return
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.spare != nil && len(z.spare.tris) >= len(a.tris) {
		a.release()
		return
	}
	if z.spare != nil {
		z.spare.release()
	}
	z.spare = a
	if z.timer == nil {
		z.timer = time.AfterFunc(arenaKeep, z.dropSpare)
	} else {
		z.timer.Reset(arenaKeep)
	}
}

func (z *Analyzer) dropSpare() {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.spare != nil {
		z.spare.release()
		z.spare = nil
	}
}

// cornerArrays returns two zeroed uint32 arrays of n+1 and n entries in the
// memory of slots when it is big enough, else newly allocated.
func cornerArrays(slots []slot, n int) ([]uint32, []uint32) {
	if 2*len(slots) < 2*n+1 {
		return make([]uint32, n+1), make([]uint32, n)
	}
	all := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(slots))), 2*len(slots))[:2*n+1]
	clear(all)
	return all[: n+1 : n+1], all[n+1:]
}

// asUint32 views coordinates' memory as uint32s, for scratch.
func asUint32(vs [][3]float32) []uint32 {
	if len(vs) == 0 {
		return nil
	}
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(vs))), 3*len(vs))
}

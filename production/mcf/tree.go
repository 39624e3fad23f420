// The tree update in this file is a Go translation of the one in
// NetworkSimplex of LEMON, a generic C++ optimization library:
//
//	Copyright (C) 2003-2013
//	Egervary Jeno Kombinatorikus Optimalizalasi Kutatocsoport
//	(Egervary Research Group on Combinatorial Optimization, EGRES).
//
//	Permission to use, modify and distribute this software is granted
//	provided that this copyright notice appears in all copies. For
//	precise terms see the accompanying LICENSE file.
//
//	This software is provided "AS IS" with no warranty of any kind,
//	express or implied, and with no claim as to its suitability for any
//	purpose.
//
// LEMON's LICENSE file is the Boost Software License 1.0, reproduced in
// LICENSE.LEMON beside this file.

package mcf

// updateTreeStructure replaces the leaving arc (the tree arc above uOut) by
// the entering arc (joining uIn to vIn). The subtree that hangs below the
// leaving arc is re-rooted at uIn and re-hung under vIn: the nodes on the
// stem from uIn up to uOut reverse their parent links, and the thread,
// subtree sizes and last successors are patched along the stem and along the
// two paths up to the apex. Nothing outside those paths and the moved
// subtree's thread links is touched, which is what makes a pivot cheap on
// large trees. This follows LEMON's NetworkSimplex step for step.
func (s *simplex) updateTreeStructure() {
	parent, pred, predDir := s.parent, s.pred, s.predDir
	thread, revThread := s.thread, s.revThread
	succNum, lastSucc := s.succNum, s.lastSucc
	uIn, vIn, uOut, join := s.uIn, s.vIn, s.uOut, s.join

	oldRevThread := revThread[uOut]
	oldSuccNum := succNum[uOut]
	oldLastSucc := lastSucc[uOut]
	vOut := parent[uOut]
	s.vOut = vOut

	if uIn == uOut {
		// The moved subtree keeps its root: re-hang it under vIn and
		// splice its thread segment in right after vIn.
		parent[uIn] = vIn
		pred[uIn] = s.inArc
		predDir[uIn] = s.dirOf(uIn)
		if thread[vIn] != uOut {
			after := thread[oldLastSucc]
			thread[oldRevThread] = after
			revThread[after] = oldRevThread
			after = thread[vIn]
			thread[vIn] = uOut
			revThread[uOut] = vIn
			thread[oldLastSucc] = after
			revThread[after] = oldLastSucc
		}
	} else {
		// When the node before uOut in thread order is vIn (so vOut is
		// the apex), the thread after the moved subtree continues where
		// uOut's subtree ended rather than after vIn.
		threadContinue := thread[vIn]
		if oldRevThread == vIn {
			threadContinue = thread[oldLastSucc]
		}

		// Walk the stem from uIn up to uOut: each stem node becomes the
		// child of the previous one, and its subtree (minus the part
		// already moved) is cut out of the thread and appended.
		stem := uIn
		parStem := vIn
		last := lastSucc[uIn]
		after := thread[last]
		thread[vIn] = uIn
		dirty := append(s.dirtyRevs[:0], vIn)
		for stem != uOut {
			nextStem := parent[stem]
			thread[last] = nextStem
			dirty = append(dirty, last)

			before := revThread[stem]
			thread[before] = after
			revThread[after] = before

			parent[stem] = parStem
			parStem = stem
			stem = nextStem

			if lastSucc[stem] == lastSucc[parStem] {
				last = revThread[parStem]
			} else {
				last = lastSucc[stem]
			}
			after = thread[last]
		}
		parent[uOut] = parStem
		thread[last] = threadContinue
		revThread[threadContinue] = last
		lastSucc[uOut] = last

		// Cut uOut's old subtree out of the thread, unless it sat right
		// after vIn and so is already in place.
		if oldRevThread != vIn {
			thread[oldRevThread] = after
			revThread[after] = oldRevThread
		}

		for _, u := range dirty {
			revThread[thread[u]] = u
		}
		s.dirtyRevs = dirty

		// Reverse pred along the stem and recompute subtree sizes and
		// last successors from uOut back down to uIn.
		var tmpSc int32
		tmpLs := lastSucc[uOut]
		for u, p := uOut, parent[uOut]; u != uIn; u, p = p, parent[p] {
			pred[u] = pred[p]
			predDir[u] = -predDir[p]
			tmpSc += succNum[u] - succNum[p]
			succNum[u] = tmpSc
			lastSucc[p] = tmpLs
		}
		pred[uIn] = s.inArc
		predDir[uIn] = s.dirOf(uIn)
		succNum[uIn] = oldSuccNum
	}

	// Ancestors of vIn whose subtree ended at vIn now end where the moved
	// subtree ends.
	upLimitOut := int32(-1)
	if lastSucc[join] == vIn {
		upLimitOut = join
	}
	lastSuccOut := lastSucc[uOut]
	for u := vIn; u != -1 && lastSucc[u] == vIn; u = parent[u] {
		lastSucc[u] = lastSuccOut
	}

	// Ancestors of vOut whose subtree ended with the moved subtree now end
	// just before it.
	if join != oldRevThread && vIn != oldRevThread {
		for u := vOut; u != upLimitOut && lastSucc[u] == oldLastSucc; u = parent[u] {
			lastSucc[u] = oldRevThread
		}
	} else if lastSuccOut != oldLastSucc {
		for u := vOut; u != upLimitOut && lastSucc[u] == oldLastSucc; u = parent[u] {
			lastSucc[u] = lastSuccOut
		}
	}

	for u := vIn; u != join; u = parent[u] {
		succNum[u] += oldSuccNum
	}
	for u := vOut; u != join; u = parent[u] {
		succNum[u] -= oldSuccNum
	}
}

// dirOf is the direction of the entering arc as the tree arc of node u.
func (s *simplex) dirOf(u int32) int8 {
	if s.source[s.inArc] == u {
		return dirUp
	}
	return dirDown
}

// updatePotential shifts the potentials of the moved subtree (a contiguous
// run of the thread starting at uIn) so that the entering arc has zero
// reduced cost; nothing else changes.
func (s *simplex) updatePotential() {
	uIn := s.uIn
	sigma := s.pi[s.vIn] - s.pi[uIn] - int64(s.predDir[uIn])*s.cost[s.inArc]
	end := s.thread[s.lastSucc[uIn]]
	pi, thread := s.pi, s.thread
	for u := uIn; u != end; u = thread[u] {
		pi[u] += sigma
	}
}

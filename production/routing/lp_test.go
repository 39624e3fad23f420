package routing

import "math/big"

// ratLP is a small exact linear program, min c·x subject to rows of
// a·x ≤ b or a·x = b (b ≥ 0) and x ≥ 0, solved by a dense two-phase simplex
// in rationals with Bland's rule (so it cannot cycle). It is the oracle the
// optimality tests hold Solve to: slow, but with no rounding and no shared
// code with the network model.
type ratLP struct {
	n    int // structural variables
	rows []ratRow
	c    []*big.Rat
}

type ratRow struct {
	a   map[int]*big.Rat
	b   *big.Rat
	leq bool
}

func newRatLP(n int) *ratLP {
	lp := &ratLP{n: n, c: make([]*big.Rat, n)}
	for j := range lp.c {
		lp.c[j] = new(big.Rat)
	}
	return lp
}

func (lp *ratLP) addRow(a map[int]*big.Rat, b *big.Rat, leq bool) {
	lp.rows = append(lp.rows, ratRow{a, b, leq})
}

// solve returns an optimal x, or nil if the program is infeasible. The
// programs built by the tests are always bounded (costs are ≥ 0).
func (lp *ratLP) solve() []*big.Rat {
	m := len(lp.rows)
	// Columns: structural, one slack per ≤ row, one artificial per = row.
	nSlack, nArt := 0, 0
	for _, r := range lp.rows {
		if r.leq {
			nSlack++
		} else {
			nArt++
		}
	}
	cols := lp.n + nSlack + nArt
	t := make([][]*big.Rat, m+1) // row m is the objective (reduced costs, −value)
	for i := range t {
		t[i] = make([]*big.Rat, cols+1)
		for j := range t[i] {
			t[i][j] = new(big.Rat)
		}
	}
	basis := make([]int, m)
	s, art := lp.n, lp.n+nSlack
	for i, r := range lp.rows {
		for j, v := range r.a {
			t[i][j].Set(v)
		}
		t[i][cols].Set(r.b)
		if r.leq {
			t[i][s].SetInt64(1)
			basis[i] = s
			s++
		} else {
			t[i][art].SetInt64(1)
			basis[i] = art
			art++
		}
	}
	isArt := func(j int) bool { return j >= lp.n+nSlack && j < cols }
	setObjective := func(cost func(j int) *big.Rat) {
		obj := t[m]
		for j := 0; j <= cols; j++ {
			obj[j].SetInt64(0)
			if j < cols {
				obj[j].Set(cost(j))
			}
		}
		var x big.Rat
		for i, bj := range basis {
			if cb := cost(bj); cb.Sign() != 0 {
				for j := 0; j <= cols; j++ {
					obj[j].Sub(obj[j], x.Mul(cb, t[i][j]))
				}
			}
		}
	}
	pivot := func(r, c int) {
		var x, f big.Rat
		inv := new(big.Rat).Inv(t[r][c])
		for j := 0; j <= cols; j++ {
			t[r][j].Mul(t[r][j], inv)
		}
		for i := 0; i <= m; i++ {
			if i == r || t[i][c].Sign() == 0 {
				continue
			}
			f.Set(t[i][c])
			for j := 0; j <= cols; j++ {
				if t[r][j].Sign() != 0 {
					t[i][j].Sub(t[i][j], x.Mul(&f, t[r][j]))
				}
			}
		}
		basis[r] = c
	}
	run := func(allowed func(j int) bool) {
		var ratio, best big.Rat
		for {
			c := -1
			for j := 0; j < cols; j++ { // Bland: lowest index that improves
				if allowed(j) && t[m][j].Sign() < 0 {
					c = j
					break
				}
			}
			if c < 0 {
				return
			}
			r := -1
			for i := 0; i < m; i++ {
				if t[i][c].Sign() <= 0 {
					continue
				}
				ratio.Quo(t[i][cols], t[i][c])
				if cmp := ratio.Cmp(&best); r < 0 || cmp < 0 || cmp == 0 && basis[i] < basis[r] {
					r = i
					best.Set(&ratio)
				}
			}
			if r < 0 {
				panic("ratLP: unbounded")
			}
			pivot(r, c)
		}
	}
	one, zero := big.NewRat(1, 1), new(big.Rat)
	if nArt > 0 {
		setObjective(func(j int) *big.Rat {
			if isArt(j) {
				return one
			}
			return zero
		})
		run(func(int) bool { return true })
		if t[m][cols].Sign() != 0 {
			return nil
		}
		// Drive artificials at zero out of the basis where a real
		// column can replace them; rows where none can are redundant.
		for i := 0; i < m; i++ {
			if !isArt(basis[i]) {
				continue
			}
			for j := 0; j < lp.n+nSlack; j++ {
				if t[i][j].Sign() != 0 {
					pivot(i, j)
					break
				}
			}
		}
	}
	setObjective(func(j int) *big.Rat {
		if j < lp.n {
			return lp.c[j]
		}
		return zero
	})
	run(func(j int) bool { return !isArt(j) })
	x := make([]*big.Rat, lp.n)
	for j := range x {
		x[j] = new(big.Rat)
	}
	for i, bj := range basis {
		if bj < lp.n {
			x[bj].Set(t[i][cols])
		}
	}
	return x
}

// Package stltest builds meshes and writes them as binary or ASCII STL, for
// tests and benchmarks of the STL reader and of uploads.
package stltest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/makerhub/makerhub/designs/stl"
)

// Cube returns a closed, outward-facing cube of side s with its lowest corner
// at origin: 12 triangles, volume s³, area 6s².
func Cube(origin [3]float32, s float32) []stl.Triangle {
	o := origin
	p := func(x, y, z float32) [3]float32 { return [3]float32{o[0] + x*s, o[1] + y*s, o[2] + z*s} }
	v := [8][3]float32{p(0, 0, 0), p(1, 0, 0), p(1, 1, 0), p(0, 1, 0), p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1)}
	quads := [6][4]int{
		{0, 3, 2, 1}, // bottom, facing -z
		{4, 5, 6, 7}, // top
		{0, 1, 5, 4}, // front, -y
		{1, 2, 6, 5}, // right, +x
		{2, 3, 7, 6}, // back, +y
		{3, 0, 4, 7}, // left, -x
	}
	var ts []stl.Triangle
	for _, q := range quads {
		ts = append(ts, stl.Triangle{v[q[0]], v[q[1]], v[q[2]]}, stl.Triangle{v[q[0]], v[q[2]], v[q[3]]})
	}
	return ts
}

// Torus returns a closed torus of n×m quads (2nm triangles) with radii R and
// r around the Z axis, resting on z = 0: a watertight single shell of any
// size, for benchmarks.
func Torus(n, m int, R, r float64) []stl.Triangle {
	pt := func(i, j int) [3]float32 {
		u := 2 * math.Pi * float64(i%n) / float64(n)
		v := 2 * math.Pi * float64(j%m) / float64(m)
		return [3]float32{float32((R + r*math.Cos(v)) * math.Cos(u)), float32((R + r*math.Cos(v)) * math.Sin(u)), float32(r + r*math.Sin(v))}
	}
	ts := make([]stl.Triangle, 0, 2*n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			a, b, c, d := pt(i, j), pt(i+1, j), pt(i+1, j+1), pt(i, j+1)
			ts = append(ts, stl.Triangle{a, b, c}, stl.Triangle{a, c, d})
		}
	}
	return ts
}

// WriteBinary writes ts as a binary STL whose 80-byte header starts with
// header (real exporters often write "solid" there).
func WriteBinary(w io.Writer, header string, ts []stl.Triangle) error {
	bw := bufio.NewWriter(w)
	var h [84]byte
	copy(h[:80], header)
	binary.LittleEndian.PutUint32(h[80:], uint32(len(ts)))
	bw.Write(h[:])
	var rec [50]byte
	for _, t := range ts {
		n := normal(t)
		for c := 0; c < 3; c++ {
			binary.LittleEndian.PutUint32(rec[c*4:], math.Float32bits(n[c]))
		}
		for v := 0; v < 3; v++ {
			for c := 0; c < 3; c++ {
				binary.LittleEndian.PutUint32(rec[12+(v*3+c)*4:], math.Float32bits(t[v][c]))
			}
		}
		if _, err := bw.Write(rec[:]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteASCII writes ts as an ASCII STL with the given line ending.
func WriteASCII(w io.Writer, name string, ts []stl.Triangle, eol string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "solid %s%s", name, eol)
	for _, t := range ts {
		n := normal(t)
		fmt.Fprintf(bw, "  facet normal %e %e %e%s    outer loop%s", n[0], n[1], n[2], eol, eol)
		for v := 0; v < 3; v++ {
			fmt.Fprintf(bw, "      vertex %e %e %e%s", t[v][0], t[v][1], t[v][2], eol)
		}
		fmt.Fprintf(bw, "    endloop%s  endfacet%s", eol, eol)
	}
	fmt.Fprintf(bw, "endsolid %s%s", name, eol)
	return bw.Flush()
}

func normal(t stl.Triangle) [3]float32 {
	u := [3]float64{float64(t[1][0] - t[0][0]), float64(t[1][1] - t[0][1]), float64(t[1][2] - t[0][2])}
	v := [3]float64{float64(t[2][0] - t[0][0]), float64(t[2][1] - t[0][1]), float64(t[2][2] - t[0][2])}
	n := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
	l := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
	if l == 0 {
		return [3]float32{}
	}
	return [3]float32{float32(n[0] / l), float32(n[1] / l), float32(n[2] / l)}
}

// WriteFile writes ts to a file in tb's temp dir, binary unless ascii, and
// returns its path.
func WriteFile(tb testing.TB, name string, ts []stl.Triangle, ascii bool) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if ascii {
		err = WriteASCII(f, "part", ts, "\n")
	} else {
		err = WriteBinary(f, "binary STL from stltest", ts)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

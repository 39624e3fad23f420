package stl

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestEdgesInChunksAgree classifies edges with chunks so small that every
// mesh takes many passes (down to one corner a chunk, smaller than a
// corner's list), and checks that the counts do not change.
func TestEdgesInChunksAgree(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/stl/*.stl")
	var inputs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, b)
	}
	inputs = append(inputs, openCubes())
	for i, data := range inputs {
		want, err := Analyze(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		chunks := []int{5000, 40000} // the real parts: several passes each
		if i == len(inputs)-1 {
			chunks = []int{1, 3, 17} // the small mesh: a corner a chunk, and less
		}
		for _, chunk := range chunks {
			z := &Analyzer{edgeChunk: chunk}
			got, err := z.Analyze(bytes.NewReader(data), int64(len(data)))
			z.Close()
			if err != nil {
				t.Fatal(err)
			}
			if got.OpenEdges != want.OpenEdges || got.NonManifoldEdges != want.NonManifoldEdges ||
				got.OrientationErrors != want.OrientationErrors || got.Watertight != want.Watertight {
				t.Fatalf("input %d, chunk %d: %d/%d/%d, want %d/%d/%d", i, chunk,
					got.OpenEdges, got.NonManifoldEdges, got.OrientationErrors,
					want.OpenEdges, want.NonManifoldEdges, want.OrientationErrors)
			}
		}
	}
}

// openCubes is a binary STL of two cubes, one with a missing facet and one
// with a flipped facet, sharing an edge: every kind of edge fault at once.
func openCubes() []byte {
	cube := func(o [3]float32, s float32) [][3][3]float32 {
		p := func(x, y, z float32) [3]float32 { return [3]float32{o[0] + x*s, o[1] + y*s, o[2] + z*s} }
		v := [8][3]float32{p(0, 0, 0), p(1, 0, 0), p(1, 1, 0), p(0, 1, 0), p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1)}
		var ts [][3][3]float32
		for _, q := range [6][4]int{{0, 3, 2, 1}, {4, 5, 6, 7}, {0, 1, 5, 4}, {1, 2, 6, 5}, {2, 3, 7, 6}, {3, 0, 4, 7}} {
			ts = append(ts, [3][3]float32{v[q[0]], v[q[1]], v[q[2]]}, [3][3]float32{v[q[0]], v[q[2]], v[q[3]]})
		}
		return ts
	}
	a := cube([3]float32{}, 10)[1:] // missing facet
	b := cube([3]float32{10, 10, 0}, 10)
	b[3] = [3][3]float32{b[3][0], b[3][2], b[3][1]} // flipped facet
	ts := append(a, b...)
	var buf bytes.Buffer
	buf.Write(make([]byte, 80))
	binary.Write(&buf, binary.LittleEndian, uint32(len(ts)))
	for _, tr := range ts {
		buf.Write(make([]byte, 12))
		for _, v := range tr {
			for _, c := range v {
				binary.Write(&buf, binary.LittleEndian, math.Float32bits(c))
			}
		}
		buf.Write([]byte{0, 0})
	}
	return buf.Bytes()
}

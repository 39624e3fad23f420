package stl_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hstl "github.com/hschendel/stl"

	"github.com/makerhub/makerhub/designs/stl"
)

// collector is an hschendel/stl Writer that keeps the triangles.
type collector struct{ ts []stl.Triangle }

func (c *collector) SetName(string)          {}
func (c *collector) SetBinaryHeader([]byte)  {}
func (c *collector) SetASCII(bool)           {}
func (c *collector) SetTriangleCount(uint32) {}
func (c *collector) AppendTriangle(t hstl.Triangle) {
	c.ts = append(c.ts, stl.Triangle{t.Vertices[0], t.Vertices[1], t.Vertices[2]})
}

func readOurs(data []byte) ([]stl.Triangle, error) {
	var ts []stl.Triangle
	_, _, err := stl.Read(bytes.NewReader(data), int64(len(data)), func(t *stl.Triangle) error {
		ts = append(ts, *t)
		return nil
	})
	return ts, err
}

func readOracle(data []byte) ([]stl.Triangle, error) {
	c := &collector{}
	err := hstl.CopyAll(bytes.NewReader(data), c)
	return c.ts, err
}

func sameBits(a, b stl.Triangle) bool {
	for v := 0; v < 3; v++ {
		for c := 0; c < 3; c++ {
			if math.Float32bits(a[v][c]) != math.Float32bits(b[v][c]) {
				return false
			}
		}
	}
	return true
}

// agree checks the differential property on one input: when both readers
// accept it, they yield the same triangles, bit for bit. (hschendel/stl stops
// at the first "endsolid"; ours reads every solid of a file, so it may have
// more only when the input holds several.)
func agree(t *testing.T, data []byte) (bothAccepted bool) {
	ours, errOurs := readOurs(data)
	oracle, errOracle := readOracle(data)
	if errOurs != nil || errOracle != nil {
		return false
	}
	if len(ours) < len(oracle) {
		t.Fatalf("ours read %d triangles, hschendel/stl %d", len(ours), len(oracle))
	}
	if len(ours) > len(oracle) && bytes.Count(bytes.ToLower(data), []byte("endsolid")) < 2 {
		t.Fatalf("ours read %d triangles, hschendel/stl %d, from one solid", len(ours), len(oracle))
	}
	for i := range oracle {
		if !sameBits(ours[i], oracle[i]) {
			t.Fatalf("triangle %d: ours %v, hschendel/stl %v", i+1, ours[i], oracle[i])
		}
	}
	return true
}

func TestAgreesWithHschendelOnTheCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testdataDir, "*.stl"))
	if len(files) != 4 {
		t.Fatalf("found %d test files, want 4", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !agree(t, data) {
			t.Fatalf("%s: a reader refused it", f)
		}
		// The same triangles as ASCII, written by hschendel/stl itself.
		ts, _ := readOracle(data)
		solid := hstl.Solid{Name: "part", IsAscii: true}
		for _, tr := range ts {
			solid.Triangles = append(solid.Triangles, hstl.Triangle{Vertices: [3]hstl.Vec3{tr[0], tr[1], tr[2]}})
		}
		var ascii bytes.Buffer
		if err := solid.WriteAll(&ascii); err != nil {
			t.Fatal(err)
		}
		if !agree(t, ascii.Bytes()) {
			t.Fatalf("%s as ASCII: a reader refused it", f)
		}
		if crlf := strings.ReplaceAll(ascii.String(), "\n", "\r\n"); !agree(t, []byte(crlf)) {
			t.Fatalf("%s as CRLF ASCII: a reader refused it", f)
		}
	}
}

// FuzzRead checks that the reader never panics, that every refusal is a
// FormatError, that the analysis of what it accepts never panics either, and
// that it agrees with hschendel/stl whenever both accept an input. The seed
// corpus (every malformed case of read_test.go and valid files in both
// formats) runs with the normal tests.
func FuzzRead(f *testing.F) {
	for _, tc := range malformed(f) {
		f.Add(tc.data)
	}
	f.Add(binarySTL(f, "solid but binary", cube))
	f.Add(asciiSTL(f, cube, "\n"))
	f.Add(asciiSTL(f, cube[:3], "\r\n"))
	f.Add([]byte("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := analyze(data)
		if err != nil && !stl.IsFormatError(err) {
			t.Fatalf("refusal is not a FormatError: %v", err)
		}
		if err == nil && (a.Triangles == 0 || a.VolumeCm3 < 0 || math.IsNaN(a.VolumeCm3) || math.IsNaN(a.AreaCm2)) {
			t.Fatalf("accepted with a nonsensical analysis: %+v", a)
		}
		agree(t, data)
		// Read as a stream of unknown length, the same bytes are taken or
		// refused alike, with the same triangles.
		s, serr := stl.AnalyzeStream(bytes.NewReader(data), -1)
		switch {
		case (err == nil) != (serr == nil):
			t.Fatalf("with the size: %v; as a stream: %v", err, serr)
		case serr != nil && !stl.IsFormatError(serr):
			t.Fatalf("stream refusal is not a FormatError: %v", serr)
		case err == nil && (s.Triangles != a.Triangles || s.VolumeCm3 != a.VolumeCm3 || s.Watertight != a.Watertight):
			t.Fatalf("with the size: %+v; as a stream: %+v", a, s)
		}
	})
}

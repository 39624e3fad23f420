package stl_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/designs/stl/stltest"
)

func binarySTL(t testing.TB, header string, ts []stl.Triangle) []byte {
	var b bytes.Buffer
	if err := stltest.WriteBinary(&b, header, ts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func asciiSTL(t testing.TB, ts []stl.Triangle, eol string) []byte {
	var b bytes.Buffer
	if err := stltest.WriteASCII(&b, "part", ts, eol); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func analyze(data []byte) (*stl.Analysis, error) {
	return stl.Analyze(bytes.NewReader(data), int64(len(data)))
}

var cube = stltest.Cube([3]float32{0, 0, 0}, 10)

// malformed holds every malformed case the issue names, and more, with the
// words the message must contain. They seed the fuzz target too.
func malformed(t testing.TB) map[string]struct {
	data []byte
	want string
} {
	good := binarySTL(t, "solid cube", cube)
	nan := bytes.Clone(good)
	binary.LittleEndian.PutUint32(nan[84+50*3+12+4:], math.Float32bits(float32(math.NaN())))
	inf := bytes.Clone(good)
	binary.LittleEndian.PutUint32(inf[84+12:], math.Float32bits(float32(math.Inf(1))))
	huge := bytes.Clone(good)
	binary.LittleEndian.PutUint32(huge[80:], 4_000_000_000)
	zero := bytes.Clone(good[:84])
	binary.LittleEndian.PutUint32(zero[80:], 0)
	ascii := string(asciiSTL(t, cube, "\n"))
	return map[string]struct {
		data []byte
		want string
	}{
		"empty":               {nil, "the file is empty"},
		"not an STL":          {[]byte("PK\x03\x04 a zip file"), "not an STL file"},
		"short text":          {[]byte("hello"), "not an STL file"},
		"truncated binary":    {good[:84+50*5+20], "truncated at triangle 6 of 12"},
		"count beyond file":   {huge, "triangle count this much larger than the file"},
		"no triangles":        {zero, "declares no triangles"},
		"NaN coordinate":      {nan, "triangle 4 has a non-finite coordinate (NaN) at vertex 1"},
		"Inf coordinate":      {inf, "triangle 1 has a non-finite coordinate (+Inf) at vertex 1"},
		"ascii bad keyword":   {[]byte(strings.Replace(ascii, "outer loop", "outer lop", 1)), `line 3: expected "outer loop"`},
		"ascii bad number":    {[]byte(strings.Replace(ascii, "vertex 0.000000e+00", "vertex zero", 1)), `line 4: "zero" is not a number`},
		"ascii nan vertex":    {[]byte(strings.Replace(ascii, "vertex 0.000000e+00", "vertex nan", 1)), "line 4: vertex has a non-finite coordinate"},
		"ascii four vertices": {[]byte(strings.Replace(ascii, "endloop", "vertex 1 2 3\n endloop", 1)), `line 7: expected "endloop"`},
		"ascii two vertices":  {[]byte(strings.Replace(ascii, "      vertex 1.000000e+01 0.000000e+00 0.000000e+00\n", "", 1)), "expected"},
		"ascii cut mid facet": {[]byte(ascii[:len(ascii)/2+7]), "in the middle of triangle"},
		"ascii no endsolid":   {[]byte(strings.TrimSuffix(ascii, "endsolid part\n")), "without \"endsolid\"; it may be truncated"},
		"ascii no facets":     {[]byte("solid empty\nendsolid empty\n"), "contains no triangles"},
		"ascii garbage line":  {[]byte("solid x\n\x01\x02\n"), "not an STL file"},
		"ascii no solid":      {[]byte("facet normal 0 0 1\n"), "not an STL file"},
		"ascii huge line":     {[]byte("solid x\n" + strings.Repeat("a", 70000) + "\n"), "longer than"},
		"ascii bad normal":    {[]byte(strings.Replace(ascii, "facet normal", "facet normal x", 1)), `line 2: expected "facet normal`},
	}
}

func TestMalformedFilesNameTheProblem(t *testing.T) {
	for name, tc := range malformed(t) {
		t.Run(name, func(t *testing.T) {
			_, err := analyze(tc.data)
			if err == nil {
				t.Fatalf("accepted; want an error mentioning %q", tc.want)
			}
			if !stl.IsFormatError(err) {
				t.Fatalf("error %v is not a FormatError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestFormatIsDetectedFromContentNotHeader(t *testing.T) {
	solidHeader := binarySTL(t, "solid exported by SolidWorks", cube)
	a, err := analyze(solidHeader)
	if err != nil || a.Format != stl.Binary || a.Triangles != 12 {
		t.Fatalf("binary with 'solid' header: %+v, %v", a, err)
	}
	for name, data := range map[string][]byte{
		"LF":         asciiSTL(t, cube, "\n"),
		"CRLF":       asciiSTL(t, cube, "\r\n"),
		"BOM":        append([]byte("\xef\xbb\xbf"), asciiSTL(t, cube, "\n")...),
		"upper case": []byte(strings.ToUpper(string(asciiSTL(t, cube, "\n")))),
		"tabs":       []byte(strings.ReplaceAll(string(asciiSTL(t, cube, "\n")), "  ", "\t")),
		"two solids": append(asciiSTL(t, cube[:6], "\n"), asciiSTL(t, cube[6:], "\r\n")...),
		"bare facet": []byte(strings.ReplaceAll(string(asciiSTL(t, cube, "\n")), "facet normal 0.000000e+00 0.000000e+00 -1.000000e+00", "facet")),
	} {
		a, err := analyze(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.Format != stl.ASCII || a.Triangles != 12 || !a.Watertight || math.Abs(a.VolumeCm3-1) > 1e-9 {
			t.Errorf("%s: %+v", name, a)
		}
	}
}

func TestWarnings(t *testing.T) {
	trailing := append(binarySTL(t, "x", cube), 0, 0, 0)
	a, err := analyze(trailing)
	if err != nil || len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "3 bytes after") {
		t.Fatalf("trailing bytes: %+v %v", a, err)
	}
}

func TestStreamsOfUnknownLength(t *testing.T) {
	for name, tc := range malformed(t) {
		_, err := stl.AnalyzeStream(bytes.NewReader(tc.data), int64(len(tc.data))+100)
		if err == nil || !stl.IsFormatError(err) {
			t.Errorf("%s as a stream: %v", name, err)
		}
	}
	for _, data := range [][]byte{binarySTL(t, "solid but binary", cube), asciiSTL(t, cube, "\r\n"), append(binarySTL(t, "x", cube), 1, 2)} {
		a, err := stl.AnalyzeStream(bytes.NewReader(data), -1)
		if err != nil || a.Triangles != 12 || !a.Watertight {
			t.Errorf("stream: %+v %v", a, err)
		}
	}
}

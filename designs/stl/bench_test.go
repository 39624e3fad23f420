package stl_test

import (
	"bytes"
	"os"
	"sync"
	"testing"

	hstl "github.com/hschendel/stl"

	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/designs/stl/stltest"
)

// Benchmark inputs, made once per run: a closed torus of 1,000,000
// triangles as binary (50 MB) and of 200,000 triangles as ASCII (~51 MB).
var (
	benchOnce             sync.Once
	benchBinary, benchTxt []byte
)

func benchFiles(b *testing.B) ([]byte, []byte) {
	benchOnce.Do(func() {
		var buf bytes.Buffer
		stltest.WriteBinary(&buf, "solid torus (binary)", stltest.Torus(1000, 500, 80, 20))
		benchBinary = buf.Bytes()
		var txt bytes.Buffer
		stltest.WriteASCII(&txt, "torus", stltest.Torus(400, 250, 80, 20), "\n")
		benchTxt = txt.Bytes()
	})
	return benchBinary, benchTxt
}

func BenchmarkAnalyzeBinary1M(b *testing.B) {
	data, _ := benchFiles(b)
	b.SetBytes(int64(len(data)))
	var z stl.Analyzer // as designs.Service holds one: memory kept between uploads
	defer z.Close()
	b.ReportAllocs()
	for b.Loop() {
		a, err := z.Analyze(bytes.NewReader(data), int64(len(data)))
		if err != nil || a.Triangles != 1_000_000 || !a.Watertight {
			b.Fatalf("%+v %v", a, err)
		}
	}
}

// BenchmarkAnalyzeBinary4M analyses the mesh of the 200 MB upload benchmark
// (cmd/makerhub BenchmarkUpload200MB) in process: 4,000,000 triangles.
func BenchmarkAnalyzeBinary4M(b *testing.B) {
	var buf bytes.Buffer
	stltest.WriteBinary(&buf, "solid torus 4M", stltest.Torus(2000, 1000, 80, 20))
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	var z stl.Analyzer // as designs.Service holds one: memory kept between uploads
	defer z.Close()
	b.ReportAllocs()
	for b.Loop() {
		a, err := z.Analyze(bytes.NewReader(data), int64(len(data)))
		if err != nil || a.Triangles != 4_000_000 || !a.Watertight {
			b.Fatalf("%+v %v", a, err)
		}
	}
}

func BenchmarkReadBinary1M(b *testing.B) {
	data, _ := benchFiles(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := stl.Read(bytes.NewReader(data), int64(len(data)), func(*stl.Triangle) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadBinary1MHschendel is the anchor for BenchmarkReadBinary1M:
// hschendel/stl's streaming CopyAll on the same bytes.
func BenchmarkReadBinary1MHschendel(b *testing.B) {
	data, _ := benchFiles(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := hstl.CopyAll(bytes.NewReader(data), &discard{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnalyzeASCII(b *testing.B) {
	_, data := benchFiles(b)
	b.SetBytes(int64(len(data)))
	var z stl.Analyzer // as designs.Service holds one: memory kept between uploads
	defer z.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := z.Analyze(bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadASCII(b *testing.B) {
	_, data := benchFiles(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := stl.Read(bytes.NewReader(data), int64(len(data)), func(*stl.Triangle) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadASCIIHschendel is the anchor for BenchmarkReadASCII.
func BenchmarkReadASCIIHschendel(b *testing.B) {
	_, data := benchFiles(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := hstl.CopyAll(bytes.NewReader(data), &discard{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeTestdata analyses the four real parts.
func BenchmarkAnalyzeTestdata(b *testing.B) {
	var all [][]byte
	for _, ref := range reference {
		data, err := os.ReadFile(testdataDir + "/" + ref.file)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, data)
	}
	var z stl.Analyzer // as designs.Service holds one: memory kept between uploads
	defer z.Close()
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range all {
			if _, err := z.Analyze(bytes.NewReader(data), int64(len(data))); err != nil {
				b.Fatal(err)
			}
		}
	}
}

type discard struct{}

func (discard) SetName(string)               {}
func (discard) SetBinaryHeader([]byte)       {}
func (discard) SetASCII(bool)                {}
func (discard) SetTriangleCount(uint32)      {}
func (discard) AppendTriangle(hstl.Triangle) {}

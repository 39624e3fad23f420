// Package demo holds the sample parts that `makerhub serve --demo` publishes
// in an empty hub: gzipped copies of the real STL files of testdata/stl,
// embedded so that a built binary can seed a hub wherever it runs (go:embed
// cannot reach testdata/ from cmd/makerhub, and the copies compress to less
// than half: 2.7 MB instead of 5.9 MB in the binary). A test checks that each
// copy is byte for byte the file in testdata/stl.
package demo

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"slices"
)

//go:embed parts/*.stl.gz
var parts embed.FS

// Part is a reference part with its provenance, as testdata/README.md
// states it.
type Part struct {
	File      string // the STL's name in testdata/stl
	Source    string // the project it comes from
	SourceURL string
	Licence   string // SPDX id of the licence testdata/README.md gives
}

// Parts returns the embedded parts; the slice is the caller's own copy.
func Parts() []Part { return slices.Clone(partList) }

// partList is Parts. The licences are those of testdata/README.md:
// "CERN-OHL-P v2" is CERN-OHL-P-2.0; "GPL-3.0" is kept as written (the
// deprecated SPDX id, which the hub accepts, since the source says no more).
var partList = []Part{
	{File: "face-shield-headpiece.stl", Source: "GliaX faceshield",
		SourceURL: "https://github.com/GliaX/faceshield", Licence: "GPL-3.0"},
	{File: "ventilator-valve-handle.stl", Source: tetra, SourceURL: tetraURL, Licence: "CERN-OHL-P-2.0"},
	{File: "ventilator-splitter-4way-wye.stl", Source: tetra, SourceURL: tetraURL, Licence: "CERN-OHL-P-2.0"},
	{File: "ventilator-connector-npt.stl", Source: tetra, SourceURL: tetraURL, Licence: "CERN-OHL-P-2.0"},
}

const (
	tetra    = "Helpful Engineering ventilator splitter project (project-tetra)"
	tetraURL = "https://github.com/tetrabiodistributed/project-tetra"
)

// Find returns the part stored as file.
func Find(file string) (Part, error) {
	for _, p := range partList {
		if p.File == file {
			return p, nil
		}
	}
	return Part{}, fmt.Errorf("demo part %s is not embedded", file)
}

// STL returns the part's STL file, uncompressed (at most 3 MB).
func (p Part) STL() ([]byte, error) {
	f, err := parts.Open("parts/" + p.File + ".gz")
	if err != nil {
		return nil, fmt.Errorf("demo part %s: %w", p.File, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("demo part %s: %w", p.File, err)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, fmt.Errorf("demo part %s: %w", p.File, err)
	}
	return buf.Bytes(), zr.Close()
}

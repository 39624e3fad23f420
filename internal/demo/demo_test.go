package demo_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/demo"
)

// TestPartsAreTestdata checks that every embedded copy is the file of
// testdata/stl it claims to be, that every copy is listed, and that every
// licence is one the hub accepts and the one testdata/README.md gives.
func TestPartsAreTestdata(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "testdata", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The README's licences as written, and the SPDX id each stands for.
	spdx := map[string]string{"CERN-OHL-P v2": "CERN-OHL-P-2.0", "GPL-3.0": "GPL-3.0"}
	for _, p := range demo.Parts() {
		want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "stl", p.File))
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.STL()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the embedded copy (%d bytes) differs from testdata/stl (%d bytes): regenerate it with gzip -9nc", p.File, len(got), len(want))
		}
		if _, err := designs.LookupLicence(p.Licence); err != nil {
			t.Errorf("%s: %v", p.File, err)
		}
		var row string
		for line := range strings.SplitSeq(string(readme), "\n") {
			if strings.HasPrefix(line, "| stl/"+p.File+" |") {
				row = line
			}
		}
		cells := strings.Split(strings.Trim(row, "| "), " | ")
		if len(cells) != 4 || spdx[cells[3]] != p.Licence || cells[2] != p.Source && cells[2] != "same" {
			t.Errorf("%s: licence %s, source %q; testdata/README.md says %q", p.File, p.Licence, p.Source, row)
		}
	}
	embedded, err := fs.Glob(os.DirFS("parts"), "*.stl.gz")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range embedded {
		if _, err := demo.Find(strings.TrimSuffix(f, ".gz")); err != nil {
			t.Errorf("parts/%s is embedded but not listed in Parts", f)
		}
	}
	if len(embedded) != len(demo.Parts()) || !slices.ContainsFunc(demo.Parts(), func(p demo.Part) bool { return p.File == "face-shield-headpiece.stl" }) {
		t.Errorf("embedded %v, listed %d parts", embedded, len(demo.Parts()))
	}
}

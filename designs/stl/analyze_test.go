package stl_test

import (
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/designs/stl/stltest"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestCube(t *testing.T) {
	a, err := analyze(binarySTL(t, "", stltest.Cube([3]float32{-5, 100, 3}, 20)))
	if err != nil {
		t.Fatal(err)
	}
	want := stl.BBox{Min: stl.Vec3{-5, 100, 3}, Max: stl.Vec3{15, 120, 23}}
	if a.BBox != want || a.SizeMM != (stl.Vec3{20, 20, 20}) {
		t.Errorf("bbox %+v size %v", a.BBox, a.SizeMM)
	}
	if !near(a.VolumeCm3, 8, 1e-9) || !near(a.AreaCm2, 24, 1e-9) {
		t.Errorf("volume %v cm³, area %v cm², want 8 and 24", a.VolumeCm3, a.AreaCm2)
	}
	if !a.Watertight || !a.Manifold || a.Shells != 1 || a.Inverted || a.DegenerateFacets != 0 || a.Vertices != 8 || a.OpenEdges+a.NonManifoldEdges+a.OrientationErrors != 0 {
		t.Errorf("topology %+v", a)
	}
	s := a.Surface
	if !near(s.UpCm2, 4, 1e-9) || !near(s.DownCm2, 4, 1e-9) || !near(s.WallCm2, 16, 1e-9) || !near(s.BedContactCm2, 4, 1e-9) || s.OverhangCm2 != 0 {
		t.Errorf("surface %+v", s)
	}
	if !slices.Contains(a.FitsBeds, "prusa-mini") || len(a.FitsBeds) != len(stl.Beds()) {
		t.Errorf("fits %v", a.FitsBeds)
	}
}

func TestTopologyFaults(t *testing.T) {
	c := stltest.Cube([3]float32{}, 10)
	inverted := make([]stl.Triangle, len(c))
	for i, tr := range c {
		inverted[i] = stl.Triangle{tr[0], tr[2], tr[1]}
	}
	flipped := slices.Clone(c)
	flipped[0] = stl.Triangle{c[0][0], c[0][2], c[0][1]}
	degenerate := append(slices.Clone(c), stl.Triangle{c[0][0], c[0][0], c[0][1]}, stl.Triangle{{0, 0, 0}, {5, 0, 0}, {10, 0, 0}})
	twoApart := append(slices.Clone(c), stltest.Cube([3]float32{50, 0, 0}, 10)...)
	// Two cubes touching along one edge: four facets meet there in two
	// pairs — closed, but not manifold.
	edgeTouch := append(slices.Clone(c), stltest.Cube([3]float32{10, 10, 0}, 10)...)

	tests := []struct {
		name string
		ts   []stl.Triangle
		chk  func(a *stl.Analysis) bool
	}{
		{"missing facet", c[1:], func(a *stl.Analysis) bool { return !a.Watertight && a.OpenEdges == 3 }},
		{"inverted", inverted, func(a *stl.Analysis) bool {
			return a.Inverted && a.Watertight && near(a.VolumeCm3, 1, 1e-9) && near(a.Surface.BedContactCm2, 1, 1e-9)
		}},
		{"one facet flipped", flipped, func(a *stl.Analysis) bool { return a.OrientationErrors == 3 && a.Watertight && !a.Inverted }},
		{"degenerate facets", degenerate, func(a *stl.Analysis) bool { return a.DegenerateFacets == 2 && a.Watertight && a.Triangles == 14 }},
		{"two shells", twoApart, func(a *stl.Analysis) bool { return a.Shells == 2 && a.Watertight && near(a.VolumeCm3, 2, 1e-9) }},
		{"touching edge", edgeTouch, func(a *stl.Analysis) bool {
			return a.Watertight && !a.Manifold && a.NonManifoldEdges == 1 && a.Shells == 1
		}},
	}
	for _, tt := range tests {
		a, err := analyze(binarySTL(t, "", tt.ts))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !tt.chk(a) {
			t.Errorf("%s: %+v", tt.name, a)
		}
	}
}

func TestNegativeZeroIsZero(t *testing.T) {
	c := stltest.Cube([3]float32{}, 10)
	for i := range c[:6] {
		for v := 0; v < 3; v++ {
			if c[i][v][0] == 0 {
				c[i][v][0] = float32(math.Copysign(0, -1))
			}
		}
	}
	a, err := analyze(binarySTL(t, "", c))
	if err != nil || !a.Watertight || a.Vertices != 8 {
		t.Fatalf("-0 and +0 corners not merged: %+v %v", a, err)
	}
}

func TestBedFitWithRotationAboutZ(t *testing.T) {
	bar := func(length float32) *stl.Analysis {
		var ts []stl.Triangle
		for _, tr := range stltest.Cube([3]float32{}, 1) {
			for v := range tr {
				tr[v] = [3]float32{tr[v][0] * length, tr[v][1] * 10, tr[v][2] * 10}
			}
			ts = append(ts, tr)
		}
		a, err := analyze(binarySTL(t, "", ts))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// 200 × 10 mm fits a 180 × 180 bed on the diagonal; 250 × 10 does not
	// (at 45° it needs 250·cos45 + 10·sin45 = 183.8 mm each way).
	if a := bar(200); !a.FitsBed(180, 180, 180) || !slices.Contains(a.FitsBeds, "prusa-mini") {
		t.Errorf("200 mm bar does not fit 180×180 diagonally: %v", a.Footprints)
	}
	if a := bar(250); a.FitsBed(180, 180, 180) || slices.Contains(a.FitsBeds, "prusa-mini") || !a.FitsBed(250, 210, 210) {
		t.Errorf("250 mm bar fit wrong: %v", a.Footprints)
	}
	if a := bar(100); a.FitsBed(180, 180, 9) {
		t.Error("a 10 mm tall part fits a 9 mm tall volume")
	}
	// Exactly the bed's size fits.
	if a := bar(180); !a.FitsBed(180, 10, 10) {
		t.Errorf("180 × 10 × 10 does not fit 180 × 10 × 10: %v", a.Footprints)
	}
}

func TestEstimate(t *testing.T) {
	a, err := analyze(binarySTL(t, "", stltest.Cube([3]float32{}, 20)))
	if err != nil {
		t.Fatal(err)
	}
	e, err := a.Estimate(stl.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if e.Layers != 100 || e.FilamentCm3 <= 0 || e.FilamentCm3 > 8 || e.PrintMinutes <= 0 || !near(e.FilamentG, e.FilamentCm3*1.24, 0.01) {
		t.Errorf("estimate %+v", e)
	}
	full := stl.DefaultSettings()
	full.InfillPercent = 100
	ef, _ := a.Estimate(full)
	if !near(ef.FilamentCm3, 8, 0.01) {
		t.Errorf("100%% infill uses %v cm³ of an 8 cm³ cube", ef.FilamentCm3)
	}
	empty := stl.DefaultSettings()
	empty.InfillPercent = 0
	if e0, _ := a.Estimate(empty); e0.FilamentCm3 >= e.FilamentCm3 {
		t.Errorf("0%% infill (%v) not less than 20%% (%v)", e0.FilamentCm3, e.FilamentCm3)
	}
	for _, bad := range []func(s *stl.PrintSettings){
		func(s *stl.PrintSettings) { s.LayerHeightMM = 0.5 },
		func(s *stl.PrintSettings) { s.InfillPercent = 120 },
		func(s *stl.PrintSettings) { s.Perimeters = 0 },
		func(s *stl.PrintSettings) { s.DensityGCm3 = 0 },
		func(s *stl.PrintSettings) { s.NozzleMM = math.NaN() },
	} {
		s := stl.DefaultSettings()
		bad(&s)
		if _, err := a.Estimate(s); err == nil {
			t.Errorf("settings %+v accepted", s)
		}
	}
}

func TestSupportsAddMaterialUnderOverhangs(t *testing.T) {
	// A table: a 40×40 top plate on one leg leaves overhangs.
	var ts []stl.Triangle
	ts = append(ts, stltest.Cube([3]float32{15, 15, 0}, 10)...)
	for _, tr := range stltest.Cube([3]float32{}, 1) {
		for v := range tr {
			tr[v] = [3]float32{tr[v][0] * 40, tr[v][1] * 40, 10 + tr[v][2]*2}
		}
		ts = append(ts, tr)
	}
	a, err := analyze(binarySTL(t, "", ts))
	if err != nil {
		t.Fatal(err)
	}
	if a.Surface.OverhangCm2 <= 0 || a.Surface.SupportCm3 <= 0 {
		t.Fatalf("no overhang found: %+v", a.Surface)
	}
	s := stl.DefaultSettings()
	without, _ := a.Estimate(s)
	s.Supports = true
	with, _ := a.Estimate(s)
	if with.FilamentCm3 <= without.FilamentCm3 || with.PrintMinutes <= without.PrintMinutes {
		t.Errorf("supports add nothing: %+v vs %+v", with, without)
	}
}

// TestArenaReuse analyses meshes of different sizes one after another and
// side by side: the big arrays an analysis releases are reused by the next
// (see arena.go), and no result may depend on what was there before.
func TestArenaReuse(t *testing.T) {
	big := binarySTL(t, "", stltest.Torus(300, 200, 80, 20))
	small := binarySTL(t, "", stltest.Cube([3]float32{1, 2, 3}, 7))
	open := binarySTL(t, "", stltest.Torus(40, 30, 50, 10)[1:]) // one facet missing
	files := [][]byte{big, small, open}
	var want []*stl.Analysis
	for _, f := range files {
		a, err := analyze(f)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a)
	}
	check := func(i int) {
		a, err := analyze(files[i])
		if err != nil {
			t.Error(err)
			return
		}
		if !reflect.DeepEqual(a, want[i]) {
			t.Errorf("file %d analysed again: %+v\nfirst time: %+v", i, a, want[i])
		}
	}
	for _, i := range []int{1, 0, 2, 0, 1, 2, 2, 0} {
		check(i)
	}
	var wg sync.WaitGroup
	for k := 0; k < 12; k++ {
		wg.Add(1)
		go func() { defer wg.Done(); check(k % 3) }()
	}
	wg.Wait()
	if !want[0].Watertight || want[2].Watertight || want[2].OpenEdges != 3 {
		t.Errorf("open edges: torus %d, torus with a hole %d", want[0].OpenEdges, want[2].OpenEdges)
	}
}

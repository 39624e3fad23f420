package stl_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/makerhub/makerhub/designs/stl"
)

// testdataDir holds real parts with figures from admesh and PrusaSlicer
// (testdata/README.md).
const testdataDir = "../../testdata/stl"

// reference figures from testdata/README.md.
var reference = []struct {
	file       string
	triangles  int
	min, max   stl.Vec3
	volumeMM3  float64
	filamentCm float64 // PrusaSlicer, cm³
	minutes    float64 // PrusaSlicer, normal mode
}{
	{"ventilator-splitter-4way-wye.stl", 17372, stl.Vec3{0, 0, 0}, stl.Vec3{68, 72, 68}, 39748.09, 29.38, 3*60 + 10 + 30.0/60},
	{"ventilator-valve-handle.stl", 7596, stl.Vec3{-8.996912, -27.747944, -4.5}, stl.Vec3{17.499699, 27.747944, 3.2}, 3195.623, 2.17, 13 + 54.0/60},
	{"ventilator-connector-npt.stl", 60412, stl.Vec3{0.355965, 0, 0}, stl.Vec3{31.851965, 21.733082, 18.8214}, 4692.451, 4.22, 30 + 53.0/60},
	{"face-shield-headpiece.stl", 33630, stl.Vec3{-109.184319, 13.856565, 0}, stl.Vec3{109.184326, 110.699776, 15}, 21166.09, 20.48, 2*60 + 38 + 17.0/60},
}

func analyzeFile(t testing.TB, path string) *stl.Analysis {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	a, err := stl.Analyze(f, fi.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return a
}

// TestAgreesWithAdmesh: same triangle count, bounding box within 0.001 mm,
// volume within 0.1 %, closed single shells.
func TestAgreesWithAdmesh(t *testing.T) {
	for _, ref := range reference {
		a := analyzeFile(t, filepath.Join(testdataDir, ref.file))
		if a.Triangles != ref.triangles {
			t.Errorf("%s: %d triangles, admesh %d", ref.file, a.Triangles, ref.triangles)
		}
		for c := 0; c < 3; c++ {
			if math.Abs(a.BBox.Min[c]-ref.min[c]) > 0.001 || math.Abs(a.BBox.Max[c]-ref.max[c]) > 0.001 {
				t.Errorf("%s: bbox %v, admesh %v–%v", ref.file, a.BBox, ref.min, ref.max)
			}
		}
		if d := math.Abs(a.VolumeCm3*1000-ref.volumeMM3) / ref.volumeMM3; d > 0.001 {
			t.Errorf("%s: volume %.3f mm³, admesh %.3f (%.4f%% off)", ref.file, a.VolumeCm3*1000, ref.volumeMM3, 100*d)
		}
		if !a.Watertight || a.Shells != 1 || a.Inverted || a.DegenerateFacets != 0 {
			t.Errorf("%s: watertight %v shells %d inverted %v degenerate %d; admesh: closed single shell", ref.file, a.Watertight, a.Shells, a.Inverted, a.DegenerateFacets)
		}
	}
}

// TestEstimatesAgainstPrusaSlicer: with the reference profile (PETG), the
// estimate is within ±15 % of PrusaSlicer's filament and ±30 % of its time.
func TestEstimatesAgainstPrusaSlicer(t *testing.T) {
	s := stl.DefaultSettings()
	s.DensityGCm3 = 1.27
	for _, ref := range reference {
		a := analyzeFile(t, filepath.Join(testdataDir, ref.file))
		e, err := a.Estimate(s)
		if err != nil {
			t.Fatal(err)
		}
		fErr := e.FilamentCm3/ref.filamentCm - 1
		tErr := e.PrintMinutes/ref.minutes - 1
		t.Logf("%-34s filament %6.2f cm³ vs %6.2f (%+5.1f%%)  time %6.1f min vs %6.1f (%+5.1f%%)",
			ref.file, e.FilamentCm3, ref.filamentCm, 100*fErr, e.PrintMinutes, ref.minutes, 100*tErr)
		if math.Abs(fErr) > 0.15 {
			t.Errorf("%s: filament off by %+.1f%%, limit ±15%%", ref.file, 100*fErr)
		}
		if math.Abs(tErr) > 0.30 {
			t.Errorf("%s: time off by %+.1f%%, limit ±30%%", ref.file, 100*tErr)
		}
	}
}

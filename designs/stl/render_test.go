package stl_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/designs/stl/stltest"
)

func render(t *testing.T, data []byte, px int) *image.NRGBA {
	t.Helper()
	a, err := stl.Analyze(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	img, err := stl.Render(bytes.NewReader(data), int64(len(data)), a.BBox, px)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// coverage is the share of the image the part covers (alpha-weighted).
func coverage(img *image.NRGBA) float64 {
	var a int
	for i := 3; i < len(img.Pix); i += 4 {
		a += int(img.Pix[i])
	}
	return float64(a) / float64(255*len(img.Pix)/4)
}

// A cube seen from the front right and above is a hexagon of three faces,
// each lit differently, centred, with the corners of the image empty.
func TestRenderCube(t *testing.T) {
	img := render(t, binarySTL(t, "part", stltest.Cube([3]float32{5, 5, 0}, 20)), 64)
	if img.Bounds() != image.Rect(0, 0, 64, 64) {
		t.Fatalf("bounds %v", img.Bounds())
	}
	for _, p := range []image.Point{{0, 0}, {63, 0}, {0, 63}, {63, 63}} {
		if a := img.NRGBAAt(p.X, p.Y).A; a != 0 {
			t.Errorf("corner %v is drawn (alpha %d)", p, a)
		}
	}
	if c := img.NRGBAAt(32, 32); c.A != 255 {
		t.Errorf("the centre is not covered: %v", c)
	}
	if cov := coverage(img); cov < 0.45 || cov > 0.8 {
		t.Errorf("the cube covers %.2f of the image; a hexagon filling 92 %% of it covers about 0.6", cov)
	}
	// Three faces: three shades among fully covered pixels, all of the
	// part's hue.
	shades := map[uint8]int{}
	for y := range 64 {
		for x := range 64 {
			if c := img.NRGBAAt(x, y); c.A == 255 {
				shades[c.R]++
				if c.R < c.G || c.G < c.B {
					t.Fatalf("pixel %d,%d %v is not orange", x, y, c)
				}
			}
		}
	}
	big := 0
	for _, n := range shades {
		if n > 200 {
			big++
		}
	}
	if big != 3 {
		t.Errorf("%d large areas of one shade; want the 3 visible faces: %v", big, shades)
	}
}

// Facets whose winding is inverted are drawn the same: lit from both sides.
func TestRenderInvertedNormals(t *testing.T) {
	ts := stltest.Cube([3]float32{}, 10)
	flipped := make([]stl.Triangle, len(ts))
	for i, tr := range ts {
		flipped[i] = stl.Triangle{tr[0], tr[2], tr[1]}
	}
	a, b := render(t, binarySTL(t, "part", ts), 48), render(t, binarySTL(t, "part", flipped), 48)
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("an inverted cube renders differently")
	}
}

// Real parts render deterministically and fill a plausible share of the
// image; the PNGs are written to $MAKERHUB_THUMBNAILS when set, to look at.
func TestRenderReferenceParts(t *testing.T) {
	out := os.Getenv("MAKERHUB_THUMBNAILS")
	for _, name := range []string{"face-shield-headpiece.stl", "ventilator-valve-handle.stl"} {
		data, err := os.ReadFile(filepath.Join(testdataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		img := render(t, data, 256)
		if again := render(t, data, 256); !bytes.Equal(img.Pix, again.Pix) {
			t.Errorf("%s renders differently twice", name)
		}
		if cov := coverage(img); cov < 0.05 || cov > 0.8 {
			t.Errorf("%s covers %.3f of its thumbnail", name, cov)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if buf.Len() > 100<<10 {
			t.Errorf("%s: thumbnail of %d bytes", name, buf.Len())
		}
		if out != "" {
			if err := os.WriteFile(filepath.Join(out, name+".png"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestRenderRefusesABrokenFile(t *testing.T) {
	data := binarySTL(t, "part", stltest.Cube([3]float32{}, 10))
	_, err := stl.Render(bytes.NewReader(data[:len(data)-7]), int64(len(data)-7), stl.BBox{Max: stl.Vec3{10, 10, 10}}, 32)
	if !stl.IsFormatError(err) {
		t.Fatalf("a truncated file: %v; want a format error", err)
	}
}

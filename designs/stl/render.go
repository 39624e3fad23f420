package stl

import (
	"image"
	"image/color"
	"io"
	"math"
)

// Thumbnails are drawn here rather than with a rendering library: a part
// needs one shaded view, which a z-buffer over the triangles as they stream
// past gives in a page of code, in memory bounded by the image (never by the
// mesh), and with nothing to install (no GPU, no cgo). The Go rasterizers
// that exist (fogleman/fauxgl and others) are unmaintained and load the
// whole mesh.

// thumbnailColour is the colour parts are drawn in: filament orange.
func thumbnailColour() color.NRGBA { return color.NRGBA{R: 0xED, G: 0x6B, B: 0x21, A: 0xFF} }

// supersample is how many samples per pixel side: 2 gives smooth edges at a
// quarter of the cost of 4.
const supersample = 2

// Render draws the mesh read from r (size bytes, as for Read) as a px × px
// image on a transparent background: an orthographic view from the front,
// right and above, as slicers show a part, scaled to fill the image. box is
// the mesh's bounding box (its Analysis has it), which fixes the view
// before the first triangle arrives, so that the mesh is read once and never
// held: memory is the image's, whatever the mesh's size. Facets are lit
// from both sides, so a mesh with inverted normals looks the same.
func Render(r io.Reader, size int64, box BBox, px int) (*image.NRGBA, error) {
	v := newView(box, px*supersample)
	if _, _, err := Read(r, size, func(t *Triangle) error {
		v.draw(t)
		return nil
	}); err != nil {
		return nil, err
	}
	return v.image(px), nil
}

type view struct {
	n              int     // samples per side
	centre         Vec3    // of the box
	right, up, eye Vec3    // the camera's axes; eye points from the part to the camera
	light          Vec3    // towards the light
	scale          float64 // samples per mm
	depth          []float32
	shade          []uint8 // 0: empty; else 1 + the light's intensity × 254
}

func newView(box BBox, n int) *view {
	v := &view{n: n, depth: make([]float32, n*n), shade: make([]uint8, n*n)}
	for i := range v.depth {
		v.depth[i] = float32(math.Inf(-1))
	}
	for i := range 3 {
		v.centre[i] = (box.Min[i] + box.Max[i]) / 2
	}
	// From the front right, above: x to the right, y away, z up.
	v.eye = unit(Vec3{1, -1.25, 0.9})
	v.right = unit(cross(Vec3{0, 0, 1}, v.eye))
	v.up = cross(v.eye, v.right)
	v.light = unit(Vec3{0.4, -1, 1.4})
	// Fit the box's projection, with a margin.
	var lo, hi [2]float64
	for i := range 8 {
		c := Vec3{box.Min[0], box.Min[1], box.Min[2]}
		for a := range 3 {
			if i&(1<<a) != 0 {
				c[a] = box.Max[a]
			}
		}
		x, y, _ := v.project(c)
		if i == 0 {
			lo, hi = [2]float64{x, y}, [2]float64{x, y}
		}
		lo = [2]float64{min(lo[0], x), min(lo[1], y)}
		hi = [2]float64{max(hi[0], x), max(hi[1], y)}
	}
	extent := max(hi[0]-lo[0], hi[1]-lo[1])
	if extent <= 0 || math.IsNaN(extent) || math.IsInf(extent, 0) {
		extent = 1
	}
	v.scale = 0.92 * float64(n) / extent
	// Centre the box's outline in the image: move the view's centre to
	// the middle of the projected extents.
	mid := [2]float64{(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2}
	v.centre = add(v.centre, add(scaled(v.right, mid[0]), scaled(v.up, mid[1])))
	return v
}

// project returns a point's coordinates on the camera's axes, in mm.
func (v *view) project(p Vec3) (x, y, z float64) {
	d := Vec3{p[0] - v.centre[0], p[1] - v.centre[1], p[2] - v.centre[2]}
	return dot(d, v.right), dot(d, v.up), dot(d, v.eye)
}

// draw rasterises one facet into the z-buffer.
func (v *view) draw(t *Triangle) {
	var sx, sy, sz [3]float64
	var p [3]Vec3
	for i, c := range t {
		p[i] = Vec3{float64(c[0]), float64(c[1]), float64(c[2])}
		x, y, z := v.project(p[i])
		sx[i] = float64(v.n)/2 + x*v.scale
		sy[i] = float64(v.n)/2 - y*v.scale
		sz[i] = z
	}
	area := (sx[1]-sx[0])*(sy[2]-sy[0]) - (sx[2]-sx[0])*(sy[1]-sy[0])
	if area == 0 || math.IsNaN(area) {
		return // edge-on or degenerate: covers no sample
	}
	nrm := unit(cross(sub(p[1], p[0]), sub(p[2], p[0])))
	light := 0.3 + 0.7*math.Abs(dot(nrm, v.light))
	shade := uint8(1 + math.Round(min(light, 1)*254))
	x0 := max(0, int(math.Floor(min(sx[0], sx[1], sx[2]))))
	x1 := min(v.n-1, int(math.Ceil(max(sx[0], sx[1], sx[2]))))
	y0 := max(0, int(math.Floor(min(sy[0], sy[1], sy[2]))))
	y1 := min(v.n-1, int(math.Ceil(max(sy[0], sy[1], sy[2]))))
	for y := y0; y <= y1; y++ {
		cy := float64(y) + 0.5
		for x := x0; x <= x1; x++ {
			cx := float64(x) + 0.5
			// Barycentric weights of the sample's centre.
			w0 := ((sx[1]-cx)*(sy[2]-cy) - (sx[2]-cx)*(sy[1]-cy)) / area
			w1 := ((sx[2]-cx)*(sy[0]-cy) - (sx[0]-cx)*(sy[2]-cy)) / area
			w2 := 1 - w0 - w1
			if w0 < 0 || w1 < 0 || w2 < 0 {
				continue
			}
			z := float32(w0*sz[0] + w1*sz[1] + w2*sz[2])
			if i := y*v.n + x; z > v.depth[i] {
				v.depth[i], v.shade[i] = z, shade
			}
		}
	}
}

// image averages the samples into px × px pixels: the colour of the
// covered samples, and the share covered as alpha.
func (v *view) image(px int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, px, px))
	c := thumbnailColour()
	for y := range px {
		for x := range px {
			var sum, covered int
			for dy := range supersample {
				for dx := range supersample {
					if s := v.shade[(y*supersample+dy)*v.n+x*supersample+dx]; s > 0 {
						sum += int(s - 1)
						covered++
					}
				}
			}
			if covered == 0 {
				continue
			}
			l := float64(sum) / float64(covered) / 254
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(math.Round(float64(c.R) * l)),
				G: uint8(math.Round(float64(c.G) * l)),
				B: uint8(math.Round(float64(c.B) * l)),
				A: uint8(255 * covered / (supersample * supersample)),
			})
		}
	}
	return img
}

func dot(a, b Vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func cross(a, b Vec3) Vec3 {
	return Vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func sub(a, b Vec3) Vec3 { return Vec3{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }

func add(a, b Vec3) Vec3 { return Vec3{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }

func scaled(a Vec3, k float64) Vec3 { return Vec3{a[0] * k, a[1] * k, a[2] * k} }

func unit(a Vec3) Vec3 {
	l := math.Sqrt(dot(a, a))
	if l == 0 {
		return a
	}
	return scaled(a, 1/l)
}

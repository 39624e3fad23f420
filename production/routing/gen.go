package routing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/makerhub/makerhub/designs/stl"
)

// Generate builds a seeded, realistic routing problem. At scale 1 it is the
// national instance of the performance target: 20,000 makers with 30,000
// printers, 7,000 hospitals, 200 design versions and 30,000 open request
// lines, clustered around cities of France and its neighbours. Smaller
// scales shrink every count but the versions (at least 10) in proportion,
// for tests. The same seed and scale always give the same problem.
//
// What is realistic about it: printers are the standard beds of
// designs/stl (Ender-3s and Prusas most of all), nearly all print PLA and
// most PETG, and give 4 to 16 hours a day, some already booked for a day or
// two; parts print in 20 to 300 minutes and are mostly small; requests ask
// for 5 to 250 units, one in ten critical, due in 1 to 21 days; one in a
// hundred names a version the hospital does not accept.
func Generate(seed int64, scale float64) Problem {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6d616b6572687562))
	n := func(base int) int { return max(1, int(math.Round(float64(base)*scale))) }
	now := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	p := Problem{Now: now}

	place := func(spreadKM float64) (float64, float64) {
		c := pickWeighted(rng, cities, func(c city) float64 { return c.weight })
		// Gaussian spread around the city centre: most makers and
		// hospitals are in or near a city, a few out in the country.
		lat := c.lat + rng.NormFloat64()*spreadKM/111
		lon := c.lon + rng.NormFloat64()*spreadKM/(111*math.Cos(c.lat*math.Pi/180))
		return math.Max(-89, math.Min(89, lat)), lon
	}

	makers := n(20000)
	type maker struct{ lat, lon float64 }
	ms := make([]maker, makers)
	for i := range ms {
		ms[i].lat, ms[i].lon = place(25)
	}
	printers := n(30000)
	for i := 0; i < printers; i++ {
		mi := i
		if i >= makers {
			mi = rng.IntN(makers) // a third of makers own more than one printer
		}
		bed := pickWeighted(rng, bedShare, func(b bedWeight) float64 { return b.weight })
		mats := []string{"PLA"}
		for _, m := range []struct {
			name  string
			share float64
		}{{"PETG", 0.6}, {"ABS", 0.15}, {"TPU", 0.1}, {"ASA", 0.05}} {
			if rng.Float64() < m.share {
				mats = append(mats, m.name)
			}
		}
		if rng.Float64() < 0.03 {
			mats = mats[1:] // a few printers are set up for other materials only
		}
		pr := Printer{ID: int64(1000 + i), MakerID: int64(1 + mi), Lat: ms[mi].lat, Lon: ms[mi].lon,
			BedX: bed.bed.X, BedY: bed.bed.Y, BedZ: bed.bed.Z, Materials: mats,
			MinutesPerDay: 60 * (4 + rng.IntN(13))}
		if rng.Float64() < 0.3 {
			pr.BookedMinutes = int64(rng.IntN(2 * pr.MinutesPerDay))
		}
		p.Printers = append(p.Printers, pr)
	}

	versions := max(10, min(200, n(200)))
	for i := 0; i < versions; i++ {
		mat := pickWeighted(rng, []struct {
			name string
			w    float64
		}{{"PLA", 60}, {"PETG", 30}, {"TPU", 5}, {"ABS", 5}}, func(m struct {
			name string
			w    float64
		}) float64 {
			return m.w
		}).name
		// Mostly small parts (visor clips, valves, ear savers); a few
		// large ones that only big beds take.
		x := 30 + 170*math.Pow(rng.Float64(), 2)
		if rng.Float64() < 0.05 {
			x = 200 + 150*rng.Float64()
		}
		y := x * (0.3 + 0.7*rng.Float64())
		h := 3 + 150*math.Pow(rng.Float64(), 3)
		if rng.Float64() < 0.02 {
			h = 200 + 150*rng.Float64()
		}
		p.Versions = append(p.Versions, Version{ID: int64(500 + i), Material: mat,
			PrintMinutes: math.Round(20*math.Pow(15, rng.Float64())*10) / 10, HeightMM: math.Round(h*10) / 10,
			Footprints: [][2]float64{{y, x}, {x, y}}})
	}

	hospitals := n(7000)
	type hospital struct{ lat, lon float64 }
	hs := make([]hospital, hospitals)
	for i := range hs {
		hs[i].lat, hs[i].lon = place(15)
	}
	for i := 0; i < n(30000); i++ {
		h := rng.IntN(hospitals)
		// A few designs are asked for far more than the rest.
		v := p.Versions[int(float64(versions)*math.Pow(rng.Float64(), 2.5))]
		pri := Normal
		switch x := rng.Float64(); {
		case x < 0.1:
			pri = Critical
		case x < 0.4:
			pri = High
		}
		r := Request{ID: int64(100000 + i), HospitalID: int64(1 + h), VersionID: v.ID,
			Units:    int(math.Round(5 * math.Pow(50, rng.Float64()))),
			Priority: pri, NeededBy: now.Add(time.Duration(24+rng.IntN(20*24)) * time.Hour),
			Lat: hs[h].lat, Lon: hs[h].lon}
		if rng.Float64() < 0.01 {
			r.NotAcceptable = fmt.Sprintf("version %d is not clinically validated", v.ID)
		}
		p.Requests = append(p.Requests, r)
	}
	return p
}

type city struct {
	name     string
	lat, lon float64
	weight   float64 // rough population, millions
}

// cities are where makers and hospitals cluster: the larger French cities
// and a few across the borders.
var cities = []city{
	{"Paris", 48.857, 2.352, 11}, {"Lyon", 45.764, 4.836, 2.3}, {"Marseille", 43.296, 5.370, 1.9},
	{"Toulouse", 43.605, 1.444, 1.4}, {"Lille", 50.629, 3.057, 1.5}, {"Bordeaux", 44.838, -0.579, 1.3},
	{"Nice", 43.710, 7.262, 1.0}, {"Nantes", 47.218, -1.554, 1.0}, {"Strasbourg", 48.573, 7.752, 0.8},
	{"Montpellier", 43.611, 3.877, 0.8}, {"Rennes", 48.117, -1.678, 0.7}, {"Grenoble", 45.188, 5.724, 0.7},
	{"Rouen", 49.443, 1.099, 0.7}, {"Toulon", 43.124, 5.928, 0.6}, {"Nancy", 48.692, 6.184, 0.4},
	{"Clermont-Ferrand", 45.778, 3.087, 0.5}, {"Tours", 47.394, 0.685, 0.5}, {"Dijon", 47.322, 5.041, 0.4},
	{"Brest", 48.390, -4.486, 0.3}, {"Limoges", 45.834, 1.262, 0.3}, {"Ajaccio", 41.919, 8.739, 0.1},
	{"Brussels", 50.850, 4.352, 2.1}, {"Geneva", 46.204, 6.143, 1.0}, {"Luxembourg", 49.612, 6.130, 0.6},
	{"Barcelona", 41.387, 2.168, 3.2}, {"Turin", 45.070, 7.687, 1.7}, {"Frankfurt", 50.110, 8.682, 2.3},
	{"London", 51.507, -0.128, 3.0},
}

type bedWeight struct {
	bed    stl.Bed
	weight float64
}

// bedShare is how common each standard bed is among makers' printers.
var bedShare = func() []bedWeight {
	share := map[string]float64{"prusa-mini": 8, "bambu-a1-mini": 6, "anycubic-i3-mega": 8, "creality-ender-3": 30,
		"prusa-mk3s": 22, "bambu-x1-p1": 12, "creality-cr-10": 8, "ultimaker-s5": 3, "prusa-xl": 3}
	var out []bedWeight
	for _, b := range stl.Beds() {
		out = append(out, bedWeight{b, share[b.ID]})
	}
	return out
}()

func pickWeighted[T any](rng *rand.Rand, xs []T, weight func(T) float64) T {
	total := 0.0
	for _, x := range xs {
		total += weight(x)
	}
	t := rng.Float64() * total
	for _, x := range xs {
		if t -= weight(x); t < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

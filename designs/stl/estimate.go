package stl

import (
	"fmt"
	"math"
)

// PrintSettings are what the estimate depends on. Every field counts (0 %
// infill is a real setting): start from DefaultSettings() and change fields.
type PrintSettings struct {
	LayerHeightMM float64 `json:"layer_height_mm"`
	InfillPercent float64 `json:"infill_percent"`
	Perimeters    int     `json:"perimeters"`
	TopLayers     int     `json:"top_layers"`
	BottomLayers  int     `json:"bottom_layers"`
	NozzleMM      float64 `json:"nozzle_mm"`
	Supports      bool    `json:"supports"`
	// DensityGCm3 is the material's density (PLA 1.24, PETG 1.27…).
	DensityGCm3 float64 `json:"density_g_cm3"`
}

// DefaultSettings match the reference profile the model was checked against
// (shared/testdata/prusaslicer-reference.ini), with PLA.
func DefaultSettings() PrintSettings {
	return PrintSettings{
		LayerHeightMM: 0.2, InfillPercent: 20, Perimeters: 2, TopLayers: 4, BottomLayers: 3,
		NozzleMM: 0.4, DensityGCm3: 1.24,
	}
}

// Speeds in mm/s of the reference profile (PrusaSlicer defaults for a 0.4 mm
// nozzle): slower outer walls, top surfaces and first layer.
const (
	speedExternal   = 25
	speedPerimeter  = 45
	speedInfill     = 80
	speedSolid      = 80
	speedTop        = 40
	speedFirstLayer = 20
	speedSupport    = 50
	// motionFactor stretches the pure extrusion time for acceleration,
	// travel, retraction and layer changes. Calibrated once against
	// PrusaSlicer's estimates for the four reference parts (see
	// docs/estimates.md); it is the model's only fitted constant.
	motionFactor = 1.5
	// supportDensity is the fraction of the space under overhangs that
	// support material fills.
	supportDensity = 0.15
	// filamentDiameter for the length figure.
	filamentDiameter = 1.75
)

// Estimate is how much filament a print takes and for how long it runs.
type Estimate struct {
	FilamentG    float64       `json:"filament_g"`
	FilamentCm3  float64       `json:"filament_cm3"`
	FilamentM    float64       `json:"filament_m"` // of 1.75 mm filament
	PrintMinutes float64       `json:"print_minutes"`
	Layers       int           `json:"layers"`
	Settings     PrintSettings `json:"settings"`
}

// Validate checks the ranges, naming the setting at fault.
func (s *PrintSettings) Validate() error {
	switch {
	case !(s.NozzleMM >= 0.1 && s.NozzleMM <= 2):
		return fmt.Errorf("nozzle_mm must be between 0.1 and 2 (it is %v)", s.NozzleMM)
	case !(s.LayerHeightMM >= 0.02 && s.LayerHeightMM <= 0.8*s.NozzleMM):
		return fmt.Errorf("layer_height_mm must be between 0.02 and 80%% of the nozzle, %v mm (it is %v)", 0.8*s.NozzleMM, s.LayerHeightMM)
	case !(s.InfillPercent >= 0 && s.InfillPercent <= 100):
		return fmt.Errorf("infill_percent must be between 0 and 100 (it is %v)", s.InfillPercent)
	case s.Perimeters < 1 || s.Perimeters > 20:
		return fmt.Errorf("perimeters must be between 1 and 20 (it is %d)", s.Perimeters)
	case s.TopLayers < 0 || s.TopLayers > 50 || s.BottomLayers < 0 || s.BottomLayers > 50:
		return fmt.Errorf("top_layers and bottom_layers must be between 0 and 50")
	case !(s.DensityGCm3 >= 0.5 && s.DensityGCm3 <= 3):
		return fmt.Errorf("density_g_cm3 must be between 0.5 and 3 (it is %v)", s.DensityGCm3)
	}
	return nil
}

// Estimate computes filament and time with the model in docs/estimates.md:
// walls, top and bottom skins and sparse infill as volumes, each extruded at
// its own speed, stretched by one motion factor.
func (a *Analysis) Estimate(s PrintSettings) (*Estimate, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	lh := s.LayerHeightMM
	ew := 1.125 * s.NozzleMM // PrusaSlicer's default extrusion width
	sf := a.Surface
	// mm³ from cm² and mm: 1 cm² = 100 mm².
	walls := sf.WallCm2 * 100 * float64(s.Perimeters) * ew
	top := sf.UpCm2 * 100 * float64(s.TopLayers) * lh
	bottom := sf.DownCm2 * 100 * float64(s.BottomLayers) * lh
	firstLayer := sf.BedContactCm2 * 100 * lh
	volume := a.VolumeCm3 * 1000
	shell := walls + top + bottom
	if shell > volume && shell > 0 {
		// Thin parts are solid: scale the skins to the part's volume.
		k := volume / shell
		walls, top, bottom, firstLayer, shell = walls*k, top*k, bottom*k, firstLayer*k, volume
	}
	infill := (volume - shell) * s.InfillPercent / 100
	var support float64
	if s.Supports {
		support = sf.SupportCm3 * 1000 * supportDensity
	}
	filament := shell + infill + support

	q := func(speed float64) float64 { return speed * ew * lh } // mm³/s
	outer := walls / float64(s.Perimeters)
	topmost := 0.0
	if s.TopLayers > 0 {
		topmost = top / float64(s.TopLayers)
	}
	firstLayer = min(firstLayer, bottom)
	seconds := outer/q(speedExternal) + (walls-outer)/q(speedPerimeter) +
		topmost/q(speedTop) + (top-topmost)/q(speedSolid) +
		firstLayer/q(speedFirstLayer) + (bottom-firstLayer)/q(speedSolid) +
		infill/q(speedInfill) + support/q(speedSupport)
	seconds *= motionFactor

	cm3 := filament / 1000
	return &Estimate{
		FilamentG:    round2(cm3 * s.DensityGCm3),
		FilamentCm3:  round2(cm3),
		FilamentM:    round2(filament / (math.Pi * filamentDiameter * filamentDiameter / 4) / 1000),
		PrintMinutes: round2(seconds / 60),
		Layers:       int(math.Ceil(a.SizeMM[2]/lh - 1e-9)),
		Settings:     s,
	}, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

package routing

import (
	"fmt"
	"time"
)

// Printer is one maker's printer and the time it gives the hub. The DB layer
// fills it from the printers table and the maker's organisation.
type Printer struct {
	ID, MakerID      int64   // MakerID: the maker user who owns it (jobs are offered to them)
	Lat, Lon         float64 // the maker organisation's location, degrees
	BedX, BedY, BedZ float64 // build volume, mm
	Materials        []string
	MinutesPerDay    int // hours per day given to the hub × 60
	// BookedMinutes is print time already committed to this printer's
	// claimed and in-progress jobs. Routing never moves those jobs; it only
	// plans the time left after them (they are consumed first, from now on).
	BookedMinutes int64
}

// Version is the part a request asks for, as routing needs it.
type Version struct {
	ID           int64
	Material     string
	PrintMinutes float64 // estimated minutes per unit; values under 1 count as 1
	HeightMM     float64 // part height (Z)
	// Footprints is the Pareto front of XY extents over rotations about Z
	// (designs/stl Analysis.Footprints): the part fits a bed if some f has
	// f[0] ≤ X and f[1] ≤ Y, and HeightMM ≤ Z, each within 1e-3 mm.
	Footprints [][2]float64
}

// Priority is how urgent a request is. Its values are those of
// production.Priority, so the DB layer converts with a plain conversion.
type Priority string

// The priorities and their weights in the objective (see Weight).
const (
	Critical Priority = "critical"
	High     Priority = "high"
	Normal   Priority = "normal"
)

// Weight is the priority's value per unit delivered on time: a critical unit
// is worth ten high ones and a hundred normal ones (docs/routing.md).
func (p Priority) Weight() int64 {
	switch p {
	case Critical:
		return 100
	case High:
		return 10
	case Normal:
		return 1
	}
	return 0
}

// Request is one open request line as routing sees it.
type Request struct {
	ID, HospitalID int64
	VersionID      int64 // the version to print, already resolved from "current"
	// Units is the quantity still to allocate: open units minus those
	// already in live jobs, which routing leaves alone.
	Units    int
	Priority Priority
	NeededBy time.Time
	Lat, Lon float64
	// NotAcceptable, when not empty, says why the caller found the version
	// unacceptable to the hospital ("licence CC-BY-NC-4.0 refused"); all the
	// request's units are then reported unallocated with this detail.
	NotAcceptable string
}

// Problem is one routing run's input. Zero values of the tuning fields take
// the documented defaults.
type Problem struct {
	Now         time.Time
	HorizonDays int // how far ahead capacity is planned; default 28
	// Shipping takes ShipBaseDays + distance/ShipKMPerDay days (defaults 1
	// day and 500 km per day): a unit is on time if printing ends that long
	// before NeededBy.
	ShipBaseDays float64
	ShipKMPerDay float64
	// MaxLateDays is how late a job may deliver; units that cannot be
	// delivered within it stay unallocated. 0 means the default 7; a
	// negative value allows no late jobs at all.
	MaxLateDays int
	// Candidates bounds, per request, how many of the nearest eligible
	// printers are considered; default 32. Solve is exact for the model
	// restricted to these candidate arcs.
	Candidates int
	// RegionPrinters bounds how many printers one planning region holds;
	// default 300, negative for a single region. Requests are planned
	// in the region of their nearest eligible printer, among its printers
	// only (docs/routing.md, "Regions").
	RegionPrinters int

	Printers []Printer
	Versions []Version
	Requests []Request
}

// Job is a batch offered to a maker: Units units of one version for one
// request, printed on one printer.
type Job struct {
	RequestID, VersionID, PrinterID, MakerID int64
	Units                                    int
	DistanceKM                               float64
	// DueBy is when printing must end for the units to arrive by the
	// request's NeededBy; ExpectedDone is when the plan has them printed.
	DueBy, ExpectedDone time.Time
	OnTime              bool
	LatenessDays        float64 // 0 when on time
	Reason              string  // why this printer, in a sentence
}

// Cause says why units stay unallocated.
type Cause string

// The causes, in the order routing checks them.
const (
	VersionNotAcceptable     Cause = "version_not_acceptable"
	NoFittingPrinter         Cause = "no_fitting_printer"
	WrongMaterial            Cause = "wrong_material"
	NoCapacityBeforeDeadline Cause = "no_capacity_before_deadline"
	NoCapacity               Cause = "no_capacity"
)

// Unallocated is a quantity of a request that no job covers, and why.
type Unallocated struct {
	RequestID int64  `json:"request_id"`
	Units     int    `json:"units"`
	Cause     Cause  `json:"cause"`
	Detail    string `json:"detail"`
}

// Stats sums up a result. Units figures come from the jobs as planned.
type Stats struct {
	UnitsRequested   int     `json:"units_requested"`
	UnitsAllocated   int     `json:"units_allocated"`
	UnitsOnTime      int     `json:"units_on_time"`
	UnitsLate        int     `json:"units_late"`
	UnitsUnallocated int     `json:"units_unallocated"`
	WeightedOnTime   int64   `json:"weighted_on_time"` // Σ priority weight × on-time units: the first objective
	LateUnitDays     float64 `json:"late_unit_days"`   // Σ units × lateness days of late jobs
	TotalKM          float64 `json:"total_km"`         // Σ job distances: one shipment per job
	UnitKM           float64 `json:"unit_km"`          // Σ units × distance: what the model minimises
	Jobs             int     `json:"jobs"`
	// The rest describe the run. Nodes and arcs are those of each
	// region's first phase, summed; phases the most any region needed.
	Nodes         int           `json:"nodes"`
	Arcs          int           `json:"arcs"`
	Phases        int           `json:"phases"`
	Pivots        int           `json:"pivots"`     // simplex pivots, all regions and phases
	Candidates    int           `json:"candidates"` // candidate (printer, request) pairs considered
	Regions       int           `json:"regions"`    // planning regions solved
	Elapsed       time.Duration `json:"elapsed"`
	SolverElapsed time.Duration `json:"solver_elapsed"` // time inside mcf.Solve, summed over regions solved in parallel
}

// Result is what a routing run produces. Jobs are sorted by request ID,
// then printer ID, on-time jobs first; Unallocated has at most one entry
// per request, by request ID.
type Result struct {
	Jobs        []Job
	Unallocated []Unallocated
	Stats       Stats
}

const day = 24 * time.Hour

// settings are a Problem's tuning fields with defaults applied.
type settings struct {
	now        time.Time
	horizon    int // days
	shipBase   float64
	shipKMDay  float64
	maxLate    int // < 0: no late jobs
	candidates int
	regionSize int // ≤ 0: one region
}

func (p *Problem) settings() (settings, error) {
	s := settings{now: p.Now, horizon: p.HorizonDays, shipBase: p.ShipBaseDays, shipKMDay: p.ShipKMPerDay,
		maxLate: p.MaxLateDays, candidates: p.Candidates, regionSize: p.RegionPrinters}
	if s.now.IsZero() {
		return s, fmt.Errorf("routing: Problem.Now is not set")
	}
	if s.horizon == 0 {
		s.horizon = 28
	}
	if s.shipBase == 0 {
		s.shipBase = 1
	}
	if s.shipKMDay == 0 {
		s.shipKMDay = 500
	}
	if s.maxLate == 0 {
		s.maxLate = 7
	}
	if s.candidates == 0 {
		s.candidates = 32
	}
	if s.regionSize == 0 {
		s.regionSize = 300
	}
	switch {
	case s.horizon < 1 || s.horizon > maxHorizonDays:
		return s, fmt.Errorf("routing: HorizonDays is %d; it must be between 1 and %d", s.horizon, maxHorizonDays)
	case s.shipBase < 0 || s.shipKMDay < 0:
		return s, fmt.Errorf("routing: shipping times must not be negative (base %g days, %g km/day)", s.shipBase, s.shipKMDay)
	case s.maxLate > maxHorizonDays:
		return s, fmt.Errorf("routing: MaxLateDays is %d; it must be at most %d", s.maxLate, maxHorizonDays)
	case s.candidates < 0:
		return s, fmt.Errorf("routing: Candidates is %d; it must not be negative", s.candidates)
	}
	return s, nil
}

// maxHorizonDays keeps day counts, and so lateness costs, small numbers.
const maxHorizonDays = 366

// shipDays is how long shipping over km takes, in days.
func (s *settings) shipDays(km float64) float64 {
	d := s.shipBase
	if s.shipKMDay > 0 {
		d += km / s.shipKMDay
	}
	return d
}

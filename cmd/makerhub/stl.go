package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/stl"
)

// stlResult is what `stl analyze` prints for a file: the same shape as a
// file in the API, or an error.
type stlResult struct {
	Path string `json:"path"`
	designs.File
	Error string `json:"error,omitempty"`
}

func runSTL(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "analyze" {
		fmt.Fprintln(stderr, "Usage: makerhub stl analyze [flags] FILE…")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return usagef("stl: the command is analyze")
	}
	var (
		material string
		ps       = designs.DefaultPrintSettings()
	)
	fs := newFlagSet("stl analyze", "Analyse STL files and estimate their print: one JSON object per line and file.\nExit status 1 if any file is not a usable STL.", stdout)
	fs.StringVar(&material, "material", "PLA", "`material` for the estimate's density: PLA, PETG, ABS, ASA, TPU, PC, PA, PP")
	fs.Float64Var(&ps.LayerHeightMM, "layer-height", ps.LayerHeightMM, "layer height in `mm`")
	fs.Float64Var(&ps.InfillPercent, "infill", ps.InfillPercent, "infill `percent`")
	fs.IntVar(&ps.Perimeters, "perimeters", ps.Perimeters, "number of `perimeters`")
	fs.BoolVar(&ps.Supports, "supports", false, "print with supports")
	files, err := parseFlagsWithArgs(fs, args[1:], getenv)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("stl analyze: give at least one FILE")
	}
	m, err := designs.LookupMaterial(material)
	if err != nil {
		return usagef("--material: %v", err)
	}
	settings := stl.DefaultSettings()
	settings.LayerHeightMM, settings.InfillPercent, settings.Perimeters, settings.Supports = ps.LayerHeightMM, ps.InfillPercent, ps.Perimeters, ps.Supports
	settings.DensityGCm3 = m.DensityGCm3
	if err := settings.Validate(); err != nil {
		return usagef("stl analyze: %v", err)
	}
	enc := json.NewEncoder(stdout)
	failed := 0
	for _, path := range files {
		res := analyzeFile(path, settings)
		if res.Error != "" {
			failed++
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be analysed", failed, len(files))
	}
	return nil
}

// analyzeFile analyses one file. The SHA-256 is computed by a second reader
// of the same file at the same time, so that on two cores it costs no wall
// time.
func analyzeFile(path string, settings stl.PrintSettings) stlResult {
	res := stlResult{Path: path, File: designs.File{Name: filepath.Base(path), Kind: designs.KindSTL, MediaType: "model/stl"}}
	f, err := os.Open(path)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Size = fi.Size()
	sum := make(chan string, 1)
	go func() {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, fi.Size())); err != nil {
			sum <- ""
			return
		}
		sum <- hex.EncodeToString(h.Sum(nil))
	}()
	a, err := stl.Analyze(io.NewSectionReader(f, 0, fi.Size()), fi.Size())
	res.SHA256 = <-sum
	if err != nil {
		res.Error = err.Error()
		return res
	}
	e, err := a.Estimate(settings)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Analysis = &designs.FileAnalysis{Analysis: a, Estimate: e}
	return res
}

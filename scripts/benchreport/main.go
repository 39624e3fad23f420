// Command benchreport writes docs/benchmarks.md from the raw report of one
// run of scripts/bench.sh, which calls it at its end:
//
//	go run ./scripts/benchreport -o docs/benchmarks.md REPORT
//
// It exits 0 whenever it wrote the page, even for a run where benchmarks
// failed (the page says which, and why); bench.sh's own exit status says
// whether the run passed.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/makerhub/makerhub/scripts/benchreport/internal/report"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	out := fs.String("o", "", "write the page to this file instead of stdout")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: benchreport [-o FILE] REPORT\n\nwrites the markdown page for the raw report of one run of scripts/bench.sh")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("want one report file, got %d arguments", fs.NArg())
	}
	r, err := report.ParseFile(fs.Arg(0))
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := report.Render(&page, r); err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(page.Bytes())
		return err
	}
	// Write a sibling temp file and rename it, so that a failed write
	// never leaves a half page in place.
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, page.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, *out)
}

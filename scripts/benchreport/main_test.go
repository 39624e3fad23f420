package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunWritesThePage(t *testing.T) {
	report := filepath.Join("internal", "report", "testdata", "quick-run.txt")
	want, err := os.ReadFile(filepath.Join("internal", "report", "testdata", "quick-run.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	if err := run([]string{"-o", out, report}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the page written differs from internal/report/testdata/quick-run.md")
	}
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left behind: %v", err)
	}

	var stdout bytes.Buffer
	if err := run([]string{report}, &stdout); err != nil || !bytes.Equal(stdout.Bytes(), want) {
		t.Errorf("to stdout: %v, %d bytes", err, stdout.Len())
	}
}

func TestRunErrors(t *testing.T) {
	if err := run(nil, nil); err == nil || !strings.Contains(err.Error(), "want one report file") {
		t.Errorf("no argument: %v", err)
	}
	if err := run([]string{filepath.Join(t.TempDir(), "missing.txt")}, nil); err == nil {
		t.Error("a missing report: no error")
	}
	empty := filepath.Join(t.TempDir(), "empty.txt")
	os.WriteFile(empty, []byte("nothing here\n"), 0o644)
	if err := run([]string{empty}, nil); err == nil || !strings.Contains(err.Error(), "not a scripts/bench.sh report") {
		t.Errorf("not a report: %v", err)
	}
}

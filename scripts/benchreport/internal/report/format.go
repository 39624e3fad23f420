package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// notReported stands in a table for a figure the run's output lacks: a
// metric the benchmark did not report (renamed, or the benchmark changed).
// Figures are NaN until read, so that a missing one shows instead of a 0.
const notReported = "not reported"

// table is a markdown table.
type table struct {
	head []string
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) String() string {
	var b strings.Builder
	row := func(cells []string) {
		b.WriteString("|")
		for i := range t.head {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteString("\n")
	}
	row(t.head)
	b.WriteString(strings.Repeat("|---", len(t.head)) + "|\n")
	for _, r := range t.rows {
		row(r)
	}
	return b.String()
}

// cell makes s safe inside a table cell: one line, no bare "|".
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// grouped writes v with d decimals and a comma between thousands:
// grouped(1234567.891, 1) = "1,234,567.9".
func grouped(v float64, d int) string {
	if math.IsNaN(v) {
		return notReported
	}
	if math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', d, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteString("-")
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(",")
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// count writes a whole number: count(1648551) = "1,648,551".
func count(v float64) string { return grouped(v, 0) }

// num writes v with about three significant digits, more for whole
// numbers of four digits and up: 1234 → "1,234", 56.78 → "56.8",
// 3.14159 → "3.14", 0.0123 → "0.0123", 0.0000005 → "5e-07".
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return notReported
	case a == 0:
		return "0"
	case a >= 1000:
		return grouped(v, 0)
	case a >= 100:
		return grouped(v, 0)
	case a >= 10:
		return grouped(v, 1)
	case a >= 1:
		return grouped(v, 2)
	case a >= 0.001:
		return strconv.FormatFloat(v, 'f', 3-int(math.Floor(math.Log10(a)))-1, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// seconds writes a duration given in seconds in a unit that suits it:
// 8.07 → "8.07 s", 0.0168 → "16.8 ms", 0.000012 → "12.0 µs".
func seconds(s float64) string {
	a := math.Abs(s)
	switch {
	case math.IsNaN(s):
		return notReported
	case a >= 1:
		return grouped(s, 2) + " s"
	case a >= 0.1:
		return grouped(s, 3) + " s"
	case a >= 1e-3:
		return num(s*1e3) + " ms"
	case a >= 1e-6:
		return num(s*1e6) + " µs"
	}
	return num(s*1e9) + " ns"
}

// bytesSI writes a byte count in decimal units, as go test's B/op:
// 54019 → "54.0 kB", 558037144 → "558 MB".
func bytesSI(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return notReported
	case a >= 1e9:
		return num(v/1e9) + " GB"
	case a >= 1e6:
		return num(v/1e6) + " MB"
	case a >= 1e3:
		return num(v/1e3) + " kB"
	}
	return count(v) + " B"
}

// times writes a ratio: 1.8523 → "1.85×".
func times(r float64) string {
	if math.IsNaN(r) {
		return notReported
	}
	if r >= 100 {
		return count(r) + "×"
	}
	return grouped(r, 2) + "×"
}

// percent writes a signed or unsigned percentage with d decimals.
func percent(v float64, d int) string { return grouped(v, d) + " %" }

// verdict says whether a target was met, given the figures it depends
// on: "not measured" if any of them is missing.
func verdict(met bool, figures ...float64) string {
	for _, f := range figures {
		if math.IsNaN(f) {
			return "not measured"
		}
	}
	if met {
		return "**met**"
	}
	return "**not met**"
}

// plural writes "1 run" or "3 runs".
func plural(n float64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%s %s", count(n), many)
}

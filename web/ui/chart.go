package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/makerhub/makerhub/inventory"
)

// The coordinator's chart of requested, produced and delivered units is
// drawn on the server as inline SVG: it needs no script, prints, and is
// described for screen readers by the table of totals beside it. A charting
// library would add a bundle for three polylines.

// chart is an SVG line chart of cumulative units per day.
type chart struct {
	Width, Height int
	Left, Bottom  float64 // the plot area's left and bottom edges
	Right, Top    float64
	Series        []chartSeries
	YTicks        []chartTick
	From, To      time.Time // the first and last day shown
	Max           int
}

type chartSeries struct {
	Key    string // requested, produced, delivered: the CSS class and the catalogue key
	Points string // the polyline's points attribute
	Total  int
}

type chartTick struct {
	Y     float64
	Label int
}

// cumulativeChart sums the report's daily rows from from, over days days.
func cumulativeChart(rows []inventory.ReportRow, from time.Time, days int) *chart {
	c := &chart{Width: 640, Height: 240, Left: 48, Right: 628, Top: 12, Bottom: 212, From: from, To: from.AddDate(0, 0, days-1)}
	daily := map[string][3]int{}
	for _, r := range rows {
		v := daily[r.Period]
		daily[r.Period] = [3]int{v[0] + r.Requested, v[1] + r.Produced, v[2] + r.Delivered}
	}
	sums := make([][3]int, days)
	var run [3]int
	for i := range days {
		v := daily[from.AddDate(0, 0, i).Format(time.DateOnly)]
		for k := range run {
			run[k] += v[k]
		}
		sums[i] = run
	}
	c.Max = max(run[0], run[1], run[2])
	top := niceCeiling(c.Max)
	x := func(i int) float64 { return c.Left + (c.Right-c.Left)*float64(i)/float64(max(days-1, 1)) }
	y := func(n int) float64 { return c.Bottom - (c.Bottom-c.Top)*float64(n)/float64(top) }
	for k, key := range []string{"requested", "produced", "delivered"} {
		var b strings.Builder
		for i, s := range sums {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatFloat(x(i), 'f', 1, 64) + "," + strconv.FormatFloat(y(s[k]), 'f', 1, 64))
		}
		c.Series = append(c.Series, chartSeries{Key: key, Points: b.String(), Total: run[k]})
	}
	for i := 0; i <= 4; i++ {
		n := top * i / 4
		c.YTicks = append(c.YTicks, chartTick{Y: y(n), Label: n})
	}
	return c
}

// niceCeiling is the top of the axis: four ticks of 1, 2 or 5 times a power
// of ten, reaching n.
func niceCeiling(n int) int {
	if n <= 4 {
		return 4
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p*4 >= n {
				return m * p * 4
			}
		}
	}
}

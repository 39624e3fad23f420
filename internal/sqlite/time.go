package sqlite

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// TimeLayout is how timestamps are stored: UTC, fixed width, millisecond
// precision. Fixed width makes text comparison in SQL (lease expiry, stale
// requests) agree with time order, and SQLite's date functions read it.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime returns t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime parses a value written by FormatTime.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeLayout, s) }

// Time adapts a *time.Time for Scan (from TimeLayout text) so that rows can be
// scanned straight into domain structs: rows.Scan(sqlite.Time(&u.CreatedAt)).
func Time(t *time.Time) *TimeScanner { return &TimeScanner{t: t} }

// NullTime is Time for a nullable column scanned into a **time.Time, which
// stays nil for NULL.
func NullTime(t **time.Time) *NullTimeScanner { return &NullTimeScanner{t: t} }

// TimeScanner scans a TimeLayout string into a time.Time.
type TimeScanner struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s *TimeScanner) Scan(v any) error {
	str, err := timeText(v)
	if err != nil {
		return err
	}
	parsed, err := ParseTime(str)
	if err != nil {
		return err
	}
	*s.t = parsed
	return nil
}

// NullTimeScanner scans a nullable TimeLayout string into a *time.Time.
type NullTimeScanner struct{ t **time.Time }

// Scan implements sql.Scanner.
func (s *NullTimeScanner) Scan(v any) error {
	if v == nil {
		*s.t = nil
		return nil
	}
	str, err := timeText(v)
	if err != nil {
		return err
	}
	parsed, err := ParseTime(str)
	if err != nil {
		return err
	}
	*s.t = &parsed
	return nil
}

func timeText(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	return "", fmt.Errorf("timestamp column holds %T, want text", v)
}

// NullTimeValue returns a driver value for an optional time: NULL for nil.
func NullTimeValue(t *time.Time) driver.Value {
	if t == nil {
		return nil
	}
	return FormatTime(*t)
}

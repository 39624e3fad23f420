// Package stl reads STL files as a stream and analyses the mesh: size,
// volume, area, watertightness, shells, orientation, degenerate facets, the
// printer beds it fits, and a print estimate. It imports nothing of the hub,
// so it can be used and benchmarked on its own (makerhub stl analyze).
//
// The reader is written here rather than taken from github.com/hschendel/stl
// for two reasons measured in this package's benchmarks: hschendel/stl's
// ASCII reader runs at a few MB/s where 80 MB/s is needed, and it decides
// "binary" only when the size matches the header exactly, so a truncated
// binary file is reported as malformed ASCII instead of "truncated at
// triangle N". hschendel/stl remains the oracle: tests check that both
// readers yield the same triangles on the test corpus and on fuzzed input.
//
// analyze.go is longer than the rest (about 480 lines) on purpose: it is
// the one pass over the facets and the edge classification that follows,
// whose phases share the arena's arrays and hand memory from one to the
// next; split across files, that hand-over would be harder to follow.
package stl

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// FormatError is a problem with the file's content, as opposed to a failure
// to read it. Its message names the problem in terms a user can act on.
type FormatError struct{ Msg string }

func (e *FormatError) Error() string { return e.Msg }

func formatErrorf(format string, args ...any) error {
	return &FormatError{Msg: fmt.Sprintf(format, args...)}
}

// IsFormatError reports whether err is a problem with the file's content.
func IsFormatError(err error) bool {
	var fe *FormatError
	return errors.As(err, &fe)
}

// Format is the STL encoding.
type Format string

// The two STL encodings.
const (
	Binary Format = "binary"
	ASCII  Format = "ascii"
)

const (
	headerSize   = 80
	binaryPrefix = headerSize + 4 // header and triangle count
	triangleSize = 50             // normal, three vertices, attribute
)

// Triangle is one facet as read: three vertices in file order (the winding
// that gives the outward side by the right-hand rule).
type Triangle [3][3]float32

// sink receives triangles from the readers. reserve is called with the
// triangle count when the format declares it (binary), before any add.
// addBatch takes many triangles at once (the binary reader's chunks), which
// lets the mesh overlap its memory accesses.
type sink interface {
	reserve(n int)
	add(t *Triangle) error
	addBatch(ts []Triangle) error
}

// readTriangles reads an STL of size bytes from r and gives each triangle to
// s, in order, reusing the same *Triangle. It detects binary or ASCII from
// the content and size, whatever the header says.
//
// bound, when size is unknown (-1), is an upper bound on it if the caller
// knows one (the length of a multipart body holding the file), or -1: it
// only decides how much memory to reserve from the header's triangle count.
func readTriangles(r io.Reader, size, bound int64, s sink) (Format, []string, error) {
	if size == 0 {
		return "", nil, formatErrorf("the file is empty")
	}
	br := bufio.NewReaderSize(r, 1<<16)
	want := binaryPrefix
	if size > 0 {
		want = int(min(size, binaryPrefix))
	}
	head, err := br.Peek(want)
	if err != nil && !(size < 0 && errors.Is(err, io.EOF)) {
		return "", nil, fmt.Errorf("read STL header: %w", err)
	}
	if len(head) == 0 {
		return "", nil, formatErrorf("the file is empty")
	}
	ascii := looksASCII(head)
	if len(head) >= binaryPrefix {
		count := int64(binary.LittleEndian.Uint32(head[headerSize:binaryPrefix]))
		if !ascii || size >= 0 && binaryPrefix+count*triangleSize == size {
			warnings, err := readBinary(br, size, bound, count, s)
			return Binary, warnings, err
		}
	}
	if !ascii {
		return "", nil, formatErrorf("not an STL file: %d bytes is too short for a binary STL (which needs at least %d) and it does not start with \"solid\"", len(head), binaryPrefix)
	}
	return ASCII, nil, readASCII(br, s)
}

// looksASCII reports whether head starts like an ASCII STL: "solid" after an
// optional byte-order mark and spaces, followed by text. Binary files often
// start with "solid" too (CAD exporters write it into the header), so the
// bytes after it must be text as well.
func looksASCII(head []byte) bool {
	b := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) < 5 || !bytes.EqualFold(b[:5], []byte("solid")) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7f {
			return false
		}
	}
	return true
}

// readBinary reads count triangles. With the size known, a count that does
// not match it is refused or warned about before anything is allocated.
// With the size unknown (-1: a stream), the count is checked as the
// triangles arrive, and the memory reserved up front is bounded by what
// bound bytes can hold, or by maxReserve without a bound: the count has not
// been checked against anything yet.
func readBinary(br *bufio.Reader, size, bound, count int64, s sink) ([]string, error) {
	var warnings []string
	if _, err := br.Discard(binaryPrefix); err != nil {
		return nil, fmt.Errorf("read STL header: %w", err)
	}
	need := binaryPrefix + count*triangleSize
	switch {
	case count == 0:
		return nil, formatErrorf("the binary STL declares no triangles")
	case size >= 0 && need > size:
		return nil, truncated((size-binaryPrefix)/triangleSize, count, size, need)
	case size >= 0 && need < size:
		warnings = append(warnings, fmt.Sprintf("%d bytes after the last of %d triangles were ignored", size-need, count))
	}
	switch {
	case size >= 0:
		s.reserve(int(count))
	case bound >= binaryPrefix:
		s.reserve(int(min(count, (bound-binaryPrefix)/triangleSize+1)))
	default:
		s.reserve(int(min(count, maxReserve)))
	}
	buf := make([]byte, triangleSize*1024)
	batch := make([]Triangle, 1024)
	for done := int64(0); done < count; {
		n := min(count-done, 1024)
		chunk := buf[:n*triangleSize]
		got, err := io.ReadFull(br, chunk)
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			whole := done + int64(got)/triangleSize
			return nil, truncated(whole, count, binaryPrefix+done*triangleSize+int64(got), need)
		} else if err != nil {
			return nil, fmt.Errorf("read triangle %d: %w", done+1, err)
		}
		for i := int64(0); i < n; i++ {
			p := chunk[i*triangleSize+12:] // skip the stored normal
			t := &batch[i]
			for v := 0; v < 3; v++ {
				for c := 0; c < 3; c++ {
					f := math.Float32frombits(binary.LittleEndian.Uint32(p[(v*3+c)*4:]))
					if f-f != 0 { // NaN or ±Inf
						return nil, formatErrorf("triangle %d has a non-finite coordinate (%v) at vertex %d", done+i+1, f, v+1)
					}
					t[v][c] = f
				}
			}
		}
		if err := s.addBatch(batch[:n]); err != nil {
			return nil, err
		}
		done += n
	}
	if size < 0 {
		extra, err := io.Copy(io.Discard, br)
		if err != nil {
			return nil, fmt.Errorf("read after the last triangle: %w", err)
		}
		if extra > 0 {
			warnings = append(warnings, fmt.Sprintf("%d bytes after the last of %d triangles were ignored", extra, count))
		}
	}
	return warnings, nil
}

// maxReserve bounds what an unbounded stream's unchecked triangle count may
// reserve; beyond it the mesh grows as triangles arrive.
const maxReserve = 1 << 16

// truncated reports a binary file that ends before its declared triangles.
func truncated(whole, count, size, need int64) error {
	msg := fmt.Sprintf("truncated at triangle %d of %d: the file ends at byte %d but %d triangles need %d bytes", whole+1, count, size, count, need)
	// A count far beyond the file more likely comes from a damaged header
	// (or a file that is no STL at all) than from a cut.
	if count > 16*(whole+1) {
		msg += "; a triangle count this much larger than the file may also mean a damaged header"
	}
	return &FormatError{Msg: msg}
}

// Read reads an STL of size bytes from r and calls fn with each triangle in
// file order (the *Triangle is reused: copy it to keep it). It detects binary
// or ASCII from the content and size, whatever the header says, and returns
// the format and any warnings. A problem with the content is a *FormatError.
// A size of -1 reads a stream of unknown length: binary or ASCII is then
// told by the header alone (binary headers hold NUL bytes in their triangle
// count below 16 million triangles; ASCII is text throughout).
func Read(r io.Reader, size int64, fn func(t *Triangle) error) (Format, []string, error) {
	return readTriangles(r, size, -1, funcSink(fn))
}

type funcSink func(t *Triangle) error

func (f funcSink) reserve(int)           {}
func (f funcSink) add(t *Triangle) error { return f(t) }

func (f funcSink) addBatch(ts []Triangle) error {
	for i := range ts {
		if err := f(&ts[i]); err != nil {
			return err
		}
	}
	return nil
}

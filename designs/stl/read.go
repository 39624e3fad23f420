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
type sink interface {
	reserve(n int)
	add(t *Triangle) error
}

// readTriangles reads an STL of size bytes from r and gives each triangle to
// s, in order, reusing the same *Triangle. It detects binary or ASCII from
// the content and size, whatever the header says.
func readTriangles(r io.Reader, size int64, s sink) (Format, []string, error) {
	if size == 0 {
		return "", nil, formatErrorf("the file is empty")
	}
	if size < 0 {
		return "", nil, errors.New("stl: size of the input must be known")
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(int(min(size, binaryPrefix)))
	if err != nil {
		return "", nil, fmt.Errorf("read STL header: %w", err)
	}
	if size >= binaryPrefix {
		count := int64(binary.LittleEndian.Uint32(head[headerSize:binaryPrefix]))
		if binaryPrefix+count*triangleSize == size || !looksASCII(head) {
			warnings, err := readBinary(br, size, count, s)
			return Binary, warnings, err
		}
	}
	if !looksASCII(head) {
		return "", nil, formatErrorf("not an STL file: %d bytes is too short for a binary STL (which needs at least %d) and it does not start with \"solid\"", size, binaryPrefix)
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

func readBinary(br *bufio.Reader, size, count int64, s sink) ([]string, error) {
	var warnings []string
	if _, err := br.Discard(binaryPrefix); err != nil {
		return nil, fmt.Errorf("read STL header: %w", err)
	}
	need := binaryPrefix + count*triangleSize
	switch {
	case count == 0:
		return nil, formatErrorf("the binary STL declares no triangles")
	case need > size:
		whole := (size - binaryPrefix) / triangleSize
		msg := fmt.Sprintf("truncated at triangle %d of %d: the file ends at byte %d but %d triangles need %d bytes", whole+1, count, size, count, need)
		// A count far beyond the file more likely comes from a damaged
		// header (or a file that is no STL at all) than from a cut.
		if count > 16*(whole+1) {
			msg += "; a triangle count this much larger than the file may also mean a damaged header"
		}
		return nil, &FormatError{Msg: msg}
	case need < size:
		warnings = append(warnings, fmt.Sprintf("%d bytes after the last of %d triangles were ignored", size-need, count))
	}
	s.reserve(int(count))
	buf := make([]byte, triangleSize*1024)
	var t Triangle
	for done := int64(0); done < count; {
		n := min(count-done, 1024)
		chunk := buf[:n*triangleSize]
		if _, err := io.ReadFull(br, chunk); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return nil, formatErrorf("truncated at triangle %d of %d: the file ended early while being read", done+1, count)
			}
			return nil, fmt.Errorf("read triangle %d: %w", done+1, err)
		}
		for i := int64(0); i < n; i++ {
			p := chunk[i*triangleSize+12:] // skip the stored normal
			for v := 0; v < 3; v++ {
				for c := 0; c < 3; c++ {
					f := math.Float32frombits(binary.LittleEndian.Uint32(p[(v*3+c)*4:]))
					if f-f != 0 { // NaN or ±Inf
						return nil, formatErrorf("triangle %d has a non-finite coordinate (%v) at vertex %d", done+i+1, f, v+1)
					}
					t[v][c] = f
				}
			}
			if err := s.add(&t); err != nil {
				return nil, err
			}
		}
		done += n
	}
	return warnings, nil
}

// Read reads an STL of size bytes from r and calls fn with each triangle in
// file order (the *Triangle is reused: copy it to keep it). It detects binary
// or ASCII from the content and size, whatever the header says, and returns
// the format and any warnings. A problem with the content is a *FormatError.
func Read(r io.Reader, size int64, fn func(t *Triangle) error) (Format, []string, error) {
	return readTriangles(r, size, funcSink(fn))
}

type funcSink func(t *Triangle) error

func (f funcSink) reserve(int)           {}
func (f funcSink) add(t *Triangle) error { return f(t) }

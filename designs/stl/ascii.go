package stl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unsafe"
)

// maxLine bounds an ASCII line; real STL lines are under 100 bytes.
const maxLine = 1 << 16

// asciiState is where the parser is in the grammar
//
//	solid [name]
//	  facet [normal ni nj nk]
//	    outer loop
//	      vertex x y z   (three times)
//	    endloop
//	  endfacet
//	endsolid [name]
//
// repeated for files that hold several solids.
type asciiState int

const (
	wantSolid asciiState = iota
	wantFacet
	wantOuterLoop
	wantVertex
	wantEndLoop
	wantEndFacet
)

var expected = map[asciiState]string{
	wantSolid:     `"solid"`,
	wantFacet:     `"facet normal ni nj nk" or "endsolid"`,
	wantOuterLoop: `"outer loop"`,
	wantVertex:    `"vertex x y z"`,
	wantEndLoop:   `"endloop" (a facet has exactly three vertices)`,
	wantEndFacet:  `"endfacet"`,
}

func readASCII(br *bufio.Reader, s sink) error {
	var (
		state  = wantSolid
		line   int
		nv     int
		tris   int
		t      Triangle
		fields [8][]byte
	)
	for {
		raw, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return formatErrorf("malformed ASCII STL at line %d: the line is longer than %d bytes", line+1, br.Size())
		}
		if line == 0 {
			raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // byte-order mark
		}
		if len(raw) > 0 {
			line++
			f := splitFields(raw, fields[:0])
			if len(f) > 0 {
				bad := func() error {
					return formatErrorf("malformed ASCII STL at line %d: expected %s, found %q", line, expected[state], clip(bytes.TrimSpace(raw)))
				}
				kw := f[0]
				switch state {
				case wantSolid:
					if !keyword(kw, "solid") {
						return bad()
					}
					state = wantFacet
				case wantFacet:
					switch {
					case keyword(kw, "facet"):
						// The stored normal is not used (the winding
						// gives it), but it must be well formed.
						if len(f) > 1 && !(keyword(f[1], "normal") && len(f) == 5 && numbers(f[2:5])) {
							return bad()
						}
						state = wantOuterLoop
					case keyword(kw, "endsolid"):
						state = wantSolid
					default:
						return bad()
					}
				case wantOuterLoop:
					if !keyword(kw, "outer") || len(f) != 2 || !keyword(f[1], "loop") {
						return bad()
					}
					state, nv = wantVertex, 0
				case wantVertex:
					if !keyword(kw, "vertex") || len(f) != 4 {
						return bad()
					}
					for c := 0; c < 3; c++ {
						v, perr := strconv.ParseFloat(unsafe.String(&f[1+c][0], len(f[1+c])), 32)
						if perr != nil && !errors.Is(perr, strconv.ErrRange) {
							return formatErrorf("malformed ASCII STL at line %d: %q is not a number", line, clip(f[1+c]))
						}
						x := float32(v)
						if x-x != 0 {
							return formatErrorf("malformed ASCII STL at line %d: vertex has a non-finite coordinate (%s) in triangle %d", line, f[1+c], tris+1)
						}
						t[nv][c] = x
					}
					if nv++; nv == 3 {
						state = wantEndLoop
					}
				case wantEndLoop:
					if !keyword(kw, "endloop") {
						return bad()
					}
					state = wantEndFacet
				case wantEndFacet:
					if !keyword(kw, "endfacet") {
						return bad()
					}
					tris++
					if err := s.add(&t); err != nil {
						return err
					}
					state = wantFacet
				}
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return finishASCII(state, tris, line)
		default:
			return fmt.Errorf("read line %d: %w", line+1, err)
		}
	}
}

func finishASCII(state asciiState, tris, line int) error {
	switch {
	case tris == 0 && (state == wantSolid || state == wantFacet):
		return formatErrorf("the ASCII STL contains no triangles")
	case state == wantFacet:
		// Indistinguishable from a file cut at a facet boundary.
		return formatErrorf(`malformed ASCII STL: the file ends at line %d after triangle %d without "endsolid"; it may be truncated`, line, tris)
	case state != wantSolid:
		return formatErrorf("malformed ASCII STL: the file ends at line %d in the middle of triangle %d", line, tris+1)
	}
	return nil
}

// splitFields splits line on spaces, tabs and the line end, without
// allocating beyond dst's capacity for the common case.
func splitFields(line []byte, dst [][]byte) [][]byte {
	i := 0
	for i < len(line) {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		start := i
		for i < len(line) && !isSpace(line[i]) {
			i++
		}
		if i > start {
			dst = append(dst, line[start:i])
		}
	}
	return dst
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

// keyword compares case-insensitively: some exporters write upper case.
func keyword(b []byte, kw string) bool {
	if len(b) != len(kw) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != kw[i] {
			return false
		}
	}
	return true
}

func numbers(fs [][]byte) bool {
	for _, f := range fs {
		if _, err := strconv.ParseFloat(unsafe.String(&f[0], len(f)), 32); err != nil && !errors.Is(err, strconv.ErrRange) {
			return false
		}
	}
	return true
}

// clip keeps error messages short when a line is long or binary.
func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

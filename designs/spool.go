package designs

import (
	"errors"
	"io"
	"os"
	"sync"
)

// spool is an upload being written to a temporary file that readers may
// follow while it grows: the STL analysis reads right behind the network.
// Readers wait for more bytes until the writer finishes; if the writer fails,
// they get its error. A reader can abort the writer (a refused STL need not
// be received to its end); the writer's owner then finishes the spool.
type spool struct {
	f *os.File

	mu      sync.Mutex
	grew    *sync.Cond
	written int64
	done    bool
	err     error // why the writer stopped early
	abort   error // why a reader stopped the writer
}

// errAborted stops the writer when a reader gave up on the upload.
var errAborted = errors.New("upload aborted")

func newSpool(f *os.File) *spool {
	s := &spool{f: f}
	s.grew = sync.NewCond(&s.mu)
	return s
}

// Write appends to the file and wakes the readers.
func (s *spool) Write(p []byte) (int, error) {
	s.mu.Lock()
	aborted := s.abort != nil
	s.mu.Unlock()
	if aborted {
		return 0, errAborted
	}
	n, err := s.f.Write(p)
	s.mu.Lock()
	s.written += int64(n)
	s.grew.Broadcast()
	s.mu.Unlock()
	return n, err
}

// finish marks the end of the upload: err nil for a complete one.
func (s *spool) finish(err error) {
	s.mu.Lock()
	s.done, s.err = true, err
	s.grew.Broadcast()
	s.mu.Unlock()
}

// stop lets a reader abort the writer: its next Write fails.
func (s *spool) stop(err error) {
	s.mu.Lock()
	if s.abort == nil {
		s.abort = err
	}
	s.mu.Unlock()
}

// aborted reports whether a reader stopped the writer.
func (s *spool) aborted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.abort != nil
}

// reader follows the file from its start.
func (s *spool) reader() io.Reader { return &spoolReader{s: s} }

type spoolReader struct {
	s   *spool
	off int64
}

func (r *spoolReader) Read(p []byte) (int, error) {
	s := r.s
	s.mu.Lock()
	// A reader waits for data or for the writer to finish, never for an
	// abort: the abort only stops the writer, which then finishes. A reader
	// that gave up on an abort could not tell a file that was complete when
	// another reader stopped it from one that was cut short.
	for r.off >= s.written && !s.done {
		s.grew.Wait()
	}
	avail, werr := s.written-r.off, s.err
	s.mu.Unlock()
	switch {
	case avail > 0:
	case werr != nil:
		return 0, werr
	default:
		return 0, io.EOF
	}
	n, err := s.f.ReadAt(p[:min(int64(len(p)), avail)], r.off)
	r.off += int64(n)
	if errors.Is(err, io.EOF) && n > 0 {
		err = nil // more may come; EOF only once the writer is done
	}
	return n, err
}

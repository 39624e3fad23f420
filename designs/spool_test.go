package designs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A reader that stops the upload must not make another reader fail when the
// whole file had already arrived: CI once answered a 25-byte non-STL with 500
// because the hasher, waiting for more, saw the analysis's abort before the
// writer finished.
func TestSpoolAbortLeavesCompleteFileReadable(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sp := newSpool(f)
	body := []byte("meeting notes, not a mesh")
	if _, err := sp.Write(body); err != nil {
		t.Fatal(err)
	}
	hasher := sp.reader()
	got := make([]byte, 64)
	if n, err := hasher.Read(got); err != nil || n != len(body) {
		t.Fatalf("first read: %d, %v", n, err)
	}

	sp.stop(errors.New("not an STL")) // the analysis gives up
	if _, err := sp.Write([]byte("more")); !errors.Is(err, errAborted) {
		t.Fatalf("write after stop: %v; want errAborted", err)
	}
	read := make(chan error, 1)
	go func() {
		_, err := hasher.Read(got)
		read <- err
	}()
	select { // a reader waits for the writer's owner, whatever another reader did
	case err := <-read:
		t.Fatalf("read after stop returned %v before the spool finished", err)
	case <-time.After(50 * time.Millisecond):
	}
	sp.finish(nil) // the body had ended: the upload is complete
	if err := <-read; err != io.EOF {
		t.Fatalf("read after the end: %v; want io.EOF", err)
	}

	// A writer cut short gives its error to the readers.
	sp2 := newSpool(f)
	r := sp2.reader()
	go sp2.finish(errAborted)
	if _, err := io.ReadAll(r); !errors.Is(err, errAborted) {
		t.Fatalf("read of an aborted spool: %v", err)
	}
}

package designs

import (
	"io"
	"os"
	"sync"
	"time"
)

// spoolFiles hands out the temporary files that uploads are spooled to, and
// keeps finished ones for a while so that the next upload writes over pages
// the kernel already holds for the file instead of into fresh page cache.
// On the benchmark machine writing 200 MB into a fresh file cost up to
// 0.45 s of CPU once a few gigabytes had been written, and writing over a
// kept file 0.02 s (docs/benchmarks.md). A kept file still holds the last
// upload's bytes; it is private to the hub (mode 0600) and removed after
// spoolKeep without a new upload, or by Close.
type spoolFiles struct {
	dir string

	mu    sync.Mutex
	idle  []*os.File
	timer *time.Timer
}

const (
	maxIdleSpools = 2 // uploads received at once on a small hub
	spoolKeep     = time.Minute
)

// get returns an empty-to-the-caller file positioned at its start. A reused
// file may hold old bytes past what the caller writes: the caller truncates
// it to its own length once written.
func (p *spoolFiles) get() (*os.File, error) {
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			return os.CreateTemp(p.dir, "upload-*")
		}
		f := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if _, err := f.Seek(0, io.SeekStart); err == nil {
			return f, nil
		}
		discard(f)
	}
}

// put takes back a file no one reads or writes any more.
func (p *spoolFiles) put(f *os.File) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) >= maxIdleSpools {
		discard(f)
		return
	}
	p.idle = append(p.idle, f)
	if p.timer == nil {
		p.timer = time.AfterFunc(spoolKeep, p.Close)
	} else {
		p.timer.Reset(spoolKeep)
	}
}

// Close removes the kept files.
func (p *spoolFiles) Close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	if p.timer != nil {
		p.timer.Stop()
	}
	p.mu.Unlock()
	for _, f := range idle {
		discard(f)
	}
}

func discard(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

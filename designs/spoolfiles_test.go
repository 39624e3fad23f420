//go:build unix

package designs

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSpoolWrite writes 200 MB the way an upload fills its spool,
// into a new temporary file each time (the files are kept to the end, as an
// object store keeps what it is given) or into the file spoolFiles keeps.
// It reports the CPU time of the writes: on a virtual machine, fresh page
// cache can cost far more than writing over pages the kernel already holds
// (docs/benchmarks.md). Run it with -benchtime 8x: each new file takes
// 200 MB of disk.
func BenchmarkSpoolWrite(b *testing.B) {
	const size = 200 << 20
	buf := make([]byte, copyBuffer)
	for i := range buf {
		buf[i] = byte(i)
	}
	fill := func(b *testing.B, f *os.File) {
		for n := 0; n < size; n += len(buf) {
			if _, err := f.Write(buf); err != nil {
				b.Fatal(err)
			}
		}
		if err := f.Truncate(size); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("new-file", func(b *testing.B) {
		dir := b.TempDir()
		b.SetBytes(size)
		c0 := cpuTime()
		for b.Loop() {
			f, err := os.CreateTemp(dir, "upload-*")
			if err != nil {
				b.Fatal(err)
			}
			fill(b, f)
			f.Close()
		}
		b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("kept-file", func(b *testing.B) {
		p := &spoolFiles{dir: b.TempDir()}
		defer p.Close()
		b.SetBytes(size)
		c0 := cpuTime()
		for b.Loop() {
			f, err := p.get()
			if err != nil {
				b.Fatal(err)
			}
			fill(b, f)
			p.put(f)
		}
		b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op")
	})
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

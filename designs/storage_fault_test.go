package designs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
)

// afterPut runs a fault once, right after the first Put that succeeds
// once armed, in front of a real store: the moment between an upload
// storing its object and recording it under SQLite's write lock.
type afterPut struct {
	makerhub.BlobStore
	mu    sync.Mutex
	fault func(key string)
}

func (a *afterPut) arm(f func(key string)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fault = f
}

func (a *afterPut) Put(ctx context.Context, key string, r io.Reader, size int64, sha256 string) error {
	err := a.BlobStore.Put(ctx, key, r, size, sha256)
	a.mu.Lock()
	f := a.fault
	if err == nil {
		a.fault = nil
	}
	a.mu.Unlock()
	if err == nil && f != nil {
		f(key)
	}
	return err
}

// TestHungStorageDoesNotHoldWriters: MinIO freezes (SIGSTOP: connections
// hang, nothing answers) just after an upload has stored its object. The
// upload then checks the object under SQLite's write lock; that check is
// bounded, so another writer waiting for the lock meanwhile still gets it,
// and the upload fails with the storage's error, recording nothing. The
// same for a removal, whose delete runs under the lock. The MinIO fault
// test found every write of the hub held 5 s, up to "database is locked",
// while the check waited on minio-go's retries.
func TestHungStorageDoesNotHoldWriters(t *testing.T) {
	store, m := backends[1].open(t) // a real MinIO
	blobs := &afterPut{BlobStore: store}
	e := newEnv(t, blobs, m, 0)
	ctx := context.Background()
	d := e.design("visor")
	e.draft(d)
	kept, err := e.upload(e.maker, d, 1, "kept.stl", readTestdata(t, "ventilator-valve-handle.stl"))
	if err != nil {
		t.Fatal(err)
	}

	// kill(2) returns once the signal is queued, not once every thread of
	// MinIO has stopped: a thread already running could still answer the
	// next request (a full race-detector run saw the check succeed). So
	// freezing waits until /proc shows each thread stopped.
	freeze := func() {
		_ = syscall.Kill(m.PID(), syscall.SIGSTOP)
		waitStopped(t, m.PID())
	}
	thaw := func() { _ = syscall.Kill(m.PID(), syscall.SIGCONT) }
	t.Cleanup(thaw)

	// The upload: frozen between its Put and its record.
	frozen := make(chan struct{})
	blobs.arm(func(string) { freeze(); close(frozen) })
	uploaded := make(chan error, 1)
	go func() {
		_, err := e.upload(e.maker, d, 1, "frozen.stl", smallSTL(t))
		uploaded <- err
	}()
	<-frozen
	// Another writer while the upload holds, or waits for, the write lock.
	if _, err := e.svc.CreateDesign(as(e.other), designs.DesignInput{Title: ptr("Written meanwhile"),
		Category: ptr(designs.FaceShield), Licence: ptr("CERN-OHL-P-2.0")}); err != nil {
		t.Fatalf("a write while storage hangs under an upload: %v", err)
	}
	err = <-uploaded
	wantCode(t, err, makerhub.EUNAVAILABLE, "")
	thaw()
	v, err := e.svc.FindVersion(as(e.maker), d.ID, 1)
	if err != nil || len(v.Files) != 1 || v.Files[0].SHA256 != kept.SHA256 {
		t.Fatalf("after the failed upload the version holds %+v (%v); want only kept.stl", v, err)
	}

	// The removal: its delete runs under the write lock while MinIO is
	// frozen; the row and the object stay, to be removed later.
	freeze()
	removed := make(chan error, 1)
	go func() { removed <- e.svc.RemoveFile(as(e.maker), d.ID, 1, kept.SHA256) }()
	if _, err := e.svc.CreateDesign(as(e.other), designs.DesignInput{Title: ptr("Written meanwhile too"),
		Category: ptr(designs.FaceShield), Licence: ptr("CERN-OHL-P-2.0")}); err != nil {
		t.Fatalf("a write while storage hangs under a removal: %v", err)
	}
	err = <-removed
	thaw()
	wantCode(t, err, makerhub.EUNAVAILABLE, "")

	// Nothing is missing or damaged; what the frozen store kept is only
	// unreferenced, which repair removes.
	rep, err := e.svc.Fsck(ctx, true)
	if err != nil || len(rep.Missing) != 0 || len(rep.Corrupt) != 0 {
		t.Fatalf("fsck after the freezes: %+v %v", rep, err)
	}
	if rep, err = e.svc.Fsck(ctx, false); err != nil || !rep.Clean() {
		t.Fatalf("fsck after repair: %+v %v", rep, err)
	}
}

// TestUploadStoresAgainAnObjectRemovedBeforeItsRecord: a clean-up (fsck
// --repair in another process, or a failed upload of the same bytes)
// removes the object between the upload storing it and recording it; the
// upload stores it again, outside the write lock, and records it.
func TestUploadStoresAgainAnObjectRemovedBeforeItsRecord(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		blobs := &afterPut{BlobStore: e.blobs}
		e = newEnv(t, blobs, e.minio, 0)
		d := e.design("visor")
		e.draft(d)
		blobs.arm(func(key string) {
			if err := blobs.BlobStore.Delete(context.Background(), key); err != nil {
				t.Error(err)
			}
		})
		f, err := e.upload(e.maker, d, 1, "visor.stl", smallSTL(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.blobs.Stat(context.Background(), designs.FileKey(f.SHA256)); err != nil {
			t.Fatalf("the recorded file's object: %v", err)
		}
		if rep, err := e.svc.Fsck(context.Background(), false); err != nil || !rep.Clean() || rep.Checked != 1 {
			t.Fatalf("fsck: %+v %v", rep, err)
		}
	})
}

// waitStopped waits until every thread of process pid is stopped ("T" in
// /proc/pid/task/*/stat), for at most 10 s.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		if err != nil || len(tasks) == 0 {
			t.Fatalf("threads of process %d: %v", pid, err)
		}
		stopped := true
		for _, task := range tasks {
			b, err := os.ReadFile(task)
			// The state follows the command name, which is in parentheses.
			if i := bytes.LastIndexByte(b, ')'); err == nil && i >= 0 && i+2 < len(b) && b[i+2] != 'T' && b[i+2] != 't' {
				stopped = false
				break
			}
		}
		if stopped {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("process %d did not stop within 10 s of SIGSTOP", pid)
}

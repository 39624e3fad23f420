package designs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	pngpkg "image/png"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
)

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestUploadAnalysesAndDeduplicates(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		data := readTestdata(t, "face-shield-headpiece.stl")
		d := e.design("Face shield")
		e.draft(d)
		f, err := e.upload(e.maker, d, 1, `C:\Users\ada\Downloads\headpiece RC3.stl`, data)
		if err != nil {
			t.Fatal(err)
		}
		if f.SHA256 != sum(data) || f.Size != int64(len(data)) || f.Name != "headpiece RC3.stl" || f.Kind != designs.KindSTL || f.MediaType != "model/stl" {
			t.Fatalf("file %+v", f)
		}
		a := f.Analysis
		if a == nil || a.Triangles != 33630 || !a.Watertight || a.Estimate == nil || a.Estimate.FilamentG <= 0 || a.Estimate.PrintMinutes <= 0 {
			t.Fatalf("analysis %+v", a)
		}
		if keys := e.objects(); len(keys) != 1 || keys[0] != designs.FileKey(f.SHA256) {
			t.Fatalf("objects %v", keys)
		}
		// The same bytes in another design are stored once.
		d2 := e.design("Face shield fork")
		e.draft(d2)
		if _, err := e.upload(e.maker, d2, 1, "copy.stl", data); err != nil {
			t.Fatal(err)
		}
		if keys := e.objects(); len(keys) != 1 {
			t.Fatalf("identical file stored twice: %v", keys)
		}
		// Same file or same name twice in one version: refused.
		_, err = e.upload(e.maker, d, 1, "again.stl", data)
		wantCode(t, err, makerhub.ECONFLICT, "already holds the same file")
		_, err = e.upload(e.maker, d, 1, "headpiece RC3.stl", readTestdata(t, "ventilator-valve-handle.stl"))
		wantCode(t, err, makerhub.ECONFLICT, "different file named")
		// Changing the design's material changes the estimate.
		if _, err := e.svc.UpdateDesign(as(e.maker), d.ID, designs.DesignInput{Material: ptr("PETG")}); err != nil {
			t.Fatal(err)
		}
		v, _ := e.svc.FindVersion(as(e.maker), d.ID, 1)
		if pe := v.Files[0].Analysis.Estimate; pe.Settings.DensityGCm3 != 1.27 || pe.FilamentG <= a.Estimate.FilamentG {
			t.Fatalf("estimate after PETG: %+v vs PLA %+v", pe, a.Estimate)
		}
		// Other kinds are stored without analysis.
		pdf := []byte("%PDF-1.4\n% assembly instructions\n")
		if f, err := e.upload(e.maker, d, 1, "instructions.pdf", pdf); err != nil || f.Analysis != nil || f.Kind != designs.KindPDF {
			t.Fatalf("pdf: %+v %v", f, err)
		}
	})
}

// failingReader gives n bytes then fails, as a client that goes away.
type failingReader struct {
	r io.Reader
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

// unreadable fails the test if anything reads it.
type unreadable struct{ t *testing.T }

func (u unreadable) Read([]byte) (int, error) { u.t.Error("the body was read"); return 0, io.EOF }

func TestFailedUploadsStoreNothing(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			blobs, m := b.open(t)
			e := newEnv(t, blobs, m, 200_000)
			d := e.design("Mask")
			e.draft(d)
			good := readTestdata(t, "ventilator-valve-handle.stl") // 379,884 bytes: over this env's limit
			small := good[:84+50*100]                              // truncated binary: bad STL
			tests := []struct {
				name string
				up   designs.Upload
				code string
				msg  string
			}{
				{"truncated STL", designs.Upload{Name: "m.stl", Body: bytes.NewReader(small), Size: int64(len(small))}, makerhub.EUNPROCESSABLE, "truncated at triangle 101"},
				{"not an STL", designs.Upload{Name: "m.stl", Body: strings.NewReader("hello, world"), Size: 12}, makerhub.EUNPROCESSABLE, "not an STL file"},
				{"empty", designs.Upload{Name: "m.stl", Body: strings.NewReader(""), Size: 0}, makerhub.EUNPROCESSABLE, "empty"},
				{"over the limit", designs.Upload{Name: "m.stl", Body: bytes.NewReader(good), Size: -1}, makerhub.ETOOLARGE, "limit"},
				{"announced over the limit", designs.Upload{Name: "m.stl", Body: unreadable{t}, Size: 1 << 30}, makerhub.ETOOLARGE, "limit"},
				// A valid file whose client goes away half way: the only
				// fault is the connection.
				{"client gone", designs.Upload{Name: "m.stl", Body: &failingReader{bytes.NewReader(smallSTL(t)), 300}, Size: int64(len(smallSTL(t)))}, makerhub.EINVALID, "cut short"},
				{"shorter than announced", designs.Upload{Name: "m.stl", Body: bytes.NewReader(small), Size: int64(len(small)) + 5}, makerhub.EINVALID, "announced"},
				{"unknown type", designs.Upload{Name: "m.exe", Body: unreadable{t}, Size: 10}, makerhub.EUNSUPPORTED, "not accepted"},
				{"no name", designs.Upload{Name: "../", Body: unreadable{t}, Size: 10}, makerhub.EINVALID, "no name"},
				{"fake pdf", designs.Upload{Name: "guide.pdf", Body: strings.NewReader("<html>"), Size: 6}, makerhub.EUNPROCESSABLE, "does not look like a PDF"},
				{"fake png", designs.Upload{Name: "photo.png", Body: strings.NewReader("%PDF-1.4"), Size: 8}, makerhub.EUNPROCESSABLE, "does not look like a PNG image"},
			}
			for _, tt := range tests {
				_, err := e.svc.AddFile(as(e.maker), d.ID, 1, tt.up)
				if makerhub.ErrorCode(err) != tt.code || !containsFold(makerhub.ErrorMessage(err), tt.msg) {
					t.Errorf("%s: %v, want %s mentioning %q", tt.name, err, tt.code, tt.msg)
				}
			}
			// Nobody else may add files, whatever they send.
			_, err := e.svc.AddFile(as(e.other), d.ID, 1, designs.Upload{Name: "m.stl", Body: unreadable{t}, Size: 10})
			wantCode(t, err, makerhub.EFORBIDDEN, "")
			_, err = e.svc.AddFile(context.Background(), d.ID, 1, designs.Upload{Name: "m.stl", Body: unreadable{t}, Size: 10})
			wantCode(t, err, makerhub.EUNAUTHORIZED, "")

			if m != nil {
				// Object storage down: 503 saying so, nothing stored,
				// and uploads work again when it returns.
				m.Stop(t)
				_, err := e.upload(e.maker, d, 1, "m.stl", smallSTL(t))
				wantCode(t, err, makerhub.EUNAVAILABLE, "storage is unavailable")
				m.Start(t)
			}
			v, err := e.svc.FindVersion(as(e.maker), d.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Files) != 0 || len(e.objects()) != 0 {
				t.Fatalf("failed uploads left %d files and objects %v", len(v.Files), e.objects())
			}
			if rep, err := e.svc.Fsck(context.Background(), false); err != nil || rep.Checked != 0 || !rep.Clean() {
				t.Fatalf("fsck after failures: %+v %v", rep, err)
			}
			if m != nil {
				if _, err := e.upload(e.maker, d, 1, "m.stl", smallSTL(t)); err != nil {
					t.Fatalf("upload after MinIO returned: %v", err)
				}
			}
		})
	}
}

// Uploads, accepted or refused, leave at most the spool files the service
// keeps for the next uploads, and Close removes those.
func TestNoTemporaryFilesLeft(t *testing.T) {
	e := localEnv(t)
	dir := t.TempDir()
	e.svc = designs.New(e.db, e.acc, e.blobs, designs.Options{TempDir: dir, MaxUpload: 1000})
	d := e.design("x")
	e.draft(d)
	e.upload(e.maker, d, 1, "a.stl", []byte("not an stl at all"))
	e.upload(e.maker, d, 1, "a.stl", bytes.Repeat([]byte("x"), 2000))
	e.upload(e.maker, d, 1, "a.stl", smallSTL(t))
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("uploads one after another should leave one kept spool file: %v", entries)
	}
	e.svc.Close()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("temporary files left after Close: %v", entries)
	}
}

// A spool file is reused by the next upload: a shorter upload must see
// nothing of the longer one before it. A 4-byte PNG after a real one would
// otherwise pass the content check on the old bytes behind it.
func TestReusedSpoolHoldsOnlyTheNewUpload(t *testing.T) {
	e := localEnv(t)
	e.svc = designs.New(e.db, e.acc, e.blobs, designs.Options{TempDir: t.TempDir()})
	defer e.svc.Close()
	d := e.design("x")
	e.draft(d)
	var png bytes.Buffer
	if err := pngpkg.Encode(&png, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	long := append(png.Bytes(), bytes.Repeat([]byte{0}, 4096)...) // trailing bytes are allowed in a PNG
	big := readTestdata(t, "ventilator-valve-handle.stl")
	small := smallSTL(t)
	for i, up := range []struct {
		name string
		data []byte
		msg  string
	}{
		{"photo.png", long, ""},
		{"cut.png", long[:4], "does not look like a PNG image"},
		{"handle.stl", big, ""},
		{"small.stl", small, ""},
		{"cut.stl", small[:len(small)-10], "truncated"},
	} {
		f, err := e.upload(e.maker, d, 1, up.name, up.data)
		if up.msg != "" {
			wantCode(t, err, makerhub.EUNPROCESSABLE, up.msg)
			continue
		}
		if err != nil {
			t.Fatalf("upload %d (%s): %v", i, up.name, err)
		}
		if f.SHA256 != sum(up.data) || f.Size != int64(len(up.data)) {
			t.Fatalf("upload %d (%s): %s, %d bytes; want %s, %d", i, up.name, f.SHA256, f.Size, sum(up.data), len(up.data))
		}
		dl, err := e.svc.OpenFile(as(e.maker), f.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := dl.Open(context.Background(), 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(stored, up.data) {
			t.Fatalf("upload %d (%s): stored %d bytes (%v), not the upload's %d", i, up.name, len(stored), err, len(up.data))
		}
	}
	v, _ := e.svc.FindVersion(as(e.maker), d.ID, 1)
	if a := v.Files[2].Analysis; v.Files[2].Name != "small.stl" || a == nil || a.Triangles != 12 {
		t.Fatalf("small STL after a big one: %+v", v.Files[2])
	}
}

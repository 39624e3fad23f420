package designs_test

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
)

func readDownload(t *testing.T, dl *designs.Download) []byte {
	t.Helper()
	rc, err := dl.Open(context.Background(), 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A thumbnail is drawn on first request, stored beside its file, read
// from there afterwards, and goes with the file.
func TestThumbnails(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		d := e.design("Valve handle")
		e.draft(d)
		f, err := e.upload(e.maker, d, 1, "Handle.STL", readTestdata(t, "ventilator-valve-handle.stl"))
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := e.upload(e.maker, d, 1, "guide.pdf", []byte("%PDF-1.4 guide"))
		if err != nil {
			t.Fatal(err)
		}
		// A draft's thumbnail, like its file, is its author's and the
		// coordinators'.
		_, err = e.svc.Thumbnail(as(e.other), f.SHA256)
		wantCode(t, err, makerhub.EFORBIDDEN, "belongs to a draft")
		_, err = e.svc.Thumbnail(ctx, f.SHA256)
		wantCode(t, err, makerhub.EUNAUTHORIZED, "belongs to a draft")
		if slices.ContainsFunc(e.objects(), func(k string) bool { return strings.HasPrefix(k, "thumbnails/") }) {
			t.Fatal("a refused request drew a thumbnail")
		}

		dl, err := e.svc.Thumbnail(as(e.maker), f.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if dl.MediaType != "image/png" || dl.Name != "Handle.png" || dl.Public || dl.Size <= 0 {
			t.Fatalf("thumbnail %+v", dl.File)
		}
		first := readDownload(t, dl)
		img, err := png.Decode(bytes.NewReader(first))
		if err != nil || img.Bounds().Dx() != designs.ThumbnailSize || img.Bounds().Dy() != designs.ThumbnailSize {
			t.Fatalf("thumbnail: %v, %v", img.Bounds(), err)
		}
		if !slices.Contains(e.objects(), designs.ThumbnailKey(f.SHA256)) {
			t.Fatalf("the thumbnail was not stored: %v", e.objects())
		}
		// The stored picture is served, not drawn again: replace it and
		// see the replacement.
		marker := []byte("stored")
		if err := e.blobs.Put(ctx, designs.ThumbnailKey(f.SHA256), bytes.NewReader(marker), int64(len(marker)), sum(marker)); err != nil {
			t.Fatal(err)
		}
		if dl, err = e.svc.Thumbnail(as(e.coord), f.SHA256); err != nil || !bytes.Equal(readDownload(t, dl), marker) {
			t.Fatalf("second request: %v", err)
		}
		if err := e.blobs.Put(ctx, designs.ThumbnailKey(f.SHA256), bytes.NewReader(first), int64(len(first)), sum(first)); err != nil {
			t.Fatal(err)
		}

		_, err = e.svc.Thumbnail(as(e.maker), pdf.SHA256)
		wantCode(t, err, makerhub.ENOTFOUND, "only STL files have thumbnails")
		_, err = e.svc.Thumbnail(as(e.maker), strings.Repeat("0", 64))
		wantCode(t, err, makerhub.ENOTFOUND, "There is no file")

		if rep, err := e.svc.Fsck(ctx, false); err != nil || !rep.Clean() {
			t.Fatalf("fsck with a thumbnail: %+v %v", rep, err)
		}
		if err := e.svc.RemoveFile(as(e.maker), d.ID, 1, f.SHA256); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(e.objects(), designs.ThumbnailKey(f.SHA256)) {
			t.Fatal("the thumbnail outlived its file")
		}
	})
}

// fsck reports thumbnails of no file, and of an older renderer, and
// repair removes them.
func TestFsckFindsStrayThumbnails(t *testing.T) {
	e := localEnv(t)
	ctx := context.Background()
	d := e.design("x")
	e.draft(d)
	f, err := e.upload(e.maker, d, 1, "a.stl", smallSTL(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Thumbnail(as(e.maker), f.SHA256); err != nil {
		t.Fatal(err)
	}
	junk := []byte("png")
	stray := []string{designs.ThumbnailKey(strings.Repeat("a", 64)), "thumbnails/v0/" + f.SHA256[:2] + "/" + f.SHA256 + ".png"}
	for _, k := range stray {
		if err := e.blobs.Put(ctx, k, bytes.NewReader(junk), int64(len(junk)), sum(junk)); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := e.svc.Fsck(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(stray)
	if !slices.Equal(rep.Unreferenced, stray) {
		t.Fatalf("unreferenced %v; want %v", rep.Unreferenced, stray)
	}
	if rep, err = e.svc.Fsck(ctx, true); err != nil || len(rep.Removed) != 2 {
		t.Fatalf("repair: %+v %v", rep, err)
	}
	if !slices.Contains(e.objects(), designs.ThumbnailKey(f.SHA256)) {
		t.Fatal("repair removed the thumbnail of a known file")
	}
}

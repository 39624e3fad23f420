package designs_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
)

func TestRemoveFile(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		data, shared := smallSTL(t), readTestdata(t, "ventilator-valve-handle.stl")
		d1, d2 := e.design("one"), e.design("two")
		e.draft(d1)
		e.draft(d2)
		f, _ := e.upload(e.maker, d1, 1, "a.stl", data)
		s1, _ := e.upload(e.maker, d1, 1, "shared.stl", shared)
		e.upload(e.maker, d2, 1, "shared.stl", shared)

		wantCode(t, e.svc.RemoveFile(as(e.other), d1.ID, 1, f.SHA256), makerhub.EFORBIDDEN, "")
		wantCode(t, e.svc.RemoveFile(as(e.maker), d1.ID, 1, strings.Repeat("0", 64)), makerhub.ENOTFOUND, "holds no file")
		if err := e.svc.RemoveFile(as(e.maker), d1.ID, 1, f.SHA256); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RemoveFile(as(e.maker), d1.ID, 1, s1.SHA256); err != nil {
			t.Fatal(err)
		}
		// a.stl was held by nobody else: gone. shared.stl stays for d2.
		if keys := e.objects(); len(keys) != 1 || keys[0] != designs.FileKey(s1.SHA256) {
			t.Fatalf("objects after removal: %v", keys)
		}
		v, _ := e.svc.FindVersion(as(e.maker), d1.ID, 1)
		if len(v.Files) != 0 || v.History[len(v.History)-1].Action != "file_removed" {
			t.Fatalf("version after removal: %+v", v)
		}
		e.upload(e.maker, d2, 1, "x.stl", data)
		if _, err := e.svc.Publish(as(e.maker), d2.ID, 1, ""); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.svc.RemoveFile(as(e.maker), d2.ID, 1, s1.SHA256), makerhub.ECONFLICT, "published")
	})
}

func TestDownloads(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		data := readTestdata(t, "ventilator-valve-handle.stl")
		d := e.design("handle")
		e.draft(d)
		f, err := e.upload(e.maker, d, 1, "handle.stl", data)
		if err != nil {
			t.Fatal(err)
		}
		// A draft's file: its author and coordinators only.
		_, err = e.svc.OpenFile(context.Background(), f.SHA256)
		wantCode(t, err, makerhub.EUNAUTHORIZED, "draft")
		_, err = e.svc.OpenFile(as(e.other), f.SHA256)
		wantCode(t, err, makerhub.EFORBIDDEN, "draft")
		for _, u := range []*makerhub.User{e.maker, e.coord} {
			if dl, err := e.svc.OpenFile(as(u), f.SHA256); err != nil || dl.Public {
				t.Fatalf("author/coordinator: %+v %v", dl, err)
			}
		}
		if _, err := e.svc.Publish(as(e.maker), d.ID, 1, ""); err != nil {
			t.Fatal(err)
		}
		dl, err := e.svc.OpenFile(context.Background(), f.SHA256)
		if err != nil || !dl.Public || dl.Name != "handle.stl" || dl.Size != int64(len(data)) || dl.ModTime.IsZero() {
			t.Fatalf("published file: %+v %v", dl, err)
		}
		rc, err := dl.Open(context.Background(), 100, 50)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, data[100:150]) {
			t.Fatal("range read returned other bytes")
		}
		_, err = e.svc.OpenFile(context.Background(), "not-a-hash")
		wantCode(t, err, makerhub.ENOTFOUND, "64 lowercase hex")
		_, err = e.svc.OpenFile(context.Background(), strings.Repeat("a", 64))
		wantCode(t, err, makerhub.ENOTFOUND, "no file")
	})
}

func TestFsck(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		d := e.design("x")
		e.draft(d)
		a, _ := e.upload(e.maker, d, 1, "a.stl", smallSTL(t))
		b, _ := e.upload(e.maker, d, 1, "b.stl", readTestdata(t, "ventilator-valve-handle.stl"))
		c, _ := e.upload(e.maker, d, 1, "c.pdf", []byte("%PDF-1.4 guide"))
		if rep, err := e.svc.Fsck(ctx, false); err != nil || !rep.Clean() || rep.Checked != 3 {
			t.Fatalf("fsck of a healthy store: %+v %v", rep, err)
		}
		// Lose a's object, replace c's bytes, and leave an orphan behind.
		if err := e.blobs.Delete(ctx, designs.FileKey(a.SHA256)); err != nil {
			t.Fatal(err)
		}
		bad := []byte("%PDF-1.4 tampered")
		if err := e.blobs.Put(ctx, designs.FileKey(c.SHA256), bytes.NewReader(bad), int64(len(bad)), sum(bad)); err != nil {
			t.Fatal(err)
		}
		orphan := []byte("left by a crash between the object and the row")
		if err := e.blobs.Put(ctx, designs.FileKey(sum(orphan)), bytes.NewReader(orphan), int64(len(orphan)), sum(orphan)); err != nil {
			t.Fatal(err)
		}
		rep, err := e.svc.Fsck(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Missing) != 1 || rep.Missing[0] != a.SHA256 || len(rep.Corrupt) != 1 || rep.Corrupt[0] != c.SHA256 ||
			len(rep.Unreferenced) != 1 || rep.Unreferenced[0] != designs.FileKey(sum(orphan)) || rep.Clean() {
			t.Fatalf("fsck report %+v", rep)
		}
		rep, err = e.svc.Fsck(ctx, true)
		if err != nil || len(rep.Removed) != 1 || len(rep.Unreferenced) != 0 {
			t.Fatalf("repair: %+v %v", rep, err)
		}
		if _, err := e.blobs.Stat(ctx, designs.FileKey(sum(orphan))); makerhub.ErrorCode(err) != makerhub.ENOTFOUND {
			t.Fatalf("orphan still there: %v", err)
		}
		if _, err := e.blobs.Stat(ctx, designs.FileKey(b.SHA256)); err != nil {
			t.Fatalf("repair removed a referenced object: %v", err)
		}
	})
}

func TestOKHManifest(t *testing.T) {
	e := localEnv(t)
	d, err := e.svc.CreateDesign(as(e.maker), designs.DesignInput{Title: ptr("GliaX face shield"), Category: ptr(designs.FaceShield),
		Licence: ptr("GPL-3.0"), Description: ptr("Headpiece"), SourceURL: ptr("https://github.com/GliaX/faceshield"), Tags: ptr([]string{"visor"})})
	if err != nil {
		t.Fatal(err)
	}
	e.draft(d)
	data := readTestdata(t, "face-shield-headpiece.stl")
	e.upload(e.maker, d, 1, "headpiece.stl", data)
	e.upload(e.maker, d, 1, "assembly.pdf", []byte("%PDF-1.4"))
	e.svc.Publish(as(e.maker), d.ID, 1, "")
	e.svc.Review(as(e.coord), d.ID, 1, designs.CommunityReviewed, "ok")

	out, err := e.svc.OKH(context.Background(), d.ID, 1, "https://hub.example.org")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(out, &m); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, out)
	}
	lic := m["license"].(map[string]any)
	mf := m["manufacturing-files"].([]any)[0].(map[string]any)
	hub := m["x-makerhub"].(map[string]any)
	files := hub["files"].([]any)
	switch {
	case m["title"] != "GliaX face shield", lic["hardware"] != "GPL-3.0", m["version"] != "1":
		t.Errorf("manifest head:\n%s", out)
	case mf["path"] != "https://hub.example.org/api/v1/files/"+sum(data) || mf["title"] != "headpiece.stl":
		t.Errorf("manufacturing-files:\n%s", out)
	case hub["review-status"] != "community_reviewed" || len(files) != 2 || files[1].(map[string]any)["sha256"] != sum(data):
		t.Errorf("x-makerhub:\n%s", out)
	case !strings.Contains(m["health-safety-notice"].(string), "Not clinically validated"):
		t.Errorf("safety notice: %v", m["health-safety-notice"])
	case len(m["making-instructions"].([]any)) != 1:
		t.Errorf("making-instructions:\n%s", out)
	}
	// Drafts' manifests are private like the drafts.
	e.draft(d)
	_, err = e.svc.OKH(context.Background(), d.ID, 2, "https://hub.example.org")
	wantCode(t, err, makerhub.EUNAUTHORIZED, "draft")
}

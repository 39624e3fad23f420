package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/png"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
	"github.com/makerhub/makerhub/internal/blob/s3"
	"github.com/makerhub/makerhub/internal/testenv"
)

// onBothStores runs f on a hub over local disk and over a real MinIO.
func onBothStores(t *testing.T, maxUpload int64, f func(t *testing.T, h *testHub, m *testenv.MinIO)) {
	t.Run("local", func(t *testing.T) {
		blobs, err := local.New(filepath.Join(t.TempDir(), "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		f(t, newTestHubOn(t, accounts.Options{}, blobs, designs.Options{MaxUpload: maxUpload}), nil)
	})
	t.Run("minio", func(t *testing.T) {
		m := testenv.StartMinIO(t)
		blobs, err := s3.New(s3.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "web-test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := blobs.EnsureBucket(context.Background()); err != nil {
			t.Fatal(err)
		}
		f(t, newTestHubOn(t, accounts.Options{}, blobs, designs.Options{MaxUpload: maxUpload}), m)
	})
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// storedNothing checks that no object and no temporary file is left.
func (h *testHub) storedNothing(t *testing.T) {
	t.Helper()
	for info, err := range h.Blobs.List(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("object %s left behind", info.Key)
	}
	h.Designs.Close() // removes the spool files kept for the next uploads: any other is left behind
	if entries, _ := os.ReadDir(h.TmpDir); len(entries) != 0 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestUploadsThroughTheAPI(t *testing.T) {
	onBothStores(t, 300_000, func(t *testing.T, h *testHub, m *testenv.MinIO) {
		maker := h.NewCaller("maker")
		id := h.NewDesign(maker)
		n := h.NewDraft(maker, id)
		data, err := os.ReadFile("../../testdata/stl/ventilator-valve-handle.stl") // 379,884 bytes: over this hub's limit
		if err != nil {
			t.Fatal(err)
		}

		// What is refused stores nothing.
		for _, tc := range []struct {
			name   string
			r      *response
			status int
			msg    string
		}{
			{"too large", h.Upload(maker.Token, id, n, "handle.stl", data), 413, "limit of 0 MiB"},
			{"too large, multipart", h.UploadMultipart(maker.Token, id, n, "file", "handle.stl", data), 413, "limit"},
			{"bad STL", h.Upload(maker.Token, id, n, "cut.stl", data[:84+50*10+7]), 422, "truncated at triangle 11 of 7596"},
			{"not an STL", h.Upload(maker.Token, id, n, "notes.stl", []byte("meeting notes, not a mesh")), 422, "not an STL file"},
			{"not an STL, multipart", h.UploadMultipart(maker.Token, id, n, "file", "x.stl", []byte("PK\x03\x04zip")), 422, "not an STL file"},
			{"unknown type", h.Upload(maker.Token, id, n, "tool.exe", []byte("MZ")), 415, "not accepted"},
			{"no name", h.Upload(maker.Token, id, n, "", cubeSTL(10)), 400, "no name"},
			{"no file field", h.UploadMultipart(maker.Token, id, n, "attachment", "a.stl", cubeSTL(10)), 400, `no field named \"file\"`},
			{"not the author", h.Upload(h.NewCaller("maker").Token, id, n, "a.stl", cubeSTL(10)), 403, "only its author"},
		} {
			if tc.r.StatusCode != tc.status || !strings.Contains(tc.r.Body, tc.msg) {
				t.Errorf("%s: %d %s; want %d mentioning %s", tc.name, tc.r.StatusCode, tc.r.Body, tc.status, tc.msg)
			}
			errorOf(t, tc.r)
		}
		h.storedNothing(t)

		// A client that goes away in the middle of its upload.
		conn, err := net.Dial("tcp", strings.TrimPrefix(h.TS.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		part := cubeSTL(30)
		fmt.Fprintf(conn, "POST /api/v1/designs/%d/versions/%d/files?name=gone.stl HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n", id, n, maker.Token, len(part))
		conn.Write(part[:len(part)/2])
		time.Sleep(100 * time.Millisecond)
		conn.Close()
		time.Sleep(200 * time.Millisecond)
		h.storedNothing(t)

		if m != nil {
			// Object storage down: 503 saying so, nothing stored.
			m.Stop(t)
			r := h.Upload(maker.Token, id, n, "cube.stl", cubeSTL(10))
			if code, msg := errorOf(t, r); r.StatusCode != 503 || code != "unavailable" || !strings.Contains(msg, "storage is unavailable") {
				t.Errorf("upload with MinIO down: %d %s", r.StatusCode, r.Body)
			}
			m.Start(t)
			h.storedNothing(t)
		}

		// What is accepted: multipart as curl -F sends it, and raw bodies.
		cube := cubeSTL(20)
		r := h.UploadMultipart(maker.Token, id, n, "file", "Visière RC3 é.stl", cube)
		if r.StatusCode != 201 || !strings.Contains(r.Body, `"sha256":"`+sha(cube)+`"`) || !strings.Contains(r.Body, `"triangles":12`) ||
			!strings.Contains(r.Body, `"estimate":{`) || !strings.Contains(r.Body, `"watertight":true`) {
			t.Fatalf("multipart upload: %d %s", r.StatusCode, r.Body)
		}
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/designs/%d/versions/%d/files", h.TS.URL, id, n), strings.NewReader("%PDF-1.4 instructions"))
		req.Header.Set("Authorization", "Bearer "+maker.Token)
		req.Header.Set("Content-Disposition", `attachment; filename="assembly guide.pdf"`)
		if r := h.Send(req); r.StatusCode != 201 || !strings.Contains(r.Body, `"name":"assembly guide.pdf"`) || strings.Contains(r.Body, "analysis") {
			t.Fatalf("raw PDF upload: %d %s", r.StatusCode, r.Body)
		}
		v := h.Request("GET", fmt.Sprintf("/api/v1/designs/%d/versions/%d", id, n), "", maker.Token, nil)
		if !strings.Contains(v.Body, "file_added") || strings.Count(v.Body, `"sha256":`) != 2 {
			t.Fatalf("version after uploads: %s", v.Body)
		}
	})
}

func TestDownloadsThroughTheAPI(t *testing.T) {
	onBothStores(t, 0, func(t *testing.T, h *testHub, _ *testenv.MinIO) {
		maker := h.NewCaller("maker")
		id := h.NewDesign(maker)
		n := h.NewDraft(maker, id)
		data, _ := os.ReadFile("../../testdata/stl/ventilator-valve-handle.stl")
		if r := h.UploadMultipart(maker.Token, id, n, "file", "poignée de vanne.stl", data); r.StatusCode != 201 {
			t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
		}
		url := "/api/v1/files/" + sha(data)

		// A draft's file is private.
		if r := h.Request("GET", url, "", "", nil); r.StatusCode != 401 {
			t.Fatalf("anonymous download of a draft file: %d", r.StatusCode)
		}
		r := h.Request("GET", url, "", maker.Token, nil)
		if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "private, no-cache" {
			t.Fatalf("author download: %d %v", r.StatusCode, r.Header)
		}
		h.Request("POST", fmt.Sprintf("/api/v1/designs/%d/versions/%d/publish", id, n), "", maker.Token, nil)

		r = h.Request("GET", url, "", "", nil)
		switch {
		case r.StatusCode != 200 || r.Body != string(data):
			t.Fatalf("download: %d, %d bytes", r.StatusCode, len(r.Body))
		case r.Header.Get("ETag") != `"`+sha(data)+`"`:
			t.Errorf("ETag %q", r.Header.Get("ETag"))
		case r.Header.Get("Content-Type") != "model/stl" || r.Header.Get("X-Content-Type-Options") != "nosniff":
			t.Errorf("content headers %v", r.Header)
		case !strings.Contains(r.Header.Get("Cache-Control"), "immutable"):
			t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
		case r.Header.Get("Content-Disposition") != `attachment; filename*=utf-8''poign%C3%A9e%20de%20vanne.stl`:
			t.Errorf("Content-Disposition %q", r.Header.Get("Content-Disposition"))
		}
		r = h.Request("GET", url, "", "", http.Header{"Range": {"bytes=100-149"}})
		if r.StatusCode != 206 || r.Body != string(data[100:150]) || r.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-149/%d", len(data)) {
			t.Fatalf("range: %d %q %q", r.StatusCode, r.Header.Get("Content-Range"), r.Body)
		}
		r = h.Request("GET", url, "", "", http.Header{"Range": {"bytes=-10"}})
		if r.StatusCode != 206 || r.Body != string(data[len(data)-10:]) {
			t.Fatalf("suffix range: %d", r.StatusCode)
		}
		if r := h.Request("GET", url, "", "", http.Header{"Range": {"bytes=999999999-"}}); r.StatusCode != 416 {
			t.Fatalf("range beyond the end: %d", r.StatusCode)
		}
		if r := h.Request("GET", url, "", "", http.Header{"If-None-Match": {`"` + sha(data) + `"`}}); r.StatusCode != 304 {
			t.Fatalf("If-None-Match: %d", r.StatusCode)
		}
		r = h.Request("HEAD", url, "", "", nil)
		if r.StatusCode != 200 || r.Body != "" || r.Header.Get("Content-Length") != fmt.Sprint(len(data)) {
			t.Fatalf("HEAD: %d %q %v", r.StatusCode, r.Body, r.Header)
		}
		r = h.Request("GET", "/api/v1/files/"+strings.Repeat("0", 64), "", "", nil)
		if code, _ := errorOf(t, r); r.StatusCode != 404 || code != "not_found" {
			t.Fatalf("unknown file: %d %s", r.StatusCode, r.Body)
		}
		if r := h.Request("GET", "/api/v1/files/..%2f..%2fetc%2fpasswd", "", "", nil); r.StatusCode != 404 {
			t.Fatalf("path in the hash: %d", r.StatusCode)
		}

		// The OKH manifest names the file by its hash.
		r = h.Request("GET", fmt.Sprintf("/api/v1/designs/%d/versions/%d/okh", id, n), "", "", nil)
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/yaml") ||
			!strings.Contains(r.Body, "manufacturing-files:") || !strings.Contains(r.Body, sha(data)) || !strings.Contains(r.Body, h.TS.URL) {
			t.Fatalf("okh: %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestDesignScenarios(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	callers := map[string]*caller{"maker": h.NewCaller("maker"), "coordinator": h.NewCaller("coordinator"), "hospital": h.NewCaller("hospital")}
	id := h.NewDesign(callers["maker"])
	runScenarios(t, h, callers, []scenario{
		{name: "create", method: "POST", path: "/api/v1/designs", as: "maker", status: 201,
			body:     `{"title":"Ear saver","category":"ear_saver","licence":"CC-BY-NC-4.0","material":"TPU","tags":["strap"],"print_settings":{"infill_percent":15}}`,
			contains: []string{`"restricts_commercial_use":true`, `"material":"TPU"`, `"infill_percent":15`, `"review_status":"draft"`, `"current_version":null`}},
		{name: "unknown licence", method: "POST", path: "/api/v1/designs", as: "maker", status: 400,
			body: `{"title":"x","category":"mask","licence":"All rights reserved"}`, contains: []string{"not an SPDX identifier"}},
		{name: "unknown field", method: "POST", path: "/api/v1/designs", as: "maker", status: 400,
			body: `{"title":"x","category":"mask","licence":"MIT","colour":"red"}`, contains: []string{`unknown field \"colour\"`}},
		{name: "tags wrong type", method: "POST", path: "/api/v1/designs", as: "maker", status: 400,
			body: `{"title":"x","category":"mask","licence":"MIT","tags":"visor"}`, contains: []string{`Field \"tags\" must be an array`}},
		{name: "hospitals do not publish designs", method: "POST", path: "/api/v1/designs", as: "hospital", status: 403,
			body: `{"title":"x","category":"mask","licence":"MIT"}`, contains: []string{"makers and coordinators"}},
		{name: "filter by licence", method: "GET", path: "/api/v1/designs?licence=cc-by-nc-4.0", status: 200, contains: []string{`"total":1`, "Ear saver"}},
		{name: "filter by category", method: "GET", path: "/api/v1/designs?category=face_shield", status: 200, contains: []string{`"total":1`, "Visor"}},
		{name: "filter by text", method: "GET", path: "/api/v1/designs?q=strap", status: 200, contains: []string{`"total":1`}},
		{name: "bad category filter", method: "GET", path: "/api/v1/designs?category=hat", status: 400, contains: []string{`\"hat\" is not known`}},
		{name: "missing design", method: "GET", path: "/api/v1/designs/9999", status: 404, contains: []string{"Design 9999 does not exist"}},
		{name: "bad version number", method: "GET", path: path("/api/v1/designs/%d/versions/zero", id), status: 400, contains: []string{"numbered 1, 2, 3"}},
		{name: "missing version", method: "GET", path: path("/api/v1/designs/%d/versions/7", id), status: 404, contains: []string{"has no version 7"}},
		{name: "open a draft", method: "POST", path: path("/api/v1/designs/%d/versions", id), as: "maker", body: `{"notes":"RC3"}`, status: 201,
			contains: []string{`"number":1`, `"status":"draft"`, `"action":"created"`}},
		{name: "a second draft", method: "POST", path: path("/api/v1/designs/%d/versions", id), as: "maker", body: `{}`, status: 409, contains: []string{"already has a draft"}},
		{name: "publish without files", method: "POST", path: path("/api/v1/designs/%d/versions/1/publish", id), as: "maker", status: 409, contains: []string{"has no files"}},
		{name: "publish with a field of review", method: "POST", path: path("/api/v1/designs/%d/versions/1/publish", id), as: "maker",
			body: `{"status":"clinically_validated"}`, status: 400, contains: []string{`unknown field \"status\"`}},
		{name: "review a draft", method: "POST", path: path("/api/v1/designs/%d/versions/1/review", id), as: "coordinator",
			body: `{"status":"community_reviewed"}`, status: 409, contains: []string{"is draft"}},
		{name: "lifecycle unknown", method: "POST", path: path("/api/v1/designs/%d/versions/1/lifecycle", id), as: "coordinator",
			body: `{"lifecycle":"deleted","reason":"x"}`, status: 400, contains: []string{`\"deleted\" is not known`}},
		{name: "catalogue of beds", method: "GET", path: "/api/v1/beds", status: 200, contains: []string{`"id":"prusa-mk3s"`, `"x_mm":250`}},
		{name: "catalogue of materials", method: "GET", path: "/api/v1/materials", status: 200, contains: []string{`"id":"PETG"`, `"density_g_cm3":1.27`}},
		{name: "catalogue of licences", method: "GET", path: "/api/v1/licences", status: 200, contains: []string{`"id":"CERN-OHL-S-2.0"`}},
	})
}

// An STL file's thumbnail over HTTP: a PNG, drawn once, cached by anyone
// once the version is published, revalidated by its ETag.
func TestThumbnailOverHTTP(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker := h.NewCaller("maker")
	id, n, sum := h.DraftWithFile(maker)
	if r := h.Request("GET", "/api/v1/files/"+sum+"/thumbnail.png", "", "", nil); r.StatusCode != 401 {
		t.Fatalf("a draft's thumbnail, anonymously: %d %s", r.StatusCode, r.Body)
	}
	if r := h.Request("POST", fmt.Sprintf("/api/v1/designs/%d/versions/%d/publish", id, n), "", maker.Token, nil); r.StatusCode != 200 {
		t.Fatalf("publish: %d %s", r.StatusCode, r.Body)
	}
	r := h.Request("GET", "/api/v1/files/"+sum+"/thumbnail.png", "", "", nil)
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("Cache-Control") != "public, max-age=86400" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("thumbnail: %d %v", r.StatusCode, r.Header)
	}
	img, err := png.Decode(strings.NewReader(r.Body))
	if err != nil || img.Bounds().Dx() != 256 {
		t.Fatalf("not a 256 px PNG: %v", err)
	}
	etag := r.Header.Get("ETag")
	if again := h.Request("GET", "/api/v1/files/"+sum+"/thumbnail.png", "", "", http.Header{"If-None-Match": {etag}}); again.StatusCode != 304 {
		t.Fatalf("revalidation with %s: %d", etag, again.StatusCode)
	}
	if r := h.Request("GET", "/api/v1/files/"+strings.Repeat("f", 64)+"/thumbnail.png", "", "", nil); r.StatusCode != 404 {
		t.Fatalf("an unknown file's thumbnail: %d %s", r.StatusCode, r.Body)
	}
}

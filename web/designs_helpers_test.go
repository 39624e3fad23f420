package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/makerhub/makerhub/designs/stl/stltest"
)

// cubeSTL is a valid binary STL of a cube of the given side.
func cubeSTL(side float32) []byte {
	var b bytes.Buffer
	stltest.WriteBinary(&b, "cube", stltest.Cube([3]float32{}, side))
	return b.Bytes()
}

// newDesign creates a design as c and returns its id.
func (h *testHub) newDesign(c *caller) int64 {
	h.t.Helper()
	r := h.request("POST", "/api/v1/designs", `{"title":"Visor","category":"face_shield","licence":"CERN-OHL-P-2.0"}`, c.token, nil)
	if r.StatusCode != 201 {
		h.t.Fatalf("create design: %d %s", r.StatusCode, r.body)
	}
	var d struct{ ID int64 }
	r.decode(h.t, &d)
	return d.ID
}

// newDraft opens the next draft version of design id as c.
func (h *testHub) newDraft(c *caller, id int64) int {
	h.t.Helper()
	r := h.request("POST", fmt.Sprintf("/api/v1/designs/%d/versions", id), `{"notes":"draft"}`, c.token, nil)
	if r.StatusCode != 201 {
		h.t.Fatalf("create version: %d %s", r.StatusCode, r.body)
	}
	var v struct{ Number int }
	r.decode(h.t, &v)
	return v.Number
}

// upload sends data as a raw body named name and returns the response.
func (h *testHub) upload(token string, id int64, n int, name string, data []byte) *response {
	h.t.Helper()
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/designs/%d/versions/%d/files?name=%s", h.ts.URL, id, n, name), bytes.NewReader(data))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.send(req)
}

// uploadMultipart sends data as the multipart field field, as curl -F does.
func (h *testHub) uploadMultipart(token string, id int64, n int, field, name string, data []byte) *response {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("comment", "from the maker's script")
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/designs/%d/versions/%d/files", h.ts.URL, id, n), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.send(req)
}

func (h *testHub) send(req *http.Request) *response {
	h.t.Helper()
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &response{Response: resp, body: string(b)}
}

// draftWithFile makes a design by c with a draft holding a cube (its side
// varied so that each call's file is new) and returns the design, version
// and file hash.
func (h *testHub) draftWithFile(c *caller) (int64, int, string) {
	h.t.Helper()
	id := h.newDesign(c)
	n := h.newDraft(c, id)
	r := h.upload(c.token, id, n, "visor.stl", cubeSTL(float32(10+h.seq.Add(1))))
	if r.StatusCode != 201 {
		h.t.Fatalf("upload: %d %s", r.StatusCode, r.body)
	}
	var f struct{ SHA256 string }
	r.decode(h.t, &f)
	return id, n, f.SHA256
}

// published makes a design by c with a published version 1.
func (h *testHub) published(c *caller) int64 {
	h.t.Helper()
	id, n, _ := h.draftWithFile(c)
	if r := h.request("POST", fmt.Sprintf("/api/v1/designs/%d/versions/%d/publish", id, n), "", c.token, nil); r.StatusCode != 200 {
		h.t.Fatalf("publish: %d %s", r.StatusCode, r.body)
	}
	return id
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

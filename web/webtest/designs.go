package webtest

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/makerhub/makerhub/designs/stl/stltest"
)

// CubeSTL is a valid binary STL of a cube of the given side.
func CubeSTL(side float32) []byte {
	var b bytes.Buffer
	stltest.WriteBinary(&b, "cube", stltest.Cube([3]float32{}, side))
	return b.Bytes()
}

// NewDesign creates a design as c and returns its id.
func (h *Hub) NewDesign(c *Caller) int64 {
	h.T.Helper()
	r := h.Request("POST", "/api/v1/designs", `{"title":"Visor","category":"face_shield","licence":"CERN-OHL-P-2.0"}`, c.Token, nil)
	if r.StatusCode != 201 {
		h.T.Fatalf("create design: %d %s", r.StatusCode, r.Body)
	}
	var d struct{ ID int64 }
	r.Decode(h.T, &d)
	return d.ID
}

// NewDraft opens the next draft version of design id as c.
func (h *Hub) NewDraft(c *Caller, id int64) int {
	h.T.Helper()
	r := h.Request("POST", fmt.Sprintf("/api/v1/designs/%d/versions", id), `{"notes":"draft"}`, c.Token, nil)
	if r.StatusCode != 201 {
		h.T.Fatalf("create version: %d %s", r.StatusCode, r.Body)
	}
	var v struct{ Number int }
	r.Decode(h.T, &v)
	return v.Number
}

// Upload sends data as a raw body named name and returns the Response.
func (h *Hub) Upload(token string, id int64, n int, name string, data []byte) *Response {
	h.T.Helper()
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/designs/%d/versions/%d/files?name=%s", h.TS.URL, id, n, name), bytes.NewReader(data))
	if err != nil {
		h.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.Send(req)
}

// UploadMultipart sends data as the multipart field field, as curl -F does.
func (h *Hub) UploadMultipart(token string, id int64, n int, field, name string, data []byte) *Response {
	h.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("comment", "from the maker's script")
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/designs/%d/versions/%d/files", h.TS.URL, id, n), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.Send(req)
}

func (h *Hub) Send(req *http.Request) *Response {
	h.T.Helper()
	resp, err := h.TS.Client().Do(req)
	if err != nil {
		h.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Response: resp, Body: string(b)}
}

// DraftWithFile makes a design by c with a draft holding a cube (its side
// varied so that each call's file is new) and returns the design, version
// and file hash.
func (h *Hub) DraftWithFile(c *Caller) (int64, int, string) {
	h.T.Helper()
	id := h.NewDesign(c)
	n := h.NewDraft(c, id)
	r := h.Upload(c.Token, id, n, "visor.stl", CubeSTL(float32(10+h.Seq.Add(1))))
	if r.StatusCode != 201 {
		h.T.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	var f struct{ SHA256 string }
	r.Decode(h.T, &f)
	return id, n, f.SHA256
}

// Published makes a design by c with a published version 1.
func (h *Hub) Published(c *Caller) int64 {
	h.T.Helper()
	id, n, _ := h.DraftWithFile(c)
	if r := h.Request("POST", fmt.Sprintf("/api/v1/designs/%d/versions/%d/publish", id, n), "", c.Token, nil); r.StatusCode != 200 {
		h.T.Fatalf("publish: %d %s", r.StatusCode, r.Body)
	}
	return id
}

func Path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

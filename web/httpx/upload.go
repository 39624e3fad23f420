package httpx

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
)

// multipartSlack is what a multipart request may carry beyond the file
// itself: boundaries, part headers and small fields.
const multipartSlack = 1 << 20

// AddUploadedFile streams the request's file into version n of design id,
// within the hub's upload limit of maxUpload bytes: the API's upload and the
// design page's form both come through here.
func AddUploadedFile(c *gin.Context, ds *designs.Service, id int64, n int, maxUpload int64) (*designs.File, error) {
	limit := maxUpload + multipartSlack
	if c.Request.ContentLength > limit {
		return nil, tooLarge(maxUpload)
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	up, err := uploadFrom(c.Request)
	if err != nil {
		return nil, err
	}
	f, err := ds.AddFile(c.Request.Context(), id, n, up)
	var overLimit *http.MaxBytesError
	if errors.As(err, &overLimit) {
		return nil, tooLarge(maxUpload)
	}
	return f, err
}

// tooLarge names the limit an upload went over.
func tooLarge(maxUpload int64) error {
	return makerhub.Errorf(makerhub.ETOOLARGE, "The upload is larger than the hub's limit of %d MiB.", maxUpload>>20)
}

// uploadFrom finds the file in a request.
func uploadFrom(r *http.Request) (designs.Upload, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		name := r.URL.Query().Get("name")
		if name == "" {
			if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
				name = params["filename"]
			}
		}
		return designs.Upload{Name: name, Body: r.Body, Size: r.ContentLength, Bound: -1}, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return designs.Upload{}, makerhub.Errorf(makerhub.EINVALID, "The multipart body cannot be read: %v.", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return designs.Upload{}, makerhub.Errorf(makerhub.EINVALID, `The multipart body has no field named "file": send the file as -F file=@part.stl.`)
		} else if err != nil {
			return designs.Upload{}, makerhub.Errorf(makerhub.EINVALID, "The multipart body is malformed: %v.", err)
		}
		if part.FormName() == "file" {
			return designs.Upload{Name: part.FileName(), Body: part, Size: -1, Bound: r.ContentLength}, nil
		}
		// Other fields are skipped, within the slack for them.
		if _, err := io.CopyN(io.Discard, part, multipartSlack); err == nil {
			return designs.Upload{}, makerhub.Errorf(makerhub.EINVALID, "Field %q is too large; send only the field \"file\".", part.FormName())
		}
	}
}

package web

import (
	"context"
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

// handleFileUpload adds a file to a draft version. The file comes either as
// the multipart field "file" (curl -F file=@part.stl) or as the raw body with
// its name in ?name= or a Content-Disposition header. Neither way is buffered
// in memory: the part or body streams into the design library.
func (s *Server) handleFileUpload(c *gin.Context) {
	id, n, err := versionParams(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	f, err := s.addUploadedFile(c, id, n)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, f)
}

// addUploadedFile streams the request's file into version n of design id,
// within the hub's upload limit: the API's upload and the design page's
// form both come through here.
func (s *Server) addUploadedFile(c *gin.Context, id int64, n int) (*designs.File, error) {
	limit := s.maxUpload + multipartSlack
	if c.Request.ContentLength > limit {
		return nil, s.tooLarge()
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	up, err := uploadFrom(c.Request)
	if err != nil {
		return nil, err
	}
	f, err := s.designs.AddFile(c.Request.Context(), id, n, up)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, s.tooLarge()
	}
	return f, err
}

func (s *Server) tooLarge() error {
	return makerhub.Errorf(makerhub.ETOOLARGE, "The upload is larger than the hub's limit of %d MiB.", s.maxUpload>>20)
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

func (s *Server) handleFileRemove(c *gin.Context) {
	id, n, err := versionParams(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.designs.RemoveFile(c.Request.Context(), id, n, c.Param("sha256")); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleFileDownload serves a file's bytes with its ETag (the SHA-256),
// ranges (206), conditional requests and HEAD, through http.ServeContent.
func (s *Server) handleFileDownload(c *gin.Context) {
	dl, err := s.designs.OpenFile(c.Request.Context(), c.Param("sha256"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	// Content-addressed: the bytes under this URL never change.
	serveDownload(c, dl, "attachment", `"`+dl.SHA256+`"`, "public, max-age=31536000, immutable")
}

// handleThumbnail serves an STL file's picture (drawn on first request).
// Its URL stays while the renderer may change, so it is cached for a day.
func (s *Server) handleThumbnail(c *gin.Context) {
	dl, err := s.designs.Thumbnail(c.Request.Context(), c.Param("sha256"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	serveDownload(c, dl, "inline", `"`+dl.SHA256+"-"+designs.ThumbnailVersion+`"`, "public, max-age=86400")
}

// serveDownload serves dl with ranges, conditional requests and HEAD;
// publicCache is its Cache-Control when anyone may have it.
func serveDownload(c *gin.Context, dl *designs.Download, disposition, etag, publicCache string) {
	h := c.Writer.Header()
	h.Set("Content-Type", dl.MediaType)
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": dl.Name}))
	if dl.Public {
		h.Set("Cache-Control", publicCache)
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	rs := &blobReadSeeker{ctx: c.Request.Context(), open: dl.Open, size: dl.Size}
	defer rs.Close()
	http.ServeContent(c.Writer, c.Request, "", dl.ModTime, rs)
}

// blobReadSeeker lets http.ServeContent read a stored object: Seek only
// moves the offset; the object is opened from there at the first Read.
type blobReadSeeker struct {
	ctx  context.Context
	open func(ctx context.Context, offset, length int64) (io.ReadCloser, error)
	size int64
	off  int64
	rc   io.ReadCloser
}

func (b *blobReadSeeker) Read(p []byte) (int, error) {
	if b.off >= b.size {
		return 0, io.EOF
	}
	if b.rc == nil {
		rc, err := b.open(b.ctx, b.off, -1)
		if err != nil {
			return 0, err
		}
		b.rc = rc
	}
	n, err := b.rc.Read(p)
	b.off += int64(n)
	return n, err
}

func (b *blobReadSeeker) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = b.off + offset
	case io.SeekEnd:
		abs = b.size + offset
	}
	if abs < 0 {
		return 0, errors.New("seek before the start")
	}
	if abs != b.off {
		b.Close()
		b.off = abs
	}
	return abs, nil
}

func (b *blobReadSeeker) Close() error {
	if b.rc == nil {
		return nil
	}
	err := b.rc.Close()
	b.rc = nil
	return err
}

package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleFileUpload adds a file to a draft version. The file comes either as
// the multipart field "file" (curl -F file=@part.stl) or as the raw body with
// its name in ?name= or a Content-Disposition header. Neither way is buffered
// in memory: the part or body streams into the design library.
func (s *Handler) HandleFileUpload(c *gin.Context) {
	id, n, err := httpx.VersionParams(c)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	f, err := httpx.AddUploadedFile(c, s.designs, id, n, s.maxUpload)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, f)
}

func (s *Handler) HandleFileRemove(c *gin.Context) {
	id, n, err := httpx.VersionParams(c)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	if err := s.designs.RemoveFile(c.Request.Context(), id, n, c.Param("sha256")); err != nil {
		s.RenderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// HandleFileDownload serves a file's bytes with its ETag (the SHA-256),
// ranges (206), conditional requests and HEAD, through http.ServeContent.
func (s *Handler) HandleFileDownload(c *gin.Context) {
	dl, err := s.designs.OpenFile(c.Request.Context(), c.Param("sha256"))
	if err != nil {
		s.RenderError(c, err)
		return
	}
	// Content-addressed: the bytes under this URL never change.
	serveDownload(c, dl, "attachment", `"`+dl.SHA256+`"`, "public, max-age=31536000, immutable")
}

// HandleThumbnail serves an STL file's picture (drawn on first request).
// Its URL stays while the renderer may change, so it is cached for a day.
func (s *Handler) HandleThumbnail(c *gin.Context) {
	dl, err := s.designs.Thumbnail(c.Request.Context(), c.Param("sha256"))
	if err != nil {
		s.RenderError(c, err)
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

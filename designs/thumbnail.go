package designs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs/stl"
)

// ThumbnailSize is the side of a thumbnail, in pixels.
const ThumbnailSize = 256

// ThumbnailVersion names the renderer's output: a change to how parts are
// drawn must change it, so that old pictures are drawn again (and the old
// objects become unreferenced, which makerhub fsck --repair removes).
const ThumbnailVersion = "v1"

// ThumbnailKey is where the thumbnail of the STL file sum is stored, beside
// the files.
func ThumbnailKey(sum string) string {
	return "thumbnails/" + ThumbnailVersion + "/" + sum[:2] + "/" + sum + ".png"
}

// thumbnailSum returns the file a thumbnail key belongs to.
func thumbnailSum(key string) (string, bool) {
	sum, ok := strings.CutSuffix(key[strings.LastIndex(key, "/")+1:], ".png")
	return sum, ok && ValidSHA256(sum) && ThumbnailKey(sum) == key
}

// Thumbnail returns a PNG picture of an STL file, to whoever may download
// the file. The first request draws it from the stored file and its
// analysis (stl.Render) and stores it in object storage beside the file;
// later requests read it from there (one query and one Stat of the
// picture, never of the file). Drawings take turns (one at a time),
// so that a page of new thumbnails cannot take every core.
func (s *Service) Thumbnail(ctx context.Context, sum string) (*Download, error) {
	// The file's row decides access; its object is read only to draw.
	file, err := s.allowedFile(ctx, sum)
	if err != nil {
		return nil, err
	}
	if file.Kind != KindSTL {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "File %s is not an STL (%s): only STL files have thumbnails.", sum, file.MediaType)
	}
	key := ThumbnailKey(sum)
	info, err := s.blobs.Stat(ctx, key)
	if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
		if err := s.drawThumbnail(ctx, file, key); err != nil {
			return nil, err
		}
		info, err = s.blobs.Stat(ctx, key)
	}
	if err != nil {
		return nil, storageError(err)
	}
	name := strings.TrimSuffix(file.Name, filepath.Ext(file.Name)) + ".png"
	return &Download{
		File:    File{SHA256: sum, Size: info.Size, Name: name, Kind: KindImage, MediaType: "image/png"},
		ModTime: info.ModTime,
		Public:  file.Public,
		Open: func(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
			rc, err := s.blobs.Get(ctx, key, offset, length)
			if err != nil {
				return nil, storageError(err)
			}
			return rc, nil
		},
	}, nil
}

func (s *Service) drawThumbnail(ctx context.Context, file *Download, key string) error {
	select {
	case s.drawing <- struct{}{}:
		defer func() { <-s.drawing }()
	case <-ctx.Done():
		return ctx.Err()
	}
	// Another request may have drawn it while this one waited.
	if _, err := s.blobs.Stat(ctx, key); err == nil {
		return nil
	} else if makerhub.ErrorCode(err) != makerhub.ENOTFOUND {
		return storageError(err)
	}
	var raw []byte
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT analysis FROM files WHERE sha256 = ?`, file.SHA256).Scan(&raw); err != nil {
		return err
	}
	var a struct {
		BBox *stl.BBox `json:"bbox_mm"`
	}
	if err := json.Unmarshal(raw, &a); err != nil || a.BBox == nil {
		return makerhub.Errorf(makerhub.EINTERNAL, "file %s has no analysis to draw its thumbnail from (%v)", file.SHA256, err)
	}
	rc, err := file.Open(ctx, 0, -1)
	if err != nil {
		return err
	}
	defer rc.Close()
	img, err := stl.Render(rc, file.Size, *a.BBox, ThumbnailSize)
	if err != nil {
		return fmt.Errorf("draw the thumbnail of %s: %w", file.SHA256, err)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return err
	}
	h := sha256.Sum256(buf.Bytes())
	if err := s.blobs.Put(ctx, key, bytes.NewReader(buf.Bytes()), int64(buf.Len()), hex.EncodeToString(h[:])); err != nil {
		return storageError(err)
	}
	s.log.Info("thumbnail drawn", "sha256", file.SHA256, "bytes", buf.Len())
	return nil
}

package designs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// FsckReport lists what is wrong between the database and object storage.
type FsckReport struct {
	Checked      int      `json:"checked"`      // file rows checked
	Missing      []string `json:"missing"`      // rows whose object is missing
	Corrupt      []string `json:"corrupt"`      // rows whose object's bytes do not match the hash
	Unreferenced []string `json:"unreferenced"` // object keys no row references
	Removed      []string `json:"removed"`      // unreferenced objects removed by repair
}

// Clean reports whether nothing is wrong (removed objects were repaired).
func (r *FsckReport) Clean() bool {
	return len(r.Missing) == 0 && len(r.Corrupt) == 0 && len(r.Unreferenced) == 0
}

// Fsck checks every file row against object storage, re-hashing the bytes,
// and lists objects no row references. With repair, it removes those — each
// under the database's write lock, so that an upload recording the same file
// at that moment cannot lose its object. It is for operators (makerhub
// fsck) and authorizes nobody.
func (s *Service) Fsck(ctx context.Context, repair bool) (*FsckReport, error) {
	r := &FsckReport{Missing: []string{}, Corrupt: []string{}, Unreferenced: []string{}, Removed: []string{}}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT sha256, size FROM files ORDER BY sha256`)
	if err != nil {
		return nil, err
	}
	type row struct {
		sum  string
		size int64
	}
	var files []row
	known := map[string]bool{}
	for rows.Next() {
		var f row
		if err := rows.Scan(&f.sum, &f.size); err != nil {
			rows.Close()
			return nil, err
		}
		files = append(files, f)
		known[FileKey(f.sum)] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, f := range files {
		r.Checked++
		state, err := s.verifyObject(ctx, f.sum, f.size)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", f.sum, err)
		}
		switch state {
		case objectMissing:
			r.Missing = append(r.Missing, f.sum)
		case objectCorrupt:
			r.Corrupt = append(r.Corrupt, f.sum)
		}
	}
	for _, prefix := range []string{"files/", "thumbnails/"} {
		for info, err := range s.blobs.List(ctx, prefix) {
			if err != nil {
				return nil, fmt.Errorf("list objects: %w", err)
			}
			if sum, ok := thumbnailSum(info.Key); ok && known[FileKey(sum)] {
				continue // the thumbnail of a known file
			}
			if !known[info.Key] {
				r.Unreferenced = append(r.Unreferenced, info.Key)
			}
		}
	}
	if repair {
		for _, key := range r.Unreferenced {
			removed, err := s.removeOrphan(ctx, key)
			if err != nil {
				return nil, fmt.Errorf("remove %s: %w", key, err)
			}
			if removed { // else an upload recorded it meanwhile: no longer an orphan
				r.Removed = append(r.Removed, key)
			}
		}
		r.Unreferenced = []string{}
	}
	return r, nil
}

type objectState int

const (
	objectOK objectState = iota
	objectMissing
	objectCorrupt
)

// verifyObject checks an object's size and re-hashes its bytes.
func (s *Service) verifyObject(ctx context.Context, sum string, size int64) (objectState, error) {
	info, err := s.blobs.Stat(ctx, FileKey(sum))
	if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
		return objectMissing, nil
	} else if err != nil {
		return 0, err
	}
	if info.Size != size {
		return objectCorrupt, nil
	}
	rc, err := s.blobs.Get(ctx, FileKey(sum), 0, -1)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return 0, err
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		return objectCorrupt, nil
	}
	return objectOK, nil
}

// removeOrphan deletes an object if, under the write lock, still no row
// references it.
func (s *Service) removeOrphan(ctx context.Context, key string) (bool, error) {
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (bool, error) {
		tx := s.q(ctx)
		sum := key[strings.LastIndex(key, "/")+1:]
		if thumb, ok := thumbnailSum(key); ok {
			sum = thumb
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM files WHERE sha256 = ?`, sum).Scan(&n); err != nil {
			return false, err
		}
		if n > 0 && (FileKey(sum) == key || ThumbnailKey(sum) == key) {
			return false, nil
		}
		if err := s.deleteLocked(ctx, key); err != nil {
			return false, err
		}
		return true, nil
	})
}

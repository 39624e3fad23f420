package designs

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Download is a file ready to be served.
type Download struct {
	File
	ModTime time.Time
	// Public files (held by a published version) may be cached by anyone.
	Public bool
	// Open reads length bytes from offset (a negative length: to the end).
	Open func(ctx context.Context, offset, length int64) (io.ReadCloser, error)
}

// ValidSHA256 reports whether s is 64 lowercase hex digits.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// OpenFile returns a file for download. A file held by any published
// version is open to anyone; one held only by drafts is served to the
// drafts' authors and to coordinators.
func (s *Service) OpenFile(ctx context.Context, sum string) (*Download, error) {
	dl, err := s.allowedFile(ctx, sum)
	if err != nil {
		return nil, err
	}
	info, err := s.blobs.Stat(ctx, FileKey(sum))
	if err != nil {
		if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
			return nil, makerhub.WrapError(err, makerhub.EINTERNAL, "object of file %s is missing (run makerhub fsck)", sum)
		}
		return nil, storageError(err)
	}
	dl.ModTime = info.ModTime
	return dl, nil
}

// allowedFile reads a file's row and checks that the caller may have it;
// Open reads its object. It asks nothing of object storage.
func (s *Service) allowedFile(ctx context.Context, sum string) (*Download, error) {
	if !ValidSHA256(sum) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "There is no file %q: files are named by their SHA-256, 64 lowercase hex digits.", sum)
	}
	dl := &Download{}
	var published int
	var authors string
	err := s.q(ctx).QueryRowContext(ctx, `SELECT f.sha256, f.size, f.kind, f.media_type,
		(SELECT vf.name FROM version_files vf WHERE vf.sha256 = f.sha256 ORDER BY vf.version_id LIMIT 1),
		(SELECT count(*) FROM version_files vf JOIN design_versions v ON v.id = vf.version_id WHERE vf.sha256 = f.sha256 AND v.status != 'draft'),
		COALESCE((SELECT group_concat(d.author_id) FROM version_files vf JOIN design_versions v ON v.id = vf.version_id
			JOIN designs d ON d.id = v.design_id WHERE vf.sha256 = f.sha256), '')
		FROM files f WHERE f.sha256 = ?`, sum).Scan(&dl.SHA256, &dl.Size, &dl.Kind, &dl.MediaType, &dl.Name, &published, &authors)
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "There is no file %s.", sum)
	} else if err != nil {
		return nil, err
	}
	dl.Public = published > 0
	if !dl.Public {
		u := makerhub.UserFromContext(ctx)
		switch {
		case u == nil:
			return nil, makerhub.Errorf(makerhub.EUNAUTHORIZED, "File %s belongs to a draft: log in as its author or a coordinator.", sum)
		case u.Role != makerhub.RoleCoordinator && !containsID(authors, u.ID):
			return nil, makerhub.Errorf(makerhub.EFORBIDDEN, "File %s belongs to a draft: only its author and coordinators can download it.", sum)
		}
	}
	key := FileKey(sum)
	dl.Open = func(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
		rc, err := s.blobs.Get(ctx, key, offset, length)
		if err != nil {
			return nil, storageError(err)
		}
		return rc, nil
	}
	return dl, nil
}

func containsID(commaList string, id int64) bool {
	return slices.Contains(strings.Split(commaList, ","), strconv.FormatInt(id, 10))
}

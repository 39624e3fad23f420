package designs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Upload is a file arriving for a draft version.
type Upload struct {
	Name string    // as the user named it; only the base name is kept
	Body io.Reader // the content, read once
	Size int64     // the declared length, or -1 when unknown
	// Bound is, when Size is unknown, an upper bound on it (the length of
	// the multipart body that holds the file), or -1.
	Bound int64
}

// kinds maps accepted extensions to what the file is and its media type.
var kinds = map[string]struct {
	kind      FileKind
	mediaType string
}{
	".stl": {KindSTL, "model/stl"}, ".step": {KindSTEP, "model/step"}, ".stp": {KindSTEP, "model/step"},
	".pdf": {KindPDF, "application/pdf"}, ".png": {KindImage, "image/png"}, ".jpg": {KindImage, "image/jpeg"},
	".jpeg": {KindImage, "image/jpeg"}, ".webp": {KindImage, "image/webp"}, ".gif": {KindImage, "image/gif"},
}

// hashedFile is the spooled upload for the blob store, with the SHA-256
// computed while it was written, so that the store need not read the
// file again only to hash it (makerhub.HashedReaderAt).
func hashedFile(tmp *os.File, f *File) *hashedSection {
	return &hashedSection{SectionReader: io.NewSectionReader(tmp, 0, f.Size), sum: f.SHA256}
}

type hashedSection struct {
	*io.SectionReader
	sum string
}

// HashedSHA256 implements makerhub.HashedReaderAt.
func (h *hashedSection) HashedSHA256() string { return h.sum }

var _ makerhub.HashedReaderAt = (*hashedSection)(nil)

// copyBuffer is the buffer of the copies an upload makes (body to spool
// file, spool file to hash): io.Copy's 32 KiB meant some 6,400 system calls
// a pass over a 200 MB file.
const copyBuffer = 1 << 20

// FileKey is where a file's bytes are kept in object storage.
func FileKey(sum string) string { return "files/sha256/" + sum[:2] + "/" + sum }

// AddFile stores an uploaded file in a draft version (its author or a
// coordinator). The upload is spooled to a temporary file while it is
// hashed, checked (STL files analysed), stored in object storage under its
// SHA-256 (once, however many versions hold it), and only then recorded. If
// anything fails, nothing is stored: no row, no object.
func (s *Service) AddFile(ctx context.Context, designID int64, number int, up Upload) (*File, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	// Refuse what can be refused before reading a byte of the body.
	d, err := findDesignByID(ctx, s.q(ctx), designID)
	if err != nil {
		return nil, err
	}
	v, err := findVersion(ctx, s.q(ctx), d, number)
	if err != nil {
		return nil, err
	}
	if err := canSee(ctx, d, v); err != nil {
		return nil, err
	}
	if err := canEdit(u, d); err != nil {
		return nil, err
	}
	if v.Status != Draft {
		return nil, makerhub.Errorf(makerhub.ECONFLICT, "Version %d of design %d is published and cannot change: open a new version for new files.", number, designID)
	}
	name, err := cleanName(up.Name)
	if err != nil {
		return nil, err
	}
	k, ok := kinds[strings.ToLower(filepath.Ext(name))]
	if !ok {
		return nil, makerhub.Errorf(makerhub.EUNSUPPORTED, "%s: files of this type are not accepted; upload STL, STEP, PDF instructions or images (PNG, JPEG, WebP, GIF).", name)
	}
	if up.Size > s.maxUpload {
		return nil, s.tooLarge(name)
	}

	started := time.Now()
	f := &File{Name: name, Kind: k.kind, MediaType: k.mediaType}
	tmp, analysis, created, err := s.ingest(ctx, up, f)
	if err != nil {
		return nil, err
	}
	defer s.spools.put(tmp)
	stored := time.Now()
	sum := f.SHA256
	restored := false // stored again by this call after a clean-up removed it
	err = s.recordFile(ctx, u, d, number, f, analysis)
	for try := 0; errors.Is(err, errObjectGone) && try < 3; try++ {
		// Removed since it was stored (a failed upload of the same bytes,
		// or fsck --repair in another process): store it again, outside
		// the write lock, and record it.
		var again bool
		if again, err = s.storeObject(ctx, hashedFile(tmp, f), f.Size, f.SHA256); err == nil {
			restored = restored || again
			err = s.recordFile(ctx, u, d, number, f, analysis)
		}
	}
	if errors.Is(err, errObjectGone) {
		err = makerhub.WrapError(err, makerhub.EUNAVAILABLE, "%s was stored, then removed again and again by concurrent clean-ups, so nothing was recorded: send it again.", f.Name)
	}
	if err != nil {
		if created || restored {
			s.removeIfUnreferenced(context.WithoutCancel(ctx), sum)
		}
		return nil, err
	}
	s.log.Debug("file added", "design", d.ID, "version", number, "sha256", sum, "bytes", f.Size,
		"receive_analyse_store", stored.Sub(started), "record", time.Since(stored))
	v, err = findVersion(ctx, s.q(ctx), d, number)
	if err != nil {
		return nil, err
	}
	for _, vf := range v.Files {
		if vf.SHA256 == sum {
			return vf, nil
		}
	}
	return f, nil
}

// storeObject puts the file in object storage unless it is there already,
// and says whether this call created it.
func (s *Service) storeObject(ctx context.Context, content io.Reader, size int64, sum string) (bool, error) {
	_, err := s.blobs.Stat(ctx, FileKey(sum))
	switch makerhub.ErrorCode(err) {
	case "":
		return false, nil
	case makerhub.ENOTFOUND:
	default:
		return false, storageError(err)
	}
	if err := s.blobs.Put(ctx, FileKey(sum), content, size, sum); err != nil {
		return false, storageError(err)
	}
	return true, nil
}

// storageError makes sure a failing object store reads as such to the user.
func storageError(err error) error {
	if makerhub.ErrorCode(err) == makerhub.EUNAVAILABLE {
		return makerhub.WrapError(err, makerhub.EUNAVAILABLE, "File storage is unavailable right now, so nothing was stored: try again in a moment.")
	}
	return err
}

// lockedBlobTimeout bounds each object-storage call made under SQLite's
// write lock. Such a call waits for the store, and every writer of the hub
// (claims, requests, shipments) waits for the lock: an object store that
// hangs (an outage, minio-go retrying for seconds) would hold them all until
// their busy timeout failed them. The MinIO fault test measured writes held
// 5 s; a healthy store answers a Stat or a Delete in milliseconds.
const lockedBlobTimeout = time.Second

// errObjectGone says a file's object was removed between storing it and
// recording it.
var errObjectGone = errors.New("the object was removed before it was recorded")

// recordFile records the file in the version. It runs under SQLite's write
// lock, like removeIfUnreferenced and fsck's removeOrphan, and checks there
// that the object is still stored: one of those may have removed it since
// storeObject saw it (errObjectGone: the caller stores it again outside the
// lock, never under it).
func (s *Service) recordFile(ctx context.Context, u *makerhub.User, d *Design, number int, f *File, analysis []byte) error {
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		tx := s.q(ctx)
		v, err := findVersion(ctx, tx, d, number)
		if err != nil {
			return err
		}
		if v.Status != Draft {
			return makerhub.Errorf(makerhub.ECONFLICT, "Version %d of design %d was published meanwhile: open a new version for new files.", number, d.ID)
		}
		for _, vf := range v.Files {
			switch {
			case vf.SHA256 == f.SHA256:
				return makerhub.Errorf(makerhub.ECONFLICT, "This version already holds the same file, as %s.", vf.Name)
			case vf.Name == f.Name:
				return makerhub.Errorf(makerhub.ECONFLICT, "This version already holds a different file named %s: remove it first or rename the new one.", f.Name)
			}
		}
		statCtx, cancel := context.WithTimeout(ctx, lockedBlobTimeout)
		_, err = s.blobs.Stat(statCtx, FileKey(f.SHA256))
		cancel()
		if makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
			return errObjectGone
		} else if err != nil {
			return storageError(err)
		}
		now := sqlite.FormatTime(s.now())
		var a any
		if analysis != nil {
			a = string(analysis)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO files (sha256, size, kind, media_type, analysis, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, f.SHA256, f.Size, f.Kind, f.MediaType, a, now); err != nil {
			return fmt.Errorf("insert file: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO version_files (version_id, sha256, name, added_by, added_at) VALUES (?, ?, ?, ?, ?)`,
			v.ID, f.SHA256, f.Name, u.ID, now); err != nil {
			return fmt.Errorf("insert version file: %w", err)
		}
		if err := addEvent(ctx, tx, v.ID, u.ID, now, "file_added", "", f.Name, f.SHA256); err != nil {
			return err
		}
		return nil
	})
}

// deleteLocked deletes an object under the write lock, within
// lockedBlobTimeout.
func (s *Service) deleteLocked(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, lockedBlobTimeout)
	defer cancel()
	return s.blobs.Delete(ctx, key)
}

// removeIfUnreferenced deletes a file's row and object when no version holds
// it any more. It holds the write lock while it checks and deletes, so that
// no upload can record the file in between.
func (s *Service) removeIfUnreferenced(ctx context.Context, sum string) error {
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		tx := s.q(ctx)
		var refs int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM version_files WHERE sha256 = ?`, sum).Scan(&refs); err != nil {
			return err
		}
		if refs > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE sha256 = ?`, sum); err != nil {
			return err
		}
		if err := s.deleteLocked(ctx, FileKey(sum)); err != nil {
			s.log.Warn("could not delete an unreferenced object; makerhub fsck will report it", "sha256", sum, "error", err)
			return storageError(err)
		}
		if err := s.deleteLocked(ctx, ThumbnailKey(sum)); err != nil {
			s.log.Warn("could not delete the thumbnail of an unreferenced object; makerhub fsck will report it", "sha256", sum, "error", err)
		}
		return nil
	})
}

// RemoveFile takes a file out of a draft version (its author or a
// coordinator); the object goes too when no other version holds it.
func (s *Service) RemoveFile(ctx context.Context, designID int64, number int, sum string) error {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return err
	}
	err = sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		tx := s.q(ctx)
		d, err := findDesignByID(ctx, tx, designID)
		if err != nil {
			return err
		}
		v, err := findVersion(ctx, tx, d, number)
		if err != nil {
			return err
		}
		if err := canSee(ctx, d, v); err != nil {
			return err
		}
		if err := canEdit(u, d); err != nil {
			return err
		}
		if v.Status != Draft {
			return makerhub.Errorf(makerhub.ECONFLICT, "Version %d of design %d is published: its files cannot change.", number, designID)
		}
		var name string
		err = tx.QueryRowContext(ctx, `DELETE FROM version_files WHERE version_id = ? AND sha256 = ? RETURNING name`, v.ID, sum).Scan(&name)
		if sqlite.NoRows(err) {
			return makerhub.Errorf(makerhub.ENOTFOUND, "Version %d of design %d holds no file %s.", number, designID, sum)
		} else if err != nil {
			return err
		}
		if err := addEvent(ctx, tx, v.ID, u.ID, sqlite.FormatTime(s.now()), "file_removed", name, "", sum); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.removeIfUnreferenced(ctx, sum)
}

// cleanName keeps the base name of a user's file name, without control
// characters, so that it is safe to show and to send back in a
// Content-Disposition header.
func cleanName(raw string) (string, error) {
	if i := strings.LastIndexAny(raw, `/\`); i >= 0 {
		raw = raw[i+1:]
	}
	name := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError || r == '"' {
			return -1
		}
		return r
	}, raw)
	name = strings.TrimSpace(name)
	switch {
	case name == "" || name == "." || name == "..":
		return "", makerhub.Errorf(makerhub.EINVALID, "The file has no name: send it as the multipart field \"file\" with a filename, or as a raw body with ?name=part.stl.")
	case utf8.RuneCountInString(name) > 200:
		return "", makerhub.Errorf(makerhub.EINVALID, "The file name is %d characters long; the limit is 200.", utf8.RuneCountInString(name))
	}
	return name, nil
}

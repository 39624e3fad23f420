package designs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// Upload is a file arriving for a draft version.
type Upload struct {
	Name string    // as the user named it; only the base name is kept
	Body io.Reader // the content, read once
	Size int64     // the declared length, or -1 when unknown
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

// FileKey is where a file's bytes are kept in object storage.
func FileKey(sum string) string { return "files/sha256/" + sum[:2] + "/" + sum }

// AddFile stores an uploaded file in a draft version (its author or a
// coordinator). The upload is spooled to a temporary file while it is
// hashed, checked (STL files analysed), stored in object storage under its
// SHA-256 (once, however many versions hold it), and only then recorded. If
// anything fails, nothing is stored: no row, no object.
func (s *Service) AddFile(ctx context.Context, designID int64, number int, up Upload) (*File, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	// Refuse what can be refused before reading a byte of the body.
	d, err := findDesignByID(ctx, s.db, designID)
	if err != nil {
		return nil, err
	}
	v, err := findVersion(ctx, s.db, d, number)
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

	tmp, size, sum, err := s.spool(ctx, up, name)
	if err != nil {
		return nil, err
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
	f := &File{SHA256: sum, Size: size, Name: name, Kind: k.kind, MediaType: k.mediaType}
	if err := checkContent(tmp, f); err != nil {
		return nil, err
	}
	var analysis []byte
	if f.Kind == KindSTL {
		a, err := stl.Analyze(tmp, size)
		if stl.IsFormatError(err) {
			return nil, makerhub.WrapError(err, makerhub.EUNPROCESSABLE, "%s is not a usable STL file: %v.", name, err)
		} else if err != nil {
			return nil, fmt.Errorf("analyse %s: %w", name, err)
		}
		if analysis, err = json.Marshal(a); err != nil {
			return nil, err
		}
	}

	created, err := s.storeObject(ctx, tmp, size, sum)
	if err != nil {
		return nil, err
	}
	restored, err := s.recordFile(ctx, u, d, number, f, analysis, tmp)
	if err != nil {
		if created || restored {
			s.removeIfUnreferenced(context.WithoutCancel(ctx), sum)
		}
		return nil, err
	}
	v, err = findVersion(ctx, s.db, d, number)
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

// spool copies the upload to a temporary file, hashing it, and enforces the
// size limit as it goes.
func (s *Service) spool(ctx context.Context, up Upload, name string) (*os.File, int64, string, error) {
	tmp, err := os.CreateTemp(s.tempDir, "upload-*")
	if err != nil {
		return nil, 0, "", fmt.Errorf("create a temporary file for the upload: %w", err)
	}
	fail := func(err error) (*os.File, int64, string, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(up.Body, s.maxUpload+1))
	switch {
	case ctx.Err() != nil:
		return fail(makerhub.WrapError(ctx.Err(), makerhub.EINVALID, "The upload of %s was interrupted.", name))
	case err != nil:
		var me *makerhub.Error
		if errors.As(err, &me) {
			return fail(err)
		}
		return fail(makerhub.WrapError(err, makerhub.EINVALID, "The upload of %s was cut short after %d bytes: send it again.", name, n))
	case n > s.maxUpload:
		return fail(s.tooLarge(name))
	case up.Size >= 0 && n != up.Size:
		return fail(makerhub.Errorf(makerhub.EINVALID, "The upload of %s has %d bytes but announced %d: send it again.", name, n, up.Size))
	case n == 0:
		return fail(makerhub.Errorf(makerhub.EUNPROCESSABLE, "%s is empty.", name))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	return tmp, n, hex.EncodeToString(h.Sum(nil)), nil
}

func (s *Service) tooLarge(name string) error {
	return makerhub.Errorf(makerhub.ETOOLARGE, "%s is larger than the hub's limit of %d MiB.", name, s.maxUpload>>20)
}

// checkContent checks that a non-STL file is what its name says, by its first
// bytes, and leaves the file at its start.
func checkContent(tmp *os.File, f *File) error {
	head := make([]byte, 512)
	n, _ := io.ReadFull(tmp, head)
	head = head[:n]
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	ok := true
	switch f.Kind {
	case KindPDF:
		ok = bytes.HasPrefix(head, []byte("%PDF-"))
	case KindSTEP:
		ok = bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf"), []byte("ISO-10303-21"))
	case KindImage:
		ok = http.DetectContentType(head) == f.MediaType
	}
	if !ok {
		return makerhub.Errorf(makerhub.EUNPROCESSABLE, "%s does not look like a %s file: check that it is the right file.", f.Name, strings.ToUpper(string(f.Kind)))
	}
	return nil
}

// storeObject puts the file in object storage unless it is there already,
// and says whether this call created it.
func (s *Service) storeObject(ctx context.Context, tmp *os.File, size int64, sum string) (bool, error) {
	_, err := s.blobs.Stat(ctx, FileKey(sum))
	switch makerhub.ErrorCode(err) {
	case "":
		return false, nil
	case makerhub.ENOTFOUND:
	default:
		return false, storageError(err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	if err := s.blobs.Put(ctx, FileKey(sum), tmp, size, sum); err != nil {
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

// recordFile records the file in the version. It runs under SQLite's write
// lock, like removeIfUnreferenced, and checks the object once more there: a
// concurrent failed upload of the same bytes may have removed it after
// storeObject saw it. restored says whether it had to store it again.
func (s *Service) recordFile(ctx context.Context, u *makerhub.User, d *Design, number int, f *File, analysis []byte, tmp *os.File) (restored bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	v, err := findVersion(ctx, tx, d, number)
	if err != nil {
		return restored, err
	}
	if v.Status != Draft {
		return restored, makerhub.Errorf(makerhub.ECONFLICT, "Version %d of design %d was published meanwhile: open a new version for new files.", number, d.ID)
	}
	for _, vf := range v.Files {
		switch {
		case vf.SHA256 == f.SHA256:
			return restored, makerhub.Errorf(makerhub.ECONFLICT, "This version already holds the same file, as %s.", vf.Name)
		case vf.Name == f.Name:
			return restored, makerhub.Errorf(makerhub.ECONFLICT, "This version already holds a different file named %s: remove it first or rename the new one.", f.Name)
		}
	}
	if _, err := s.blobs.Stat(ctx, FileKey(f.SHA256)); makerhub.ErrorCode(err) == makerhub.ENOTFOUND {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return restored, err
		}
		if err := s.blobs.Put(ctx, FileKey(f.SHA256), tmp, f.Size, f.SHA256); err != nil {
			return false, storageError(err)
		}
		restored = true
	} else if err != nil {
		return false, storageError(err)
	}
	now := sqlite.FormatTime(s.now())
	var a any
	if analysis != nil {
		a = string(analysis)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO files (sha256, size, kind, media_type, analysis, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, f.SHA256, f.Size, f.Kind, f.MediaType, a, now); err != nil {
		return restored, fmt.Errorf("insert file: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO version_files (version_id, sha256, name, added_by, added_at) VALUES (?, ?, ?, ?, ?)`,
		v.ID, f.SHA256, f.Name, u.ID, now); err != nil {
		return restored, fmt.Errorf("insert version file: %w", err)
	}
	if err := addEvent(ctx, tx, v.ID, u.ID, now, "file_added", "", f.Name, f.SHA256); err != nil {
		return restored, err
	}
	return restored, tx.Commit()
}

// removeIfUnreferenced deletes a file's row and object when no version holds
// it any more. It holds the write lock while it checks and deletes, so that
// no upload can record the file in between.
func (s *Service) removeIfUnreferenced(ctx context.Context, sum string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
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
	if err := s.blobs.Delete(ctx, FileKey(sum)); err != nil {
		s.log.Warn("could not delete an unreferenced object; makerhub fsck will report it", "sha256", sum, "error", err)
		return storageError(err)
	}
	return tx.Commit()
}

// RemoveFile takes a file out of a draft version (its author or a
// coordinator); the object goes too when no other version holds it.
func (s *Service) RemoveFile(ctx context.Context, designID int64, number int, sum string) error {
	u, err := requireUser(ctx)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
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
	if notFound(err) {
		return makerhub.Errorf(makerhub.ENOTFOUND, "Version %d of design %d holds no file %s.", number, designID, sum)
	} else if err != nil {
		return err
	}
	if err := addEvent(ctx, tx, v.ID, u.ID, sqlite.FormatTime(s.now()), "file_removed", name, "", sum); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
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

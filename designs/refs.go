package designs

import (
	"context"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// VersionRef is what other services show of a version they hold the ID
// of: its design, number and the design's category and title.
type VersionRef struct {
	VersionID int64
	DesignID  int64
	Number    int
	Category  Category
	Title     string
	Lifecycle Lifecycle
	Status    Status
	Licence   string
}

// VersionRefs returns the versions of ids that exist, by ID. Like the
// accounts directory, it checks no caller: the service asking holds the
// IDs in its own rows and decides what its caller may see. A version's
// design and number never change; its design's category and title may.
func (s *Service) VersionRefs(ctx context.Context, ids []int64) (map[int64]VersionRef, error) {
	refs := make(map[int64]VersionRef, len(ids))
	for len(ids) > 0 {
		// SQLite allows 32,766 parameters a statement; stay far below.
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.q(ctx).QueryContext(ctx, `SELECT v.id, v.design_id, v.number, d.category, d.title, v.lifecycle, v.status, d.licence
			FROM design_versions v JOIN designs d ON d.id = v.design_id
			WHERE v.id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r VersionRef
			if err := rows.Scan(&r.VersionID, &r.DesignID, &r.Number, &r.Category, &r.Title, &r.Lifecycle, &r.Status, &r.Licence); err != nil {
				rows.Close()
				return nil, err
			}
			refs[r.VersionID] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// FileRef is a file of a version: its SHA-256 and its name there.
type FileRef struct {
	SHA256 string
	Name   string
}

// VersionSTLFiles returns the STL files of a version, what a batch printed
// from it is traced to, checking no caller (see VersionRefs).
func (s *Service) VersionSTLFiles(ctx context.Context, versionID int64) ([]FileRef, error) {
	return sqlite.Collect(func(row interface{ Scan(...any) error }) (FileRef, error) {
		var f FileRef
		return f, row.Scan(&f.SHA256, &f.Name)
	})(s.q(ctx).QueryContext(ctx, `SELECT vf.sha256, vf.name FROM version_files vf JOIN files f ON f.sha256 = vf.sha256
		WHERE vf.version_id = ? AND f.kind = 'stl' ORDER BY vf.sha256`, versionID))
}

// VersionRefByNumber returns version number of a design, or ENOTFOUND,
// checking no caller (see VersionRefs).
func (s *Service) VersionRefByNumber(ctx context.Context, designID int64, number int) (VersionRef, error) {
	var id int64
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id FROM design_versions WHERE design_id = ? AND number = ?`, designID, number).Scan(&id)
	if sqlite.NoRows(err) {
		return VersionRef{}, makerhub.Errorf(makerhub.ENOTFOUND, "Design %d has no version %d.", designID, number)
	} else if err != nil {
		return VersionRef{}, err
	}
	refs, err := s.VersionRefs(ctx, []int64{id})
	return refs[id], err
}

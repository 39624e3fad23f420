package designs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// CreateVersion opens a draft version, numbered after the design's last one.
// A design has at most one draft at a time.
func (s *Service) CreateVersion(ctx context.Context, designID int64, notes string) (*Version, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	notes = strings.TrimSpace(notes)
	if err := checkText("notes", notes, 0, 20000); err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Version, error) {
		tx := s.q(ctx)
		d, err := findDesignByID(ctx, tx, designID)
		if err != nil {
			return nil, err
		}
		if err := canEdit(u, d); err != nil {
			return nil, err
		}
		var last, drafts int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0), COUNT(CASE WHEN status = 'draft' THEN 1 END)
		FROM design_versions WHERE design_id = ?`, designID).Scan(&last, &drafts); err != nil {
			return nil, err
		}
		if drafts > 0 {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Design %d already has a draft version: add files to it and publish it before opening another.", designID)
		}
		now := sqlite.FormatTime(s.now())
		res, err := tx.ExecContext(ctx, `INSERT INTO design_versions (design_id, number, notes, status, created_by, created_at)
		VALUES (?, ?, ?, 'draft', ?, ?)`, designID, last+1, notes, u.ID, now)
		if err != nil {
			return nil, fmt.Errorf("insert version: %w", err)
		}
		vid, _ := res.LastInsertId()
		if err := addEvent(ctx, tx, vid, u.ID, now, "created", "", string(Draft), notes); err != nil {
			return nil, err
		}
		v, err := findVersion(ctx, tx, d, last+1)
		if err != nil {
			return nil, err
		}
		return v, nil
	})
}

// FindVersion returns a version with its files and history. Published
// versions are open to anyone; drafts only to the design's author and
// coordinators.
func (s *Service) FindVersion(ctx context.Context, designID int64, number int) (*Version, error) {
	d, err := findDesignByID(ctx, s.q(ctx), designID)
	if err != nil {
		return nil, err
	}
	v, err := findVersion(ctx, s.q(ctx), d, number)
	if err != nil {
		return nil, err
	}
	return v, canSee(ctx, d, v)
}

// FindVersions lists a design's versions the caller may see, newest first.
func (s *Service) FindVersions(ctx context.Context, designID int64) ([]*Version, error) {
	d, err := findDesignByID(ctx, s.q(ctx), designID)
	if err != nil {
		return nil, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT number FROM design_versions WHERE design_id = ? ORDER BY number DESC`, designID)
	if err != nil {
		return nil, err
	}
	var numbers []int
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		numbers = append(numbers, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	list := []*Version{}
	for _, n := range numbers {
		v, err := findVersion(ctx, s.q(ctx), d, n)
		if err != nil {
			return nil, err
		}
		if canSee(ctx, d, v) == nil {
			list = append(list, v)
		}
	}
	return list, nil
}

func canSee(ctx context.Context, d *Design, v *Version) error {
	if v.Status != Draft {
		return nil
	}
	u := makerhub.UserFromContext(ctx)
	if u == nil {
		return makerhub.Errorf(makerhub.EUNAUTHORIZED, "Version %d of design %d is a draft: log in as its author or a coordinator to see it.", v.Number, d.ID)
	}
	if canEdit(u, d) != nil {
		return makerhub.Errorf(makerhub.EFORBIDDEN, "Version %d of design %d is a draft: only its author and coordinators see it.", v.Number, d.ID)
	}
	return nil
}

// Publish makes a draft immutable and submits it for review.
func (s *Service) Publish(ctx context.Context, designID int64, number int, note string) (*Version, error) {
	return s.changeVersion(ctx, designID, number, func(u *makerhub.User, d *Design, v *Version) (string, string, string, error) {
		if err := canEdit(u, d); err != nil {
			return "", "", "", err
		}
		if v.Status != Draft {
			return "", "", "", makerhub.Errorf(makerhub.ECONFLICT, "Version %d of design %d is already published (%s).", number, designID, v.Status)
		}
		if len(v.Files) == 0 {
			return "", "", "", makerhub.Errorf(makerhub.ECONFLICT, "Version %d of design %d has no files: upload its STL (and instructions) before publishing.", number, designID)
		}
		return "published", "status", string(Submitted), nil
	}, note)
}

// reviewSteps are the moves a coordinator may make.
var reviewSteps = map[Status][]Status{
	Submitted:         {CommunityReviewed, Rejected},
	CommunityReviewed: {ClinicallyValidated, Rejected},
}

// Review moves a published version along the review (coordinators only).
// Rejecting needs a note saying why.
func (s *Service) Review(ctx context.Context, designID int64, number int, to Status, note string) (*Version, error) {
	return s.changeVersion(ctx, designID, number, func(u *makerhub.User, d *Design, v *Version) (string, string, string, error) {
		if err := mayReview(u); err != nil {
			return "", "", "", err
		}
		next, ok := reviewSteps[v.Status]
		if !slices.Contains(next, to) {
			if !ok {
				return "", "", "", makerhub.Errorf(makerhub.ECONFLICT, "Version %d is %s: it cannot be reviewed further.", number, v.Status)
			}
			return "", "", "", makerhub.Errorf(makerhub.ECONFLICT, "Version %d is %s: it can move to %s, not %q.", number, v.Status, joinStatuses(next), to)
		}
		if v.Lifecycle == Withdrawn {
			return "", "", "", makerhub.Errorf(makerhub.ECONFLICT, "Version %d was withdrawn: it is not reviewed any more.", number)
		}
		if to == Rejected && strings.TrimSpace(note) == "" {
			return "", "", "", makerhub.Errorf(makerhub.EINVALID, "note is required when rejecting: say what is wrong so the author can fix it.")
		}
		return "reviewed", "status", string(to), nil
	}, note)
}

// SetLifecycle marks a published version superseded (its author or a
// coordinator) or withdrawn (coordinators only), with a reason. Withdrawal is
// final: it is what recalls start from.
func (s *Service) SetLifecycle(ctx context.Context, designID int64, number int, to Lifecycle, reason string) (*Version, error) {
	return s.changeVersion(ctx, designID, number, func(u *makerhub.User, d *Design, v *Version) (string, string, string, error) {
		switch to {
		case Superseded:
			if err := canEdit(u, d); err != nil {
				return "", "", "", err
			}
		case Withdrawn:
			if u.Role != makerhub.RoleCoordinator {
				return "", "", "", makerhub.Errorf(makerhub.EFORBIDDEN, "Only coordinators withdraw design versions.")
			}
		default:
			return "", "", "", makerhub.Errorf(makerhub.EINVALID, "lifecycle %q is not known: use superseded or withdrawn.", to)
		}
		if strings.TrimSpace(reason) == "" {
			return "", "", "", makerhub.Errorf(makerhub.EINVALID, "reason is required: say why version %d is %s.", number, to)
		}
		switch {
		case v.Status == Draft:
			return "", "", "", makerhub.Errorf(makerhub.ECONFLICT, "Version %d is a draft: only published versions are superseded or withdrawn.", number)
		case v.Lifecycle == Withdrawn:
			return "", "", "", makerhub.Errorf(makerhub.ECONFLICT, "Version %d is already withdrawn.", number)
		case v.Lifecycle == to:
			return "", "", "", makerhub.Errorf(makerhub.ECONFLICT, "Version %d is already %s.", number, to)
		}
		return string(to), "lifecycle", string(to), nil
	}, reason)
}

// changeVersion runs one change to a version in a transaction: decide
// returns the event's action and the column and value to set.
func (s *Service) changeVersion(ctx context.Context, designID int64, number int,
	decide func(u *makerhub.User, d *Design, v *Version) (action, column, value string, err error), note string) (*Version, error) {
	u, err := makerhub.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if err := checkText("note", note, 0, 2000); err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Version, error) {
		tx := s.q(ctx)
		d, err := findDesignByID(ctx, tx, designID)
		if err != nil {
			return nil, err
		}
		v, err := findVersion(ctx, tx, d, number)
		if err != nil {
			return nil, err
		}
		if err := canSee(ctx, d, v); err != nil {
			return nil, err
		}
		action, column, value, err := decide(u, d, v)
		if err != nil {
			return nil, err
		}
		now := sqlite.FormatTime(s.now())
		from := string(v.Status)
		switch column {
		case "status":
			_, err = tx.ExecContext(ctx, `UPDATE design_versions SET status = ?, published_at = COALESCE(published_at, ?) WHERE id = ?`, value, now, v.ID)
		case "lifecycle":
			from = string(v.Lifecycle)
			_, err = tx.ExecContext(ctx, `UPDATE design_versions SET lifecycle = ?, lifecycle_reason = ? WHERE id = ?`, value, note, v.ID)
		}
		if err != nil {
			return nil, fmt.Errorf("update version %d: %w", v.ID, err)
		}
		if err := addEvent(ctx, tx, v.ID, u.ID, now, action, from, value, note); err != nil {
			return nil, err
		}
		if err := s.accounts.Audit(ctx, "version."+action, "version", v.ID, fmt.Sprintf("design %d, version %d: %s", d.ID, number, note),
			map[string]string{column: from}, map[string]string{column: value}); err != nil {
			return nil, err
		}
		if column == "lifecycle" && value == string(Withdrawn) && s.onWithdraw != nil {
			if err := s.onWithdraw(ctx, v.ID, note); err != nil {
				return nil, err
			}
		}
		if v, err = findVersion(ctx, tx, d, number); err != nil {
			return nil, err
		}
		return v, nil
	})
}

func addEvent(ctx context.Context, q sqlite.Queryer, versionID, actor int64, at, action, from, to, note string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO version_events (version_id, actor_id, at, action, from_value, to_value, note)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, versionID, actor, at, action, from, to, note)
	if err != nil {
		return fmt.Errorf("record version event: %w", err)
	}
	return nil
}

// findVersion loads a version with its files (analysed with d's settings)
// and history; it does not check who may see it.
func findVersion(ctx context.Context, q sqlite.Queryer, d *Design, number int) (*Version, error) {
	v := &Version{DesignID: d.ID, Number: number}
	err := q.QueryRowContext(ctx, `SELECT id, notes, status, lifecycle, lifecycle_reason, created_by, created_at, published_at
		FROM design_versions WHERE design_id = ? AND number = ?`, d.ID, number).Scan(&v.ID, &v.Notes, &v.Status,
		&v.Lifecycle, &v.LifecycleReason, &v.CreatedBy, sqlite.Time(&v.CreatedAt), sqlite.NullTime(&v.PublishedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Design %d has no version %d.", d.ID, number)
	} else if err != nil {
		return nil, err
	}
	if v.Files, err = versionFiles(ctx, q, d, v.ID); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT actor_id, at, action, from_value, to_value, note FROM version_events
		WHERE version_id = ? ORDER BY id`, v.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	v.History = []*Event{}
	for rows.Next() {
		e := &Event{}
		if err := rows.Scan(&e.ActorID, sqlite.Time(&e.At), &e.Action, &e.From, &e.To, &e.Note); err != nil {
			return nil, err
		}
		v.History = append(v.History, e)
	}
	return v, rows.Err()
}

func versionFiles(ctx context.Context, q sqlite.Queryer, d *Design, versionID int64) ([]*File, error) {
	rows, err := q.QueryContext(ctx, `SELECT f.sha256, f.size, vf.name, f.kind, f.media_type, f.analysis
		FROM version_files vf JOIN files f ON f.sha256 = vf.sha256 WHERE vf.version_id = ? ORDER BY vf.name`, versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	files := []*File{}
	for rows.Next() {
		f := &File{}
		var analysis sql.NullString
		if err := rows.Scan(&f.SHA256, &f.Size, &f.Name, &f.Kind, &f.MediaType, &analysis); err != nil {
			return nil, err
		}
		if analysis.Valid {
			if f.Analysis, err = withEstimate(analysis.String, d); err != nil {
				return nil, fmt.Errorf("file %s: %w", f.SHA256, err)
			}
		}
		files = append(files, f)
	}
	return files, rows.Err()
}

// withEstimate decodes a stored analysis and adds the estimate for the
// design's current settings, so that changing them updates every estimate.
func withEstimate(stored string, d *Design) (*FileAnalysis, error) {
	var a stl.Analysis
	if err := json.Unmarshal([]byte(stored), &a); err != nil {
		return nil, err
	}
	fa := &FileAnalysis{Analysis: &a}
	if s, err := estimateSettings(d.PrintSettings, d.Material); err == nil {
		fa.Estimate, _ = a.Estimate(s)
	}
	return fa, nil
}

func joinStatuses(s []Status) string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return strings.Join(out, " or ")
}

package designs

import (
	"context"
	"fmt"

	"github.com/makerhub/makerhub/internal/sqlite"
)

// StoredObject is an object the design library needs in object storage:
// the bytes of one file row, under FileKey of their SHA-256.
type StoredObject struct {
	Key    string `json:"key"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// ListStoredObjects returns the objects that the file rows of q's database
// need, in key order. q may be any copy of a hub's database, such as a
// backup's snapshot opened read-only; it is for operators (makerhub backup
// and restore) and authorizes nobody. Thumbnails are not listed: they are
// drawn again from their file when first asked for.
func ListStoredObjects(ctx context.Context, q sqlite.Queryer) ([]StoredObject, error) {
	// FileKey puts the hash after a fixed prefix, so hash order is key order.
	rows, err := q.QueryContext(ctx, `SELECT sha256, size FROM files ORDER BY sha256`)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	defer rows.Close()
	list := []StoredObject{}
	for rows.Next() {
		var o StoredObject
		if err := rows.Scan(&o.SHA256, &o.Size); err != nil {
			return nil, fmt.Errorf("list files: %w", err)
		}
		if !ValidSHA256(o.SHA256) {
			return nil, fmt.Errorf("list files: a file row's SHA-256 %q is not 64 lowercase hex digits", o.SHA256)
		}
		o.Key = FileKey(o.SHA256)
		list = append(list, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	return list, nil
}

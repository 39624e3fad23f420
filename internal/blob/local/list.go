package local

import (
	"context"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/makerhub/makerhub"
)

// List implements makerhub.BlobStore. It yields keys in lexical order, as S3
// does. filepath.WalkDir cannot be used for that: it sorts the names within a
// folder, but a folder "a" holds keys "a/…", which sort after a file "a.b"
// because '.' < '/'. So the walk sorts folders by their name plus "/".
func (s *Store) List(ctx context.Context, prefix string) iter.Seq2[makerhub.BlobInfo, error] {
	return func(yield func(makerhub.BlobInfo, error) bool) {
		if err := makerhub.ValidateBlobPrefix(prefix); err != nil {
			yield(makerhub.BlobInfo{}, err)
			return
		}
		// Start at the deepest folder the prefix names in full: "a/b/c"
		// can only match under folder "a/b".
		dir := ""
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			dir = prefix[:i]
		}
		s.walk(ctx, dir, prefix, yield)
	}
}

// entry is a folder entry with the name it sorts by.
type entry struct {
	name    string
	sortKey string
	isDir   bool
}

// walk yields the objects with the prefix under the folder of key dirKey
// ("" is the root). It reports false when the iteration must stop.
func (s *Store) walk(ctx context.Context, dirKey, prefix string, yield func(makerhub.BlobInfo, error) bool) bool {
	dirPath := filepath.Join(s.root, filepath.FromSlash(dirKey))
	des, err := os.ReadDir(dirPath)
	if err != nil {
		if isNotFound(err) {
			return true // nothing under this prefix, or removed meanwhile
		}
		yield(makerhub.BlobInfo{}, ioError(err, "list folder %s", dirPath))
		return false // an error ends the listing
	}
	entries := make([]entry, 0, len(des))
	for _, de := range des {
		name := de.Name()
		// Names starting with '.' are never keys: this skips root/.tmp and
		// anything else a person or tool left behind.
		if strings.HasPrefix(name, ".") || makerhub.ValidateBlobKey(name) != nil {
			continue
		}
		e := entry{name: name, sortKey: name, isDir: de.IsDir()}
		if e.isDir {
			e.sortKey = name + "/"
		} else if !de.Type().IsRegular() {
			continue // symbolic links and devices are not objects
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.sortKey, b.sortKey) })

	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			yield(makerhub.BlobInfo{}, ctxError(err, "listing "+prefix))
			return false
		}
		key := e.name
		if dirKey != "" {
			key = dirKey + "/" + e.name
		}
		if e.isDir {
			sub := key + "/"
			// Descend only where keys can match: the folder lies inside
			// the prefix, or the prefix goes on inside the folder.
			if !strings.HasPrefix(sub, prefix) && !strings.HasPrefix(prefix, sub) {
				continue
			}
			if !s.walk(ctx, key, prefix, yield) {
				return false
			}
			continue
		}
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		fi, err := os.Lstat(filepath.Join(dirPath, e.name))
		if err != nil {
			if isNotFound(err) {
				continue // deleted since ReadDir
			}
			yield(makerhub.BlobInfo{}, ioError(err, "stat %s", key))
			return false
		}
		if !yield(makerhub.BlobInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil) {
			return false
		}
	}
	return true
}

package i18n

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/makerhub/makerhub"
)

// Services word their refusals in English (makerhub.Errorf), and the JSON API
// returns them as they are. A page in another language looks the English
// format up in errors.<code>.json (in this folder) and formats the translation with
// the error's own arguments and the page's printer, so numbers are written as
// the language writes them; a format the catalogue lacks, or an error built
// without Errorf, shows in English. Arguments are shown as given: a state
// name stays a state name, and a phrase a service built in English stays
// English. A test (errors_scan_internal_test.go) finds every format in the
// source and keeps the catalogue complete and its verbs matched.

// serviceMessages maps a language code to its catalogue: English format →
// the same message in the language, with the same verbs.
var serviceMessages = map[string]map[string]string{}

func init() {
	files, err := fs.Glob(catalogueFS, "errors.*.json")
	if err != nil {
		panic(err)
	}
	for _, name := range files {
		raw, err := catalogueFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(fmt.Sprintf("web/i18n/%s: %v", name, err))
		}
		code := strings.TrimSuffix(strings.TrimPrefix(path.Base(name), "errors."), ".json")
		serviceMessages[code] = m
	}
}

// ServiceMessage is the user-facing message of err's first *makerhub.Error
// in the language: the catalogue's translation of its format if there is
// one, else its English Message (makerhub.ErrorMessage for any other error).
func (l *Lang) ServiceMessage(err error) string {
	var e *makerhub.Error
	if !errors.As(err, &e) {
		return makerhub.ErrorMessage(err)
	}
	if format, args := e.MessageFormat(); format != "" {
		if m, ok := serviceMessages[l.Code][format]; ok {
			return l.printer.Sprintf(m, args...)
		}
	}
	return e.Message
}

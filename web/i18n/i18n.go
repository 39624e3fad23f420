// Package i18n is the pages' languages: the catalogues of their strings
// (en.json, fr.json) and of the services' messages (errors.<lang>.json),
// choosing a request's language, and writing numbers and dates as each
// language does.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The pages speak English and French: the hub's first communities are
// French-speaking. Every string a page shows is a key of the catalogues in
// this folder (one JSON file per language, the same keys in each: a test
// checks it); numbers and dates are written as each language writes them.
// golang.org/x/text matches Accept-Language and formats numbers; dates use
// month names per language, as x/text has no date formatting.

//go:embed *.json
var catalogueFS embed.FS

// Cookie remembers the language a user chose with the switch.
const Cookie = "makerhub_lang"

// Lang is a language the pages speak.
type Lang struct {
	Tag      language.Tag
	Code     string // "en", "fr"
	Name     string // in the language itself, for the switch
	messages map[string]string
	printer  *message.Printer
	months   [12]string
}

var (
	langs    []*Lang // the first is the default
	matcher  language.Matcher
	langByID = map[string]*Lang{}
)

func init() {
	for _, l := range []*Lang{
		{Tag: language.English, Code: "en", Name: "English",
			months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}},
		{Tag: language.French, Code: "fr", Name: "Français",
			months: [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}},
	} {
		raw, err := catalogueFS.ReadFile(l.Code + ".json")
		if err != nil {
			panic(err)
		}
		if err := json.Unmarshal(raw, &l.messages); err != nil {
			panic(fmt.Sprintf("web/i18n/%s.json: %v", l.Code, err))
		}
		l.printer = message.NewPrinter(l.Tag)
		langs = append(langs, l)
		langByID[l.Code] = l
	}
	tags := make([]language.Tag, len(langs))
	for i, l := range langs {
		tags[i] = l.Tag
	}
	matcher = language.NewMatcher(tags)
}

// T returns the message key in the language, formatted with args. A key
// missing from the catalogue shows as itself, which the catalogue test
// prevents from shipping.
func (l *Lang) T(key string, args ...any) string {
	m, ok := l.messages[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return m
	}
	for i, a := range args { // templates pass optional fields as pointers
		if v := reflect.ValueOf(a); v.Kind() == reflect.Pointer && !v.IsNil() {
			args[i] = v.Elem().Interface()
		}
	}
	return l.printer.Sprintf(m, args...)
}

// Has reports whether the catalogue has key: a key from a URL is shown
// only if it does.
func (l *Lang) Has(key string) bool { _, ok := l.messages[key]; return ok }

// Term translates a value of the hub's vocabulary (a status, a state)
// named by prefix+v, or gives v as it is when it is not one (a file name).
func (l *Lang) Term(prefix, v string) string {
	if m, ok := l.messages[prefix+v]; ok {
		return m
	}
	return v
}

// Decimal writes x with digits decimals as the language does: 1,234.5 in
// English, 1 234,5 in French.
func (l *Lang) Decimal(x float64, digits int) string { return l.printer.Sprintf("%.*f", digits, x) }

// Bytes writes a size in kB or MB (ko, Mo in French), one decimal.
func (l *Lang) Bytes(n int64) string {
	kb, mb := "kB", "MB"
	if l.Code == "fr" {
		kb, mb = "ko", "Mo"
	}
	if n >= 1_000_000 {
		return l.Decimal(float64(n)/1e6, 1) + "\u00a0" + mb
	}
	return l.Decimal(float64(n)/1e3, 1) + "\u00a0" + kb
}

// Duration writes a print time in minutes as hours and minutes: 2 h 38 min.
func (l *Lang) Duration(minutes float64) string {
	m := int(minutes + 0.5)
	if m < 60 {
		return fmt.Sprintf("%d\u00a0min", m)
	}
	return fmt.Sprintf("%d\u00a0h %02d\u00a0min", m/60, m%60)
}

// Date writes a day as the language does: 23 March 2026, 23 mars 2026.
func (l *Lang) Date(t time.Time) string {
	return fmt.Sprintf(t.Format("2 %s 2006"), l.months[t.Month()-1]) // the same order in both
}

// Time writes a moment in UTC, which the hub keeps: 23 March 2026, 14:05 UTC.
func (l *Lang) Time(t time.Time) string {
	t = t.UTC()
	return l.Date(t) + ", " + t.Format("15:04") + "\u00a0UTC"
}

// All are the languages the pages speak, the default first.
func All() []*Lang { return langs }

// ByCode is the language of code ("en", "fr"), or nil.
func ByCode(code string) *Lang { return langByID[code] }

// Of picks the request's language: the one the user chose (the cookie),
// else the best match for Accept-Language, else English.
func Of(r *http.Request) *Lang {
	if ck, err := r.Cookie(Cookie); err == nil {
		if l := langByID[ck.Value]; l != nil {
			return l
		}
	}
	_, i := language.MatchStrings(matcher, r.Header.Get("Accept-Language"))
	return langs[i]
}

package i18n

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"testing"

	"github.com/makerhub/makerhub"
)

func TestServiceMessage(t *testing.T) {
	fr, en := langByID["fr"], langByID["en"]
	for _, tc := range []struct {
		err    error
		fr, en string
	}{
		// An ID keeps its digits together (%#d); a quantity is grouped
		// as French groups numbers; %q becomes guillemets.
		{makerhub.Errorf(makerhub.ENOTFOUND, "Job %d does not exist.", 12345),
			"Le travail 12345 n’existe pas.", "Job 12345 does not exist."},
		{makerhub.Errorf(makerhub.EINVALID, "quantity is %d: it must be between 1 and %d.", 0, 10000),
			"La quantité est de 0\u00a0: elle doit être comprise entre 1 et 10\u00a0000.", "quantity is 0: it must be between 1 and 10000."},
		{makerhub.Errorf(makerhub.EINVALID, `role %q is not known: use "maker" or "hospital".`, "admin"),
			"Le rôle «\u00a0admin\u00a0» est inconnu\u00a0: utilisez «\u00a0maker\u00a0» ou «\u00a0hospital\u00a0».", `role "admin" is not known: use "maker" or "hospital".`},
		{makerhub.Errorf(makerhub.ECONFLICT, "Spool %d has %.1f g of %s left, but this batch took an estimated %.1f g: weigh the spool and correct its grams_left (PATCH /api/v1/spools/%d), or name the spool it was printed from.", 4, 1250.0, "PETG", 37.25, 4),
			"La bobine 4 n’a plus que 1\u00a0250,0\u00a0g de PETG, mais ce lot en a pris environ 37,2\u00a0g\u00a0: pesez la bobine et corrigez son grams_left (PATCH /api/v1/spools/4), ou indiquez la bobine avec laquelle il a été imprimé.",
			"Spool 4 has 1250.0 g of PETG left, but this batch took an estimated 37.2 g: weigh the spool and correct its grams_left (PATCH /api/v1/spools/4), or name the spool it was printed from."},
		// Found through wrapping, as errors.As finds it.
		{fmt.Errorf("claim: %w", makerhub.Errorf(makerhub.ECONFLICT, "Job %d was just taken by someone else.", 7)),
			"Le travail 7 vient d’être pris par quelqu’un d’autre.", "Job 7 was just taken by someone else."},
		// Without a translation, or without a format, the English words.
		{makerhub.Errorf(makerhub.EINVALID, "Not in any catalogue: %d.", 3), "Not in any catalogue: 3.", "Not in any catalogue: 3."},
		{&makerhub.Error{Code: makerhub.EINVALID, Message: "Built by hand."}, "Built by hand.", "Built by hand."},
		{errors.New("disk on fire"), "Internal error.", "Internal error."},
	} {
		if got := fr.ServiceMessage(tc.err); got != tc.fr {
			t.Errorf("French:\n got %q\nwant %q", got, tc.fr)
		}
		if got := en.ServiceMessage(tc.err); got != tc.en {
			t.Errorf("English:\n got %q\nwant %q", got, tc.en)
		}
		if got := makerhub.ErrorMessage(tc.err); got != tc.en {
			t.Errorf("ErrorMessage = %q, want the English %q", got, tc.en)
		}
	}
}

func TestSameVerbs(t *testing.T) {
	for _, tc := range []struct {
		en, tr string
		ok     bool
	}{
		{"Job %d is %s.", "Le travail %#d est à l’état %s.", true},
		{"role %q is not known", "Le rôle «\u00a0%s\u00a0» est inconnu", true},
		{"role %q is not known", "Le rôle %q est inconnu", true},
		{"%s is %v: from 0 to %d.", "%s vaut %v\u00a0: de 0 à %d.", true},
		{"100%% of %d", "100\u00a0%% de %d", true},
		{"%d of %s", "%[2]s : %[1]d", true},
		{"%.1f g", "%.1f\u00a0g", true},
		{"Job %d is %s.", "Le travail %s est à l’état %d.", false}, // kinds swapped
		{"Job %d is %s.", "Le travail %d.", false},                 // an argument lost
		{"Job %d.", "Le travail %d (%d).", false},                  // one too many
		{"file %s", "fichier %q", false},                           // %s may not become %q
		{"%.1f g", "%f\u00a0g", false},                             // precision lost
		{"%d of %s", "%[2]s : %[2]s", false},                       // an argument twice, another never
		{"%x", "%#x", false},                                       // '#' is allowed on %d only
		{"width %*d", "largeur %*d", false},                        // '*' is refused
	} {
		err := sameVerbs(tc.en, tc.tr)
		if (err == nil) != tc.ok {
			t.Errorf("sameVerbs(%q, %q) = %v, want ok=%v", tc.en, tc.tr, err, tc.ok)
		}
	}
}

func TestFrenchTypography(t *testing.T) {
	for m, ok := range map[string]bool{
		"Le travail %#d est à l’état %s\u00a0: il ne peut plus être pris.": true,
		"envoyez un corps JSON avec Content-Type: application/json.":       true,
		"ou en corps brut avec ?name=part.stl.":                            true,
		"Le travail %#d est pris : réessayez.":                             false,
		"Le travail %#d est pris; réessayez.":                              false,
		"Le rôle « %s » est inconnu.":                                      false,
		`Le rôle "%s" est inconnu.`:                                        false,
		"Le travail n'existe pas.":                                         false,
	} {
		if got := frenchTypography(m); (len(got) == 0) != ok {
			t.Errorf("frenchTypography(%q) = %v, want ok=%v", m, got, ok)
		}
	}
}

// The scan reads calls as they compile: over several lines, with a
// concatenated format, under another import name, and in the root package.
func TestErrorCallsScan(t *testing.T) {
	src := `package x

import mh "github.com/makerhub/makerhub"

func f(format string) error {
	_ = mh.Errorf(mh.EINVALID,
		"first line, "+
			"second line %d.", 1)
	_ = mh.WrapError(nil, mh.EINVALID, ("wrapped %s"), "x")
	return mh.Errorf(mh.EINVALID, format)
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := errorCalls(fset, f, "x/x.go", false)
	want := []errorFormat{
		{pos: "x/x.go:6", fn: "f", format: "first line, second line %d.", literal: true},
		{pos: "x/x.go:9", fn: "f", format: "wrapped %s", literal: true},
		{pos: "x/x.go:10", fn: "f", literal: false},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("errorCalls:\n got %v\nwant %v", got, want)
	}

	root := "package makerhub\n\nfunc g() error { return Errorf(EINVALID, \"in the root %s\", \"x\") }\n"
	if f, err = parser.ParseFile(fset, "error.go", root, 0); err != nil {
		t.Fatal(err)
	}
	if got := errorCalls(fset, f, "error.go", true); len(got) != 1 || got[0].format != "in the root %s" {
		t.Errorf("root package: %v", got)
	}
}

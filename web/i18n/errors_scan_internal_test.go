package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// nonLiteral lists the calls of makerhub.Errorf or WrapError whose format is
// not a string literal, by file and enclosing function, with why: such a
// format cannot be checked against the catalogue. Keep it short; a helper
// that forwards its caller's format should instead be given the finished
// *makerhub.Error, or be listed here with the reason its messages need no
// translation.
var nonLiteral = map[string]string{
	"web/httpx/errors.go AbortWith": "the API's errors built on the spot: RenderError writes them as JSON, which stays English",
}

// errorFormat is one call of makerhub.Errorf or makerhub.WrapError.
type errorFormat struct {
	pos     string // file:line, from the module root
	fn      string // enclosing function
	format  string
	literal bool
}

// TestServiceMessagesCatalogue checks web/i18n/errors.*.json against the
// source: every literal format given to makerhub.Errorf or WrapError has a
// translation with the same verbs, and no translation is left that no call
// uses. It reads the module's packages with go/parser, so calls over several
// lines and formats made of concatenated literals count as they compile.
//
// It skips cmd/, whose own messages go to an operator's terminal, never to a
// page, and test-helper packages (those named *test and internal/testenv),
// which only tests import. Everything else is scanned, internal/blob
// included: its EUNAVAILABLE messages reach the pages when storage fails.
func TestServiceMessagesCatalogue(t *testing.T) {
	calls := scanErrorFormats(t, "../..")
	if len(calls) < 300 {
		t.Fatalf("found only %d calls of makerhub.Errorf and WrapError: is the scan looking in the right place?", len(calls))
	}
	used := map[string]bool{}
	for _, c := range calls {
		if !c.literal {
			key := c.pos[:strings.LastIndex(c.pos, ":")] + " " + c.fn
			if _, ok := nonLiteral[key]; !ok {
				t.Errorf("%s: the format given to makerhub.Errorf or WrapError in %s is not a string literal, so no catalogue can hold it; use a literal, or list %q in nonLiteral with the reason", c.pos, c.fn, key)
			}
			used[key] = true
			continue
		}
		used[c.format] = true
	}
	for key := range nonLiteral {
		if !used[key] {
			t.Errorf("nonLiteral lists %q, which no longer calls makerhub.Errorf or WrapError with a non-literal format", key)
		}
	}
	if len(serviceMessages) == 0 {
		t.Fatal("no catalogue of service messages was loaded from web/i18n/errors.*.json")
	}
	for code, cat := range serviceMessages {
		file := "web/i18n/errors." + code + ".json"
		seen := map[string]bool{}
		for _, c := range calls {
			if !c.literal || seen[c.format] {
				continue
			}
			seen[c.format] = true
			m, ok := cat[c.format]
			if !ok {
				t.Errorf("%s: %s has no translation of %q", c.pos, file, c.format)
				continue
			}
			if err := sameVerbs(c.format, m); err != nil {
				t.Errorf("%s: %s, %q: %v", c.pos, file, c.format, err)
			} else if l := langByID[code]; l == nil {
				t.Errorf("%s is for %q, which the pages do not speak", file, code)
			} else if out := l.printer.Sprintf(m, sampleArgs(c.format)...); strings.Contains(out, "%!") {
				t.Errorf("%s: %s, %q formats badly: %s", c.pos, file, c.format, out)
			}
		}
		for en, m := range cat {
			if !seen[en] {
				t.Errorf("%s translates %q, which no call of makerhub.Errorf or WrapError uses: remove it", file, en)
			}
			if code == "fr" {
				for _, p := range frenchTypography(m) {
					t.Errorf("%s, %q: %s", file, en, p)
				}
			}
		}
	}
	t.Logf("%d calls, %d distinct literal formats, %d non-literal", len(calls), len(used)-len(nonLiteral), len(nonLiteral))
}

// sampleArgs returns an argument of the right kind for each verb of an
// English format, to try its translation with.
func sampleArgs(format string) []any {
	vs, _ := parseVerbs(format)
	args := make([]any, len(vs))
	for _, v := range vs {
		switch v.spec[len(v.spec)-1] {
		case 'd':
			args[v.arg] = 1234567
		case 'f', 'g', 'e':
			args[v.arg] = 1234.5
		case 'x', 'X':
			args[v.arg] = []byte{0xab, 0xcd}
		case 'c':
			args[v.arg] = 'x'
		default:
			args[v.arg] = "x"
		}
	}
	return args
}

// scanErrorFormats returns the calls of makerhub.Errorf and WrapError in the
// non-test Go files of the module at root.
func scanErrorFormats(t *testing.T, root string) []errorFormat {
	t.Helper()
	if mod, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !strings.HasPrefix(string(mod), "module github.com/makerhub/makerhub\n") {
		t.Fatalf("%s is not the module's root: %v", root, err)
	}
	fset := token.NewFileSet()
	var calls []errorFormat
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" ||
				name == "node_modules" || rel == "cmd" || strings.HasSuffix(name, "test") || rel == "internal/testenv") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		calls = append(calls, errorCalls(fset, f, rel, path.Dir(rel) == ".")...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

// errorCalls returns the calls in f of makerhub.Errorf and WrapError, under
// whatever name the file imports the package, or of Errorf and WrapError
// themselves in the root package.
func errorCalls(fset *token.FileSet, f *ast.File, rel string, rootPkg bool) []errorFormat {
	pkg := ""
	for _, im := range f.Imports {
		if im.Path.Value == strconv.Quote("github.com/makerhub/makerhub") {
			pkg = "makerhub"
			if im.Name != nil {
				pkg = im.Name.Name
			}
		}
	}
	formatArg := map[string]int{"Errorf": 1, "WrapError": 2}
	var calls []errorFormat
	for _, decl := range f.Decls {
		fn := "(package level)"
		if fd, ok := decl.(*ast.FuncDecl); ok {
			fn = fd.Name.Name
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := ""
			switch fun := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fun.X.(*ast.Ident); ok && pkg != "" && x.Name == pkg {
					name = fun.Sel.Name
				}
			case *ast.Ident:
				if rootPkg {
					name = fun.Name
				}
			}
			i, ok := formatArg[name]
			if !ok || len(call.Args) <= i {
				return true
			}
			format, literal := stringLiteral(call.Args[i])
			pos := fset.Position(call.Pos())
			calls = append(calls, errorFormat{pos: fmt.Sprintf("%s:%d", rel, pos.Line), fn: fn, format: format, literal: literal})
			return true
		})
	}
	return calls
}

// stringLiteral returns the value of a string literal, or of a sum of them.
func stringLiteral(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return stringLiteral(e.X)
	case *ast.BinaryExpr:
		a, ok1 := stringLiteral(e.X)
		b, ok2 := stringLiteral(e.Y)
		return a + b, ok1 && ok2 && e.Op == token.ADD
	}
	return "", false
}

// fmtVerb is one verb of a format: the argument it formats (from 0) and its
// flags, width, precision and letter.
type fmtVerb struct {
	arg  int
	spec string
}

// parseVerbs returns the verbs of format in order, following explicit
// argument indexes (%[2]s) as fmt does. A '*' width or precision, which
// takes an argument of its own, is refused: no message needs one.
func parseVerbs(format string) ([]fmtVerb, error) {
	var out []fmtVerb
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		start := i
		for i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0 {
			i++
		}
		flags := format[start:i]
		index := func() error {
			if i >= len(format) || format[i] != '[' {
				return nil
			}
			end := strings.IndexByte(format[i:], ']')
			n, err := strconv.Atoi(format[i+1 : i+max(end, 1)])
			if end < 0 || err != nil || n < 1 {
				return fmt.Errorf("bad argument index at %q", format[i:])
			}
			arg, i = n-1, i+end+1
			return nil
		}
		if err := index(); err != nil {
			return nil, err
		}
		numStart := i
		for i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == '.') {
			i++
		}
		size := format[numStart:i]
		if err := index(); err != nil {
			return nil, err
		}
		if i >= len(format) {
			return nil, fmt.Errorf("%q ends in the middle of a verb", format)
		}
		if format[i] == '*' {
			return nil, fmt.Errorf("'*' widths are not supported")
		}
		out = append(out, fmtVerb{arg: arg, spec: flags + size + string(format[i])})
		arg++
	}
	return out, nil
}

// sameVerbs reports whether translation formats the same arguments as
// english, each with the same verb. Two differences are allowed, both in the
// translation: %s where English has %q (guillemets quote the value instead),
// and %#d where English has %d (x/text's printer then writes the number
// without grouping: an ID, job 1234 rather than job 1 234).
func sameVerbs(english, translation string) error {
	ev, err := parseVerbs(english)
	if err != nil {
		return fmt.Errorf("English: %v", err)
	}
	tv, err := parseVerbs(translation)
	if err != nil {
		return fmt.Errorf("translation: %v", err)
	}
	byArg := func(vs []fmtVerb) map[int][]string {
		m := map[int][]string{}
		for _, v := range vs {
			m[v.arg] = append(m[v.arg], v.spec)
		}
		for _, specs := range m {
			slices.Sort(specs)
		}
		return m
	}
	e, tr := byArg(ev), byArg(tv)
	if len(ev) != len(tv) || len(e) != len(tr) {
		return fmt.Errorf("the translation has %d verbs for %d arguments, English %d for %d", len(tv), len(tr), len(ev), len(e))
	}
	for arg, es := range e {
		ts := tr[arg]
		if len(ts) != len(es) {
			return fmt.Errorf("argument %d has %d verbs in the translation, %d in English", arg+1, len(ts), len(es))
		}
		for i, want := range es {
			got := ts[i]
			if strings.HasSuffix(got, "d") {
				got = strings.Replace(got, "#", "", 1)
			}
			if got != want && !(want == "q" && got == "s") {
				return fmt.Errorf("argument %d is %%%s in the translation, %%%s in English", arg+1, ts[i], want)
			}
		}
	}
	return nil
}

var (
	frSpaceBefore = regexp.MustCompile(`[^\x{a0} ][;?!](\s|$)| [:;?!](\s|$|\))`)
	frQuote       = regexp.MustCompile(`«[^\x{a0}]|[^\x{a0}]»|"%s"`)
	frApostrophe  = regexp.MustCompile(`\pL'\pL`)
)

// frenchTypography lists what breaks the catalogue's French typography, as
// web/i18n/fr.json writes it: a no-break space before ; ? ! and a colon
// (except in a token such as host:port), inside « guillemets », and ’ for
// the apostrophe.
func frenchTypography(m string) []string {
	var out []string
	if frSpaceBefore.MatchString(m) {
		out = append(out, "a ; ? or ! needs a no-break space (U+00A0) before it, and so does a colon ending a clause")
	}
	if frQuote.MatchString(m) {
		out = append(out, "quote with «\u00a0guillemets\u00a0» and no-break spaces inside")
	}
	if frApostrophe.MatchString(m) {
		out = append(out, "write the apostrophe ’ (U+2019)")
	}
	return out
}

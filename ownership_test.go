package makerhub_test

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Every table has one owning package, and only the owner's SQL names it;
// other packages call the owner, or read the views it publishes. The map
// is docs/architecture.md's "Who owns what" table: this test reads it
// there, so the page and the rule cannot drift apart.

// sqlName finds the names SQL reads or writes: after FROM, JOIN, INTO,
// UPDATE, TABLE and EXISTS (and DELETE FROM, INSERT INTO, CREATE TABLE).
var sqlName = regexp.MustCompile(`(?i)\b(?:from|join|into|update|table|exists)\s+([a-z_][a-z0-9_]*)`)

// owned is one row of the map: a table or a view and its owning package.
type owned struct {
	owner string
	view  bool
}

// ownershipMap reads the "Who owns what" section of docs/architecture.md:
// rows "| `name` | table or view | owner | …".
func ownershipMap(t *testing.T) map[string]owned {
	t.Helper()
	f, err := os.Open("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| `([a-z_]+)` \\| (table|view) \\| ([a-z/]+) \\|")
	m := map[string]owned{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Who owns what"
			continue
		}
		if r := row.FindStringSubmatch(line); in && r != nil {
			if _, dup := m[r[1]]; dup {
				t.Errorf("docs/architecture.md names %s twice", r[1])
			}
			m[r[1]] = owned{owner: r[3], view: r[2] == "view"}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(m) == 0 {
		t.Fatal(`docs/architecture.md has no "## Who owns what" table`)
	}
	return m
}

// schemaNames returns the tables and views the migrations create, and
// schema_migrations, which the adapter creates before them.
func schemaNames(t *testing.T) map[string]bool {
	t.Helper()
	create := regexp.MustCompile(`(?i)CREATE\s+(TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_]+)`)
	names := map[string]bool{}
	files, err := filepath.Glob("internal/sqlite/migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	files = append(files, "internal/sqlite/sqlite.go")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range create.FindAllStringSubmatch(string(b), -1) {
			names[strings.ToLower(m[2])] = strings.EqualFold(m[1], "view")
		}
	}
	return names
}

// violation is a package naming in SQL a table it does not own.
type violation struct {
	pos, pkg, table, owner string
}

func (v violation) String() string {
	return fmt.Sprintf("%s: package %s names table %s, which %s owns: call %s instead (or read a view it publishes)",
		v.pos, v.pkg, v.table, v.owner, v.owner)
}

// violations scans the string literals of one Go file of package pkg.
func violations(fset *token.FileSet, file *ast.File, pkg string, m map[string]owned) []violation {
	var out []violation
	ast.Inspect(file, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		for _, match := range sqlName.FindAllStringSubmatch(s, -1) {
			name := strings.ToLower(match[1])
			o, known := m[name]
			if known && !o.view && o.owner != pkg {
				out = append(out, violation{fset.Position(lit.Pos()).String(), pkg, name, o.owner})
			}
		}
		return true
	})
	return out
}

func TestEveryTableHasOneOwner(t *testing.T) {
	m := ownershipMap(t)
	schema := schemaNames(t)
	for name, view := range schema {
		o, ok := m[name]
		switch {
		case !ok:
			t.Errorf("the migrations create %s, which docs/architecture.md's \"Who owns what\" does not list: give it an owner", name)
		case o.view != view:
			t.Errorf("docs/architecture.md says %s is a %s; the migrations make it the other kind", name, map[bool]string{true: "view", false: "table"}[o.view])
		case !strings.HasPrefix(name, strings.ReplaceAll(o.owner, "/", "_")+"_") && view:
			t.Errorf("view %s belongs to %s: its name must start with %s_", name, o.owner, o.owner)
		}
	}
	for name, o := range m {
		if _, ok := schema[name]; !ok {
			t.Errorf("docs/architecture.md lists %s (%s), which no migration creates", name, o.owner)
		}
		if _, err := os.Stat(o.owner); err != nil {
			t.Errorf("docs/architecture.md gives %s to package %s, which does not exist", name, o.owner)
		}
	}

	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Test support packages (designstest, webtest, testenv…)
			// are test code too.
			if slices.Contains([]string{"node_modules", "testdata", ".git", "testenv"}, d.Name()) || strings.HasSuffix(d.Name(), "test") {
				return filepath.SkipDir
			}
			return nil
		}
		// Tests may reach behind a package's back on purpose (breaking
		// an invariant to see fsck report it); the rule is for the hub.
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		for _, v := range violations(fset, f, pkg, m) {
			t.Error(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The scan must see a foreign table however the SQL is written, and leave
// a package's own tables, published views and plain English alone.
func TestOwnershipScanFindsForeignTables(t *testing.T) {
	m := map[string]owned{
		"requests":            {owner: "production"},
		"stock":               {owner: "inventory"},
		"production_requests": {owner: "production", view: true},
		"users":               {owner: "accounts"},
	}
	src := "package inventory\n" +
		"const a = `SELECT quantity FROM stock WHERE batch_id = ?`\n" + // own table
		"const b = `UPDATE requests SET delivered = delivered + 1`\n" + // foreign write
		"const c = `SELECT r.id FROM stock s\n\tJOIN requests r ON r.id = s.request_id`\n" + // foreign join
		"const d = `SELECT id FROM production_requests`\n" + // a published view
		"const e = \"users from every hospital\"\n" + // not SQL: no keyword before it
		"const f = \"DELETE FROM users WHERE id = ?\"\n" // foreign delete
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	vs := violations(fset, f, "inventory", m)
	var tables []string
	for _, v := range vs {
		tables = append(tables, v.table)
	}
	if want := []string{"requests", "requests", "users"}; !slices.Equal(tables, want) {
		t.Errorf("violations = %v, want %v", tables, want)
	}
}

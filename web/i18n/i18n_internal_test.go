package i18n

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
)

// Every language has every key, with the same formatting verbs, and every
// key the templates and handlers use exists.
func TestCatalogues(t *testing.T) {
	en := langByID["en"]
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	for _, l := range langs {
		for k, m := range l.messages {
			other, ok := en.messages[k]
			if !ok {
				t.Errorf("%s has %q, English does not", l.Code, k)
				continue
			}
			if a, b := verbs.FindAllString(m, -1), verbs.FindAllString(other, -1); strings.Join(a, " ") != strings.Join(b, " ") {
				t.Errorf("%s %q takes %v, English %v", l.Code, k, a, b)
			}
		}
		for k := range en.messages {
			if _, ok := l.messages[k]; !ok {
				t.Errorf("%s lacks %q", l.Code, k)
			}
		}
	}
	used := map[string]bool{}
	literal := regexp.MustCompile(`(?:\.L\.T|\bl\.T|\bL\.T) "([a-z0-9_.]+)"|\bl\.T\("([a-z0-9_.]+)"|\.T\("([a-z]+\.title)"\)`)
	// The pages' templates and the Go files of every web package (the
	// pages', and the others', which must not use a key the test misses).
	for _, pattern := range []string{"../ui/templates/*.html", "../*.go", "../api/*.go", "../httpx/*.go", "*.go", "../ui/*.go"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
				if k := m[1] + m[2] + m[3]; !strings.HasSuffix(k, ".") { // a prefix: its keys are listed below
					used[k] = true
				}
			}
		}
	}
	if len(used) < 40 {
		t.Fatalf("found only %d keys in use: the pattern no longer matches how pages translate", len(used))
	}
	// Keys built from values.
	for _, r := range []makerhub.Role{makerhub.RoleMaker, makerhub.RoleHospital, makerhub.RoleCoordinator} {
		used["role."+string(r)] = true
	}
	for _, c := range designs.Categories() {
		used["category."+string(c)] = true
	}
	for _, lc := range []designs.Lifecycle{designs.Active, designs.Superseded, designs.Withdrawn} {
		used["lifecycle."+string(lc)] = true
	}
	for _, s := range []designs.Status{designs.Draft, designs.Submitted, designs.CommunityReviewed, designs.ClinicallyValidated, designs.Rejected} {
		used["status."+string(s)] = true
	}
	for _, k := range []string{"cause.version_not_acceptable", "cause.no_fitting_printer", "cause.wrong_material",
		"cause.no_capacity_before_deadline", "cause.no_capacity", "request.open", "request.fulfilled", "request.cancelled",
		"shipment.prepared", "shipment.in_transit", "shipment.delivered", "shipment.received", "shipment.cancelled",
		"stock.unchecked", "stock.passed", "chart.requested", "chart.produced", "chart.delivered", "place.maker", "place.hub", "place.hospital",
		"priority.critical", "priority.high", "priority.normal", "history.created", "history.file_added", "history.file_removed",
		"history.published", "history.reviewed", "history.superseded", "history.withdrawn"} {
		used[k] = true
	}
	// The ?done= sentences, one per action, as routes.go names them.
	routes, err := os.ReadFile("../routes.go")
	if err != nil {
		t.Fatal(err)
	}
	actions := regexp.MustCompile(`(?:Act|DesignAction)\("([a-z]+)"`).FindAllStringSubmatch(string(routes), -1)
	if len(actions) < 20 {
		t.Fatalf("found only %d actions in routes.go: the pattern no longer matches", len(actions))
	}
	for _, m := range actions {
		used["done."+m[1]] = true
	}
	for k := range used {
		if _, ok := en.messages[k]; !ok {
			t.Errorf("key %q is used but not in the catalogues", k)
		}
	}
	for k := range en.messages {
		if !used[k] && !strings.HasPrefix(k, "form.org.") {
			t.Errorf("key %q is in the catalogues but no page uses it", k)
		}
	}
}

func TestNumbersAndDatesPerLanguage(t *testing.T) {
	en, fr := langByID["en"], langByID["fr"]
	if got := en.Decimal(1234.5, 1); got != "1,234.5" {
		t.Errorf("English 1234.5 = %q", got)
	}
	if got := fr.Decimal(1234.5, 1); !strings.HasSuffix(got, "234,5") || strings.Contains(got, ",234") {
		t.Errorf("French 1234.5 = %q", got)
	}
	day := time.Date(2020, 3, 23, 14, 5, 0, 0, time.UTC)
	if got := en.Date(day); got != "23 March 2020" {
		t.Errorf("English date %q", got)
	}
	if got := fr.Date(day); got != "23 mars 2020" {
		t.Errorf("French date %q", got)
	}
}

func TestLanguageChoice(t *testing.T) {
	for _, c := range []struct{ accept, cookie, want string }{
		{"", "", "en"},
		{"fr-FR,fr;q=0.9,en;q=0.8", "", "fr"},
		{"fr-CA", "", "fr"},
		{"de-DE,de;q=0.9", "", "en"},
		{"de;q=0.9,fr;q=0.5", "", "fr"},
		{"fr-FR", "en", "en"},
		{"en", "fr", "fr"},
		{"fr", "xx", "fr"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", c.accept)
		if c.cookie != "" {
			r.Header.Set("Cookie", Cookie+"="+c.cookie)
		}
		if got := Of(r).Code; got != c.want {
			t.Errorf("Accept-Language %q, cookie %q: %s; want %s", c.accept, c.cookie, got, c.want)
		}
	}
}

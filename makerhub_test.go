package makerhub_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/makerhub/makerhub"
)

func TestValidateBlobKey(t *testing.T) {
	good := []string{"a", "stl/sha256/ab/abcdef0123", "thumbs/x.png", "a-b_c.d/e", strings.Repeat("a/", 100) + "z"}
	for _, k := range good {
		if err := makerhub.ValidateBlobKey(k); err != nil {
			t.Errorf("ValidateBlobKey(%q) = %v, want nil", k, err)
		}
	}
	bad := map[string]string{
		"":                           "empty",
		"/abs":                       "empty segment",
		"trail/":                     "empty segment",
		"a//b":                       "empty segment",
		"../etc/passwd":              "starting with '.'",
		"a/../b":                     "starting with '.'",
		".tmp/x":                     "starting with '.'",
		"Upper":                      "character 'U'",
		"with space":                 "character ' '",
		"naïve":                      "character",
		`back\slash`:                 "character '\\\\'",
		strings.Repeat("x", 201):     "longer than 200",
		strings.Repeat("ab/", 200):   "limit is 512",
		"nul\x00byte":                "character",
		"name from user/Photo 1.stl": "character",
	}
	for k, want := range bad {
		err := makerhub.ValidateBlobKey(k)
		if makerhub.ErrorCode(err) != makerhub.EINVALID || !strings.Contains(makerhub.ErrorMessage(err), want) {
			t.Errorf("ValidateBlobKey(%q) = %v, want EINVALID mentioning %s", k, err, want)
		}
	}
	if err := makerhub.ValidateBlobPrefix(""); err != nil {
		t.Errorf("empty prefix: %v", err)
	}
	if err := makerhub.ValidateBlobPrefix("stl/"); err != nil {
		t.Errorf("prefix stl/: %v", err)
	}
	if err := makerhub.ValidateBlobPrefix("../"); err == nil {
		t.Error("prefix ../ accepted")
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	coded := makerhub.Errorf(makerhub.ECONFLICT, "Job %d is already claimed.", 7)
	wrapped := fmt.Errorf("claim: %w", coded)
	plain := errors.New("disk on fire")
	tests := []struct {
		err       error
		code, msg string
	}{
		{nil, "", ""},
		{coded, makerhub.ECONFLICT, "Job 7 is already claimed."},
		{wrapped, makerhub.ECONFLICT, "Job 7 is already claimed."},
		{plain, makerhub.EINTERNAL, "Internal error."},
		{makerhub.WrapError(plain, makerhub.EUNAVAILABLE, "Storage is down."), makerhub.EUNAVAILABLE, "Storage is down."},
	}
	for _, tt := range tests {
		if got := makerhub.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := makerhub.ErrorMessage(tt.err); got != tt.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.msg)
		}
	}
	// The cause stays reachable for logs and errors.Is, never in Message.
	w := makerhub.WrapError(plain, makerhub.EUNAVAILABLE, "Storage is down.")
	if !errors.Is(w, plain) || !strings.Contains(w.Error(), "disk on fire") {
		t.Errorf("wrapped cause lost: %v", w)
	}
}

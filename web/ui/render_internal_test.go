package ui

import (
	"strings"
	"testing"
)

// The map's tile server, when set, is the one origin beyond the hub's own
// that pages may load images from; a malformed template stops the hub at
// start, with the reason.
func TestPagePolicyAndMapTiles(t *testing.T) {
	csp, err := pagePolicy("")
	if err != nil || !strings.Contains(csp, "img-src 'self' data:;") {
		t.Fatalf("no tiles: %q, %v", csp, err)
	}
	csp, err = pagePolicy("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
	if err != nil || !strings.Contains(csp, "img-src 'self' data: https://tile.openstreetmap.org;") || strings.Contains(csp, "{z}") {
		t.Fatalf("OpenStreetMap tiles: %q, %v", csp, err)
	}
	for _, bad := range []string{"tile.openstreetmap.org/{z}/{x}/{y}.png", "javascript:alert(1)//{z}", "https://tiles.example/", "https:///{z}/{x}/{y}.png"} {
		if _, err := pagePolicy(bad); err == nil || !strings.Contains(err.Error(), "URL template") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/designs?q=visor": "/designs?q=visor", "": "/", "//evil.example/x": "/", "https://evil.example": "/",
		`/\evil.example`: "/", "designs": "/", "/%0d%0aSet-Cookie:x": "/%0d%0aSet-Cookie:x",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q; want %q", in, got, want)
		}
	}
}

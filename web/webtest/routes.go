package webtest

import "strings"

// IsPageRoute tells the HTML pages (and their assets) from the API and
// the operations endpoints.
func IsPageRoute(path string) bool {
	return !strings.HasPrefix(path, "/api/") && path != "/healthz" && path != "/readyz" && path != "/metrics"
}

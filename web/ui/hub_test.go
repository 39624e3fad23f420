package ui_test

import (
	"testing"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/webtest"
)

// testHub is webtest's hub, on which this package's tests hang the helpers
// only they need.
type testHub struct{ *webtest.Hub }

func newTestHub(t testing.TB, opts accounts.Options) *testHub {
	return &testHub{webtest.NewHub(t, opts)}
}

// The shared helpers under the names the tests were written with.
type (
	response  = webtest.Response
	caller    = webtest.Caller
	prodWorld = webtest.ProdWorld
)

var (
	path        = webtest.Path
	cubeSTL     = webtest.CubeSTL
	isPageRoute = webtest.IsPageRoute
)

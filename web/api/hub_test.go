package api_test

import (
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
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
	errorOf     = webtest.ErrorOf
	signupBody  = webtest.SignupBody
	isPageRoute = webtest.IsPageRoute
)

func newTestHubOn(t testing.TB, opts accounts.Options, blobs makerhub.BlobStore, dopts designs.Options) *testHub {
	return &testHub{webtest.NewHubOn(t, opts, blobs, dopts)}
}

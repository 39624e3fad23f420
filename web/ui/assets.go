package ui

import "io/fs"

// The built front-end assets (scripts/build-web.sh writes them into
// static/dist before the binary is built). Without them the pages work,
// and say the 3D viewer and the map are not built.
var (
	viewerBuilt = assetBuilt("static/dist/viewer.js")
	mapBuilt    = assetBuilt("static/dist/map.js") && assetBuilt("static/dist/map.css")
	uploadBuilt = assetBuilt("static/dist/upload.js")
)

func assetBuilt(name string) bool {
	_, err := fs.Stat(staticFS, name)
	return err == nil
}

// assets says which built scripts a page may load.
type assets struct{ Viewer, Map, Upload bool }

var built = assets{Viewer: viewerBuilt, Map: mapBuilt, Upload: uploadBuilt}

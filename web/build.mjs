// Bundles web/assets into web/ui/static/dist, which the Go binary embeds
// (web/ui/ui.go). Run by scripts/build-web.sh, which installs node_modules
// first and skips this when the outputs are up to date.
import * as esbuild from "esbuild";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const outdir = "ui/static/dist";
// A clean folder: nothing stale from a renamed entry gets embedded.
rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: {
    viewer: "assets/viewer.js",
    map: "assets/map.js", // and map.css: Leaflet's styles with ours
    upload: "assets/upload.js",
  },
  outdir,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  // Sourcemaps would be embedded in the binary too, and double its share.
  sourcemap: false,
  // Leaflet's stylesheet names a few small PNGs (layer and marker icons):
  // inlined, as CSP allows data: images.
  loader: { ".png": "dataurl", ".svg": "dataurl" },
  legalComments: "eof", // the libraries' licence notices stay with them
  logLevel: "warning",
});
const sizes = readdirSync(outdir)
  .sort()
  .map((f) => `${f} ${Math.round(statSync(join(outdir, f)).size / 1024)} KiB`);
console.log(sizes.join(", "));

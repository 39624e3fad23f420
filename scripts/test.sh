#!/usr/bin/env bash
# Runs every test of the hub, as `make test` and CI (.ci/run) do:
#   0. the pages' scripts are built into web/ui/static/dist with npm and esbuild
#      (scripts/build-web.sh), before anything compiles, since the binary
#      embeds them; without node and npm this is skipped with a message,
#      except with CI=true, where it fails;
#   1. gofmt and go vet must be clean;
#   2. a MinIO server binary is built once into the user cache (outside the
#      clone; ~4-6 minutes the first time) for the object-storage tests, and
#      a mailpit binary (~35 s) for the e-mail tests;
#   3. Debian packages the tests drive are installed when missing
#      (scripts/ensure-apt.sh): gnumeric, whose ssconvert opens the CSV
#      exports as a spreadsheet does, and chromium, the browser the page
#      tests drive (screenshots of each step go to $MAKERHUB_SCREENSHOTS,
#      by default ${TMPDIR:-/tmp}/makerhub-screenshots);
#   4. go test with the race detector over every package.
# With CI=true, tests that need MinIO or a missing tool fail instead of
# skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './web/node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change these files (run gofmt -w):" >&2
  echo "$unformatted" >&2
  exit 1
fi

echo "== front-end assets (npm, esbuild)" >&2
MAKERHUB_REQUIRE_WEB=$([ "${CI:-}" = true ] && echo 1 || echo 0) scripts/build-web.sh

echo "== go vet" >&2
go vet ./...

echo "== MinIO for the object-storage tests" >&2
MAKERHUB_MINIO=$(scripts/ensure-minio.sh)
export MAKERHUB_MINIO
echo "using $MAKERHUB_MINIO" >&2

echo "== mailpit, the SMTP server of the e-mail tests" >&2
MAKERHUB_MAILPIT=$(scripts/ensure-mailpit.sh)
export MAKERHUB_MAILPIT
echo "using $MAKERHUB_MAILPIT" >&2

echo "== tools the tests drive" >&2
scripts/ensure-apt.sh ssconvert:gnumeric chromium:chromium

echo "== go test -race" >&2
go test -race -count=1 -timeout 30m "$@" ./...

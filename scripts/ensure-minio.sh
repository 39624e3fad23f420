#!/usr/bin/env bash
# ensure-minio.sh prints the path of the MinIO server binary that the tests
# run (internal/testenv), building it first if it is not in the cache yet:
#
#	MAKERHUB_MINIO="$(scripts/ensure-minio.sh)"
#
# MinIO publishes no versioned binaries that stay downloadable, so the tests
# pin a version of the github.com/minio/minio Go module and build it once per
# machine with `go install` (scripts/ensure-go-binary.sh, about 6 minutes),
# cached in ${XDG_CACHE_HOME:-$HOME/.cache}/makerhub/minio-$VERSION/minio.
set -euo pipefail

# Keep in step with testenv.MinIOVersion (a Go test checks they agree).
VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"

exec "$(dirname "$0")/ensure-go-binary.sh" minio github.com/minio/minio "$VERSION" "about 6 minutes"

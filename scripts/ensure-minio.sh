#!/usr/bin/env bash
# ensure-minio.sh prints the path of the MinIO server binary that the tests
# run (internal/testenv), building it first if it is not in the cache yet.
#
# MinIO publishes no versioned binaries that stay downloadable, so the tests
# pin a version of the github.com/minio/minio Go module and build it once per
# machine with `go install` (about 6 minutes). The binary is cached in
# ${XDG_CACHE_HOME:-$HOME/.cache}/makerhub/minio-$VERSION/minio, where
# testenv.MinIOBinary looks for it. Progress goes to stderr, so that
#
#	MAKERHUB_MINIO="$(scripts/ensure-minio.sh)"
#
# works. Concurrent runs (parallel CI jobs, two terminals) build only once:
# the build holds a lock, and the binary appears in place with one rename.
set -euo pipefail

# Keep in step with testenv.MinIOVersion (a Go test checks they agree).
VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"

cache="${XDG_CACHE_HOME:-$HOME/.cache}/makerhub"
dir="$cache/minio-$VERSION"
bin="$dir/minio"

if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

for tool in go flock; do
	if ! command -v "$tool" >/dev/null; then
		echo "ensure-minio.sh: '$tool' is needed to build MinIO but is not installed" >&2
		exit 1
	fi
done

mkdir -p "$cache"
exec 9>"$cache/minio-$VERSION.lock"
if ! flock -n 9; then
	echo "ensure-minio.sh: another build of MinIO $VERSION is running; waiting for it..." >&2
	flock 9
fi

# The other run may have finished the build while we waited for the lock.
if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

echo "ensure-minio.sh: building MinIO $VERSION; this takes about 6 minutes, once per machine..." >&2
# Build into a folder inside the cache, so that the final mv is a rename on
# one file system: the binary appears complete or not at all.
tmp="$(mktemp -d "$cache/minio-build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
# Build outside any module, so that the repository's go.mod plays no part.
(cd "$tmp" && GOBIN="$tmp/bin" GOFLAGS= go install "github.com/minio/minio@$VERSION") >&2
mkdir -p "$dir"
mv "$tmp/bin/minio" "$bin"
echo "ensure-minio.sh: built $bin in $((SECONDS - start))s" >&2
echo "$bin"

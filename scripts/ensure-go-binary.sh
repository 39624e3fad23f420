#!/usr/bin/env bash
# ensure-go-binary.sh NAME MODULE VERSION HOW_LONG prints the path of a
# server binary the tests run, building it first with `go install
# MODULE@VERSION` if it is not in the cache yet. scripts/ensure-minio.sh and
# scripts/ensure-mailpit.sh call it; the tests (internal/testenv) look for the
# binary where it puts it:
#
#	${XDG_CACHE_HOME:-$HOME/.cache}/makerhub/NAME-VERSION/NAME
#
# Progress goes to stderr, so that BIN="$(scripts/ensure-minio.sh)" works.
# Concurrent runs (parallel CI jobs, two terminals) build only once: the
# build holds a lock, and the binary appears in place with one rename.
set -euo pipefail

name="$1" module="$2" version="$3" how_long="$4"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/makerhub"
dir="$cache/$name-$version"
bin="$dir/$name"

if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

for tool in go flock; do
	if ! command -v "$tool" >/dev/null; then
		echo "ensure-go-binary.sh: '$tool' is needed to build $name but is not installed" >&2
		exit 1
	fi
done

mkdir -p "$cache"
exec 9>"$cache/$name-$version.lock"
if ! flock -n 9; then
	echo "ensure-go-binary.sh: another build of $name $version is running; waiting for it..." >&2
	flock 9
fi

# The other run may have finished the build while we waited for the lock.
if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

echo "ensure-go-binary.sh: building $name $version; this takes $how_long, once per machine..." >&2
# Build into a folder inside the cache, so that the final mv is a rename on
# one file system: the binary appears complete or not at all.
tmp="$(mktemp -d "$cache/$name-build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
# Build outside any module, so that the repository's go.mod plays no part.
(cd "$tmp" && GOBIN="$tmp/bin" GOFLAGS= go install "$module@$version") >&2
mkdir -p "$dir"
mv "$tmp/bin/$name" "$bin"
echo "ensure-go-binary.sh: built $bin in $((SECONDS - start))s" >&2
echo "$bin"

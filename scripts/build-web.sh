#!/usr/bin/env bash
# build-web.sh builds the pages' scripts — the 3D viewer (three.js), the map
# (Leaflet) and the upload progress — from web/assets into web/ui/static/dist,
# which the Go binary embeds (web/ui/ui.go), so build them before `go build`
# or `go run` (make run and scripts/test.sh do).
#
#   1. npm ci installs web/node_modules from web/package-lock.json, only when
#      node_modules is missing or older than the lockfile (npm's cache stays
#      in ~/.npm, outside the clone);
#   2. esbuild (web/build.mjs) bundles the scripts, only when an output is
#      missing or older than an input.
#
# The hub runs without these files (its pages then say the 3D viewer is not
# built), so without node and npm this says so and exits 0, unless
# MAKERHUB_REQUIRE_WEB=1 (CI), when it fails. It prints one line saying what
# it did, on stderr.
set -euo pipefail
cd "$(dirname "$0")/../web"

say() { echo "build-web.sh: $*" >&2; }

missing() {
	say "$1; node and npm are needed to build the 3D viewer, map and upload progress; the hub runs without them"
	if [[ "${MAKERHUB_REQUIRE_WEB:-0}" == 1 ]]; then
		exit 1
	fi
	exit 0
}

for tool in node npm; do
	command -v "$tool" >/dev/null || missing "'$tool' is not installed"
done
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((major < 18)); then
	missing "node $(node --version 2>/dev/null) is too old (esbuild needs 18 or newer)"
fi

# Two builds at once (make run beside make test) would delete each other's
# outputs: the second waits. flock is optional (macOS has none).
if command -v flock >/dev/null; then
	exec 9<"build.mjs"
	flock 9
fi

started=${EPOCHREALTIME:-$SECONDS} # bash 5; whole seconds on older ones
did=()

if [[ ! -d node_modules || ! node_modules/.package-lock.json -nt package-lock.json ]]; then
	if ! log=$(npm ci --no-audit --no-fund --loglevel=error 2>&1); then
		echo "$log" >&2
		missing "npm ci failed (is the npm registry reachable?)"
	fi
	did+=("installed node_modules (npm ci)")
fi

outputs=(ui/static/dist/viewer.js ui/static/dist/map.js ui/static/dist/map.css ui/static/dist/upload.js)
inputs=(assets/* package-lock.json build.mjs)
stale=false
for out in "${outputs[@]}"; do
	for in in "${inputs[@]}"; do
		if [[ ! -f "$out" || "$in" -nt "$out" ]]; then
			stale=true
			break 2
		fi
	done
done

if $stale; then
	sizes=$(node build.mjs)
	did+=("built web/ui/static/dist: $sizes")
else
	did+=("web/ui/static/dist is up to date")
fi

elapsed=$(awk -v a="$started" -v b="${EPOCHREALTIME:-$SECONDS}" 'BEGIN { printf "%.1f", b - a }')
msg=${did[0]}
for d in "${did[@]:1}"; do
	msg+="; $d"
done
say "$msg ($elapsed s)"

#!/usr/bin/env bash
# bench.sh runs every benchmark of the repository and records the machine
# they ran on; docs/benchmarks.md records its output.
#
# What it measures:
#   ./designs/stl/          the STL reader and analysis in process: 1M-triangle
#                           binary and 200k-triangle ASCII tori, the reference
#                           parts, against github.com/hschendel/stl (5 runs);
#   ./internal/blob/local/  storing blobs on the local file system (5 runs);
#   ./internal/blob/s3/     storing blobs in a real MinIO, against plain
#                           minio-go (5 runs);
#   ./production/mcf/       the min-cost-flow solver against successive
#                           shortest paths (1 run);
#   ./production/routing/   national-scale routing against the greedy
#                           baseline (1 run);
#   ./cmd/makerhub/         the built binary: a 200 MB upload through the API
#                           into MinIO alternating with plain PutObject, 64
#                           makers claiming 100,000 jobs over HTTP against raw
#                           SQLite, and `makerhub stl analyze` against admesh
#                           (time, peak memory, geometry of testdata/stl) and
#                           PrusaSlicer (filament and print time).
#
# Usage: scripts/bench.sh [OUTPUT]
# The report (machine, then `go test -bench -v` output with the b.Logf lines)
# goes to stdout and to OUTPUT, by default a new file under ${TMPDIR:-/tmp};
# progress goes to stderr. Tools the benchmarks need (admesh, prusa-slicer,
# hyperfine, GNU time) are installed with apt-get when missing, and MinIO is
# built once per machine by scripts/ensure-minio.sh (about 6 minutes). A full
# run takes 20 to 30 minutes on 2 cores. The exit status is 1 if any
# benchmark failed; skipped ones (a tool that could not be installed) say why
# in the report.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-${TMPDIR:-/tmp}/makerhub-bench-$(date -u +%Y%m%dT%H%M%SZ).txt}"

# Packages and the -benchtime of their benchmarks.
benchmarks=(
	"./designs/stl/ 5x"
	"./internal/blob/local/ 5x"
	"./internal/blob/s3/ 5x"
	"./production/mcf/ 1x"
	"./production/routing/ 1x"
	"./cmd/makerhub/ 3x"
)

# Install the missing tools (command:Debian package).
scripts/ensure-apt.sh admesh:admesh prusa-slicer:prusa-slicer hyperfine:hyperfine /usr/bin/time:time

echo "bench.sh: MinIO for the object-storage benchmarks" >&2
MAKERHUB_MINIO="$(scripts/ensure-minio.sh)"
export MAKERHUB_MINIO

# Warn about packages with benchmarks that the list above misses.
for dir in $(git ls-files --cached --others --exclude-standard '*_test.go' 2>/dev/null | xargs grep -l '^func Benchmark' | xargs -n1 dirname | sort -u); do
	listed=no
	for entry in "${benchmarks[@]}"; do
		[[ "${entry%% *}" == "./$dir/" ]] && listed=yes
	done
	if [[ $listed == no ]]; then
		echo "bench.sh: ./$dir/ has benchmarks but is not in scripts/bench.sh's list; running it with -benchtime 1x" >&2
		benchmarks+=("./$dir/ 1x")
	fi
done

report() {
	local failed=()
	echo "# makerhub benchmarks"
	echo
	echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
	echo "cpus:    $(nproc)"
	echo "cpu:     $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "memory:  $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel:  $(uname -sr)"
	echo "go:      $(go version)"
	echo "tools:   $(dpkg-query -W -f='${Package} ${Version}, ' admesh prusa-slicer time 2>/dev/null | sed 's/, $//')"
	echo "minio:   $MAKERHUB_MINIO"
	for entry in "${benchmarks[@]}"; do
		local pkg="${entry%% *}" benchtime="${entry#* }"
		echo
		echo "## go test -run '^\$' -bench . -benchtime $benchtime -count 1 -v $pkg"
		echo
		if ! go test -run '^$' -bench . -benchtime "$benchtime" -count 1 -timeout 60m -v "$pkg" 2>&1; then
			failed+=("$pkg")
		fi
	done
	echo
	if ((${#failed[@]} > 0)); then
		echo "FAILED: ${failed[*]}"
		return 1
	fi
	echo "all benchmarks passed"
}

echo "bench.sh: running the benchmarks; the report goes to $out" >&2
status=0
report | tee "$out" || status=$?
echo "bench.sh: report written to $out" >&2
exit "$status"

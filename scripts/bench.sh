#!/usr/bin/env bash
# bench.sh runs every benchmark of the repository and the emergency-day load,
# records the machine they ran on, and writes docs/benchmarks.md from that
# run's output alone (scripts/benchreport and its internal/report): every
# figure on the page comes from the run it describes.
#
# What it measures:
#   ./designs/stl/          the STL reader and analysis in process: 1M-triangle
#                           binary and 200k-triangle ASCII tori, the reference
#                           parts, against github.com/hschendel/stl (5 runs);
#   ./designs/              writing an upload's spool file, new or kept (8 runs);
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
#                           PrusaSlicer (filament and print time) (3 runs);
#   ./web/ui/               the coordinator's dashboard on 27,000 organisations
#                           against a maker's (20 runs);
#   scripts/load.sh         the emergency-day load at national scale against a
#                           fresh hub, when that script exists (the page says
#                           "not run: scripts/load.sh missing" otherwise).
#
# Usage: scripts/bench.sh [--quick] [OUTPUT]
# The raw report (machine, then each package's `go test -bench -v` output
# with the b.Logf lines, then the load's output) goes to stdout and to
# OUTPUT, by default a new file under ${TMPDIR:-/tmp}; the load writes its
# JSON beside it (OUTPUT without .txt, then -load.json); progress goes to
# stderr. Then docs/benchmarks.md is written from the report. To write the
# page again from a kept report:
#
#	go run ./scripts/benchreport -o docs/benchmarks.md OUTPUT
#
# --quick runs every benchmark once (-benchtime 1x) with 2,000 claims
# instead of 100,000 and the load at its small scale, and writes the page
# beside the report (OUTPUT without .txt, then .md), never to
# docs/benchmarks.md: a check, in about 5 minutes, that the benchmarks and
# the page work.
#
# Tools the benchmarks need (admesh, prusa-slicer, GNU time) are installed
# with apt-get when missing, and MinIO is built once per machine by
# scripts/ensure-minio.sh (about 6 minutes). A full run takes 45 to 55
# minutes on 2 cores: 20 to 30 for the benchmarks, about 25 for the load.
# The exit status is 1 if any benchmark or the load failed (the page is
# written all the same, saying what did not run and why); skipped
# benchmarks (a tool that could not be installed) say why on the page.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
if [[ "${1:-}" == --quick ]]; then
	quick=1
	shift
fi
out="${1:-${TMPDIR:-/tmp}/makerhub-bench-$(date -u +%Y%m%dT%H%M%SZ).txt}"
load_json="${out%.txt}-load.json"
load_scale=national
page=docs/benchmarks.md
if ((quick)); then
	page="${out%.txt}.md"
	load_scale=small
	export BENCH_CLAIMS="${BENCH_CLAIMS:-2000}"
fi

# Packages and the -benchtime of their benchmarks.
benchmarks=(
	"./designs/stl/ 5x"
	"./designs/ 8x"
	"./internal/blob/local/ 5x"
	"./internal/blob/s3/ 5x"
	"./production/mcf/ 1x"
	"./production/routing/ 1x"
	"./cmd/makerhub/ 3x"
	"./web/ui/ 20x"
)

# Install the missing tools (command:Debian package).
scripts/ensure-apt.sh admesh:admesh prusa-slicer:prusa-slicer /usr/bin/time:time

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

# report prints the raw report that scripts/benchreport reads: a header
# of "key: value" lines, then one "## " section per package, one for the
# load and a summary.
report() {
	local failed=() start=$SECONDS
	echo "# makerhub benchmarks"
	echo
	echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
	echo "cpus:    $(nproc)"
	echo "cpu:     $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/ *$//')"
	echo "memory:  $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel:  $(uname -sr)"
	echo "go:      $(go version)"
	echo "tools:   $(dpkg-query -W -f='${Package} ${Version}, ' admesh prusa-slicer time 2>/dev/null | sed 's/, $//')"
	echo "minio:   $MAKERHUB_MINIO"
	if ((quick)); then
		echo "mode:    quick"
	fi
	echo "env:     $(env | grep '^BENCH_' | sort | tr '\n' ' ' | sed 's/ $//')"
	for entry in "${benchmarks[@]}"; do
		local pkg="${entry%% *}" benchtime="${entry#* }"
		((quick)) && benchtime=1x
		echo
		echo "## go test -run '^\$' -bench . -benchtime $benchtime -count 1 -timeout 60m -v $pkg"
		echo
		if ! go test -run '^$' -bench . -benchtime "$benchtime" -count 1 -timeout 60m -v "$pkg" 2>&1; then
			failed+=("$pkg")
		fi
	done
	echo
	echo "## scripts/load.sh --scale $load_scale --json $load_json"
	echo
	if [[ ! -e scripts/load.sh ]]; then
		echo "not run: scripts/load.sh missing"
	else
		echo "bench.sh: the emergency-day load (scripts/load.sh --scale $load_scale)" >&2
		rm -f "$load_json"
		local rc=0
		# Indented, so that nothing it prints can open a section.
		scripts/load.sh --scale "$load_scale" --json "$load_json" 2>&1 | sed 's/^/    /' || rc=$?
		echo "load.sh: exit status $rc"
		((rc == 0)) || failed+=("scripts/load.sh")
	fi
	echo
	echo "## summary"
	echo
	echo "duration: $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
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
if go run ./scripts/benchreport -o "$page" "$out"; then
	echo "bench.sh: $page written from it" >&2
else
	echo "bench.sh: could not write $page from $out" >&2
	status=1
fi
exit "$status"

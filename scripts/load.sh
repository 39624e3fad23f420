#!/usr/bin/env bash
# load.sh runs an emergency day (cmd/makerhub-load) against a fresh hub on
# this machine and checks the hub afterwards:
#   1. builds makerhub and makerhub-load into a temp folder;
#   2. creates a data folder there with a coordinator account;
#   3. starts `makerhub serve` on a free loopback port, with its defaults but
#      for the routing schedule (the load's coordinator runs routing) and the
#      login limits (every simulated person logs in from this one address);
#   4. runs makerhub-load with the arguments given, telling it the hub's PID
#      so that the report has the hub's peak memory and CPU time;
#   5. stops the hub with SIGTERM and runs `makerhub fsck` on its data.
#
# Usage: scripts/load.sh [--scale small|national] [--json FILE] [makerhub-load flags…]
#   scripts/load.sh                       a small day (200 makers, 70 hospitals, 1,000 units): ~30 s
#   scripts/load.sh --scale national      20,000 makers, 7,000 hospitals, 10,000 units: ~25 min on 2 cores
# The exit status is 1 if the day missed a target, an invariant broke or fsck
# found a problem. MAKERHUB_LOAD_KEEP=1 keeps the temp folder (data, hub log).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/makerhub-load.XXXXXX")
hub_pid=""
cleanup() {
	if [[ -n $hub_pid ]] && kill -0 "$hub_pid" 2>/dev/null; then
		kill "$hub_pid" 2>/dev/null || true
		wait "$hub_pid" 2>/dev/null || true
	fi
	if [[ ${MAKERHUB_LOAD_KEEP:-0} == 1 ]]; then
		echo "load.sh: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

echo "load.sh: building into $work" >&2
go build -o "$work/makerhub" ./cmd/makerhub
go build -o "$work/makerhub-load" ./cmd/makerhub-load

export MAKERHUB_LOAD_COORDINATOR=coordinator@load.example.org
MAKERHUB_LOAD_PASSWORD=$(head -c 18 /dev/urandom | base64)
export MAKERHUB_LOAD_PASSWORD
printf '%s\n' "$MAKERHUB_LOAD_PASSWORD" | "$work/makerhub" users create --data "$work/data" \
	--email "$MAKERHUB_LOAD_COORDINATOR" --name "Load coordinator" --role coordinator >/dev/null

"$work/makerhub" serve --data "$work/data" --addr 127.0.0.1:0 --routing-every 0 \
	--login-ip-burst -1 --login-account-burst -1 2>"$work/hub.log" &
hub_pid=$!
addr=""
for _ in $(seq 1 200); do
	addr=$(sed -n 's/.*makerhub serving.* addr=\([^ ]*\).*/\1/p' "$work/hub.log" | head -1)
	[[ -n $addr ]] && break
	kill -0 "$hub_pid" 2>/dev/null || { cat "$work/hub.log" >&2; exit 1; }
	sleep 0.05
done
[[ -n $addr ]] || { echo "load.sh: the hub did not start; its log:" >&2; cat "$work/hub.log" >&2; exit 1; }
echo "load.sh: hub $hub_pid serving on $addr" >&2

status=0
"$work/makerhub-load" --url "http://$addr" --hub-pid "$hub_pid" "$@" || status=$?

kill "$hub_pid"
wait "$hub_pid" || true
hub_pid=""
echo "load.sh: makerhub fsck" >&2
"$work/makerhub" fsck --data "$work/data" || status=1
if grep -q 'level=ERROR' "$work/hub.log"; then
	echo "load.sh: the hub logged errors:" >&2
	grep 'level=ERROR' "$work/hub.log" | head -20 >&2
	status=1
fi
exit "$status"

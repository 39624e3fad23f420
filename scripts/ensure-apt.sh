#!/usr/bin/env bash
# Installs the Debian packages whose commands are missing:
#   scripts/ensure-apt.sh COMMAND:PACKAGE ...
# for example `scripts/ensure-apt.sh ssconvert:gnumeric`. It runs apt-get as
# root, or through sudo. Where it cannot (no apt-get, neither root nor sudo)
# it says so and exits 0: the tests or benchmarks that need a missing command
# skip, saying why, and fail under CI=true.
set -euo pipefail

missing=()
for tool in "$@"; do
	if ! command -v "${tool%%:*}" >/dev/null; then
		missing+=("${tool#*:}")
	fi
done
((${#missing[@]} == 0)) && exit 0

echo "ensure-apt: ${missing[*]} missing; installing with apt-get install -y --no-install-recommends ${missing[*]}" >&2
sudo=()
if ((EUID != 0)); then
	sudo=(sudo)
fi
if ! command -v apt-get >/dev/null || { ((EUID != 0)) && ! command -v sudo >/dev/null; }; then
	echo "ensure-apt: cannot install (needs apt-get, and root or sudo): what needs ${missing[*]} will skip" >&2
	exit 0
fi
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

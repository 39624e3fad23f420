#!/usr/bin/env bash
# ensure-mailpit.sh prints the path of the mailpit binary, the real SMTP
# server the e-mail tests send to and read back through its HTTP API
# (internal/testenv), building it first if it is not in the cache yet:
#
#	MAKERHUB_MAILPIT="$(scripts/ensure-mailpit.sh)"
#
# It is built once per machine from the pinned github.com/axllent/mailpit
# module with `go install` (scripts/ensure-go-binary.sh, about 35 seconds),
# cached in ${XDG_CACHE_HOME:-$HOME/.cache}/makerhub/mailpit-$VERSION/mailpit.
# The tests start it with --disable-version-check: it must not look for its
# latest release on the internet.
set -euo pipefail

# Keep in step with testenv.MailpitVersion (a Go test checks they agree).
VERSION="v1.33.1"

exec "$(dirname "$0")/ensure-go-binary.sh" mailpit github.com/axllent/mailpit "$VERSION" "about 35 seconds"

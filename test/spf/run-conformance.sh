#!/bin/sh
#-------------------------------------------------------------------------
#
# run-conformance.sh
#	  Run the RFC 7208 SPF conformance suite against the SPF engines of the
#	  core alone (no PostgreSQL), through test/spf/spf_adapter.
#
#	  test/spf/run-conformance.sh [--engine=native|libspf2] [runner args...]
#
# The suite and its runner live in the shared folder, $MAILAUTH_SHARED
# (default: "$ROOT/../shared"), under conformance/spf/.  When that folder
# is absent the run is skipped (exit 0).  Runner arguments: e.g.
# --check-explanation, --scenario REGEX, --test REGEX, --qlog.  The suite
# through SQL is part of `make test` (test/spf/sql-adapter.sh).
#
#-------------------------------------------------------------------------
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${MAILAUTH_SHARED:-"$ROOT/../shared"}
SUITE_DIR="$SHARED/conformance/spf"
ENGINE=--engine=native
case "${1:-}" in
	--engine=*) ENGINE=$1; shift ;;
esac

if [ ! -f "$SUITE_DIR/run-suite.py" ]; then
	echo "run-conformance.sh: skipped: no SPF suite at $SUITE_DIR (set MAILAUTH_SHARED)"
	exit 0
fi
make -s -C "$ROOT" test/spf/spf_adapter
exec /usr/bin/python3 "$SUITE_DIR/run-suite.py" -q --listen 127.0.0.1:5399 \
	--cmd "$ROOT/test/spf/spf_adapter $ENGINE" "$@"

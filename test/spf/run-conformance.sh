#!/bin/sh
#-------------------------------------------------------------------------
#
# run-conformance.sh
#	  Run the RFC 7208 SPF conformance suite against the native evaluator
#	  through test/spf/spf_adapter (built here when missing or stale).
#
# The suite and its runner live in the shared folder, $MAILAUTH_SHARED
# (default: "$ROOT/../shared"), under conformance/spf/.  When that folder
# is absent the run is skipped (exit 0).  Extra arguments go to the runner,
# e.g. --check-explanation, --scenario REGEX, --test REGEX, --qlog.
#
#-------------------------------------------------------------------------
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${MAILAUTH_SHARED:-"$ROOT/../shared"}
SUITE_DIR="$SHARED/conformance/spf"
ADAPTER="$ROOT/test/spf/spf_adapter"

if [ ! -f "$SUITE_DIR/run-suite.py" ]; then
	echo "run-conformance.sh: skipped: no SPF suite at $SUITE_DIR (set MAILAUTH_SHARED)"
	exit 0
fi

SRCS="test/spf/spf_adapter.c src/core/ma_spf.c src/core/ma_dns.c src/core/ma_dnswire.c src/core/ma_dnscache.c src/core/ma_idn.c"
need_build=no
if [ ! -x "$ADAPTER" ]; then
	need_build=yes
else
	for f in $SRCS src/core/ma_spf.h src/core/ma_dns.h; do
		if [ "$ROOT/$f" -nt "$ADAPTER" ]; then
			need_build=yes
		fi
	done
fi
if [ $need_build = yes ]; then
	echo "building test/spf/spf_adapter"
	(cd "$ROOT" && ${CC:-gcc} -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc \
		$(pkg-config --cflags libcares libidn2 2>/dev/null) \
		-o test/spf/spf_adapter $SRCS -lcares -lidn2)
fi

cd "$ROOT"
exec python3 "$SUITE_DIR/run-suite.py" -q --cmd "$ADAPTER" "$@"

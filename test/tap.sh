#!/usr/bin/env bash
# test/tap.sh SCRIPT...: runs TAP scripts of test/t/ on their own, against
# the installed mailauth, in a fresh harness (test/lib.sh: knot, the
# responder, a throwaway cluster with the extension created), e.g.
#   flock /tmp/ma-install.lock bash -c 'make -s install && SOAK_CALLS=1000000 test/tap.sh test/t/007_soak.t'
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ $# -gt 0 ] || { echo "usage: test/tap.sh test/t/NNN_name.t..." >&2; exit 2; }
source "$ROOT/test/lib.sh"
ma_start_all
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS mailauth"
rc=0
for t in "$@"; do
	perl "$t" || rc=1
done
exit $rc

#!/usr/bin/env bash
# The mailauth demo: installs what is missing, builds and installs the
# extension, starts a throwaway PostgreSQL cluster and a loopback DNS server
# with the bundled fixtures (demo/zones/: works offline), and runs
# demo/demo.sql.  Everything it started is stopped at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
"$ROOT/tools/build.sh"
export MA_ZONES="$ROOT/demo/zones"
source "$ROOT/test/lib.sh"
ma_start_all
echo "== a throwaway cluster on $PGHOST:$PGPORT, DNS fixtures served by knot on $MAILAUTH_TEST_DNS"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION mailauth"
psql -X -q -v ON_ERROR_STOP=1 -e -f "$ROOT/demo/demo.sql"

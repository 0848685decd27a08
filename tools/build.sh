#!/usr/bin/env bash
# Install missing dependencies, build mailauth (pass WERROR=1 for -Werror)
# and install it into the PostgreSQL found by pg_config.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
"$ROOT/tools/install-deps.sh"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "== building mailauth"
make -s "$@" >/dev/null
$SUDO make -s install >/dev/null

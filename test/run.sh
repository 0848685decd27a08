#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with -Werror,
# installs the extension, starts a real DNS server (knot), the misbehaving
# responder and a throwaway PostgreSQL cluster, then runs
#   1. the unit tests of the pure C core (TAP),
#   2. the pg_regress suite (sql/, expected/),
#   3. the TAP scripts in test/t/ (cancel timing, memory growth, ...),
# and ends with one line "N passed, N failed".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

make -s clean >/dev/null 2>&1 || true
"$ROOT/tools/build.sh" WERROR=1
make -s test/unit/test_core >/dev/null

source "$ROOT/test/lib.sh"
ma_start_all

passed=0
failed=0
count_tap() {	# count_tap LOGFILE: adds its ok / not ok lines
	local p f
	p=$(grep -c '^ok ' "$1" || true)
	f=$(grep -c '^not ok ' "$1" || true)
	passed=$((passed + p))
	failed=$((failed + f))
}

echo "== unit tests of the C core"
set +e
test/unit/test_core > "$MA_WORK/unit.log" 2>&1
rc=$?
set -e
count_tap "$MA_WORK/unit.log"
grep '^not ok' "$MA_WORK/unit.log" || true
if [ $rc -ne 0 ] && ! grep -q '^not ok' "$MA_WORK/unit.log"; then failed=$((failed + 1)); echo "unit tests crashed (rc=$rc)"; tail -5 "$MA_WORK/unit.log"; fi
echo "unit: $(grep -c '^ok ' "$MA_WORK/unit.log" || true) ok"

echo "== pg_regress"
set +e
make -s installcheck > "$MA_WORK/regress.log" 2>&1
set -e
cat "$MA_WORK/regress.log" | grep -E '^(test| ok|not ok|ok)|\.\.\.' || true
p=$(grep -cE '\.\.\. ok|^ok ' "$MA_WORK/regress.log" || true)
f=$(grep -cE '\.\.\. FAILED|^not ok ' "$MA_WORK/regress.log" || true)
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; cat "$MA_WORK/regress.log"; fi
passed=$((passed + p)); failed=$((failed + f))
if [ -f regression.diffs ] && [ "$f" -gt 0 ]; then echo "--- regression.diffs"; head -200 regression.diffs; fi

echo "== TAP scripts"
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS mailauth"
for t in test/t/*.t; do
	[ -e "$t" ] || continue
	set +e
	perl "$t" > "$MA_WORK/tap.log" 2>&1
	rc=$?
	set -e
	sed 's/^/    /' "$MA_WORK/tap.log"
	count_tap "$MA_WORK/tap.log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$MA_WORK/tap.log"; then failed=$((failed + 1)); fi
done

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

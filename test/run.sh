#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with -Werror,
# installs the extension, starts a real DNS server (knot), the misbehaving
# responder and a throwaway PostgreSQL cluster, then runs
#   1. the unit tests of the pure C core (TAP),
#   2. the pg_regress suite (sql/, expected/),
#   3. the TAP scripts in test/t/ (cancel timing, memory growth, the
#      1,000,000-call soak, ...),
#   4. test/pgbench.sh for 20 s (PGBENCH_DURATION), the fuzz smoke run and
#      the conformance corpora,
#   5. test/asan.sh (make asan-check): pg_regress and the TAP scripts under
#      ASan + UBSan, which reinstalls the normal build when done,
# and ends with one line "N passed, N failed".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

make -s clean >/dev/null 2>&1 || true
"$ROOT/tools/build.sh" WERROR=1
make -s WERROR=1 unit-build >/dev/null

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
for t in $(make -s -f Makefile print-unit-tests); do
	set +e
	"$t" > "$MA_WORK/unit.log" 2>&1
	rc=$?
	set -e
	count_tap "$MA_WORK/unit.log"
	grep '^not ok' "$MA_WORK/unit.log" || true
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$MA_WORK/unit.log"; then
		failed=$((failed + 1)); echo "$t crashed (rc=$rc)"; tail -5 "$MA_WORK/unit.log"
	fi
	echo "$(basename "$t"): $(grep -c '^ok ' "$MA_WORK/unit.log" || true) ok"
done

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

echo "== pgbench: 8 sessions over every function for ${PGBENCH_DURATION:-20} s (test/pgbench.sh; DURATION=600 for the full run)"
set +e
DURATION=${PGBENCH_DURATION:-20} "$ROOT/test/pgbench.sh" > "$MA_WORK/pgbench.log" 2>&1
rc=$?
set -e
grep -E '^(ok|not ok) |^tps|^number of|^  [0-9]+ ' "$MA_WORK/pgbench.log" || true
count_tap "$MA_WORK/pgbench.log"
if [ $rc -ne 0 ] && ! grep -q '^not ok' "$MA_WORK/pgbench.log"; then failed=$((failed + 1)); tail -20 "$MA_WORK/pgbench.log"; fi

echo "== fuzzing: a bounded run of every libFuzzer target (ASan + UBSan), regressions replayed"
if command -v clang >/dev/null && make -s fuzz-build > "$MA_WORK/fuzz-build.log" 2>&1; then
	set +e
	make -s fuzz-smoke > "$MA_WORK/fuzz.log" 2>&1
	set -e
	grep -E '^(ok|not ok) ' "$MA_WORK/fuzz.log" || true
	count_tap "$MA_WORK/fuzz.log"
	if ! grep -q '^ok ' "$MA_WORK/fuzz.log"; then failed=$((failed + 1)); tail -20 "$MA_WORK/fuzz.log"; fi
else
	echo "the fuzz targets did not build:"; tail -20 "$MA_WORK/fuzz-build.log" 2>/dev/null
	failed=$((failed + 1))
fi

echo "== conformance: the RFC 7208 SPF test suite, through SQL"
SHARED=${MAILAUTH_SHARED:-$ROOT/../shared}
SUITE=$SHARED/conformance/spf
if [ -f "$SUITE/run-suite.py" ]; then
	set +e
	/usr/bin/python3 "$SUITE/run-suite.py" -q --jobs 4 --listen "127.0.0.1:$(ma_free_port)" \
		--dns-timeout 1 --cmd "$ROOT/test/spf/sql-adapter.sh" > "$MA_WORK/spf-suite.log" 2>&1
	set -e
	grep -E 'FAIL|^#' "$MA_WORK/spf-suite.log" | head -60 || true
	line=$(grep -E '^passed=[0-9]+ failed=[0-9]+' "$MA_WORK/spf-suite.log" | tail -1)
	if [ -n "$line" ]; then
		echo "spf suite: $line"
		p=$(echo "$line" | sed -E 's/passed=([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*failed=([0-9]+).*/\1/')
		passed=$((passed + p)); failed=$((failed + f))
	else
		echo "the SPF suite did not run:"; tail -20 "$MA_WORK/spf-suite.log"
		failed=$((failed + 1))
	fi
	# the second engine: reported, not counted (its differences are documented in docs/libspf2.md)
	set +e
	MAILAUTH_SPF_ENGINE=libspf2 /usr/bin/python3 "$SUITE/run-suite.py" -q --jobs 4 --listen "127.0.0.1:$(ma_free_port)" \
		--dns-timeout 1 --cmd "$ROOT/test/spf/sql-adapter.sh" > "$MA_WORK/spf2-suite.log" 2>&1
	set -e
	echo "spf suite with mailauth.spf_engine = libspf2 (reported, not counted): $(grep -E '^passed=' "$MA_WORK/spf2-suite.log" | tail -1)"
else
	echo "skipped: $SUITE not found (the RFC 7208 suite is read from ../shared; set MAILAUTH_SHARED to its folder)"
fi

echo "== conformance: the generated DKIM/DMARC corpus, through SQL (dkim_verify, dmarc_verify)"
if [ -f "$SHARED/corpus/dkim/generated/manifest.tsv" ]; then
	set +e
	MAILAUTH_SHARED="$SHARED" bash "$ROOT/test/dkim/sql-corpus.sh" > "$MA_WORK/mail-corpus.log" 2>&1
	set -e
	grep -E '^FAIL' "$MA_WORK/mail-corpus.log" | head -40 || true
	dk=$(grep -E '^dkim generated \(SQL\): [0-9]+/[0-9]+' "$MA_WORK/mail-corpus.log" | tail -1)
	dm=$(grep -E '^dmarc \(SQL\): rfc7489 [0-9]+/[0-9]+, dmarcbis [0-9]+/[0-9]+' "$MA_WORK/mail-corpus.log" | tail -1)
	dv=$(grep -E '^dkim vectors \(SQL\): [0-9]+/[0-9]+ agree' "$MA_WORK/mail-corpus.log" | tail -1)
	if [ -n "$dk" ] && [ -n "$dm" ] && [ -n "$dv" ]; then
		echo "$dk"
		echo "$dm"
		echo "$dv"
		for pair in $(echo "$dk $dm ${dv%%agree*}" | grep -oE '[0-9]+/[0-9]+'); do
			ok=${pair%/*}; all=${pair#*/}
			passed=$((passed + ok)); failed=$((failed + all - ok))
		done
	else
		echo "the DKIM/DMARC corpus did not run:"; tail -20 "$MA_WORK/mail-corpus.log"
		failed=$((failed + 1))
	fi
else
	echo "skipped: $SHARED/corpus/dkim not found (set MAILAUTH_SHARED to the shared folder)"
fi

echo "== conformance: the bounce corpus, through SQL (parse_dsn), scored by its score.py"
if [ -f "$SHARED/corpus/bounces/truth.tsv" ]; then
	set +e
	MAILAUTH_SHARED="$SHARED" bash "$ROOT/test/dsn/sql-corpus.sh" > "$MA_WORK/bounce-corpus.log" 2>&1
	set -e
	if grep -q '^bounces (SQL) ' "$MA_WORK/bounce-corpus.log"; then
		grep -E '^(status exact|  excl|reason match|hard/soft|recipient match|replycode)' "$MA_WORK/bounce-corpus.log" || true
		grep '^bounces (SQL) ' "$MA_WORK/bounce-corpus.log"
		p=$(grep -c '^bounces (SQL) .* ok$' "$MA_WORK/bounce-corpus.log" || true)
		f=$(grep -c '^bounces (SQL) .* FAIL$' "$MA_WORK/bounce-corpus.log" || true)
		passed=$((passed + p)); failed=$((failed + f))
	else
		echo "the bounce corpus did not run:"; tail -20 "$MA_WORK/bounce-corpus.log"
		failed=$((failed + 1))
	fi
else
	echo "skipped: $SHARED/corpus/bounces not found (set MAILAUTH_SHARED to the shared folder)"
fi

echo "== conformance: a second bounce collection (Mailman's detector tests, Debian's python3-flufl.bounce)"
set +e
bash "$ROOT/test/dsn/mailman-check.sh" > "$MA_WORK/mailman.log" 2>&1
set -e
if grep -q '^bounces (Mailman collection) ' "$MA_WORK/mailman.log"; then
	grep '^bounces (Mailman collection) ' "$MA_WORK/mailman.log"
	p=$(grep -c '^bounces (Mailman collection) .* ok$' "$MA_WORK/mailman.log" || true)
	f=$(grep -c '^bounces (Mailman collection) .* FAIL$' "$MA_WORK/mailman.log" || true)
	passed=$((passed + p)); failed=$((failed + f))
elif grep -q 'SKIP' "$MA_WORK/mailman.log"; then
	cat "$MA_WORK/mailman.log"
else
	echo "the Mailman collection did not run:"; tail -20 "$MA_WORK/mailman.log"
	failed=$((failed + 1))
fi

echo "== ASan + UBSan: pg_regress and the TAP scripts against a sanitized build (test/asan.sh, make asan-check)"
# last: it installs the sanitized build, then reinstalls the normal one
set +e
"$ROOT/test/asan.sh" > "$MA_WORK/asan.log" 2>&1
rc=$?
set -e
grep -E '^(not ok|ok) ' "$MA_WORK/asan.log" | grep -E '^not ok|canary|no |backend' || true
echo "asan-check: $(grep -c '^ok ' "$MA_WORK/asan.log" || true) ok, $(grep -c '^not ok ' "$MA_WORK/asan.log" || true) not ok"
count_tap "$MA_WORK/asan.log"
if [ $rc -ne 0 ] && ! grep -q '^not ok' "$MA_WORK/asan.log"; then failed=$((failed + 1)); tail -30 "$MA_WORK/asan.log"; fi
if grep -q '^not ok' "$MA_WORK/asan.log"; then sed -n '/^not ok/,/^ok /p' "$MA_WORK/asan.log" | head -80; fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

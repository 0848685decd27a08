#!/usr/bin/env bash
# test/asan.sh (`make asan-check`): the pg_regress suite and the TAP scripts
# against an AddressSanitizer + UndefinedBehaviorSanitizer build of the
# extension, loaded by a real PostgreSQL server.
#
#   1. builds mailauth.so with -fsanitize=address,undefined (gcc; every
#      UBSan finding aborts) and installs it;
#   2. starts the harness (test/lib.sh: knot, the misbehaving responder, a
#      throwaway cluster) with the postmaster running under
#      LD_PRELOAD=libasan.so, since the server binary itself is not
#      instrumented and the ASan runtime must come first (followed by
#      test/asan_preinit.c, which works around a hang of the preloaded
#      runtime's lazy start inside glibc's gettext lock: see that file);
#   3. first proves that a finding inside a backend is caught (a
#      deliberately broken function, test/asan_canary.c, loaded from the
#      work directory: a use-after-free and a signed overflow), then runs
#      the whole pg_regress suite and every test/t/*.t script;
#   4. fails if any sanitizer report was written (ASan: files in log_path;
#      UBSan: the server log, see test/asan_preinit.c), printing it, or if a
#      backend died of a signal;
#   5. reinstalls the normal build (make clean; make install), also when a
#      step fails, so the machine is never left with the ASan library.
#
# Leak detection is off (detect_leaks=0): PostgreSQL frees most memory by
# dropping whole memory contexts or by process exit, and LeakSanitizer's
# exit-time scan of a backend reports that memory (and every library's
# one-time allocations) as leaks, so its reports say nothing about us.  Our
# leaks are measured where they matter, as resident memory of long-lived
# backends: test/t/002_memory.t, 003_spf_memory.t, 005_mail_memory.t and the
# soak (test/t/007_soak.t, SOAK_CALLS=1000000 for the full run).  Those RSS
# bounds are skipped here (MA_ASAN=1): ASan's quarantine of freed blocks and
# its shadow memory make resident memory meaningless; the calls still run
# under ASan.
#
# Prints one TAP line per regression test, per TAP script and for the
# sanitizer reports, then "N passed, N failed".  Run it under the install
# lock: flock /tmp/ma-install.lock make asan-check
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
LIBASAN=$(gcc -print-file-name=libasan.so)
LIBASAN=$(readlink -f "$LIBASAN")
[ -f "$LIBASAN" ] || { echo "libasan not found (gcc -print-file-name=libasan.so: $LIBASAN)" >&2; exit 1; }

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo

restore_normal_build() {
	echo "== reinstalling the normal (non-ASan) build"
	make -s clean >/dev/null 2>&1 || true
	make -s >/dev/null && $SUDO make -s install >/dev/null
}

n=0
passed=0
failed=0
tap() {	# tap OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 1 ]; then
		echo "ok $n - $2"; passed=$((passed + 1))
	else
		echo "not ok $n - $2"; failed=$((failed + 1))
	fi
}

source "$ROOT/test/lib.sh"
trap 'ma_stop_all; restore_normal_build' EXIT
trap 'exit 130' INT TERM

echo "== building mailauth with $SAN_FLAGS"
"$ROOT/tools/install-deps.sh"
make -s clean >/dev/null 2>&1 || true
# COPT goes to both CFLAGS and LDFLAGS in PGXS; -O1 keeps stack traces exact
make -s WERROR=1 COPT="$SAN_FLAGS -O1 -g" >/dev/null
ldd mailauth.so | grep libasan >/dev/null || { echo "mailauth.so is not linked with libasan" >&2; exit 1; }
$SUDO make -s install >/dev/null

MA_WORK=$(mktemp -d /tmp/mailauth.XXXXXX)
chmod 755 "$MA_WORK"
export MA_WORK
SAN_DIR=$MA_WORK/sanitizer
mkdir -p "$SAN_DIR"
[ "$(id -u)" -eq 0 ] && chown postgres "$MA_WORK" "$SAN_DIR"
gcc -O2 -fPIC -shared -o "$MA_WORK/asan_preinit.so" test/asan_preinit.c -ldl
# handle_segv=0: PostgreSQL installs its own handlers; abort_on_error=1: a
# finding kills the backend (the postmaster logs it and restarts)
MA_PG_ENV="LD_PRELOAD=$LIBASAN:$MA_WORK/asan_preinit.so"
MA_PG_ENV+=" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:handle_segv=0:log_path=$SAN_DIR/asan"
MA_PG_ENV+=" UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=$SAN_DIR/ubsan"
export MA_PG_ENV
ma_start_dns
ma_start_responder
ma_start_pg
export MA_ASAN=1
export SOAK_CALLS=${ASAN_SOAK_CALLS:-100000}	# test/t/007_soak.t, slower under ASan

echo "== the sanitizers see inside the server (a deliberately broken function)"
gcc $SAN_FLAGS -O1 -fPIC -shared -I"$(pg_config --includedir-server)" -o "$MA_WORK/asan_canary.so" test/asan_canary.c
psql -X -q -c "CREATE FUNCTION public.asan_canary(text) RETURNS void AS '$MA_WORK/asan_canary.so' LANGUAGE C STRICT"
for kind in heap-use-after-free signed-integer-overflow; do
	psql -X -q -c "SELECT public.asan_canary('$kind')" >/dev/null 2>&1 || true
	for _ in $(seq 1 100); do
		psql -X -q -c 'SELECT 1' >/dev/null 2>&1 && break	# the postmaster restarts after the abort
		sleep 0.2
	done
	found=$(grep -l -- "${kind//-/[- ]}" "$SAN_DIR"/* "$MA_WORK/postgres.log" 2>/dev/null | head -1 || true)
	if [ -n "$found" ]; then tap 1 "canary: $kind reported ($(basename "$found"))"; else tap 0 "canary: $kind reported"; fi
	mkdir -p "$MA_WORK/canary"
	mv "$SAN_DIR"/* "$MA_WORK/canary/" 2>/dev/null || true
done
psql -X -q -c "DROP FUNCTION public.asan_canary(text)"
grep -q 'terminated by signal 6' "$MA_WORK/postgres.log" && tap 1 "canary: the postmaster saw the backends abort" ||
	tap 0 "canary: the postmaster saw the backends abort"
log_start=$(wc -l < "$MA_WORK/postgres.log")

echo "== pg_regress under ASan"
set +e
make -s installcheck > "$MA_WORK/regress.log" 2>&1
set -e
nt=0
while read -r name result; do
	nt=$((nt + 1))
	if [ "$result" = ok ]; then tap 1 "regress $name"; else tap 0 "regress $name"; fi
done < <(sed -nE 's/^(test|ok|not ok)? *[0-9]* *[-]? *([a-z_0-9]+) +\.\.\. +(ok|FAILED|failed).*/\2 \3/p' "$MA_WORK/regress.log")
if [ "$nt" -eq 0 ]; then
	tap 0 "pg_regress ran"; cat "$MA_WORK/regress.log"
elif [ -f regression.diffs ]; then
	echo "--- regression.diffs"; head -100 regression.diffs
fi

echo "== TAP scripts under ASan"
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS mailauth"
maps=$(psql -X -qAt -c "SELECT mailauth.version() IS NOT NULL,
	pg_read_file('/proc/self/maps') ~ 'libasan', pg_read_file('/proc/self/maps') ~ '/mailauth[.]so'")
if [ "$maps" = "t|t|t" ]; then tap 1 "a backend runs mailauth.so with the ASan runtime"
else tap 0 "a backend runs mailauth.so with the ASan runtime ($maps)"; fi
for t in test/t/*.t; do
	[ -e "$t" ] || continue
	set +e
	perl "$t" > "$MA_WORK/tap.log" 2>&1
	rc=$?
	set -e
	if [ $rc -eq 0 ] && ! grep -q '^not ok' "$MA_WORK/tap.log"; then
		tap 1 "$(basename "$t") ($(grep -c '^ok ' "$MA_WORK/tap.log") checks)"
		grep -E '^# (soak|under ASan)' "$MA_WORK/tap.log" | sed 's/^/    /' || true
	else
		tap 0 "$(basename "$t")"; sed 's/^/    /' "$MA_WORK/tap.log" | grep -v '^    ok ' | head -40
	fi
done

echo "== sanitizer reports"
reports=$(find "$SAN_DIR" -type f | sort)
if [ -z "$reports" ]; then
	tap 1 "no ASan or UBSan report"
else
	tap 0 "no ASan or UBSan report ($(echo "$reports" | wc -l) files)"
	for f in $reports; do echo "--- $f"; head -60 "$f"; done
fi
inlog=$(tail -n +"$((log_start + 1))" "$MA_WORK/postgres.log" | grep -E -A30 'runtime error:|AddressSanitizer|UndefinedBehaviorSanitizer' || true)
if [ -z "$inlog" ]; then
	tap 1 "no sanitizer finding in the server log"
else
	tap 0 "no sanitizer finding in the server log"; echo "$inlog" | head -80
fi
crashes=$(tail -n +"$((log_start + 1))" "$MA_WORK/postgres.log" | grep -E 'terminated by signal|PANIC|was terminated by exception|exited with exit code [^0]' || true)
if [ -z "$crashes" ]; then
	tap 1 "no backend died of a signal"
else
	tap 0 "no backend died of a signal"; echo "$crashes" | head -20
fi

echo
echo "asan-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

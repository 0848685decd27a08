#!/usr/bin/env bash
# bench/spf.sh: the mailauth SPF benchmarks (a benchmark, not a test: no
# pass/fail).  Writes the "## SPF" section of BENCHMARKS.md, between the
# markers <!-- spf:begin --> and <!-- spf:end --> (replaced if present,
# appended otherwise; bench/run.sh keeps the block when it rewrites the file).
#
#   1. mailauth.spf_verify() evaluations per second from SQL on
#      nested.spf.test (three nested includes, served by knot on loopback),
#      a client IP that passes in the deepest include and one that fails;
#      warm cache (after one evaluation) and cold (mailauth.dns_cache_size =
#      0: every evaluation sends its 4 queries); engines native and libspf2
#   2. the same policy, same knot, evaluated by other SPF implementations,
#      each in its own process, one evaluation after the other
#      (bench/spf_peers/): libspf2 used directly (in-memory "zone" DNS
#      layer), pyspf, Mail::SPF, the npm package mailauth
#   3. spf_record() over 1,000 domains with a three-level policy each,
#      against bench/delayd.py --spf (every answer 20 ms late): the bulk
#      form spf_record(text[]) vs a loop of single calls
#
# Medians of BENCH_REPS (3) runs; each SQL run is timed inside the server
# (clock_timestamp() around one statement) and checked: every evaluation
# must give the expected result, and the resolver's counters must show the
# queries (or the cache hits) it claims.  Peers time their own loop.
#
# Missing peers are installed when possible (Debian packages python3-spf and
# libmail-spf-perl as root; the npm package mailauth into a temporary
# directory under /tmp, removed at the end); a peer that cannot be had is
# reported as missing.  Everything started is stopped at the end, also on
# error.
#
# About 4 minutes, 3 of them the loop of part 3 (3 runs of 60 s).
#
# Environment: BENCH_OUT (default BENCHMARKS.md), BENCH_REPS (3),
# BENCH_DELAY_MS (20), BENCH_SPF_LOOP_REPS (default BENCH_REPS: runs of the
# 60 s loop of part 3; 1 saves 2 minutes), BENCH_NPM_MAILAUTH (the npm spec,
# default "mailauth"), MA_KEEP=1 keeps the work dir.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
REPS=${BENCH_REPS:-3}
DELAY_MS=${BENCH_DELAY_MS:-20}
LOOP_REPS=${BENCH_SPF_LOOP_REPS:-$REPS}
NPM_SPEC=${BENCH_NPM_MAILAUTH:-mailauth}
PYTHON=/usr/bin/python3
PEERS=$ROOT/bench/spf_peers
NDOMAINS=1000

# evaluations per run (each run of a peer is preceded by as many untimed ones)
N_WARM=20000		# spf_verify, warm cache
N_COLD=3000		# spf_verify, no cache
N_LIBSPF2=50000		# libspf2, zone layer
N_PYSPF_DNS=1000
N_PYSPF_MEMO=10000
N_MAILSPF_DNS=300
N_MAILSPF_MEMO=500
N_NPM_DNS=1500
N_NPM_MEMO=10000

# the policy: nested.spf.test -> l1 -> l2 -> l3 (ip4:203.0.113.0/24 -all)
SENDER=x@nested.spf.test
HELO=mx.example
PASS_PREFIX=203.0.113.		# .1 .. .200: pass, decided in the deepest include
FAIL_PREFIX=198.51.100.		# .1 .. .200: fail (-all of nested.spf.test)

log() { printf '[spf-bench %s] %s\n' "$(date +%T)" "$*" >&2; }

T_START=$(date +%s)

# --- the peers: install what is missing ----------------------------------------
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"
	else return 1
	fi
}
APT_UPDATED=
deb_install() {	# package: install it (quietly), true if it worked
	command -v apt-get >/dev/null || return 1
	log "installing the Debian package $1"
	if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1; then
		[ -n "$APT_UPDATED" ] && return 1
		APT_UPDATED=1
		as_root apt-get update -qq >/dev/null 2>&1 || return 1
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1 || return 1
	fi
}
HAVE_PYSPF=1 HAVE_MAILSPF=1 HAVE_NPM=1 HAVE_LIBSPF2=1
"$PYTHON" -c 'import spf' 2>/dev/null || deb_install python3-spf || true
"$PYTHON" -c 'import spf' 2>/dev/null || HAVE_PYSPF=
perl -MMail::SPF -e1 2>/dev/null || deb_install libmail-spf-perl || true
perl -MMail::SPF -e1 2>/dev/null || HAVE_MAILSPF=

# --- services --------------------------------------------------------------------
# shellcheck source=../test/lib.sh
source "$ROOT/test/lib.sh"

DELAYD_PID=
DELAYD_STATS=
NPM_DIR=
stop_delayd() {
	if [ -n "$DELAYD_PID" ]; then
		kill "$DELAYD_PID" 2>/dev/null || true
		wait "$DELAYD_PID" 2>/dev/null || true
		DELAYD_PID=
		DELAYD_STATS=$(grep '^delayd:' "$MA_WORK/delayd.log" 2>/dev/null || true)
	fi
}
cleanup() {
	local rc=$?
	stop_delayd
	ma_stop_all
	[ -n "$NPM_DIR" ] && rm -rf "$NPM_DIR"
	[ -n "${BLOCK_TMP:-}" ] && rm -f "$BLOCK_TMP"
	[ -n "${OUT_TMP:-}" ] && rm -f "$OUT_TMP"
	return $rc
}

log "starting knot, the responder and PostgreSQL (test/lib.sh)"
ma_start_all
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
KNOT_PORT=${MAILAUTH_TEST_DNS#*:}
D=$MA_WORK/spf			# raw results, as TSV
mkdir -p "$D"

psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At -F $'\t' "$@"; }

psql_q >/dev/null <<'SQL'
CREATE EXTENSION mailauth;
CREATE SCHEMA spfbench;
CREATE TABLE spfbench.result (
	part text, engine text, cache text, kase text, rep int, n bigint, ms float8,
	ok bigint, d_sent bigint, d_hits bigint, d_failed bigint, d_interrupts bigint);
-- time one statement that returns the number of rows that are as expected;
-- the resolver's counters are read before and after
CREATE FUNCTION spfbench.timed(part text, engine text, cache text, kase text, rep int,
                               n bigint, q text, names text[] DEFAULT NULL, reset boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	s0 record; s1 record; t0 timestamptz; t1 timestamptz; ok bigint;
BEGIN
	IF reset THEN PERFORM mailauth.dns_cache_reset(); END IF;
	SELECT * INTO s0 FROM mailauth.dns_cache_stats();
	t0 := clock_timestamp();
	EXECUTE q INTO ok USING names;
	t1 := clock_timestamp();
	SELECT * INTO s1 FROM mailauth.dns_cache_stats();
	INSERT INTO spfbench.result VALUES (part, engine, cache, kase, rep, n,
		extract(epoch FROM t1 - t0) * 1000, ok,
		s1.queries_sent - s0.queries_sent, s1.hits - s0.hits,
		(s1.timeouts + s1.servfail + s1.refused + s1.formerr + s1.errors) -
		(s0.timeouts + s0.servfail + s0.refused + s0.formerr + s0.errors),
		s1.interrupts - s0.interrupts);
END $$;
SQL

# --- 1. spf_verify from SQL ----------------------------------------------------------
# verify_sql N PREFIX RESULT MECHANISM: counts the evaluations that came out
# as they must (result, the deciding domain, 3 DNS-querying terms, and the
# deciding mechanism where the engine reports one)
verify_sql() {
	printf "SELECT count(*) FILTER (WHERE s.result = ''%s'' AND s.domain = ''nested.spf.test'' AND s.dns_lookups = 3 AND coalesce(s.mechanism, ''%s'') = ''%s'') FROM generate_series(1, %s) g, LATERAL mailauth.spf_verify((''%s'' || (g %% 200 + 1))::inet, ''%s'', ''%s'') s" \
		"$3" "$4" "$4" "$1" "$2" "$SENDER" "$HELO"
}
verify_runs() {	# engine cache case n prefix result mechanism
	local r
	for r in $(seq 1 "$REPS"); do
		echo "SELECT spfbench.timed('verify', '$1', '$2', '$3', $r, $4, '$(verify_sql "$4" "$5" "$6" "$7")');"
	done
}
log "1. spf_verify: $N_WARM warm and $N_COLD cold evaluations per run, engines native and libspf2"
{
	echo "SET jit = off;"
	for engine in native libspf2; do
		echo "SET mailauth.spf_engine = $engine;"
		echo "SELECT mailauth.dns_cache_reset();"
		# one evaluation of each case warms the cache
		echo "SELECT (mailauth.spf_verify('${PASS_PREFIX}1', '$SENDER', '$HELO')).result;"
		echo "SELECT (mailauth.spf_verify('${FAIL_PREFIX}1', '$SENDER', '$HELO')).result;"
		verify_runs $engine warm pass "$N_WARM" "$PASS_PREFIX" pass include:l1.nested.spf.test
		verify_runs $engine warm fail "$N_WARM" "$FAIL_PREFIX" fail -all
		echo "SET mailauth.dns_cache_size = 0;"
		verify_runs $engine cold pass "$N_COLD" "$PASS_PREFIX" pass include:l1.nested.spf.test
		verify_runs $engine cold fail "$N_COLD" "$FAIL_PREFIX" fail -all
		echo "RESET mailauth.dns_cache_size;"
	done
} | psql_q >/dev/null


# --- 2. the peers ----------------------------------------------------------------------
# run_peer NAME MODE CASE CMD...: one process (stdin from $PEER_STDIN); its
# "version" line goes to versions.tsv, its "rep K N SECONDS RESULT=COUNT ..."
# lines to peers.tsv; a failure is recorded and the benchmark goes on
: >"$D/peers.tsv"; : >"$D/versions.tsv"; : >"$D/peer_errors.txt"
run_peer() {
	local name=$1 mode=$2 kase=$3 out=$D/peer.out rc=0
	shift 3
	timeout 300 "$@" <"${PEER_STDIN:-/dev/null}" >"$out" 2>"$D/peer.err" || rc=$?
	if [ $rc -ne 0 ]; then
		{ echo "- $name, $mode, $kase: exit status $rc"; tail -3 "$D/peer.err" | sed 's/^/      /'; } >>"$D/peer_errors.txt"
		return 0
	fi
	sed -n 's/^version //p' "$out" | head -1 | sed "s/^/$name\t/" >>"$D/versions.tsv"
	awk -v p="$name" -v m="$mode" -v c="$kase" 'BEGIN { OFS = "\t" }
		$1 == "rep" { counts = $5; for (i = 6; i <= NF; i++) counts = counts " " $i
		              print p, m, c, $2, $3, $4, counts }' "$out" >>"$D/peers.tsv"
}
peer_cases() {	# NAME MODE N CMD...: the driver's last arguments are SENDER PREFIX N REPS
	local name=$1 mode=$2 n=$3
	shift 3
	log "2. $name, $mode: $n evaluations per run"
	run_peer "$name" "$mode" pass "$@" "$SENDER" "$PASS_PREFIX" "$n" "$REPS"
	run_peer "$name" "$mode" fail "$@" "$SENDER" "$FAIL_PREFIX" "$n" "$REPS"
}

# libspf2 used directly: its zone DNS layer, loaded with the TXT records of
# the policy tree (the names from spf_record's includes, the records from
# knot with kdig)
psql_q -c "SELECT d FROM mailauth.spf_record('nested.spf.test') r, unnest('nested.spf.test'::text || r.includes) d" >"$D/names.txt"
while read -r name; do
	printf '%s\t' "$name"
	kdig +short +time=2 +retry=1 @127.0.0.1 -p "$KNOT_PORT" "$name" TXT | "$PYTHON" -c '
import re, sys
strings = re.findall(r"\"((?:[^\"\\]|\\.)*)\"", sys.stdin.read())
print("".join(re.sub(r"\\(.)", r"\1", s) for s in strings))'
done <"$D/names.txt" >"$D/records.tsv"
if gcc -O2 -Wall -o "$D/libspf2_bench" "$PEERS/libspf2_bench.c" -lspf2 2>"$D/gcc.err"; then
	PEER_STDIN=$D/records.tsv peer_cases libspf2 memo "$N_LIBSPF2" "$D/libspf2_bench"
else
	HAVE_LIBSPF2=
	{ echo "- libspf2_bench did not build:"; sed 's/^/      /' "$D/gcc.err"; } >>"$D/peer_errors.txt"
fi

if [ -n "$HAVE_PYSPF" ]; then
	peer_cases pyspf dns "$N_PYSPF_DNS" "$PYTHON" "$PEERS/pyspf_bench.py" "$KNOT_PORT" dns
	peer_cases pyspf memo "$N_PYSPF_MEMO" "$PYTHON" "$PEERS/pyspf_bench.py" "$KNOT_PORT" memo
fi
if [ -n "$HAVE_MAILSPF" ]; then
	peer_cases Mail::SPF dns "$N_MAILSPF_DNS" perl "$PEERS/mailspf_bench.pl" "$KNOT_PORT" dns
	peer_cases Mail::SPF memo "$N_MAILSPF_MEMO" perl "$PEERS/mailspf_bench.pl" "$KNOT_PORT" memo
fi

# the npm package, into a temporary directory (removed at the end)
if command -v node >/dev/null && command -v npm >/dev/null; then
	NPM_DIR=$(mktemp -d /tmp/mailauth-spf-npm.XXXXXX)
	log "2. npm install $NPM_SPEC (in $NPM_DIR)"
	if ! (cd "$NPM_DIR" && timeout 300 npm install --no-audit --no-fund --no-package-lock --silent "$NPM_SPEC") \
		>"$D/npm.log" 2>&1 || [ ! -f "$NPM_DIR/node_modules/mailauth/lib/spf/index.js" ]; then
		HAVE_NPM=
		{ echo "- npm install $NPM_SPEC failed:"; tail -3 "$D/npm.log" | sed 's/^/      /'; } >>"$D/peer_errors.txt"
	fi
else
	HAVE_NPM=
fi
if [ -n "$HAVE_NPM" ]; then
	peer_cases npm-mailauth dns "$N_NPM_DNS" node "$PEERS/npm_mailauth_bench.js" "$NPM_DIR" "$KNOT_PORT" dns
	peer_cases npm-mailauth memo "$N_NPM_MEMO" node "$PEERS/npm_mailauth_bench.js" "$NPM_DIR" "$KNOT_PORT" memo
fi

# --- 3. spf_record over 1,000 domains, every answer DELAY_MS late ------------------
DELAY_PORT=$(ma_free_port)
"$PYTHON" "$ROOT/bench/delayd.py" --port "$DELAY_PORT" --delay-ms "$DELAY_MS" --spf \
	>"$MA_WORK/delayd.out" 2>"$MA_WORK/delayd.log" &
DELAYD_PID=$!
for _ in $(seq 1 100); do
	grep -q ready "$MA_WORK/delayd.out" 2>/dev/null && break
	kill -0 "$DELAYD_PID" 2>/dev/null || { cat "$MA_WORK/delayd.log" >&2; exit 1; }
	sleep 0.1
done
grep -q ready "$MA_WORK/delayd.out" || { echo "delayd did not start" >&2; exit 1; }
DELAYD="127.0.0.1:$DELAY_PORT"

# rows that are as they must be: status ok, 2 DNS-querying terms (the two includes)
record_ok="count(*) FILTER (WHERE r.status = ''ok'' AND r.dns_lookups = 2 AND r.includes = ARRAY[''i1.'' || r.domain, ''i2.'' || r.domain])"
log "3. spf_record, bulk form over $NDOMAINS domains, $REPS runs (delayd, ${DELAY_MS} ms)"
psql_q >/dev/null <<SQL
SET jit = off; SET mailauth.dns_servers = '$DELAYD';
SELECT count(*) FROM mailauth.spf_record('warmup.spf.bench.test');	-- builds the resolver
SELECT spfbench.timed('record', 'bulk', '', '', r, $NDOMAINS,
	'SELECT $record_ok FROM mailauth.spf_record(\$1) r',
	ARRAY(SELECT 'd' || g || '.spf.bench.test' FROM generate_series(0, $NDOMAINS - 1) g), true)
FROM generate_series(1, $REPS) r;
SQL
log "3. spf_record, loop of $NDOMAINS single calls, $LOOP_REPS run(s) (about $((3 * NDOMAINS * DELAY_MS * LOOP_REPS / 1000)) s)"
{
	echo "SET jit = off; SET mailauth.dns_servers = '$DELAYD';"
	echo "SELECT count(*) FROM mailauth.spf_record('warmup.spf.bench.test');"
	for r in $(seq 1 "$LOOP_REPS"); do
		# a pause first, so that PostgreSQL's idle statistics timer does not
		# fire in the middle of the statement (see bench/run.sh, "Harmless interrupts")
		echo "SELECT pg_sleep(1.2);"
		echo "SELECT spfbench.timed('record', 'loop', '', '', $r, $NDOMAINS,
	'SELECT $record_ok FROM generate_series(0, $NDOMAINS - 1) g, LATERAL mailauth.spf_record(''e'' || g || ''.spf.bench.test'') r',
	NULL, true);"
	done
} >"$D/loop.sql"
# in the background, so that a signal ends the script (and the cluster) at
# once rather than after the statement
psql_q -f "$D/loop.sql" >/dev/null &
wait $!
stop_delayd

# --- the report ----------------------------------------------------------------------
log "writing the SPF section of $OUT"
psql_q -c "SELECT part, engine, cache, kase, rep, n, ms, ok, d_sent, d_hits, d_failed, d_interrupts
	FROM spfbench.result ORDER BY part, engine, cache, kase, rep" >"$D/sql.tsv"

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
pkgver() { dpkg-query -W -f='${Package} ${Version}' "$1" 2>/dev/null || echo "$1 (not a Debian package here)"; }
export R_MACHINE="$(nproc) CPUs (\`nproc\`), ${CPU:-unknown CPU}, $(uname -sr)"
export R_PG=$(psql_q -c "SELECT version()")
export R_MA=$(psql_q -c "SELECT mailauth.version()")
export R_LIBSPF2="$(pkgver libspf2-2) (the libspf2 engine and the standalone program)"
export R_KNOT=$(knotd --version 2>/dev/null | head -1)
export R_GCC=$(gcc --version | head -1)
export R_PYSPF_DEB=$(pkgver python3-spf) R_MAILSPF_DEB=$(pkgver libmail-spf-perl)
export R_DELAYD="$("$PYTHON" --version 2>&1), delay ${DELAY_MS} ms, --spf"
export R_DELAYD_STATS=${DELAYD_STATS#delayd: }
export R_HAVE_PYSPF=$HAVE_PYSPF R_HAVE_MAILSPF=$HAVE_MAILSPF R_HAVE_NPM=$HAVE_NPM R_HAVE_LIBSPF2=$HAVE_LIBSPF2
export R_REPS=$REPS R_LOOP_REPS=$LOOP_REPS R_DELAY_MS=$DELAY_MS R_NDOMAINS=$NDOMAINS
export R_SENDER=$SENDER R_HELO=$HELO R_PASS_PREFIX=$PASS_PREFIX R_FAIL_PREFIX=$FAIL_PREFIX
export R_DATE=$(date -u '+%Y-%m-%d %H:%M UTC') R_SECONDS=$(( $(date +%s) - T_START ))
export R_NPM_SPEC=$NPM_SPEC
BLOCK_TMP=$(mktemp "$D/block.XXXXXX")
"$PYTHON" - "$D" >"$BLOCK_TMP" <<'PY'
import os, statistics, sys
from collections import defaultdict

D = sys.argv[1]
E = os.environ
REPS = int(E["R_REPS"])


def tsv(name):
    p = os.path.join(D, name)
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [l.rstrip("\n").split("\t") for l in f if l.strip()]


def med(xs):
    # the median run (for an even count, the lower middle one, as percentile_disc)
    xs = sorted(xs)
    return xs[(len(xs) - 1) // 2]


def fmt_rate(x):
    return "{:,.0f}".format(x)


def fmt_ratio(x):
    return "%.1f×" % x if x >= 10 else "%.2f×" % x


out = []
w = out.append
checks = []

# ---- SQL results
sql = defaultdict(list)
for part, engine, cache, kase, rep, n, ms, ok, sent, hits, failed, intr in tsv("sql.tsv"):
    sql[(part, engine, cache, kase)].append(dict(rep=int(rep), n=int(n), ms=float(ms), ok=int(ok),
                                                 sent=int(sent), hits=int(hits), failed=int(failed),
                                                 intr=int(intr)))


def verify_rate(engine, cache, kase):
    runs = sql.get(("verify", engine, cache, kase))
    if not runs:
        return None
    return med([r["n"] / (r["ms"] / 1000) for r in runs])


# ---- peers
peers = defaultdict(list)
for name, mode, kase, rep, n, secs, counts in tsv("peers.tsv"):
    c = dict(kv.split("=") for kv in counts.split())
    peers[(name, mode, kase)].append(dict(rep=int(rep), n=int(n), s=float(secs),
                                          counts={k: int(v) for k, v in c.items()}))
versions = {}
for row in tsv("versions.tsv"):
    versions.setdefault(row[0], row[1])


def peer_rate(name, mode, kase):
    runs = peers.get((name, mode, kase))
    if not runs:
        return None
    return med([r["n"] / r["s"] for r in runs])


# ---------------------------------------------------------------- header
w("<!-- spf:begin -->")
w("## SPF")
w("")
w("Generated by `bench/spf.sh` (`make bench`) on %s; the run took %s s.  A" % (E["R_DATE"], E["R_SECONDS"]))
w("benchmark, not a test: nothing here passes or fails, but the two acceptance")
w("targets are compared at the end.  Medians of %d runs unless said otherwise; the" % REPS)
w("other runs are listed.  Every SQL run is timed inside the server")
w("(`clock_timestamp()` around one statement, `spfbench.timed()` in `bench/spf.sh`,")
w("`jit = off`), counts the rows that came out exactly as they must, and reads")
w("`mailauth.dns_cache_stats()` before and after to check the queries it sent or")
w("did not send (see \"SPF checks\").")
w("")
w("| | |")
w("|---|---|")
w("| machine | %s |" % E["R_MACHINE"])
w("| PostgreSQL | %s |" % E["R_PG"])
w("| mailauth | %s |" % E["R_MA"])
w("| libspf2 | %s |" % E["R_LIBSPF2"])
w("| knot | %s |" % E["R_KNOT"])
w("| libspf2 standalone | `bench/spf_peers/libspf2_bench.c`, %s, `-O2` |" % E["R_GCC"])
w("| pyspf | %s |" % (("%s; Debian %s" % (versions["pyspf"], E["R_PYSPF_DEB"])) if "pyspf" in versions else "not available"))
w("| Mail::SPF | %s |" % (("%s; Debian %s" % (versions["Mail::SPF"], E["R_MAILSPF_DEB"])) if "Mail::SPF" in versions else "not available"))
w("| npm mailauth | %s |" % (("%s; `npm install %s` into a temporary directory" % (versions["npm-mailauth"], E["R_NPM_SPEC"])) if "npm-mailauth" in versions else "not available"))
w("| delayd | %s |" % E["R_DELAYD"])
w("")
w("The policy is `nested.spf.test` of `test/zones/spf.test.zone`, served by knot on")
w("loopback: three nested includes, the last one authorizing 203.0.113.0/24:")
w("")
w("    nested.spf.test     v=spf1 include:l1.nested.spf.test -all")
w("    l1.nested.spf.test  v=spf1 include:l2.nested.spf.test ~all")
w("    l2.nested.spf.test  v=spf1 include:l3.nested.spf.test ?all")
w("    l3.nested.spf.test  v=spf1 ip4:203.0.113.0/24 -all")
w("")
w("Sender `%s`, HELO `%s`.  Client IPs `%s1` .. `%s200` (round robin, so" % (E["R_SENDER"], E["R_HELO"], E["R_PASS_PREFIX"], E["R_PASS_PREFIX"]))
w("that every call evaluates the policy for another address) must **pass**, decided in")
w("the deepest include; `%s1` .. `%s200` must **fail** on `-all`, after walking" % (E["R_FAIL_PREFIX"], E["R_FAIL_PREFIX"]))
w("the whole tree.  Both take 4 TXT queries and count 3 DNS-querying terms.")
w("")

# ---------------------------------------------------------------- 1
w("### SPF 1. spf_verify from SQL")
w("")
w("One statement per run, many evaluations in it:")
w("")
w("    SELECT count(*) FILTER (WHERE s.result = 'pass' AND s.domain = 'nested.spf.test'")
w("                             AND s.dns_lookups = 3 AND coalesce(s.mechanism, 'include:l1.nested.spf.test') = 'include:l1.nested.spf.test')")
w("      FROM generate_series(1, N) g,")
w("           LATERAL mailauth.spf_verify(('203.0.113.' || (g % 200 + 1))::inet, 'x@nested.spf.test', 'mx.example') s")
w("")
w("(for the failing IPs: `result = 'fail'`, mechanism `-all`; the libspf2 engine")
w("does not report the deciding mechanism, hence the coalesce).  **warm**: one")
w("evaluation first fills the backend's DNS cache, then no query is sent;")
w("**cold**: `mailauth.dns_cache_size = 0`, so every evaluation sends its 4")
w("queries to knot, one round trip per include level.  Engines:")
w("`mailauth.spf_engine = native` (the default) and `libspf2`.")
w("")
w("| engine | cache | client IPs | evaluations per run | median evaluations/s | runs (evaluations/s) | µs per evaluation | queries sent per evaluation |")
w("|---|---|---|---:|---:|---|---:|---:|")
for engine in ("native", "libspf2"):
    for cache in ("warm", "cold"):
        for kase in ("pass", "fail"):
            runs = sql.get(("verify", engine, cache, kase))
            if not runs:
                continue
            rates = [r["n"] / (r["ms"] / 1000) for r in runs]
            m = med(rates)
            n = runs[0]["n"]
            qpe = sum(r["sent"] for r in runs) / sum(r["n"] for r in runs)
            w("| %s | %s | %s | %d | %s | %s | %.1f | %.2f |" % (
                engine, cache, kase, n, fmt_rate(m), ", ".join(fmt_rate(x) for x in rates),
                1e6 / m, qpe))
            for r in runs:
                if r["ok"] != r["n"]:
                    checks.append("- spf_verify, %s, %s, %s, run %d: %d of %d evaluations as expected"
                                  % (engine, cache, kase, r["rep"], r["ok"], r["n"]))
                if cache == "warm" and r["sent"] != 0:
                    checks.append("- spf_verify, %s, warm, %s, run %d: %d queries sent (none expected)"
                                  % (engine, kase, r["rep"], r["sent"]))
                if cache == "cold" and r["sent"] < 4 * r["n"]:
                    checks.append("- spf_verify, %s, cold, %s, run %d: %d queries sent for %d evaluations (4 each expected)"
                                  % (engine, kase, r["rep"], r["sent"], r["n"]))
                if r["failed"]:
                    checks.append("- spf_verify, %s, %s, %s, run %d: %d lookups failed"
                                  % (engine, cache, kase, r["rep"], r["failed"]))
w("")
w("These figures are from SQL: they include the statement's own per-row work")
w("(`generate_series`, the `inet` cast, the call, the composite result with its")
w("ready `Received-SPF` text); the peers below time a bare loop in their language.")
w("The cold rows are bound by the loopback round trip to knot, 4 in a row per")
w("evaluation: a ping-pong between two processes that, on a small VM, varies by a")
w("factor of several from one run to the next (see part c above), so they, and the")
w("peers' via-DNS figures below, are indicative only; the warm rows send nothing.")
w("")

# ---------------------------------------------------------------- 2
w("### SPF 2. The same policy in other SPF implementations")
w("")
w("Each peer runs in its own process (`bench/spf_peers/`), one evaluation after")
w("the other in a loop over the same client IPs, against the same knot; each")
w("run is preceded by as many untimed evaluations (warm-up), and the driver")
w("counts the results (every one must be the expected pass or fail).")
w("")
w("- **libspf2 standalone** (`libspf2_bench.c`): libspf2 used directly, one")
w("  `SPF_server_t` and a new `SPF_request_t` per evaluation.  Its resolv DNS layer")
w("  asks the system resolver (`res_query`, `/etc/resolv.conf`), which cannot be")
w("  pointed at a server on a port other than 53, so it **cannot query the")
w("  benchmark's knot**: it runs on libspf2's *zone* layer (`SPF_dns_zone_new`,")
w("  `SPF_dns_zone_add_str`) loaded with the same four TXT records (fetched from")
w("  knot with kdig).  An in-memory figure: no DNS at all.")
w("- **pyspf** (`pyspf_bench.py`): `spf.query(i, s, h).check()`, pydns (or dnspython")
w("  if installed) pointed at 127.0.0.1 and knot's port.")
w("- **Mail::SPF** (`mailspf_bench.pl`): one `Mail::SPF::Server` with")
w("  `Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => PORT, recurse => 0)`,")
w("  a new `Mail::SPF::Request` per evaluation.")
w("- **npm mailauth** (`npm_mailauth_bench.js`): `spf({sender, ip, helo, mta, resolver})`")
w("  with `resolver = (name, rr) => r.resolve(name, rr)` on a `dns.promises.Resolver`")
w("  `r` with `setServers(['127.0.0.1:PORT'])`; each evaluation awaited before the next.")
w("")
w("**Which cache.** None of pyspf, Mail::SPF and npm mailauth keeps DNS answers")
w("from one evaluation to the next: pyspf's `spf.query` has a cache that lives for")
w("one evaluation; Mail::SPF and `Net::DNS::Resolver` have none; npm mailauth's")
w("`spf()` calls the resolver for every lookup, and node's `Resolver` does not")
w("cache.  So their *warm* figure, what they do by themselves, is the **via DNS**")
w("column: every evaluation sends its 4 queries to knot, as mailauth does cold.")
w("To show the cost of their evaluation alone, the **in memory** column puts a")
w("dictionary in front of each peer's DNS function in the driver (filled by the")
w("warm-up): that is not how the peers are used, but it is the counterpart of")
w("mailauth's warm cache and of the libspf2 zone layer.")
w("")
w("| implementation | DNS | caches across evaluations | pass: evaluations/s | fail: evaluations/s | runs, pass | runs, fail |")
w("|---|---|---|---:|---:|---|---|")


def runs_str(name, mode, kase):
    runs = peers.get((name, mode, kase)) or []
    return ", ".join(fmt_rate(r["n"] / r["s"]) for r in runs) or "–"


def rate_str(x):
    return fmt_rate(x) if x is not None else "–"


for engine, cache, dnsdesc, cdesc in (
        ("native", "warm", "knot, then its cache", "yes (backend's DNS cache)"),
        ("native", "cold", "knot, every query", "disabled (`dns_cache_size = 0`)"),
        ("libspf2", "warm", "knot, then its cache", "yes (backend's DNS cache)"),
        ("libspf2", "cold", "knot, every query", "disabled (`dns_cache_size = 0`)")):
    rp, rf = verify_rate(engine, cache, "pass"), verify_rate(engine, cache, "fail")
    runs_p = sql.get(("verify", engine, cache, "pass")) or []
    runs_f = sql.get(("verify", engine, cache, "fail")) or []
    w("| mailauth spf_verify, %s engine, %s (from SQL) | %s | %s | %s | %s | %s | %s |" % (
        engine, cache, dnsdesc, cdesc, rate_str(rp), rate_str(rf),
        ", ".join(fmt_rate(r["n"] / (r["ms"] / 1000)) for r in runs_p) or "–",
        ", ".join(fmt_rate(r["n"] / (r["ms"] / 1000)) for r in runs_f) or "–"))
PEERS = [
    ("libspf2", "memo", "libspf2 standalone", "in memory (zone layer)", "– (all in memory)", E["R_HAVE_LIBSPF2"]),
    ("pyspf", "dns", "pyspf", "knot, every query", "no (one evaluation)", E["R_HAVE_PYSPF"]),
    ("pyspf", "memo", "pyspf, DNS memoized by the driver", "in memory", "– (the driver's)", E["R_HAVE_PYSPF"]),
    ("Mail::SPF", "dns", "Mail::SPF", "knot, every query", "no", E["R_HAVE_MAILSPF"]),
    ("Mail::SPF", "memo", "Mail::SPF, DNS memoized by the driver", "in memory", "– (the driver's)", E["R_HAVE_MAILSPF"]),
    ("npm-mailauth", "dns", "npm mailauth", "knot, every query", "no", E["R_HAVE_NPM"]),
    ("npm-mailauth", "memo", "npm mailauth, DNS memoized by the driver", "in memory", "– (the driver's)", E["R_HAVE_NPM"]),
]
for name, mode, label, dnsdesc, cdesc, have in PEERS:
    rp, rf = peer_rate(name, mode, "pass"), peer_rate(name, mode, "fail")
    if not have:
        w("| %s | %s | %s | not available | not available | – | – |" % (label, dnsdesc, cdesc))
        checks.append("- %s: not available (not installed, and could not be installed)" % label)
        continue
    w("| %s | %s | %s | %s | %s | %s | %s |" % (label, dnsdesc, cdesc, rate_str(rp), rate_str(rf),
                                               runs_str(name, mode, "pass"), runs_str(name, mode, "fail")))
    for kase in ("pass", "fail"):
        runs = peers.get((name, mode, kase))
        if not runs:
            checks.append("- %s, %s: no result (the driver failed, below)" % (label, kase))
            continue
        if len(runs) != REPS:
            checks.append("- %s, %s: %d runs, not %d" % (label, kase, len(runs), REPS))
        for r in runs:
            if r["counts"].get(kase, 0) != r["n"]:
                checks.append("- %s, %s, run %d: results %s, expected %s=%d" % (
                    label, kase, r["rep"], " ".join("%s=%d" % kv for kv in sorted(r["counts"].items())),
                    kase, r["n"]))
w("")

# ratios
wp, wf = verify_rate("native", "warm", "pass"), verify_rate("native", "warm", "fail")
cp, cf = verify_rate("native", "cold", "pass"), verify_rate("native", "cold", "fail")


def ratio(a, b):
    return fmt_ratio(a / b) if a and b else "–"


w("mailauth / peer, in evaluations per second (native engine; \"warm\" is")
w("spf_verify with its cache, \"cold\" without):")
w("")
ratio_notes = []
w("| peer | warm / peer, pass | warm / peer, fail | cold / peer, pass | cold / peer, fail |")
w("|---|---:|---:|---:|---:|")
for name, mode, label, dnsdesc, cdesc, have in PEERS:
    rp, rf = peer_rate(name, mode, "pass"), peer_rate(name, mode, "fail")
    if rp is None and rf is None:
        continue
    if mode == "dns":
        w("| %s (its own behaviour: every query to knot) | %s | %s | %s | %s |" % (
            label, ratio(wp, rp), ratio(wf, rf), ratio(cp, rp), ratio(cf, rf)))
        if wp and rp:
            ratio_notes.append("<!-- ratio: SPF spf_verify warm vs %s = %.3f -->" % (label, wp / rp))
    elif wp and rp:
        w("| %s (in memory) | %s | %s | – | – |" % (label, ratio(wp, rp), ratio(wf, rf)))
        ratio_notes.append("<!-- ratio: SPF spf_verify warm vs %s (in memory) = %.3f -->" % (label, wp / rp))
    else:
        w("| %s (in memory) | %s | %s | – | – |" % (label, ratio(wp, rp), ratio(wf, rf)))
w("")
for note in ratio_notes:
    w(note)
w("Read the rows by what they compare.  Against the peers as they are used")
w("(\"its own behaviour\"), warm spf_verify is compared with an implementation")
w("that goes to DNS for every evaluation, and the cold columns compare like with")
w("like (both send 4 queries to knot per evaluation).  The in-memory rows compare")
w("evaluation cost alone; mailauth's figure still includes its SQL statement.")
w("")

# ---------------------------------------------------------------- 3
NDOM = int(E["R_NDOMAINS"])
DMS = float(E["R_DELAY_MS"])
w("### SPF 3. spf_record over %s domains, every answer %g ms late" % ("{:,}".format(NDOM), DMS))
w("")
w("`bench/delayd.py --spf` answers after %g ms; each domain has a three-level" % DMS)
w("policy (`d<N>.spf.bench.test`: `v=spf1 include:i1.d<N>.spf.bench.test -all`,")
w("`i1.…`: `v=spf1 include:i2.d<N>.spf.bench.test ~all`, `i2.…`: `v=spf1 ip4:192.0.2.0/24 -all`),")
w("so every domain takes 3 queries, one level after the other.  `dns_cache_reset()`")
w("before each run; every row must have `status = 'ok'`, `dns_lookups = 2` and")
w("includes `{i1.<domain>, i2.<domain>}`.")
w("")
w("- bulk: `SELECT count(*) FROM mailauth.spf_record(ARRAY(SELECT 'd'||g||'.spf.bench.test' FROM generate_series(0,%d) g))`" % (NDOM - 1))
w("  (the array built before the clock starts; `dns_max_inflight` 100, the default)")
w("- loop: `SELECT count(*) FROM generate_series(0,%d) g, LATERAL mailauth.spf_record('e'||g||'.spf.bench.test')`" % (NDOM - 1))
w("")
ideal = {"loop": 3 * NDOM * DMS, "bulk": 3 * (NDOM / 100.0) * DMS}
w("The ideal time is 3 × %g ms per domain for the loop (one query in flight), and" % DMS)
w("3 levels × %s/100 × %g ms for the bulk form (100 queries in flight, one wave per level)." % ("{:,}".format(NDOM), DMS))
w("")
w("| form | runs | median ms | runs (ms) | rows as expected | queries sent per run | ideal ms |")
w("|---|---:|---:|---|---|---|---:|")
rec = {}
for form, label in (("loop", "loop of single calls"), ("bulk", "bulk, spf_record(text[])")):
    runs = sql.get(("record", form, "", ""))
    if not runs:
        continue
    m = med([r["ms"] for r in runs])
    rec[form] = (m, runs)
    w("| %s | %d | %.1f | %s | %s | %s | %.0f |" % (
        label, len(runs), m, ", ".join("%.1f" % r["ms"] for r in runs),
        ", ".join(str(r["ok"]) for r in runs), ", ".join(str(r["sent"]) for r in runs), ideal[form]))
    for r in runs:
        if r["ok"] != NDOM:
            checks.append("- spf_record, %s, run %d: %d of %d rows as expected" % (form, r["rep"], r["ok"], NDOM))
        if r["sent"] != 3 * NDOM and r["intr"] == 0:
            checks.append("- spf_record, %s, run %d: %d queries sent, not %d" % (form, r["rep"], r["sent"], 3 * NDOM))
        if r["intr"]:
            checks.append("- spf_record, %s, run %d: %d interrupt(s) during the run, %d queries sent (harmless:"
                          " the queries in flight are re-sent; bench/run.sh explains the source, PostgreSQL's"
                          " idle statistics timer)" % (form, r["rep"], r["intr"], r["sent"]))
        if r["failed"]:
            checks.append("- spf_record, %s, run %d: %d lookups failed" % (form, r["rep"], r["failed"]))
w("")
loop_reps = int(E["R_LOOP_REPS"])
if loop_reps < REPS:
    w("The loop takes about %d s per run (3 answers × %g ms × %s), so it ran **%d time%s** only"
      % (round(ideal["loop"] / 1000), DMS, "{:,}".format(NDOM), loop_reps, "" if loop_reps == 1 else "s"))
    w("(`BENCH_SPF_LOOP_REPS=%d`); the bulk form ran %d times." % (loop_reps, REPS))
    w("")
rec_ratio = rec["loop"][0] / rec["bulk"][0] if "loop" in rec and "bulk" in rec else None
if rec_ratio:
    w("Loop / bulk: **%s** faster (%.1f ms vs %.1f ms)." % (fmt_ratio(rec_ratio), rec["loop"][0], rec["bulk"][0]))
    w("")

# ---------------------------------------------------------------- acceptance
w("### SPF acceptance targets")
w("")
w("| target | measured | verdict |")
w("|---|---|---|")
verdicts = []
for name, label in (("pyspf", "pyspf"), ("npm-mailauth", "the npm package mailauth")):
    rp, rf = peer_rate(name, "dns", "pass"), peer_rate(name, "dns", "fail")
    if wp and wf and rp and rf:
        lo = min(wp / rp, wf / rf)
        v = "holds" if lo >= 5 else "does NOT hold"
        w("| warm-cache spf_verify (native) at least 5× %s, evaluations/s | pass %s (%s vs %s/s), fail %s (%s vs %s/s) | %s |" % (
            label, fmt_ratio(wp / rp), fmt_rate(wp), fmt_rate(rp), fmt_ratio(wf / rf), fmt_rate(wf), fmt_rate(rf), v))
    else:
        v = "not measured"
        w("| warm-cache spf_verify (native) at least 5× %s, evaluations/s | – | not measured |" % label)
    verdicts.append(v)
if rec_ratio:
    v = "holds" if rec_ratio >= 20 else "does NOT hold"
    w("| spf_record bulk over %s domains at %g ms at least 20× faster than the loop | %s (%.1f ms vs %.1f ms) | %s |" % (
        "{:,}".format(NDOM), DMS, fmt_ratio(rec_ratio), rec["loop"][0], rec["bulk"][0], v))
else:
    v = "not measured"
    w("| spf_record bulk at least 20× faster than the loop | – | not measured |")
verdicts.append(v)
w("")
w("Against pyspf: %s; against npm mailauth: %s; spf_record bulk vs loop: %s.  The" % tuple(verdicts))
w("first two compare with each peer as it is used (every evaluation to DNS);")
w("against the in-memory rows the ratios are the ones in the table of part 2.")
w("")

# ---------------------------------------------------------------- checks
w("### SPF checks")
w("")
errors = open(os.path.join(D, "peer_errors.txt")).read().strip() if os.path.exists(os.path.join(D, "peer_errors.txt")) else ""
if checks or errors:
    w("What did not go as claimed (the figures concerned are suspect):")
    w("")
    out.extend(checks)
    if errors:
        w("")
        w("Peer drivers that failed:")
        w("")
        out.extend(errors.splitlines())
else:
    w("All runs did what they claim: every spf_verify evaluation gave the expected")
    w("result, domain and lookup count; warm runs sent no query and cold runs 4 per")
    w("evaluation; every peer returned the expected result for every evaluation;")
    w("every spf_record row was `ok` with 2 lookups, each run sending %d queries." % (3 * NDOM))
w("")
w("delayd (part 3): %s." % (E.get("R_DELAYD_STATS") or "no statistics"))
w("<!-- spf:end -->")
print("\n".join(out))
PY

# splice the block into OUT: replace an existing one, else append
"$PYTHON" "$ROOT/bench/splice.py" "$OUT" spf "$BLOCK_TMP"
log "done in $(( $(date +%s) - T_START )) s: $OUT"

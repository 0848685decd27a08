#!/usr/bin/env bash
# bench/dkim.sh: the mailauth DKIM verification benchmarks (a benchmark, not a
# test: no pass/fail).  Writes the "## DKIM" section of BENCHMARKS.md, between
# the markers <!-- dkim:begin --> and <!-- dkim:end --> (replaced if present,
# appended otherwise; bench/run.sh keeps the block when it rewrites the file).
#
#   1. mailauth.dkim_verify(raw) verifications per second from SQL, one
#      backend, on the signed fixture 'pass' of sql/dkim_verify.sql
#      (rsa-sha256, 2048-bit key rsa2048._domainkey.dkim.test, relaxed/relaxed,
#      served by knot on loopback), warm DNS cache
#   2. the same message verified by other implementations, each in its own
#      single process, one verification after the other (bench/dkim_peers/):
#      libopendkim used directly (key from memory, dkim_set_key_lookup), dkimpy
#      (dnsfunc from memory), Mail::DKIM (Net::DNS::Resolver pointed at knot),
#      the npm package mailauth (resolver function from memory)
#   3. dkim_verify of the fixture with 10 MiB appended to the body (result
#      fail, body hash mismatch): time per call
#
# Medians of BENCH_REPS (3) runs; each SQL run is timed inside the server
# (clock_timestamp() around one statement) and checked: every verification
# must give the expected result, and warm runs must send no DNS query.  Peers
# time their own loop (after one untimed run of the same size).
#
# Missing peers are installed when possible (Debian packages python3-dkim and
# libmail-dkim-perl as root; the npm package mailauth into a temporary
# directory under /tmp, removed at the end); a peer that cannot be had is
# reported as missing.  Everything started is stopped at the end, also on
# error.  About 1 to 2 minutes.
#
# Environment: BENCH_OUT (default BENCHMARKS.md), BENCH_REPS (3),
# BENCH_NPM_MAILAUTH (the npm spec, default "mailauth"), MA_KEEP=1 keeps the
# work dir.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
REPS=${BENCH_REPS:-3}
NPM_SPEC=${BENCH_NPM_MAILAUTH:-mailauth}
PYTHON=/usr/bin/python3
PEERS=$ROOT/bench/dkim_peers

# verifications per run (each peer run is preceded by an untimed one as large)
N_SQL=5000
N_OPENDKIM=5000
N_DKIMPY=1000
N_MAILDKIM=500
N_NPM=1000
BIG_MIB=10

log() { printf '[dkim-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
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
HAVE_DKIMPY=1 HAVE_MAILDKIM=1 HAVE_NPM=1 HAVE_OPENDKIM=1
"$PYTHON" -c 'import dkim' 2>/dev/null || deb_install python3-dkim || true
"$PYTHON" -c 'import dkim' 2>/dev/null || HAVE_DKIMPY=
perl -MMail::DKIM::Verifier -e1 2>/dev/null || deb_install libmail-dkim-perl || true
perl -MMail::DKIM::Verifier -e1 2>/dev/null || HAVE_MAILDKIM=

# --- services --------------------------------------------------------------------
# shellcheck source=../test/lib.sh
source "$ROOT/test/lib.sh"

NPM_DIR=
cleanup() {
	local rc=$?
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
D=$MA_WORK/dkim			# raw results, as TSV
mkdir -p "$D"

# the message: the fixture 'pass' of sql/dkim_verify.sql (LF line ends, as there)
"$PYTHON" - "$ROOT/sql/dkim_verify.sql" "$D/msg.eml" <<'PY'
import sys
t = open(sys.argv[1]).read()
m = t.split("('pass', $m$", 1)[1].split("$m$)", 1)[0]
open(sys.argv[2], "w").write(m)
PY
chmod 644 "$D/msg.eml"; chmod 755 "$D"
MSG_BYTES=$(wc -c <"$D/msg.eml")
# the key's TXT record, from knot (the strings joined)
TXT=$(kdig +short +time=2 +retry=1 @127.0.0.1 -p "$KNOT_PORT" rsa2048._domainkey.dkim.test TXT | "$PYTHON" -c '
import re, sys
strings = re.findall(r"\"((?:[^\"\\]|\\.)*)\"", sys.stdin.read())
print("".join(re.sub(r"\\(.)", r"\1", s) for s in strings))')
case $TXT in v=DKIM1*p=MII*) ;; *) echo "no DKIM key from knot: $TXT" >&2; exit 1 ;; esac

psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At -F $'\t' "$@"; }

log "loading the message (${MSG_BYTES} bytes) and its ${BIG_MIB} MiB variant"
psql_q -v raw="$(cat "$D/msg.eml")" -v big_mib="$BIG_MIB" >/dev/null <<'SQL'
CREATE EXTENSION mailauth;
CREATE SCHEMA dkimbench;
CREATE TABLE dkimbench.fixture (name text, raw text);
INSERT INTO dkimbench.fixture VALUES ('pass', :'raw' || E'\n');
UPDATE dkimbench.fixture SET raw = left(raw, -1) WHERE right(raw, 2) = E'\n\n';
-- the body with big_mib MiB appended (lines of 79 'x' and LF)
INSERT INTO dkimbench.fixture
	SELECT 'big', raw || repeat(repeat('x', 79) || E'\n', (:big_mib * 1048576 / 80)::int)
	FROM dkimbench.fixture WHERE name = 'pass';
CREATE TABLE dkimbench.result (
	part text, rep int, n bigint, ms float8, ok bigint,
	d_sent bigint, d_hits bigint, d_failed bigint);
-- time one statement that returns the number of results that are as expected
CREATE FUNCTION dkimbench.timed(part text, rep int, n bigint, q text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	s0 record; s1 record; t0 timestamptz; t1 timestamptz; ok bigint;
BEGIN
	SELECT * INTO s0 FROM mailauth.dns_cache_stats();
	t0 := clock_timestamp();
	EXECUTE q INTO ok;
	t1 := clock_timestamp();
	SELECT * INTO s1 FROM mailauth.dns_cache_stats();
	INSERT INTO dkimbench.result VALUES (part, rep, n,
		extract(epoch FROM t1 - t0) * 1000, ok,
		s1.queries_sent - s0.queries_sent, s1.hits - s0.hits,
		(s1.timeouts + s1.servfail + s1.refused + s1.formerr + s1.errors) -
		(s0.timeouts + s0.servfail + s0.refused + s0.formerr + s0.errors));
END $$;
SQL
psql_q -c "SELECT name, length(raw) FROM dkimbench.fixture ORDER BY name" >"$D/sizes.tsv"

# --- 1. and 3. dkim_verify from SQL -------------------------------------------------
log "1. dkim_verify: $N_SQL verifications per run, warm cache; 3. the ${BIG_MIB} MiB message"
{
	echo "SET jit = off;"
	# one verification fetches the key (and warms the cache)
	echo "SELECT v.result FROM dkimbench.fixture f, LATERAL mailauth.dkim_verify(f.raw) v WHERE f.name = 'pass';"
	for r in $(seq 1 "$REPS"); do
		echo "SELECT dkimbench.timed('verify', $r, $N_SQL, 'SELECT count(*) FILTER (WHERE v.result = ''pass'' AND v.key_bits = 2048 AND v.algorithm = ''rsa-sha256'') FROM dkimbench.fixture f, generate_series(1, $N_SQL) g, LATERAL mailauth.dkim_verify(CASE WHEN g > 0 THEN f.raw END) v WHERE f.name = ''pass''');"
	done
	for r in $(seq 1 "$REPS"); do
		echo "SELECT dkimbench.timed('big', $r, 1, 'SELECT count(*) FILTER (WHERE v.result = ''fail'' AND v.reason ILIKE ''%body%'') FROM dkimbench.fixture f, LATERAL mailauth.dkim_verify(f.raw) v WHERE f.name = ''big''');"
	done
} | psql_q >"$D/warm.out"
psql_q -c "SELECT v.result, v.reason FROM dkimbench.fixture f, LATERAL mailauth.dkim_verify(f.raw) v WHERE f.name = 'big'" >"$D/big_result.txt"

# --- 2. the peers ----------------------------------------------------------------------
: >"$D/peers.tsv"; : >"$D/versions.tsv"; : >"$D/peer_errors.txt"
run_peer() {	# NAME N CMD...: "version X" -> versions.tsv, "rep K N S pass=P other=O" -> peers.tsv
	local name=$1 n=$2 out=$D/peer.out rc=0
	shift 2
	log "2. $name: $n verifications per run"
	timeout 300 "$@" >"$out" 2>"$D/peer.err" </dev/null || rc=$?
	if [ $rc -ne 0 ]; then
		{ echo "- $name: exit status $rc"; tail -3 "$D/peer.err" | sed 's/^/      /'; } >>"$D/peer_errors.txt"
		return 0
	fi
	sed -n 's/^version //p' "$out" | head -1 | sed "s/^/$name\t/" >>"$D/versions.tsv"
	awk -v p="$name" 'BEGIN { OFS = "\t" } $1 == "rep" { print p, $2, $3, $4, $5 " " $6 }' "$out" >>"$D/peers.tsv"
}

if gcc -O2 -Wall -o "$D/opendkim_bench" "$PEERS/opendkim_bench.c" $(pkg-config --cflags --libs opendkim) 2>"$D/gcc.err"; then
	run_peer libopendkim "$N_OPENDKIM" "$D/opendkim_bench" "$D/msg.eml" "$TXT" "$N_OPENDKIM" "$REPS"
else
	HAVE_OPENDKIM=
	{ echo "- opendkim_bench did not build:"; sed 's/^/      /' "$D/gcc.err"; } >>"$D/peer_errors.txt"
fi
[ -n "$HAVE_DKIMPY" ] && run_peer dkimpy "$N_DKIMPY" "$PYTHON" "$PEERS/dkimpy_bench.py" "$D/msg.eml" "$TXT" "$N_DKIMPY" "$REPS"
[ -n "$HAVE_MAILDKIM" ] && run_peer Mail::DKIM "$N_MAILDKIM" perl "$PEERS/maildkim_bench.pl" "$D/msg.eml" "$KNOT_PORT" "$N_MAILDKIM" "$REPS"

if command -v node >/dev/null && command -v npm >/dev/null; then
	NPM_DIR=$(mktemp -d /tmp/mailauth-dkim-npm.XXXXXX)
	log "2. npm install $NPM_SPEC (in $NPM_DIR)"
	if ! (cd "$NPM_DIR" && timeout 300 npm install --no-audit --no-fund --no-package-lock --silent "$NPM_SPEC") \
		>"$D/npm.log" 2>&1 || [ ! -f "$NPM_DIR/node_modules/mailauth/lib/dkim/verify.js" ]; then
		HAVE_NPM=
		{ echo "- npm install $NPM_SPEC failed:"; tail -3 "$D/npm.log" | sed 's/^/      /'; } >>"$D/peer_errors.txt"
	fi
else
	HAVE_NPM=
fi
[ -n "$HAVE_NPM" ] && run_peer npm-mailauth "$N_NPM" node "$PEERS/npm_mailauth_bench.js" "$NPM_DIR" "$D/msg.eml" "$TXT" "$N_NPM" "$REPS"

# --- the report ----------------------------------------------------------------------
log "writing the DKIM section of $OUT"
psql_q -c "SELECT part, rep, n, ms, ok, d_sent, d_hits, d_failed FROM dkimbench.result ORDER BY part, rep" >"$D/sql.tsv"
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
pkgver() { dpkg-query -W -f='${Package} ${Version}' "$1" 2>/dev/null || echo "$1 (not a Debian package here)"; }
export R_MACHINE="$(nproc) CPUs (\`nproc\`), ${CPU:-unknown CPU}, $(uname -sr)"
export R_PG=$(psql_q -c "SELECT version()")
export R_MA=$(psql_q -c "SELECT mailauth.version()")
export R_OPENSSL=$(openssl version 2>/dev/null || echo unknown)
export R_OPENDKIM="$(pkgver libopendkim11) ($(pkg-config --modversion opendkim))"
export R_GCC=$(gcc --version | head -1)
export R_HAVE_DKIMPY=$HAVE_DKIMPY R_HAVE_MAILDKIM=$HAVE_MAILDKIM R_HAVE_NPM=$HAVE_NPM R_HAVE_OPENDKIM=$HAVE_OPENDKIM
export R_REPS=$REPS R_MSG_BYTES=$MSG_BYTES R_BIG_MIB=$BIG_MIB R_D=$D
BLOCK_TMP=$(mktemp)
"$PYTHON" - >"$BLOCK_TMP" <<'PY'
import os
E = os.environ
D = E["R_D"]
REPS = int(E["R_REPS"])
out = []
w = out.append
checks = []


def med(xs):
    xs = sorted(xs)
    n = len(xs)
    return None if n == 0 else (xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2)


def fmt_rate(x):
    return "{:,.0f}".format(x)


def fmt_ratio(x):
    return "%.2f×" % x


sql = {}
for line in open(os.path.join(D, "sql.tsv")):
    part, rep, n, ms, ok, sent, hits, failed = line.rstrip("\n").split("\t")
    sql.setdefault(part, []).append(dict(rep=int(rep), n=int(n), ms=float(ms), ok=int(ok),
                                         sent=int(sent), hits=int(hits), failed=int(failed)))
peers = {}
for line in open(os.path.join(D, "peers.tsv")):
    name, rep, n, s, counts = line.rstrip("\n").split("\t")
    c = dict(kv.split("=") for kv in counts.split())
    peers.setdefault(name, []).append(dict(rep=int(rep), n=int(n), s=float(s), counts={k: int(v) for k, v in c.items()}))
versions = dict(l.rstrip("\n").split("\t", 1) for l in open(os.path.join(D, "versions.tsv")) if "\t" in l)
sizes = dict(l.rstrip("\n").split("\t") for l in open(os.path.join(D, "sizes.tsv")))
big_result = open(os.path.join(D, "big_result.txt")).read().strip().replace("\t", ", ")

vruns = sql.get("verify", [])
for r in vruns:
    if r["ok"] != r["n"]:
        checks.append("- dkim_verify, run %d: %d of %d verifications gave pass" % (r["rep"], r["ok"], r["n"]))
    if r["sent"] or r["failed"]:
        checks.append("- dkim_verify, run %d: %d DNS queries sent, %d failed (warm runs should send none)" % (r["rep"], r["sent"], r["failed"]))
ma_rate = med([r["n"] / (r["ms"] / 1000) for r in vruns])

w("<!-- dkim:begin -->")
w("## DKIM")
w("")
w("Written by `bench/dkim.sh` (medians of %d runs).  Machine: %s." % (REPS, E["R_MACHINE"]))
w("")
w("- %s" % E["R_PG"])
w("- mailauth %s; %s; libopendkim %s; %s" % (E["R_MA"], E["R_OPENSSL"], E["R_OPENDKIM"], E["R_GCC"]))
for k in ("libopendkim", "dkimpy", "Mail::DKIM", "npm-mailauth"):
    if k in versions:
        w("- %s: %s" % (k, versions[k]))
w("")
w("The message is the signed fixture `'pass'` of `sql/dkim_verify.sql`: %s bytes" % E["R_MSG_BYTES"])
w("(about 0.75 KiB, of which 5 header fields signed), `DKIM-Signature` rsa-sha256,")
w("relaxed/relaxed, 2048-bit key `rsa2048._domainkey.dkim.test` (test/zones/dkim.test.zone).")
w("Everything runs on one core's worth of work: one backend, or one process")
w("verifying one message after the other.")
w("")
w("### DKIM 1 and 2. Verifications per second")
w("")
w("- mailauth: `SELECT count(*) FILTER (WHERE v.result = 'pass' AND v.key_bits = 2048 AND v.algorithm = 'rsa-sha256') FROM fixture f, generate_series(1, N) g, LATERAL mailauth.dkim_verify(CASE WHEN g > 0 THEN f.raw END) v`")
w("  (the CASE forces one call per row), timed inside the server with clock_timestamp(); warm DNS")
w("  cache (one verification before the runs fetches the key from knot); the raw text as in the fixture (LF line ends).")
w("  libopendkim canonicalizes and hashes; the RSA/Ed25519 check of a plain key record is ours, with the")
w("  key decoded once per backend (`ma_dkim.c`, \"the crypto fast path\"): libopendkim decodes the key for")
w("  every message through OpenSSL 3.0's decoder framework, about 65 % of its time per verification")
w("  (callgrind on the standalone program below).  Both paths give the same verdicts (test/unit/test_dkim).")
w("- libopendkim standalone (`bench/dkim_peers/opendkim_bench.c`, gcc -O2): per verification dkim_verify(),")
w("  dkim_header() per field, dkim_eoh(), dkim_body(), dkim_eom(), dkim_free(); **no DNS**: the TXT")
w("  record comes from memory through dkim_set_key_lookup().  The message is split and converted to")
w("  CRLF once, before the clock.")
w("- dkimpy: `dkim.verify(msg, dnsfunc=...)`, dnsfunc returning the TXT record from memory (**no DNS**).")
w("- Mail::DKIM: `Mail::DKIM::Verifier`, PRINT/CLOSE; `Mail::DKIM::DNS::resolver()` set to a")
w("  `Net::DNS::Resolver` pointed at knot (127.0.0.1, its port): **one real TXT query to knot per")
w("  verification** (Mail::DKIM does not cache keys), so its figure includes a loopback round trip.")
w("- npm mailauth: `dkimVerify(message, {resolver})`, resolver returning the TXT record from memory (**no DNS**).")
w("")
w("| implementation | key from | verifications/s | runs | all pass |")
w("|---|---|---:|---|---|")
w("| mailauth dkim_verify (from SQL) | knot, then the backend's DNS cache | %s | %s | %s |" % (
    fmt_rate(ma_rate) if ma_rate else "–",
    ", ".join(fmt_rate(r["n"] / (r["ms"] / 1000)) for r in vruns) or "–",
    "yes" if vruns and all(r["ok"] == r["n"] for r in vruns) else "NO"))
PEERS = [("libopendkim", "libopendkim standalone (C)", "memory (dkim_set_key_lookup)", E["R_HAVE_OPENDKIM"]),
         ("dkimpy", "dkimpy", "memory (dnsfunc)", E["R_HAVE_DKIMPY"]),
         ("Mail::DKIM", "Mail::DKIM", "knot, every verification", E["R_HAVE_MAILDKIM"]),
         ("npm-mailauth", "npm mailauth", "memory (resolver)", E["R_HAVE_NPM"])]
prate = {}
for name, label, src, have in PEERS:
    runs = peers.get(name)
    if not have or not runs:
        w("| %s | %s | not available | – | – |" % (label, src))
        checks.append("- %s: not measured (not installed, or its driver failed)" % label)
        continue
    prate[name] = med([r["n"] / r["s"] for r in runs])
    allok = all(r["counts"].get("pass", 0) == r["n"] for r in runs)
    if not allok:
        checks.append("- %s: not every verification gave pass" % label)
    if len(runs) != REPS:
        checks.append("- %s: %d runs, not %d" % (label, len(runs), REPS))
    w("| %s | %s | %s | %s | %s |" % (label, src, fmt_rate(prate[name]),
                                      ", ".join(fmt_rate(r["n"] / r["s"]) for r in runs), "yes" if allok else "NO"))
w("")

# 3
bruns = sql.get("big", [])
w("### DKIM 3. A %s MiB message" % E["R_BIG_MIB"])
w("")
w("The fixture with %s MiB appended to the body (lines of 79 `x`; %s bytes in all), so the body" % (E["R_BIG_MIB"], "{:,}".format(int(sizes.get("big", 0)))))
w("hash no longer matches: `dkim_verify` must return `fail` (reason mentioning the body).  One call")
w("per run, timed inside the server (the value is read from the table, so detoasting is included).")
w("Result: %s." % (big_result or "–"))
w("")
if bruns:
    mb = med([r["ms"] for r in bruns])
    w("| message | ms per call (median) | runs (ms) | MiB/s | result as expected |")
    w("|---|---:|---|---:|---|")
    w("| %s MiB body | %.1f | %s | %.0f | %s |" % (E["R_BIG_MIB"], mb, ", ".join("%.1f" % r["ms"] for r in bruns),
                                                 int(sizes.get("big", 0)) / 1048576 / (mb / 1000),
                                                 "yes" if all(r["ok"] == 1 for r in bruns) else "NO"))
    for r in bruns:
        if r["ok"] != 1:
            checks.append("- %s MiB message, run %d: result not fail/body hash" % (E["R_BIG_MIB"], r["rep"]))
w("")

# targets
w("### DKIM acceptance targets")
w("")
w("| target | measured | verdict |")
w("|---|---|---|")
summary = []
ratio_notes = []
def target(label, need, peer, plabel):
    r = prate.get(peer)
    if not (ma_rate and r):
        w("| %s | – | not measured |" % label)
        summary.append("%s: not measured" % plabel)
        return
    x = ma_rate / r
    v = "holds" if x >= need else "does NOT hold"
    w("| %s | %s (%s vs %s/s) | %s |" % (label, fmt_ratio(x), fmt_rate(ma_rate), fmt_rate(r), v))
    ratio_notes.append("<!-- ratio: DKIM dkim_verify %s = %.3f -->" % (plabel, x))
    summary.append("%s %s (%s)" % (plabel, fmt_ratio(x), v))
target("mailauth / standalone libopendkim at least 0.75", 0.75, "libopendkim", "vs libopendkim")
target("mailauth at least 3× dkimpy", 3, "dkimpy", "vs dkimpy")
target("mailauth at least 3× Mail::DKIM", 3, "Mail::DKIM", "vs Mail::DKIM")
target("mailauth at least 3× npm mailauth", 3, "npm-mailauth", "vs npm mailauth")
w("")
for note in ratio_notes:
    w(note)
w("In short: " + "; ".join(summary) + ".  mailauth's figure includes its SQL statement")
w("(executor, the LATERAL call, the result row); the in-memory peers include no DNS at all,")
w("Mail::DKIM a loopback query to knot per verification.")
w("")
w("### DKIM checks")
w("")
errors = open(os.path.join(D, "peer_errors.txt")).read().strip()
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
    w("All runs did what they claim: every mailauth verification gave pass with a 2048-bit")
    w("rsa-sha256 key and the warm runs sent no DNS query; every %s MiB call gave fail;" % E["R_BIG_MIB"])
    w("every peer returned pass for every verification.")
w("<!-- dkim:end -->")
print("\n".join(out))
PY

# splice the block into OUT: replace an existing one, else append
"$PYTHON" "$ROOT/bench/splice.py" "$OUT" dkim "$BLOCK_TMP"
log "done in $(( $(date +%s) - T_START )) s: $OUT"

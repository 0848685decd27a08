#!/usr/bin/env bash
#-------------------------------------------------------------------------
#
# bench/dsn.sh
#	  parse_dsn() from SQL over the bounce corpus of ../shared, side by side
#	  in one run with Sisimai (Perl, Debian's libsisimai-perl) parsing the
#	  same files; writes the "Bounces" block of BENCHMARKS.md between the
#	  markers <!-- dsn:begin --> and <!-- dsn:end --> (replaced if present,
#	  else appended).
#
#	  mailauth: the corpus stored ROUNDS times over in a table of bounces
#	  (bytea, the table's default storage, and a second table with the column
#	  COMPRESSION lz4), copy after copy in the order Sisimai reads the folder;
#	  the statement a user runs over such a table,
#	    SELECT count(*) FROM bounces b, LATERAL mailauth.parse_dsn(b.raw) d
#	  timed inside the server with clock_timestamp(); messages/s and MB/s.
#	  The plan is checked (a nested loop over a sequential scan and the
#	  function scan: no Memoize, which could reuse the rows of a repeated
#	  message).  Also measured, for comparison with earlier figures: the
#	  form this benchmark had until the sixth session, the one-copy table read
#	  round after round (generate_series(1, ROUNDS) g, LATERAL (SELECT CASE
#	  WHEN g > 0 THEN raw END ... OFFSET 0), LATERAL parse_dsn).
#	  Sisimai: Sisimai->make(DIR) over the corpus folder (a process per round,
#	  after an untimed warm-up run).  BENCH_REPS (9) rounds, the two
#	  interleaved: round k runs the SQL statements, then Sisimai, so that
#	  both see the machine as it is at that moment (on a shared machine its
#	  speed drifts by 10 % and more within a minute); medians of the rounds,
#	  and the ratio of each round.  Skipped when the corpus is absent.
#
# Environment: BENCH_OUT (default BENCHMARKS.md), BENCH_REPS (9), BENCH_DSN_ROUNDS (60),
# MAILAUTH_SHARED (default ../shared).
#
#-------------------------------------------------------------------------
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
REPS=${BENCH_REPS:-9}
ROUNDS=${BENCH_DSN_ROUNDS:-60}
PYTHON=/usr/bin/python3
SHARED=${MAILAUTH_SHARED:-$ROOT/../shared}
EML=$SHARED/corpus/bounces/eml
log() { printf '[dsn-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
if [ ! -d "$EML" ]; then
	log "skipped: no bounce corpus at $EML (set MAILAUTH_SHARED)"
	exit 0
fi
EML=$(cd "$EML" && pwd)
perl -MSisimai -e1 2>/dev/null || {
	log "installing libsisimai-perl"
	apt-get install -y -qq libsisimai-perl >/dev/null 2>&1 || true
}

source "$ROOT/test/lib.sh"
trap ma_stop_all EXIT
log "starting PostgreSQL (test/lib.sh)"
ma_start_all "shared_buffers = 256MB" >/dev/null
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At -F $'\t' "$@"; }
psql_q -c "CREATE EXTENSION IF NOT EXISTS mailauth"
D=$MA_WORK/dsn
mkdir -p "$D"

log "loading $(ls "$EML"/*.eml | wc -l) messages"
"$PYTHON" - "$EML" >"$D/corpus.tsv" <<'PY'
import base64, glob, os, sys
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    print(os.path.basename(p) + "\t" + base64.b64encode(open(p, "rb").read()).decode())
PY
psql_q <<SQL
DROP SCHEMA IF EXISTS dsnbench CASCADE;
CREATE SCHEMA dsnbench;
CREATE TABLE dsnbench.corpus_b64(name text, b64 text);
\copy dsnbench.corpus_b64 FROM '$D/corpus.tsv'
CREATE TABLE dsnbench.corpus AS SELECT name, decode(b64, 'base64') AS raw FROM dsnbench.corpus_b64;
CREATE TABLE dsnbench.corpus_lz4(name text, raw bytea COMPRESSION lz4);
INSERT INTO dsnbench.corpus_lz4 SELECT name, decode(b64, 'base64') FROM dsnbench.corpus_b64;
-- the table of bounces: the corpus ROUNDS times, copy after copy
CREATE TABLE dsnbench.bounces(id bigserial, name text, raw bytea);
INSERT INTO dsnbench.bounces(name, raw) SELECT c.name, c.raw FROM generate_series(1, $ROUNDS) g, dsnbench.corpus c ORDER BY g, c.name;
CREATE TABLE dsnbench.bounces_lz4(id bigserial, name text, raw bytea COMPRESSION lz4);
INSERT INTO dsnbench.bounces_lz4(name, raw) SELECT c.name, c.raw FROM generate_series(1, $ROUNDS) g, dsnbench.corpus_lz4 c ORDER BY g, c.name;
ANALYZE dsnbench.corpus;
ANALYZE dsnbench.corpus_lz4;
ANALYZE dsnbench.bounces;
ANALYZE dsnbench.bounces_lz4;
CREATE TABLE dsnbench.runs(tab text, k int, messages bigint, bytes bigint, rows bigint, ms float8);
SQL
NMSG=$(psql_q -c "SELECT count(*) FROM dsnbench.corpus")
NBYTES=$(psql_q -c "SELECT sum(octet_length(raw)) FROM dsnbench.corpus")
COMPRESSED=$(psql_q -c "SELECT count(*) FILTER (WHERE pg_column_compression(raw) IS NOT NULL) FROM dsnbench.corpus")

# the plan users get, and no Memoize (a repeated message must be parsed again)
psql_q -c "SET jit = off" -c "EXPLAIN (COSTS OFF) SELECT count(*) FROM dsnbench.bounces b, LATERAL mailauth.parse_dsn(b.raw) d" >"$D/plan.txt"
if grep -q Memoize "$D/plan.txt" || ! grep -q "Function Scan on parse_dsn" "$D/plan.txt"; then
	log "unexpected plan:"
	cat "$D/plan.txt" >&2
	exit 1
fi

log "parse_dsn: $ROUNDS copies of $NMSG messages per run; Sisimai after each round"
: >"$D/sisimai.out"
psql_q -c "SELECT count(*) FROM dsnbench.bounces b, LATERAL mailauth.parse_dsn(b.raw) d" >/dev/null
psql_q -c "SELECT count(*) FROM dsnbench.bounces_lz4 b, LATERAL mailauth.parse_dsn(b.raw) d" >/dev/null
for k in $(seq 1 "$REPS"); do
	for tab in bounces bounces_lz4 rounds detoast detoast_lz4; do
		if [ "$tab" = detoast ] || [ "$tab" = detoast_lz4 ]; then
			# what PostgreSQL's decompression alone costs (get_byte() detoasts the whole value)
			t=bounces${tab#detoast}
			q="SELECT count(*) INTO n FROM dsnbench.$t b WHERE get_byte(b.raw, 0) >= 0"
		elif [ "$tab" = rounds ]; then
			q="SELECT count(*) INTO n FROM generate_series(1, $ROUNDS) g,
    LATERAL (SELECT CASE WHEN g > 0 THEN c.raw END AS raw FROM dsnbench.corpus c OFFSET 0) c,
    LATERAL mailauth.parse_dsn(c.raw) d"
		else
			q="SELECT count(*) INTO n FROM dsnbench.$tab b, LATERAL mailauth.parse_dsn(b.raw) d"
		fi
		psql_q <<SQL
SET jit = off;
SET enable_memoize = off;
DO \$\$
DECLARE t0 timestamptz; n bigint;
BEGIN
  t0 := clock_timestamp();
  $q;
  INSERT INTO dsnbench.runs VALUES ('$tab', $k, $ROUNDS * $NMSG, $ROUNDS * $NBYTES, n,
    extract(epoch FROM clock_timestamp() - t0) * 1000);
END \$\$;
SQL
	done
	# Sisimai over the same folder, right after this round's statements
	perl "$ROOT/bench/dsn_peers/sisimai_bench.pl" "$EML" 1 >>"$D/sisimai.out" 2>>"$D/sisimai.err" || true
done
for tab in bounces bounces_lz4 rounds detoast detoast_lz4; do
	psql_q -c "SELECT k, messages, bytes, rows, ms FROM dsnbench.runs WHERE tab = '$tab' ORDER BY k" >"$D/sql_$tab.tsv"
done

log "instructions per message in the core (callgrind, bench/dsn_peers/dsn_core_loop.c)"
: >"$D/instr.txt"
if command -v valgrind >/dev/null; then
	mkdir -p "$ROOT/bench/bin"
	# shellcheck disable=SC2046
	cc -O2 -I"$ROOT/src" $(pkg-config --cflags gmime-3.0) -o "$ROOT/bench/bin/dsn_core_loop" \
		"$ROOT/bench/dsn_peers/dsn_core_loop.c" "$ROOT/src/core/ma_dsn.c" "$ROOT/src/core/ma_dsn_lhost.c" \
		"$ROOT/src/core/ma_bounce.c" $(pkg-config --libs gmime-3.0)
	for r in 1 3; do
		valgrind --tool=callgrind --callgrind-out-file="$D/cg.$r" "$ROOT/bench/bin/dsn_core_loop" "$EML" "$r" >/dev/null 2>"$D/cg.$r.log"
		echo "$r $(sed -n 's/.*Collected : //p; s/^summary: //p' "$D/cg.$r" | head -1)" >>"$D/instr.txt"
	done
fi

psql_q -c "DROP SCHEMA dsnbench CASCADE"
export R_PG=$(psql_q -c "SELECT version()")
export R_MA=$(psql_q -c "SELECT mailauth.version()")
export R_GMIME=$(pkg-config --modversion gmime-3.0 2>/dev/null || echo '?')
export R_NPROC=$(nproc) R_CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
export R_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
# what else ran: processes over 20 % of a CPU, other than this benchmark's
export R_OTHERS=$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 > 20 && $2 !~ /^(postgres|perl|psql|python3|ps)$/ {printf "%s%s (%.0f %%)", (n++ ? ", " : ""), $2, $1}')
export NMSG NBYTES ROUNDS COMPRESSED

BLOCK=$(mktemp)
"$PYTHON" - "$D" >"$BLOCK" <<'PY'
import os, statistics, sys
D = sys.argv[1]; E = os.environ
out = []; w = out.append
def rd(name): return [l.split("\t") for l in open(os.path.join(D, "sql_%s.tsv" % name)).read().split("\n") if l]
sql, sqlz, sqlr, dt, dtz = rd("bounces"), rd("bounces_lz4"), rd("rounds"), rd("detoast"), rd("detoast_lz4")
si = [l.split() for l in open(os.path.join(D, "sisimai.out")).read().split("\n") if l.startswith("rep ")]
sver = next((l[8:] for l in open(os.path.join(D, "sisimai.out")) if l.startswith("version ")), "not available").strip()
plan = open(os.path.join(D, "plan.txt")).read().rstrip("\n")
def fmt(x): return "{:,.0f}".format(x)
def mps(rows): return [int(r[1]) / (float(r[4]) / 1000) for r in rows]
def mbs(rows): return [int(r[2]) / (float(r[4]) / 1000) / 1e6 for r in rows]
med = statistics.median
ma, mab, maz, mazb, mar = mps(sql), mbs(sql), mps(sqlz), mbs(sqlz), mps(sqlr)
ss = [int(r[2]) / float(r[3]) for r in si]
ssb = [int(E["NBYTES"]) / float(r[3]) / 1e6 for r in si]
R = int(E["ROUNDS"]); N = int(E["NMSG"])
w("<!-- dsn:begin -->")
w("## Bounces")
w("")
w("Written by `bench/dsn.sh` (medians of %d runs).  Machine: %s CPUs (`nproc`), %s; load average at the end %s%s." % (len(sql), E["R_NPROC"], E["R_CPU"], E["R_LOAD"], ("; also running: " + E["R_OTHERS"]) if E.get("R_OTHERS") else ""))
w("")
w("- %s" % E["R_PG"])
w("- mailauth %s; GMime %s" % (E["R_MA"], E["R_GMIME"]))
w("- %s" % sver)
w("")
w("The corpus: the %s messages of `../shared/corpus/bounces/eml` (%s bytes, %.1f KiB on average; %s of them stored compressed)." % (E["NMSG"], fmt(int(E["NBYTES"])), int(E["NBYTES"]) / N / 1024, E["COMPRESSED"]))
w("")
w("- mailauth: a table of bounces holding the corpus %d times over (%s rows, copy after copy, in the order Sisimai reads" % (R, fmt(R * N)))
w("  the folder), and the statement a user runs over such a table, timed inside the server (clock_timestamp()), one backend:")
w("  `SELECT count(*) FROM bounces b, LATERAL mailauth.parse_dsn(b.raw) d`.  The column `bytea` with the table's default")
w("  storage (the larger messages pglz-compressed), and a second table with the column `COMPRESSION lz4`.  The plan (checked")
w("  by the script: no Memoize, so a repeated message is parsed again):")
w("")
w("  ```")
for l in plan.split("\n"):
    w("  " + l)
w("  ```")
w("- Sisimai: `Sisimai->make($dir, delivered => 1, vacation => 1)` over the corpus folder, after an untimed warm-up")
w("  run (it reads the files itself), in its own process after each round of the SQL statements: the two interleaved,")
w("  so that both meet the machine in the same state.")
w("")
w("| implementation | messages/s | MB/s | runs (messages/s) | rows per pass |")
w("|---|---:|---:|---|---:|")
if ma:
    w("| mailauth parse_dsn (from SQL), default storage (pglz) | %s | %.1f | %s | %d |" % (fmt(med(ma)), med(mab), ", ".join(fmt(x) for x in ma), int(sql[0][3]) // R))
if maz:
    w("| mailauth parse_dsn (from SQL), column `COMPRESSION lz4` | %s | %.1f | %s | %d |" % (fmt(med(maz)), med(mazb), ", ".join(fmt(x) for x in maz), int(sqlz[0][3]) // R))
if ss:
    w("| Sisimai (Perl) | %s | %.2f | %s | %s |" % (fmt(med(ss)), med(ssb), ", ".join(fmt(x) for x in ss), si[0][4].split("=")[1]))
else:
    w("| Sisimai (Perl) | – | – | not available | – |")
w("")
if ma and ss:
    x = med(ma) / med(ss)
    w("**parse_dsn / Sisimai: %.1f×** in messages per second with the table's default storage (target: at least 30×): %s." % (x, "holds" if x >= 30 else "does NOT hold"))
    w("<!-- ratio: Bounces parse_dsn vs Sisimai = %.3f -->" % x)
    if len(ma) == len(ss):
        pr = sorted(a / b for a, b in zip(ma, ss))
        w("Round by round (each SQL run against the Sisimai run right after it): median %.1f×, from %.1f× to %.1f×; %d of %d rounds at 30× or more." % (med(pr), pr[0], pr[-1], sum(1 for r in pr if r >= 30), len(pr)))
    if maz:
        xz = med(maz) / med(ss)
        w("With the column compressed by lz4 (`bytea COMPRESSION lz4`, what the README recommends for a bounce table): **%.1f×**." % xz)
    if dt and dtz:
        us = lambda rows: med([float(r[4]) * 1000 / int(r[1]) for r in rows])
        w("")
        w("Of the %.1f µs a message costs with the default storage, reading the values (the scan and PostgreSQL's decompression)" % (1e6 / med(ma)))
        w("takes %.1f µs (%.1f µs with lz4): `SELECT count(*) FROM bounces b WHERE get_byte(b.raw, 0) >= 0` detoasts every value" % (us(dt), us(dtz)))
        w("and parses none.")
    if mar:
        w("")
        w("The form this benchmark had until the sixth session (the earlier figures were measured so): the one-copy table read")
        w("round after round, `generate_series(1, %d) g, LATERAL (SELECT CASE WHEN g > 0 THEN c.raw END AS raw FROM corpus c OFFSET 0) c," % R)
        w("LATERAL mailauth.parse_dsn(c.raw) d`: %s messages/s (runs: %s), **%.1f×** Sisimai." % (fmt(med(mar)), ", ".join(fmt(x) for x in mar), med(mar) / med(ss)))
ins = dict(l.split() for l in open(os.path.join(D, "instr.txt")).read().split("\n") if len(l.split()) == 2)
if "1" in ins and "3" in ins:
    per = (int(ins["3"]) - int(ins["1"])) / (2 * N)
    w("")
    w("In the pure C core alone (`bench/dsn_peers/dsn_core_loop.c` under callgrind, the difference between 3 rounds and 1):")
    w("**%s instructions per message** (%.1f per byte)." % ("{:,.0f}".format(per), per * N / int(E["NBYTES"])))
w("<!-- dsn:end -->")
print("\n".join(out))
PY
"$PYTHON" "$ROOT/bench/splice.py" "$OUT" dsn "$BLOCK"
rm -f "$BLOCK"
log "done: $OUT"

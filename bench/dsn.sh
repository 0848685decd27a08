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
#	  mailauth: the messages are stored in a table (bytea); one statement
#	  runs parse_dsn over all of them, round after round (ROUNDS), timed inside the server with
#	  clock_timestamp(); messages/s and MB/s.  Sisimai: Sisimai->make(DIR)
#	  over the corpus folder in one process (after an untimed warm-up run).
#	  Medians of BENCH_REPS (5) runs.  Skipped when the corpus is absent.
#
# Environment: BENCH_OUT (default BENCHMARKS.md), BENCH_REPS (5), BENCH_DSN_ROUNDS (60),
# MAILAUTH_SHARED (default ../shared).
#
#-------------------------------------------------------------------------
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
REPS=${BENCH_REPS:-5}
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
ma_start_all >/dev/null
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
ANALYZE dsnbench.corpus;
ANALYZE dsnbench.corpus_lz4;
CREATE TABLE dsnbench.runs(tab text, k int, messages bigint, bytes bigint, rows bigint, ms float8);
SQL
NMSG=$(psql_q -c "SELECT count(*) FROM dsnbench.corpus")
NBYTES=$(psql_q -c "SELECT sum(octet_length(raw)) FROM dsnbench.corpus")

log "parse_dsn: $ROUNDS rounds over $NMSG messages per run"
psql_q -c "SELECT count(*) FROM dsnbench.corpus c, LATERAL mailauth.parse_dsn(c.raw) d" >/dev/null
for k in $(seq 1 "$REPS"); do
	for tab in corpus corpus_lz4; do
		psql_q <<SQL
SET jit = off;
DO \$\$
DECLARE t0 timestamptz; n bigint;
BEGIN
  t0 := clock_timestamp();
  SELECT count(*) INTO n FROM generate_series(1, $ROUNDS) g,
    LATERAL (SELECT CASE WHEN g > 0 THEN c.raw END AS raw FROM dsnbench.$tab c OFFSET 0) c,
    LATERAL mailauth.parse_dsn(c.raw) d;
  INSERT INTO dsnbench.runs VALUES ('$tab', $k, $ROUNDS * $NMSG, $ROUNDS * $NBYTES, n,
    extract(epoch FROM clock_timestamp() - t0) * 1000);
END \$\$;
SQL
	done
done
psql_q -c "SELECT k, messages, bytes, rows, ms FROM dsnbench.runs WHERE tab = 'corpus' ORDER BY k" >"$D/sql.tsv"
psql_q -c "SELECT k, messages, bytes, rows, ms FROM dsnbench.runs WHERE tab = 'corpus_lz4' ORDER BY k" >"$D/sql_lz4.tsv"

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

log "Sisimai over the same folder, $REPS runs"
perl "$ROOT/bench/dsn_peers/sisimai_bench.pl" "$EML" "$REPS" >"$D/sisimai.out" 2>"$D/sisimai.err" || true
psql_q -c "DROP SCHEMA dsnbench CASCADE"
export R_PG=$(psql_q -c "SELECT version()")
export R_MA=$(psql_q -c "SELECT mailauth.version()")
export R_GMIME=$(pkg-config --modversion gmime-3.0 2>/dev/null || echo '?')
export R_NPROC=$(nproc) R_CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
export NMSG NBYTES ROUNDS

BLOCK=$(mktemp)
"$PYTHON" - "$D" >"$BLOCK" <<'PY'
import os, statistics, sys
D = sys.argv[1]; E = os.environ
out = []; w = out.append
sql = [l.split("\t") for l in open(os.path.join(D, "sql.tsv")).read().split("\n") if l]
sqlz = [l.split("\t") for l in open(os.path.join(D, "sql_lz4.tsv")).read().split("\n") if l]
si = [l.split() for l in open(os.path.join(D, "sisimai.out")).read().split("\n") if l.startswith("rep ")]
sver = next((l[8:] for l in open(os.path.join(D, "sisimai.out")) if l.startswith("version ")), "not available").strip()
def fmt(x): return "{:,.0f}".format(x)
ma = [int(r[1]) / (float(r[4]) / 1000) for r in sql]
mab = [int(r[2]) / (float(r[4]) / 1000) / 1e6 for r in sql]
maz = [int(r[1]) / (float(r[4]) / 1000) for r in sqlz]
mazb = [int(r[2]) / (float(r[4]) / 1000) / 1e6 for r in sqlz]
ss = [int(r[2]) / float(r[3]) for r in si]
ssb = [int(E["NBYTES"]) / float(r[3]) / 1e6 for r in si]
w("<!-- dsn:begin -->")
w("## Bounces")
w("")
w("Written by `bench/dsn.sh` (medians of %d runs).  Machine: %s CPUs (`nproc`), %s." % (len(sql), E["R_NPROC"], E["R_CPU"]))
w("")
w("- %s" % E["R_PG"])
w("- mailauth %s; GMime %s" % (E["R_MA"], E["R_GMIME"]))
w("- %s" % sver)
w("")
w("The corpus: the %s messages of `../shared/corpus/bounces/eml` (%s bytes, %.1f KiB on average)." % (E["NMSG"], fmt(int(E["NBYTES"])), int(E["NBYTES"]) / int(E["NMSG"]) / 1024))
w("")
w("- mailauth: `SELECT count(*) FROM generate_series(1, %s) g, LATERAL (SELECT CASE WHEN g > 0 THEN c.raw END AS raw FROM corpus c OFFSET 0) c, LATERAL mailauth.parse_dsn(c.raw) d`:" % E["ROUNDS"])
w("  the messages stored as bytea (default storage: the larger ones pglz-compressed; a second table with lz4), each round over the whole")
w("  corpus in turn, as Sisimai reads it (the same message parsed %s times in a row would run about twice as fast, from" % E["ROUNDS"])
w("  warm CPU caches: that is not what a table of bounces looks like), timed inside the server (clock_timestamp()), one backend.")
w("- Sisimai: `Sisimai->make($dir, delivered => 1, vacation => 1)` over the corpus folder, one process,")
w("  after an untimed warm-up run (it reads the files itself).")
w("")
w("| implementation | messages/s | MB/s | runs (messages/s) | rows per pass |")
w("|---|---:|---:|---|---:|")
if ma:
    w("| mailauth parse_dsn (from SQL), default storage (pglz) | %s | %.1f | %s | %d |" % (fmt(statistics.median(ma)), statistics.median(mab), ", ".join(fmt(x) for x in ma), int(sql[0][3]) // int(E["ROUNDS"])))
if maz:
    w("| mailauth parse_dsn (from SQL), column `COMPRESSION lz4` | %s | %.1f | %s | %d |" % (fmt(statistics.median(maz)), statistics.median(mazb), ", ".join(fmt(x) for x in maz), int(sqlz[0][3]) // int(E["ROUNDS"])))
if ss:
    w("| Sisimai (Perl) | %s | %.2f | %s | %s |" % (fmt(statistics.median(ss)), statistics.median(ssb), ", ".join(fmt(x) for x in ss), si[0][4].split("=")[1]))
else:
    w("| Sisimai (Perl) | – | – | not available | – |")
w("")
if ma and ss:
    x = statistics.median(ma) / statistics.median(ss)
    w("**parse_dsn / Sisimai: %.1f×** in messages per second with the table's default storage (target: at least 30×): %s." % (x, "holds" if x >= 30 else "does NOT hold"))
    w("<!-- ratio: Bounces parse_dsn vs Sisimai = %.3f -->" % x)
    if maz:
        xz = statistics.median(maz) / statistics.median(ss)
        w("With the column compressed by lz4 (`bytea COMPRESSION lz4`, what the README recommends for a bounce table): **%.1f×**." % xz)
        w("The difference is PostgreSQL's pglz decompression of the larger messages, not parse_dsn.")
ins = dict(l.split() for l in open(os.path.join(D, "instr.txt")).read().split("\n") if len(l.split()) == 2)
if "1" in ins and "3" in ins:
    per = (int(ins["3"]) - int(ins["1"])) / (2 * int(E["NMSG"]))
    w("")
    w("In the pure C core alone (`bench/dsn_peers/dsn_core_loop.c` under callgrind, the difference between 3 rounds and 1):")
    w("**%s instructions per message** (%.1f per byte)." % ("{:,.0f}".format(per), per * int(E["NMSG"]) / int(E["NBYTES"])))
w("<!-- dsn:end -->")
print("\n".join(out))
PY
"$PYTHON" "$ROOT/bench/splice.py" "$OUT" dsn "$BLOCK"
rm -f "$BLOCK"
log "done: $OUT"

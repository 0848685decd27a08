#!/usr/bin/env bash
#-------------------------------------------------------------------------
#
# bench/parallel.sh
#	  Parallel query over stored messages: parse_dsn() over 200,000 stored
#	  bounces (the corpus of ../shared repeated; our own fixtures when it is
#	  absent), with max_parallel_workers_per_gather = 0 and 2, each timed
#	  inside the server; the plan (EXPLAIN) must show a Gather with workers
#	  launched.  Writes the block between <!-- parallel:begin --> and
#	  <!-- parallel:end --> of BENCHMARKS.md.  Medians of BENCH_REPS (3).
#
# Environment: BENCH_OUT, BENCH_REPS (3), BENCH_PARALLEL_N (200000).
#
#-------------------------------------------------------------------------
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
REPS=${BENCH_REPS:-3}
N=${BENCH_PARALLEL_N:-200000}
PYTHON=/usr/bin/python3
SHARED=${MAILAUTH_SHARED:-$ROOT/../shared}
log() { printf '[parallel-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
source "$ROOT/test/lib.sh"
trap ma_stop_all EXIT
ma_start_all >/dev/null
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At -F $'\t' "$@"; }
psql_q -c "CREATE EXTENSION IF NOT EXISTS mailauth"
SRC=$SHARED/corpus/bounces/eml
[ -d "$SRC" ] || SRC=$ROOT/test/dsn/fixtures
"$PYTHON" - "$SRC" >"$MA_WORK/msgs.tsv" <<'PY'
import base64, glob, os, sys
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    print(base64.b64encode(open(p, "rb").read()).decode())
PY
log "storing $N messages (from $(wc -l <"$MA_WORK/msgs.tsv") distinct ones in $SRC)"
psql_q <<SQL
DROP TABLE IF EXISTS pbench_src, pbench;
CREATE TABLE pbench_src(b64 text);
\copy pbench_src FROM '$MA_WORK/msgs.tsv'
CREATE TABLE pbench AS
  SELECT g AS id, decode(s.b64, 'base64') AS raw
    FROM generate_series(1, $N) g,
         LATERAL (SELECT b64 FROM pbench_src OFFSET (g % (SELECT count(*) FROM pbench_src)) LIMIT 1) s;
ALTER TABLE pbench SET (parallel_workers = 2);
VACUUM ANALYZE pbench;
SQL
BYTES=$(psql_q -c "SELECT pg_size_pretty(sum(octet_length(raw))) FROM pbench")
psql_q -c "SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FILTER (WHERE d.hard_bounce) FROM pbench p, LATERAL mailauth.parse_dsn(p.raw) d" >"$MA_WORK/plan.txt"
# Timed from psql (\timing), the query as a user runs it.  Not inside a DO
# block: PL/pgSQL's SELECT INTO runs the executor with a row limit, which turns
# parallel mode off, so the Gather there launches no workers (an earlier version
# of this benchmark timed that, and measured the serial plan three times).  Each
# configuration's plan is also run under EXPLAIN ANALYZE to record the workers
# it launched.
: >"$MA_WORK/runs.tsv"
Q="SELECT count(*) FILTER (WHERE d.hard_bounce) FROM pbench p, LATERAL mailauth.parse_dsn(p.raw) d"
# "2" = 2 workers and the leader (the default, parallel_leader_participation
# on: three processes on the CPUs); "2w" = the 2 workers alone (leader only
# gathers), what "2 workers" means on a 2-CPU machine
for w in 0 2 2w; do
	nw=${w%w}
	lp=on
	[ "$w" = 2w ] && lp=off
	SETS="SET max_parallel_workers_per_gather = $nw; SET parallel_leader_participation = $lp; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET jit = off;"
	launched=$(psql_q -c "$SETS" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $Q" |
		sed -n 's/.*Workers Launched: *\([0-9]*\).*/\1/p')
	for r in $(seq 1 "$REPS"); do
		out=$(psql -X -q -v ON_ERROR_STOP=1 -A -t -c "$SETS" -c '\timing on' -c "$Q")
		n=$(printf '%s\n' "$out" | sed -n '/^[0-9][0-9]*$/p' | head -1)
		ms=$(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
		[ -n "$n" ] && [ -n "$ms" ] || { log "cannot read run $w/$r: $out"; exit 1; }
		printf '%s %s %s %s %s\n' "$w" "$r" "$n" "$ms" "${launched:-0}" >>"$MA_WORK/runs.tsv"
	done
done
psql_q -c "DROP TABLE pbench_src, pbench"
export R_NPROC=$(nproc)
BLOCK=$(mktemp)
"$PYTHON" - "$MA_WORK/runs.tsv" "$MA_WORK/plan.txt" "$N" "$BYTES" >"$BLOCK" <<'PY'
import os, statistics, sys
runs = [l.split() for l in open(sys.argv[1]) if l.strip()]
plan = open(sys.argv[2]).read().rstrip()
n, size = int(sys.argv[3]), sys.argv[4]
t = {w: [float(r[3]) for r in runs if r[0] == w] for w in ("0", "2", "2w")}
h = {w: {r[2] for r in runs if r[0] == w} for w in ("0", "2", "2w")}
wl = {w: {r[4] for r in runs if r[0] == w} for w in ("0", "2", "2w")}
m0, m2, m2w = statistics.median(t["0"]), statistics.median(t["2"]), statistics.median(t["2w"])
print("<!-- parallel:begin -->")
print("## Parallel query: parse_dsn over %s stored messages" % "{:,}".format(n))
print("")
print("Written by `bench/parallel.sh`; %s CPUs (`nproc`).  %s messages (%s) stored as bytea, the bounce corpus" % (os.environ["R_NPROC"], "{:,}".format(n), size))
print("repeated; `SELECT count(*) FILTER (WHERE d.hard_bounce) FROM pbench p, LATERAL mailauth.parse_dsn(p.raw) d`,")
print("timed by psql's `\\timing` (client round trip included); workers launched read from `EXPLAIN ANALYZE` of the same query.")
print("")
print("| plan | workers launched | time (median) | runs (ms) | messages/s | speed-up | hard bounces counted |")
print("|---|---:|---:|---|---:|---:|---|")
for w, m, label in (("0", m0, "serial (`max_parallel_workers_per_gather = 0`)"),
                    ("2", m2, "2 workers + the leader (`parallel_leader_participation = on`, the default)"),
                    ("2w", m2w, "2 workers, the leader only gathers (`parallel_leader_participation = off`)")):
    print("| %s | %s | %.2f s | %s | %s | %.2f× | %s |" % (label, ", ".join(sorted(wl[w])), m / 1000, ", ".join("%.0f" % x for x in t[w]), "{:,.0f}".format(n / (m / 1000)), m0 / m, ", ".join(sorted(h[w]))))
print("")
x = m0 / m2w
same = h["0"] == h["2"] == h["2w"]
ok = x >= 1.6 and wl["2w"] == {"2"}
print("**Speed-up with 2 workers: %.2f×** (target: at least 1.6× with 2 workers launched: %s); with the leader also scanning, three processes" % (x, "holds" if ok else "does NOT hold"))
print("share the 2 CPUs: %.2f×.  All plans count the same rows: %s.  On a machine with as many CPUs as" % (m0 / m2, "yes" if same else "NO"))
print("workers + 1, leave the default on.")
print("<!-- ratio: Parallel parse_dsn 2 workers vs serial = %.3f -->" % x)
print("")
print("```")
print(plan)
print("```")
print("<!-- parallel:end -->")
PY
"$PYTHON" "$ROOT/bench/splice.py" "$OUT" parallel "$BLOCK"
rm -f "$BLOCK"
log "done: $OUT"

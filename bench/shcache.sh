#!/usr/bin/env bash
#-------------------------------------------------------------------------
#
# bench/shcache.sh
#	  Cached-lookup throughput of the shared DNS cache with 1, 2 and 4
#	  concurrent backends; writes the "Shared DNS cache" block of
#	  BENCHMARKS.md between <!-- shcache:begin --> and <!-- shcache:end -->
#	  (replaced if present, else appended).
#
#	  A throwaway cluster (test/lib.sh) with mailauth in
#	  shared_preload_libraries and the harness's knot.  One backend fills
#	  the shared table with the 1,000 names of bulk.test; then N backends
#	  at once each call dns_lookup() LOOKUPS times over those names with
#	  mailauth.dns_cache_size = 0 (no backend-local cache: every call is a
#	  shared-cache lookup).  Throughput = all calls / (last end - first
#	  start), both taken inside the server with clock_timestamp(); lock
#	  acquisitions and waits are the deltas of dns_shared_cache_stats().
#	  Every run checks that no backend sent a DNS query.  A reference row:
#	  one backend with its own (local) cache.  Medians of BENCH_REPS runs.
#
#	  Needs the extension installed (make install, under the machine's
#	  install lock); it does not install anything itself.
#
# Environment: BENCH_OUT (default BENCHMARKS.md), BENCH_REPS (3),
# BENCH_SHCACHE_LOOKUPS (100000 per backend).
#
#-------------------------------------------------------------------------
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
REPS=${BENCH_REPS:-3}
LOOKUPS=${BENCH_SHCACHE_LOOKUPS:-100000}
PYTHON=/usr/bin/python3
log() { printf '[shcache-bench %s] %s\n' "$(date +%T)" "$*" >&2; }

source "$ROOT/test/lib.sh"
trap ma_stop_all EXIT
log "starting PostgreSQL with mailauth preloaded (test/lib.sh)"
ma_start_all "shared_preload_libraries = 'mailauth'" "mailauth.shared_cache_memory = '64MB'" >/dev/null
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At -F $'\t' "$@"; }
psql_q -c "CREATE EXTENSION IF NOT EXISTS mailauth"
D=$MA_WORK/shcache
mkdir -p "$D"

log "filling the shared table with the 1,000 names of bulk.test"
psql_q -c "SELECT count(*) FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g))" >/dev/null

# one backend's run: prints start_epoch end_epoch calls queries_sent shared_hits
one_run() {	# one_run LOCAL_CACHE(0|1)
	local setting="SET mailauth.dns_cache_size = 0;"
	[ "$1" = 1 ] && setting="SET mailauth.dns_cache_size = 10000;"
	psql_q <<SQL
$setting
SET jit = off;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT count(*) AS n FROM generate_series(0, $LOOKUPS - 1) i,
  LATERAL mailauth.dns_lookup('h' || (i % 1000) || '.bulk.test') l \gset
SELECT :t0, extract(epoch FROM clock_timestamp()), :n, queries_sent, shared_hits FROM mailauth.dns_cache_stats();
SQL
}

counters() { psql_q -c "SELECT lock_acquisitions, lock_waits FROM mailauth.dns_shared_cache_stats()"; }

: >"$D/runs.tsv"
for k in $(seq 1 "$REPS"); do
	for n in 1 2 4; do
		before=$(counters)
		pids=()
		for b in $(seq 1 "$n"); do
			one_run 0 >"$D/run.$n.$b" &
			pids+=($!)
		done
		for p in "${pids[@]}"; do wait "$p"; done
		after=$(counters)
		printf 'shared\t%s\t%s\t%s\t%s' "$k" "$n" "$before" "$after" >>"$D/runs.tsv"
		for b in $(seq 1 "$n"); do printf '\t%s' "$(tr '\t' ' ' <"$D/run.$n.$b")" >>"$D/runs.tsv"; done
		echo >>"$D/runs.tsv"
		log "rep $k, $n backend(s) done"
	done
	before=$(counters)
	one_run 1 >"$D/run.local"
	after=$(counters)
	printf 'local\t%s\t1\t%s\t%s\t%s\n' "$k" "$before" "$after" "$(tr '\t' ' ' <"$D/run.local")" >>"$D/runs.tsv"
done

export R_PG=$(psql_q -c "SELECT version()")
export R_MA=$(psql_q -c "SELECT mailauth.version()")
export R_NPROC=$(nproc) R_CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
export R_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
export LOOKUPS REPS
read -r R_CAP R_SLOT R_MEM R_PARTS < <(psql_q -c "SELECT capacity, slot_size, memory_bytes, partitions FROM mailauth.dns_shared_cache_stats()" | tr '\t' ' ')
export R_CAP R_SLOT R_MEM R_PARTS

BLOCK=$(mktemp)
"$PYTHON" - "$D/runs.tsv" >"$BLOCK" <<'PY'
import os, statistics, sys
E = os.environ
rows = {}
bad = []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    kind, k, n = f[0], int(f[1]), int(f[2])
    acq0, wait0, acq1, wait1 = map(int, f[3:7])
    runs = [r.split() for r in f[7:]]
    t0 = min(float(r[0]) for r in runs)
    t1 = max(float(r[1]) for r in runs)
    calls = sum(int(r[2]) for r in runs)
    sent = sum(int(r[3]) for r in runs)
    per = [int(r[2]) / (float(r[1]) - float(r[0])) for r in runs]
    if sent:
        bad.append("%s/%d backends rep %d sent %d queries" % (kind, n, k, sent))
    acq, waits = acq1 - acq0, wait1 - wait0
    rows.setdefault((kind, n), []).append((calls / (t1 - t0), statistics.mean(per), acq, waits))
def fmt(x): return "{:,.0f}".format(x)
out = []; w = out.append
w("<!-- shcache:begin -->")
w("## Shared DNS cache: cached lookups with 1, 2 and 4 backends")
w("")
w("Written by `bench/shcache.sh` (medians of %s runs).  Machine: %s CPUs (`nproc`), %s; load average at the end %s." % (E["REPS"], E["R_NPROC"], E["R_CPU"], E["R_LOAD"]))
w("")
w("- %s" % E["R_PG"])
w("- mailauth %s, in `shared_preload_libraries`, `mailauth.shared_cache_memory = 64MB`: %s slots of %s bytes, %s bytes, %s partitions (LWLocks)" % (E["R_MA"], fmt(int(E["R_CAP"])), E["R_SLOT"], fmt(int(E["R_MEM"])), E["R_PARTS"]))
w("")
w("One backend first fills the shared table with the 1,000 names of `bulk.test`.  Then N backends at once each run")
w("`SELECT count(*) FROM generate_series(0, %s) i, LATERAL mailauth.dns_lookup('h' || (i %% 1000) || '.bulk.test')`" % fmt(int(E["LOOKUPS"]) - 1))
w("with `mailauth.dns_cache_size = 0` (no backend-local cache: every call looks up the shared table, copies the")
w("answer out under the partition's shared lock and decodes it).  lookups/s = all calls / (last end - first start),")
w("timed inside the server.  Lock waits: `LWLockConditionalAcquire` failed and the backend blocked.")
w("No backend sent a DNS query in any run." if not bad else "**Queries were sent: %s.**" % "; ".join(bad))
w("")
w("| backends | lookups/s, all backends | lookups/s per backend | µs per call (one backend) | lock acquisitions | lock waits per 1,000 acquisitions | runs (lookups/s) |")
w("|---|---:|---:|---:|---:|---:|---|")
for key, label in [(("shared", 1), "1"), (("shared", 2), "2"), (("shared", 4), "4"), (("local", 1), "1, backend-local cache (reference)")]:
    r = rows.get(key)
    if not r:
        continue
    tot = statistics.median(x[0] for x in r)
    per = statistics.median(x[1] for x in r)
    acq = statistics.median(x[2] for x in r)
    wpk = statistics.median((1000.0 * x[3] / x[2]) if x[2] else 0 for x in r)
    w("| %s | %s | %s | %.2f | %s | %s | %s |" % (label, fmt(tot), fmt(per), 1e6 / per, fmt(acq),
      ("%.2f" % wpk) if key[0] == "shared" else "–", ", ".join(fmt(x[0]) for x in r)))
w("")
w("With 2 CPUs, more than 2 backends share the cores: the 4-backend row measures contention, not scaling.")
w("<!-- shcache:end -->")
print("\n".join(out))
PY
cat "$BLOCK" >&2
"$PYTHON" "$ROOT/bench/splice.py" "$OUT" shcache "$BLOCK"
rm -f "$BLOCK"
log "done: $OUT"

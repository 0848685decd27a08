#!/usr/bin/env bash
#-------------------------------------------------------------------------
#
# bench/report.sh
#	  domain_report(domains text[]) over 1,000 domains against a DNS server
#	  that answers every query 20 ms late (bench/delayd.py --spf: each domain
#	  has a three-level SPF include chain; DMARC, MX, the DKIM selectors of
#	  mailauth.dkim_selectors, MTA-STS, TLS-RPT and BIMI are asked too),
#	  against a loop of single domain_report(domain) calls over the same
#	  list.  Writes the block between <!-- report:begin --> and
#	  <!-- report:end --> of BENCHMARKS.md.  Each run starts with an empty
#	  DNS cache; both forms run with mailauth.dns_max_inflight = 1000.
#
# Environment: BENCH_OUT, BENCH_DELAY_MS (20), BENCH_REPORT_N (1000).
#
#-------------------------------------------------------------------------
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
DELAY_MS=${BENCH_DELAY_MS:-20}
N=${BENCH_REPORT_N:-1000}
INFLIGHT=1000
PYTHON=/usr/bin/python3
log() { printf '[report-bench %s] %s\n' "$(date +%T)" "$*" >&2; }

source "$ROOT/test/lib.sh"
DELAYD_PID=
cleanup() {
	[ -n "$DELAYD_PID" ] && { kill "$DELAYD_PID" 2>/dev/null || true; wait "$DELAYD_PID" 2>/dev/null || true; }
	ma_stop_all
}
log "starting PostgreSQL (test/lib.sh) and delayd (${DELAY_MS} ms)"
ma_start_all >/dev/null
trap cleanup EXIT	# after ma_start_all, which sets its own
PORT=$(ma_free_port)
"$PYTHON" "$ROOT/bench/delayd.py" --port "$PORT" --delay-ms "$DELAY_MS" --spf \
	>"$MA_WORK/delayd.out" 2>"$MA_WORK/delayd.log" &
DELAYD_PID=$!
for _ in $(seq 1 50); do grep -q ready "$MA_WORK/delayd.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$MA_WORK/delayd.out" || { echo "delayd did not start" >&2; exit 1; }
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At -F $'\t' "$@"; }
psql_q -c "CREATE EXTENSION IF NOT EXISTS mailauth"
NSEL=$(psql_q -c "SELECT count(*) FROM mailauth.dkim_selectors")

run() {	# run KIND: one timed statement, prints "KIND ms rows queries"
	local stmt
	if [ "$1" = bulk ]; then
		stmt="SELECT count(*) FROM mailauth.domain_report(ARRAY(SELECT 'd' || g || '.spf.bench.test' FROM generate_series(1, $N) g)) r WHERE r.spf_status = 'ok' AND r.spf_lookups = 2"
	else
		stmt="SELECT count(*) FROM generate_series(1, $N) g, LATERAL mailauth.domain_report('d' || g || '.spf.bench.test') r WHERE r.spf_status = 'ok' AND r.spf_lookups = 2"
	fi
	psql_q <<SQL
SET mailauth.dns_servers = '127.0.0.1:$PORT';
SET mailauth.dns_max_inflight = $INFLIGHT;
SET mailauth.dns_timeout = '30s';
SET jit = off;
SELECT mailauth.dns_cache_reset();
CREATE TEMP TABLE t(ms float8, n bigint);
DO \$\$ DECLARE t0 timestamptz; n bigint; BEGIN
  t0 := clock_timestamp();
  EXECUTE '$(printf '%s' "$stmt" | sed "s/'/''/g")' INTO n;
  INSERT INTO t VALUES (extract(epoch FROM clock_timestamp() - t0) * 1000, n);
END \$\$;
SELECT '$1', round(ms::numeric, 1), n, (SELECT queries_sent FROM mailauth.dns_cache_stats()) FROM t;
SQL
}
log "bulk: domain_report(domains[]) over $N domains"
BULK=$(run bulk | tail -1)
log "loop: $N single domain_report(domain) calls"
LOOP=$(run loop | tail -1)
log "bulk: $BULK; loop: $LOOP"

BLOCK=$(mktemp)
"$PYTHON" - "$BULK" "$LOOP" "$N" "$DELAY_MS" "$INFLIGHT" "$NSEL" >"$BLOCK" <<'PY'
import sys
bulk, loop, n, delay, inflight, nsel = sys.argv[1].split("\t"), sys.argv[2].split("\t"), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
bms, bn, bq = float(bulk[1]), int(bulk[2]), int(bulk[3])
lms, ln, lq = float(loop[1]), int(loop[2]), int(loop[3])
ideal = (bq / int(inflight)) * int(delay)
x = lms / bms
print("<!-- report:begin -->")
print("## Sender trust: domain_report over %d domains" % n)
print("")
print("Written by `bench/report.sh`.  `bench/delayd.py --spf` answers every query %s ms late; each domain" % delay)
print("`dN.spf.bench.test` has a three-level SPF include chain (2 lookups), and domain_report also asks for DMARC")
print("(the domain, then its organizational domain), MX, the %s selectors of `mailauth.dkim_selectors`," % nsel)
print("MTA-STS, TLS-RPT and BIMI.  Each form starts with an empty cache; `mailauth.dns_max_inflight = %s`." % inflight)
print("")
print("| form | time | domains reported correctly | DNS queries sent |")
print("|---|---:|---:|---:|")
print("| `domain_report(domains text[])` (one call) | %.2f s | %d / %d | %s |" % (bms / 1000, bn, n, "{:,}".format(bq)))
print("| loop of `domain_report(domain)` (LATERAL) | %.2f s | %d / %d | %s |" % (lms / 1000, ln, n, "{:,}".format(lq)))
print("")
print("**The list form is %.1f× faster than the loop** (target: at least 20×: %s).  The physical limit for the" % (x, "holds" if x >= 20 else "does NOT hold"))
print("queries sent, (queries ÷ in-flight limit) × latency, is %.2f s: the list form takes %.1f× that." % (ideal / 1000, bms / ideal if ideal else 0))
print("<!-- report:end -->")
PY
"$PYTHON" "$ROOT/bench/splice.py" "$OUT" report "$BLOCK"
rm -f "$BLOCK"
log "done: $OUT"

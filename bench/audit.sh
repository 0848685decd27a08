#!/usr/bin/env bash
#-------------------------------------------------------------------------
#
# bench/audit.sh
#	  The nightly audit of a CRM's sender domains: domain_report(domains
#	  text[]) over 10,000 domains against a real DNS server (knot) whose
#	  every answer arrives 20 ms late, compared with the physical limit and
#	  with peers doing the same checks in the same run:
#	    - the npm package mailauth, a pool of 50 domains at a time (each
#	      domain's checks awaited in turn; and a second run with each
#	      domain's checks started at once);
#	    - a sequential checker, pyspf + dnspython, one domain after another
#	      as checkdmarc works (over the first BENCH_AUDIT_SEQ_N domains, its
#	      time for all of them extrapolated from that rate).
#	  Writes the block between <!-- audit:begin --> and <!-- audit:end --> of
#	  BENCHMARKS.md.
#
#	  The 20 ms: a network namespace with a veth pair and netem on it, knot
#	  inside (needs root and the sch_netem qdisc); where the kernel has no
#	  netem (as on the machines this project runs CI on), bench/dnsdelay.c, a
#	  forwarder on loopback that holds every answer of knot for 20 ms.  The
#	  report says which one ran.
#
#	  The zone (generated): dN.audit.test with a three-level SPF include chain
#	  (2 lookups), MX, a DMARC record for 3 domains in 4 (the others fall back
#	  to audit.test's), a DKIM key under selector1 for every second domain and
#	  under google for every third, MTA-STS and TLS-RPT for every fifth, BIMI
#	  for every tenth.  domain_report() asks the 25 selectors of
#	  mailauth.dkim_selectors; the peers ask the same 25.
#
#	  The ideal time: (DNS answers needed ÷ in-flight limit) × latency, the
#	  answers needed being the queries mailauth sent (its own counters).
#
# Environment: BENCH_OUT, BENCH_DELAY_MS (20), BENCH_AUDIT_N (10000),
# BENCH_AUDIT_INFLIGHT (1000), BENCH_AUDIT_REPS (3), BENCH_AUDIT_POOL (50),
# BENCH_AUDIT_NPM_N (= N), BENCH_AUDIT_SEQ_N (50), BENCH_NPM_MAILAUTH
# ("mailauth"), BENCH_AUDIT_NETEM (auto; 0 = never try netem),
# BENCH_AUDIT_PEERS (1; 0 = mailauth alone).
#
#-------------------------------------------------------------------------
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
DELAY_MS=${BENCH_DELAY_MS:-20}
N=${BENCH_AUDIT_N:-10000}
INFLIGHT=${BENCH_AUDIT_INFLIGHT:-1000}
REPS=${BENCH_AUDIT_REPS:-3}
POOL=${BENCH_AUDIT_POOL:-50}
NNPM=${BENCH_AUDIT_NPM_N:-$N}
NSEQ=${BENCH_AUDIT_SEQ_N:-50}
NPM_SPEC=${BENCH_NPM_MAILAUTH:-mailauth}
PYTHON=/usr/bin/python3
NS=mabench$$
log() { printf '[audit-bench %s] %s\n' "$(date +%T)" "$*" >&2; }

source "$ROOT/test/lib.sh"
DELAY_PID=
NS_KNOT_PID=
NPM_DIR=
cleanup() {
	[ -n "$DELAY_PID" ] && { kill "$DELAY_PID" 2>/dev/null || true; wait "$DELAY_PID" 2>/dev/null || true; }
	[ -n "$NS_KNOT_PID" ] && { kill "$NS_KNOT_PID" 2>/dev/null || true; wait "$NS_KNOT_PID" 2>/dev/null || true; }
	ip netns del "$NS" 2>/dev/null || true
	ip link del "${NS}a" 2>/dev/null || true
	[ -n "$NPM_DIR" ] && rm -rf "$NPM_DIR"
	ma_stop_all
}

log "starting PostgreSQL and knot (test/lib.sh)"
# preloaded: the shared DNS cache (emptied before every timed run; a last
# backend then audits the same domains from it)
ma_start_all "shared_preload_libraries = 'mailauth'" "mailauth.shared_cache_memory = '1GB'" >/dev/null
trap cleanup EXIT	# after ma_start_all, which sets its own
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At -F $'\t' "$@"; }
psql_q -c "CREATE EXTENSION IF NOT EXISTS mailauth"
SELECTORS=$(psql_q -c "SELECT string_agg(selector, ',' ORDER BY selector) FROM mailauth.dkim_selectors")
NSEL=$(echo "$SELECTORS" | tr ',' '\n' | wc -l)

# the zone, as a root zone file (one master file for every name)
ZONE=$MA_WORK/audit.zone
log "generating the zone: $N domains"
"$PYTHON" - "$N" >"$ZONE" <<'PY'
import sys
n = int(sys.argv[1])
key = ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtXlW3kTRJwnN5j9Ggr8iK2d0f5rWZlMMyQ7b0mZ2wWwOEhT"
       "7VQJbq6t9Eo5UrzJQw0g0g3nq2YwqGJqkJvJXhM2lU3nZ0W0mY8r3yXo7l2JQm2C9b2nG4q0bq5sV1d6j8yWcQm0Rk"
       "b1wG0YbGZKp1xS7JxH3cM0Pq3yL9f2tXg5Jm0kQv1o0h1C8wYd2Q0b3E1n4w0bQh7kT2b5m5s8c9YpP1mJ3aZt0L0f"
       "4h2vB6lC5kY9cM1rX8t0aQ3s7wD2eF1gH4jK6lM9nP0qR2sT5uV8wX1yZ3aB4cD6eF8gH0iJ2kL4mN6oP8qR0sT2uV"
       "4wX6yZ8aBAgMBAAE")
w = sys.stdout.write
w("$ORIGIN .\n$TTL 3600\n")
w(". SOA ns.audit.test. hostmaster.audit.test. 1 3600 600 86400 300\n. NS ns.audit.test.\n")
w("ns.audit.test. A 127.0.0.1\nmx.audit.test. A 192.0.2.25\n")
w('_dmarc.audit.test. TXT "v=DMARC1; p=none"\n')
for i in range(1, n + 1):
    d = "d%d.audit.test." % i
    w('%s TXT "v=spf1 include:i1.%s -all"\n' % (d, d[:-1]))
    w('i1.%s TXT "v=spf1 include:i2.%s ~all"\n' % (d, d[:-1]))
    w('i2.%s TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' % d)
    w("%s MX 10 mx.audit.test.\n" % d)
    if i % 4:
        w('_dmarc.%s TXT "v=DMARC1; p=reject; rua=mailto:dmarc@%s"\n' % (d, d[:-1]))
    if i % 2 == 0:
        w('selector1._domainkey.%s TXT "v=DKIM1; k=rsa; p=%s"\n' % (d, key))
    if i % 3 == 0:
        w('google._domainkey.%s TXT "v=DKIM1; k=rsa; p=%s"\n' % (d, key))
    if i % 5 == 0:
        w('_mta-sts.%s TXT "v=STSv1; id=20261122"\n' % d)
        w('_smtp._tls.%s TXT "v=TLSRPTv1; rua=mailto:tls@%s"\n' % (d, d[:-1]))
    if i % 10 == 0:
        w('default._bimi.%s TXT "v=BIMI1; l=https://%sexample/logo.svg"\n' % (d, d))
PY

# the 20 ms: netem in a namespace, else dnsdelay on loopback
MODE=
if [ "${BENCH_AUDIT_NETEM:-auto}" != 0 ] && [ "$(id -u)" -eq 0 ] &&
	ip netns add "$NS" 2>/dev/null &&
	ip link add "${NS}a" type veth peer name "${NS}b" 2>/dev/null &&
	ip link set "${NS}b" netns "$NS" &&
	ip addr add 10.203.77.1/24 dev "${NS}a" && ip link set "${NS}a" up &&
	ip netns exec "$NS" ip addr add 10.203.77.2/24 dev "${NS}b" &&
	ip netns exec "$NS" ip link set "${NS}b" up && ip netns exec "$NS" ip link set lo up &&
	ip netns exec "$NS" tc qdisc add dev "${NS}b" root netem delay "${DELAY_MS}ms" limit 1000000 2>/dev/null; then
	KD=$MA_WORK/nsknot
	mkdir -p "$KD/db"
	cat >"$KD/knot.conf" <<CONF
server:
    rundir: "$KD"
    listen: 10.203.77.2@53
log:
  - target: stderr
    any: error
database:
    storage: "$KD/db"
template:
  - id: default
    storage: "$KD"
    semantic-checks: off
zone:
  - domain: .
    file: "$ZONE"
    journal-content: none
    zonefile-sync: -1
CONF
	ip netns exec "$NS" knotd -c "$KD/knot.conf" >"$KD/knotd.log" 2>&1 &
	NS_KNOT_PID=$!
	for _ in $(seq 1 100); do
		kdig +short +time=1 +retry=0 @10.203.77.2 TXT d1.audit.test 2>/dev/null | grep -q spf1 && { MODE=netem; break; }
		sleep 0.2
	done
	DNS=10.203.77.2:53
fi
if [ -z "$MODE" ]; then
	ip netns del "$NS" 2>/dev/null || true
	ip link del "${NS}a" 2>/dev/null || true
	log "no netem here: knot on loopback behind bench/dnsdelay (${DELAY_MS} ms per answer)"
	ma_start_root_zone "$ZONE" d1.audit.test TXT
	mkdir -p "$ROOT/bench/bin"
	cc -O2 -Wall -o "$ROOT/bench/bin/dnsdelay" "$ROOT/bench/dnsdelay.c"
	DPORT=$(ma_free_port)
	"$ROOT/bench/bin/dnsdelay" "$DPORT" "${MA_ROOT_DNS##*:}" "$DELAY_MS" >"$MA_WORK/dnsdelay.out" 2>"$MA_WORK/dnsdelay.log" &
	DELAY_PID=$!
	for _ in $(seq 1 50); do grep -q ready "$MA_WORK/dnsdelay.out" 2>/dev/null && break; sleep 0.1; done
	DNS=127.0.0.1:$DPORT
	MODE=dnsdelay
else
	log "netem in namespace $NS: knot on 10.203.77.2, ${DELAY_MS} ms per answer"
fi
RTT=$( { /usr/bin/time -f %e kdig +short +retry=0 @"${DNS%:*}" -p "${DNS##*:}" TXT d1.audit.test >/dev/null; } 2>&1 | tail -1)
log "one query through it: ${RTT} s"

# mailauth: REPS runs, each from an empty cache
CHECK="r.spf_status = 'ok' AND r.spf_lookups = 2
	AND r.dmarc_policy = CASE WHEN k % 4 = 0 THEN 'none' ELSE 'reject' END
	AND r.mx_hosts = ARRAY['10 mx.audit.test']
	AND coalesce(cardinality(r.dkim_selectors), 0) = (k % 2 = 0)::int + (k % 3 = 0)::int
	AND (r.mta_sts IS NOT NULL) = (k % 5 = 0) AND (r.tls_rpt IS NOT NULL) = (k % 5 = 0)
	AND (r.bimi IS NOT NULL) = (k % 10 = 0)"
: >"$MA_WORK/ours.tsv"
for rep in $(seq 1 "$REPS"); do
	log "mailauth: domain_report(domains[]) over $N domains, run $rep of $REPS"
	psql_q >>"$MA_WORK/ours.tsv" <<SQL
SET mailauth.dns_servers = '$DNS';
SET mailauth.dns_max_inflight = $INFLIGHT;
SET jit = off;
SELECT mailauth.dns_shared_cache_reset();
SELECT mailauth.dns_cache_reset();
CREATE TEMP TABLE t(ms float8, n bigint, ok bigint);
DO \$\$ DECLARE t0 timestamptz; BEGIN
  t0 := clock_timestamp();
  CREATE TEMP TABLE r AS SELECT * FROM mailauth.domain_report(ARRAY(SELECT 'd' || g || '.audit.test' FROM generate_series(1, $N) g));
  INSERT INTO t SELECT extract(epoch FROM clock_timestamp() - t0) * 1000, count(*),
    count(*) FILTER (WHERE $CHECK)
    FROM (SELECT r.*, split_part(substr(r.domain, 2), '.', 1)::int AS k FROM r) r;
END \$\$;
SELECT round(ms::numeric, 1), n, ok, (SELECT queries_sent FROM mailauth.dns_cache_stats()),
       (SELECT timeouts FROM mailauth.dns_cache_stats()) FROM t;
SQL
done
cat "$MA_WORK/ours.tsv" | sed 's/^/[audit-bench] mailauth: /' >&2
log "a second backend audits the same domains from the shared cache"
psql_q >"$MA_WORK/second.tsv" <<SQL
SET mailauth.dns_servers = '$DNS';
SET mailauth.dns_max_inflight = $INFLIGHT;
SET jit = off;
CREATE TEMP TABLE t(ms float8, n bigint, ok bigint);
DO \$\$ DECLARE t0 timestamptz; BEGIN
  t0 := clock_timestamp();
  CREATE TEMP TABLE r AS SELECT * FROM mailauth.domain_report(ARRAY(SELECT 'd' || g || '.audit.test' FROM generate_series(1, $N) g));
  INSERT INTO t SELECT extract(epoch FROM clock_timestamp() - t0) * 1000, count(*),
    count(*) FILTER (WHERE $CHECK)
    FROM (SELECT r.*, split_part(substr(r.domain, 2), '.', 1)::int AS k FROM r) r;
END \$\$;
SELECT round(ms::numeric, 1), n, ok, s.queries_sent, s.shared_hits, g.entries, g.too_big
  FROM t, mailauth.dns_cache_stats() s, mailauth.dns_shared_cache_stats() g;
SQL
sed 's/^/[audit-bench] second backend: /' "$MA_WORK/second.tsv" >&2

# the npm package mailauth
: >"$MA_WORK/npm.out"
if [ "${BENCH_AUDIT_PEERS:-1}" != 0 ] && command -v node >/dev/null && command -v npm >/dev/null; then
	NPM_DIR=$(mktemp -d /tmp/mailauth-audit-npm.XXXXXX)
	log "npm install $NPM_SPEC (in $NPM_DIR)"
	if (cd "$NPM_DIR" && timeout 300 npm install --no-audit --no-fund --no-package-lock --silent "$NPM_SPEC") >"$MA_WORK/npm.log" 2>&1; then
		for mode in serial parallel; do
			log "npm mailauth, pool $POOL, $mode, $NNPM domains"
			echo "mode $mode" >>"$MA_WORK/npm.out"
			node "$ROOT/bench/audit_peers/npm_audit.js" "$NPM_DIR" "$DNS" "$mode" "$POOL" "$NNPM" "$SELECTORS" \
				>>"$MA_WORK/npm.out" 2>>"$MA_WORK/npm.err" || echo "failed" >>"$MA_WORK/npm.out"
		done
	else
		echo "install failed" >>"$MA_WORK/npm.out"
	fi
fi
sed -n 's/^done/&/p' "$MA_WORK/npm.out" | sed 's/^/[audit-bench] npm: /' >&2

# the sequential checker
: >"$MA_WORK/seq.out"
/usr/bin/python3 -c 'import spf' 2>/dev/null || apt-get install -y -qq python3-spf >/dev/null 2>&1 || true
if [ "${BENCH_AUDIT_PEERS:-1}" != 0 ] && /usr/bin/python3 -c 'import spf, dns.resolver' 2>/dev/null; then
	log "sequential checker (pyspf + dnspython), $NSEQ domains"
	/usr/bin/python3 "$ROOT/bench/audit_peers/seq_audit.py" "$DNS" "$NSEQ" "$SELECTORS" >"$MA_WORK/seq.out" 2>"$MA_WORK/seq.err" || true
fi
kill "$DELAY_PID" 2>/dev/null && wait "$DELAY_PID" 2>/dev/null || true
DELAY_PID=
DELAY_STATS=$(cat "$MA_WORK/dnsdelay.log" 2>/dev/null || true)

export MODE DELAY_MS N INFLIGHT POOL NNPM NSEQ NSEL RTT DELAY_STATS
export R_PG=$(psql_q -c "SELECT version()") R_MA=$(psql_q -c "SELECT mailauth.version()")
export R_NPROC=$(nproc) R_CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
BLOCK=$(mktemp)
"$PYTHON" - "$MA_WORK" >"$BLOCK" <<'PY'
import os, statistics, sys
W = sys.argv[1]; E = os.environ
N, inflight, delay = int(E["N"]), int(E["INFLIGHT"]), float(E["DELAY_MS"])
ours = [l.split("\t") for l in open(os.path.join(W, "ours.tsv")).read().split("\n") if l.strip()]
ms = [float(r[0]) for r in ours]
med = statistics.median(ms)
mid = ours[ms.index(med)] if med in ms else ours[0]
q = int(mid[3])
ideal = q / inflight * delay
def parse_done(path):
    out = {}; mode = None; ver = None
    for l in open(path).read().split("\n"):
        if l.startswith("mode "): mode = l[5:]
        elif l.startswith("version "): ver = l[8:]
        elif l.startswith("done "):
            f = l.split(); out[mode] = (int(f[1]), float(f[2]), dict(kv.split("=") for kv in f[3:]))
    return out, ver
npm, npmver = parse_done(os.path.join(W, "npm.out"))
seqs, seqver = parse_done(os.path.join(W, "seq.out"))
seq = seqs.get(None)
w = print
w("<!-- audit:begin -->")
w("## The 10,000-domain audit: domain_report(domains text[]) at %g ms per answer" % delay)
w("")
w("Written by `bench/audit.sh`.  Machine: %s CPUs (`nproc`), %s; %s; mailauth %s." % (E["R_NPROC"], E["R_CPU"], E["R_PG"].split(" on ")[0], E["R_MA"]))
if E["MODE"] == "netem":
    w("The latency: netem (%g ms) on a veth pair into a network namespace, knot inside it." % delay)
else:
    w("The latency: this kernel has no netem qdisc, so knot runs on loopback behind `bench/dnsdelay.c`, a forwarder")
    w("that holds every answer %g ms (one query through it: %s s).  Knot, the forwarder and PostgreSQL share the CPUs." % (delay, E["RTT"]))
w("%d generated domains (`dN.audit.test`: a three-level SPF include chain, MX, DMARC, DKIM keys under two of the" % N)
w("%s selectors of `mailauth.dkim_selectors`, MTA-STS, TLS-RPT, BIMI for some); every check of domain_report() is" % E["NSEL"])
w("asked of every domain, and every row is compared with what the zone holds.")
w("")
w("| implementation | time for %s domains | domains/s | correct | DNS queries | ratio (their time ÷ ours) |" % "{:,}".format(N))
w("|---|---:|---:|---|---:|---:|")
okall = all(int(r[2]) == N for r in ours)
w("| mailauth `domain_report(domains text[])`, in-flight %d (median of %d: %s s) | %.2f s | %s | %s | %s | |" % (
    inflight, len(ms), ", ".join("%.2f" % (x / 1000) for x in ms), med / 1000, "{:,.0f}".format(N / (med / 1000)),
    "%s / %d rows" % (mid[2], N), "{:,}".format(q)))
ratios = {}
for mode, label in (("serial", "each domain's checks one after another"), ("parallel", "each domain's checks all at once")):
    if mode in npm:
        n, secs, c = npm[mode]
        t = secs * N / n
        ratios[mode] = t / (med / 1000)
        w("| npm mailauth, pool of %s domains, %s%s | %.1f s | %s | spf pass %s, dmarc %s, errors %s | | **%.1f×** |" % (
            E["POOL"], label, "" if n == N else " (%d domains, time scaled)" % n, t, "{:,.0f}".format(n / secs),
            c["spf_pass"], c["dmarc"], c["errors"], ratios[mode]))
if seq:
    n, secs, c = seq
    t = secs * N / n
    ratios["seq"] = t / (med / 1000)
    w("| sequential checker (pyspf + dnspython, as checkdmarc), %d domains timed, scaled to %s | %.0f s | %.1f | spf pass %s of %d, errors %s | | **%.0f×** |" % (
        n, "{:,}".format(N), t, n / secs, c["spf_pass"], n, c["errors"], ratios["seq"]))
w("")
w("Versions: %s; %s." % (npmver or "npm mailauth not available", seqver or "pyspf not available"))
w("")
w("**Against the physical limit:** %s queries ÷ %d in flight × %g ms = %.2f s; the audit took %.2f s, **%.2f× the ideal**" % (
    "{:,}".format(q), inflight, delay, ideal / 1000, med / 1000, med / ideal))
w("(target: within 1.5×: %s).  " % ("holds" if med / ideal <= 1.5 else "does NOT hold"), )
if "serial" in ratios:
    w("**Against npm mailauth with a pool of %s:** %.1f× (target: at least 10×: %s)%s." % (
        E["POOL"], ratios["serial"], "holds" if ratios["serial"] >= 10 else "does NOT hold",
        "; %.1f× when each domain's checks run at once" % ratios["parallel"] if "parallel" in ratios else ""))
w("<!-- ratio: Audit domain_report[] vs the ideal time = %.3f -->" % (ideal / med))
for k, lab in (("serial", "npm mailauth pool %s" % E["POOL"]), ("parallel", "npm mailauth pool %s, checks at once" % E["POOL"]), ("seq", "sequential pyspf checker")):
    if k in ratios:
        w("<!-- ratio: Audit domain_report[] vs %s = %.3f -->" % (lab, ratios[k]))
sec = [l.split("\t") for l in open(os.path.join(W, "second.tsv")).read().split("\n") if l.strip()]
if sec:
    r = sec[-1]
    w("")
    w("**With the shared cache** (`shared_preload_libraries = 'mailauth'`, `mailauth.shared_cache_memory = '1GB'`; every")
    w("timed run above starts with it emptied): a second backend auditing the same %s domains right after took %.2f s," % ("{:,}".format(N), float(r[0]) / 1000))
    w("%s / %s rows correct, and sent **%s DNS queries** (%s answers from the shared cache, which held %s entries; %s too big for a slot)." % (
        r[2], r[1], r[3], "{:,}".format(int(r[4])), "{:,}".format(int(r[5])), r[6]))
if not okall:
    w("")
    w("**Some rows did not match the zone**: see the table.")
w("<!-- audit:end -->")
PY
"$PYTHON" "$ROOT/bench/splice.py" "$OUT" audit "$BLOCK"
rm -f "$BLOCK"
log "done: $OUT"

#!/usr/bin/env bash
# test/pgbench.sh: CLIENTS (8) concurrent sessions for DURATION (600) seconds
# calling every SQL function of mailauth (test/pgbench/mixed.sql: parsers,
# DNS-backed functions against knot on loopback, expected errors, cache
# resets), then checks:
#   - pgbench: every transaction succeeded (no failed transaction, no
#     aborted client: an unexpected error aborts its client);
#   - the server log: no ERROR, FATAL, PANIC or crash line beyond the
#     expected ones (EXPECTED_LOG, a regular expression; none by default:
#     the expected errors are caught in PL/pgSQL and so not logged);
#   - the DNS answers of a fresh session, asked twice (the second time from
#     the cache), agree with the zone served by knot;
#   - the backends' resident memory, sampled during the run: reported, and
#     for runs of 120 s or more each backend grows by less than
#     RSS_LIMIT_KB (5120) from the end of the first quarter to the end.
# Uses the installed mailauth (install it first, under the install lock):
#   flock /tmp/ma-install.lock bash -c 'make -s install && DURATION=600 test/pgbench.sh'
# Prints TAP lines and "N passed, N failed".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DURATION=${DURATION:-600}
CLIENTS=${CLIENTS:-8}
JOBS=${JOBS:-2}
RSS_LIMIT_KB=${RSS_LIMIT_KB:-5120}
EXPECTED_LOG=${EXPECTED_LOG:-}
SCRIPT=${PGBENCH_SCRIPT:-test/pgbench/mixed.sql}

source "$ROOT/test/lib.sh"
ma_start_all "log_min_messages = warning" "log_min_error_statement = error" \
	"shared_preload_libraries = 'mailauth'" "mailauth.shared_cache_memory = '16MB'"

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

echo "== setup: the extension, the fixtures, pgb.expect_error"
psql -X -q -v ON_ERROR_STOP=1 -f test/pgbench/setup.sql
fixtures=(test/dsn/fixtures/*.eml)
# mixed.sql picks an id in 0 .. nbounce - 1 (pgbench -D nbounce=...)
[ ${#fixtures[@]} -ge 1 ] || { echo "no bounce fixtures in test/dsn/fixtures" >&2; exit 1; }
for id in "${!fixtures[@]}"; do
	f=${fixtures[$id]}
	hex=$(od -An -v -tx1 "$f" | tr -d ' \n')
	if iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then utf8=true; else utf8=false; fi
	echo "INSERT INTO pgb.bounce VALUES ($id, decode('$hex', 'hex'), $utf8);"
done | psql -X -q -v ON_ERROR_STOP=1
# the signed message of sql/dkim_verify.sql (1) and an altered copy (2)
perl -0777 -ne 'my ($m) = /\(\x27pass\x27, \$m\$(.*?)\$m\$\)/s or die "no fixture\n"; $m =~ s/\x27/\x27\x27/g;
	print "INSERT INTO pgb.msg VALUES (1, \x27$m\x27), (2, replace(\x27$m\x27, \x27signed\x27, \x27changed\x27));\n"' \
	sql/dkim_verify.sql | psql -X -q -v ON_ERROR_STOP=1
log_start=$(wc -l < "$MA_WORK/postgres.log")

echo "== pgbench -n -c $CLIENTS -j $JOBS -T $DURATION -f $SCRIPT"
# resident memory of the pgbench backends, sampled during the run
rss_sample() {	# rss_sample LABEL: "LABEL pid kB" per backend
	local pids p kb
	pids=$(psql -X -qAt -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench'" 2>/dev/null || true)
	for p in $pids; do
		kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
		[ -n "$kb" ] && echo "$1 $p $kb"
	done
	return 0
}
early=$((DURATION / 4)); [ "$early" -lt 2 ] && early=2
late=$((DURATION - 3)); [ "$late" -le "$early" ] && late=$((early + 1))
(
	sleep "$early"; rss_sample early
	sleep $((late - early)); rss_sample late
) > "$MA_WORK/rss.txt" &
sampler=$!
set +e
pgbench -n -c "$CLIENTS" -j "$JOBS" -T "$DURATION" -D nbounce="${#fixtures[@]}" -f "$SCRIPT" > "$MA_WORK/pgbench.out" 2> "$MA_WORK/pgbench.err"
rc=$?
set -e
wait "$sampler" || true
cat "$MA_WORK/pgbench.out"
grep -v '^pgbench (' "$MA_WORK/pgbench.err" | head -20 || true

processed=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$MA_WORK/pgbench.out")
failedtx=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$MA_WORK/pgbench.out")
aborted=$(grep -c 'aborted' "$MA_WORK/pgbench.err" || true)
tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$MA_WORK/pgbench.out")
if [ "$rc" -eq 0 ] && [ "${processed:-0}" -gt 0 ]; then tap 1 "pgbench ran: ${processed} transactions, ${tps:-?} tps"
else tap 0 "pgbench ran (exit status $rc, ${processed:-no} transactions)"; fi
if [ "${failedtx:-x}" = 0 ]; then tap 1 "no failed transaction"; else tap 0 "no failed transaction (${failedtx:-not reported})"; fi
if [ "$aborted" -eq 0 ]; then tap 1 "no aborted client"; else tap 0 "no aborted client ($aborted)"; fi

echo "== the server log"
bad=$(tail -n +"$((log_start + 1))" "$MA_WORK/postgres.log" |
	grep -E 'ERROR|FATAL|PANIC|terminated by signal|was terminated by exception|exited with exit code|server process' |
	{ if [ -n "$EXPECTED_LOG" ]; then grep -vE "$EXPECTED_LOG"; else cat; fi; } || true)
if [ -z "$bad" ]; then tap 1 "no unexpected ERROR, FATAL, PANIC or crash in the server log"
else tap 0 "no unexpected ERROR, FATAL, PANIC or crash in the server log ($(echo "$bad" | wc -l) lines)"; echo "$bad" | head -20; fi

echo "== the DNS answers after the run"
# 1,000 bulk names (198.18.i/256.i%256) and the names of mailauth.test, asked
# twice by a fresh backend: the second answers come from the cache.
# The cluster preloads mailauth, so all of this ran on the shared DNS cache
# too (checked below).
mism=$(psql -X -qAt <<'SQL'
CREATE TEMP TABLE expected AS
  SELECT 'h' || g || '.bulk.test' AS name, '198.18.' || (g / 256) || '.' || (g % 256) AS data FROM generate_series(0, 999) g;
CREATE TEMP TABLE answers AS
  SELECT r, l.query AS name, l.data FROM generate_series(1, 2) r,
    LATERAL mailauth.dns_lookup(ARRAY(SELECT name FROM expected WHERE r > 0)) l;
SELECT count(*) FROM generate_series(1, 2) r CROSS JOIN expected e
  WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE a.r = r.r AND a.name = e.name AND a.data = e.data)
     OR (SELECT count(*) FROM answers a WHERE a.r = r.r AND a.name = e.name) <> 1;
SQL
)
if [ "$mism" = 0 ]; then tap 1 "1,000 names asked twice: every answer as in the zone"; else tap 0 "1,000 names asked twice: ${mism:-?} answers differ from the zone"; fi
# the shared cache after the run: one fresh backend fills it with the 1,000
# names (if they are not there yet), a second fresh backend must get every
# answer from it (no query sent), as in the zone, and the table within bounds
psql -X -qAt -c "SELECT count(*) FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g))" >/dev/null
shared=$(psql -X -qAt -F ' ' <<'SQL'
CREATE TEMP TABLE answers AS
  SELECT l.query AS name, l.data FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g)) l;
SELECT (SELECT count(*) FROM generate_series(0, 999) g
         WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE a.name = 'h' || g || '.bulk.test'
                                                     AND a.data = '198.18.' || (g / 256) || '.' || (g % 256))),
       s.queries_sent, s.shared_hits, g.enabled, (g.entries <= g.capacity), g.entries
  FROM mailauth.dns_cache_stats() s, mailauth.dns_shared_cache_stats() g;
SQL
)
read -r smism squeries shits senabled sbound sentries <<< "$shared"
if [ "$senabled" = t ] && [ "$smism" = 0 ] && [ "$squeries" = 0 ] && [ "${shits:-0}" -ge 1000 ] && [ "$sbound" = t ]; then
	tap 1 "shared cache consistent: a fresh backend got 1,000 answers from it ($shits shared hits, 0 queries), as in the zone; $sentries entries within capacity"
else
	tap 0 "shared cache consistent (enabled $senabled, $smism answers differ, $squeries queries sent, $shits shared hits, within capacity $sbound)"
fi

dnsport=${MAILAUTH_TEST_DNS##*:}
ok=1
for q in "www.mailauth.test A" "www.mailauth.test AAAA" "mailauth.test MX" "mailauth.test TXT" "alias1.mailauth.test A"; do
	read -r qname qtype <<< "$q"
	want=$(kdig +short +time=2 @127.0.0.1 -p "$dnsport" "$qname" "$qtype" | tr -d '"' | sort | tr '\n' ' ' || true)
	got=$(psql -X -qAt -c "SELECT data FROM generate_series(1, 2) r, LATERAL mailauth.dns_lookup('$qname', '$qtype') WHERE r = 2" |
		sort | tr '\n' ' ' || true)
	if [ -z "$want" ] || [ "$got" != "$want" ]; then ok=0; echo "  $qname $qtype: mailauth '$got', knot '$want'"; fi
done
if [ $ok -eq 1 ]; then tap 1 "cached answers of mailauth.test agree with kdig"; else tap 0 "cached answers of mailauth.test agree with kdig"; fi

echo "== resident memory of the $CLIENTS backends (kB)"
growths=$(awk '$1 == "early" {e[$2] = $3} $1 == "late" {l[$2] = $3}
	END {for (p in l) if (p in e) printf "%s %d %d %d\n", p, e[p], l[p], l[p] - e[p]}' "$MA_WORK/rss.txt" | sort -n)
echo "pid, at ${early} s, at ${late} s, growth:"
echo "$growths" | sed 's/^/  /'
nb=$(echo "$growths" | grep -c . || true)
maxg=$(echo "$growths" | awk 'BEGIN {m = -1e9} {if ($4 > m) m = $4} END {print m}')
if [ "$nb" -ne "$CLIENTS" ]; then
	tap 0 "resident memory sampled for $CLIENTS backends (got $nb)"
elif [ "$DURATION" -lt 120 ]; then
	tap 1 "resident memory sampled for $CLIENTS backends (largest growth $maxg kB; bound applied from 120 s)"
elif [ "$maxg" -lt "$RSS_LIMIT_KB" ]; then
	tap 1 "each backend grew by less than $RSS_LIMIT_KB kB from ${early} s to ${late} s (largest $maxg kB)"
else
	tap 0 "each backend grew by less than $RSS_LIMIT_KB kB from ${early} s to ${late} s (largest $maxg kB)"
fi

echo
echo "pgbench: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

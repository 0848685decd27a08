#!/bin/bash
#-------------------------------------------------------------------------
#
# run-corpus.sh
#	  Run the 34 DMARC scenarios of the generated DKIM/DMARC corpus against
#	  the DMARC evaluator of the core alone (no PostgreSQL), through
#	  test/dmarc/dmarc_adapter, in both modes (rfc7489 and dmarcbis).
#
#	  test/dmarc/run-corpus.sh [-v]
#
# The corpus lives in the shared folder, $MAILAUTH_SHARED (default:
# "$ROOT/../shared"), under corpus/dkim/generated/.  When it is absent the
# run is skipped (exit 0).  A knotd on 127.0.0.1 (a free port) serves
# corpus.zone as the root zone (ma_start_root_zone of test/lib.sh); it is
# stopped on exit.  The adapter is built with `make test/dmarc/dmarc_adapter`
# unless $DMARC_ADAPTER names a built one.  Prints every mismatch, then
# "rfc7489: N/34, dmarcbis: N/34"; exits 1 unless both are perfect.  -v
# prints every row.
#
#-------------------------------------------------------------------------
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${MAILAUTH_SHARED:-"$ROOT/../shared"}
GEN="$SHARED/corpus/dkim/generated"
TSV="$GEN/dmarc.tsv"
ZONE="$GEN/corpus.zone"
VERBOSE=0
[ "${1:-}" = "-v" ] && VERBOSE=1

if [ ! -f "$TSV" ] || [ ! -f "$ZONE" ]; then
	echo "run-corpus.sh: skipped: no DMARC corpus at $GEN (set MAILAUTH_SHARED)"
	exit 0
fi
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)
if [ ! -x "$KNOTD" ]; then
	echo "run-corpus.sh: skipped: knotd is not installed"
	exit 0
fi

source "$ROOT/test/lib.sh"
trap ma_stop_all EXIT INT TERM
MA_WORK=$(mktemp -d /tmp/mailauth-dmarc.XXXXXX)
export MA_WORK
TMP=$MA_WORK

# the adapter
ADAPTER=${DMARC_ADAPTER:-}
if [ -z "$ADAPTER" ]; then
	make -s -C "$ROOT" test/dmarc/dmarc_adapter
	ADAPTER="$ROOT/test/dmarc/dmarc_adapter"
fi

# knot serving the corpus zone as the root zone, on a free loopback port
ma_start_root_zone "$ZONE" _dmarc.example.com TXT || exit 2
export DMARC_DNS="$MA_ROOT_DNS"
export DMARC_DNS_TIMEOUT=${DMARC_DNS_TIMEOUT:-2}

total=0
score7489=0
scorebis=0
# columns: case file from_domain dkim spf_domain spf_result client_ip dmarc
# policy_domain policy disposition dkim_aligned spf_aligned dmarc_9989
# policy_domain_9989 policy_9989 disposition_9989 notes
while IFS=$'\t' read -r case file from dkim spfd spfr ip dm pd pol disp dka spa \
	dm9 pd9 pol9 disp9 notes; do
	[ "$case" = "case" ] && continue
	[ -z "$case" ] && continue
	total=$((total + 1))
	want7489="$dm	$pd	$pol	$disp	$dka	$spa"
	wantbis="$dm9	$pd9	$pol9	$disp9	$dka	$spa"
	for mode in rfc7489 dmarcbis; do
		got=$("$ADAPTER" "$from" "$dkim" "$spfd" "$spfr" "$mode" 2>"$TMP/err") || true
		if [ $mode = rfc7489 ]; then want=$want7489; else want=$wantbis; fi
		# the corpus has no dmarcbis alignment columns: compare the result columns only
		if [ $mode = dmarcbis ]; then
			gotcmp=$(printf '%s' "$got" | cut -f1-4)
			wantcmp=$(printf '%s' "$want" | cut -f1-4)
		else
			gotcmp=$got
			wantcmp=$want
		fi
		if [ "$gotcmp" = "$wantcmp" ]; then
			if [ $mode = rfc7489 ]; then score7489=$((score7489 + 1)); else scorebis=$((scorebis + 1)); fi
			[ $VERBOSE = 1 ] && printf 'ok   %-8s %-36s %s\n' "$mode" "$case" "$got"
		else
			printf 'FAIL %-8s %-36s\n     got:  %s\n     want: %s\n     (%s) %s\n' \
				"$mode" "$case" "$got" "$want" "$notes" "$(cat "$TMP/err")"
		fi
	done
done <"$TSV"

echo "rfc7489: $score7489/$total, dmarcbis: $scorebis/$total"
[ "$score7489" = "$total" ] && [ "$scorebis" = "$total" ]

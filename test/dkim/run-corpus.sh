#!/bin/bash
#-------------------------------------------------------------------------
#
# run-corpus.sh
#	  Run every row (one per signature) of the generated DKIM corpus
#	  against the DKIM verifier of the core alone (no PostgreSQL), through
#	  test/dkim/dkim_adapter.
#
#	  test/dkim/run-corpus.sh [-v]
#
# The corpus lives in the shared folder, $MAILAUTH_SHARED (default:
# "$ROOT/../shared"), under corpus/dkim/generated/.  When it is absent the
# run is skipped (exit 0).  A knotd on 127.0.0.1 (a free port) serves
# corpus.zone as the root zone (ma_start_root_zone of test/lib.sh); it is
# stopped on exit.  The adapter is built with `make test/dkim/dkim_adapter` unless
# $DKIM_ADAPTER names a built one.  Prints every mismatch, then
# "dkim generated: N/87" (verdict in the accept column), the pass/not-pass
# score and the exact-match score; exits 1 unless N is perfect.  -v prints
# every row.
#
#-------------------------------------------------------------------------
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${MAILAUTH_SHARED:-"$ROOT/../shared"}
GEN="$SHARED/corpus/dkim/generated"
TSV="$GEN/manifest.tsv"
ZONE="$GEN/corpus.zone"
VERBOSE=0
[ "${1:-}" = "-v" ] && VERBOSE=1

if [ ! -f "$TSV" ] || [ ! -f "$ZONE" ]; then
	echo "run-corpus.sh: skipped: no DKIM corpus at $GEN (set MAILAUTH_SHARED)"
	exit 0
fi
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)
if [ ! -x "$KNOTD" ]; then
	echo "run-corpus.sh: skipped: knotd is not installed"
	exit 0
fi

source "$ROOT/test/lib.sh"
trap ma_stop_all EXIT INT TERM
MA_WORK=$(mktemp -d /tmp/mailauth-dkim.XXXXXX)
export MA_WORK
TMP=$MA_WORK

# the adapter
ADAPTER=${DKIM_ADAPTER:-}
if [ -z "$ADAPTER" ]; then
	make -s -C "$ROOT" test/dkim/dkim_adapter
	ADAPTER="$ROOT/test/dkim/dkim_adapter"
fi

# knot serving the corpus zone as the root zone, on a free loopback port
ma_start_root_zone "$ZONE" rsa2048._domainkey.example.com TXT || exit 2
export DKIM_DNS="$MA_ROOT_DNS"
export DKIM_DNS_TIMEOUT=${DKIM_DNS_TIMEOUT:-2}

total=0
accepted=0
passbit=0
exact=0
# columns: case file sig signer d s a c expected accept reason description
# (tabs turned into US: read would merge the empty columns of tab runs)
while IFS=$'\037' read -r case file sig signer d s a c expected accept reason desc; do
	[ "$case" = "case" ] && continue
	[ -z "$case" ] && continue
	total=$((total + 1))
	line=$("$ADAPTER" "$GEN/$file" 2>"$TMP/err" | sed -n "${sig}p") || true
	got=$(printf '%s' "$line" | cut -f1)
	why=$(printf '%s' "$line" | cut -f2)
	[ "$got" = "$expected" ] && exact=$((exact + 1))
	if { [ "$got" = pass ] && [ "$expected" = pass ]; } ||
		{ [ "$got" != pass ] && [ "$expected" != pass ] && [ -n "$got" ]; }; then
		passbit=$((passbit + 1))
	fi
	if [ -n "$got" ] && [[ ",$accept," == *",$got,"* ]]; then
		accepted=$((accepted + 1))
		[ $VERBOSE = 1 ] && printf 'ok   %-36s %s (%s)\n' "$case" "$got" "$why"
	else
		printf 'FAIL %-36s got: %s (%s)  want: %s [%s]  (%s) %s\n' \
			"$case" "${got:-nothing}" "$why" "$expected" "$accept" "$reason" "$(cat "$TMP/err")"
	fi
done < <(tr '\t' '\037' <"$TSV")

echo "dkim generated: $accepted/$total (pass/not-pass: $passbit/$total, exact: $exact/$total)"
[ "$accepted" = "$total" ]

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
# corpus.zone as the root zone from a temporary directory; it is stopped on
# exit.  The adapter is built with `make test/dkim/dkim_adapter` unless
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

TMP=$(mktemp -d /tmp/mailauth-dkim.XXXXXX)
KNOT_PID=
cleanup()
{
	if [ -n "$KNOT_PID" ]; then
		kill "$KNOT_PID" 2>/dev/null || true
		wait "$KNOT_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# the adapter
ADAPTER=${DKIM_ADAPTER:-}
if [ -z "$ADAPTER" ]; then
	make -s -C "$ROOT" test/dkim/dkim_adapter
	ADAPTER="$ROOT/test/dkim/dkim_adapter"
fi

# a free UDP+TCP port on loopback
PORT=$(python3 -c '
import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
')

cat > "$TMP/knot.conf" <<CONF
server:
    rundir: "$TMP"
    listen: 127.0.0.1@$PORT
log:
  - target: stderr
    any: error
database:
    storage: "$TMP/db"
template:
  - id: default
    storage: "$TMP"
    semantic-checks: off
zone:
  - domain: .
    file: "$ZONE"
    journal-content: none
    zonefile-sync: -1
CONF
mkdir -p "$TMP/db"
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.log" 2>&1 &
KNOT_PID=$!

export DKIM_DNS="127.0.0.1:$PORT"
export DKIM_DNS_TIMEOUT=${DKIM_DNS_TIMEOUT:-2}
ready=0
for _ in $(seq 1 50); do
	if kdig +short +time=1 +retry=0 @127.0.0.1 -p "$PORT" TXT rsa2048._domainkey.example.com 2>/dev/null |
		grep -q 'p='; then
		ready=1
		break
	fi
	sleep 0.1
done
if [ $ready != 1 ]; then
	echo "run-corpus.sh: knotd did not come up on port $PORT:" >&2
	cat "$TMP/knotd.log" >&2
	exit 2
fi

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

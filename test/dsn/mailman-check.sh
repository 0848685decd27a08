#!/usr/bin/env bash
#-------------------------------------------------------------------------
#
# mailman-check.sh
#	  A second collection of real bounces, not the corpus the parser was
#	  tuned on: the test messages of Mailman's bounce detectors, which
#	  Debian's python3-flufl.bounce ships (tests/data, 116 messages: old and
#	  rare MTAs, AOL, Exchange and X.400 gateways, Groupwise, Yahoo, warnings,
#	  challenge-response and other non-bounces), with the addresses its test
#	  table (testing/helpers.py, DATA) expects.  Read where the package put
#	  them, never copied.  Every message through the core parser
#	  (ma_dsn_parse, test/dsn/dsn_tsv.c); prints how many of the messages
#	  with expected addresses give them all as recipients, and fails under
#	  MAILMAN_FLOOR (107 of 109).  Skipped (exit 0) when the package is absent
#	  (tools/install-deps.sh installs it).
#
#	  Mailman takes Original-Recipient where a DSN has one; parse_dsn's
#	  recipient is the Final-Recipient (RFC 3464, as Sisimai), the original
#	  one is in original_recipient: both count.
#
#-------------------------------------------------------------------------
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
FLOOR=${MAILMAN_FLOOR:-107}
pkg=$(/usr/bin/python3 -c 'import os, flufl.bounce; print(os.path.dirname(flufl.bounce.__file__))' 2>/dev/null)
if [ -z "$pkg" ] || [ ! -d "$pkg/tests/data" ] || [ ! -f "$pkg/testing/helpers.py" ]; then
	echo "mailman-check: SKIP: python3-flufl.bounce is not installed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top"
gcc -std=gnu11 -O2 -Isrc $(pkg-config --cflags gmime-3.0) -o "$tmp/dsn_tsv" test/dsn/dsn_tsv.c \
	src/core/ma_dsn.c src/core/ma_dsn_lhost.c src/core/ma_bounce.c $(pkg-config --libs gmime-3.0) || exit 1
/usr/bin/python3 - "$pkg" "$tmp/dsn_tsv" "$FLOOR" <<'PY'
import ast, csv, io, os, subprocess, sys
pkg, tool, floor = sys.argv[1], sys.argv[2], int(sys.argv[3])
src = open(os.path.join(pkg, "testing", "helpers.py")).read()
i = src.index("DATA = (")
j = src.index("\n    )", i)
data = ast.literal_eval(src[i + 7:j + 6])
d = os.path.join(pkg, "tests", "data")
files = sorted({e[1] for e in data})
out = subprocess.run([tool, "-a"] + [os.path.join(d, f) for f in files], capture_output=True).stdout
rows = {}
for r in csv.DictReader(io.StringIO(out.decode("utf-8", "replace")), delimiter="\t"):
    rows.setdefault(os.path.basename(r["file"]), []).append(r)
want = [e for e in data if e[2]]
ok = 0
for e in want:
    got = set()
    for r in rows.get(e[1], []):
        if r.get("recipient"):
            got.add(r["recipient"].lower())
        for extra in r.get(None) or []:   # -a: "name=value" fields after the named columns
            if extra.startswith("original_recipient=") and extra != "original_recipient=(null)":
                got.add(extra.split("=", 1)[1].lower())
    miss = [a.decode().lower() for a in e[2] if a.decode().lower() not in got]
    if miss:
        print("  not found: %s %s (rows: %s)" % (e[1], ", ".join(miss), ", ".join(sorted(got)) or "none"))
    else:
        ok += 1
print("bounces (Mailman collection) every expected address found: %d of %d messages (floor %d) %s"
      % (ok, len(want), floor, "ok" if ok >= floor else "FAIL"))
sys.exit(0 if ok >= floor else 1)
PY

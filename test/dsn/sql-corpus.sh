#!/usr/bin/env bash
#-------------------------------------------------------------------------
#
# sql-corpus.sh
#	  The bounce corpus of ../shared (corpus/bounces: real bounces with
#	  Sisimai's expected status, reason and hard/soft per recipient) through
#	  SQL: every message through mailauth.parse_dsn(), the rows written as the
#	  predictions score.py reads, and the scores printed.  Needs the cluster
#	  of test/lib.sh (PGHOST/PGPORT set, mailauth created).
#	  Prints score.py's report, then one line per measure with its floor:
#	    "bounces (SQL) reason: 0.990 (floor 0.990) ok"
#	  and exits 1 when a measure is under its floor.  Floors: BOUNCE_FLOOR_REASON,
#	  BOUNCE_FLOOR_STATUS (status excluding Sisimai's x.0.9xx pseudo codes),
#	  BOUNCE_FLOOR_HARD, BOUNCE_MAX_MISSING (recipients not found).
#	  Skipped (exit 0) when the corpus is absent; MAILAUTH_SHARED overrides it.
#
#-------------------------------------------------------------------------
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${MAILAUTH_SHARED:-"$ROOT/../shared"}
C=$SHARED/corpus/bounces
if [ ! -f "$C/truth.tsv" ] || [ ! -d "$C/eml" ] || [ ! -f "$C/score.py" ]; then
	echo "sql-corpus.sh: skipped: no bounce corpus at $C (set MAILAUTH_SHARED)"
	exit 0
fi
C=$(cd "$C" && pwd)
FR=${BOUNCE_FLOOR_REASON:-0.99}
FS=${BOUNCE_FLOOR_STATUS:-0.99}
FH=${BOUNCE_FLOOR_HARD:-0.99}
FM=${BOUNCE_MAX_MISSING:-0}
W=$(mktemp -d /tmp/mailauth-bounces.XXXXXX)
trap 'rm -rf "$W"' EXIT

/usr/bin/python3 - "$C/eml" > "$W/corpus.tsv" <<'PY'
import base64, glob, os, sys
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    print("eml/" + os.path.basename(p) + "\t" + base64.b64encode(open(p, "rb").read()).decode())
PY
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE corpus_b64(file text, b64 text);
\copy corpus_b64 FROM '$W/corpus.tsv'
\copy (SELECT c.file, row_number() OVER (PARTITION BY c.file ORDER BY d.ord) AS index, coalesce(d.recipient, ''), coalesce(d.status, ''), d.reason, CASE WHEN d.hard_bounce THEN 1 ELSE 0 END, coalesce(d.reply_code::text, ''), d.source FROM corpus_b64 c, LATERAL mailauth.parse_dsn(decode(c.b64, 'base64')) WITH ORDINALITY d(recipient, original_recipient, action, status, reply_code, reason, hard_bounce, diagnostic_type, diagnostic, remote_mta, reporting_mta, arrival_date, last_attempt, will_retry_until, original_envelope_id, original_message_id, original_from, original_subject, feedback_type, source, ord)) TO '$W/rows.tsv'
SQL
{ printf 'file\tindex\trecipient\tstatus\treason\thardbounce\treplycode\tsource\n'; cat "$W/rows.tsv"; } > "$W/pred.tsv"
/usr/bin/python3 "$C/score.py" "$W/pred.tsv" "$C/truth.tsv" --recipients "$C/recipients.tsv" --worst 10 > "$W/score.txt"
cat "$W/score.txt"
/usr/bin/python3 - "$W/score.txt" "$FR" "$FS" "$FH" "$FM" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
fr, fs, fh, fm = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
def val(pattern):
    m = re.search(pattern, t)
    return float(m.group(1)) if m else -1.0
reason = val(r"reason match:\s+([0-9.]+)")
status = val(r"excl\. pseudo codes:\s+([0-9.]+)")
hard = val(r"hard/soft match:\s+([0-9.]+)")
m = re.search(r"missing (\d+)", t)
missing = int(m.group(1)) if m else 10**6
bad = 0
for name, v, floor in (("reason", reason, fr), ("status (excl. pseudo codes)", status, fs), ("hard/soft", hard, fh)):
    ok = v >= floor
    bad += not ok
    print("bounces (SQL) %s: %.3f (floor %.3f) %s" % (name, v, floor, "ok" if ok else "FAIL"))
ok = missing <= fm
bad += not ok
print("bounces (SQL) recipients missing: %d (at most %d) %s" % (missing, fm, "ok" if ok else "FAIL"))
sys.exit(1 if bad else 0)
PY

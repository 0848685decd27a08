#!/usr/bin/env bash
#-------------------------------------------------------------------------
#
# sql-corpus.sh
#	  The generated DKIM/DMARC corpus of ../shared through SQL: every
#	  signature of manifest.tsv through dkim_verify(), every scenario of
#	  dmarc.tsv through dmarc_verify() in both DMARC modes, against a knot
#	  serving corpus.zone as the root zone.  Needs the cluster of test/lib.sh
#	  (PGHOST/PGPORT set, mailauth created).  Prints mismatches, then
#	  "dkim generated (SQL): N/87" and "dmarc (SQL): rfc7489 N/34, dmarcbis N/34";
#	  then the public vectors (../shared/corpus/dkim/vectors), one key zone
#	  at a time: "dkim vectors (SQL): N/M agree, K rsa-sha1 rows not passed
#	  (RFC 8301)" -- a row counts as agreeing when the verdict is in its
#	  accept set, or when the source asserts pass for an rsa-sha1 signature
#	  that we refuse as RFC 8301 requires (reported separately).
#	  Skipped (exit 0) when the corpus is absent; MAILAUTH_SHARED overrides it.
#
#-------------------------------------------------------------------------
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${MAILAUTH_SHARED:-"$ROOT/../shared"}
GEN="$SHARED/corpus/dkim/generated"
if [ ! -f "$GEN/manifest.tsv" ] || [ ! -f "$GEN/dmarc.tsv" ] || [ ! -f "$GEN/corpus.zone" ]; then
	echo "sql-corpus.sh: skipped: no DKIM/DMARC corpus at $GEN (set MAILAUTH_SHARED)"
	exit 0
fi
GEN=$(cd "$GEN" && pwd)
source "$ROOT/test/lib.sh"
trap ma_stop_all EXIT INT TERM
MA_WORK=$(mktemp -d /tmp/mailauth-sqlcorpus.XXXXXX)
export MA_WORK
ma_start_root_zone "$GEN/corpus.zone" rsa2048._domainkey.example.com TXT

psql -X -q -At -v ON_ERROR_STOP=1 -v gen="$GEN" -v dns="$MA_ROOT_DNS" <<'SQL'
SET mailauth.dns_servers = :'dns';
SET mailauth.dns_timeout = 2000;
CREATE TEMP TABLE manifest(case_ text, file text, sig int, signer text, d text, s text, a text, c text,
                           expected text, accept text, reason text, description text);
SELECT :'gen' || '/manifest.tsv' AS path \gset
COPY manifest FROM :'path' WITH (FORMAT csv, DELIMITER E'\t', HEADER true, QUOTE E'\x01');
CREATE TEMP TABLE dkim_got AS
  SELECT m.case_, m.accept, v.result, v.reason
    FROM manifest m
    LEFT JOIN LATERAL (SELECT x.result, x.reason
                         FROM mailauth.dkim_verify(pg_read_binary_file(:'gen' || '/' || m.file))
                              WITH ORDINALITY x(domain, selector, algorithm, canonicalization, identity, key_bits,
                                                body_length, signed_headers, signed_at, expires_at, result, reason, n)
                        WHERE x.n = m.sig) v ON true;
SELECT 'FAIL dkim ' || case_ || ': got ' || coalesce(result, 'nothing') || ' (' || coalesce(reason, '') || '), accept ' || accept
  FROM dkim_got WHERE result IS NULL OR NOT result = ANY(string_to_array(accept, ','));
SELECT 'dkim generated (SQL): ' || count(*) FILTER (WHERE result = ANY(string_to_array(accept, ','))) || '/' || count(*)
  FROM dkim_got;

CREATE TEMP TABLE dmarc_cases(case_ text, file text, from_domain text, dkim text, spf_domain text, spf_result text,
                              client_ip inet, dmarc text, policy_domain text, policy text, disposition text,
                              dkim_aligned text, spf_aligned text, dmarc_9989 text, policy_domain_9989 text,
                              policy_9989 text, disposition_9989 text, notes text);
SELECT :'gen' || '/dmarc.tsv' AS path \gset
COPY dmarc_cases FROM :'path' WITH (FORMAT csv, DELIMITER E'\t', HEADER true, QUOTE E'\x01');
CREATE TEMP TABLE dmarc_got(mode text, case_ text, ok boolean, got text, want text);
SET mailauth.dmarc_mode = 'rfc7489';
INSERT INTO dmarc_got
  SELECT 'rfc7489', c.case_, g = w, g, w
    FROM dmarc_cases c,
         LATERAL mailauth.dmarc_verify(pg_read_binary_file(:'gen' || '/' || c.file), c.client_ip,
                                       CASE WHEN c.spf_domain = '-' THEN NULL ELSE 'bounce@' || c.spf_domain END,
                                       'mx.' || CASE WHEN c.spf_domain = '-' THEN c.from_domain ELSE c.spf_domain END) v,
         LATERAL (SELECT concat_ws(' ', v.result, coalesce(v.policy, '-'), v.disposition,
                                   CASE WHEN v.dkim_aligned THEN 'yes' ELSE 'no' END,
                                   CASE WHEN v.spf_aligned THEN 'yes' ELSE 'no' END) AS g,
                         concat_ws(' ', c.dmarc, c.policy, c.disposition, c.dkim_aligned, c.spf_aligned) AS w) x;
SET mailauth.dmarc_mode = 'dmarcbis';
INSERT INTO dmarc_got
  SELECT 'dmarcbis', c.case_, g = w, g, w
    FROM dmarc_cases c,
         LATERAL mailauth.dmarc_verify(pg_read_binary_file(:'gen' || '/' || c.file), c.client_ip,
                                       CASE WHEN c.spf_domain = '-' THEN NULL ELSE 'bounce@' || c.spf_domain END,
                                       'mx.' || CASE WHEN c.spf_domain = '-' THEN c.from_domain ELSE c.spf_domain END) v,
         LATERAL (SELECT concat_ws(' ', v.result, coalesce(v.policy, '-'), v.disposition) AS g,
                         concat_ws(' ', c.dmarc_9989, c.policy_9989, c.disposition_9989) AS w) x;
SELECT 'FAIL dmarc ' || mode || ' ' || case_ || ': got "' || got || '", want "' || want || '"'
  FROM dmarc_got WHERE NOT ok ORDER BY mode, case_;
SELECT 'dmarc (SQL): rfc7489 ' || count(*) FILTER (WHERE ok AND mode = 'rfc7489') || '/' || count(*) FILTER (WHERE mode = 'rfc7489')
       || ', dmarcbis ' || count(*) FILTER (WHERE ok AND mode = 'dmarcbis') || '/' || count(*) FILTER (WHERE mode = 'dmarcbis')
  FROM dmarc_got;
SQL

# the public vectors: one keys.zone at a time (sources reuse owner names)
VEC="$SHARED/corpus/dkim/vectors"
if [ -f "$VEC/manifest.tsv" ]; then
	VEC=$(cd "$VEC" && pwd)
	agree=0; total=0; sha1=0
	for zone in $(awk -F'\t' 'NR > 1 && $8 != "-" {print $4}' "$VEC/manifest.tsv" | sort -u); do
		ma_start_root_zone "$VEC/$zone" . SOA
		out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v vec="$VEC" -v zone="$zone" -v dns="$MA_ROOT_DNS" <<'SQL'
SET mailauth.dns_servers = :'dns';
SET mailauth.dns_timeout = 2000;
CREATE TEMP TABLE vectors(source text, case_ text, file text, zone text, sig int, d text, s text,
                          expected text, accept text, basis text, notes text);
SELECT :'vec' || '/manifest.tsv' AS path \gset
COPY vectors FROM :'path' WITH (FORMAT csv, DELIMITER E'\t', HEADER true, QUOTE E'\x01');
CREATE TEMP TABLE got AS
  SELECT v.case_, v.expected, v.accept, x.result, x.reason, x.algorithm
    FROM vectors v
    LEFT JOIN LATERAL (SELECT y.result, y.reason, y.algorithm
                         FROM mailauth.dkim_verify(pg_read_binary_file(:'vec' || '/' || v.file))
                              WITH ORDINALITY y(domain, selector, algorithm, canonicalization, identity, key_bits,
                                                body_length, signed_headers, signed_at, expires_at, result, reason, n)
                        WHERE y.n = v.sig) x ON true
   WHERE v.zone = :'zone' AND v.expected <> '-';
SELECT 'SHA1 ' || count(*) FROM got
 WHERE expected = 'pass' AND reason = 'rsa-sha1 not accepted' AND NOT result = ANY(string_to_array(accept, ','));
SELECT 'FAIL vector ' || case_ || ': got ' || coalesce(result, 'nothing') || ' (' || coalesce(reason, '') || '), accept ' || accept
  FROM got
 WHERE (result IS NULL OR NOT result = ANY(string_to_array(accept, ',')))
   AND NOT (expected = 'pass' AND reason = 'rsa-sha1 not accepted');
SELECT 'COUNT ' || count(*) || ' ' || count(*) FILTER (WHERE result = ANY(string_to_array(accept, ','))
                                                  OR (expected = 'pass' AND reason = 'rsa-sha1 not accepted'))
  FROM got;
SQL
)
		echo "$out" | grep '^FAIL' || true
		set -- $(echo "$out" | grep '^COUNT')
		total=$((total + $2)); agree=$((agree + $3))
		s1=$(echo "$out" | grep '^SHA1' | cut -d' ' -f2)
		sha1=$((sha1 + s1))
	done
	echo "dkim vectors (SQL): $agree/$total agree, $sha1 rsa-sha1 rows not passed (RFC 8301)"
else
	echo "sql-corpus.sh: vectors skipped: no $VEC"
fi

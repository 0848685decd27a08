-- Hostile DNS (test/responder.pl): every misbehaviour of the fault list gives
-- each function family a result value or a clear SQLSTATE, within its
-- deadline.  The table of docs/bad-input.md is read off this file.
\getenv responder MAILAUTH_TEST_RESPONDER
SET mailauth.dns_servers = :'responder';
SET mailauth.dns_timeout = 300;
SET mailauth.dns_tries = 2;
-- outcome of one statement: its rows as text, or SQLSTATE and message; and
-- whether it ended within bound_ms
CREATE FUNCTION pg_temp.run(stmt text, bound_ms int, OUT outcome text, OUT in_time boolean)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz := clock_timestamp();
  r text;
BEGIN
  EXECUTE 'SELECT string_agg(x::text, '' | '') FROM (' || stmt || ') x' INTO r;
  outcome := coalesce(r, '(no rows)');
  in_time := clock_timestamp() - t0 < bound_ms * interval '1 ms';
EXCEPTION WHEN OTHERS THEN
  outcome := SQLSTATE || ': ' || SQLERRM;
  in_time := clock_timestamp() - t0 < bound_ms * interval '1 ms';
END $$;

-- 1. the wire: dns_lookup, single form (SQLSTATE) and array form (status),
-- for each fault; one lookup's deadline is mailauth.dns_timeout (300 ms)
SELECT f AS fault, s.outcome AS single, s.in_time AS single_in_time, a.outcome AS many, a.in_time AS many_in_time
  FROM unnest(ARRAY['servfail', 'refused', 'formerr', 'silent', 'late', 'drop',
                    'badlabel', 'rdlen', 'rdshort', 'ancount', 'txtlen', 'longname',
                    'badid', 'qmismatch', 'notresponse', 'garbage', 'short',
                    'ptrloop', 'ptrpair', 'ptrfwd', 'ptrout',
                    'overtcp', 'udpbig', 'udphuge', 'tcloop', 'tcboth',
                    'cloop', 'cpaira', 'chain8', 'chain9', 'inchain8', 'inchain9']) WITH ORDINALITY AS u(f, i),
       LATERAL pg_temp.run(format($$SELECT name, rrtype, data FROM mailauth.dns_lookup(%L, 'A') ORDER BY 1, 3$$, f || '.fault.test'), 600) s,
       LATERAL pg_temp.run(format($$SELECT status, data FROM mailauth.dns_lookup(ARRAY[%L], 'A') ORDER BY 1, 2$$, f || '.fault.test'), 600) a
 ORDER BY i;

-- a 64 KB answer over TCP (62 TXT records of 1,000 bytes) after a truncated UDP answer
SELECT count(*) AS records, sum(length(data)) AS bytes FROM mailauth.dns_lookup('bigtcp.fault.test', 'TXT');

-- an answer cut at every byte: a clear error (MA000 malformed, or MA003
-- when too little is left to match the query) or, once whole, the records
SELECT min(n) AS from_len, max(n) AS to_len, count(*) AS lengths,
       regexp_replace(outcome, 'cut\d+', 'cutN') AS outcome, bool_and(in_time) AS in_time
  FROM generate_series(0, 68) n,
       LATERAL pg_temp.run(format($$SELECT data FROM mailauth.dns_lookup(%L) ORDER BY 1$$, 'cut' || n || '.fault.test'), 600) r
 GROUP BY 4
 ORDER BY 1;

-- 2. every DNS function family against the same faults: a result value or
-- a clear error, never a hang: bound 4 x dns_timeout (a call asks in waves)
SELECT f AS fault,
       (pg_temp.run(format($$SELECT result FROM mailauth.spf_verify('192.0.2.1', %L)$$, 'a@' || f || '.fault.test'), 1200)).*,
       (pg_temp.run(format($$SELECT status FROM mailauth.spf_record(%L)$$, f || '.fault.test'), 1200)).*,
       (pg_temp.run(format($$SELECT status FROM mailauth.dmarc_record(%L)$$, f || '.fault.test'), 1200)).*,
       (pg_temp.run(format($$SELECT problems FROM mailauth.dkim_key('sel', %L)$$, f || '.fault.test'), 1200)).*
  FROM unnest(ARRAY['servfail', 'silent', 'late', 'ptrloop', 'cut40', 'badid', 'tcloop', 'udphuge', 'cloop', 'chain9']) WITH ORDINALITY AS u(f, i)
 ORDER BY i;
SELECT f AS fault,
       (pg_temp.run(format($$SELECT count(*) FROM mailauth.mx_lookup(%L)$$, f || '.fault.test'), 1200)).*,
       (pg_temp.run(format($$SELECT problems FROM mailauth.helo_check(%L, '192.0.2.1')$$, f || '.fault.test'), 1200)).*,
       (pg_temp.run(format($$SELECT listed, reason FROM mailauth.dnsbl_check('192.0.2.1', ARRAY[%L])$$, f || '.fault.test'), 1200)).*,
       (pg_temp.run(format($$SELECT status FROM mailauth.dns_expect(%L, 'TXT', 'v=spf1 -all')$$, f || '.fault.test'), 1200)).*
  FROM unnest(ARRAY['servfail', 'silent', 'late', 'ptrloop', 'cut40', 'badid', 'tcloop', 'udphuge', 'cloop', 'chain9']) WITH ORDINALITY AS u(f, i)
 ORDER BY i;
SELECT f AS fault,
       (pg_temp.run(format($$SELECT spf_status, dmarc_policy, mx_hosts, problems[1] FROM mailauth.domain_report(%L)$$, f || '.fault.test'), 2000)).*,
       (pg_temp.run(format($$SELECT result, reason FROM mailauth.dkim_verify(%L)$$,
                           E'DKIM-Signature: v=1; a=rsa-sha256; d=' || f || E'.fault.test; s=sel; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\nFrom: a@' || f || E'.fault.test\r\n\r\n'), 1200)).*
  FROM unnest(ARRAY['servfail', 'silent', 'ptrloop', 'tcloop', 'cloop']) WITH ORDINALITY AS u(f, i)
 ORDER BY i;

-- 3. the include tree of a million names (every name includes ten more):
-- the RFC 7208 limits stop every evaluator after a bounded number of
-- questions, with permerror
SELECT mailauth.dns_cache_reset();
SELECT (pg_temp.run($$SELECT result, mechanism FROM mailauth.spf_verify('192.0.2.1', 'a@tree.fault.test')$$, 1000)).*;
SELECT queries_sent FROM mailauth.dns_cache_stats();
SELECT mailauth.dns_cache_reset();
SET mailauth.spf_engine = 'libspf2';
SELECT (pg_temp.run($$SELECT result, explanation FROM mailauth.spf_verify('192.0.2.1', 'a@tree.fault.test')$$, 1000)).*;
SELECT queries_sent <= 30 AS bounded FROM mailauth.dns_cache_stats();
RESET mailauth.spf_engine;
SELECT mailauth.dns_cache_reset();
SELECT (pg_temp.run($$SELECT status, dns_lookups FROM mailauth.spf_record('tree.fault.test')$$, 1000)).*;
SELECT queries_sent FROM mailauth.dns_cache_stats();
SELECT code, detail FROM mailauth.spf_check('tree.fault.test') WHERE code <> 'record_too_long';
SELECT mailauth.dns_cache_reset();
SELECT (pg_temp.run($$SELECT spf_status, spf_lookups FROM mailauth.domain_report('tree.fault.test')$$, 1000)).*;
SELECT queries_sent <= 120 AS bounded FROM mailauth.dns_cache_stats();
-- many domains of the tree at once: bounded per domain
SELECT mailauth.dns_cache_reset();
SELECT status, count(*) FROM mailauth.spf_record(ARRAY(SELECT chr(96 + g) || '.tree.fault.test' FROM generate_series(1, 10) g)) GROUP BY 1;
SELECT queries_sent <= 10 * 60 AS bounded FROM mailauth.dns_cache_stats();
-- MX and a terms: the 10-name limit
SELECT mailauth.dns_cache_reset();
SELECT (pg_temp.run($$SELECT result, explanation FROM mailauth.spf_verify('192.0.2.1', 'a@mxtree.fault.test')$$, 1000)).*;
SELECT code FROM mailauth.spf_check('mxtree.fault.test') ORDER BY 1;
SELECT queries_sent <= 60 AS bounded FROM mailauth.dns_cache_stats();

-- 4. a dropped first answer is retried (mailauth.dns_tries)
SELECT data FROM mailauth.dns_lookup('drop.fault.test');
SET mailauth.dns_tries = 1;
SELECT 'p' || pg_backend_pid() || '.drop.fault.test' AS dropname \gset
SELECT left(sqlstate_of(format($$SELECT * FROM mailauth.dns_lookup(%L)$$, :'dropname')), 5) AS first_try;
SELECT data AS second_try FROM mailauth.dns_lookup(:'dropname');
RESET mailauth.dns_tries;

-- the backend is fine afterwards
RESET mailauth.dns_servers;
RESET mailauth.dns_timeout;
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test');

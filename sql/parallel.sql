-- the PARALLEL SAFE labels at work: parse_dsn, parse_authentication_results
-- and dkim_verify (DNS from inside parallel workers) under a Gather give the
-- same answers as without one
CREATE TABLE par_msgs AS
  SELECT g AS id,
         convert_to(E'From: MAILER-DAEMON@mx.example\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; u' || g || E'@example.net\nAction: failed\nStatus: ' || (CASE WHEN g % 3 = 0 THEN '5.1.1' ELSE '4.2.2' END) || E'\nDiagnostic-Code: smtp; 550 nope\n\n--B--\n', 'UTF8') AS raw,
         'mx.example; spf=pass smtp.mailfrom=u' || g || '@example.net; dkim=' || (CASE WHEN g % 2 = 0 THEN 'pass' ELSE 'fail' END) || ' header.d=example.net' AS ar
    FROM generate_series(1, 3000) g;
ALTER TABLE par_msgs SET (parallel_workers = 2);
ANALYZE par_msgs;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT count(*) FILTER (WHERE d.hard_bounce) FROM par_msgs p, LATERAL mailauth.parse_dsn(p.raw) d;
-- How many workers a query's Gather launched, from EXPLAIN ANALYZE (the
-- query runs for real), so the test shows that workers did the work.  Not
-- inside PL/pgSQL's SELECT INTO: it runs the executor with a row limit, which
-- turns parallel mode off, and the Gather there launches no worker.
CREATE FUNCTION pg_temp.workers_launched(q text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE j text;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q INTO j;
  RETURN coalesce(substring(j from '"Workers Launched": ([0-9]+)')::int, 0);
END $$;
SELECT pg_temp.workers_launched($q$SELECT count(*) FILTER (WHERE d.hard_bounce) FROM par_msgs p, LATERAL mailauth.parse_dsn(p.raw) d$q$) > 0 AS parse_dsn_in_workers,
       pg_temp.workers_launched($q$SELECT count(*) FILTER (WHERE a.result = 'pass') FROM par_msgs p, LATERAL mailauth.parse_authentication_results(p.ar) a$q$) > 0 AS authres_in_workers;
SELECT count(*) FILTER (WHERE d.hard_bounce) AS hard_par FROM par_msgs p, LATERAL mailauth.parse_dsn(p.raw) d \gset
SELECT count(*) FILTER (WHERE a.result = 'pass') AS ar_par FROM par_msgs p, LATERAL mailauth.parse_authentication_results(p.ar) a \gset
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.workers_launched($q$SELECT count(*) FILTER (WHERE d.hard_bounce) FROM par_msgs p, LATERAL mailauth.parse_dsn(p.raw) d$q$) AS serial_workers;
SELECT count(*) FILTER (WHERE d.hard_bounce) AS hard_ser FROM par_msgs p, LATERAL mailauth.parse_dsn(p.raw) d \gset
SELECT count(*) FILTER (WHERE a.result = 'pass') AS ar_ser FROM par_msgs p, LATERAL mailauth.parse_authentication_results(p.ar) a \gset
SELECT :hard_par AS hard_parallel, :hard_ser AS hard_serial, :ar_par AS ar_pass_parallel, :ar_ser AS ar_pass_serial;
-- DNS from parallel workers: dkim_verify of a stored message, many rows
SET max_parallel_workers_per_gather = 2;
CREATE TABLE par_dkim AS SELECT g AS id, E'From: a@dkim.test\nDKIM-Signature: v=1; a=rsa-sha256; d=dkim.test; s=rsa2048; h=from; bh=AAAA; b=AAAA\n\nbody\n'::text AS raw
  FROM generate_series(1, 400) g;
ALTER TABLE par_dkim SET (parallel_workers = 2);
ANALYZE par_dkim;
EXPLAIN (COSTS OFF) SELECT count(*) FROM par_dkim p, LATERAL mailauth.dkim_verify(p.raw) v WHERE v.result = 'fail';
SELECT pg_temp.workers_launched($q$SELECT count(*) FROM par_dkim p, LATERAL mailauth.dkim_verify(p.raw) v WHERE v.result = 'fail'$q$) > 0 AS dkim_verify_in_workers;
SELECT v.result, v.reason, count(*) FROM par_dkim p, LATERAL mailauth.dkim_verify(p.raw) v GROUP BY 1, 2;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DROP TABLE par_msgs, par_dkim;

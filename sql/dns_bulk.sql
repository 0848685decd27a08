-- the array form: concurrent, one row per record or one status row per name
SELECT mailauth.dns_cache_reset();
-- 1,000 names at once, every answer right
SELECT count(*) AS rows, count(DISTINCT query) AS names,
       count(*) FILTER (WHERE status = 'ok') AS ok,
       count(*) FILTER (WHERE data = '198.18.' || (substring(query FROM 'h(\d+)')::int / 256)
                                  || '.' || (substring(query FROM 'h(\d+)')::int % 256)) AS right_answers
  FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g));
SELECT queries_sent, answers, timeouts FROM mailauth.dns_cache_stats();
-- a second time: all from the cache
SELECT count(*) FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g));
SELECT queries_sent, hits FROM mailauth.dns_cache_stats();

-- a mix of outcomes; NULL elements are skipped, duplicates answered once
SELECT mailauth.dns_cache_reset();
SELECT query, status, name, rrtype, ttl, data
  FROM mailauth.dns_lookup(ARRAY['www.mailauth.test', 'no-such-name.mailauth.test',
                                 'nodata.mailauth.test', 'www.mailauth.test', NULL,
                                 '', 'a..b', repeat('x', 64) || '.test', 'ext.mailauth.test',
                                 'bücher.mailauth.test'])
 ORDER BY query, data;
SELECT queries_sent FROM mailauth.dns_lookup(ARRAY['h1.bulk.test']) l, mailauth.dns_cache_stats();
-- other types
SELECT query, status, data FROM mailauth.dns_lookup(ARRAY['mailauth.test', 'www.mailauth.test'], 'MX')
 ORDER BY query, data;
SELECT count(*) FROM mailauth.dns_lookup('{}'::text[]);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('{{a,b},{c,d}}'::text[])$$);

-- a window of one still gets through
SET mailauth.dns_max_inflight = 1;
SELECT count(*) FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 49) g));
RESET mailauth.dns_max_inflight;
-- joined with a table, the way users call it
CREATE TEMP TABLE customers(id int, domain text);
INSERT INTO customers VALUES (1, 'mailauth.test'), (2, 'nullmx.mailauth.test'), (3, 'no-such-name.mailauth.test');
SELECT c.id, l.status, l.data
  FROM customers c
  JOIN mailauth.dns_lookup(ARRAY(SELECT domain FROM customers), 'MX') l ON l.query = c.domain
 ORDER BY c.id, l.data;

-- the per-backend cache: hits, negative caching, TTL expiry, LRU bound
SELECT mailauth.dns_cache_reset();
SELECT entries, hits, misses, queries_sent FROM mailauth.dns_cache_stats();
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SELECT count(*) FROM mailauth.dns_lookup('WWW.mailauth.test.');
-- one query sent, two hits (names are compared case-insensitively)
SELECT entries, hits, misses, queries_sent FROM mailauth.dns_cache_stats();

-- negative answers are cached for the SOA minimum (RFC 2308)
SELECT count(*) FROM mailauth.dns_lookup('nx1.mailauth.test');
SELECT count(*) FROM mailauth.dns_lookup('nx1.mailauth.test');
SELECT count(*) FROM mailauth.dns_lookup('nodata.mailauth.test', 'A');
SELECT count(*) FROM mailauth.dns_lookup('nodata.mailauth.test', 'A');
SELECT hits, queries_sent, nxdomain, nodata FROM mailauth.dns_cache_stats();

-- a cached answer's TTL counts down
SELECT pg_sleep(1.1);
SELECT ttl < 3600 AND ttl >= 3590 AS ttl_counts_down
  FROM mailauth.dns_lookup('www.mailauth.test') LIMIT 1;

-- TTL expiry: short.ttl.test has TTL 2, the ttl.test SOA minimum is 2
SELECT mailauth.dns_cache_reset();
SELECT ttl FROM mailauth.dns_lookup('short.ttl.test');
SELECT count(*) FROM mailauth.dns_lookup('gone.ttl.test');
SELECT count(*) FROM mailauth.dns_lookup('short.ttl.test');
SELECT count(*) FROM mailauth.dns_lookup('gone.ttl.test');
SELECT hits, queries_sent, expired FROM mailauth.dns_cache_stats();
SELECT pg_sleep(2.2);
SELECT ttl FROM mailauth.dns_lookup('short.ttl.test');
SELECT count(*) FROM mailauth.dns_lookup('gone.ttl.test');
SELECT hits, queries_sent, expired FROM mailauth.dns_cache_stats();

-- the bound: least recently used entries go first
SELECT mailauth.dns_cache_reset();
SET mailauth.dns_cache_size = 5;
SELECT count(*) FROM generate_series(0, 9) g,
       LATERAL mailauth.dns_lookup('h' || g || '.bulk.test');
SELECT entries, max_entries, evictions FROM mailauth.dns_cache_stats();
-- h5..h9 are cached, h0 is not
SELECT count(*) FROM mailauth.dns_lookup('h9.bulk.test');
SELECT count(*) FROM mailauth.dns_lookup('h0.bulk.test');
SELECT hits, queries_sent FROM mailauth.dns_cache_stats();
-- zero disables the cache
SET mailauth.dns_cache_size = 0;
SELECT count(*) FROM mailauth.dns_lookup('h1.bulk.test');
SELECT count(*) FROM mailauth.dns_lookup('h1.bulk.test');
SELECT entries, queries_sent FROM mailauth.dns_cache_stats();
RESET mailauth.dns_cache_size;

-- other servers may answer otherwise: changing them empties the cache
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SELECT queries_sent AS sent_before FROM mailauth.dns_cache_stats() \gset
\getenv dns MAILAUTH_TEST_DNS
SELECT :'dns' || ', 127.0.0.1:1' AS dns2 \gset
SET mailauth.dns_servers = :'dns2';
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SELECT queries_sent - :sent_before AS sent_after_change FROM mailauth.dns_cache_stats();
RESET mailauth.dns_servers;

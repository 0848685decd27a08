-- CNAME chains: inside one answer, across zones (followed by mailauth), loops
SELECT * FROM mailauth.dns_lookup('alias1.mailauth.test') ORDER BY rrtype, data;
-- the chain leaves the zone: knot answers with the CNAME only, we follow it
SELECT mailauth.dns_cache_reset();
SELECT * FROM mailauth.dns_lookup('ext.mailauth.test');
SELECT cname_follows, queries_sent FROM mailauth.dns_cache_stats();
-- a CNAME to a name that does not exist: no rows
SELECT count(*) FROM mailauth.dns_lookup('dangling.mailauth.test');
-- asking for the CNAME itself does not follow it
SELECT * FROM mailauth.dns_lookup('ext.mailauth.test', 'CNAME');
-- a loop is a server failure, with the reason
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('loop1.mailauth.test')$$);
\set VERBOSITY default
SELECT * FROM mailauth.dns_lookup('loop1.mailauth.test');
-- in the array form the loop is a status, not an error
SELECT query, status, name, data
  FROM mailauth.dns_lookup(ARRAY['loop1.mailauth.test', 'alias1.mailauth.test', 'dangling.mailauth.test'])
 ORDER BY query, data;

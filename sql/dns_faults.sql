-- failures: each a dedicated SQLSTATE in the single form, a status in the array form
\getenv responder MAILAUTH_TEST_RESPONDER
SET mailauth.dns_servers = :'responder';
SET mailauth.dns_timeout = 400;
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('servfail.fault.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('refused.fault.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('formerr.fault.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('silent.fault.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.mx_lookup('servfail.fault.test')$$);
SELECT query, status, data
  FROM mailauth.dns_lookup(ARRAY['servfail.fault.test', 'refused.fault.test', 'formerr.fault.test',
                                 'silent.fault.test', 'slow.fault.test', 'other.fault.test'])
 ORDER BY query;
-- failures are never cached
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('servfail.fault.test')$$);
SELECT entries FROM mailauth.dns_cache_stats() WHERE entries > 10;

-- a silent server and statement_timeout: the query is cancelled (57014) ...
SET mailauth.dns_timeout = 10000;
SET statement_timeout = 200;
SELECT * FROM mailauth.dns_lookup('silent.fault.test');
SELECT * FROM mailauth.dns_lookup(ARRAY['silent.fault.test', 'silent2.fault.test']);
RESET statement_timeout;
-- ... and the backend and its channel keep working
SELECT * FROM mailauth.dns_lookup('slow.fault.test');

-- nobody listening: connection refused is a server failure
SET mailauth.dns_servers = '127.0.0.1:1';
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('www.mailauth.test')$$);
RESET mailauth.dns_servers;
RESET mailauth.dns_timeout;
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test');

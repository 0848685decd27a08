-- bad input: clear errors with an errcode
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup(repeat('a.', 126) || 'abc')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup(repeat('a', 64) || '.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('a..test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('bad name.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup(E'back\\slash.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('www.mailauth.test', 'SPF')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('www.mailauth.test', '')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup(ARRAY['www.mailauth.test'], 'BOGUS')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.mx_lookup('')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup(E'\u00ad\u00ad.test')$$);
-- IDNA would map U+00A0 to a space and U+FF0F to '/': not a domain name
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup(E'b\u00a0.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup(E'b\uff0fc.test')$$);
-- exactly at the limits is fine: 253 octets, 63-octet labels
SELECT count(*) FROM mailauth.dns_lookup(repeat('a', 63) || '.' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 51) || '.bulk.test');

-- malformed server lists are refused by the setting itself
SELECT sqlstate_of($$SET mailauth.dns_servers = 'dns.example.com'$$);
SELECT sqlstate_of($$SET mailauth.dns_servers = '127.0.0.1:65536'$$);
SELECT sqlstate_of($$SET mailauth.dns_servers = '127.0.0.1:0'$$);
SELECT sqlstate_of($$SET mailauth.dns_servers = '[::1'$$);
SELECT sqlstate_of($$SET mailauth.dns_servers = '127.0.0.1,,127.0.0.2'$$);
SELECT sqlstate_of($$SET mailauth.dns_servers = '127.0.0.1:53, [::1]:53, ::1'$$);
SELECT sqlstate_of($$SET mailauth.dns_timeout = 0$$);
SELECT sqlstate_of($$SET mailauth.dns_max_inflight = 5000$$);
SELECT sqlstate_of($$SET mailauth.no_such_setting = 1$$);
-- IPv6 server address: knot listens on ::1 too
\getenv dns MAILAUTH_TEST_DNS
SELECT '[::1]:' || split_part(:'dns', ':', 2) AS dns6 \gset
SET mailauth.dns_servers = :'dns6';
SELECT data FROM mailauth.dns_lookup('www.mailauth.test', 'AAAA') ORDER BY data;
RESET mailauth.dns_servers;

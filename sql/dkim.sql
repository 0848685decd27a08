-- dkim_key: look up and lint published keys (test/zones/dkim.test.zone)
SELECT key_type, key_bits, hash_algorithms, service_types, flags, testing, revoked, problems
  FROM mailauth.dkim_key('rsa2048', 'dkim.test');
SELECT left(record, 20) AS record, key_type, key_bits, problems FROM mailauth.dkim_key('ed', 'dkim.test');
SELECT key_bits, problems FROM mailauth.dkim_key('rsa1024', 'dkim.test');
SELECT key_bits, problems FROM mailauth.dkim_key('rsa512', 'dkim.test');
SELECT testing, flags, problems FROM mailauth.dkim_key('testing', 'dkim.test');
SELECT record, revoked, key_bits, problems FROM mailauth.dkim_key('revoked', 'dkim.test');
SELECT key_bits, problems FROM mailauth.dkim_key('broken', 'dkim.test');
SELECT hash_algorithms, problems FROM mailauth.dkim_key('sha1', 'dkim.test');
SELECT service_types, problems FROM mailauth.dkim_key('web', 'dkim.test');
-- several records: reported (which one is linted depends on the answer's order)
SELECT EXISTS (SELECT FROM unnest(problems) p WHERE p LIKE 'several_records:%') AS several
  FROM mailauth.dkim_key('dup', 'dkim.test');
SELECT problems FROM mailauth.dkim_key('badsyntax', 'dkim.test');
-- a CNAME to the key is followed
SELECT key_bits, problems FROM mailauth.dkim_key('alias', 'dkim.test');
-- no key, a DNS failure
SELECT record, key_type, key_bits, problems FROM mailauth.dkim_key('missing', 'dkim.test');
SELECT problems FROM mailauth.dkim_key('sel', 'refused.fault.invalid');
-- bad input
SELECT sqlstate_of($$SELECT * FROM mailauth.dkim_key('', 'dkim.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dkim_key('sel', '')$$);
SELECT problems FROM mailauth.dkim_key('bad selector', 'dkim.test');

-- spf_verify on the project's own policies (test/zones/spf.test.zone)
SELECT mailauth.dns_cache_reset();
-- the outcomes
SELECT result, mechanism, domain, dns_lookups, void_lookups
  FROM mailauth.spf_verify('192.0.2.7', 'alice@pass.spf.test', 'mx.example.test');
SELECT result, mechanism FROM mailauth.spf_verify('2001:db8::7', 'alice@pass.spf.test');
SELECT result, mechanism FROM mailauth.spf_verify('198.51.100.7', 'alice@pass.spf.test');
SELECT result, mechanism FROM mailauth.spf_verify('198.51.100.7', 'bob@soft.spf.test');
SELECT result, mechanism FROM mailauth.spf_verify('198.51.100.7', 'bob@neutral.spf.test');
SELECT result, mechanism FROM mailauth.spf_verify('198.51.100.7', 'bob@open.spf.test');
SELECT result, explanation IS NOT NULL AS says_why FROM mailauth.spf_verify('198.51.100.7', 'bob@nospf.spf.test');
SELECT result, explanation IS NOT NULL AS says_why FROM mailauth.spf_verify('198.51.100.7', 'bob@no-such-domain.spf.test');
SELECT result, explanation IS NOT NULL AS says_why FROM mailauth.spf_verify('198.51.100.7', 'bob@two.spf.test');
SELECT result, explanation IS NOT NULL AS says_why FROM mailauth.spf_verify('198.51.100.7', 'bob@syntax.spf.test');
-- mx and a of the sender's domain
SELECT result, mechanism, dns_lookups FROM mailauth.spf_verify('192.0.2.41', 'x@mxa.spf.test');
SELECT result, mechanism, dns_lookups FROM mailauth.spf_verify('192.0.2.40', 'x@mxa.spf.test');
SELECT result, mechanism, dns_lookups FROM mailauth.spf_verify('192.0.2.42', 'x@mxa.spf.test');
-- three nested includes, counted as RFC 7208 counts them
SELECT result, mechanism, domain, dns_lookups FROM mailauth.spf_verify('203.0.113.9', 'x@nested.spf.test');
SELECT result, mechanism, domain, dns_lookups FROM mailauth.spf_verify('198.51.100.9', 'x@nested.spf.test');
SELECT result, mechanism, domain FROM mailauth.spf_verify('192.0.2.9', 'x@redir.spf.test');
-- the explanation of a fail, with its macros expanded
SELECT result, explanation FROM mailauth.spf_verify('198.51.100.7', 'x@explained.spf.test');
-- errors are results, never SQL errors
SELECT result, dns_lookups FROM mailauth.spf_verify('198.51.100.7', 'x@missing.spf.test');
SELECT result, dns_lookups FROM mailauth.spf_verify('198.51.100.7', 'x@loop.spf.test');
SELECT result, dns_lookups FROM mailauth.spf_verify('198.51.100.7', 'x@bomb.spf.test');
SELECT result, void_lookups FROM mailauth.spf_verify('198.51.100.7', 'x@voids.spf.test');
-- a 5,000-byte record (over TCP), a NUL byte, non-ASCII bytes
SELECT result, mechanism FROM mailauth.spf_verify('198.51.1.7', 'x@long.spf.test');
SELECT result, mechanism FROM mailauth.spf_verify('198.51.100.7', 'x@long.spf.test');
SELECT result FROM mailauth.spf_verify('192.0.2.1', 'x@nul.spf.test');
SELECT result FROM mailauth.spf_verify('192.0.2.1', 'x@latin.spf.test');
-- macros
SELECT result, mechanism FROM mailauth.spf_verify('192.0.2.1', 'user@macro.spf.test');
SELECT result, mechanism FROM mailauth.spf_verify('192.0.2.2', 'user@macro.spf.test');
-- the HELO identity: an empty or NULL sender means postmaster@helo
SELECT result, domain FROM mailauth.spf_verify('192.0.2.7', '', 'pass.spf.test');
SELECT result, domain FROM mailauth.spf_verify('192.0.2.7', NULL, 'pass.spf.test');
SELECT result FROM mailauth.spf_verify('192.0.2.7', NULL, NULL);
-- odd senders
SELECT result, domain FROM mailauth.spf_verify('192.0.2.7', 'pass.spf.test');
SELECT result, domain FROM mailauth.spf_verify('192.0.2.7', '@pass.spf.test');
SELECT result FROM mailauth.spf_verify('192.0.2.7', 'nobody@');
SELECT result FROM mailauth.spf_verify('192.0.2.7', 'x@' || repeat('a', 300) || '.test');
SELECT result FROM mailauth.spf_verify('192.0.2.7', E'x@pass.spf.test\r\nX-Injected: 1');
SELECT mailauth.spf_verify(NULL, 'x@pass.spf.test') IS NULL AS null_ip;
-- the Received-SPF header
SELECT received_spf FROM mailauth.spf_verify('192.0.2.7', 'alice@pass.spf.test', 'mx.example.test');
-- DNS failures are temperror
\getenv responder MAILAUTH_TEST_RESPONDER
SET mailauth.dns_servers = :'responder';
SET mailauth.dns_timeout = 300;
SELECT result FROM mailauth.spf_verify('192.0.2.7', 'x@servfail.fault.test');
SELECT result FROM mailauth.spf_verify('192.0.2.7', 'x@silent.fault.test');
RESET mailauth.dns_servers;
RESET mailauth.dns_timeout;
-- why, in words, when there is no verdict
SELECT result, explanation FROM mailauth.spf_verify('198.51.100.7', 'x@bomb.spf.test');
SELECT result, explanation FROM mailauth.spf_verify('198.51.100.7', 'bob@two.spf.test');
SELECT result, explanation FROM mailauth.spf_verify('198.51.100.7', 'bob@nospf.spf.test');
-- the second engine, libspf2, on the same DNS layer
SET mailauth.spf_engine = 'libspf2';
SELECT result, domain FROM mailauth.spf_verify('192.0.2.7', 'alice@pass.spf.test');
SELECT result FROM mailauth.spf_verify('198.51.100.7', 'alice@pass.spf.test');
SELECT result FROM mailauth.spf_verify('203.0.113.9', 'x@nested.spf.test');
SELECT result FROM mailauth.spf_verify('198.51.100.7', 'x@missing.spf.test');
SELECT result FROM mailauth.spf_verify('192.0.2.7', 'x@refused.fault.invalid');
-- a known difference: libspf2 stops reading a record at a NUL byte (docs/libspf2.md)
SELECT result FROM mailauth.spf_verify('192.0.2.1', 'x@nul.spf.test');
RESET mailauth.spf_engine;
SELECT sqlstate_of($$SET mailauth.spf_engine = 'pyspf'$$);

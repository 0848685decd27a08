-- test/pgbench/mixed.sql: one transaction = one call of one of mailauth's SQL
-- functions, chosen at random (test/pgbench.sh runs it in 8 sessions).
-- Parsers on the fixtures of pgb.bounce / pgb.msg, DNS-backed functions on
-- names of test/zones (served by knot on loopback), expected errors through
-- pgb.expect_error, and now and then mailauth.dns_cache_reset() so the DNS
-- server is really asked again.
\set k random(0, 41)
\set n random(0, 999)
\set b random(0, :nbounce - 1)
\if :k = 0
SELECT count(*) FROM pgb.bounce, LATERAL mailauth.parse_dsn(raw) WHERE id = :b;
\elif :k = 1
SELECT count(*) FROM pgb.bounce, LATERAL mailauth.parse_dsn(convert_from(raw, 'UTF8')) WHERE id = :b AND utf8;
\elif :k = 2
SELECT mailauth.bounce_reason((ARRAY['550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown', '452 4.2.2 Mailbox full', 'Connection timed out', '554 5.7.1 Service unavailable; client host blocked'])[1 + :n % 4], CASE WHEN :n % 2 = 0 THEN '5.1.1' END);
\elif :k = 3
SELECT * FROM mailauth.smtp_status((ARRAY['5.1.1', '4.7.1', '5.7.26', '4.4.7', '5.2.2', '2.0.0'])[1 + :n % 6]);
\elif :k = 4
SELECT * FROM mailauth.parse_authentication_results('Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=a@pass.spf.test; dkim=pass header.d=dkim.test header.s=rsa2048; dmarc=pass header.from=dkim.test');
\elif :k = 5
SELECT * FROM mailauth.parse_address('"Alice B." <alice+' || :n || '@Example.TEST> (comment)');
\elif :k = 6
SELECT * FROM mailauth.parse_address_list('a@x.test, "B" <b@y.test>, group: c@z.test;, =?UTF-8?B?w6k=?= <e@w.test>');
\elif :k = 7
SELECT count(*) FROM pgb.msg, LATERAL mailauth.header_check(raw, :n % 2 = 0) WHERE id = 1;
\elif :k = 8
SELECT result FROM pgb.msg, LATERAL mailauth.dkim_verify(raw) WHERE id = 1 + :n % 2;
\elif :k = 9
SELECT result FROM pgb.msg, LATERAL mailauth.dkim_verify(convert_to(raw, 'UTF8')) WHERE id = 1;
\elif :k = 10
SELECT * FROM mailauth.dns_lookup('www.mailauth.test', CASE WHEN :n % 2 = 0 THEN 'A' ELSE 'AAAA' END);
\elif :k = 11
SELECT * FROM mailauth.dns_lookup('h' || :n || '.bulk.test');
\elif :k = 12
SELECT count(*) FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || ((:n + g * 37) % 1000) || '.bulk.test' FROM generate_series(0, 49) g));
\elif :k = 13
SELECT * FROM mailauth.mx_lookup((ARRAY['mailauth.test', 'nullmx.mailauth.test', 'dkim.test'])[1 + :n % 3]);
\elif :k = 14
SELECT * FROM mailauth.ptr_lookup(('192.0.2.' || (:n % 130))::inet);
\elif :k = 15
SELECT result, mechanism FROM mailauth.spf_verify(('192.0.2.' || (:n % 20))::inet, (ARRAY['alice@pass.spf.test', 'bob@soft.spf.test', 'x@nested.spf.test', 'x@mxa.spf.test', 'bob@two.spf.test'])[1 + :n % 5], 'mx.example.test');
\elif :k = 16
SELECT count(*) FROM mailauth.spf_check((ARRAY['nested.spf.test', 'two.spf.test', 'pass.spf.test', 'redir.spf.test'])[1 + :n % 4]);
\elif :k = 17
SELECT count(*) FROM mailauth.spf_check(ARRAY['nested.spf.test', 'syntax.spf.test', 'mailauth.test']);
\elif :k = 18
SELECT * FROM mailauth.spf_record((ARRAY['pass.spf.test', 'syntax.spf.test'])[1 + :n % 2]);
\elif :k = 19
SELECT count(*) FROM mailauth.spf_record(ARRAY['pass.spf.test', 'syntax.spf.test', 'nested.spf.test']);
\elif :k = 20
SELECT mailauth.spf_includes('nested.spf.test', 'mail.zendesk.com');
\elif :k = 21
SELECT * FROM mailauth.dmarc_record((ARRAY['good.dmarc.test', 'bad.dmarc.test', 'two.dmarc.test', 'x.sub.dmarc.test'])[1 + :n % 4]);
\elif :k = 22
SELECT d.* FROM pgb.msg m, LATERAL mailauth.dmarc_verify(m.raw, ('198.51.100.' || (:n % 200 + 1))::inet, 'bounce@other.test') d WHERE m.id = 1;
\elif :k = 23
SELECT d.* FROM pgb.msg m, LATERAL mailauth.dmarc_verify(convert_to(m.raw, 'UTF8'), '192.0.2.5', 'x@dkim.test', 'h.test') d WHERE m.id = 2;
\elif :k = 24
SELECT mailauth.authentication_results(m.raw, '192.0.2.5', 'x@dkim.test', 'h.test', 'mx' || :n % 3 || '.test') FROM pgb.msg m WHERE m.id = 1 + :n % 2;
\elif :k = 25
SELECT mailauth.authentication_results(convert_to(m.raw, 'UTF8'), '192.0.2.5', 'x@dkim.test', NULL, 'mx.test') FROM pgb.msg m WHERE m.id = 1;
\elif :k = 26
SELECT * FROM mailauth.dkim_key((ARRAY['rsa2048', 'rsa1024', 'rsa512', 'ed', 'broken', 'revoked', 'missing', 'alias'])[1 + :n % 8], 'dkim.test');
\elif :k = 27
SELECT * FROM mailauth.ptr_check(('192.0.2.' || (100 + :n % 25))::inet);
\elif :k = 28
SELECT * FROM mailauth.helo_check((ARRAY['mx.trust.test', 'mail.trust.test', 'localhost', '[192.0.2.100]'])[1 + :n % 4], '192.0.2.100', CASE WHEN :n % 2 = 0 THEN 'trust.test' END);
\elif :k = 29
SELECT * FROM mailauth.dnsbl_check(('192.0.2.' || (118 + :n % 4))::inet, ARRAY['bl.trust.test']);
\elif :k = 30
SELECT * FROM mailauth.dbl_check((ARRAY['spammer.other.test', 'mailauth.test'])[1 + :n % 2], ARRAY['dbl.trust.test']);
\elif :k = 31
SELECT * FROM mailauth.dns_expect('good.setup.test', 'TXT', 'include:mail.zendesk.com', 'contains');
\elif :k = 32
SELECT count(*) FROM mailauth.domain_setup_check((ARRAY['good.setup.test', 'partial.setup.test'])[1 + :n % 2], 'Zendesk');
\elif :k = 33
SELECT * FROM mailauth.domain_report((ARRAY['good.setup.test', 'partial.setup.test', 'nullmx.setup.test', 'm365.setup.test'])[1 + :n % 4]);
\elif :k = 34
SELECT count(*) FROM mailauth.domain_report(ARRAY(SELECT 'h' || ((:n + g) % 1000) || '.bulk.test' FROM generate_series(0, 9) g));
\elif :k = 35
SELECT t.verdict FROM pgb.msg m, LATERAL mailauth.sender_trust(('192.0.2.' || (100 + :n % 25))::inet, 'mx.trust.test', 'a@pass.sender.test', CASE WHEN :n % 2 = 0 THEN convert_to(m.raw, 'UTF8') END) t WHERE m.id = 1;
\elif :k = 36
SELECT * FROM mailauth.dns_cache_stats(), mailauth.version();
\elif :k = 37
SELECT pgb.expect_error($$SELECT * FROM mailauth.dns_lookup('bad name.test')$$, '22023');
\elif :k = 38
SELECT pgb.expect_error(format('SELECT mailauth.smtp_status(%L)', (ARRAY['6.1.1', '5.1', '192.0.2.1'])[1 + :n % 3]), '22023');
\elif :k = 39
SELECT pgb.expect_error($$SELECT * FROM mailauth.dns_lookup('loop1.mailauth.test')$$, 'MA001');
\elif :k = 40
SELECT pgb.expect_error($$SELECT * FROM mailauth.dkim_key('', 'dkim.test')$$, '22023');
\elif :n < 20
SELECT mailauth.dns_cache_reset();
\else
SELECT pgb.expect_error($$SELECT mailauth.authentication_results('x', '192.0.2.1', NULL, NULL, 'bad id; x')$$, '22023');
\endif

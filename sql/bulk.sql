-- The set forms (arrays in, rows keyed by input out) of every DNS-backed
-- check give exactly what a LATERAL loop of single calls gives, row for
-- row and in the same order (the row number is part of what is compared),
-- with NULL elements skipped and the key column as given.
--
-- compare(set form, loop of single calls): both queries end with a row
-- number column; prints the row counts, then every row found on one side
-- only (none, when they agree).
CREATE FUNCTION pg_temp.compare(set_q text, single_q text)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  a bigint;
  b bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM (%s) s', set_q) INTO a;
  EXECUTE format('SELECT count(*) FROM (%s) s', single_q) INTO b;
  RETURN NEXT format('set form: %s rows, single calls: %s rows', a, b);
  RETURN QUERY EXECUTE format(
    'SELECT ''only in the set form: '' || x::text FROM ((%1$s) EXCEPT ALL (%2$s)) x
     UNION ALL
     SELECT ''only in single calls: '' || x::text FROM ((%2$s) EXCEPT ALL (%1$s)) x', set_q, single_q);
END $$;

-- TTLs as served whichever form asks first: no cache
SET mailauth.dns_cache_size = 0;
-- a window of 64 inputs and 256 slots: the longer lists below cross
-- several windows, answer-store generations and slot reuses
SET mailauth.dns_max_inflight = 1;

CREATE TEMP TABLE domains (o serial, d text);
INSERT INTO domains (d) VALUES
  ('mailauth.test'), ('www.mailauth.test'), ('nullmx.mailauth.test'), ('no-such-name.mailauth.test'),
  ('nodata.mailauth.test'), ('MailAuth.Test.'), (NULL), ('bücher.mailauth.test'), ('mailauth.test'),
  ('dmarc.test'), ('good.dmarc.test'), ('bad.dmarc.test'), ('monitor.dmarc.test'), ('iodef.dmarc.test'),
  ('partial.dmarc.test'), ('two.dmarc.test'), ('bis.dmarc.test'), ('wrong.dmarc.test'), ('x.y.good.dmarc.test'),
  ('dkim.test'), ('spf.test'), ('pass.spf.test'), ('nested.spf.test'), ('mxa.spf.test'), ('redir.spf.test'),
  ('trust.test'), ('nomx.trust.test'), ('other.test'), ('setup.test'), ('good.setup.test'), ('m365.setup.test'),
  ('nullmx.setup.test'), ('partial.setup.test'), ('sender.test'), ('zendesk.com');
INSERT INTO domains (d) SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 299) g;
SELECT count(*) AS inputs, count(d) AS not_null FROM domains;

-- mx_lookup(text[])
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.mx_lookup(ARRAY(SELECT d FROM domains ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.d, m.preference, m.exchange, m.ttl, row_number() OVER (ORDER BY u.o, m.ordinality)
      FROM domains u, LATERAL mailauth.mx_lookup(u.d) WITH ORDINALITY m$$);
-- dmarc_record(text[]): the domain column is the input as given
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.dmarc_record(ARRAY(SELECT d FROM domains ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.d, m.record_domain, m.org_domain, m.record, m.p, m.sp, m.np, m.adkim, m.aspf, m.pct,
           m.rua, m.ruf, m.fo, m.status, m.problems, row_number() OVER (ORDER BY u.o)
      FROM domains u, LATERAL mailauth.dmarc_record(u.d) m WHERE u.d IS NOT NULL$$);
SET mailauth.dmarc_mode = dmarcbis;
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.dmarc_record(ARRAY(SELECT d FROM domains ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.d, m.record_domain, m.org_domain, m.record, m.p, m.sp, m.np, m.adkim, m.aspf, m.pct,
           m.rua, m.ruf, m.fo, m.status, m.problems, row_number() OVER (ORDER BY u.o)
      FROM domains u, LATERAL mailauth.dmarc_record(u.d) m WHERE u.d IS NOT NULL$$);
RESET mailauth.dmarc_mode;
-- dbl_check(text[], zones)
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.dbl_check(ARRAY(SELECT d FROM domains ORDER BY o) || '{spammer.other.test,dbltest.com,refused.example}',
                                      ARRAY['dbl.trust.test', 'dead.trust.test']) WITH ORDINALITY$$,
  $$SELECT u.d, m.zone, m.listed, m.codes, m.reason, row_number() OVER (ORDER BY u.o, m.ordinality)
      FROM (SELECT o, d FROM domains UNION ALL VALUES (1001, 'spammer.other.test'), (1002, 'dbltest.com'),
                                                     (1003, 'refused.example')) u(o, d),
           LATERAL mailauth.dbl_check(u.d, ARRAY['dbl.trust.test', 'dead.trust.test']) WITH ORDINALITY m$$);
-- spf_includes(text[], text[]): a one-element array is used for every row
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.spf_includes(ARRAY(SELECT d FROM domains ORDER BY o), ARRAY['l3.nested.spf.test']) WITH ORDINALITY$$,
  $$SELECT u.d, 'l3.nested.spf.test', mailauth.spf_includes(u.d, 'l3.nested.spf.test'), row_number() OVER (ORDER BY u.o)
      FROM domains u WHERE u.d IS NOT NULL$$);
SELECT domain, host, spf_includes
  FROM mailauth.spf_includes(ARRAY['nested.spf.test', 'nested.spf.test', 'pass.spf.test', 'zdold.spf.test', NULL],
                             ARRAY['l3.nested.spf.test', 'x.test', 'x.test', 'smtp.zendesk.com', 'x.test']);
-- the existing set forms, checked the same way
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.domain_report(ARRAY(SELECT d FROM domains ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.d, m.spf_status, m.spf_lookups, m.spf_problems, m.dmarc_policy, m.dmarc_problems, m.mx_hosts,
           m.null_mx, m.dkim_selectors, m.mta_sts, m.tls_rpt, m.bimi, m.problems, row_number() OVER (ORDER BY u.o)
      FROM domains u, LATERAL mailauth.domain_report(u.d) m WHERE u.d IS NOT NULL$$);
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.spf_record(ARRAY(SELECT d FROM domains ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.d, m.record, m.status, m.dns_lookups, m.void_lookups, m.all_qualifier, m.includes,
           row_number() OVER (ORDER BY u.o)
      FROM domains u, LATERAL mailauth.spf_record(u.d) m WHERE u.d IS NOT NULL$$);
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.spf_check(ARRAY(SELECT d FROM domains ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.d, m.severity, m.code, m.term, m.detail, row_number() OVER (ORDER BY u.o, m.ordinality)
      FROM domains u, LATERAL mailauth.spf_check(u.d) WITH ORDINALITY m$$);

-- ptr_lookup(inet[]), ptr_check(inet[]), dnsbl_check(inet[], zones)
CREATE TEMP TABLE ips (o serial, ip inet);
INSERT INTO ips (ip) SELECT ('192.0.2.' || g)::inet FROM generate_series(0, 255) g;
INSERT INTO ips (ip) VALUES ('2001:db8:0:7::25'), ('2001:db8:0:7::26'), ('2001:db8:0:7::27'),
  ('2001:db8:0:7::120'), ('::ffff:192.0.2.100'), (NULL), ('127.0.0.2'), ('192.0.2.100'), ('198.18.0.1');
-- (the test server refuses reverse names outside its zones: ptr_lookup
-- raises for them, see below; ptr_check says temperror)
CREATE TEMP VIEW served_ips AS SELECT * FROM ips WHERE ip << '192.0.2.0/24' OR ip << '2001:db8::/32';
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.ptr_lookup(ARRAY(SELECT ip FROM served_ips ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.ip, m.name, m.ttl, row_number() OVER (ORDER BY u.o, m.ordinality)
      FROM served_ips u, LATERAL mailauth.ptr_lookup(u.ip) WITH ORDINALITY m$$);
-- ptr_check: the ip column is the input as given (the single form shows an
-- IPv4-mapped address as the IPv4 address it maps)
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.ptr_check(ARRAY(SELECT ip FROM ips ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.ip, m.ptr_names, m.forward_confirmed, m.confirmed_name, m.generic, m.status, m.problems,
           row_number() OVER (ORDER BY u.o)
      FROM ips u, LATERAL mailauth.ptr_check(u.ip) m WHERE u.ip IS NOT NULL$$);
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.dnsbl_check(ARRAY(SELECT ip FROM ips ORDER BY o),
                                        ARRAY['bl.trust.test', 'pub.trust.test', 'dead.trust.test', 'bad zone']) WITH ORDINALITY$$,
  $$SELECT u.ip, m.zone, m.listed, m.codes, m.reason, row_number() OVER (ORDER BY u.o, m.ordinality)
      FROM ips u, LATERAL mailauth.dnsbl_check(u.ip, ARRAY['bl.trust.test', 'pub.trust.test', 'dead.trust.test', 'bad zone'])
           WITH ORDINALITY m$$);
SELECT ip, status, problems FROM mailauth.ptr_check(ARRAY['192.0.2.100', NULL, '::ffff:192.0.2.101', '2001:db8:0:7::25']::inet[]);

-- helo_check(text[], inet[], text[]): the fixtures of trust.sql as parallel arrays
CREATE TEMP TABLE helos (o serial, helo text, ip inet, domain text);
INSERT INTO helos (helo, ip, domain) VALUES
  ('mx.trust.test', '192.0.2.100', 'trust.test'), ('mail.trust.test', '192.0.2.100', 'trust.test'),
  ('MX.Trust.Test', '192.0.2.100', 'trust.test'), ('mx.trust.test.', '192.0.2.100', 'trust.test'),
  ('elsewhere.trust.test', '192.0.2.100', 'trust.test'), ('v6only.trust.test', '192.0.2.100', NULL),
  ('nxhelo.trust.test', NULL, NULL), ('noerror.trust.test', NULL, NULL),
  ('nomx.trust.test', '192.0.2.100', 'nomx.trust.test'), ('brokenhelo.trust.test', NULL, NULL),
  ('mx.trust.test', '192.0.2.100', 'other.test'), ('localhost', NULL, NULL), ('localhost.localdomain', NULL, NULL),
  ('[127.0.0.1]', NULL, NULL), ('[192.0.2.100]', '192.0.2.100', NULL), ('[192.0.2.1]', '192.0.2.100', NULL),
  ('[IPv6:2001:db8:0:7::25]', '2001:db8:0:7::25', NULL), ('192.0.2.100', '192.0.2.100', NULL),
  ('mailserver', NULL, NULL), ('mx.corp', NULL, NULL), ('host.local', NULL, NULL),
  ('bad_name!.trust.test', NULL, NULL), ('', NULL, NULL), (NULL, '192.0.2.100', 'trust.test'),
  (repeat('a', 300) || '.test', NULL, NULL), (E'mx.trust.test\r\nX-Injected: yes', NULL, NULL);
INSERT INTO helos (helo, ip, domain) SELECT 'h' || g || '.bulk.test', ('198.18.0.' || g)::inet, 'bulk.test' FROM generate_series(0, 99) g;
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.helo_check(ARRAY(SELECT helo FROM helos ORDER BY o), ARRAY(SELECT ip FROM helos ORDER BY o),
                                       ARRAY(SELECT domain FROM helos ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.helo, u.ip, u.domain, m.valid_syntax, m.is_ip_literal, m.is_localhost, m.resolves, m.matches_ip,
           m.in_domain, m.matches_mx, m.problems, row_number() OVER (ORDER BY u.o)
      FROM helos u, LATERAL mailauth.helo_check(u.helo, u.ip, u.domain) m WHERE u.helo IS NOT NULL$$);
-- ips and domains may be left out, or given once for every row
SELECT helo, ip, domain, resolves, matches_ip, in_domain, problems
  FROM mailauth.helo_check(ARRAY['mx.trust.test', 'mail.trust.test', 'nxhelo.trust.test']);
SELECT helo, ip, domain, resolves, matches_ip, in_domain, problems
  FROM mailauth.helo_check(ARRAY['mx.trust.test', 'mail.trust.test'], ARRAY['192.0.2.100']::inet[], ARRAY['trust.test']);

-- dkim_key(text[], text[])
CREATE TEMP TABLE keys (o serial, selector text, domain text);
INSERT INTO keys (selector, domain) SELECT s, 'dkim.test'
  FROM unnest(ARRAY['alias', 'badsyntax', 'broken', 'dup', 'ed', 'revoked', 'rsa1024', 'rsa2048', 'rsa512',
                    'sha1', 'testing', 'web', 'nope', 'RSA2048', 'rsa2048']) s;
INSERT INTO keys (selector, domain) VALUES ('sel', 'trust.test'), ('sel', 'keys.trust.test'), (NULL, 'dkim.test'),
  ('rsa2048', NULL), ('selector1', 'nxdomain.dkim.test'), ('google', 'DKIM.test.');
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.dkim_key(ARRAY(SELECT selector FROM keys ORDER BY o), ARRAY(SELECT domain FROM keys ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.selector, u.domain, m.record, m.key_type, m.key_bits, m.hash_algorithms, m.service_types, m.flags,
           m.testing, m.revoked, m.problems, row_number() OVER (ORDER BY u.o)
      FROM keys u, LATERAL mailauth.dkim_key(u.selector, u.domain) m WHERE u.selector IS NOT NULL AND u.domain IS NOT NULL$$);
SELECT selector, domain, key_type, key_bits, revoked
  FROM mailauth.dkim_key(ARRAY['rsa2048', 'ed', 'revoked'], ARRAY['dkim.test']);

-- spf_verify(inet[], text[], text[]): the cases of spf.sql
CREATE TEMP TABLE checks (o serial, ip inet, sender text, helo text);
INSERT INTO checks (ip, sender, helo) VALUES
  ('192.0.2.7', 'alice@pass.spf.test', 'mx.example.test'), ('2001:db8::7', 'alice@pass.spf.test', NULL),
  ('198.51.100.7', 'alice@pass.spf.test', NULL), ('198.51.100.7', 'bob@soft.spf.test', NULL),
  ('198.51.100.7', 'bob@neutral.spf.test', NULL), ('198.51.100.7', 'bob@open.spf.test', NULL),
  ('198.51.100.7', 'bob@nospf.spf.test', NULL), ('198.51.100.7', 'bob@no-such-domain.spf.test', NULL),
  ('198.51.100.7', 'bob@two.spf.test', NULL), ('198.51.100.7', 'bob@syntax.spf.test', NULL),
  ('192.0.2.41', 'x@mxa.spf.test', NULL), ('192.0.2.40', 'x@mxa.spf.test', NULL), ('192.0.2.42', 'x@mxa.spf.test', NULL),
  ('203.0.113.9', 'x@nested.spf.test', NULL), ('198.51.100.9', 'x@nested.spf.test', NULL),
  ('192.0.2.9', 'x@redir.spf.test', NULL), ('198.51.100.7', 'x@explained.spf.test', NULL),
  ('198.51.100.7', 'x@missing.spf.test', NULL), ('198.51.100.7', 'x@loop.spf.test', NULL),
  ('198.51.100.7', 'x@bomb.spf.test', NULL), ('198.51.100.7', 'x@voids.spf.test', NULL),
  ('198.51.1.7', 'x@long.spf.test', NULL), ('198.51.100.7', 'x@long.spf.test', NULL),
  ('192.0.2.1', 'x@nul.spf.test', NULL), ('192.0.2.1', 'x@latin.spf.test', NULL),
  ('192.0.2.1', 'user@macro.spf.test', NULL), ('192.0.2.2', 'user@macro.spf.test', NULL),
  ('192.0.2.7', '', 'pass.spf.test'), ('192.0.2.7', NULL, 'pass.spf.test'), ('192.0.2.7', NULL, NULL),
  ('192.0.2.7', 'pass.spf.test', NULL), ('192.0.2.7', '@pass.spf.test', NULL), ('192.0.2.7', 'nobody@', NULL),
  ('192.0.2.7', 'x@' || repeat('a', 300) || '.test', NULL), ('192.0.2.7', E'x@pass.spf.test\r\nX-Injected: 1', NULL),
  (NULL, 'x@pass.spf.test', NULL), ('::ffff:192.0.2.7', 'alice@pass.spf.test', NULL);
INSERT INTO checks (ip, sender, helo) SELECT ('192.0.2.' || g)::inet, 'x@nested.spf.test', 'h' || g || '.bulk.test'
  FROM generate_series(0, 99) g;
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.spf_verify(ARRAY(SELECT ip FROM checks ORDER BY o), ARRAY(SELECT sender FROM checks ORDER BY o),
                                       ARRAY(SELECT helo FROM checks ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.ip, u.sender, u.helo, m.result, m.explanation, m.mechanism, m.domain, m.received_spf, m.dns_lookups,
           m.void_lookups, row_number() OVER (ORDER BY u.o)
      FROM checks u, LATERAL mailauth.spf_verify(u.ip, u.sender, u.helo) m WHERE u.ip IS NOT NULL$$);
SET mailauth.spf_engine = libspf2;
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.spf_verify(ARRAY(SELECT ip FROM checks ORDER BY o), ARRAY(SELECT sender FROM checks ORDER BY o),
                                       ARRAY(SELECT helo FROM checks ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.ip, u.sender, u.helo, m.result, m.explanation, m.mechanism, m.domain, m.received_spf, m.dns_lookups,
           m.void_lookups, row_number() OVER (ORDER BY u.o)
      FROM checks u, LATERAL mailauth.spf_verify(u.ip, u.sender, u.helo) m WHERE u.ip IS NOT NULL$$);
RESET mailauth.spf_engine;
SELECT ip, sender, result, mechanism
  FROM mailauth.spf_verify(ARRAY['192.0.2.7', '198.51.100.7', NULL]::inet[], ARRAY['alice@pass.spf.test']);

-- dns_expect(text[], text[], text[], text[]): every service record template
-- of mailauth.service_records over a few domains, plus odd cases
CREATE TEMP TABLE expects (o serial, name text, rrtype text, expected text, match text);
INSERT INTO expects (name, rrtype, expected, match)
SELECT replace(replace(r.name, '{domain_dashed}', replace(d, '.', '-')), '{domain}', d), r.rrtype,
       replace(replace(r.expected, '{domain_dashed}', replace(d, '.', '-')), '{domain}', d), r.match
  FROM unnest(ARRAY['good.setup.test', 'partial.setup.test', 'm365.setup.test', 'nullmx.setup.test', 'setup.test',
                    'chain1.setup.test', 'twospf.setup.test', 'spaced.setup.test', 'split.setup.test']) WITH ORDINALITY u(d, k),
       mailauth.service_records r
 ORDER BY u.k, r.service, r.name, r.rrtype, r.expected;
INSERT INTO expects (name, rrtype, expected, match) VALUES
  ('www.mailauth.test', 'a', '192.0.2.10', 'EXACT'), ('www.mailauth.test', 'A', NULL, 'exact'),
  ('mailauth.test', 'MX', 'mx1.mailauth.test', 'exact'), ('mailauth.test', 'MX', '10 MX1.mailauth.test.', 'exact'),
  ('alias1.mailauth.test', 'CNAME', 'www.mailauth.test', 'exact'), ('no-such-name.mailauth.test', 'TXT', '', 'exact'),
  ('mailauth.test', 'TXT', '', 'exact'), ('bücher.mailauth.test', 'A', '*', 'pattern');
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.dns_expect(ARRAY(SELECT name FROM expects ORDER BY o), ARRAY(SELECT rrtype FROM expects ORDER BY o),
                                       ARRAY(SELECT expected FROM expects ORDER BY o), ARRAY(SELECT match FROM expects ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.name, u.rrtype, u.expected, u.match, m.status, m.found, row_number() OVER (ORDER BY u.o)
      FROM expects u, LATERAL mailauth.dns_expect(u.name, u.rrtype, u.expected, u.match) m WHERE u.expected IS NOT NULL$$);
-- match left out: exact for every row
SELECT * FROM mailauth.dns_expect(ARRAY['www.mailauth.test', 'mailauth.test'], ARRAY['A', 'MX'], ARRAY['192.0.2.10', 'mx2.mailauth.test']);

-- domain_setup_check(text[], text[])
CREATE TEMP TABLE setups (o serial, domain text, service text);
INSERT INTO setups (domain, service)
SELECT d, s FROM unnest(ARRAY['good.setup.test', 'partial.setup.test', 'M365.setup.test.', 'nullmx.setup.test', 'setup.test', NULL]) WITH ORDINALITY a(d, i),
                 unnest(ARRAY['Zendesk', 'zendesk', 'Microsoft 365', 'Google Workspace', 'SendGrid', 'Amazon SES', 'Mailgun', 'Postmark', NULL]) WITH ORDINALITY b(s, j)
 ORDER BY i, j;
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.domain_setup_check(ARRAY(SELECT domain FROM setups ORDER BY o), ARRAY(SELECT service FROM setups ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.domain, u.service, m.name, m.rrtype, m.expected, m.found, m.status, m.purpose,
           row_number() OVER (ORDER BY u.o, m.ordinality)
      FROM setups u, LATERAL mailauth.domain_setup_check(u.domain, u.service) WITH ORDINALITY m$$);
SELECT domain, service, name, status FROM mailauth.domain_setup_check(ARRAY['good.setup.test', 'partial.setup.test'], ARRAY['Zendesk']);

-- sender_trust(inet[], text[], text[]): the scenarios of sender_trust.sql without a message
CREATE TEMP TABLE senders (o serial, ip inet, helo text, mail_from text);
INSERT INTO senders (ip, helo, mail_from) VALUES
  ('192.0.2.100', 'mx.trust.test', 'a@pass.sender.test'), ('192.0.2.100', 'mx.trust.test', 'a@fail.sender.test'),
  ('192.0.2.100', 'mx.trust.test', 'a@soft.sender.test'), ('192.0.2.100', 'mx.trust.test', 'a@nospf.sender.test'),
  ('192.0.2.100', 'mx.trust.test', 'a@neutral.sender.test'), ('192.0.2.100', 'mx.trust.test', 'a@nomail.sender.test'),
  ('192.0.2.100', 'mx.trust.test', 'a@aonly.sender.test'), ('192.0.2.100', 'mx.trust.test', 'a@nx.sender.test'),
  ('192.0.2.100', 'mx.trust.test', 'a@temp.sender.test'), ('192.0.2.105', 'mx.trust.test', 'a@pass.sender.test'),
  ('192.0.2.101', 'mx.trust.test', 'a@pass.sender.test'), ('192.0.2.104', 'mx.trust.test', 'a@pass.sender.test'),
  ('192.0.2.102', 'mx.trust.test', 'a@pass.sender.test'), ('192.0.2.109', 'mx.trust.test', 'a@pass.sender.test'),
  ('192.0.2.106', 'mx.trust.test', 'a@pass.sender.test'), ('192.0.2.107', 'mx.trust.test', 'a@pass.sender.test'),
  ('192.0.2.103', 'mx.trust.test', 'a@pass.sender.test'), ('192.0.2.100', 'localhost', 'a@pass.sender.test'),
  ('192.0.2.100', '192.0.2.100', 'a@pass.sender.test'), ('192.0.2.100', '[192.0.2.100]', 'a@pass.sender.test'),
  ('192.0.2.100', '[192.0.2.1]', 'a@pass.sender.test'), ('192.0.2.100', 'nxhelo.trust.test', 'a@pass.sender.test'),
  ('192.0.2.100', 'mailserver', 'a@pass.sender.test'), ('192.0.2.100', 'mx.corp', 'a@pass.sender.test'),
  ('192.0.2.100', 'elsewhere.trust.test', 'a@pass.sender.test'), ('2001:db8:0:7::25', 'mail.trust.test', 'a@pass.sender.test'),
  ('2001:db8:0:7::27', 'mail.trust.test', 'a@pass.sender.test'), ('192.0.2.102', 'localhost', 'a@fail.sender.test'),
  ('192.0.2.110', 'mx.trust.test', 'a@pass.sender.test'), ('192.0.2.100', NULL, 'a@pass.sender.test'),
  ('192.0.2.100', 'mx.trust.test', NULL), ('192.0.2.100', 'mx.trust.test', ''), (NULL, 'mx.trust.test', 'a@pass.sender.test'),
  ('192.0.2.100', 'mx.trust.test', 'pass.sender.test'), ('192.0.2.100', 'mx.trust.test', 'A@Pass.Sender.Test.'),
  ('::ffff:192.0.2.100', 'mx.trust.test', 'a@pass.sender.test'), ('198.18.0.1', 'h1.bulk.test', 'x@h1.bulk.test');
INSERT INTO senders (ip, helo, mail_from) SELECT ('192.0.2.' || g)::inet, 'h' || g || '.bulk.test', 'x@h' || g || '.bulk.test'
  FROM generate_series(0, 79) g;
SELECT pg_temp.compare(
  $$SELECT * FROM mailauth.sender_trust(ARRAY(SELECT ip FROM senders ORDER BY o), ARRAY(SELECT helo FROM senders ORDER BY o),
                                         ARRAY(SELECT mail_from FROM senders ORDER BY o)) WITH ORDINALITY$$,
  $$SELECT u.ip, u.helo, u.mail_from, m.verdict, m.reasons, m.spf, m.dkim, m.dmarc, m.ptr, m.helo,
           row_number() OVER (ORDER BY u.o)
      FROM senders u, LATERAL mailauth.sender_trust(u.ip, u.helo, u.mail_from) m WHERE u.ip IS NOT NULL$$);
SELECT ip, mail_from, verdict, reasons, helo_result
  FROM mailauth.sender_trust(ARRAY['192.0.2.100', '192.0.2.102']::inet[], ARRAY['mx.trust.test', 'localhost'],
                             ARRAY['a@pass.sender.test']);
SET mailauth.bulk_progress = 1;		-- domain_setup_check has no inner NOTICEs to hide, and restores the setting
SET client_min_messages = warning;
SELECT count(*) FROM mailauth.domain_setup_check(ARRAY['good.setup.test', 'partial.setup.test'], ARRAY['Zendesk']);
RESET client_min_messages;
SHOW mailauth.bulk_progress;
RESET mailauth.bulk_progress;
RESET mailauth.dns_max_inflight;

-- one bad element: the error the single form gives for it (before any DNS)
SELECT sqlstate_of($$SELECT * FROM mailauth.mx_lookup('a..b')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.mx_lookup(ARRAY['mailauth.test', 'a..b'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dmarc_record(ARRAY['good.dmarc.test', ''])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dbl_check(ARRAY['bad name.test'], ARRAY['dbl.trust.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_includes(ARRAY['.test'], ARRAY['x'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_lookup('198.18.0.1'::inet)$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_lookup(ARRAY['192.0.2.10', '198.18.0.1', '::ffff:192.0.2.10']::inet[])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_check(ARRAY['192.0.2.100', '192.0.2.0/24']::inet[])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_check('192.0.2.0/24')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dnsbl_check(ARRAY['10.0.0.0/8']::inet[], ARRAY['bl.trust.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.helo_check(ARRAY['mx.trust.test'], ARRAY['192.0.2.0/24']::inet[])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.helo_check(ARRAY['mx.trust.test'], NULL, ARRAY['a..b'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dkim_key(ARRAY[''], ARRAY['dkim.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dkim_key('', 'dkim.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_expect(ARRAY['www.mailauth.test'], ARRAY['SPF'], ARRAY['x'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_expect(ARRAY['www.mailauth.test'], ARRAY['A'], ARRAY['x'], ARRAY['regex'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.domain_setup_check(ARRAY['good.setup.test', 'x.test'], ARRAY['Zendesk', 'nope'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.domain_setup_check(ARRAY['good.setup.test'], ARRAY['nope'])$$);
-- but a bad element the single form answers (helo syntax, SPF senders) is a row
SELECT helo, valid_syntax, problems FROM mailauth.helo_check(ARRAY['bad_name!.trust.test', 'mx.trust.test']);
-- parallel arrays: equal lengths, or one element
SELECT sqlstate_of($$SELECT * FROM mailauth.dkim_key(ARRAY['a', 'b'], ARRAY['x.test', 'y.test', 'z.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_verify(ARRAY['192.0.2.1', '192.0.2.2']::inet[], ARRAY['a@x.test', 'b@x.test'], ARRAY['a', 'b', 'c'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_expect(ARRAY['a.test', 'b.test'], ARRAY['A'], '{}', ARRAY['exact'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.domain_setup_check(ARRAY['a.test', 'b.test'], ARRAY['Zendesk', 'Zendesk', 'Zendesk'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.sender_trust(ARRAY['192.0.2.1', '192.0.2.2']::inet[], ARRAY['a', 'b', 'c'], ARRAY['x@y.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.sender_trust(ARRAY['192.0.2.0/24']::inet[], ARRAY['mx.trust.test'], ARRAY['a@pass.sender.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.sender_trust('192.0.2.0/24', 'mx.trust.test', 'a@pass.sender.test')$$);
-- a key the single form skips (NULL helo) is not checked: no error for its bad domain
SELECT count(*) FROM mailauth.helo_check(ARRAY['mx.trust.test', NULL], NULL, ARRAY['trust.test', 'a..b']);
SELECT sqlstate_of($$SELECT * FROM mailauth.mx_lookup('{{a.test},{b.test}}'::text[])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.helo_check(ARRAY['a'], '{{192.0.2.1}}'::inet[])$$);
-- empty and NULL inputs
SELECT count(*) FROM mailauth.mx_lookup('{}'::text[]);
SELECT count(*) FROM mailauth.ptr_check('{}'::inet[]);
SELECT count(*) FROM mailauth.helo_check(NULL::text[]);
SELECT count(*) FROM mailauth.dnsbl_check(NULL::inet[]);
SELECT count(*) FROM mailauth.dnsbl_check(NULL::inet);
SELECT count(*) FROM mailauth.spf_verify(NULL::inet[], ARRAY['a@b.test']);
SELECT count(*) FROM mailauth.dkim_key(ARRAY[NULL, NULL]::text[], ARRAY['dkim.test']);
SELECT count(*) FROM mailauth.domain_setup_check('{}'::text[], '{}'::text[]);
-- a literal address still reaches the single form (the text overloads)
SELECT name FROM mailauth.ptr_lookup('192.0.2.10');
SELECT status FROM mailauth.ptr_check('192.0.2.100');
SELECT zone, listed FROM mailauth.dnsbl_check('127.0.0.2', ARRAY['bl.trust.test']);
SELECT result, mechanism FROM mailauth.spf_verify('192.0.2.7', 'alice@pass.spf.test');
SELECT result, domain FROM mailauth.spf_verify('192.0.2.7', NULL, 'pass.spf.test');
SELECT mailauth.spf_verify(NULL, 'x@pass.spf.test') IS NULL AS null_ip;
SELECT matches_ip, in_domain FROM mailauth.helo_check('mx.trust.test', '192.0.2.100', 'trust.test');
SELECT matches_ip, in_domain FROM mailauth.helo_check('mx.trust.test', '192.0.2.100');
SELECT matches_ip, in_domain FROM mailauth.helo_check('mx.trust.test', NULL, 'trust.test');
SELECT matches_ip FROM mailauth.helo_check('mx.trust.test');
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_lookup('not an address')$$);
SELECT verdict FROM mailauth.sender_trust('192.0.2.100', 'mx.trust.test', 'a@pass.sender.test');

-- labels: every set form VOLATILE, parallel labels of its single form
SELECT p.oid::regprocedure AS set_form, p.provolatile, p.proparallel, p.proretset,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec
  FROM pg_proc p
 WHERE p.pronamespace = 'mailauth'::regnamespace
   AND EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[]) t WHERE t IN ('text[]'::regtype, 'inet[]'::regtype))
 ORDER BY 1;

RESET mailauth.dns_cache_size;

-- the idiom of the README: a whole table, joined back on the key
CREATE TEMP TABLE customers (id int, domain text);
INSERT INTO customers VALUES (1, 'good.setup.test'), (2, 'nullmx.setup.test'), (3, 'no-such-name.mailauth.test'),
  (4, NULL), (5, 'good.setup.test');
SELECT c.id, r.spf_status, r.dmarc_policy, r.null_mx
  FROM mailauth.domain_report(ARRAY(SELECT DISTINCT domain FROM customers)) r
  JOIN customers c ON c.domain = r.domain
 ORDER BY c.id;

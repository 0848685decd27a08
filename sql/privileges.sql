-- the privilege model: DNS functions are not for PUBLIC, server settings are superuser-only
CREATE ROLE mailauth_tester LOGIN;
SELECT current_setting('mailauth.dns_servers') AS servers0 \gset
SET ROLE mailauth_tester;
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('www.mailauth.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup(ARRAY['www.mailauth.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.mx_lookup('mailauth.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_lookup('192.0.2.10')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_verify('192.0.2.1', 'a@pass.spf.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_check('pass.spf.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_check(ARRAY['pass.spf.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_record('pass.spf.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_record(ARRAY['pass.spf.test'])$$);
SELECT sqlstate_of($$SELECT mailauth.spf_includes('pass.spf.test', 'x.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dmarc_record('good.dmarc.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dkim_key('rsa2048', 'dkim.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dkim_verify(E'From: a@dkim.test\n\nhi\n')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dmarc_verify(E'From: a@dkim.test\n\nhi\n', '192.0.2.1', 'a@dkim.test')$$);
SELECT sqlstate_of($$SELECT mailauth.authentication_results(E'From: a@dkim.test\n\nhi\n', '192.0.2.1', 'a@dkim.test', NULL, 'mx.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_check('192.0.2.100')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.helo_check('mx.trust.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dnsbl_check('192.0.2.120', ARRAY['bl.trust.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dbl_check('spammer.other.test', ARRAY['dbl.trust.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_expect('good.setup.test', 'TXT', 'x')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.domain_setup_check('good.setup.test', 'Zendesk')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.domain_report('good.setup.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.domain_report(ARRAY['good.setup.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.sender_trust('192.0.2.100', 'mx.trust.test', 'a@pass.sender.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.header_check(E'From: a@b.example\n\nx\n', true)$$);
-- the set forms, and the text overloads of the inet functions
SELECT sqlstate_of($$SELECT * FROM mailauth.mx_lookup(ARRAY['mailauth.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_lookup('192.0.2.10'::text)$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_lookup(ARRAY['192.0.2.10']::inet[])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_verify('192.0.2.1'::inet, 'a@pass.spf.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_verify(ARRAY['192.0.2.1']::inet[], ARRAY['a@pass.spf.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_includes(ARRAY['pass.spf.test'], ARRAY['x.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dmarc_record(ARRAY['good.dmarc.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dkim_key(ARRAY['rsa2048'], ARRAY['dkim.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_check('192.0.2.100'::text)$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.ptr_check(ARRAY['192.0.2.100']::inet[])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.helo_check('mx.trust.test', '192.0.2.100')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.helo_check(ARRAY['mx.trust.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dnsbl_check('192.0.2.120'::text, ARRAY['bl.trust.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dnsbl_check(ARRAY['192.0.2.120']::inet[], ARRAY['bl.trust.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dbl_check(ARRAY['spammer.other.test'], ARRAY['dbl.trust.test'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_expect(ARRAY['good.setup.test'], ARRAY['TXT'], ARRAY['x'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.domain_setup_check(ARRAY['good.setup.test'], ARRAY['Zendesk'])$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.sender_trust('192.0.2.100'::inet, 'mx.trust.test', 'a@pass.sender.test')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.sender_trust(ARRAY['192.0.2.100']::inet[], ARRAY['mx.trust.test'], ARRAY['a@pass.sender.test'])$$);
-- every function of the extension that is not executable by PUBLIC, and
-- every one that is: no DNS function among the latter
SELECT p.proname, count(*) AS overloads
  FROM pg_proc p
 WHERE p.pronamespace = 'mailauth'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
 GROUP BY 1 ORDER BY 1;
-- the rule and template tables are readable by all, changed by their owner
SELECT count(*) > 0 AS readable FROM mailauth.service_records;
SELECT count(*) > 0 AS readable FROM mailauth.sender_trust_rules;
SELECT count(*) > 0 AS readable FROM mailauth.dkim_selectors;
SELECT sqlstate_of($$UPDATE mailauth.sender_trust_rules SET verdict = 'trusted'$$);
SELECT sqlstate_of($$INSERT INTO mailauth.service_records (service, name, rrtype, expected, purpose) VALUES ('x', 'x', 'TXT', 'x', 'x')$$);
-- the sending services are readable by all, changed by their owner
SELECT count(*) > 0 AS readable FROM mailauth.sending_services;
SELECT sqlstate_of($$INSERT INTO mailauth.sending_services (service, spf_include) VALUES ('x', 'x.test')$$);
SELECT sqlstate_of($$SET mailauth.spf_engine = 'libspf2'$$);
-- the servers are a superuser's choice; timeouts and bounds are anyone's
SELECT sqlstate_of($$SET mailauth.dns_servers = '192.0.2.53'$$);
SELECT sqlstate_of($$SET mailauth.dns_timeout = 1000$$);
SELECT sqlstate_of($$SET mailauth.dns_cache_size = 100$$);
-- before the library is loaded, the SET above only made a placeholder:
-- loading the library refuses it (a WARNING) and the superuser's value stays
SELECT mailauth.version() IS NOT NULL AS has_version;
SELECT current_setting('mailauth.dns_servers') = :'servers0' AS servers_unchanged;
-- once loaded, the SET itself is refused
SELECT sqlstate_of($$SET mailauth.dns_servers = '192.0.2.53'$$);
SELECT sqlstate_of($$SET mailauth.dns_servers = ''$$);
-- harmless functions are usable
SELECT entries >= 0 AS stats_ok FROM mailauth.dns_cache_stats();
-- pure parsers are for everyone
SELECT count(*) AS parsed FROM mailauth.parse_authentication_results('x.example; spf=pass');
SELECT count(*) AS bounces FROM mailauth.parse_dsn(E'From: a@b.example\n\nhello\n');
SELECT (mailauth.smtp_status('5.1.1')).permanent AS permanent;
SELECT (mailauth.parse_address('Jane <jane@example.com>')).domain AS domain;
SELECT count(*) AS mailboxes FROM mailauth.parse_address_list('a@x.example, b@y.example');
SELECT mailauth.bounce_reason('550 5.1.1 <x@y.example>: Recipient address rejected: User unknown') AS reason;
RESET ROLE;
-- granting, as the README shows
GRANT EXECUTE ON FUNCTION mailauth.dns_lookup(text, text), mailauth.dns_lookup(text[], text),
      mailauth.mx_lookup(text), mailauth.ptr_lookup(inet) TO mailauth_tester;
SET ROLE mailauth_tester;
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SELECT count(*) FROM mailauth.mx_lookup('mailauth.test');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION mailauth.dns_lookup(text, text), mailauth.dns_lookup(text[], text),
       mailauth.mx_lookup(text), mailauth.ptr_lookup(inet) FROM mailauth_tester;
DROP ROLE mailauth_tester;

-- the privilege model: DNS functions are not for PUBLIC, server settings are superuser-only
CREATE ROLE mailauth_tester LOGIN;
SELECT current_setting('mailauth.dns_servers') AS servers0 \gset
-- from the catalogs: the extension's functions an ordinary role may
-- execute: exactly the pure ones of SECURITY.md (a function added without
-- its REVOKE shows up here)
SELECT p.oid::regprocedure AS executable_by_ordinary_role
  FROM pg_proc p
 WHERE p.pronamespace = 'mailauth'::regnamespace AND has_function_privilege('mailauth_tester', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text;
-- no SECURITY DEFINER function; every function not in C pins its search_path
SELECT count(*) FILTER (WHERE p.prosecdef) AS security_definer,
       count(*) FILTER (WHERE l.lanname <> 'c') AS not_c,
       count(*) FILTER (WHERE l.lanname <> 'c' AND 'search_path=pg_catalog, pg_temp' = ANY (p.proconfig)) AS not_c_pinned
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'mailauth'::regnamespace;
-- the extension's tables: readable, never writable by an ordinary role
SELECT c.relname, has_table_privilege('mailauth_tester', c.oid, 'SELECT') AS can_select,
       has_table_privilege('mailauth_tester', c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER') AS can_write
  FROM pg_class c WHERE c.relnamespace = 'mailauth'::regnamespace AND c.relkind = 'r' ORDER BY 1;
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
SELECT sqlstate_of($$DELETE FROM mailauth.sending_services$$);
SELECT sqlstate_of($$TRUNCATE mailauth.dkim_selectors$$);
SELECT sqlstate_of($$UPDATE mailauth.dkim_selectors SET service = 'x'$$);
SELECT sqlstate_of($$DELETE FROM mailauth.service_records$$);
SELECT sqlstate_of($$ALTER TABLE mailauth.sender_trust_rules ADD COLUMN x int$$);
SELECT sqlstate_of($$CREATE FUNCTION mailauth.lower(text) RETURNS text LANGUAGE sql AS 'SELECT $1'$$);
SELECT sqlstate_of($$CREATE OR REPLACE FUNCTION mailauth.version() RETURNS text LANGUAGE sql AS 'SELECT 1'$$);
SELECT sqlstate_of($$SET mailauth.spf_engine = 'libspf2'$$);
-- the servers are a superuser's choice; timeouts and bounds are anyone's
SELECT sqlstate_of($$SET mailauth.dns_servers = '192.0.2.53'$$);
SELECT sqlstate_of($$ALTER ROLE mailauth_tester SET mailauth.dns_servers = '192.0.2.53'$$);
SELECT sqlstate_of($$SET mailauth.dns_timeout = 1000$$);
SELECT sqlstate_of($$SET mailauth.dns_cache_size = 100$$);
-- before the library is loaded, the SET above only made a placeholder:
-- loading the library refuses it (a WARNING) and the superuser's value stays
SELECT mailauth.version() IS NOT NULL AS has_version;
SELECT current_setting('mailauth.dns_servers') = :'servers0' AS servers_unchanged;
-- the settings only a superuser may set (the library is loaded now)
SELECT name, context FROM pg_settings WHERE name LIKE 'mailauth.%' AND context <> 'user' ORDER BY 1;
-- once loaded, the SET itself is refused, in every form
SELECT sqlstate_of($$SET mailauth.dns_servers = '192.0.2.53'$$);
SELECT sqlstate_of($$SET mailauth.dns_servers = ''$$);
SELECT sqlstate_of($$SET LOCAL mailauth.dns_servers = '192.0.2.53'$$);
SELECT sqlstate_of($$SELECT set_config('mailauth.dns_servers', '192.0.2.53', false)$$);
SELECT sqlstate_of($$ALTER ROLE mailauth_tester SET mailauth.dns_servers = '192.0.2.53'$$);
ALTER SYSTEM SET mailauth.dns_servers = '192.0.2.53';
SELECT sqlstate_of($$SELECT pg_reload_conf()$$);
SELECT sqlstate_of($$LOAD 'mailauth'$$);
SELECT current_setting('mailauth.dns_servers') = :'servers0' AS servers_unchanged;
-- harmless functions are usable
SELECT entries >= 0 AS stats_ok FROM mailauth.dns_cache_stats();
SELECT mailauth.dns_cache_reset();
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

-- a new connection of the ordinary role asking for its own DNS server in
-- the startup packet (PGOPTIONS): a placeholder until the library loads,
-- then refused (WARNING); that value had also replaced the configured one
-- as the session default, so the setting falls back to "" (the system
-- resolver): mailauth then refuses to send DNS queries in that session
GRANT EXECUTE ON FUNCTION mailauth.dns_lookup(text, text) TO mailauth_tester;
\c -reuse-previous=on "user=mailauth_tester options='-c mailauth.dns_servers=192.0.2.53'"
SELECT current_user, current_setting('mailauth.dns_servers') AS placeholder;
SELECT mailauth.version() IS NOT NULL AS loaded;
SELECT current_setting('mailauth.dns_servers') AS after_load;
SELECT sqlstate_of($$SELECT * FROM mailauth.dns_lookup('www.mailauth.test')$$);
-- a connection that does not try it resolves through the configured servers
\c -reuse-previous=on "user=mailauth_tester options=-cwork_mem=4MB"
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test');
\c -reuse-previous=on "user=postgres options=-cwork_mem=4MB"
REVOKE EXECUTE ON FUNCTION mailauth.dns_lookup(text, text) FROM mailauth_tester;

-- search_path against the extension's own SQL and C: a role that may
-- create a schema puts look-alike functions, operators and tables first in
-- its search_path, and temporary tables of the same names in pg_temp.
-- Every one of them raises if it is ever called or read.
GRANT CREATE ON DATABASE :"DBNAME" TO mailauth_tester;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA mailauth TO mailauth_tester;
CREATE TEMP TABLE baseline AS
SELECT 'domain_setup_check' AS f, (SELECT string_agg(x::text, ' ' ORDER BY x::text) FROM mailauth.domain_setup_check('good.setup.test', 'Zendesk') x) AS r
UNION ALL SELECT 'sender_trust', (SELECT x::text FROM mailauth.sender_trust('192.0.2.105', 'mx.trust.test', 'a@pass.sender.test') x)
UNION ALL SELECT 'spf_check', (SELECT string_agg(x::text, ' ') FROM mailauth.spf_check('zdold.spf.test') x)
UNION ALL SELECT 'domain_report', (SELECT x::text FROM mailauth.domain_report('good.setup.test') x);
GRANT SELECT ON pg_temp.baseline TO mailauth_tester;
SET ROLE mailauth_tester;
CREATE SCHEMA evil;
CREATE FUNCTION evil.trap(what text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hijacked: %', what; END $$;
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT evil.trap('lower') $$;
CREATE FUNCTION evil.upper(text) RETURNS text LANGUAGE sql AS $$ SELECT evil.trap('upper') $$;
CREATE FUNCTION evil.btrim(text) RETURNS text LANGUAGE sql AS $$ SELECT evil.trap('btrim') $$;
CREATE FUNCTION evil.rtrim(text, text) RETURNS text LANGUAGE sql AS $$ SELECT evil.trap('rtrim') $$;
CREATE FUNCTION evil.replace(text, text, text) RETURNS text LANGUAGE sql AS $$ SELECT evil.trap('replace') $$;
CREATE FUNCTION evil.split_part(text, text, integer) RETURNS text LANGUAGE sql AS $$ SELECT evil.trap('split_part') $$;
CREATE FUNCTION evil.array_append(text[], text) RETURNS text[] LANGUAGE sql AS $$ SELECT ARRAY[evil.trap('array_append')] $$;
CREATE FUNCTION evil.string_agg(text, text) RETURNS text LANGUAGE sql AS $$ SELECT evil.trap('string_agg') $$;
CREATE FUNCTION evil.texteq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT evil.trap('=')::boolean $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
CREATE FUNCTION evil.textcat(text, text) RETURNS text LANGUAGE sql AS $$ SELECT evil.trap('||') $$;
CREATE OPERATOR evil.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.textcat);
CREATE FUNCTION evil.overlaps(text[], text[]) RETURNS boolean LANGUAGE sql AS $$ SELECT evil.trap('&&')::boolean $$;
CREATE OPERATOR evil.&& (LEFTARG = text[], RIGHTARG = text[], FUNCTION = evil.overlaps);
CREATE FUNCTION evil.anyeq(text, text[]) RETURNS boolean LANGUAGE sql AS $$ SELECT evil.trap('= ANY')::boolean $$;
CREATE TABLE evil.sending_services AS SELECT 'Evil' AS service, 'mail.zendesk.com' AS spf_include, 'deprecated' AS status, 'evil.test' AS replacement;
CREATE TABLE evil.service_records AS SELECT 'Zendesk' AS service, '{domain}' AS name, 'TXT' AS rrtype, 'evil' AS expected, 'exact' AS match, 'evil' AS purpose;
CREATE TABLE evil.dkim_selectors AS SELECT 'evil' AS selector;
CREATE TABLE evil.sender_trust_rules AS SELECT 'no_ptr' AS code, 'untrusted' AS verdict;
CREATE TEMP TABLE sending_services AS SELECT * FROM evil.sending_services;
CREATE TEMP TABLE service_records AS SELECT * FROM evil.service_records;
CREATE TEMP TABLE dkim_selectors AS SELECT * FROM evil.dkim_selectors;
CREATE TEMP TABLE sender_trust_rules AS SELECT * FROM evil.sender_trust_rules;
SET search_path = evil, pg_temp, pg_catalog, public;
-- the traps work: unqualified calls in the caller's own SQL are hijacked
SELECT lower('A');
SELECT 'a'::text = 'b'::text;
SELECT count(*) AS evil_rows FROM sending_services;
-- mailauth's functions are not hijacked (their answers are kept, then
-- compared with a clean search_path)
CREATE TEMP TABLE hijacked AS
SELECT 'domain_setup_check' AS f, (SELECT pg_catalog.string_agg(x::text, ' ' ORDER BY x::text) FROM mailauth.domain_setup_check('good.setup.test', 'Zendesk') x) AS r
UNION ALL SELECT 'sender_trust', (SELECT x::text FROM mailauth.sender_trust('192.0.2.105', 'mx.trust.test', 'a@pass.sender.test') x)
UNION ALL SELECT 'spf_check', (SELECT pg_catalog.string_agg(x::text, ' ') FROM mailauth.spf_check('zdold.spf.test') x)
UNION ALL SELECT 'domain_report', (SELECT x::text FROM mailauth.domain_report('good.setup.test') x);
-- a service only the look-alike tables know is unknown
SELECT count(*) FROM mailauth.domain_setup_check('good.setup.test', 'Evil');
RESET search_path;
SELECT b.f, h.r = b.r AS same_as_clean, left(h.r, 50) AS answer
  FROM pg_temp.baseline b JOIN pg_temp.hijacked h USING (f) ORDER BY 1;
RESET ROLE;
SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
RESET client_min_messages;
DROP TABLE pg_temp.sending_services, pg_temp.service_records, pg_temp.dkim_selectors, pg_temp.sender_trust_rules, baseline, hijacked;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA mailauth FROM mailauth_tester;
REVOKE CREATE ON DATABASE :"DBNAME" FROM mailauth_tester;
DROP ROLE mailauth_tester;

-- spf_check: every lint code on the project's own zones
SELECT mailauth.dns_cache_reset();
-- clean policies give no rows
SELECT count(*) FROM mailauth.spf_check('pass.spf.test');
SELECT count(*) FROM mailauth.spf_check('nested.spf.test');
SELECT count(*) FROM mailauth.spf_check('zdnew.spf.test');
-- one query per code
SELECT * FROM mailauth.spf_check('nospf.spf.test');
SELECT * FROM mailauth.spf_check('no-such-domain.spf.test');
SELECT * FROM mailauth.spf_check('two.spf.test');
SELECT * FROM mailauth.spf_check('syntax.spf.test');
SELECT * FROM mailauth.spf_check('bomb.spf.test');
SELECT * FROM mailauth.spf_check('voids.spf.test');
SELECT * FROM mailauth.spf_check('missing.spf.test');
SELECT * FROM mailauth.spf_check('loop.spf.test');
SELECT * FROM mailauth.spf_check('loopa.spf.test');
SELECT * FROM mailauth.spf_check('rloop.spf.test');
SELECT * FROM mailauth.spf_check('open.spf.test');
SELECT * FROM mailauth.spf_check('neutral.spf.test');
SELECT * FROM mailauth.spf_check('noall.spf.test');
SELECT * FROM mailauth.spf_check('ptr.spf.test');
SELECT * FROM mailauth.spf_check('zdold.spf.test');
SELECT * FROM mailauth.spf_check('long.spf.test');
SELECT * FROM mailauth.spf_check('dnserr.spf.test');
SELECT * FROM mailauth.spf_check('redirall.spf.test');
-- a user's own deprecated include, kept by pg_dump
INSERT INTO mailauth.sending_services (service, spf_include, status, replacement)
VALUES ('Old Sender', 'l3.nested.spf.test', 'deprecated', 'new.sender.test');
SELECT * FROM mailauth.spf_check('nested.spf.test');
DELETE FROM mailauth.sending_services WHERE source = 'user';
SELECT count(*) AS seeded, count(*) FILTER (WHERE status = 'deprecated') AS deprecated
  FROM mailauth.sending_services;

-- spf_record: the record, its status, lookups counted across the tree
SELECT * FROM mailauth.spf_record('nested.spf.test');
SELECT * FROM mailauth.spf_record('pass.spf.test');
SELECT domain, status, dns_lookups FROM mailauth.spf_record('bomb.spf.test');
SELECT domain, status, record FROM mailauth.spf_record('nospf.spf.test');
SELECT domain, status FROM mailauth.spf_record('dnserr.spf.test');
SELECT domain, status, dns_lookups, includes FROM mailauth.spf_record('redir.spf.test');

-- spf_includes: directly or nested
SELECT mailauth.spf_includes('nested.spf.test', 'l1.nested.spf.test') AS direct,
       mailauth.spf_includes('nested.spf.test', 'L3.Nested.spf.test.') AS nested,
       mailauth.spf_includes('nested.spf.test', 'mail.zendesk.com') AS absent,
       mailauth.spf_includes('zdnew.spf.test', 'mail.zendesk.com') AS zendesk,
       mailauth.spf_includes('nospf.spf.test', 'mail.zendesk.com') AS no_record;

-- bulk forms: one statement for a table of customer domains
SELECT domain, code FROM mailauth.spf_check(ARRAY['pass.spf.test', 'open.spf.test', 'two.spf.test',
                                                  'bad..name', 'zdold.spf.test'])
 ORDER BY domain, code;
SELECT domain, status, dns_lookups, all_qualifier
  FROM mailauth.spf_record(ARRAY['pass.spf.test', 'nested.spf.test', 'nospf.spf.test', 'loopa.spf.test'])
 ORDER BY domain;
-- bad input
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_check('')$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.spf_record('a..b')$$);

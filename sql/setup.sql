-- domain_setup_check() over mailauth.service_records, and domain_report()
-- (test/zones/setup.test.zone)
SELECT service, count(*) FROM mailauth.service_records GROUP BY service ORDER BY service;
SELECT * FROM mailauth.domain_setup_check('good.setup.test', 'Zendesk');
SELECT * FROM mailauth.domain_setup_check('partial.setup.test', 'zendesk');
SELECT * FROM mailauth.domain_setup_check('M365.setup.test.', 'Microsoft 365');
SELECT * FROM mailauth.domain_setup_check('m365.setup.test', 'nope');
-- a service of one's own: user rows are extension data pg_dump keeps
INSERT INTO mailauth.service_records (service, name, rrtype, expected, match, purpose)
VALUES ('Helpdesk Inc', 'hd._domainkey.{domain}', 'CNAME', 'hd.dkim.helpdesk.example', 'exact', 'dkim'),
       ('Helpdesk Inc', '{domain}', 'TXT', 'include:mail.zendesk.com', 'contains', 'spf');
SELECT name, status FROM mailauth.domain_setup_check('good.setup.test', 'Helpdesk Inc');
DELETE FROM mailauth.service_records WHERE source = 'user';
-- domain_report, one domain and a list
\x on
SELECT * FROM mailauth.domain_report('good.setup.test');
SELECT * FROM mailauth.domain_report('partial.setup.test');
SELECT * FROM mailauth.domain_report(ARRAY['nullmx.setup.test', 'nonexistent.setup.test', 'bad name', 'm365.setup.test', 'twospf.setup.test']);
\x off
SELECT count(*), count(DISTINCT domain) FROM mailauth.domain_report(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(1, 200) g));
SELECT domain, dmarc_policy FROM mailauth.domain_report(ARRAY['good.setup.test', NULL, 'good.setup.test']);
-- a 253-octet domain: its _mta-sts, _smtp._tls and default._bimi names are
-- too long to ask, and no problem is made up about them
SELECT octet_length(domain) AS octets, mta_sts, tls_rpt, bimi, problems
  FROM mailauth.domain_report(repeat('a', 63) || '.' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 56) || '.test');
-- a name too long to be one, of multibyte characters: it is echoed cut at a
-- character boundary (no byte of a half character, no \ escape)
SELECT octet_length(domain) AS octets, domain ~ '^(ä)+$' AS whole_characters,
       problems[1] ~ '^"(ä)+" is not a valid domain name$' AS problem_whole
  FROM mailauth.domain_report(repeat('ä', 200) || '.test');

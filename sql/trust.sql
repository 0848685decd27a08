-- ptr_check, helo_check, dnsbl_check, dbl_check, dns_expect against the
-- fixtures of test/zones/trust.test.zone (every problem code and status)
-- ptr_check: iprev pass / fail / temperror / permerror
SELECT ip, ptr_names, forward_confirmed, confirmed_name, generic, status, problems
  FROM unnest(ARRAY['192.0.2.100', '192.0.2.101', '192.0.2.102', '192.0.2.103', '192.0.2.104',
                    '192.0.2.105', '192.0.2.106', '192.0.2.107', '192.0.2.108', '192.0.2.109',
                    '192.0.2.110', '192.0.2.111', '192.0.2.112',
                    '2001:db8:0:7::25', '2001:db8:0:7::26', '2001:db8:0:7::27']::inet[]) a,
       LATERAL mailauth.ptr_check(a) p;
-- an IPv4-mapped IPv6 address is the IPv4 client
SELECT ip, status FROM mailauth.ptr_check('::ffff:192.0.2.100');
SELECT mailauth.ptr_check('192.0.2.0/24');
SELECT mailauth.ptr_check(NULL);
-- helo_check
SELECT h.*
  FROM (VALUES ('mx.trust.test', '192.0.2.100'::inet, 'trust.test'),
               ('mail.trust.test', '192.0.2.100', 'trust.test'),
               ('MX.Trust.Test', '192.0.2.100', 'trust.test'),
               ('mx.trust.test.', '192.0.2.100', 'trust.test'),
               ('elsewhere.trust.test', '192.0.2.100', 'trust.test'),
               ('v6only.trust.test', '192.0.2.100', NULL),
               ('nxhelo.trust.test', NULL, NULL),
               ('noerror.trust.test', NULL, NULL),
               ('nomx.trust.test', '192.0.2.100', 'nomx.trust.test'),
               ('brokenhelo.trust.test', NULL, NULL),
               ('mx.trust.test', '192.0.2.100', 'other.test'),
               ('localhost', NULL, NULL),
               ('localhost.localdomain', NULL, NULL),
               ('[127.0.0.1]', NULL, NULL),
               ('[192.0.2.100]', '192.0.2.100', NULL),
               ('[192.0.2.1]', '192.0.2.100', NULL),
               ('[IPv6:2001:db8:0:7::25]', '2001:db8:0:7::25', NULL),
               ('192.0.2.100', '192.0.2.100', NULL),
               ('mailserver', NULL, NULL),
               ('mx.corp', NULL, NULL),
               ('host.local', NULL, NULL),
               ('bad_name!.trust.test', NULL, NULL),
               ('', NULL, NULL)) v(helo, ip, domain),
       LATERAL mailauth.helo_check(v.helo, v.ip, v.domain) h;
SELECT valid_syntax, problems FROM mailauth.helo_check(repeat('a', 300) || '.test');
SELECT valid_syntax, problems FROM mailauth.helo_check(E'mx.trust.test\r\nX-Injected: yes');
SELECT valid_syntax, problems FROM mailauth.helo_check('mx.tr' || chr(252) || 'st.test');
SELECT mailauth.helo_check(NULL) IS NULL AS null_helo;
-- dnsbl_check: listed, two codes, refused, misconfigured, no TXT, IPv6, not listed
SELECT a AS ip, d.*
  FROM unnest(ARRAY['127.0.0.2', '192.0.2.120', '192.0.2.121', '192.0.2.122', '192.0.2.123',
                    '192.0.2.124', '192.0.2.200', '2001:db8:0:7::120']::inet[]) a,
       LATERAL mailauth.dnsbl_check(a, ARRAY['bl.trust.test']) d;
SELECT * FROM mailauth.dnsbl_check('192.0.2.120', ARRAY['bl.trust.test', 'pub.trust.test', 'dead.trust.test', 'bad zone', 'list.broken.invalid']);
-- the default zones come from the setting
SET mailauth.dnsbl_zones = 'bl.trust.test, pub.trust.test';
SELECT zone, listed FROM mailauth.dnsbl_check('192.0.2.120');
RESET mailauth.dnsbl_zones;
-- dbl_check
SELECT d AS domain, b.*
  FROM unnest(ARRAY['spammer.other.test', 'dbltest.com', 'refused.example', 'clean.other.test']) d,
       LATERAL mailauth.dbl_check(d, ARRAY['dbl.trust.test']) b;
SET mailauth.dbl_zones = 'dbl.trust.test';
SELECT zone, listed FROM mailauth.dbl_check('SPAMMER.other.test.');
RESET mailauth.dbl_zones;
-- dns_expect: ok / missing / mismatch / error, with normalisation
SELECT name, rrtype, expected, match, e.*
  FROM (VALUES ('split.setup.test', 'TXT', 'v=spf1 include:mail.zendesk.com -all', 'exact'),
               ('spaced.setup.test', 'TXT', 'v=spf1 include:mail.zendesk.com -all', 'exact'),
               ('good.setup.test', 'TXT', 'include:mail.zendesk.com', 'contains'),
               ('good.setup.test', 'TXT', 'INCLUDE:Mail.Zendesk.Com', 'contains'),
               ('partial.setup.test', 'TXT', 'include:mail.zendesk.com', 'contains'),
               ('twospf.setup.test', 'TXT', 'include:mail.zendesk.com', 'contains'),
               ('zendesk1._domainkey.good.setup.test', 'CNAME', 'ZENDESK1._domainkey.zendesk.com.', 'exact'),
               ('chain1.setup.test', 'CNAME', 'zendesk1._domainkey.zendesk.com', 'exact'),
               ('chain1.setup.test', 'CNAME', 'chain2.setup.test', 'exact'),
               ('zendesk1._domainkey.good.setup.test', 'TXT', 'v=DKIM1; k=rsa; p=*', 'pattern'),
               ('mx2.setup.test', 'MX', 'a.mx2.setup.test', 'exact'),
               ('mx2.setup.test', 'MX', '20 b.mx2.setup.test', 'exact'),
               ('mx2.setup.test', 'MX', '10 b.mx2.setup.test', 'exact'),
               ('mx2.setup.test', 'A', '192.0.2.26', 'exact'),
               ('mx2.setup.test', 'AAAA', '2001:DB8:0::26', 'exact'),
               ('nothere.setup.test', 'TXT', 'x', 'exact'),
               ('good.setup.test', 'CAA', '0 issue "x"', 'exact'),
               ('x.broken.invalid', 'TXT', 'x', 'exact')) v(name, rrtype, expected, match),
       LATERAL mailauth.dns_expect(v.name, v.rrtype, v.expected, v.match) e;
SELECT * FROM mailauth.dns_expect('good.setup.test', 'TXT', 'v=spf1 include:mail.zendesk.com -all');
SELECT * FROM mailauth.dns_expect('good.setup.test', 'TXT', 'x', 'fuzzy');
SELECT * FROM mailauth.dns_expect('good.setup.test', 'BOGUS', 'x');
SELECT * FROM mailauth.dns_expect('bad name', 'TXT', 'x');

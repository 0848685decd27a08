-- every supported record type against the loopback knot server
SELECT mailauth.dns_cache_reset();
SELECT * FROM mailauth.dns_lookup('www.mailauth.test') ORDER BY data;
SELECT * FROM mailauth.dns_lookup('WWW.MailAuth.Test.', 'a') ORDER BY data;
SELECT * FROM mailauth.dns_lookup('www.mailauth.test', 'AAAA') ORDER BY data;
SELECT * FROM mailauth.dns_lookup('mailauth.test', 'MX') ORDER BY data;
SELECT * FROM mailauth.dns_lookup('mailauth.test', 'NS');
SELECT * FROM mailauth.dns_lookup('mailauth.test', 'SOA');
SELECT * FROM mailauth.dns_lookup('mailauth.test', 'TXT');
SELECT * FROM mailauth.dns_lookup('_sip._tcp.mailauth.test', 'SRV');
SELECT * FROM mailauth.dns_lookup('mailauth.test', 'CAA') ORDER BY data;
SELECT * FROM mailauth.dns_lookup('10.2.0.192.in-addr.arpa', 'PTR');
SELECT * FROM mailauth.dns_lookup('alias2.mailauth.test', 'CNAME');

-- TXT: strings concatenated; invalid bytes escaped, never an encoding error
SELECT data FROM mailauth.dns_lookup('multi.mailauth.test', 'TXT');
SELECT data FROM mailauth.dns_lookup('latin1.mailauth.test', 'TXT');
SELECT data FROM mailauth.dns_lookup('nul.mailauth.test', 'TXT');
SELECT data FROM mailauth.dns_lookup('backslash.mailauth.test', 'TXT');
SELECT data FROM mailauth.dns_lookup('utf8.mailauth.test', 'TXT');
-- a 2,000-byte TXT: more than fits in UDP, so it came over TCP
SELECT length(data), left(data, 12), right(data, 6)
  FROM mailauth.dns_lookup('big.mailauth.test', 'TXT');
-- an internationalised name is looked up by its A-label
SELECT * FROM mailauth.dns_lookup('bücher.mailauth.test', 'TXT');

-- NXDOMAIN and NODATA: no rows
SELECT count(*) FROM mailauth.dns_lookup('no-such-name.mailauth.test');
SELECT count(*) FROM mailauth.dns_lookup('nodata.mailauth.test', 'A');
SELECT count(*) FROM mailauth.dns_lookup('www.mailauth.test', 'MX');

-- mx_lookup: ordered by preference then exchange, exchange without the dot
SELECT * FROM mailauth.mx_lookup('mailauth.test');
-- a null MX (RFC 7505)
SELECT * FROM mailauth.mx_lookup('nullmx.mailauth.test');
SELECT count(*) FROM mailauth.mx_lookup('www.mailauth.test');
SELECT count(*) FROM mailauth.mx_lookup('no-such-name.mailauth.test');

-- ptr_lookup: in-addr.arpa and ip6.arpa
SELECT * FROM mailauth.ptr_lookup('192.0.2.10');
SELECT * FROM mailauth.ptr_lookup('192.0.2.50') ORDER BY name;
SELECT * FROM mailauth.ptr_lookup('2001:db8::10');
SELECT * FROM mailauth.ptr_lookup('192.0.2.10/24');
SELECT count(*) FROM mailauth.ptr_lookup('192.0.2.99');
SELECT count(*) FROM mailauth.ptr_lookup('2001:db8::99');

-- NULL in, nothing out (STRICT)
SELECT count(*) FROM mailauth.dns_lookup(NULL::text);
SELECT count(*) FROM mailauth.mx_lookup(NULL);

-- dmarc_record: discovery and lint (test/zones/dmarc.test.zone)
SELECT mailauth.dns_cache_reset();
SELECT * FROM mailauth.dmarc_record('good.dmarc.test');
-- no record at the name itself: the organizational domain's applies (sp)
SELECT domain, record_domain, org_domain, p, sp, status FROM mailauth.dmarc_record('x.sub.dmarc.test');
SELECT domain, record_domain, p, status, problems FROM mailauth.dmarc_record('monitor.dmarc.test');
SELECT domain, record_domain, status, problems FROM mailauth.dmarc_record('two.dmarc.test');
SELECT domain, record_domain, status, problems FROM mailauth.dmarc_record('wrong.dmarc.test');
SELECT domain, p, pct, rua, status, problems FROM mailauth.dmarc_record('bad.dmarc.test');
-- rf=iodef never touches aspf (libopendmarc corrupts it)
SELECT aspf, adkim, status FROM mailauth.dmarc_record('iodef.dmarc.test');
SELECT pct, problems FROM mailauth.dmarc_record('partial.dmarc.test');
-- no policy anywhere, and a DNS failure
SELECT domain, record_domain, org_domain, status, problems FROM mailauth.dmarc_record('www.mailauth.test');
SELECT domain, status FROM mailauth.dmarc_record('refused.fault.invalid');
-- RFC 9989: the tree walk, np, psd, t
SET mailauth.dmarc_mode = 'dmarcbis';
SELECT domain, record_domain, org_domain, p, np, status, problems FROM mailauth.dmarc_record('bis.dmarc.test');
SELECT domain, record_domain, org_domain, p, sp, status FROM mailauth.dmarc_record('x.sub.dmarc.test');
SELECT domain, record_domain, status, problems FROM mailauth.dmarc_record('two.dmarc.test');
RESET mailauth.dmarc_mode;
SELECT domain, problems FROM mailauth.dmarc_record('bis.dmarc.test');
-- bad input
SELECT sqlstate_of($$SELECT * FROM mailauth.dmarc_record('')$$);
SELECT sqlstate_of($$SET mailauth.dmarc_mode = 'strict'$$);

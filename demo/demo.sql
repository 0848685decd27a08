-- The mailauth demo: real DNS queries against the bundled fixtures
-- (demo/zones/, served by knot on loopback), on a throwaway cluster.
\pset footer off
\echo
\echo '== 1. A customer table, as a helpdesk keeps it'
CREATE TABLE customers(id int PRIMARY KEY, name text, domain text);
INSERT INTO customers VALUES
  (1, 'Acme',    'acme.demo.test'),
  (2, 'Globex',  'globex.demo.test'),
  (3, 'Initech', 'initech.demo.test'),
  (4, 'Hooli',   'hooli.demo.test'),
  (5, 'Umbrella','umbrella.demo.test'),
  (6, 'Wayne',   'wayne.demo.test');
SELECT * FROM customers ORDER BY id;

\echo '== 2. One lookup: the SPF record of a domain (TXT)'
SELECT * FROM mailauth.dns_lookup('acme.demo.test', 'TXT');

\echo '== 3. Where does mail for a domain go? (a null MX means: never)'
SELECT * FROM mailauth.mx_lookup('acme.demo.test');
SELECT * FROM mailauth.mx_lookup('hooli.demo.test');

\echo '== 4. Reverse DNS of a sending IP'
SELECT * FROM mailauth.ptr_lookup('192.0.2.25');

\echo '== 5. Every customer at once: MX, SPF and DMARC, concurrent lookups'
WITH mx AS (
  SELECT query, status, string_agg(data, ', ' ORDER BY data) AS mx
    FROM mailauth.dns_lookup(ARRAY(SELECT domain FROM customers), 'MX')
   GROUP BY query, status),
spf AS (
  SELECT query, string_agg(data, ' | ') FILTER (WHERE data LIKE 'v=spf1%') AS spf
    FROM mailauth.dns_lookup(ARRAY(SELECT domain FROM customers), 'TXT')
   GROUP BY query),
dmarc AS (
  SELECT substr(query, 8) AS query, string_agg(data, ' | ') AS dmarc
    FROM mailauth.dns_lookup(ARRAY(SELECT '_dmarc.' || domain FROM customers), 'TXT')
   GROUP BY query)
SELECT c.name, c.domain, mx.status AS mx_status, mx.mx, spf.spf, dmarc.dmarc
  FROM customers c
  LEFT JOIN mx ON mx.query = c.domain
  LEFT JOIN spf ON spf.query = c.domain
  LEFT JOIN dmarc ON dmarc.query = c.domain
 ORDER BY c.id;

\echo '== 6. The plain-words verdict an operator wants'
SELECT c.name, c.domain,
       CASE
         WHEN bool_and(l.status = 'nxdomain') THEN 'domain does not exist'
         WHEN bool_or(l.data = '0 .') THEN 'accepts no mail (null MX)'
         WHEN bool_and(l.status = 'nodata') THEN 'no MX record'
         ELSE 'receives mail'
       END AS verdict
  FROM customers c
  JOIN mailauth.dns_lookup(ARRAY(SELECT domain FROM customers), 'MX') l ON l.query = c.domain
 GROUP BY c.id, c.name, c.domain
 ORDER BY c.id;

\echo '== 7. The cache: the second round asked the DNS server nothing'
SELECT entries, hits, misses, queries_sent, nxdomain, nodata FROM mailauth.dns_cache_stats();

\echo '== 8. SPF: may this IP send as acme? (a Zendesk server, then a stranger)'
SELECT result, mechanism, domain, dns_lookups FROM mailauth.spf_verify('192.161.144.10', 'support@acme.demo.test', 'mail.zendesk.com');
SELECT result, mechanism, received_spf FROM mailauth.spf_verify('203.0.113.66', 'ceo@acme.demo.test', 'unknown.example');

\echo '== 9. Every customer''s SPF policy, in one statement'
SELECT c.name, r.status, r.dns_lookups, r.all_qualifier, r.includes
  FROM customers c
  JOIN mailauth.spf_record(ARRAY(SELECT domain FROM customers)) r ON r.domain = c.domain
 ORDER BY c.id;

\echo '== 10. What is wrong with them, in plain words'
SELECT c.name, f.severity, f.code, f.term, f.detail
  FROM customers c
  JOIN mailauth.spf_check(ARRAY(SELECT domain FROM customers)) f ON f.domain = c.domain
 ORDER BY c.id, f.severity, f.code;

\echo '== 11. Who still has to add include:mail.zendesk.com?'
SELECT name, domain FROM customers
 WHERE NOT mailauth.spf_includes(domain, 'mail.zendesk.com')
 ORDER BY id;

\echo '== 12. Inbound mail, flagged by a trigger when its From domain fails DMARC'
CREATE TABLE inbound (
  id serial PRIMARY KEY, client_ip inet, mail_from text, helo text, raw text,
  dmarc text, disposition text, flagged boolean);
CREATE FUNCTION flag_dmarc() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v mailauth.dmarc_verdict;
BEGIN
  v := mailauth.dmarc_verify(NEW.raw, NEW.client_ip, NEW.mail_from, NEW.helo);
  NEW.dmarc := v.result;
  NEW.disposition := v.disposition;
  NEW.flagged := v.result = 'fail';
  RETURN NEW;
END $$;
CREATE TRIGGER inbound_dmarc BEFORE INSERT ON inbound
  FOR EACH ROW EXECUTE FUNCTION flag_dmarc();
INSERT INTO inbound (client_ip, mail_from, helo, raw) VALUES
  ('192.161.144.10', 'support@acme.demo.test', 'mail.zendesk.com',
   E'From: Acme Support <support@acme.demo.test>\nTo: customer@example.test\nSubject: Your ticket #4711\nMessage-ID: <t4711@acme.demo.test>\n\nWe are on it.\n'),
  ('203.0.113.66', 'ceo@acme.demo.test', 'unknown.example',
   E'From: Acme CEO <ceo@acme.demo.test>\nTo: accounts@example.test\nSubject: Urgent wire transfer\nMessage-ID: <x1@unknown.example>\n\nPlease pay this invoice today.\n'),
  ('203.0.113.66', 'billing@globex.demo.test', 'unknown.example',
   E'From: Globex Billing <billing@globex.demo.test>\nTo: accounts@example.test\nSubject: Invoice\nMessage-ID: <x2@unknown.example>\n\nSee attached.\n');
SELECT id, client_ip, mail_from, dmarc, disposition, flagged FROM inbound ORDER BY id;

\echo '== 13. Customer domains: one row each, what is set up and what is wrong'
SELECT r.domain, r.spf_status, r.dmarc_policy, r.mx_hosts, r.dkim_selectors,
       array_length(r.problems, 1) AS problems
  FROM mailauth.domain_report(ARRAY(SELECT domain FROM customers ORDER BY id)) r;
SELECT c.name, p AS problem
  FROM customers c, LATERAL mailauth.domain_report(c.domain) r, unnest(r.problems) p
 ORDER BY c.id;

\echo '== 14. Is acme set up for Zendesk as Zendesk asks? Record by record'
SELECT name, rrtype, expected, status, found FROM mailauth.domain_setup_check('acme.demo.test', 'Zendesk');

\echo '== 15. How far to trust the senders of the inbound mail (rules: mailauth.sender_trust_rules)'
SELECT i.id, i.mail_from, t.verdict, t.reasons, t.spf, t.ptr, t.helo
  FROM inbound i, LATERAL mailauth.sender_trust(i.client_ip, i.helo, i.mail_from, convert_to(i.raw, 'UTF8')) t
 ORDER BY i.id;

\echo '== 16. Bounces as rows, joined with the customers: hard bounces per customer domain'
CREATE TABLE bounces(id serial PRIMARY KEY, received timestamptz DEFAULT now(), raw text);
INSERT INTO bounces (raw) VALUES
(E'From: MAILER-DAEMON@mx.helpdesk.test (Mail Delivery System)\nTo: support@helpdesk.test\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B1"\n\n--B1\nContent-Type: text/plain\n\n<jane@acme.demo.test>: host mx.acme.demo.test[192.0.2.25] said: 550 5.1.1\n    <jane@acme.demo.test>: Recipient address rejected: User unknown (in reply to\n    RCPT TO command)\n\n--B1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.helpdesk.test\n\nFinal-Recipient: rfc822; jane@acme.demo.test\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.acme.demo.test\nDiagnostic-Code: smtp; 550 5.1.1 <jane@acme.demo.test>: Recipient address rejected: User unknown\n\n--B1--\n'),
(E'From: MAILER-DAEMON@mx.helpdesk.test (Mail Delivery System)\nTo: support@helpdesk.test\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B2"\n\n--B2\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.helpdesk.test\n\nFinal-Recipient: rfc822; bob@globex.demo.test\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n\nFinal-Recipient: rfc822; old@globex.demo.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 No such user\n\n--B2--\n'),
(E'From: Mail Delivery System <Mailer-Daemon@mx.helpdesk.test>\nTo: support@helpdesk.test\nSubject: Mail delivery failed: returning message to sender\nAuto-Submitted: auto-replied\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  sales@initech.demo.test\n    host mx.initech.demo.test [192.0.2.30]\n    SMTP error from remote mail server after end of data:\n    550 5.7.1 Message rejected as spam by Content Filtering.\n'),
(E'From: Rita <rita@hooli.demo.test>\nTo: support@helpdesk.test\nSubject: Automatic reply: Your ticket #4711\nAuto-Submitted: auto-replied\n\nI am out of the office until Monday.\n');
SELECT b.id, d.recipient, d.status, d.reason, d.hard_bounce, d.source
  FROM bounces b, LATERAL mailauth.parse_dsn(b.raw) d ORDER BY b.id, d.recipient;
SELECT c.name, c.domain,
       count(*) FILTER (WHERE d.hard_bounce) AS hard_bounces,
       count(*) FILTER (WHERE NOT d.hard_bounce) AS soft_or_other,
       array_agg(DISTINCT d.reason) AS reasons
  FROM customers c
  JOIN (SELECT d.* FROM bounces b, LATERAL mailauth.parse_dsn(b.raw) d) d
    ON lower(split_part(d.recipient, '@', 2)) = c.domain
 GROUP BY c.name, c.domain ORDER BY hard_bounces DESC, c.name;

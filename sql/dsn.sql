-- parse_dsn, smtp_status, bounce_reason on the project's own fixtures
-- (test/dsn/fixtures: synthetic bounces in the formats of real MTAs)
CREATE TEMP TABLE bounces(name text PRIMARY KEY, raw bytea);
\set f `cat test/dsn/fixtures/postfix.eml`
INSERT INTO bounces VALUES ('postfix', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/rfc3464-multi.eml`
INSERT INTO bounces VALUES ('rfc3464-multi', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/exim.eml`
INSERT INTO bounces VALUES ('exim', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/sendmail.eml`
INSERT INTO bounces VALUES ('sendmail', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/qmail.eml`
INSERT INTO bounces VALUES ('qmail', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/exchange.eml`
INSERT INTO bounces VALUES ('exchange', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/gmail.eml`
INSERT INTO bounces VALUES ('gmail', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/arf.eml`
INSERT INTO bounces VALUES ('arf', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/vacation.eml`
INSERT INTO bounces VALUES ('vacation', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/success.eml`
INSERT INTO bounces VALUES ('success', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/base64-dsn.eml`
INSERT INTO bounces VALUES ('base64-dsn', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/iso2022jp.eml`
INSERT INTO bounces VALUES ('iso2022jp', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/not-a-bounce.eml`
INSERT INTO bounces VALUES ('not-a-bounce', convert_to(:'f', 'UTF8'));
-- fml's notices; SES inside an SNS notification; an mbox of two bounces with
-- no blank line before the second "From " line; Gmail's "(state N)"; the
-- recipient's domain naming the provider (ezweb.ne.jp: KDDI's wording)
\set f `cat test/dsn/fixtures/fml.eml`
INSERT INTO bounces VALUES ('fml', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/ses-sns.eml`
INSERT INTO bounces VALUES ('ses-sns', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/mbox-two.eml`
INSERT INTO bounces VALUES ('mbox-two', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/gmail-state.eml`
INSERT INTO bounces VALUES ('gmail-state', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/provider-domain.eml`
INSERT INTO bounces VALUES ('provider-domain', convert_to(:'f', 'UTF8'));
-- a gateway's plain-text notice with no decoder of its own (the text matcher)
\set f `cat test/dsn/fixtures/text-notice.eml`
INSERT INTO bounces VALUES ('text-notice', convert_to(:'f', 'UTF8'));
-- AOL's older notice naming screen names; Yahoo's summary in a part declared text/html
\set f `cat test/dsn/fixtures/aol-screenname.eml`
INSERT INTO bounces VALUES ('aol-screenname', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/yahoo-summary.eml`
INSERT INTO bounces VALUES ('yahoo-summary', convert_to(:'f', 'UTF8'));
-- a Sieve rejection in an MDN (not an auto-reply); a gateway's "Did not reach the following recipient:"
\set f `cat test/dsn/fixtures/sieve-reject.eml`
INSERT INTO bounces VALUES ('sieve-reject', convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/not-reached.eml`
INSERT INTO bounces VALUES ('not-reached', convert_to(:'f', 'UTF8'));
-- MDaemon: "> address" lines and the SMTP session transcript
\set f `cat test/dsn/fixtures/mdaemon.eml`
INSERT INTO bounces VALUES ('mdaemon', convert_to(:'f', 'UTF8'));
-- Apple Mail's unsubscribe button: an opt-out request, not an auto-reply
\set f `cat test/dsn/fixtures/apple-unsubscribe.eml`
INSERT INTO bounces VALUES ('apple-unsubscribe', convert_to(:'f', 'UTF8'));
SELECT d.recipient, d.reason, d.feedback_type, d.source FROM bounces b, LATERAL mailauth.parse_dsn(b.raw) d
 WHERE b.name = 'apple-unsubscribe';
-- a challenge-response request (TMDA's template, in Exim's first words): no bounce, no row
\set f `cat test/dsn/fixtures/tmda-challenge.eml`
SELECT count(*) AS rows FROM mailauth.parse_dsn(convert_to(:'f', 'UTF8'));
-- a challenge-response service's notice is no bounce either, even as a report with a
-- delivery-status part (its sender decides)
\set f `cat test/dsn/fixtures/cr-waitlist-report.eml`
SELECT count(*) AS rows FROM mailauth.parse_dsn(convert_to(:'f', 'UTF8'));
-- message/xdelivery-status (XWall) is a delivery-status part; the original message's
-- headers attached as text/plain name nobody (an "x=@domain" line is no recipient)
\set f `cat test/dsn/fixtures/xdelivery-status.eml`
SELECT recipient, status, diagnostic, source FROM mailauth.parse_dsn(convert_to(:'f', 'UTF8'));
\set f `cat test/dsn/fixtures/headers-as-text.eml`
SELECT recipient, status, diagnostic, source FROM mailauth.parse_dsn(convert_to(:'f', 'UTF8'));
-- the key columns of every row
SELECT b.name, d.recipient, d.action, d.status, d.reply_code, d.reason, d.hard_bounce, d.source
  FROM bounces b, LATERAL mailauth.parse_dsn(b.raw) d
 ORDER BY b.name, d.recipient;
-- every column of one bounce
\x on
SELECT d.* FROM bounces b, LATERAL mailauth.parse_dsn(b.raw) d WHERE b.name = 'postfix';
SELECT d.* FROM bounces b, LATERAL mailauth.parse_dsn(b.raw) d WHERE b.name = 'arf';
\x off
SELECT d.recipient, d.diagnostic, d.original_subject FROM bounces b, LATERAL mailauth.parse_dsn(b.raw) d
 WHERE b.name = 'iso2022jp';
-- the text form gives the same rows
SELECT count(*) AS same_rows
  FROM bounces b, LATERAL mailauth.parse_dsn(convert_from(b.raw, 'UTF8')) t
 WHERE b.name = 'rfc3464-multi';
-- bad input: a result, never a crash
SELECT count(*) FROM mailauth.parse_dsn(''::bytea);
SELECT count(*) FROM mailauth.parse_dsn('\x00ff00fe'::bytea);
SELECT count(*) FROM mailauth.parse_dsn(decode(repeat('deadbeef', 100000), 'hex'));
SELECT count(*) FROM mailauth.parse_dsn(E'Subject: header only\n');
SELECT count(*) FROM mailauth.parse_dsn(E'Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\nContent-Type: message/delivery-status; charset=no-such-charset\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.1.1\n');
-- 1,000 nested multiparts
SELECT count(*) FROM mailauth.parse_dsn(
  (SELECT string_agg(E'Content-Type: multipart/mixed; boundary=b' || g || E'\n\n--b' || g || E'\n', '' ORDER BY g)
     FROM generate_series(1, 1000) g) || E'Content-Type: text/plain\n\nhi\n');
-- a delivery-status part with 12,000 recipients: capped at 10,000 rows
SELECT count(*) FROM mailauth.parse_dsn(
  E'From: MAILER-DAEMON@x.example\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x.example\n'
  || (SELECT string_agg(E'\nFinal-Recipient: rfc822; u' || g || E'@y.example\nAction: failed\nStatus: 5.1.1\n', '') FROM generate_series(1, 12000) g)
  || E'\n--x--\n');
-- smtp_status
SELECT * FROM mailauth.smtp_status('5.1.1');
SELECT * FROM mailauth.smtp_status(' 4.7.26 ');
SELECT code, permanent, description FROM unnest(ARRAY['2.0.0', '4.4.7', '5.7.20', '5.7.30', '5.2.2', '5.9.999']) c,
       LATERAL mailauth.smtp_status(c);
SELECT sqlstate_of($$SELECT mailauth.smtp_status('6.1.1')$$);
SELECT sqlstate_of($$SELECT mailauth.smtp_status('192.0.2.1')$$);
SELECT sqlstate_of($$SELECT mailauth.smtp_status('5.1')$$);
-- bounce_reason on bare diagnostics
SELECT d, mailauth.bounce_reason(d) AS reason
  FROM unnest(ARRAY[
    '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table',
    '552 5.2.2 Mailbox full',
    '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org',
    '550 5.7.26 This message does not pass authentication checks (SPF and DKIM both do not pass)',
    '421 4.7.0 Try again later, closing connection.',
    '550 5.4.1 Recipient address rejected: Access denied',
    'Host or domain name not found. Name service error for name=nx.example type=MX: Host not found',
    '552 5.3.4 Message size exceeds fixed limit',
    'retry timeout exceeded',
    'something nobody understands']) d;
-- spam filters' and size limits' wordings
SELECT d, mailauth.bounce_reason(d) AS reason
  FROM unnest(ARRAY[
    '550 5.7.1 Sorry, our email server thinks this email is spam',
    '554 5.7.1 Your email appears similar to spam we have received before',
    '550 Rejected by ESETS_SMTP (spam)',
    '554 5.7.1 Message Rejected Class=size limit=15728640 Subclass=reject size=18571048']) d;
SELECT mailauth.bounce_reason('Mailbox unavailable', '5.1.1') AS with_status;
SELECT mailauth.bounce_reason(NULL, NULL) IS NULL AS both_null;

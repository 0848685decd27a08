-- sender_trust(): the documented rule table (mailauth.sender_trust_rules)
-- reproduced on a fixture set of sender scenarios.  Client IPs, PTRs and
-- HELO names: test/zones/trust.test.zone; MAIL FROM domains:
-- test/zones/sender.test.zone; the signed message: the 'pass' fixture of
-- sql/dkim_verify.sql (From alice@dkim.test, DMARC p=reject).
CREATE TEMP TABLE msgs(name text PRIMARY KEY, raw bytea);
INSERT INTO msgs VALUES ('pass', convert_to($m$DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=dkim.test;
 i=@dkim.test; q=dns/txt; s=rsa2048; t=1795361185; h=from : to :
 subject : date : message-id;
 bh=7QJY3CVsdrmVAnQO1VU+yDdOdkSL60bsqo+XT3xvjEQ=;
 b=FTLfpHyp8FkTWeDeYXOwr1KVuTnyUkJBJjdkrHQ+W9xxSgZCR3RcVFzFrbLenJMfHC23z
 IKkDM8YrKvlZtORGh/wapLchWxmOmzmJ8xlEcjc+xsnahzYZJd2W5w4nOyBhJ8aJQmIeRLi
 F+GUEoNmBWDfgQAiF/RYs7VDQnbD2kEZ2zM4it/tReDVnWIgNlugoqShGu+kHCj1anZ7tu1
 DGeR0UxRZ9ZVOHWnqGoxFzFQRhtriY+SOPWtSuINE0wKjho8EG5kRcueeng0LccuF3YLkN5
 obnn9AhybU3CGDulzgBxz8YcisoB2WyJpjPIczpDFNn4s1rSY9SyNPmxJNkA==
From: Alice <alice@dkim.test>
To: Bob <bob@example.test>
Subject: a signed test message
Date: Sun, 22 Nov 2026 12:00:00 +0000
Message-ID: <fixture-1@dkim.test>

Hello Bob,
this message is signed.
$m$, 'UTF8'));
INSERT INTO msgs SELECT 'changed', convert_to(replace(convert_from(raw, 'UTF8'), 'signed', 'changed'), 'UTF8') FROM msgs WHERE name = 'pass';
INSERT INTO msgs VALUES
  ('from_pass', convert_to(E'From: Ann <ann@pass.sender.test>\nTo: desk@example.com\nSubject: hello\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <1@pass.sender.test>\n\nhello\n', 'UTF8')),
  ('from_nullmx', convert_to(E'From: Bob <bob@nullmx.setup.test>\nTo: desk@example.com\nSubject: hello\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <2@nullmx.setup.test>\n\nhello\n', 'UTF8'));
SELECT count(*) AS rules FROM mailauth.sender_trust_rules;
CREATE TEMP TABLE scenarios(name text PRIMARY KEY, ip inet, helo text, mail_from text, msg text,
                            verdict text, reasons text[]);
INSERT INTO scenarios VALUES
  ('baseline', '192.0.2.100', 'mx.trust.test', 'a@pass.sender.test', NULL, 'trusted', '{}'),
  ('spf_fail', '192.0.2.100', 'mx.trust.test', 'a@fail.sender.test', NULL, 'untrusted', '{spf_fail}'),
  ('spf_softfail', '192.0.2.100', 'mx.trust.test', 'a@soft.sender.test', NULL, 'low_trust', '{spf_softfail}'),
  ('no_spf_no_dkim', '192.0.2.100', 'mx.trust.test', 'a@nospf.sender.test', NULL, 'untrusted', '{no_spf_no_dkim}'),
  ('no_spf_dkim_pass', '192.0.2.100', 'mx.trust.test', 'a@nospf.sender.test', 'pass', 'low_trust', '{no_spf}'),
  ('spf_neutral', '192.0.2.100', 'mx.trust.test', 'a@neutral.sender.test', NULL, 'trusted', '{}'),
  ('domain_accepts_no_mail', '192.0.2.100', 'mx.trust.test', 'a@nomail.sender.test', NULL, 'untrusted', '{sender_domain_unresolvable}'),
  ('domain_a_only', '192.0.2.100', 'mx.trust.test', 'a@aonly.sender.test', NULL, 'trusted', '{}'),
  ('domain_does_not_exist', '192.0.2.100', 'mx.trust.test', 'a@nx.sender.test', NULL, 'untrusted', '{no_spf_no_dkim,sender_domain_unresolvable}'),
  ('spf_temperror', '192.0.2.100', 'mx.trust.test', 'a@temp.sender.test', NULL, 'low_trust', '{dns_error}'),
  ('no_ptr', '192.0.2.105', 'mx.trust.test', 'a@pass.sender.test', NULL, 'low_trust', '{no_ptr}'),
  ('ptr_not_confirmed', '192.0.2.101', 'mx.trust.test', 'a@pass.sender.test', NULL, 'low_trust', '{ptr_not_confirmed}'),
  ('ptr_target_gone', '192.0.2.104', 'mx.trust.test', 'a@pass.sender.test', NULL, 'low_trust', '{ptr_not_confirmed}'),
  ('generic_ptr_digits', '192.0.2.102', 'mx.trust.test', 'a@pass.sender.test', NULL, 'low_trust', '{generic_ptr}'),
  ('generic_ptr_keywords', '192.0.2.109', 'mx.trust.test', 'a@pass.sender.test', NULL, 'low_trust', '{generic_ptr}'),
  ('ptr_through_cname', '192.0.2.106', 'mx.trust.test', 'a@pass.sender.test', NULL, 'trusted', '{}'),
  ('ptr_dns_error', '192.0.2.107', 'mx.trust.test', 'a@pass.sender.test', NULL, 'low_trust', '{dns_error}'),
  ('two_ptrs_one_confirmed', '192.0.2.103', 'mx.trust.test', 'a@pass.sender.test', NULL, 'trusted', '{}'),
  ('helo_localhost', '192.0.2.100', 'localhost', 'a@pass.sender.test', NULL, 'low_trust', '{bad_helo}'),
  ('helo_bare_ip', '192.0.2.100', '192.0.2.100', 'a@pass.sender.test', NULL, 'low_trust', '{bad_helo}'),
  ('helo_literal_matching', '192.0.2.100', '[192.0.2.100]', 'a@pass.sender.test', NULL, 'trusted', '{}'),
  ('helo_literal_other_ip', '192.0.2.100', '[192.0.2.1]', 'a@pass.sender.test', NULL, 'low_trust', '{bad_helo}'),
  ('helo_does_not_resolve', '192.0.2.100', 'nxhelo.trust.test', 'a@pass.sender.test', NULL, 'low_trust', '{bad_helo}'),
  ('helo_single_label', '192.0.2.100', 'mailserver', 'a@pass.sender.test', NULL, 'low_trust', '{bad_helo}'),
  ('helo_internal_tld', '192.0.2.100', 'mx.corp', 'a@pass.sender.test', NULL, 'low_trust', '{bad_helo}'),
  ('helo_other_ip', '192.0.2.100', 'elsewhere.trust.test', 'a@pass.sender.test', NULL, 'trusted', '{}'),
  ('dkim_and_spf_pass', '192.0.2.100', 'mx.trust.test', 'a@pass.sender.test', 'pass', 'trusted', '{}'),
  ('dkim_broken_dmarc_reject', '192.0.2.100', 'mx.trust.test', 'a@pass.sender.test', 'changed', 'untrusted', '{dmarc_fail_enforced,dkim_invalid}'),
  ('dmarc_pass_by_spf', '192.0.2.100', 'mx.trust.test', 'a@pass.sender.test', 'from_pass', 'trusted', '{}'),
  ('dmarc_fail_p_none', '192.0.2.100', 'mx.trust.test', 'a@pass.sender.test', 'from_nullmx', 'low_trust', '{dmarc_fail}'),
  ('ipv6_pass', '2001:db8:0:7::25', 'mail.trust.test', 'a@pass.sender.test', NULL, 'trusted', '{}'),
  ('ipv6_generic', '2001:db8:0:7::27', 'mail.trust.test', 'a@pass.sender.test', NULL, 'low_trust', '{generic_ptr}'),
  ('everything_wrong', '192.0.2.102', 'localhost', 'a@fail.sender.test', NULL, 'untrusted', '{spf_fail,generic_ptr,bad_helo}'),
  ('ptr_too_many', '192.0.2.110', 'mx.trust.test', 'a@pass.sender.test', NULL, 'low_trust', '{ptr_not_confirmed}');
SELECT count(*) AS scenarios, count(DISTINCT verdict) AS verdicts FROM scenarios;
-- every rule of the table is exercised by some scenario
SELECT r.code AS rule_not_exercised FROM mailauth.sender_trust_rules r
 WHERE NOT EXISTS (SELECT 1 FROM scenarios s WHERE r.code = ANY (s.reasons)) ORDER BY 1;
-- the verdicts and reasons, compared as sets: mismatches only
CREATE TEMP TABLE got AS
SELECT s.name, t.*
  FROM scenarios s LEFT JOIN msgs m ON m.name = s.msg,
       LATERAL mailauth.sender_trust(s.ip, s.helo, s.mail_from, m.raw) t;
SELECT s.name, s.verdict AS want, g.verdict AS got, s.reasons AS want_reasons, g.reasons AS got_reasons
  FROM scenarios s JOIN got g USING (name)
 WHERE g.verdict IS DISTINCT FROM s.verdict
    OR ARRAY(SELECT x FROM unnest(g.reasons) x ORDER BY x) IS DISTINCT FROM ARRAY(SELECT x FROM unnest(s.reasons) x ORDER BY x)
 ORDER BY 1;
SELECT count(*) FILTER (WHERE g.verdict = s.verdict) AS agree, count(*) AS total
  FROM scenarios s JOIN got g USING (name);
-- the other columns, for a few
SELECT name, verdict, spf, dkim, dmarc, ptr, helo FROM got
 WHERE name IN ('baseline', 'dkim_and_spf_pass', 'dkim_broken_dmarc_reject', 'helo_localhost', 'no_ptr', 'ptr_dns_error')
 ORDER BY name;
-- a rule made stricter: no_ptr becomes untrusted
UPDATE mailauth.sender_trust_rules SET verdict = 'untrusted' WHERE code = 'no_ptr';
SELECT verdict, reasons FROM mailauth.sender_trust('192.0.2.105', 'mx.trust.test', 'a@pass.sender.test');
UPDATE mailauth.sender_trust_rules SET verdict = 'low_trust' WHERE code = 'no_ptr';
-- bad input
SELECT verdict FROM mailauth.sender_trust('192.0.2.100', repeat('a', 300), 'a@pass.sender.test');
SELECT verdict, reasons FROM mailauth.sender_trust('192.0.2.100', 'mx.trust.test', '');
SELECT mailauth.sender_trust('192.0.2.0/24', 'mx.trust.test', 'a@pass.sender.test');

-- Hostile messages: 50 MB, 1,000 nested multiparts, binary junk, every
-- prefix of small samples, NUL bytes, invalid UTF-8 into this UTF-8
-- database.  Every message function gives rows or a clear SQLSTATE, within
-- a time bound, and every string it returns is valid UTF-8.  The table of
-- docs/bad-input.md is read off this file.
SELECT current_setting('server_encoding') AS db_encoding;
CREATE TEMP TABLE sample(name text PRIMARY KEY, raw bytea);
\set f `cat test/dsn/fixtures/postfix.eml`
INSERT INTO sample VALUES ('bounce', convert_to(:'f', 'UTF8'));
INSERT INTO sample VALUES ('signed', convert_to($m$DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=dkim.test;
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
INSERT INTO sample VALUES ('authres', convert_to($m$Authentication-Results: mx.example.org 1; spf=pass smtp.mailfrom=example.com;
 dkim=pass (2048-bit key) header.d=example.com header.s=sel header.b="abc/+=";
 dmarc=fail (p=reject dis=none) header.from=example.com; arc=none
Received-SPF: softfail (mx.example.org: domain of transitioning a@example.com
 does not designate 192.0.2.1 as permitted sender) client-ip=192.0.2.1;
 envelope-from="a@example.com"; helo=mail.example.com;
From: a@example.com

body
$m$, 'UTF8'));
INSERT INTO sample VALUES ('addresses', convert_to($m$"Doe, Jane" <jane@example.com>, team: a@x.example, (c) b@y.example;, =?UTF-8?B?w6lsb2TDqWU=?= <e@example.org>$m$, 'UTF8'));
SELECT name, length(raw) AS bytes FROM sample ORDER BY 1;

-- every string of a function's rows must be valid UTF-8: convert_from()
-- checks it (SQLSTATE 22021 otherwise)
CREATE FUNCTION pg_temp.utf8_ok(t text) RETURNS boolean LANGUAGE sql AS
$$ SELECT convert_from(convert_to(coalesce(t, ''), 'UTF8'), 'UTF8') IS NOT NULL $$;

-- the outcome of stmt on one message ($1, bytea): its value, or the SQLSTATE
CREATE FUNCTION pg_temp.outcome(stmt text, msg bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE stmt INTO r USING msg;
  RETURN coalesce(r, '(null)');
EXCEPTION WHEN OTHERS THEN
  RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END $$;

-- what each function family is asked: a summary of its rows on $1, with
-- every string checked for valid UTF-8
CREATE TEMP TABLE fn(name text PRIMARY KEY, text_input boolean, stmt text);
INSERT INTO fn VALUES
  ('parse_dsn', false, $$SELECT count(*) || ' rows' || coalesce(' ' || string_agg(DISTINCT reason, ','), '')
                   || CASE WHEN bool_and(pg_temp.utf8_ok(d::text)) IS FALSE THEN ' INVALID UTF-8' ELSE '' END
                  FROM mailauth.parse_dsn($1) d$$),
  ('parse_dsn(text)', true, $$SELECT count(*) || ' rows' FROM mailauth.parse_dsn(convert_from($1, 'UTF8')) d$$),
  ('header_check', false, $$SELECT count(*) FILTER (WHERE severity = 'error') || ' errors'
                   || CASE WHEN bool_and(pg_temp.utf8_ok(h::text)) IS FALSE THEN ' INVALID UTF-8' ELSE '' END
                  FROM mailauth.header_check($1) h$$),
  ('dkim_verify', false, $$SELECT string_agg(DISTINCT result, ',')
                   || CASE WHEN bool_and(pg_temp.utf8_ok(v::text)) IS FALSE THEN ' INVALID UTF-8' ELSE '' END
                  FROM mailauth.dkim_verify($1) v$$),
  ('dmarc_verify', false, $$SELECT result || CASE WHEN pg_temp.utf8_ok(d::text) THEN '' ELSE ' INVALID UTF-8' END
                  FROM mailauth.dmarc_verify($1, '192.0.2.1', 'a@dkim.test') d$$),
  ('authentication_results', false, $$SELECT (regexp_match(a, 'dkim=\w+'))[1] || CASE WHEN pg_temp.utf8_ok(a) THEN '' ELSE ' INVALID UTF-8' END
                  FROM mailauth.authentication_results($1, '192.0.2.1', 'a@dkim.test', NULL, 'mx.test') a$$),
  ('parse_authentication_results', true, $$SELECT count(*) || ' results' FROM mailauth.parse_authentication_results(convert_from($1, 'UTF8')) p$$),
  ('parse_address_list', true, $$SELECT count(*) FILTER (WHERE valid) || ' valid of ' || count(*) FROM mailauth.parse_address_list(convert_from($1, 'UTF8')) p$$),
  ('parse_address', true, $$SELECT (p).valid::text FROM (SELECT mailauth.parse_address(convert_from($1, 'UTF8')) p) x$$),
  ('sender_trust', false, $$SELECT dkim FROM mailauth.sender_trust('192.0.2.1', 'mx.trust.test', 'a@dkim.test', $1) s$$);

-- 1. truncated at every byte: each prefix of each sample through each
-- function that reads it; the outcomes, grouped
SELECT clock_timestamp() AS t0 \gset
CREATE TEMP TABLE prefix_outcomes AS
SELECT s.name AS sample, f.name AS function, n, pg_temp.outcome(f.stmt, substring(s.raw FROM 1 FOR n)) AS outcome
  FROM sample s
  JOIN fn f ON (s.name, f.name) IN (('bounce', 'parse_dsn'), ('bounce', 'parse_dsn(text)'), ('bounce', 'header_check'),
                                   ('signed', 'dkim_verify'), ('signed', 'dmarc_verify'),
                                   ('signed', 'authentication_results'), ('signed', 'header_check'),
                                   ('authres', 'parse_authentication_results'), ('authres', 'header_check'),
                                   ('addresses', 'parse_address_list'), ('addresses', 'parse_address'))
 CROSS JOIN LATERAL generate_series(0, length(s.raw)) n;
SELECT extract(epoch FROM clock_timestamp() - :'t0') < 120 AS all_prefixes_within_120s;
SELECT sample, function, count(*) AS prefixes, count(*) FILTER (WHERE outcome LIKE 'ERROR%') AS errors,
       count(*) FILTER (WHERE outcome LIKE '%INVALID UTF-8%') AS invalid_utf8
  FROM prefix_outcomes GROUP BY 1, 2 ORDER BY 1, 2;
-- the outcomes of the whole sample and of its prefixes
SELECT sample, function, outcome, count(*) AS prefixes, min(n) AS from_len, max(n) AS to_len
  FROM prefix_outcomes
 WHERE function IN ('parse_dsn', 'dkim_verify', 'dmarc_verify', 'authentication_results', 'parse_authentication_results')
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 5;

-- 2. NUL bytes in header names, values and bodies (bytea forms); text
-- cannot hold NUL at all (PostgreSQL refuses it before any function runs)
CREATE TEMP TABLE hostile(name text PRIMARY KEY, raw bytea);
INSERT INTO hostile
SELECT 'nul-in-header', overlay(raw PLACING '\x00'::bytea FROM 40 FOR 1) FROM sample WHERE name = 'bounce'
UNION ALL SELECT 'nul-in-body', overlay(raw PLACING '\x0000'::bytea FROM length(raw) - 200 FOR 2) FROM sample WHERE name = 'bounce'
UNION ALL SELECT 'nul-in-signed', overlay(raw PLACING '\x00'::bytea FROM length(raw) - 10 FOR 1) FROM sample WHERE name = 'signed'
UNION ALL SELECT 'nul-field-name', '\x46726f006d3a206140622e6578616d706c650d0a0d0a626f6479'::bytea
UNION ALL SELECT 'all-nul', decode(repeat('00', 4096), 'hex');
SELECT sqlstate_of($$SELECT * FROM mailauth.parse_dsn('From: a@b.example' || chr(0))$$);
SELECT sqlstate_of($$SELECT * FROM mailauth.parse_dsn(convert_from('\x46726f6d3a2000'::bytea, 'UTF8'))$$);

-- 3. invalid UTF-8 (bytea forms; the text forms never see it: 22021)
INSERT INTO hostile
SELECT 'latin1-headers', convert_to(E'From: J\u00e9r\u00f4me <j@example.com>\r\nSubject: caf\u00e9\r\nTo: x@y.example\r\n\r\nbody\r\n', 'LATIN1')
UNION ALL SELECT 'latin1-bounce', overlay(raw PLACING '\x55736572e920756e6b6e6f776effff'::bytea FROM position(convert_to('User unknown', 'UTF8') IN raw) FOR 12) FROM sample WHERE name = 'bounce'
UNION ALL SELECT 'overlong-surrogate', '\x46726f6d3a20c0afeda080f4908080403c612e6578616d706c653e0d0a5375626a6563743a20c0800d0a0d0ac3'::bytea
UNION ALL SELECT 'cut-multibyte', convert_to(E'From: \u00e9\u00e9 <a@example.com>\r\nSubject: \u20ac', 'UTF8') || '\xe282'::bytea
UNION ALL SELECT 'bad-charset-declared', convert_to(E'From: a@example.com\r\nSubject: =?x-unknown?B?/////w==?= =?utf-8?q?=FF=FE?=\r\nContent-Type: text/plain; charset=nonsense\r\n\r\n\u00e9', 'UTF8') || '\xff'::bytea;
SELECT sqlstate_of($$SELECT * FROM mailauth.parse_dsn(convert_from('\x46726f6d3a20ff'::bytea, 'UTF8'))$$);

-- 4. structure: 1,000 nested multiparts, 5,000 sibling parts, deep comments,
-- binary junk, a 1 MB header line
INSERT INTO hostile
SELECT 'nested-1000', convert_to(
  E'From: a@example.com\r\nTo: b@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n'
  || string_agg(format(E'Content-Type: multipart/mixed; boundary="b%s"\r\n\r\n--b%s\r\n', g, g), '' ORDER BY g)
  || E'Content-Type: text/plain\r\n\r\n550 5.1.1 <x@example.com>: user unknown\r\n'
  || string_agg(format(E'--b%s--\r\n', g), '' ORDER BY g DESC), 'UTF8')
  FROM generate_series(1, 1000) g
UNION ALL
SELECT 'siblings-5000', convert_to(
  E'From: MAILER-DAEMON@example.com\r\nSubject: Undelivered Mail\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="s"\r\n\r\n'
  || string_agg(E'--s\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; u' || g || E'@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n', '')
  || E'--s--\r\n', 'UTF8')
  FROM generate_series(1, 5000) g
UNION ALL
SELECT 'deep-comments', convert_to('From: ' || repeat('(', 100000) || 'a@example.com' || repeat(')', 100000) || E'\r\nAuthentication-Results: x; ' || repeat('(', 50000) || E'spf=pass\r\n\r\nbody', 'UTF8')
UNION ALL
SELECT 'binary-64k', string_agg(sha256(int4send(g)), ''::bytea ORDER BY g) FROM generate_series(1, 2048) g
UNION ALL
SELECT 'header-then-binary', convert_to(E'From: a@example.com\r\nContent-Type: multipart/report; boundary="', 'UTF8') || '\xff'::bytea || convert_to(E'"\r\n\r\n', 'UTF8')
       || string_agg(sha256(int4send(g)), ''::bytea ORDER BY g) FROM generate_series(1, 2048) g
UNION ALL
SELECT 'header-1mb', convert_to('Subject: ' || repeat('x', 1048576) || E'\r\nFrom: a@example.com\r\n\r\nbody', 'UTF8');

SELECT name, length(raw) AS bytes FROM hostile ORDER BY 1;
SELECT h.name AS message, f.name AS function,
       left(pg_temp.outcome(f.stmt, h.raw), 90) AS outcome
  FROM hostile h, fn f
 WHERE NOT f.text_input
 ORDER BY 1, 2;

-- the text-only parsers on the deep comments and the long header
SELECT left(pg_temp.outcome((SELECT stmt FROM fn WHERE name = 'parse_authentication_results'), raw), 60) AS authres,
       left(pg_temp.outcome((SELECT stmt FROM fn WHERE name = 'parse_address'), substring(raw FROM 7 FOR 200013)), 60) AS address
  FROM hostile WHERE name = 'deep-comments';

-- 5. 50 MB: a bounce with a 50 MB attachment, and one 50 MB header field
CREATE TEMP TABLE big(name text, raw bytea);
INSERT INTO big
SELECT 'bounce-50mb', raw || convert_to(repeat(E'0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUV\r\n', 860000), 'UTF8')
  FROM sample WHERE name = 'bounce'
UNION ALL
SELECT 'signed-50mb', raw || convert_to(repeat(E'0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUV\n', 860000), 'UTF8')
  FROM sample WHERE name = 'signed'
UNION ALL
SELECT 'header-50mb', convert_to('X-Big: ' || repeat('y', 52428800) || E'\r\nFrom: a@example.com\r\n\r\nbody\r\n', 'UTF8');
SELECT name, length(raw) > 52428800 AS over_50mb FROM big ORDER BY 1;
SELECT b.name AS message, f.name AS function, left(o.outcome, 60) AS outcome, o.seconds < 30 AS within_30s
  FROM big b, fn f,
       LATERAL (SELECT clock_timestamp() AS t0) t,
       LATERAL (SELECT pg_temp.outcome(f.stmt, b.raw) AS outcome) o0,
       LATERAL (SELECT o0.outcome, extract(epoch FROM clock_timestamp() - t.t0) AS seconds) o
 WHERE f.name IN ('parse_dsn', 'parse_dsn(text)', 'header_check', 'dkim_verify', 'dmarc_verify',
                  'authentication_results', 'parse_authentication_results')
 ORDER BY 1, 2;

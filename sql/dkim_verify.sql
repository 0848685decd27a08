-- dkim_verify on messages signed with the project's own keys
-- (test/keys/sign-fixtures.py; keys published in test/zones/dkim.test.zone)
CREATE TEMP TABLE msgs(name text PRIMARY KEY, raw text);
INSERT INTO msgs VALUES
  ('pass', $m$DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=dkim.test;
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
$m$),
  ('pass1024', $m$DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=dkim.test;
 i=@dkim.test; q=dns/txt; s=rsa1024; t=1795361185; h=from : to :
 subject : date : message-id;
 bh=7QJY3CVsdrmVAnQO1VU+yDdOdkSL60bsqo+XT3xvjEQ=;
 b=Mgb7mg6HFMZ4A+RNyOs1j7pOWUQS7nQPxtGSxqWCoVuByhR4glEup2kQNHEoV1AQ6sTe0
 omWtBRNWq2pEjQeSQqzdjrDY4ipD8ZhJwZ82Aasl/RH/nia3Qpfa1gd+cfLzeQWY5NC4tNX
 wm191d3zQDbcWLeCOJlPWvbSe7IwUjE=
From: Alice <alice@dkim.test>
To: Bob <bob@example.test>
Subject: a signed test message
Date: Sun, 22 Nov 2026 12:00:00 +0000
Message-ID: <fixture-1@dkim.test>

Hello Bob,
this message is signed.
$m$),
  ('sha1', $m$DKIM-Signature: v=1; a=rsa-sha1; c=relaxed/relaxed; d=dkim.test;
 i=@dkim.test; q=dns/txt; s=rsa2048; t=1795361185; h=from : to :
 subject : date : message-id; bh=ljM+/AONvTq8VofeTdilWH6O1Ag=;
 b=kxeRD93x7a/qGOPnqEiyy+6/tMj177vNFfN/FBKn+YhRGDL2xE1tBY9YgbUZY1Bz7/n7b
 YfajQU3NedWkB+TYzOkQObJdMKe0kxgnjRyYAwUTpJamsZc2waAU9y0wfQKNpCUhFEnU11q
 +s0yRnaikFBg4P0lNUrCbxt+BqQw2MoPT2ujhP7hKuSIGzVbxKwuiOKLonZ+AIquQVZuUzh
 g3mxQx33jGyN8euUg+rGNkXBLxZKgHEmpLMnoKL3dShglcgBdAXj9aiOx8l78n2gZTlEPbq
 E6TFQBgUbsSoDE4mNyPApKjZX6Gshd2N8sR9STWEyjr685QJIvJIMv/DfCSg==
From: Alice <alice@dkim.test>
To: Bob <bob@example.test>
Subject: a signed test message
Date: Sun, 22 Nov 2026 12:00:00 +0000
Message-ID: <fixture-1@dkim.test>

Hello Bob,
this message is signed.
$m$),
  ('missing', $m$DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=dkim.test;
 i=@dkim.test; q=dns/txt; s=missing; t=1795361185; h=from : to :
 subject : date : message-id;
 bh=7QJY3CVsdrmVAnQO1VU+yDdOdkSL60bsqo+XT3xvjEQ=;
 b=XeG46jBAUvugQCo7ZX0ngJtnwdNcVQvXvNnd/Ul15Tv8tm25OzkWFivN1EHA0BfalPepz
 3bnoSiqauS2MmjPreCxSmD/IGvq2EzgL0NAWuuPTdyiZXT5THmWiBmFYPX6ThfEMh9CF4FV
 /wB2CiJ2GlS2embiAnP3R6s2gIiFNcYeB+H67K2V7pkPY+tzrE0TvrP8y6i3lbfgQ9tLvcM
 MItJij7TWAc9U0gK5culay3iDzUxzkUtXnB04uqSNkxKimOyDKOAKuYRBR1tdw+/Cyqzs60
 C4A378h8uQkygc5jrYYJC+ikIHXYOOiCPImtAaQuFvisu/KBse5O7AiLSJGw==
From: Alice <alice@dkim.test>
To: Bob <bob@example.test>
Subject: a signed test message
Date: Sun, 22 Nov 2026 12:00:00 +0000
Message-ID: <fixture-1@dkim.test>

Hello Bob,
this message is signed.
$m$),
  ('revoked', $m$DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=dkim.test;
 i=@dkim.test; q=dns/txt; s=revoked; t=1795361185; h=from : to :
 subject : date : message-id;
 bh=7QJY3CVsdrmVAnQO1VU+yDdOdkSL60bsqo+XT3xvjEQ=;
 b=lEwic09CfoTgqOtR0fxomm/BLGy/ZZUki/NgUCRsnkgu5bA99NwO663eof1bTFHx3qX7R
 YBDiEqzyxBby9jBJi314vLm64w83cEUJO+JjLdtz7aLsjeZT3sogu1quzIV98Mswun312ZG
 ZHyB/IB1ApwyBhn9nDwDpaoSfDUwhQebEiRwFiY1XeizgWTwN0azl53k4Qn5f7XKlpy19XI
 +rvbWLvHUcVXq6FBc4yLckHkm0dQk6U2l8sKc5+Rb8fgH3wJJt5LGz6LF4DdFM4ptPl63wP
 tdE9UWCXKDSCdBo65oo/2zkuS9qLPplsZ5NHe+xVe7EJ+ktBrj3XpHqi0z7A==
From: Alice <alice@dkim.test>
To: Bob <bob@example.test>
Subject: a signed test message
Date: Sun, 22 Nov 2026 12:00:00 +0000
Message-ID: <fixture-1@dkim.test>

Hello Bob,
this message is signed.
$m$);
INSERT INTO msgs SELECT 'tampered', replace(raw, 'this message is signed', 'this message was changed') FROM msgs WHERE name = 'pass';
INSERT INTO msgs SELECT 'unsigned', regexp_replace(raw, '^DKIM-Signature:.*?\nFrom:', 'From:', 's') FROM msgs WHERE name = 'pass';
-- an unsigned second From above the signed one (h=from signs the bottom-most)
INSERT INTO msgs SELECT 'two-from', E'From: Mallory <m@evil.test>\n' || raw FROM msgs WHERE name = 'pass';

SELECT name, domain, selector, algorithm, canonicalization, identity, key_bits, body_length,
       signed_headers, signed_at IS NOT NULL AS has_t, expires_at, result, reason
  FROM msgs, LATERAL mailauth.dkim_verify(raw) v
 ORDER BY name;
-- bytea and text give the same verdict
SELECT v.result FROM msgs, LATERAL mailauth.dkim_verify(convert_to(raw, 'UTF8')) v WHERE name = 'pass';
-- CRLF line ends verify too
SELECT v.result FROM msgs, LATERAL mailauth.dkim_verify(replace(raw, E'\n', E'\r\n')) v WHERE name = 'pass';
-- two signatures: one row each, in order
SELECT v.selector, v.result
  FROM (SELECT (SELECT substring(raw FROM '^(DKIM-Signature:.*?\n)From:') FROM msgs WHERE name = 'pass1024') || raw AS raw
          FROM msgs WHERE name = 'pass') m, LATERAL mailauth.dkim_verify(m.raw) v;
SET mailauth.dkim_max_signatures = 1;
SELECT count(*) FROM (SELECT (SELECT substring(raw FROM '^(DKIM-Signature:.*?\n)From:') FROM msgs WHERE name = 'pass1024') || raw AS raw
          FROM msgs WHERE name = 'pass') m, LATERAL mailauth.dkim_verify(m.raw) v;
RESET mailauth.dkim_max_signatures;

-- bad input: a result value, never a crash
SELECT result, reason FROM mailauth.dkim_verify('');
SELECT result FROM mailauth.dkim_verify('no header, no separator');
SELECT result FROM mailauth.dkim_verify(E'Subject: header only\n');
SELECT v.result FROM msgs, LATERAL mailauth.dkim_verify(convert_to(raw, 'UTF8') || '\x00ff00'::bytea) v WHERE name = 'pass';
SELECT v.result, v.reason FROM msgs, LATERAL mailauth.dkim_verify(regexp_replace(raw, E'(\n b=)[A-Za-z0-9+/]{6}', E'\\1!!!!!!')) v WHERE name = 'pass';
SELECT v.result FROM msgs, LATERAL mailauth.dkim_verify(E'X-Long: ' || repeat('a', 10000) || E'\n' || raw) v WHERE name = 'pass';
SELECT count(*), min(result) FROM mailauth.dkim_verify(repeat(E'DKIM-Signature: v=1; a=rsa-sha256; d=dkim.test; s=rsa2048; h=from; bh=AAAA; b=AAAA\n', 100) || E'From: a@dkim.test\n\nbody\n');
-- a 10 MB message
SELECT v.result, v.reason FROM msgs, LATERAL mailauth.dkim_verify(raw || repeat(E'more text\n', 1000000)) v WHERE name = 'pass';

-- dmarc_verify: SPF and DKIM aligned with the From domain (dkim.test publishes p=reject)
SELECT name, d.from_domain, d.org_domain, d.result, d.policy, d.disposition, d.spf_result, d.spf_domain,
       d.spf_aligned, d.dkim_domains, d.dkim_aligned, d.record
  FROM msgs, LATERAL mailauth.dmarc_verify(raw, '198.51.100.1', 'bounce@other.test', 'mx.other.test') d
 WHERE name IN ('pass', 'tampered', 'unsigned', 'two-from')
 ORDER BY name;
-- aligned SPF alone passes; an unaligned SPF pass does not
SELECT d.result, d.spf_result, d.spf_aligned, d.dkim_aligned
  FROM msgs, LATERAL mailauth.dmarc_verify(raw, '192.0.2.5', 'bounce@dkim.test') d WHERE name = 'unsigned';
SELECT d.result, d.spf_result, d.spf_aligned
  FROM msgs, LATERAL mailauth.dmarc_verify(raw, '192.0.2.5', NULL, 'dkim.test') d WHERE name = 'unsigned';
-- a From domain without a policy: none
SELECT d.from_domain, d.result, d.policy, d.disposition
  FROM msgs, LATERAL mailauth.dmarc_verify(replace(raw, 'alice@dkim.test', 'alice@mailauth.test'), '198.51.100.1', 'a@b.test') d
 WHERE name = 'unsigned';
-- bytea input, NULL ip
SELECT (mailauth.dmarc_verify(convert_to(raw, 'UTF8'), '198.51.100.1', 'bounce@other.test')).result FROM msgs WHERE name = 'pass';
SELECT mailauth.dmarc_verify(raw, NULL, 'x@y.test') IS NULL AS null_ip FROM msgs WHERE name = 'pass';
SELECT d.result, d.from_domain FROM mailauth.dmarc_verify('no header at all', '198.51.100.1', 'x@y.test') d;

-- authentication_results: the header a receiver would add; it parses back
SELECT name, mailauth.authentication_results(raw, '198.51.100.1', 'bounce@other.test', 'mx.other.test', 'mx.example.test') AS ar
  FROM msgs WHERE name IN ('pass', 'tampered', 'unsigned') ORDER BY name;
SELECT p.method, p.result, p.properties
  FROM msgs, LATERAL mailauth.parse_authentication_results(
         mailauth.authentication_results(raw, '192.0.2.5', 'bounce@dkim.test', NULL, 'mx.example.test')) p
 WHERE name = 'pass';
SELECT sqlstate_of($$SELECT mailauth.authentication_results('x', '192.0.2.1', NULL, NULL, 'bad id; x')$$);
SELECT mailauth.authentication_results(E'From: a@b.test\n\nhi\n', '192.0.2.1', E'x"y\r\nInjected: 1@b.test', NULL, 'mx.example.test');

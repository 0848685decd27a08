-- parse_address, parse_address_list, header_check (RFC 5322; IDN; RFC 2047)
SELECT a AS input, p.*
  FROM unnest(ARRAY[
    '"Doe, Jane" <Jane.Doe@Example.COM>',
    'jane@example.com',
    'jane@example.com (Jane Doe)',
    'Jane Doe <jane@example.com>',
    '=?UTF-8?B?SsO8cmdlbg==?= <juergen@bücher.example>',
    '=?ISO-8859-1?Q?J=FCrgen?= <juergen@xn--bcher-kva.example>',
    '<@relay.example:jane@example.com>',
    'jane . doe @ example . com',
    '"quoted local"@example.com',
    'jane@[192.0.2.1]',
    'jane@[IPv6:2001:db8::1]',
    'Jane <jane@example.com',
    'jane@',
    '@example.com',
    'jane@-bad-.example',
    'a@b@c.example',
    'not an address',
    '',
    'a@x.example, b@y.example',
    repeat('l', 65) || '@example.com',
    'x@' || repeat('a', 64) || '.example']) a,
       LATERAL mailauth.parse_address(a) p;
SELECT * FROM mailauth.parse_address_list('a@x.example, team: b@y.example, "C" <c@z.example>;, <@route.example:d@w.example>');
SELECT * FROM mailauth.parse_address_list('undisclosed-recipients:;');
SELECT count(*) FROM mailauth.parse_address_list((SELECT string_agg('u' || g || '@example.com', ', ') FROM generate_series(1, 1500) g));
SELECT count(*) FROM mailauth.parse_address_list(repeat('(', 50000) || 'a@b.example');
SELECT * FROM mailauth.parse_address(E'bad\u0001char@example.com');
-- header_check on hand-made headers
CREATE TEMP TABLE hdrs(name text PRIMARY KEY, raw text);
INSERT INTO hdrs VALUES
  ('good', E'From: Jane <jane@good.setup.test>\nTo: desk@good.setup.test\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <1@good.setup.test>\nSubject: hello\n\nbody\n'),
  ('two_from', E'From: a@b.example\nFrom: c@d.example\nSubject: x\n\nbody\n'),
  ('no_from_no_date', E'To: x@y.example\nSubject: x\n\nbody\n'),
  ('many_from_no_sender', E'From: a@x.example, b@y.example\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <2@x.example>\nSubject: x\n\nbody\n'),
  ('bad_addresses', E'From: Jane <jane@\nTo: <x@y.example\nCc: @nowhere\nReply-To: r@\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <3@x.example>\nSubject: x\n\nbody\n'),
  ('bad_date_msgid', E'From: a@b.example\nDate: yesterday at noon\nMessage-ID: not-an-id\nSubject: x\n\nbody\n'),
  ('obsolete_date', E'From: a@b.example\nDate: Sun, 22 Nov 26 10:00:00 EST\nMessage-ID: <4@b.example>\nSubject: x\n\nbody\n'),
  ('empty_subject', E'From: a@b.example\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <5@b.example>\nSubject:\n\nbody\n'),
  ('eight_bit', E'From: J\u00fcrgen <j@b.example>\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <6@b.example>\nSubject: Gr\u00fc\u00dfe\n\nbody\n'),
  ('long_line', E'From: a@b.example\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <7@b.example>\nSubject: ' || repeat('x', 1100) || E'\n\nbody\n'),
  ('no_body_separator', E'From: a@b.example\nSubject: x'),
  ('bad_field_name', E'From: a@b.example\nBad Name: x\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <8@b.example>\nSubject: x\n\nbody\n');
SELECT h.name, c.severity, c.code, c.header
  FROM hdrs h, LATERAL mailauth.header_check(h.raw) c
 ORDER BY h.name, c.severity, c.code, c.header;
SELECT c.* FROM hdrs h, LATERAL mailauth.header_check(h.raw) c WHERE h.name = 'two_from' ORDER BY c.code;
-- the bytea form reads the same
SELECT count(*) FROM hdrs h, LATERAL mailauth.header_check(convert_to(h.raw, 'UTF8')) c WHERE h.name = 'bad_addresses';
-- with check_dns: the domains of From, Reply-To and To must exist and accept mail
SELECT code, header, detail FROM mailauth.header_check(
  E'From: Jane <jane@good.setup.test>\nTo: x@nonexistent.setup.test, y@nullmx.setup.test, z@mx2.setup.test\nReply-To: r@partial.setup.test\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <a@good.setup.test>\nSubject: hi\n\nbody\n', true)
 ORDER BY code, detail;
SELECT code FROM mailauth.header_check(E'From: a@x.broken.invalid\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMessage-ID: <a@b.example>\nSubject: hi\n\nbody\n', true);
-- bad input
SELECT count(*) > 0 AS findings FROM mailauth.header_check(''::bytea);
SELECT count(*) > 0 AS findings FROM mailauth.header_check('\x00ff00fe0a0a'::bytea);
SELECT count(*) > 0 AS findings FROM mailauth.header_check(decode(repeat('deadbeef0a', 20000), 'hex'));
-- IDNA maps some characters to ASCII no domain holds (U+00A0 to a space,
-- U+FF20 to '@'); a mapped dot must not leave an empty label (fuzz_addr)
SELECT a AS input, p.domain, p.valid, p.problems
  FROM unnest(ARRAY[E'a@b\u00a0.example', E'a@b\uff20c.example', E'a@b\u3002example',
                    E'a@b.example\u3002', E'a@b\u3002\u3002example']) WITH ORDINALITY u(a, i),
       LATERAL mailauth.parse_address(a) p ORDER BY i;

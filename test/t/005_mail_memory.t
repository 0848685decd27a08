# DKIM, DMARC and Authentication-Results in one backend, many times:
# libopendkim, libpsl and OpenSSL objects and the cores' outcomes are freed
# on every path, so resident memory stays flat.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use MaTest;
use Test::More;
use Time::HiRes ();

# the signed fixture of sql/dkim_verify.sql (test/keys/sign-fixtures.py)
open(my $f, '<', "$FindBin::Bin/../../sql/dkim_verify.sql") or die $!;
my $sql = do { local $/; <$f> };
my ($msg) = $sql =~ /\('pass', \$m\$(.*?)\$m\$\)/s or die 'no fixture';
$msg =~ s/'/''/g;

my $round = <<'SQL';
SELECT count(*) FILTER (WHERE v.result = 'pass') FROM generate_series(1, 800) g,
  LATERAL mailauth.dkim_verify(CASE WHEN g % 4 = 0 THEN replace(m.raw, 'signed', 'changed') ELSE m.raw END) v;
SELECT count(*) FILTER (WHERE d.result = 'pass') FROM generate_series(1, 300) g,
  LATERAL mailauth.dmarc_verify(m.raw, ('198.51.100.' || (g % 200 + 1))::inet, 'bounce@other.test') d;
SELECT count(*) FROM generate_series(1, 300) g,
  LATERAL mailauth.authentication_results(m.raw, '192.0.2.5', 'x@dkim.test', 'h.test', 'mx.test') a;
SELECT count(*) FROM generate_series(1, 300) g,
  LATERAL mailauth.dkim_key((ARRAY['rsa2048', 'rsa512', 'ed', 'broken', 'revoked', 'missing'])[g % 6 + 1], 'dkim.test') k;
SELECT count(*) FROM generate_series(1, 300) g,
  LATERAL mailauth.dmarc_record((ARRAY['good.dmarc.test', 'bad.dmarc.test', 'two.dmarc.test', 'x.sub.dmarc.test'])[g % 4 + 1]) r;
SELECT count(*) FROM generate_series(1, 3000) g,
  LATERAL mailauth.parse_authentication_results(mailauth.authentication_results(m.raw, '192.0.2.5', 'x@dkim.test', NULL, 'mx' || g % 3 || '.test')) p
  WHERE g % 100 = 0;
SQL
$round =~ s/FROM generate_series/FROM fixture m, generate_series/g;

my ($out, $err) = psql_run(<<"SQL");
CREATE TEMP TABLE fixture(raw text);
INSERT INTO fixture VALUES ('$msg');
CREATE TEMP TABLE rss(step text, kb int);
CREATE FUNCTION pg_temp.rss() RETURNS int LANGUAGE sql AS
  \$\$ SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\\s+(\\d+)'))[1]::int \$\$;
$round
INSERT INTO rss SELECT 'before', pg_temp.rss();
$round
$round
$round
INSERT INTO rss SELECT 'after', pg_temp.rss();
SELECT 'growth=' || (max(kb) FILTER (WHERE step = 'after') - max(kb) FILTER (WHERE step = 'before')) FROM rss;
SQL
is($err, '', 'no errors') or diag($err);
my @counts = $out =~ /^(\d+)$/mg;
is(scalar(@counts), 24, 'every statement of the four rounds answered');
is($counts[0], 600, 'dkim_verify: the untouched copies pass, the changed ones do not');
is($counts[1], 300, 'dmarc_verify: aligned DKIM passes DMARC');
my ($growth) = $out =~ /growth=(-?\d+)/;
rss_growth_ok(defined $growth && $growth < 5120, $growth, "resident memory grew by ${\($growth // 'n/a')} kB over 3 rounds (< 5 MB)");

# a 50 MB message through SQL: a result (the body no longer matches), in
# bounded time, and a peak memory bounded by a few copies of the message
# (measured in a fresh backend that only reads the stored message)
($out, $err) = psql_run(<<"SQL");
CREATE TABLE ma_big_message AS SELECT '$msg'::text || repeat(E'0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUV\n', 860000) AS raw;
SQL
is($err, '', '50 MB message stored') or diag($err);
my $t0 = Time::HiRes::time();
($out, $err) = psql_run(<<"SQL");
CREATE FUNCTION pg_temp.hwm() RETURNS int LANGUAGE sql AS
  \$\$ SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\\s+(\\d+)'))[1]::int \$\$;
SELECT 'hwm0=' || pg_temp.hwm();
SELECT 'res=' || v.result || '/' || v.reason || '/' || octet_length(b.raw) FROM ma_big_message b, LATERAL mailauth.dkim_verify(b.raw) v;
SELECT 'hwm1=' || pg_temp.hwm();
DROP TABLE ma_big_message;
SQL
my $secs = sprintf('%.2f', Time::HiRes::time() - $t0);
is($err, '', '50 MB message: no errors') or diag($err);
my ($res, $bytes) = $out =~ m{res=([^/\n]+/[^/\n]+)/(\d+)};
my ($h0) = $out =~ /hwm0=(\d+)/;
my ($h1) = $out =~ /hwm1=(\d+)/;
ok(defined $bytes && $bytes > 52_428_800, "the message has ${\($bytes // 'n/a')} bytes");
is($res // '', 'fail/body hash mismatch', "dkim_verify of 50 MB: a result, in ${secs} s");
ok(defined $h1 && defined $h0 && $h1 - $h0 < 4 * 53_000,
   "peak memory of the call: +${\(defined $h1 && defined $h0 ? $h1 - $h0 : 'n/a')} kB (bound: 4 x the message)");

# a 50 MB bounce through parse_dsn: the delivery-status report and a 50 MB
# returned message (base64-free text, the worst case for the text scanners):
# its row, in bounded time and within the documented peak memory (README,
# "Bounces": at most 4 x the message)
($out, $err) = psql_run(<<'SQL');
CREATE TABLE ma_big_bounce AS SELECT convert_to(
  E'From: MAILER-DAEMON@mx.example\nTo: sender@example.com\nSubject: Undelivered Mail Returned to Sender\n'
  || E'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=BND\n\n'
  || E'--BND\nContent-Type: text/plain\n\nI could not deliver your message.\n\n'
  || E'--BND\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n'
  || E'Final-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.1.1\n'
  || E'Diagnostic-Code: smtp; 550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown\n\n'
  || E'--BND\nContent-Type: message/rfc822\n\nFrom: sender@example.com\nTo: gone@example.net\nSubject: big\n\n'
  || repeat(E'0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUV user unknown 5.2.2 mailbox full\n', 570000)
  || E'\n--BND--\n', 'UTF8') AS raw;
SQL
is($err, '', '50 MB bounce stored') or diag($err);
$t0 = Time::HiRes::time();
($out, $err) = psql_run(<<'SQL');
CREATE FUNCTION pg_temp.hwm() RETURNS int LANGUAGE sql AS
  $$ SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]::int $$;
SELECT 'hwm0=' || pg_temp.hwm();
SELECT 'row=' || d.recipient || '/' || d.status || '/' || d.reason || '/' || octet_length(b.raw)
  FROM ma_big_bounce b, LATERAL mailauth.parse_dsn(b.raw) d;
SELECT 'hwm1=' || pg_temp.hwm();
DROP TABLE ma_big_bounce;
SQL
$secs = sprintf('%.2f', Time::HiRes::time() - $t0);
is($err, '', '50 MB bounce: no errors') or diag($err);
my ($row, $bbytes) = $out =~ m{row=([^\n]+)/(\d+)};
($h0) = $out =~ /hwm0=(\d+)/;
($h1) = $out =~ /hwm1=(\d+)/;
ok(defined $bbytes && $bbytes > 52_428_800, "the bounce has ${\($bbytes // 'n/a')} bytes");
is($row // '', 'gone@example.net/5.1.1/userunknown', "parse_dsn of 50 MB: its row, in ${secs} s");
ok(defined $h1 && defined $h0 && $h1 - $h0 < 4 * 53_000,
   "parse_dsn peak memory: +${\(defined $h1 && defined $h0 ? $h1 - $h0 : 'n/a')} kB (bound: 4 x the message)");
done_testing();

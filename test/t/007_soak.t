# The soak: ONE backend makes SOAK_CALLS mixed calls (default 1,000,000,
# about 25 s; test/asan.sh runs 100,000) over every kind of SQL
# function: the parsers (bounces, Authentication-Results, addresses, header
# checks, DKIM verification of signed and altered messages), the DNS-backed
# functions against the loopback server (answers cached after the first
# call; the cache is emptied every 50,000 calls so the query path keeps
# running), and calls that raise errors caught in PL/pgSQL (invalid names,
# invalid status codes, a CNAME loop, a malformed array), since error paths
# leak most often.  Resident memory (VmRSS of the backend) is read after
# every batch of 10,000 calls; after the warm-up (the first tenth of the
# calls) it must grow by less than 5 MB to the end.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use MaTest;
use Test::More;
use Time::HiRes ();

my $calls = $ENV{SOAK_CALLS} // 1_000_000;
my $batch = 10_000;
$calls = $batch * int(($calls + $batch - 1) / $batch);
my $nbatches = $calls / $batch;
my $warm = int($nbatches / 10) || 1;    # batches of warm-up

# fixtures: the bounce files of test/dsn/fixtures, the signed message of
# sql/dkim_verify.sql (test/keys/sign-fixtures.py)
my @bounces;
for my $f (sort glob("$FindBin::Bin/../dsn/fixtures/*.eml")) {
	open(my $fh, '<:raw', $f) or die "$f: $!";
	local $/;
	my $raw = <$fh>;
	my $copy = $raw;
	# the text form of parse_dsn gets the files that are valid UTF-8
	my $utf8 = utf8::decode($copy) ? 'true' : 'false';
	push @bounces, "(decode('" . unpack('H*', $raw) . "', 'hex'), $utf8)";
}
die 'no bounce fixtures' unless @bounces;
open(my $fh, '<', "$FindBin::Bin/../../sql/dkim_verify.sql") or die $!;
my $sql = do { local $/; <$fh> };
my ($msg) = $sql =~ /\('pass', \$m\$(.*?)\$m\$\)/s or die 'no signed fixture';
$msg =~ s/'/''/g;
my $bounce_values = join(",\n", @bounces);

my $script = <<"SQL";
\\set ON_ERROR_STOP 1
CREATE TEMP TABLE soak_bounce(raw bytea, utf8 boolean);
INSERT INTO soak_bounce VALUES $bounce_values;
CREATE TEMP TABLE soak_msg(raw text);
INSERT INTO soak_msg VALUES ('$msg');
CREATE TEMP TABLE soak_rss(calls bigint, kb int);
CREATE TEMP TABLE soak_total(calls bigint, errors bigint, dkim_pass bigint, spf_pass bigint);
CREATE FUNCTION pg_temp.rss() RETURNS int LANGUAGE sql AS
  \$\$ SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\\s+(\\d+)'))[1]::int \$\$;
SQL
$script .= <<'SQL';
-- one call per iteration, chosen by i % 40; an error raised where none is
-- expected ends the run (ON_ERROR_STOP)
CREATE FUNCTION pg_temp.soak(first bigint, n int,
    OUT calls bigint, OUT errors bigint, OUT dkim_pass bigint, OUT spf_pass bigint)
LANGUAGE plpgsql AS $f$
DECLARE
  bounces bytea[] := ARRAY(SELECT raw FROM soak_bounce);
  nb int := cardinality(bounces);
  texts text[] := ARRAY(SELECT convert_from(raw, 'UTF8') FROM soak_bounce WHERE utf8);
  nt int := cardinality(texts);
  msg text := (SELECT raw FROM soak_msg);
  altered text := replace(msg, 'signed', 'changed');
  ar text := 'Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=a@pass.spf.test; '
             'dkim=pass header.d=dkim.test header.s=rsa2048 header.b=abcd1234; '
             'dmarc=pass (p=reject) header.from=dkim.test; arc=none';
  codes text[] := ARRAY['5.1.1', '4.7.1', '5.7.26', '4.4.7', '5.2.2', '2.0.0'];
  diags text[] := ARRAY['550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown',
                        '452 4.2.2 Mailbox full', '554 5.7.1 Service unavailable; client host blocked using zen',
                        'Connection timed out', '550 5.7.26 Unauthenticated email is not accepted'];
  r record;
  b boolean;
  i bigint;
BEGIN
  calls := 0; errors := 0; dkim_pass := 0; spf_pass := 0;
  FOR i IN first .. first + n - 1 LOOP
    IF i % 50000 = 25000 THEN
      PERFORM mailauth.dns_cache_reset();
    END IF;
    CASE i % 40
    WHEN 0, 1, 2 THEN
      PERFORM count(*) FROM mailauth.parse_dsn(bounces[1 + i % nb]);
    WHEN 3 THEN
      PERFORM count(*) FROM mailauth.parse_dsn(texts[1 + i % nt]);
    WHEN 4 THEN
      PERFORM mailauth.bounce_reason(diags[1 + i % 5], CASE WHEN i % 3 = 0 THEN codes[1 + i % 6] END);
    WHEN 5 THEN
      PERFORM * FROM mailauth.smtp_status(codes[1 + i % 6]);
    WHEN 6 THEN
      PERFORM count(*) FROM mailauth.parse_authentication_results(ar);
    WHEN 7 THEN
      PERFORM * FROM mailauth.parse_address('"Alice B." <alice+' || i % 100 || '@Example.TEST> (comment)');
    WHEN 8 THEN
      PERFORM count(*) FROM mailauth.parse_address_list('a@x.test, "B" <b@y.test>, group: c@z.test;, =?UTF-8?B?w6k=?= <e@w.test>');
    WHEN 9 THEN
      PERFORM count(*) FROM mailauth.header_check(msg);
    WHEN 10 THEN
      PERFORM count(*) FROM mailauth.header_check(msg, true);
    WHEN 11 THEN
      SELECT count(*) FILTER (WHERE v.result = 'pass') > 0 INTO b FROM mailauth.dkim_verify(msg) v;
      IF b THEN dkim_pass := dkim_pass + 1; END IF;
    WHEN 12 THEN
      PERFORM count(*) FROM mailauth.dkim_verify(convert_to(altered, 'UTF8'));
    WHEN 13 THEN
      PERFORM count(*) FROM mailauth.dns_lookup('www.mailauth.test', CASE WHEN i % 2 = 0 THEN 'A' ELSE 'AAAA' END);
    WHEN 14 THEN
      PERFORM count(*) FROM mailauth.dns_lookup(ARRAY['mailauth.test', 'nullmx.mailauth.test', 'h' || i % 1000 || '.bulk.test'], 'MX');
    WHEN 15 THEN
      PERFORM count(*) FROM mailauth.mx_lookup('mailauth.test');
    WHEN 16 THEN
      PERFORM count(*) FROM mailauth.ptr_lookup(CASE WHEN i % 2 = 0 THEN '192.0.2.50'::inet ELSE '192.0.2.10'::inet END);
    WHEN 17 THEN
      SELECT result = 'pass' INTO b FROM mailauth.spf_verify('192.0.2.7', 'alice@pass.spf.test', 'mx.example.test');
      IF b THEN spf_pass := spf_pass + 1; END IF;
    WHEN 18 THEN
      PERFORM count(*) FROM mailauth.spf_check(CASE WHEN i % 2 = 0 THEN 'nested.spf.test' ELSE 'two.spf.test' END);
    WHEN 19 THEN
      PERFORM count(*) FROM mailauth.spf_record(ARRAY['pass.spf.test', 'syntax.spf.test']);
    WHEN 20 THEN
      PERFORM mailauth.spf_includes('nested.spf.test', 'mail.zendesk.com');
    WHEN 21 THEN
      PERFORM * FROM mailauth.dmarc_record(CASE WHEN i % 2 = 0 THEN 'good.dmarc.test' ELSE 'x.sub.dmarc.test' END);
    WHEN 22 THEN
      PERFORM * FROM mailauth.dmarc_verify(msg, '192.0.2.5', 'bounce@other.test');
    WHEN 23 THEN
      PERFORM mailauth.authentication_results(msg, '192.0.2.5', 'x@dkim.test', 'h.test', 'mx.test');
    WHEN 24 THEN
      PERFORM * FROM mailauth.dkim_key((ARRAY['rsa2048', 'ed', 'broken', 'revoked', 'missing'])[1 + i % 5], 'dkim.test');
    WHEN 25 THEN
      PERFORM * FROM mailauth.ptr_check(('192.0.2.' || (100 + i % 25))::inet);
    WHEN 26 THEN
      PERFORM * FROM mailauth.helo_check('mx.trust.test', '192.0.2.100');
    WHEN 27 THEN
      PERFORM count(*) FROM mailauth.dnsbl_check(('192.0.2.' || (118 + i % 4))::inet, ARRAY['bl.trust.test']);
    WHEN 28 THEN
      PERFORM count(*) FROM mailauth.dbl_check('spammer.other.test', ARRAY['dbl.trust.test']);
    WHEN 29 THEN
      PERFORM * FROM mailauth.dns_expect('good.setup.test', 'TXT', 'include:mail.zendesk.com', 'contains');
    WHEN 30 THEN
      PERFORM * FROM mailauth.domain_report(CASE WHEN i % 2 = 0 THEN 'good.setup.test' ELSE 'partial.setup.test' END);
    WHEN 31 THEN
      PERFORM * FROM mailauth.sender_trust('192.0.2.100', 'mx.trust.test', 'a@pass.sender.test',
                                           CASE WHEN i % 2 = 0 THEN convert_to(msg, 'UTF8') END);
    WHEN 32 THEN
      PERFORM count(*) FROM mailauth.domain_setup_check('good.setup.test', 'Zendesk');
    WHEN 33 THEN
      PERFORM * FROM mailauth.dns_cache_stats();
      PERFORM mailauth.version();
    -- error paths: each must raise, and is caught
    WHEN 34 THEN
      BEGIN
        PERFORM count(*) FROM mailauth.dns_lookup('bad name' || i % 10 || '.test');
      EXCEPTION WHEN invalid_parameter_value THEN errors := errors + 1;
      END;
    WHEN 35 THEN
      BEGIN
        PERFORM * FROM mailauth.smtp_status((ARRAY['6.1.1', '5.1', '192.0.2.1'])[1 + i % 3]);
      EXCEPTION WHEN invalid_parameter_value THEN errors := errors + 1;
      END;
    WHEN 36 THEN
      BEGIN
        PERFORM * FROM mailauth.dkim_key('', 'dkim.test');
      EXCEPTION WHEN invalid_parameter_value THEN errors := errors + 1;
      END;
    WHEN 37 THEN
      BEGIN
        PERFORM count(*) FROM mailauth.dns_lookup('loop1.mailauth.test');   -- never cached: a query each time
      EXCEPTION WHEN SQLSTATE 'MA001' THEN errors := errors + 1;
      END;
    WHEN 38 THEN
      BEGIN
        PERFORM mailauth.authentication_results(msg, '192.0.2.5', 'x@dkim.test', NULL, 'bad id; x');
      EXCEPTION WHEN invalid_parameter_value THEN errors := errors + 1;
      END;
    WHEN 39 THEN
      BEGIN
        PERFORM count(*) FROM mailauth.dns_lookup('{{a.test,b.test},{c.test,d.test}}'::text[]);
      EXCEPTION WHEN array_subscript_error THEN errors := errors + 1;
      END;
    END CASE;
    calls := calls + 1;
  END LOOP;
END $f$;
SQL

for my $b (0 .. $nbatches - 1) {
	my $first = $b * $batch;
	$script .= "INSERT INTO soak_total SELECT * FROM pg_temp.soak($first, $batch);\n";
	$script .= "INSERT INTO soak_rss SELECT " . ($first + $batch) . ", pg_temp.rss();\n";
	$script .= "SELECT 'warm=' || pg_temp.rss() || ' pid=' || pg_backend_pid();\n" if $b + 1 == $warm;
}
$script .= <<'SQL';
SELECT 'total=' || sum(calls) || ' errors=' || sum(errors) || ' dkim_pass=' || sum(dkim_pass) || ' spf_pass=' || sum(spf_pass) FROM soak_total;
SELECT 'rss=' || string_agg(kb::text, ',' ORDER BY calls) FROM soak_rss;
SELECT 'queries=' || queries_sent || ' hits=' || hits FROM mailauth.dns_cache_stats();
SQL

my $t0 = Time::HiRes::time();
my ($out, $err) = psql_run($script);
my $secs = Time::HiRes::time() - $t0;
is($err, '', 'no unexpected error') or diag(substr($err, 0, 2000));

my ($total, $errors, $dkim, $spf) = $out =~ /total=(\d+) errors=(\d+) dkim_pass=(\d+) spf_pass=(\d+)/;
is($total // 0, $calls, "$calls calls made in one backend in " . sprintf('%.0f', $secs) . ' s');
is($errors // 0, $calls / 40 * 6, 'every call on an error path raised its error, and it was caught');
is($dkim // 0, $calls / 40, 'dkim_verify passed the signed message every time');
is($spf // 0, $calls / 40, 'spf_verify passed every time');
my ($queries, $hits) = $out =~ /queries=(\d+) hits=(\d+)/;
ok(($queries // 0) > 0 && ($hits // 0) > ($queries // 0), "the DNS cache answered most lookups (${\($hits // 'n/a')} hits, ${\($queries // 'n/a')} queries sent)");

my ($rss) = $out =~ /rss=([\d,]+)/;
my @kb = split /,/, ($rss // '');
ok(@kb == $nbatches, "resident memory read after each of the $nbatches batches");
if (@kb == $nbatches) {
	my $at_warm = $kb[$warm - 1];
	my $end = $kb[-1];
	my ($max) = sort { $b <=> $a } @kb[$warm - 1 .. $#kb];
	my $growth = $end - $at_warm;
	diag(sprintf('soak: %d calls in %.0f s (%.0f calls/s); VmRSS %d kB after the warm-up (%d calls), %d kB at the end, max %d kB: growth %d kB',
		$calls, $secs, $calls / $secs, $at_warm, $warm * $batch, $end, $max, $growth));
	rss_growth_ok($growth < 5120, $growth,
		"resident memory grew by $growth kB from call ${\($warm * $batch)} to call $calls (< 5 MB)");
} else {
	fail('resident memory growth');
}
done_testing();

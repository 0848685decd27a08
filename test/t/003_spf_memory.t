# SPF in one backend, many times: spf_verify on both engines, spf_check and
# spf_record (single and bulk), hostile policies included.  Resident memory
# stays flat: every malloc of the evaluators, the linter and libspf2 is freed.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use MaTest;
use Test::More;

my $round = <<'SQL';
SELECT count(*) FROM generate_series(1, 4000) g,
  LATERAL mailauth.spf_verify(('203.0.113.' || (g % 250 + 1))::inet, 'x@nested.spf.test') s WHERE s.result = 'pass';
SELECT count(*) FROM generate_series(1, 500) g,
  LATERAL mailauth.spf_verify('198.51.100.7', (ARRAY['x@bomb.spf.test', 'x@loop.spf.test', 'x@long.spf.test',
      'x@nul.spf.test', 'x@latin.spf.test', 'x@voids.spf.test', 'x@macro.spf.test', 'x@explained.spf.test'])[g % 8 + 1]) s;
SET mailauth.spf_engine = 'libspf2';
SELECT count(*) FROM generate_series(1, 2000) g,
  LATERAL mailauth.spf_verify(('203.0.113.' || (g % 250 + 1))::inet, 'x@nested.spf.test') s WHERE s.result = 'pass';
SELECT count(*) FROM generate_series(1, 300) g,
  LATERAL mailauth.spf_verify('198.51.100.7', (ARRAY['x@bomb.spf.test', 'x@loop.spf.test', 'x@long.spf.test',
      'x@nul.spf.test', 'x@latin.spf.test', 'x@voids.spf.test'])[g % 6 + 1]) s;
RESET mailauth.spf_engine;
SELECT count(*) FROM generate_series(1, 300) g,
  LATERAL mailauth.spf_check((ARRAY['nested.spf.test', 'bomb.spf.test', 'loopa.spf.test', 'rloop.spf.test',
      'long.spf.test', 'zdold.spf.test', 'two.spf.test'])[g % 7 + 1]) f;
SELECT count(*) FROM generate_series(1, 30) g,
  LATERAL mailauth.spf_record(ARRAY['nested.spf.test', 'bomb.spf.test', 'loopa.spf.test', 'long.spf.test',
      'pass.spf.test', 'nospf.spf.test', 'macro.spf.test', CASE WHEN g > 0 THEN 'voids.spf.test' END]) r;
SQL

my ($out, $err) = psql_run(<<"SQL");
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
is(join(',', @counts[0 .. 5]), '4000,500,2000,300,' . $counts[4] . ',' . $counts[5],
	'every nested-include evaluation passed, on both engines');
ok(($counts[4] // 0) > 300 && ($counts[5] // 0) == 240, "the linters reported findings ($counts[4] rows, $counts[5] summaries)");
my ($growth) = $out =~ /growth=(-?\d+)/;
rss_growth_ok(defined $growth && $growth < 5120, $growth, "resident memory grew by ${\($growth // 'n/a')} kB over 3 rounds (< 5 MB)");
done_testing();

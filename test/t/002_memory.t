# 100,000 lookups in one backend: resident memory grows less than 10 MB
# beyond the cache's bound (the cache is kept at 500 entries, so lookups
# cycling over 1,000 names miss and go to the server every time).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use MaTest;
use Test::More;

my ($out, $err) = psql_run(<<'SQL');
SET mailauth.dns_cache_size = 500;
CREATE TEMP TABLE rss(step text, kb int);
CREATE FUNCTION pg_temp.rss() RETURNS int LANGUAGE sql AS
  $$ SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\s+(\d+)'))[1]::int $$;
-- warm up both paths
SELECT count(*) FROM generate_series(0, 4999) g, LATERAL mailauth.dns_lookup('h' || (g % 1000) || '.bulk.test');
SELECT count(*) FROM generate_series(1, 5) r, LATERAL mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g WHERE r > 0));
SELECT mailauth.dns_cache_reset();
INSERT INTO rss SELECT 'before', pg_temp.rss();
-- 50,000 single lookups and 50 arrays of 1,000 names
SELECT 'single=' || count(*) FROM generate_series(0, 49999) g, LATERAL mailauth.dns_lookup('h' || (g % 1000) || '.bulk.test');
SELECT 'array=' || count(*) FROM generate_series(1, 50) r, LATERAL mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g WHERE r > 0));
INSERT INTO rss SELECT 'after', pg_temp.rss();
SELECT 'lookups=' || lookups || ' sent=' || queries_sent || ' entries=' || entries FROM mailauth.dns_cache_stats();
SELECT 'growth=' || (max(kb) FILTER (WHERE step = 'after') - max(kb) FILTER (WHERE step = 'before')) FROM rss;
SQL
is($err, '', 'no errors') or diag($err);
like($out, qr/single=50000/, '50,000 single lookups answered');
like($out, qr/array=50000/, '50 arrays of 1,000 names answered');
my ($lookups, $sent, $entries) = $out =~ /lookups=(\d+) sent=(\d+) entries=(\d+)/;
ok(($lookups // 0) >= 100000, "100,000 lookups counted (${\($lookups // 'n/a')})");
ok(($sent // 0) >= 90000, "most went to the DNS server (${\($sent // 'n/a')} queries sent)");
ok(defined $entries && $entries <= 500, "the cache stayed within its bound (${\($entries // 'n/a')} entries)");
my ($growth) = $out =~ /growth=(-?\d+)/;
rss_growth_ok(defined $growth && ($lookups // 0) >= 100000 && $growth < 10240, $growth, "resident memory grew by ${\($growth // 'n/a')} kB (< 10 MB)");
done_testing();

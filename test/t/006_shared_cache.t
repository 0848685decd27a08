# The shared DNS cache: a cluster of its own with mailauth in
# shared_preload_libraries, pointed at the harness's knot.  A second backend
# auditing the same domains sends no DNS query for unexpired answers and gets
# the same results; negative answers are shared; a 2-second TTL is asked
# again once expired; other mailauth.dns_servers never see those answers; 8
# concurrent backends get correct answers; answers too big for a slot stay
# local; the table stays within its capacity; shared_cache_memory = 0 turns
# it off.  (The harness's own cluster, without preloading, runs every other
# test: the per-backend cache alone.)
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use MaTest;
use Test::More;
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);

my $dns = $ENV{MAILAUTH_TEST_DNS} or die "MAILAUTH_TEST_DNS not set (run through test/run.sh)";
my $bindir = $ENV{PGBIN} // `pg_config --bindir`;
chomp $bindir;
my $root = $> == 0;
my $dir = tempdir('ma_shcache.XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
if ($root) { my $uid = getpwnam('postgres'); chown $uid, -1, $dir; }
my $data = "$dir/data";
my $port = 20000 + $$ % 20000;	# a Unix socket in $dir only: no TCP port taken

# run a command as the cluster owner, its output into setup.log (not the TAP stream)
sub quiet {
	my @cmd = $root ? ('runuser', '-u', 'postgres', '--', @_) : @_;
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>>', "$dir/setup.log") or die;
		open(STDERR, '>&', \*STDOUT) or die;
		exec(@cmd) or die "exec: $!";
	}
	waitpid($pid, 0);
	return $? == 0;
}
# the postmaster gets the harness's MA_PG_ENV too (make asan-check preloads the ASan runtime with it)
sub pg_ctl {
	return quiet('env', split(' ', $ENV{MA_PG_ENV} // ''), "$bindir/pg_ctl", '-D', $data, '-l', "$dir/postgres.log",
		'-w', '-t', '60', @_);
}

quiet("$bindir/initdb", '-D', $data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C')
  or BAIL_OUT('initdb failed: ' . `cat $dir/setup.log`);
open(my $conf, '>>', "$data/postgresql.conf") or die;
print $conf <<"CONF";
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = off
max_connections = 30
shared_preload_libraries = 'mailauth'
mailauth.dns_servers = '$dns'
mailauth.dns_timeout = 2000
mailauth.shared_cache_memory = '8MB'
CONF
close $conf;
ok(pg_ctl('start'), 'a cluster with mailauth in shared_preload_libraries starts') or BAIL_OUT(`cat $dir/postgres.log`);
END { pg_ctl('-m', 'immediate', 'stop') if defined $data && -f "$data/postmaster.pid"; }

$ENV{PGHOST} = $dir;
$ENV{PGPORT} = $port;
$ENV{PGUSER} = 'postgres';
$ENV{PGDATABASE} = 'postgres';

my ($out, $err) = psql_run(<<'SQL');
CREATE EXTENSION mailauth;
SELECT 'T|' || enabled || '|' || (capacity > 0) || '|' || partitions || '|' || (memory_bytes BETWEEN 7000000 AND 9000000)
  FROM mailauth.dns_shared_cache_stats();
SELECT 'P|' || pg_postmaster_start_time();
SQL
is($err, '', 'extension created') or diag($err);
like($out, qr/^T\|true\|true\|128\|true$/m, 'dns_shared_cache_stats: enabled, 128 partitions, about 8 MB');
my ($started) = $out =~ /^P\|(.*)$/m;

# the audit: domain_report over setup.test domains (SPF, DMARC, MX, ~30
# DKIM selectors each: mostly NXDOMAIN), plus 300 names and 20 NXDOMAINs
my $domains = join(', ', map {"'$_.setup.test'"} qw(good partial nullmx split chain1 spaced twospf mx2 nonexistent));
my $names = "ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 299) g) || "
  . "ARRAY(SELECT 'nx' || g || '.bulk.test' FROM generate_series(0, 19) g)";
my $audit = <<"SQL";
SELECT 'R|' || r::text FROM mailauth.domain_report(ARRAY[$domains]) r ORDER BY r.domain;
SELECT 'L|' || query || '|' || status || '|' || coalesce(data, '') FROM mailauth.dns_lookup($names) ORDER BY 1;
SELECT 'S|' || queries_sent || '|' || shared_hits || '|' || shared_misses || '|' || (servfail + refused + timeouts + errors)
  FROM mailauth.dns_cache_stats();
SQL
sub rows { my ($o, $tag) = @_; return join("\n", grep {/^\Q$tag\E\|/} split /\n/, $o); }
sub stats { my ($o) = @_; return $o =~ /^S\|(\d+)\|(\d+)\|(\d+)\|(\d+)$/m; }

# backend A fills the shared table
my ($outA, $errA) = psql_run($audit);
is($errA, '', 'backend A: the audit runs') or diag($errA);
my ($sentA, $hitsA, $missA, $failA) = stats($outA);
ok(($sentA // 0) > 300, "backend A sent queries (${\($sentA // 'n/a')})");
is($failA, 0, 'backend A: every answer cacheable (no failure)');
like(rows($outA, 'L'), qr/^L\|nx0\.bulk\.test\|nxdomain\|$/m, 'backend A: NXDOMAIN answers among them');
like(rows($outA, 'L'), qr/^L\|h299\.bulk\.test\|ok\|198\.18\.1\.43$/m, 'backend A: the bulk names answered');
is(scalar(() = rows($outA, 'R') =~ /^R\|/mg), 9, 'backend A: nine domain reports');

# backend B: a new connection, the same audit
my ($outB, $errB) = psql_run($audit);
is($errB, '', 'backend B: the audit runs') or diag($errB);
my ($sentB, $hitsB, $missB) = stats($outB);
is($sentB, 0, 'backend B sends no DNS query: every answer from the shared cache');
ok(($hitsB // 0) > 300 && ($missB // -1) == 0, "backend B: ${\($hitsB // 'n/a')} shared hits, ${\($missB // 'n/a')} misses");
is(rows($outB, 'R'), rows($outA, 'R'), 'backend B: the same domain reports as A');
is(rows($outB, 'L'), rows($outA, 'L'), 'backend B: the same records and statuses (NXDOMAIN too) as A');

# remaining TTLs carry over: B's TTLs are A's minus the seconds since
($out, $err) = psql_run(<<'SQL');
SELECT 'TTL|' || ttl FROM mailauth.dns_lookup('www.mailauth.test') LIMIT 1;
SELECT 'S|' || queries_sent || '|' || shared_hits || '|' || shared_misses || '|0' FROM mailauth.dns_cache_stats();
SQL
my ($ttl1) = $out =~ /^TTL\|(\d+)$/m;
($out, $err) = psql_run(<<'SQL');
SELECT pg_sleep(1.2);
SELECT 'TTL|' || ttl FROM mailauth.dns_lookup('www.mailauth.test') LIMIT 1;
SELECT 'S|' || queries_sent || '|' || shared_hits || '|' || shared_misses || '|0' FROM mailauth.dns_cache_stats();
SQL
my ($ttl2) = $out =~ /^TTL\|(\d+)$/m;
my ($s2) = stats($out);
ok(defined $ttl1 && defined $ttl2 && ($s2 // -1) == 0 && $ttl2 < $ttl1 && $ttl2 >= $ttl1 - 3,
	"a shared answer's TTL counts down from its first reception ($ttl1 s, then ${\($ttl2 // 'n/a')} s in another backend)");

# answers too big for a slot (1024 bytes) stay in the backend
($out, $err) = psql_run(<<'SQL');
SELECT too_big AS tb0 FROM mailauth.dns_shared_cache_stats() \gset
SELECT 'N|' || count(*) FROM mailauth.dns_lookup('big.mailauth.test', 'TXT');
SELECT 'TB|' || (too_big - :tb0) FROM mailauth.dns_shared_cache_stats();
SQL
like($out, qr/^TB\|1$/m, 'a 2 kB TXT answer is counted too_big') or diag($err);
($out, $err) = psql_run(<<'SQL');
SELECT 'N|' || count(*) FROM mailauth.dns_lookup('big.mailauth.test', 'TXT');
SELECT 'S|' || queries_sent || '|' || shared_hits || '|' || shared_misses || '|0' FROM mailauth.dns_cache_stats();
SQL
my ($sentBig) = stats($out);
is($sentBig, 1, 'another backend asks the network for it again');

# expiry: short.ttl.test has TTL 2, gone.ttl.test an NXDOMAIN with SOA minimum 2
my $ttlq = <<'SQL';
SELECT 'N|' || count(*) FROM mailauth.dns_lookup(ARRAY['short.ttl.test', 'gone.ttl.test']);
SELECT 'S|' || queries_sent || '|' || shared_hits || '|' || shared_misses || '|0' FROM mailauth.dns_cache_stats();
SQL
($out) = psql_run("SELECT 'E|' || expired FROM mailauth.dns_shared_cache_stats();\n" . $ttlq);
my ($exp0) = $out =~ /^E\|(\d+)$/m;
my ($sentD) = stats($out);
($out) = psql_run($ttlq);
my ($sentE, $hitsE) = stats($out);
ok(($sentD // 0) == 2 && ($sentE // -1) == 0 && ($hitsE // 0) == 2,
	"a 2 s answer and a 2 s NXDOMAIN are shared while fresh (sent ${\($sentD // 'n/a')}, then ${\($sentE // 'n/a')})");
sleep 2.3;
($out) = psql_run($ttlq . "SELECT 'E|' || expired FROM mailauth.dns_shared_cache_stats();\n");
my ($sentF, $hitsF) = stats($out);
my ($exp1) = $out =~ /^E\|(\d+)$/m;
ok(($sentF // 0) == 2 && ($hitsF // -1) == 0, "once expired, both are asked again (${\($sentF // 'n/a')} queries sent)");
ok(defined $exp0 && defined $exp1 && $exp1 >= $exp0 + 2, "the shared table counted them expired (${\($exp0 // 'n/a')} -> ${\($exp1 // 'n/a')})");

# other servers: a session pointed elsewhere never takes A's answers
my $lq = <<"SQL";
SELECT 'L|' || query || '|' || status || '|' || coalesce(data, '') FROM mailauth.dns_lookup($names) ORDER BY 1;
SELECT 'S|' || queries_sent || '|' || shared_hits || '|' || shared_misses || '|0' FROM mailauth.dns_cache_stats();
SQL
my $other = "SET mailauth.dns_servers = '$dns, 127.0.0.1:1';\n";
($out, $err) = psql_run($other . $lq);
my ($sentC, $hitsC) = stats($out);
ok(($sentC // 0) == 320 && ($hitsC // -1) == 0,
	"backend C with other dns_servers misses every answer of A (${\($sentC // 'n/a')} sent, ${\($hitsC // 'n/a')} shared hits)");
is(rows($out, 'L'), rows($outA, 'L'), 'backend C: same answers (the first server is the same knot)');
($out, $err) = psql_run($other . $lq);
my ($sentC2, $hitsC2) = stats($out);
ok(($sentC2 // -1) == 0 && ($hitsC2 // 0) == 320, "backend C2 with C's servers shares C's answers (${\($sentC2 // 'n/a')} sent)");
($out, $err) = psql_run("SET mailauth.dns_servers = '  $dns ';\n" . $lq);
my ($sentC3) = stats($out);
is($sentC3, 0, "blanks around the servers do not change the key (A's answers)");

# 8 concurrent backends, local cache off (every lookup goes to the shared
# table): 100 names shared by all, 80 of their own each, 20 and 10 rounds
my @h;
for my $k (0 .. 7) {
	my $lo = 300 + $k * 80;
	my $hi = $lo + 79;
	push @h, psql_bg(<<"SQL");
SET mailauth.dns_cache_size = 0;
SELECT 'C|same|' || count(*) || '|' || count(*) FILTER (WHERE l.data IS DISTINCT FROM '198.18.0.' || (i % 100))
  FROM generate_series(0, 1999) i, LATERAL mailauth.dns_lookup('h' || (i % 100) || '.bulk.test') l;
SELECT 'C|own|' || count(*) || '|' || count(*) FILTER (WHERE l.data IS DISTINCT FROM '198.18.' || (g / 256) || '.' || (g % 256))
  FROM generate_series(0, 799) i, LATERAL (SELECT $lo + i % 80 AS g) n, LATERAL mailauth.dns_lookup('h' || g || '.bulk.test') l;
SELECT 'C|bulk|' || count(*) FILTER (WHERE status = 'ok')
  FROM generate_series(1, 5) r, LATERAL mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g WHERE r > 0)) l;
SELECT 'S|' || queries_sent || '|' || shared_hits || '|' || shared_misses || '|0' FROM mailauth.dns_cache_stats();
SQL
}
my ($okc, $allerr, $sent8) = (0, '', 0);
for my $x (@h) {
	my ($o, $e) = psql_wait($x);
	$allerr .= $e;
	$okc++ if $o =~ /^C\|same\|2000\|0$/m && $o =~ /^C\|own\|800\|0$/m && $o =~ /^C\|bulk\|5000$/m;
	my ($s) = stats($o);
	$sent8 += $s // 0;
}
is($allerr, '', '8 concurrent backends: no errors');
is($okc, 8, '8 concurrent backends: every answer correct (2,000 shared-name, 800 own-name and 5,000 bulk lookups each)');
ok($sent8 < 8 * 1000, "8 concurrent backends: most lookups answered by the shared table ($sent8 queries sent for 62,400 lookups)");
($out, $err) = psql_run(<<'SQL');
SELECT 'G|' || lock_acquisitions || '|' || lock_waits || '|' || hits || '|' || entries || '|' || capacity
  FROM mailauth.dns_shared_cache_stats();
SELECT 'P|' || pg_postmaster_start_time();
SQL
my ($acq, $waits, $ghits, $entries, $cap) = $out =~ /^G\|(\d+)\|(\d+)\|(\d+)\|(\d+)\|(\d+)$/m;
ok(($acq // 0) > 50000 && ($ghits // 0) > 50000,
	"lock acquisitions counted (${\($acq // 'n/a')}, ${\($waits // 'n/a')} waited; ${\($ghits // 'n/a')} hits)");
like($out, qr/^P\|\Q$started\E$/m, 'the server never restarted (no backend crashed)');
my $log = do { local (@ARGV, $/) = "$dir/postgres.log"; <> } // '';
unlike($log, qr/terminated by signal|PANIC|TRAP:/, 'the server log shows no crash');

# privileges: the global reset is not for PUBLIC, the stats are
($out, $err) = psql_run(<<'SQL');
CREATE ROLE ma_sh_tester;
SET ROLE ma_sh_tester;
SELECT 'ST|' || enabled FROM mailauth.dns_shared_cache_stats();
SELECT mailauth.dns_shared_cache_reset();
RESET ROLE;
DROP ROLE ma_sh_tester;
SQL
like($out, qr/^ST\|true$/m, 'dns_shared_cache_stats() is for everyone');
like($err, qr/42501/, 'dns_shared_cache_reset() is not executable by PUBLIC');
($out, $err) = psql_run(<<'SQL');
SELECT mailauth.dns_shared_cache_reset();
SELECT 'G|' || entries || '|' || hits FROM mailauth.dns_shared_cache_stats();
SQL
like($out, qr/^G\|0\|0$/m, 'dns_shared_cache_reset() empties the table (superuser)');

# the smallest table (1,024 slots): 2,000 names keep it within capacity
ok(pg_ctl('-o', '-c mailauth.shared_cache_memory=64kB', 'restart'), 'restarted with shared_cache_memory = 64kB');
($out, $err) = psql_run(<<'SQL');
SELECT 'N|' || count(*) FILTER (WHERE status = 'ok') FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g));
SELECT 'N|' || count(*) FILTER (WHERE status = 'ok') FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g), 'AAAA');
SELECT 'G|' || entries || '|' || capacity || '|' || evictions || '|' || inserts FROM mailauth.dns_shared_cache_stats();
SQL
my ($ent, $capa, $evict, $ins) = $out =~ /^G\|(\d+)\|(\d+)\|(\d+)\|(\d+)$/m;
ok(defined $ent && $capa == 1024 && $ent <= $capa && $evict > 0 && $ins == 2000,
	"bounded: ${\($ent // 'n/a')} entries of ${\($capa // 'n/a')} slots after 2,000 inserts, ${\($evict // 'n/a')} evictions");

# half full, (almost) nothing evicted: every key has two buckets (of one lock
# partition) and goes to the emptier one, and one resident may move to its
# other bucket to make room.  With one bucket per key, 2,000 answers in about
# 3,900 slots (8 per bucket) evicted 18-26.  The hashes are keyed with a
# random seed drawn at server start, so the placement differs from run to
# run: a simulation of this placement (300 seeds) evicted nothing in 95 % of
# them and at most 4 (a partition of about four buckets drawing many more
# keys than its average of 16); a CI run saw 3
ok(pg_ctl('-o', '-c mailauth.shared_cache_memory=4MB', 'restart'), 'restarted with shared_cache_memory = 4MB');
($out, $err) = psql_run(<<'SQL');
SELECT 'N|' || count(*) FILTER (WHERE status = 'ok') FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g));
SELECT 'N|' || count(*) FILTER (WHERE status = 'ok') FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g), 'AAAA');
SELECT 'G|' || entries || '|' || capacity || '|' || evictions || '|' || inserts FROM mailauth.dns_shared_cache_stats();
SQL
($ent, $capa, $evict, $ins) = $out =~ /^G\|(\d+)\|(\d+)\|(\d+)\|(\d+)$/m;
ok(defined $ent && $capa >= 3000 && $capa <= 4096 && $ins == 2000 && $ent + $evict == 2000 && $evict <= 10,
	"two choices: ${\($ent // 'n/a')} entries of ${\($capa // 'n/a')} slots after 2,000 inserts, ${\($evict // 'n/a')} evictions");
($out, $err) = psql_run("SELECT 'N|' || count(*) FROM mailauth.dns_lookup(ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g));\n"
	. "SELECT 'S|' || queries_sent || '|' || shared_hits || '|' || shared_misses || '|0' FROM mailauth.dns_cache_stats();\n");
my ($sentH, $hitsH, $missH) = stats($out);
# (shared misses, not queries sent: a query re-sent after a lost answer on a
# loaded machine counts as sent twice)
ok(defined $missH && $missH <= ($evict // 0) && ($hitsH // 0) + $missH == 1000,
	"two choices: another backend finds the 1,000 in the shared table but for evicted ones (${\($hitsH // 'n/a')} shared hits, ${\($missH // 'n/a')} misses, ${\($sentH // 'n/a')} queries sent)");

# shared_cache_memory = 0: no shared table, the per-backend cache as before
ok(pg_ctl('-o', '-c mailauth.shared_cache_memory=0', 'restart'), 'restarted with shared_cache_memory = 0');
($out, $err) = psql_run(<<'SQL');
SELECT 'T|' || enabled || '|' || capacity FROM mailauth.dns_shared_cache_stats();
SELECT 'N|' || count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SQL
like($out, qr/^T\|false\|0$/m, 'disabled: dns_shared_cache_stats says so');
($out, $err) = psql_run("SELECT 'N|' || count(*) FROM mailauth.dns_lookup('www.mailauth.test');\n"
	. "SELECT 'S|' || queries_sent || '|' || shared_hits || '|' || shared_misses || '|0' FROM mailauth.dns_cache_stats();\n");
my ($sentZ, $hitsZ, $missZ) = stats($out);
ok(($sentZ // 0) == 1 && ($hitsZ // -1) == 0 && ($missZ // -1) == 0, 'disabled: another backend asks the network again');
ok(pg_ctl('-m', 'fast', 'stop'), 'the cluster stops');
done_testing();

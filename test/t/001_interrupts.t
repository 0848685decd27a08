# Waiting on a silent DNS server: statement_timeout, query cancel and
# pg_terminate_backend take effect at once, and the backend keeps working.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use MaTest;
use Test::More;
use Time::HiRes qw(time sleep);

my $resp = $ENV{MAILAUTH_TEST_RESPONDER} or die "MAILAUTH_TEST_RESPONDER not set (run through test/run.sh)";
my $silent = "SET mailauth.dns_servers = '$resp';\nSET mailauth.dns_timeout = 20000;\n";

# 1. statement_timeout = 200 against a silent server
my ($out, $err) = psql_run(<<"SQL");
$silent
SET statement_timeout = 200;
SELECT clock_timestamp() AS t0 \\gset
SELECT * FROM mailauth.dns_lookup('silent.fault.test');
SELECT 'elapsed=' || extract(epoch FROM clock_timestamp() - :'t0');
RESET statement_timeout;
RESET mailauth.dns_servers;
SELECT 'after=' || count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SQL
like($err, qr/ERROR:  57014: canceling statement due to statement timeout/, 'statement_timeout gives SQLSTATE 57014');
my ($el) = $out =~ /elapsed=([\d.]+)/;
ok(defined $el && $el >= 0.19 && $el < 1.0, "statement_timeout 200 ms ends the wait within 1 s (took ${\($el // 'n/a')} s)");
like($out, qr/after=2/, 'the same backend resolves again after the timeout');

# 2. pg_cancel_backend while waiting
my $h = psql_bg(<<"SQL");
SET application_name = 'ma_cancel_me';
$silent
SELECT * FROM mailauth.dns_lookup('silent.fault.test');
SELECT 'at=' || extract(epoch FROM clock_timestamp());
RESET mailauth.dns_servers;
SELECT 'after=' || count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SELECT 'stats=' || interrupts FROM mailauth.dns_cache_stats();
SQL
my ($state, $pid) = ('', undef);
for (1 .. 100) {
	($out) = psql_run("SELECT pid, wait_event_type, wait_event FROM pg_stat_activity WHERE application_name = 'ma_cancel_me' AND state = 'active';");
	if ($out =~ /^(\d+)\|([^|]*)\|(.*)$/m) { $pid = $1; $state = "$2/$3"; last if $2 eq 'Extension'; }
	sleep 0.05;
}
is($state, 'Extension/Extension', 'a backend waiting for DNS shows wait_event_type Extension (it waits on its latch and sockets)');
sleep 0.3;
($out) = psql_run("SELECT 'cancel=' || extract(epoch FROM clock_timestamp()) || ' ' || pg_cancel_backend($pid);");
my ($tc) = $out =~ /cancel=([\d.]+) t/;
my ($o2, $e2) = psql_wait($h);
like($e2, qr/ERROR:  57014: canceling statement due to user request/, 'pg_cancel_backend gives SQLSTATE 57014');
my ($ta) = $o2 =~ /at=([\d.]+)/;
ok(defined $tc && defined $ta && $ta - $tc < 1.0, sprintf('the cancel takes effect within 1 s (%.3f s)', ($ta // 0) - ($tc // 0)));
like($o2, qr/after=2/, 'the same backend resolves again after the cancel');
like($o2, qr/stats=1/, 'the engine counted one interrupt');

# 3. pg_terminate_backend while waiting
$h = psql_bg(<<"SQL");
SET application_name = 'ma_terminate_me';
$silent
SELECT * FROM mailauth.dns_lookup(ARRAY['silent.fault.test', 'silent2.fault.test', 'silent3.fault.test']);
SQL
$pid = undef;
for (1 .. 100) {
	($out) = psql_run("SELECT pid FROM pg_stat_activity WHERE application_name = 'ma_terminate_me' AND wait_event_type = 'Extension';");
	if ($out =~ /^(\d+)$/m) { $pid = $1; last; }
	sleep 0.05;
}
ok(defined $pid, 'found the waiting backend');
my $t0 = time;
psql_run("SELECT pg_terminate_backend($pid);");
my ($o3, $e3) = psql_wait($h);
my $gone;
for (1 .. 100) {
	($out) = psql_run("SELECT count(*) FROM pg_stat_activity WHERE pid = $pid;");
	if ($out =~ /^0$/m) { $gone = time - $t0; last; }
	sleep 0.01;
}
like($e3, qr/57P01|terminat/i, 'the client sees its backend terminated');
ok(defined $gone && $gone < 1.0, sprintf('the backend is gone within 1 s of pg_terminate_backend (%.3f s)', $gone // -1));

# 4. the server is still up and serving
($out) = psql_run("SELECT 'alive=' || count(*) FROM mailauth.dns_lookup('www.mailauth.test');");
like($out, qr/alive=2/, 'the server keeps serving');
done_testing();

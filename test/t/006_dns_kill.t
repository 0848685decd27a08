# The DNS server dies or freezes in the middle of a run: every lookup still
# ends with a status (bulk form) or a clear error (single form) within
# mailauth.dns_timeout of the failure, and the backend keeps working.
# The server is a responder this script starts itself (test/responder.pl):
# "slow" names are answered after 300 ms, so a bulk run of 40 names at 4 in
# flight lasts about 3 s, and the server is killed (or stopped) after 1 s.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use MaTest;
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

sub free_port {
	for (1 .. 50) {
		my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp') or next;
		my $p = $s->sockport;
		close $s;
		my $u = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $p, Proto => 'udp') or next;
		close $u;
		return $p;
	}
	die "no free port";
}

sub start_responder {
	my $port = free_port();
	my $pid = open(my $fh, '-|', 'perl', "$FindBin::Bin/../responder.pl", $port) or die $!;
	my $line = <$fh>;
	die "responder did not start" unless defined $line && $line =~ /ready/;
	return ($pid, "127.0.0.1:$port", $fh);
}

my $timeout_ms = 1000;
my @names = map { "n$_.slow.fault.test" } 1 .. 40;
my $arr = join(', ', map { "'$_'" } @names);

for my $how ('KILL', 'STOP') {
	my ($pid, $server, $fh) = start_responder();
	my $h = psql_bg(<<"SQL");
SET mailauth.dns_servers = '$server';
SET mailauth.dns_timeout = $timeout_ms;
SET mailauth.dns_max_inflight = 4;
SELECT 'status=' || status || ':' || count(*) FROM mailauth.dns_lookup(ARRAY[$arr]) GROUP BY status ORDER BY 1;
SELECT 'end=' || extract(epoch FROM clock_timestamp());
SELECT 'spf=' || result FROM mailauth.spf_verify('192.0.2.1', 'a\@other.slow.fault.test');
SELECT 'single=' || count(*) FROM mailauth.dns_lookup('one.slow.fault.test');
SELECT 'end2=' || extract(epoch FROM clock_timestamp());
RESET mailauth.dns_servers;
SELECT 'after=' || count(*) FROM mailauth.dns_lookup('www.mailauth.test');
SQL
	sleep 1.0;
	my $t_fail = time;
	kill $how, $pid;
	my ($out, $err) = psql_wait($h);
	my %st = $out =~ /^status=(\w+):(\d+)$/mg;
	my ($end) = $out =~ /^end=([\d.]+)/m;
	my ($end2) = $out =~ /^end2=([\d.]+)/m;
	my $ok = $st{ok} // 0;
	my $failed = 0;
	$failed += $st{$_} for grep { $_ ne 'ok' } keys %st;
	note("$how: statuses " . join(', ', map { "$_=$st{$_}" } sort keys %st));
	is($ok + $failed, 40, "$how mid-run: every one of the 40 names has a status");
	ok($ok >= 4 && $ok < 40, "$how mid-run: the names answered before the failure are ok ($ok)");
	ok($failed > 0 && !grep({ !/^(ok|timeout|servfail)$/ } keys %st),
	   "$how mid-run: the others end as timeout or servfail (" . join(',', sort keys %st) . ')');
	# each lookup has its own deadline from the moment it is sent, at most 4
	# in flight: the call ends within ceil(failed / 4) deadlines of the failure
	my $late = defined $end ? $end - $t_fail : -1;
	my $bound = int(($failed + 3) / 4) * $timeout_ms / 1000 + 0.5;
	ok(defined $end && $late < $bound,
	   sprintf("$how mid-run: the bulk call returned %.2f s after the failure (bound %.1f s: %d lookups, 4 in flight, %.1f s each)",
		   $late, $bound, $failed, $timeout_ms / 1000));
	like($out, qr/^spf=temperror$/m, "$how: spf_verify against the dead server is temperror");
	like($err, qr/ERROR:  MA00[13]: DNS lookup of one\.slow\.fault\.test A failed: (timeout|servfail)/,
		 "$how: the single form raises MA001/MA003");
	ok(defined $end2 && $end2 - $end < 2 * $timeout_ms / 1000 + 0.5,
	   sprintf("$how: both calls after the failure took %.2f s (two deadlines)", ($end2 // 0) - ($end // 0)));
	like($out, qr/^after=2$/m, "$how: the backend resolves again through knot");
	kill 'CONT', $pid if $how eq 'STOP';
	kill 'KILL', $pid;
	waitpid($pid, 0);
	close $fh;
}

# the server is gone before the call: connection refused is immediate
my ($pid, $server, $fh) = start_responder();
kill 'KILL', $pid;
waitpid($pid, 0);
close $fh;
my ($out, $err) = psql_run(<<"SQL");
SET mailauth.dns_servers = '$server';
SET mailauth.dns_timeout = 5000;
SELECT clock_timestamp() AS t0 \\gset
SELECT 'res=' || status || ':' || count(*) FROM mailauth.dns_lookup(ARRAY[$arr]) GROUP BY status;
SELECT 'spf=' || result FROM mailauth.spf_verify('192.0.2.1', 'a\@x.slow.fault.test');
SELECT 'took=' || extract(epoch FROM clock_timestamp() - :'t0');
SQL
like($out, qr/^res=(servfail|timeout):40$/m, 'a dead server: 40 statuses');
like($out, qr/^spf=temperror$/m, 'a dead server: spf_verify is temperror');
my ($took) = $out =~ /took=([\d.]+)/;
ok(defined $took && $took < 5.5, "a dead server: the calls took ${\($took // 'n/a')} s (deadline 5 s)");
done_testing();

# The set forms of the DNS checks: progress NOTICEs (mailauth.bulk_progress),
# query cancel and statement_timeout while a long bulk run waits on DNS or
# works through its inputs, and concurrency (a set form against a server
# that answers after 200 ms takes about one round trip per round, where a
# LATERAL loop of single calls takes one per name).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use MaTest;
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

my $resp = $ENV{MAILAUTH_TEST_RESPONDER} or die "MAILAUTH_TEST_RESPONDER not set (run through test/run.sh)";

# the NOTICEs of a script: [function, done, total, percent, seconds]
sub notices {
	my ($err) = @_;
	my @n;
	while ($err =~ /NOTICE:  (?:00000: )?mailauth\.(\w+): (\d+) of (\d+) done \((\d+) %\), ([\d.]+) s$/mg) {
		push @n, [$1, $2, $3, $4, $5];
	}
	return @n;
}

# 1. progress: the chunked forms report exactly every N inputs
my $names = "ARRAY(SELECT 'h' || g || '.bulk.test' FROM generate_series(0, 999) g)";
my ($out, $err) = psql_run(<<"SQL");
SET mailauth.bulk_progress = 250;
SELECT 'rows=' || count(*) FROM mailauth.dns_lookup($names);
SQL
my @n = notices($err);
is(join(' ', map { "$_->[1]/$_->[2]/$_->[3]" } @n), '250/1000/25 500/1000/50 750/1000/75 1000/1000/100',
	'dns_lookup(text[]) reports at 250, 500, 750 and 1000 of 1000');
like($out, qr/rows=1000/, 'and returns every row');
ok((grep { $_->[0] eq 'dns_lookup' } @n) == @n, 'the NOTICE names the function');
my @secs = map { $_->[4] } @n;
ok(@secs && !grep({ $secs[$_] < $secs[$_ - 1] } 1 .. $#secs), 'the elapsed seconds never go back');

($out, $err) = psql_run(<<"SQL");
SET mailauth.bulk_progress = 400;
SELECT count(*) FROM mailauth.mx_lookup($names);
SELECT count(*) FROM mailauth.ptr_lookup(ARRAY(SELECT ('192.0.2.' || (g % 256))::inet FROM generate_series(0, 999) g));
SQL
is(join(' ', map { "$_->[0]:$_->[1]" } notices($err)),
	'mx_lookup:400 mx_lookup:800 mx_lookup:1000 ptr_lookup:400 ptr_lookup:800 ptr_lookup:1000',
	'mx_lookup(text[]) and ptr_lookup(inet[]) report every 400 and at the end');

# the waves forms report when a round has finished another N or more inputs
# (a window of 64 inputs here, so a long run reports many times)
($out, $err) = psql_run(<<"SQL");
SET mailauth.dns_max_inflight = 1;
SET mailauth.bulk_progress = 100;
SELECT 'rows=' || count(*) FROM mailauth.domain_report($names);
SQL
@n = notices($err);
like($out, qr/rows=1000/, 'domain_report(text[]) over 1,000 domains');
ok(@n >= 8, 'domain_report reports progress ' . scalar(@n) . ' times');
is($n[-1][1] . '/' . $n[-1][2] . '/' . $n[-1][3], '1000/1000/100', 'the last NOTICE says 1000 of 1000 (100 %)');
ok(!grep({ int($n[$_][1] / 100) <= int($n[$_ - 1][1] / 100) && $n[$_][1] != 1000 } 1 .. $#n),
	'each NOTICE comes after another multiple of 100 inputs is done');

# every set form reports (5 inputs, every 2: one NOTICE or more, as rounds finish them)
my %forms = (
	dns_lookup         => "mailauth.dns_lookup(ARRAY['a.bulk.test','h1.bulk.test','h2.bulk.test','h3.bulk.test','h4.bulk.test'])",
	mx_lookup          => "mailauth.mx_lookup(ARRAY['h0.bulk.test','h1.bulk.test','h2.bulk.test','h3.bulk.test','h4.bulk.test'])",
	ptr_lookup         => "mailauth.ptr_lookup(ARRAY['192.0.2.10','192.0.2.11','192.0.2.100','192.0.2.101','192.0.2.102']::inet[])",
	ptr_check          => "mailauth.ptr_check(ARRAY['192.0.2.10','192.0.2.11','192.0.2.100','192.0.2.101','192.0.2.102']::inet[])",
	dnsbl_check        => "mailauth.dnsbl_check(ARRAY['192.0.2.120','192.0.2.121','192.0.2.122','192.0.2.123','192.0.2.124']::inet[], ARRAY['bl.trust.test'])",
	dbl_check          => "mailauth.dbl_check(ARRAY['a.test','b.test','c.test','d.test','spammer.other.test'], ARRAY['dbl.trust.test'])",
	helo_check         => "mailauth.helo_check(ARRAY['mx.trust.test','mail.trust.test','localhost','x.test','nxhelo.trust.test'])",
	dkim_key           => "mailauth.dkim_key(ARRAY['rsa2048','ed','revoked','web','nope'], ARRAY['dkim.test'])",
	dmarc_record       => "mailauth.dmarc_record(ARRAY['good.dmarc.test','bad.dmarc.test','dmarc.test','x.test','mailauth.test'])",
	spf_verify         => "mailauth.spf_verify(ARRAY['192.0.2.1','192.0.2.2','192.0.2.3','192.0.2.4','192.0.2.5']::inet[], ARRAY['a\@pass.spf.test'])",
	spf_includes       => "mailauth.spf_includes(ARRAY['pass.spf.test','nested.spf.test','soft.spf.test','x.test','redir.spf.test'], ARRAY['x.test'])",
	spf_check          => "mailauth.spf_check(ARRAY['pass.spf.test','nested.spf.test','soft.spf.test','x.test','redir.spf.test'])",
	spf_record         => "mailauth.spf_record(ARRAY['pass.spf.test','nested.spf.test','soft.spf.test','x.test','redir.spf.test'])",
	dns_expect         => "mailauth.dns_expect(ARRAY['www.mailauth.test','mailauth.test','x.test','good.setup.test','nodata.mailauth.test'], ARRAY['A'], ARRAY['192.0.2.10'])",
	domain_setup_check => "mailauth.domain_setup_check(ARRAY['good.setup.test','partial.setup.test','m365.setup.test','x.test','setup.test'], ARRAY['Zendesk'])",
	domain_report      => "mailauth.domain_report(ARRAY['good.setup.test','partial.setup.test','m365.setup.test','x.test','setup.test'])",
	sender_trust       => "mailauth.sender_trust(ARRAY['192.0.2.100','192.0.2.101','192.0.2.102','192.0.2.105','192.0.2.109']::inet[], ARRAY['mx.trust.test'], ARRAY['a\@pass.sender.test'])",
);
for my $f (sort keys %forms) {
	($out, $err) = psql_run("SET mailauth.bulk_progress = 2;\nSELECT count(*) FROM $forms{$f};\nSET mailauth.bulk_progress = 0;\nSELECT count(*) FROM $forms{$f};\n");
	@n = notices($err);
	ok(@n >= 1 && $n[-1][0] eq $f && $n[-1][1] == 5 && $n[-1][2] == 5 && !grep({ $_->[0] ne $f } @n),
		"$f: progress NOTICEs, the last one '5 of 5' (" . join(', ', map { "$_->[1] of $_->[2]" } @n) . ')');
	unlike($err, qr/ERROR/, "$f: no error") or diag($err);
}

# 2. statement_timeout during a long bulk run against a silent server: each
# set form over 1,000 inputs that would wait 20 s a round
my $silent = "ARRAY(SELECT 'n' || g || '.silent.test' FROM generate_series(1, 1000) g)";
my $silent_ips = "ARRAY(SELECT ('198.51.100.' || (g % 256))::inet FROM generate_series(1, 1000) g)";
my %slow = (
	dns_lookup         => "mailauth.dns_lookup($silent)",
	mx_lookup          => "mailauth.mx_lookup($silent)",
	ptr_lookup         => "mailauth.ptr_lookup($silent_ips)",
	ptr_check          => "mailauth.ptr_check($silent_ips)",
	dnsbl_check        => "mailauth.dnsbl_check($silent_ips, ARRAY['bl.test'])",
	dbl_check          => "mailauth.dbl_check($silent, ARRAY['dbl.test'])",
	helo_check         => "mailauth.helo_check($silent)",
	dkim_key           => "mailauth.dkim_key(ARRAY['s1'], $silent)",
	dmarc_record       => "mailauth.dmarc_record($silent)",
	spf_verify         => "mailauth.spf_verify(ARRAY['192.0.2.1']::inet[], ARRAY(SELECT 'a\@n' || g || '.silent.test' FROM generate_series(1, 1000) g))",
	spf_includes       => "mailauth.spf_includes($silent, ARRAY['x.test'])",
	spf_check          => "mailauth.spf_check($silent)",
	spf_record         => "mailauth.spf_record($silent)",
	dns_expect         => "mailauth.dns_expect($silent, ARRAY['TXT'], ARRAY['x'])",
	domain_setup_check => "mailauth.domain_setup_check($silent, ARRAY['Zendesk'])",
	domain_report      => "mailauth.domain_report($silent)",
	sender_trust       => "mailauth.sender_trust($silent_ips, $silent, ARRAY(SELECT 'a\@n' || g || '.silent.test' FROM generate_series(1, 1000) g))",
);
my @took;
for my $f (sort keys %slow) {
	($out, $err) = psql_run(<<"SQL");
SET mailauth.dns_servers = '$resp';
SET mailauth.dns_timeout = 20000;
SET statement_timeout = 300;
SELECT clock_timestamp() AS t0 \\gset
SELECT count(*) FROM $slow{$f};
SELECT 'elapsed=' || extract(epoch FROM clock_timestamp() - :'t0');
RESET statement_timeout;
RESET mailauth.dns_servers;
SELECT 'after=' || count(*) FROM mailauth.mx_lookup(ARRAY['mailauth.test', 'nullmx.mailauth.test']);
SQL
	my ($el) = $out =~ /elapsed=([\d.]+)/;
	push @took, sprintf('%s %.2f', $f, $el // -1);
	like($err, qr/ERROR:  57014: canceling statement due to statement timeout/, "$f: statement_timeout gives 57014");
	ok(defined $el && $el >= 0.29 && $el < 1.3, "$f: statement_timeout 300 ms ends the run within 1.3 s (took ${\($el // 'n/a')} s)");
	like($out, qr/after=4/, "$f: the same backend resolves again afterwards");
}
note('statement_timeout 300 ms, seconds to the error: ' . join(', ', @took));

# 3. pg_cancel_backend while a set form waits
my $h = psql_bg(<<"SQL");
SET application_name = 'ma_bulk_cancel';
SET mailauth.dns_servers = '$resp';
SET mailauth.dns_timeout = 20000;
SELECT count(*) FROM mailauth.domain_report($silent);
SELECT 'at=' || extract(epoch FROM clock_timestamp());
RESET mailauth.dns_servers;
SELECT 'after=' || count(*) FROM mailauth.domain_report(ARRAY['good.setup.test', 'x.test']);
SQL
my $pid;
for (1 .. 100) {
	($out) = psql_run("SELECT pid FROM pg_stat_activity WHERE application_name = 'ma_bulk_cancel' AND wait_event_type = 'Extension';");
	if ($out =~ /^(\d+)$/m) { $pid = $1; last; }
	sleep 0.05;
}
ok(defined $pid, 'a domain_report(text[]) run waits on DNS (wait_event_type Extension)');
sleep 0.3;
($out) = psql_run("SELECT 'cancel=' || extract(epoch FROM clock_timestamp()) || ' ' || pg_cancel_backend(" . ($pid // 0) . ");");
my ($tc) = $out =~ /cancel=([\d.]+) t/;
my ($o2, $e2) = psql_wait($h);
my ($ta) = $o2 =~ /at=([\d.]+)/;
like($e2, qr/ERROR:  57014: canceling statement due to user request/, 'pg_cancel_backend gives 57014');
ok(defined $tc && defined $ta && $ta - $tc < 1.0, sprintf('the cancel takes effect within 1 s (%.3f s)', ($ta // 0) - ($tc // 0)));
like($o2, qr/after=2/, 'the same backend reports again after the cancel');

# 4. statement_timeout in a long run that is mostly work, not waiting: 20,000
# inputs answered by the test server in microseconds, most from the answer store
($out, $err) = psql_run(<<"SQL");
SELECT clock_timestamp() AS t0 \\gset
SELECT count(*) FROM mailauth.domain_report(ARRAY(SELECT 'h' || (g % 1000) || '.bulk.test' FROM generate_series(1, 2000) g));
SELECT 'full=' || extract(epoch FROM clock_timestamp() - :'t0');
SET statement_timeout = 500;
SELECT clock_timestamp() AS t1 \\gset
SELECT count(*) FROM mailauth.domain_report(ARRAY(SELECT 'h' || (g % 1000) || '.bulk.test' FROM generate_series(1, 20000) g));
SELECT 'elapsed=' || extract(epoch FROM clock_timestamp() - :'t1');
RESET statement_timeout;
SELECT 'after=' || count(*) FROM mailauth.spf_record(ARRAY['pass.spf.test']);
SQL
my ($full) = $out =~ /full=([\d.]+)/;
my ($el) = $out =~ /elapsed=([\d.]+)/;
note(sprintf('domain_report over 2,000 inputs: %.2f s', $full // -1));
like($err, qr/57014/, 'a long domain_report(text[]) run hits statement_timeout');
ok(defined $el && $el < 1.5, "it ends within 1.5 s of a 500 ms statement_timeout (took ${\($el // 'n/a')} s)");
like($out, qr/after=1/, 'the backend works afterwards');

# 5. concurrency: a server that answers every query after 200 ms
my $port;
{
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'udp') or die;
	$port = $s->sockport;
	close $s;
}
use File::Temp qw(tempdir);
my $dstats = tempdir("ma_delayed.XXXXXX", TMPDIR => 1, CLEANUP => 1) . "/stats";
my $dpid = open(my $dfh, '-|', $^X, "$FindBin::Bin/delayed_dns.pl", $port, 200, $dstats) or die "delayed_dns.pl: $!";
# queries the 200 ms server received so far and how many were re-sent
sub dstats {
	open(my $fh, '<', $dstats) or return (0, 0);
	my ($q, $r) = (<$fh> // '') =~ /queries=(\d+) resent=(\d+)/;
	return ($q // 0, $r // 0);
}
my $ready = <$dfh>;
is($ready // '', "ready\n", 'the 200 ms server is up');
my $delayed = "SET mailauth.dns_servers = '127.0.0.1:$port';\nSET mailauth.dns_cache_size = 0;\n";
my $d200 = "ARRAY(SELECT 'd' || g || '.delay.test' FROM generate_series(1, 200) g)";
my $d10 = "(SELECT 'd' || g || '.delay.test' AS d FROM generate_series(1, 10) g)";
my %conc = (
	mx_lookup    => ["SELECT count(*) FROM mailauth.mx_lookup($d200)",
		"SELECT count(*) FROM $d10 u, LATERAL mailauth.mx_lookup(u.d)"],
	dmarc_record => ["SELECT count(*) FROM mailauth.dmarc_record($d200)",
		"SELECT count(*) FROM $d10 u, LATERAL mailauth.dmarc_record(u.d)"],
	ptr_check    => ["SELECT count(*) FROM mailauth.ptr_check(ARRAY(SELECT ('198.18.1.' || g)::inet FROM generate_series(1, 200) g))",
		"SELECT count(*) FROM (SELECT ('198.18.1.' || g)::inet AS ip FROM generate_series(1, 10) g) u, LATERAL mailauth.ptr_check(u.ip)"],
	spf_verify   => ["SELECT count(*) FROM mailauth.spf_verify(ARRAY['192.0.2.1']::inet[], ARRAY(SELECT 'a\@d' || g || '.delay.test' FROM generate_series(1, 200) g))",
		"SELECT count(*) FROM (SELECT 'a\@d' || g || '.delay.test' AS s FROM generate_series(1, 10) g) u, LATERAL mailauth.spf_verify('192.0.2.1'::inet, u.s)"],
);
for my $f (sort keys %conc) {
	my ($q0, $r0) = dstats();
	($out, $err) = psql_run(<<"SQL");
$delayed
SELECT clock_timestamp() AS t0 \\gset
$conc{$f}[0];
SELECT 'set=' || extract(epoch FROM clock_timestamp() - :'t0');
SELECT clock_timestamp() AS t1 \\gset
$conc{$f}[1];
SELECT 'loop=' || extract(epoch FROM clock_timestamp() - :'t1');
SQL
	my ($set) = $out =~ /set=([\d.]+)/;
	my ($loop) = $out =~ /loop=([\d.]+)/;
	unlike($err, qr/ERROR/, "$f: no error against the 200 ms server") or diag($err);
	my ($q1, $r1) = dstats();
	# a bound ten times under the serial time: it measures concurrency, and
	# leaves room for a slow (sanitized) build and a re-sent query (one per-try
	# timeout, 1.7 s by default) on a loaded machine
	ok(defined $set && $set < 4, sprintf('%s: the set form over 200 inputs takes %.2f s (serially: at least 40 s)', $f, $set // -1));
	diag(sprintf('%s: set form %.2f s, loop %.2f s; the server received %d queries, %d re-sent', $f, $set // -1, $loop // -1, $q1 - $q0, $r1 - $r0));
	ok(defined $loop && $loop >= 1.9, sprintf('%s: a LATERAL loop of 10 single calls takes %.2f s (one 200 ms round trip or more each)', $f, $loop // -1));
}
kill 'TERM', $dpid;
waitpid($dpid, 0);

# 6. the server is still up and serving
($out) = psql_run("SELECT 'alive=' || count(*) FROM mailauth.dns_lookup('www.mailauth.test');");
like($out, qr/alive=2/, 'the server keeps serving');
done_testing();

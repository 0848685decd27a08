# bench/dkim_peers/maildkim_bench.pl: verify one message N times with
# Mail::DKIM::Verifier (bench/dkim.sh).  DNS: Mail::DKIM::DNS's resolver is a
# Net::DNS::Resolver pointed at knot (127.0.0.1, PORT); Mail::DKIM does not
# cache keys, so every verification sends its TXT query to knot.
#
#   perl maildkim_bench.pl MESSAGE-FILE PORT N REPS
#
# One untimed run of N, then REPS timed runs; prints "version X" and
# "rep K N SECONDS pass=P other=O".
use strict;
use warnings;
use Time::HiRes qw(time);
use Net::DNS;
use Mail::DKIM;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;

my ($file, $port, $n, $reps) = @ARGV;
open(my $fh, '<:raw', $file) or die "$file: $!";
my $msg = do { local $/; <$fh> };
close $fh;
$msg =~ s/\r?\n/\r\n/g;
my $res = Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => $port,
	recurse => 0, udp_timeout => 2, retry => 1, persistent_udp => 1);
Mail::DKIM::DNS::resolver($res);
print "version Mail::DKIM $Mail::DKIM::VERSION, Net::DNS $Net::DNS::VERSION\n";
for my $r (0 .. $reps) {
	my $t0 = time;
	my %c;
	for (1 .. $n) {
		my $v = Mail::DKIM::Verifier->new();
		$v->PRINT($msg);
		$v->CLOSE();
		$c{$v->result eq 'pass' ? 'pass' : 'other'}++;
	}
	my $t = time - $t0;
	printf("rep %d %d %.6f pass=%d other=%d\n", $r, $n, $t, $c{pass} // 0, $c{other} // 0) if $r;
}

#!/usr/bin/perl
# mailspf_bench: SPF evaluations per second with Mail::SPF (libmail-spf-perl).
#
# For bench/spf.sh.  Evaluates the policy of SENDER for N client IPs
# PREFIX1 .. PREFIX200 (round robin), REPS times, one evaluation after the
# other, against the DNS server 127.0.0.1:PORT (Net::DNS::Resolver, no
# recursion asked).
#
#   mode dns    Mail::SPF as it is used: one Mail::SPF::Server, a new
#               Mail::SPF::Request per evaluation; neither Mail::SPF nor
#               Net::DNS::Resolver caches, so every evaluation sends its queries
#   mode memo   the resolver's send() memoized in this driver (a hash in front
#               of Net::DNS::Resolver, filled by the first evaluations): the
#               cost of the evaluation alone, with no DNS; not Mail::SPF's own
#               behaviour
# Each run starts with N evaluations that are not timed (the warm-up).
#
# usage: mailspf_bench.pl PORT MODE SENDER PREFIX N REPS
# Prints "version ...", then one line per rep: "rep K N SECONDS RESULT=COUNT..."
use strict;
use warnings;
use Mail::SPF;
use Net::DNS;
use Time::HiRes qw(time);

package MemoResolver;
our @ISA = ('Net::DNS::Resolver');
my %memo;
sub send {
	my ($self, @q) = @_;
	my $k = lc join('|', @q);
	$memo{$k} = $self->SUPER::send(@q) unless exists $memo{$k};
	return $memo{$k};
}

package main;

my ($port, $mode, $sender, $prefix, $n, $reps) = @ARGV;
die "mode must be dns or memo\n" unless $mode && ($mode eq 'dns' || $mode eq 'memo');
my $class = $mode eq 'memo' ? 'MemoResolver' : 'Net::DNS::Resolver';
my $resolver = $class->new(nameservers => ['127.0.0.1'], port => $port, recurse => 0,
	udp_timeout => 2, tcp_timeout => 2, retry => 1);
my $server = Mail::SPF::Server->new(dns_resolver => $resolver);

sub evaluate {
	my ($ip) = @_;
	my $req = Mail::SPF::Request->new(versions => [1], scope => 'mfrom',
		identity => $sender, ip_address => $ip, helo_identity => 'mx.example');
	return $server->process($req)->code;
}

$| = 1;
printf "version Mail::SPF %s (Net::DNS %s), Perl %vd\n", $Mail::SPF::VERSION, $Net::DNS::VERSION, $^V;
evaluate($prefix . ($_ % 200 + 1)) for 0 .. $n - 1;    # warm-up (fills the memo in mode memo)
for my $rep (1 .. $reps) {
	my %counts;
	my $t0 = time;
	for my $i (0 .. $n - 1) {
		$counts{evaluate($prefix . ($i % 200 + 1))}++;
	}
	my $t = time - $t0;
	printf "rep %d %d %.6f %s\n", $rep, $n, $t,
		join(' ', map { "$_=$counts{$_}" } sort keys %counts);
}

#!/usr/bin/perl
# A DNS server on loopback (UDP) that answers every query after a fixed
# delay, answering many queries at once: the RTT of a distant server, for
# measuring whether a set form really sends its queries concurrently.
#
#   A     -> 192.0.2.1
#   other -> NOERROR, no records
#
# usage: delayed_dns.pl PORT DELAY_MS   (prints "ready"; exits after 300 s)
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Net::DNS;
use Time::HiRes qw(time);

my ($port, $delay_ms) = @ARGV;
die "usage: $0 PORT DELAY_MS\n" unless $port && defined $delay_ms;
my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Proto => 'udp')
	or die "cannot listen on 127.0.0.1:$port: $!\n";
my $sel = IO::Select->new($sock);
my @queue;    # [due time, peer, reply bytes]
my $end = time + 300;
$| = 1;
print "ready\n";
while (time < $end) {
	my $wait = @queue ? $queue[0][0] - time : 1;
	$wait = 0 if $wait < 0;
	if ($sel->can_read($wait)) {
		my $peer = $sock->recv(my $buf, 4096);
		my $q = eval { Net::DNS::Packet->new(\$buf) };
		if ($q && ($q->question)[0]) {
			my $qq = ($q->question)[0];
			my $r = $q->reply;
			$r->header->rcode('NOERROR');
			$r->header->aa(1);
			$r->push(answer => Net::DNS::RR->new($qq->qname . " 60 IN A 192.0.2.1")) if $qq->qtype eq 'A';
			push @queue, [time + $delay_ms / 1000, $peer, $r->data];
		}
	}
	while (@queue && $queue[0][0] <= time) {
		my $e = shift @queue;
		$sock->send($e->[2], 0, $e->[1]);
	}
}

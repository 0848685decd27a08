#!/usr/bin/perl
# A small DNS responder for the names a test needs to misbehave.
# Net::DNS::Nameserver, UDP and TCP, on loopback.
#
#   silent.*     never answers (so does any name with a label "silent", and
#                any name under 100.51.198 - the reverse and DNSBL names of
#                198.51.100.0/24 - for the set-form cancel tests)
#   servfail.*   SERVFAIL
#   refused.*    REFUSED
#   formerr.*    FORMERR
#   slow.*       answers A 192.0.2.1 after 300 ms
#   anything else: NXDOMAIN
#
# usage: responder.pl PORT [ADDR]   (prints "ready" once listening)
use strict;
use warnings;
use Net::DNS;
use Net::DNS::Nameserver;
use Time::HiRes qw(usleep);

my $port = shift or die "usage: $0 PORT [ADDR]\n";
my $addr = shift // '127.0.0.1';

sub reply {
	my ($qname, $qclass, $qtype) = @_;
	my $n = lc $qname;
	return (undef) if $n =~ /(^|\.)silent\./ || $n =~ /(^|\.)100\.51\.198\./;
	return ('SERVFAIL', [], [], []) if $n =~ /^servfail\./;
	return ('REFUSED', [], [], []) if $n =~ /^refused\./;
	return ('FORMERR', [], [], []) if $n =~ /^formerr\./;
	if ($n =~ /^slow\./) {
		usleep(300_000);
		return ('NOERROR', [Net::DNS::RR->new("$qname 60 IN A 192.0.2.1")], [], [], {aa => 1})
			if $qtype eq 'A';
		return ('NOERROR', [], [], [], {aa => 1});
	}
	return ('NXDOMAIN', [], [], [], {aa => 1});
}

my $ns = Net::DNS::Nameserver->new(
	LocalAddr    => [$addr],
	LocalPort    => $port,
	ReplyHandler => \&reply,
	Verbose      => 0,
) or die "cannot listen on $addr:$port: $!\n";
$| = 1;
print "ready\n";
$SIG{TERM} = sub { exit 0 };
$ns->main_loop;

#!/usr/bin/perl
# A DNS server on loopback (UDP) that answers every query after a fixed
# delay, answering many queries at once: the RTT of a distant server, for
# measuring whether a set form really sends its queries concurrently.
#
#   A     -> 192.0.2.1
#   other -> NOERROR, no records
#
# usage: delayed_dns.pl PORT DELAY_MS [STATS_FILE]
#   prints "ready"; exits after 300 s.  With STATS_FILE, rewrites that file
#   after every batch with "queries=N resent=N": queries received and how
#   many of them repeated an (id, question) already seen, i.e. re-sent by the
#   client after its per-try timeout.
#
# The answer is built by hand from the query's bytes (no parse library per
# query) and the socket is drained before anything is answered, so a burst
# of hundreds of queries is taken off the receive buffer at once even on a
# slow or loaded machine (a dropped query costs the client a retry timeout
# and makes the timing meaningless).
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Socket qw(SOL_SOCKET SO_RCVBUF);
use Time::HiRes qw(time);

my ($port, $delay_ms, $stats) = @ARGV;
die "usage: $0 PORT DELAY_MS [STATS_FILE]\n" unless $port && defined $delay_ms;
my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Proto => 'udp')
	or die "cannot listen on 127.0.0.1:$port: $!\n";
setsockopt($sock, SOL_SOCKET, SO_RCVBUF, 4 << 20);	# capped at net.core.rmem_max
$sock->blocking(0);
my $sel = IO::Select->new($sock);
my @queue;    # [due time, peer, reply bytes]
my %seen;
my ($nq, $nresent) = (0, 0);
my $end = time + 300;
$| = 1;
print "ready\n";

# the answer to one query, or undef for a datagram that is not one
sub answer {
	my ($q) = @_;
	return undef if length($q) < 12;
	my ($id, $flags, $qd) = unpack('n n n', $q);
	return undef if ($flags & 0x8000) || $qd < 1;
	my $p = 12;
	while (1) {
		return undef if $p >= length($q);
		my $l = ord(substr($q, $p, 1));
		last if $l == 0;
		return undef if $l > 63;
		$p += 1 + $l;
	}
	$p += 1;
	return undef if $p + 4 > length($q);
	my $question = substr($q, 12, $p + 4 - 12);
	my $qtype = unpack('n', substr($q, $p, 2));
	my $key = "$id/" . lc($question);
	$nq++;
	$nresent++ if $seen{$key}++;
	my $an = $qtype == 1 ? 1 : 0;
	my $r = pack('n n n n n n', $id, 0x8400 | ($flags & 0x0100), 1, $an, 0, 0) . $question;
	$r .= pack('n n n N n C4', 0xC00C, 1, 1, 60, 4, 192, 0, 2, 1) if $an;
	return $r;
}

sub write_stats {
	return unless $stats;
	open(my $fh, '>', "$stats.tmp") or return;
	print $fh "queries=$nq resent=$nresent\n";
	close $fh;
	rename("$stats.tmp", $stats);
}

write_stats();
while (time < $end) {
	my $wait = @queue ? $queue[0][0] - time : 1;
	$wait = 0 if $wait < 0;
	if ($sel->can_read($wait)) {
		my $got = 0;
		while (defined(my $peer = $sock->recv(my $buf, 4096))) {
			last if $buf eq '' && !$peer;
			my $r = answer($buf);
			push @queue, [time + $delay_ms / 1000, $peer, $r] if defined $r;
			$got++;
		}
		write_stats() if $got;
	}
	while (@queue && $queue[0][0] <= time) {
		my $e = shift @queue;
		$sock->send($e->[2], 0, $e->[1]);
	}
}

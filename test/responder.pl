#!/usr/bin/perl
# A misbehaving DNS responder for the fault tests: UDP and TCP on one
# loopback port, answers built byte by byte (so they can be wrong on
# purpose).  The behaviour is chosen by the first label of the question
# that is a keyword below (so sel._domainkey.ptrloop.fault.test and
# _dmarc.ptrloop.fault.test misbehave like ptrloop.fault.test):
#
#   silent       never answers (UDP; TCP reads and never answers); so does any
#                name under 100.51.198 (the reverse and DNSBL names of
#                198.51.100.0/24, for the set-form cancel tests)
#   servfail     SERVFAIL          refused   REFUSED        formerr  FORMERR
#   slow         answers A 192.0.2.1 (TTL 60) after 300 ms (NOERROR/NODATA for other types)
#   late         the same answer after 3 s: past any deadline the tests set
#   drop         drops the first query for a name and type (a retry is answered)
#   cutN         a valid two-record answer cut to its first N bytes (no TC bit)
#   badlabel     an answer name with label type 0x40 (extended label)
#   rdlen        an A record whose RDLENGTH runs past the end of the message
#   rdshort      an A record of RDLENGTH 3
#   ancount      ANCOUNT 5 with one record present
#   txtlen       a TXT string whose length byte runs past its RDATA
#   longname     a CNAME target of 130 labels (over 255 octets)
#   badid        the answer carries another query id (never matches)
#   qmismatch    the answer's question is another name
#   notresponse  QR bit clear
#   garbage      the query id followed by 200 pseudo-random bytes
#   short        five bytes
#   ptrloop      an answer name that is a compression pointer to itself
#   ptrpair      two compression pointers pointing at each other
#   ptrfwd       a compression pointer forward, past the name itself
#   ptrout       a compression pointer past the end of the message
#   bigtcp       UDP: empty answer with TC; TCP: 62 TXT records of 1,000 bytes (a 64 KB message)
#   overtcp      UDP: TC; TCP: length prefix 65535 then 70,000 bytes (records running past the end)
#   udpbig       a 4,000-byte UDP answer without OPT and without TC (> 512, > the EDNS size asked)
#   udphuge      a 9,000-byte UDP answer (more than any receive buffer c-ares uses)
#   tcloop       UDP: TC on every answer; TCP: the connection is closed without an answer
#   tcboth       UDP: TC; TCP: an empty answer with TC set again
#   cloop        a CNAME to itself (one hop per answer)
#   cpaira/cpairb  CNAMEs to each other
#   chainN       chainN CNAME chain(N-1), one hop per answer; chain0 A 192.0.2.7
#   inchainN     one answer holding a CNAME chain of N hops (c1.X ... cN.X) then A 192.0.2.8
#   tree         the SPF include tree: every name X under tree.fault.test has
#                TXT "v=spf1 include:a.X include:b.X ... include:j.X -all" (10 per
#                name, 10^6 names six levels down), A/MX are NXDOMAIN
#   mxtree       TXT "v=spf1 mx a:a.X a:b.X ... -all", MX: 20 hosts under X
#   anything else: NXDOMAIN
#
# usage: responder.pl PORT [ADDR]   (prints "ready" once listening)
# Every query it reads is counted; "stats.fault.test" TXT answers the count.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Socket qw(SOL_SOCKET SO_REUSEADDR);
use Time::HiRes qw(time);

my $port = shift or die "usage: $0 PORT [ADDR]\n";
my $addr = shift // '127.0.0.1';

my $udp = IO::Socket::INET->new(LocalAddr => $addr, LocalPort => $port, Proto => 'udp')
	or die "cannot listen on udp $addr:$port: $!\n";
my $tcp = IO::Socket::INET->new(LocalAddr => $addr, LocalPort => $port, Proto => 'tcp',
	Listen => 64, ReuseAddr => 1)
	or die "cannot listen on tcp $addr:$port: $!\n";

my $sel = IO::Select->new($udp, $tcp);
my %tcpbuf;				# fileno -> [socket, buffer]
my @later;				# [time, code]
my %seen;				# name -> queries seen (drop)
my $queries = 0;

my @KEYWORDS = qw(silent servfail refused formerr slow late drop badlabel rdlen rdshort
  ancount txtlen longname badid qmismatch notresponse garbage short ptrloop ptrpair
  ptrfwd ptrout bigtcp overtcp udpbig udphuge tcloop tcboth cloop cpaira cpairb
  tree mxtree stats);

sub wname {
	my ($n) = @_;
	return "\0" if $n eq '' || $n eq '.';
	return join('', map { chr(length $_) . $_ } split /\./, $n) . "\0";
}

sub rr {
	my ($owner, $type, $rdata, $ttl) = @_;
	return $owner . pack('nnNn', $type, 1, $ttl // 300, length $rdata) . $rdata;
}

sub txt_rdata {
	my ($s) = @_;
	my $r = '';
	do { $r .= chr(length(substr($s, 0, 255))) . substr($s, 0, 255, '') } while length $s;
	return $r;
}

# header: id, flags (QR AA RA and RD from the query), counts
sub hdr {
	my ($q, $rcode, $an, $ns, $extra) = @_;
	my $flags = 0x8480 | ($q->{flags} & 0x0100) | ($rcode // 0) | ($extra // 0);
	return pack('nnnnnn', $q->{id}, $flags, 1, $an // 0, $ns // 0, 0);
}

sub answer {				# a normal answer: header, question, records
	my ($q, $rcode, @rrs) = @_;
	return hdr($q, $rcode, scalar @rrs) . $q->{qsec} . join('', @rrs);
}

sub ipv4 { pack('C4', split /\./, $_[0]) }

# the keyword that decides: the first label that is one (or cutN, chainN, inchainN)
sub keyword {
	my ($name) = @_;
	for my $l (split /\./, $name) {
		return ($1, $2) if $l =~ /^(cut|chain|inchain)(\d+)$/;
		return ($l) if grep { $_ eq $l } @KEYWORDS;
	}
	return ('');
}

# returns a list of actions: ['send', bytes], ['later', secs, bytes], ['close'], or nothing
sub respond {
	my ($q, $viatcp) = @_;
	my ($n, $t) = ($q->{name}, $q->{type});
	my ($k, $num) = keyword($n);
	my $own = "\xc0\x0c";
	my $nx = sub { ['send', answer($q, 3)] };

	return () if $k eq 'silent' || lc($n) =~ /(^|\.)100\.51\.198\./;
	return ['send', answer($q, 2)] if $k eq 'servfail';
	return ['send', answer($q, 5)] if $k eq 'refused';
	return ['send', answer($q, 1)] if $k eq 'formerr';
	if ($k eq 'slow' || $k eq 'late') {
		my $a = $t == 1 ? answer($q, 0, rr($own, 1, ipv4('192.0.2.1'), 60)) : answer($q, 0);
		return ['later', $k eq 'slow' ? 0.3 : 3.0, $a];
	}
	if ($k eq 'drop') {
		return () if !$seen{"$n/$t"}++;
		return ['send', $t == 1 ? answer($q, 0, rr($own, 1, ipv4('192.0.2.3'), 60)) : answer($q, 0)];
	}
	if ($k eq 'cut') {
		my $a = answer($q, 0, rr($own, 1, ipv4('192.0.2.4')), rr($own, 1, ipv4('192.0.2.5')));
		return ['send', substr($a, 0, $num)];
	}
	if ($k eq 'badlabel') {
		return ['send', hdr($q, 0, 1) . $q->{qsec} . rr("\x41\x05abcde\0", 1, ipv4('192.0.2.1'))];
	}
	if ($k eq 'rdlen') {
		return ['send', hdr($q, 0, 1) . $q->{qsec} . $own . pack('nnNn', 1, 1, 300, 200) . ipv4('192.0.2.1')];
	}
	return ['send', answer($q, 0, rr($own, $t, "\1\2\3"))] if $k eq 'rdshort';
	return ['send', hdr($q, 0, 5) . $q->{qsec} . rr($own, 1, ipv4('192.0.2.1'))] if $k eq 'ancount';
	return ['send', answer($q, 0, rr($own, 16, "\xc8short"))] if $k eq 'txtlen';
	return ['send', answer($q, 0, rr($own, 5, wname(join '.', ('x') x 130)))] if $k eq 'longname';
	if ($k eq 'badid') {
		my $a = answer($q, 0, rr($own, 1, ipv4('192.0.2.1')));
		substr($a, 0, 2) = pack('n', ($q->{id} + 1) & 0xffff);
		return ['send', $a];
	}
	if ($k eq 'qmismatch') {
		return ['send', hdr($q, 0, 1) . wname('other.example') . pack('nn', $t, 1)
			  . rr("\xc0\x0c", 1, ipv4('192.0.2.1'))];
	}
	if ($k eq 'notresponse') {
		my $a = answer($q, 0, rr($own, 1, ipv4('192.0.2.1')));
		substr($a, 2, 1) = chr(ord(substr($a, 2, 1)) & 0x7f);
		return ['send', $a];
	}
	if ($k eq 'garbage') {
		my $x = 12345;
		my $g = join '', map { $x = ($x * 1103515245 + 12345) & 0x7fffffff; chr($x >> 16 & 0xff) } 1 .. 200;
		return ['send', pack('n', $q->{id}) . $g];
	}
	return ['send', substr(answer($q, 0), 0, 5)] if $k eq 'short';
	if ($k eq 'ptrloop') {
		my $h = hdr($q, 0, 1) . $q->{qsec};
		my $off = length $h;
		return ['send', $h . rr(pack('n', 0xc000 | $off), 1, ipv4('192.0.2.1'))];
	}
	if ($k eq 'ptrpair') {
		my $h = hdr($q, 0, 1) . $q->{qsec};
		my $off = length $h;
		return ['send', $h . rr("\1a" . pack('n', 0xc000 | ($off + 4)) . pack('n', 0xc000 | $off), 1,
					ipv4('192.0.2.1'))];
	}
	if ($k eq 'ptrfwd') {
		my $h = hdr($q, 0, 1) . $q->{qsec};
		my $off = length $h;
		return ['send', $h . rr(pack('n', 0xc000 | ($off + 30)), 5, wname('target.example'))];
	}
	return ['send', hdr($q, 0, 1) . $q->{qsec} . rr("\xc3\xff", 1, ipv4('192.0.2.1'))] if $k eq 'ptrout';
	if ($k eq 'bigtcp') {
		return ['send', hdr($q, 0, 0, 0, 0x0200) . $q->{qsec}] unless $viatcp;
		my @r = map { rr($own, 16, txt_rdata(sprintf('%04d', $_) . ('x' x 996))) } 1 .. 62;
		return ['send', answer($q, 0, @r)];
	}
	if ($k eq 'overtcp') {
		return ['send', hdr($q, 0, 0, 0, 0x0200) . $q->{qsec}] unless $viatcp;
		my @r = map { rr($own, 16, txt_rdata('y' x 1000)) } 1 .. 70;
		my $a = answer($q, 0, @r);
		return ['raw', pack('n', 65535) . substr($a . ("\0" x 70000), 0, 70000)];
	}
	if ($k eq 'udpbig' || $k eq 'udphuge') {
		my $cnt = $k eq 'udpbig' ? 4 : 9;
		my @r = map { rr($own, 16, txt_rdata(sprintf('%02d', $_) . ('z' x 960))) } 1 .. $cnt;
		return ['send', answer($q, 0, @r)];
	}
	if ($k eq 'tcloop') {
		return ['close'] if $viatcp;
		return ['send', hdr($q, 0, 0, 0, 0x0200) . $q->{qsec}];
	}
	return ['send', hdr($q, 0, 0, 0, 0x0200) . $q->{qsec}] if $k eq 'tcboth';
	return ['send', answer($q, 0, rr($own, 5, wname($n)))] if $k eq 'cloop';
	if ($k eq 'cpaira' || $k eq 'cpairb') {
		(my $o = $n) =~ s/\bcpair[ab]\b/$k eq 'cpaira' ? 'cpairb' : 'cpaira'/e;
		return ['send', answer($q, 0, rr($own, 5, wname($o)))];
	}
	if ($k eq 'chain') {
		if ($num == 0) {
			return ['send', $t == 1 ? answer($q, 0, rr($own, 1, ipv4('192.0.2.7'))) : answer($q, 0)];
		}
		(my $o = $n) =~ s/\bchain$num\b/'chain' . ($num - 1)/e;
		return ['send', answer($q, 0, rr($own, 5, wname($o)))];
	}
	if ($k eq 'inchain') {
		my @r;
		my $cur = $n;
		for my $i (1 .. $num) {
			push @r, rr(wname($cur), 5, wname("c$i.$n"));
			$cur = "c$i.$n";
		}
		push @r, rr(wname($cur), 1, ipv4('192.0.2.8')) if $t == 1;
		return ['send', answer($q, 0, @r)];
	}
	if ($k eq 'tree' && $n =~ /tree\.fault\.test$/) {
		return $nx->() unless $t == 16;
		my $rec = 'v=spf1 ' . join(' ', map { "include:$_.$n" } 'a' .. 'j') . ' -all';
		return ['send', answer($q, 0, rr($own, 16, txt_rdata($rec)))] if length("a.$n") <= 253;
		return $nx->();
	}
	if ($k eq 'mxtree') {
		if ($t == 16) {
			my $rec = 'v=spf1 mx ' . join(' ', map { "a:$_.$n" } 'a' .. 'j') . ' -all';
			return ['send', answer($q, 0, rr($own, 16, txt_rdata($rec)))];
		}
		if ($t == 15) {
			return ['send', answer($q, 0, map { rr($own, 15, pack('n', $_) . wname("mx$_.$n")) } 1 .. 20)];
		}
		return $nx->();
	}
	if ($k eq 'stats') {
		return ['send', answer($q, 0, rr($own, 16, txt_rdata("queries=$queries"), 0))];
	}
	return $nx->();
}

# parse a query: id, flags, name (lowercase), type, the question section
sub parse_query {
	my ($buf) = @_;
	return undef if length $buf < 17;
	my ($id, $flags, $qd) = unpack('nnn', $buf);
	return undef if $qd != 1 || ($flags & 0x8000);
	my ($p, @labels) = (12);
	while (1) {
		return undef if $p >= length $buf;
		my $l = ord(substr($buf, $p, 1));
		$p++;
		last if $l == 0;
		return undef if $l > 63 || $p + $l > length $buf;
		push @labels, lc substr($buf, $p, $l);
		$p += $l;
	}
	return undef if $p + 4 > length $buf;
	my $type = unpack('n', substr($buf, $p, 2));
	return {id => $id, flags => $flags, name => join('.', @labels), type => $type,
		qsec => substr($buf, 12, $p + 4 - 12)};
}

sub handle {
	my ($buf, $viatcp, $sock, $peer) = @_;
	my $q = parse_query($buf) or return;
	$queries++;
	for my $a (respond($q, $viatcp)) {
		my ($what, @rest) = @$a;
		if ($what eq 'close') {
			close_tcp($sock) if $viatcp;
		} elsif ($what eq 'raw') {
			syswrite($sock, $rest[0]) if $viatcp;
		} elsif ($what eq 'send' || $what eq 'later') {
			my ($delay, $data) = $what eq 'later' ? @rest : (0, $rest[0]);
			my $code = $viatcp
				? sub { syswrite($sock, pack('n', length $data) . $data) if $sock->opened }
				: sub { $udp->send($data, 0, $peer) };
			if ($delay) { push @later, [time + $delay, $code] } else { $code->() }
		}
	}
}

sub close_tcp {
	my ($s) = @_;
	$sel->remove($s);
	delete $tcpbuf{fileno $s} if defined fileno $s;
	close $s;
}

$| = 1;
print "ready\n";
$SIG{TERM} = sub { exit 0 };
$SIG{PIPE} = 'IGNORE';
while (1) {
	my $wait = 1;
	if (@later) {
		my ($first) = sort { $a->[0] <=> $b->[0] } @later;
		$wait = $first->[0] - time;
		$wait = 0 if $wait < 0;
	}
	my @ready = $sel->can_read($wait);
	for my $s (@ready) {
		if ($s == $udp) {
			my $buf;
			my $peer = $udp->recv($buf, 65535);
			handle($buf, 0, undef, $peer) if defined $peer;
		} elsif ($s == $tcp) {
			my $c = $tcp->accept or next;
			$sel->add($c);
			$tcpbuf{fileno $c} = [$c, ''];
		} else {
			my $e = $tcpbuf{fileno $s} or next;
			my $n = sysread($s, my $chunk, 65536);
			if (!$n) { close_tcp($s); next; }
			$e->[1] .= $chunk;
			while (length $e->[1] >= 2) {
				my $len = unpack('n', $e->[1]);
				last if length $e->[1] < 2 + $len;
				my $msg = substr($e->[1], 2, $len);
				substr($e->[1], 0, 2 + $len) = '';
				handle($msg, 1, $s, undef);
				last unless $s->opened;
			}
		}
	}
	my $now = time;
	my @due = grep { $_->[0] <= $now } @later;
	@later = grep { $_->[0] > $now } @later;
	$_->[1]->() for @due;
}

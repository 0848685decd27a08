# MaTest.pm: small helpers for the TAP scripts (psql against the harness cluster)
package MaTest;
use strict;
use warnings;
use Exporter 'import';
use IPC::Open3;
use Symbol 'gensym';
our @EXPORT = qw(psql_run psql_bg psql_wait now_server rss_growth_ok);

# run a psql script; returns (stdout, stderr)
sub psql_run {
	my ($o, $e) = psql_wait(psql_bg(@_));
	return ($o, $e);
}

# start a psql script in the background: returns a handle for psql_wait
sub psql_bg {
	my ($script, $db) = @_;
	my $err = gensym;
	my $pid = open3(my $in, my $out, $err, 'psql', '-X', '-qAt', '-v', 'VERBOSITY=verbose',
		($db ? ('-d', $db) : ()));
	print $in $script;
	close $in;
	return {pid => $pid, out => $out, err => $err};
}

sub psql_wait {
	my ($h) = @_;
	local $/;
	my $o = readline($h->{out}) // '';
	my $e = readline($h->{err}) // '';
	waitpid($h->{pid}, 0);
	return ($o, $e, $? >> 8);
}

# rss_growth_ok(OK, GROWTH_KB, DESCRIPTION): a resident-memory bound.
# Skipped under test/asan.sh (MA_ASAN=1): ASan keeps freed blocks in its
# quarantine and adds shadow memory, so RSS says nothing about leaks there.
sub rss_growth_ok {
	my ($ok, $growth, $desc) = @_;
	if ($ENV{MA_ASAN}) {
		Test::More::note("under ASan: resident memory grew by " . ($growth // 'n/a') . " kB");
		Test::More::pass("$desc (bound not applied under ASan)");
		return 1;
	}
	return Test::More::ok($ok, $desc);
}

1;

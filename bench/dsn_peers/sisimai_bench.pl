#!/usr/bin/perl
# Sisimai (Perl) parsing a folder of bounce messages, REPS times, one process.
#   sisimai_bench.pl DIR REPS
# Prints "version V", then "rep K MESSAGES SECONDS rows=R" per run (after one
# untimed warm-up run).  Options as the corpus expectations were made with:
# delivered and vacation results included.
use strict;
use warnings;
use Sisimai;
use Time::HiRes qw(time);

my ($dir, $reps) = @ARGV;
die "usage: $0 DIR REPS\n" unless $dir && $reps;
opendir(my $dh, $dir) or die "$dir: $!";
my $nfiles = grep { /\.eml$/ } readdir($dh);
closedir($dh);
print "version Sisimai $Sisimai::VERSION (Perl $^V)\n";
my $warm = Sisimai->make($dir, delivered => 1, vacation => 1);
for my $k (1 .. $reps) {
	my $t0 = time;
	my $v = Sisimai->make($dir, delivered => 1, vacation => 1);
	my $dt = time - $t0;
	printf "rep %d %d %.6f rows=%d\n", $k, $nfiles, $dt, $v ? scalar(@$v) : 0;
}

# pg_dump keeps the rows users add to mailauth.sending_services (and not the
# seeded ones, which CREATE EXTENSION brings back): a dump restores cleanly.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use MaTest;
use Test::More;

my ($out, $err) = psql_run(<<'SQL');
SET client_min_messages = warning;
DROP DATABASE IF EXISTS ma_dump_src;
DROP DATABASE IF EXISTS ma_dump_dst;
CREATE DATABASE ma_dump_src;
CREATE DATABASE ma_dump_dst;
SQL
is($err, '', 'databases created') or diag($err);

($out, $err) = psql_run(<<'SQL', 'ma_dump_src');
CREATE EXTENSION mailauth;
INSERT INTO mailauth.sending_services (service, spf_include, status, replacement)
VALUES ('Old Sender', 'old.sender.test', 'deprecated', 'new.sender.test');
SQL
is($err, '', 'a user row added') or diag($err);

my $dump = `pg_dump ma_dump_src 2>&1` // "";
like($dump, qr/old\.sender\.test/, 'the dump holds the user row');
unlike($dump, qr/mail\.zendesk\.com/, 'the dump leaves the seeded rows to CREATE EXTENSION');

open(my $p, '|-', 'psql -X -q -v ON_ERROR_STOP=1 -d ma_dump_dst >/dev/null 2>&1') or die;
print $p $dump;
close($p);
is($?, 0, 'the dump restores without error');
($out, $err) = psql_run(<<'SQL', 'ma_dump_dst');
SELECT 'user=' || count(*) FILTER (WHERE source = 'user') || ' seeded=' || count(*) FILTER (WHERE source = 'mailauth')
  FROM mailauth.sending_services;
SQL
like($out, qr/user=1 seeded=19/, 'restored: the user row and the seeds, once each');
psql_run("DROP DATABASE ma_dump_src; DROP DATABASE ma_dump_dst;");
done_testing();

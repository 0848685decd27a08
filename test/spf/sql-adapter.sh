#!/usr/bin/env bash
# The SQL adapter of the RFC 7208 conformance suite: one spf_verify() call
# through psql, against the suite's DNS server (SPF_DNS).  Prints the result
# on line 1 and the explanation on line 2, as run-suite.py expects.
# usage: sql-adapter.sh <ip> <mailfrom> <helo>
set -euo pipefail
timeout_ms=$(python3 -c "print(int(float('${SPF_DNS_TIMEOUT:-1}') * 1000))")
psql -X -q -At -v ON_ERROR_STOP=1 -v ip="$1" -v sender="$2" -v helo="$3" \
     -v dns="$SPF_DNS" -v timeout="$timeout_ms" -v engine="${MAILAUTH_SPF_ENGINE:-native}" <<'SQL'
SET mailauth.dns_servers = :'dns';
SET mailauth.spf_engine = :'engine';
SET mailauth.dns_timeout = :'timeout';
SET mailauth.dns_cache_size = 0;
SELECT result || E'\n' || coalesce(explanation, '')
  FROM mailauth.spf_verify(:'ip', nullif(:'sender', ''), nullif(:'helo', ''));
SQL

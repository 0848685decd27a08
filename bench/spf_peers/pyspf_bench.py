#!/usr/bin/python3
"""pyspf_bench: SPF evaluations per second with pyspf (python3-spf).

For bench/spf.sh.  Evaluates the policy of SENDER for N client IPs
PREFIX1 .. PREFIX200 (round robin), REPS times, one evaluation after the
other, against the DNS server 127.0.0.1:PORT.

  mode dns    pyspf as it is used: each evaluation is a new spf.query, whose
              DNS cache lives for that one evaluation only, so every
              evaluation sends its queries (pyspf keeps no cache across
              evaluations)
  mode memo   pyspf's DNS function memoized in this driver (a dict in front
              of spf.DNSLookup, filled by the first evaluations): the cost
              of the evaluation alone, with no DNS at all; not pyspf's own
              behaviour
Each run starts with N evaluations that are not timed (the warm-up).

usage: pyspf_bench.py PORT MODE SENDER PREFIX N REPS
Prints "version ...", then one line per rep: "rep K N SECONDS RESULT=COUNT..."
"""
import collections
import sys
import time

import spf

port, mode, sender, prefix, n, reps = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                       sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
helo = "mx.example"

# point whichever DNS module pyspf picked at the benchmark's server
if spf.DNSLookup.__name__ == "DNSLookup_dnspython":
    import dns.resolver
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    r.port = port
    dns.resolver.default_resolver = r
    dnsmod = "dnspython " + dns.version.version
else:
    import DNS
    DNS.defaults["server"] = ["127.0.0.1"]
    DNS.defaults["port"] = port
    dnsmod = "pydns " + getattr(DNS, "__version__", "?")

if mode == "memo":
    real = spf.DNSLookup
    memo = {}

    def memo_lookup(name, qtype, *a, **kw):
        key = (name.lower(), qtype)
        if key not in memo:
            memo[key] = list(real(name, qtype, *a, **kw))
        return memo[key]
    spf.DNSLookup = memo_lookup
elif mode != "dns":
    sys.exit("mode must be dns or memo")


def evaluate(ip):
    return spf.query(i=ip, s=sender, h=helo, querytime=0).check()[0]


print("version pyspf %s (%s), Python %s" % (spf.__version__, dnsmod, sys.version.split()[0]),
      flush=True)
for i in range(n):                       # warm-up (fills the memo in mode memo)
    evaluate(prefix + str(i % 200 + 1))
for rep in range(1, reps + 1):
    counts = collections.Counter()
    t0 = time.perf_counter()
    for i in range(n):
        counts[evaluate(prefix + str(i % 200 + 1))] += 1
    t = time.perf_counter() - t0
    print("rep %d %d %.6f %s" % (rep, n, t, " ".join("%s=%d" % kv for kv in sorted(counts.items()))),
          flush=True)

#!/usr/bin/python3
"""seq_audit: the domain audit of bench/audit.sh done one domain after another,
the way checkdmarc works: pyspf (python3-spf) for SPF, dnspython for the rest.

For each domain d1.audit.test .. dN.audit.test: spf.check2() for
postmaster@DOMAIN from 192.0.2.1 (follows the includes), the DMARC record
(_dmarc.DOMAIN, then the organizational domain's), MX, a TXT lookup for each
DKIM selector, _mta-sts, _smtp._tls and default._bimi TXT; every lookup waits
for its answer.  No cache across domains (each pyspf query starts empty; the
dnspython resolver has none by default).

usage: seq_audit.py HOST:PORT N SELECTORS(comma-separated)
Prints "version ...", then "done N SECONDS spf_pass=.. dmarc=.. ...".
"""
import sys
import time

import dns.resolver
import spf

server, n, selectors = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
host, port = server.rsplit(":", 1)
res = dns.resolver.Resolver(configure=False)
res.nameservers = [host]
res.port = int(port)
res.lifetime = 30
dns.resolver.default_resolver = res


def txt(name):
    try:
        return [b"".join(r.strings).decode("utf-8", "replace") for r in res.resolve(name, "TXT")]
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []


counts = dict(spf_pass=0, dmarc=0, mx=0, dkim=0, mta_sts=0, tls_rpt=0, bimi=0, errors=0)
print("version pyspf %s, dnspython %s, Python %s" % (spf.__version__, dns.version.version, sys.version.split()[0]))
t0 = time.monotonic()
for i in range(1, n + 1):
    d = "d%d.audit.test" % i
    try:
        if spf.check2(i="192.0.2.1", s="postmaster@" + d, h=d)[0] == "pass":
            counts["spf_pass"] += 1
        rec = [t for t in txt("_dmarc." + d) if t.lower().startswith("v=dmarc1")]
        if not rec:
            rec = [t for t in txt("_dmarc." + ".".join(d.split(".")[-2:])) if t.lower().startswith("v=dmarc1")]
        counts["dmarc"] += bool(rec)
        try:
            counts["mx"] += len(res.resolve(d, "MX")) > 0
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            pass
        for s in selectors:
            counts["dkim"] += any("p=" in t for t in txt("%s._domainkey.%s" % (s, d)))
        counts["mta_sts"] += any(t.startswith("v=STSv1") for t in txt("_mta-sts." + d))
        counts["tls_rpt"] += any(t.startswith("v=TLSRPTv1") for t in txt("_smtp._tls." + d))
        counts["bimi"] += any(t.startswith("v=BIMI1") for t in txt("default._bimi." + d))
    except Exception:
        counts["errors"] += 1
secs = time.monotonic() - t0
print("done %d %.3f %s" % (n, secs, " ".join("%s=%d" % kv for kv in counts.items())))

"""bench/dkim_peers/dkimpy_bench.py: verify one message N times with dkimpy
(bench/dkim.sh).  No DNS: dnsfunc returns the key's TXT record from memory.

    dkimpy_bench.py MESSAGE-FILE TXT-RECORD N REPS

One untimed run of N, then REPS timed runs; prints "version X" and
"rep K N SECONDS pass=P other=O"."""
import sys, time
import dkim

msg = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
txt = sys.argv[2].encode()
n, reps = int(sys.argv[3]), int(sys.argv[4])
dnsfunc = lambda name, timeout=5: txt
try:
    import importlib.metadata as md
    print("version dkimpy", md.version("dkimpy"))
except Exception:
    print("version dkimpy (unknown)")
for r in range(reps + 1):
    t0 = time.perf_counter()
    ok = 0
    for _ in range(n):
        ok += bool(dkim.verify(msg, dnsfunc=dnsfunc))
    t = time.perf_counter() - t0
    if r:
        print("rep %d %d %.6f pass=%d other=%d" % (r, n, t, ok, n - ok))

#!/usr/bin/python3
"""splice.py OUT NAME BLOCK: put BLOCK (a file holding the lines from
"<!-- NAME:begin -->" to "<!-- NAME:end -->") into OUT (BENCHMARKS.md),
replacing the block of that name if OUT has one, else appending it.
OUT is replaced atomically (a temporary file beside it, then rename).

splice.py --keep OUT REPORT: append to REPORT every marked block of OUT
(what the other benchmark scripts maintain), for bench/run.sh, which
rewrites the top of OUT.
"""
import os
import re
import sys
import tempfile


def blocks(text):
    return [m.group(0) for m in
            re.finditer(r"^<!-- ([a-z0-9_]+):begin -->$.*?^<!-- \1:end -->$", text, re.M | re.S)]


def write(out, text):
    d = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".bench.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)


if sys.argv[1] == "--keep":
    out, report = sys.argv[2], sys.argv[3]
    text = open(out).read() if os.path.exists(out) else ""
    with open(report, "a") as f:
        for b in blocks(text):
            f.write("\n" + b + "\n")
    sys.exit(0)

out, name, block = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().rstrip("\n") + "\n"
text = open(out).read() if os.path.exists(out) else "# mailauth benchmarks\n"
lines = text.splitlines(keepends=True)
b = next((i for i, l in enumerate(lines) if l.rstrip("\n") == "<!-- %s:begin -->" % name), None)
e = next((i for i, l in enumerate(lines) if l.rstrip("\n") == "<!-- %s:end -->" % name), None)
if b is not None and e is not None and e >= b:
    write(out, "".join(lines[:b]) + block + "".join(lines[e + 1:]))
else:
    write(out, text.rstrip("\n") + "\n\n" + block)

#!/usr/bin/python3
"""chart.py: the chart of BENCHMARKS.md, drawn with gnuplot.

Reads the ratio notes the benchmark scripts leave in their blocks of
BENCHMARKS.md (HTML comments "<!-- ratio: GROUP what = X -->", X = how many
times faster mailauth is; for "vs the ideal time", the fraction of the
physical limit reached) and draws one horizontal bar per note, on a log scale,
grouped by the benchmark they come from, with the value printed on the bar and
a line at 1× (a bar left of it: mailauth is slower).  Writes bench/chart.png
and puts a link to it at the top of BENCHMARKS.md (once).

usage: chart.py BENCHMARKS.md OUT.png
"""
import os
import re
import subprocess
import sys
import tempfile

md, png = sys.argv[1], sys.argv[2]
text = open(md, encoding="utf-8").read()
notes = re.findall(r"<!-- ratio: (\S+) (.*?) = ([0-9.]+) -->", text)
if not notes:
    print("chart.py: no ratio notes in %s; nothing drawn" % md, file=sys.stderr)
    sys.exit(0)

rows = []
for group, what, x in notes:
    rows.append((group, what, float(x)))
colors = {}
palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
for group, _, _ in rows:
    colors.setdefault(group, palette[len(colors) % len(palette)])
# one group after another, in the order of the file; first row at the top
n = len(rows)
with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as f:
    for i, (group, what, x) in enumerate(rows):
        y = n - i
        label = "%s: %s" % (group, what)
        f.write('%d\t%g\t"%s"\t"%s"\t%d\n' % (y, x, label.replace('"', "'"), ("%.2f×" % x) if x < 10 else ("%.1f×" % x),
                                             int(colors[group][1:], 16)))
    dat = f.name
xmax = max(r[2] for r in rows) * 3
xmin = min(0.1, min(r[2] for r in rows) / 2)
height = 120 + 28 * n
script = """
set terminal pngcairo noenhanced size 1300,%(h)d font "DejaVu Sans,10"
set output "%(png)s"
set title "mailauth: how many times faster than each peer (same run, same inputs; bench/*.sh)" font ",12"
set logscale x
set xrange [%(xmin)g:%(xmax)g]
set yrange [0.4:%(ymax)g]
set xtics ("0.1×" 0.1, "0.5×" 0.5, "1×" 1, "2×" 2, "5×" 5, "10×" 10, "30×" 30, "100×" 100, "300×" 300, "1000×" 1000)
set grid xtics lc rgb "#dddddd"
set ytics scale 0 font ",9"
set lmargin 70
set key off
set style fill solid 0.85 noborder
set arrow from 1, graph 0 to 1, graph 1 nohead lc rgb "#333333" dt 2
plot "%(dat)s" using (sqrt($2 * %(xmin)g)):1:(%(xmin)g):2:($1-0.35):($1+0.35):5:ytic(3) with boxxyerror lc rgb variable, \\
     "%(dat)s" using 2:1:4 with labels left offset 0.6,0 font ",9"
""" % dict(h=height, png=png, xmin=xmin, xmax=xmax, ymax=n + 0.6, dat=dat)
subprocess.run(["gnuplot"], input=script, text=True, check=True)
os.unlink(dat)

link = "![mailauth against its peers](%s)" % os.path.relpath(png, os.path.dirname(os.path.abspath(md)))
if link not in text:
    lines = text.split("\n")
    # after the first heading
    at = next((i + 1 for i, l in enumerate(lines) if l.startswith("# ")), 0)
    lines[at:at] = ["", link, "", "The chart is drawn by `bench/chart.py` from the ratio notes of the blocks below."]
    open(md, "w", encoding="utf-8").write("\n".join(lines))
print("chart.py: %d bars -> %s" % (n, png))

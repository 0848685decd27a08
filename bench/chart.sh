#!/usr/bin/env bash
# bench/chart.sh: draw bench/chart.png from the ratio notes of BENCHMARKS.md
# (bench/chart.py; installs Debian's gnuplot-nox when gnuplot is missing).
# Environment: BENCH_OUT (default BENCHMARKS.md).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
if ! command -v gnuplot >/dev/null; then
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	$SUDO apt-get install -y -qq gnuplot-nox >/dev/null
fi
/usr/bin/python3 "$ROOT/bench/chart.py" "$OUT" "$ROOT/bench/chart.png"

#!/bin/sh
# score-core.sh: the bounce parser core (ma_dsn_parse) on the bounce corpus,
# scored with the corpus's score.py; then the parsing speed in messages/s.
#
#   test/dsn/score-core.sh [--worst N]
#
# The corpus is read from ${MAILAUTH_SHARED:-../shared}/corpus/bounces (never
# copied into the project).  Without it, the script says so and exits 0.
# Builds test/dsn/dsn_tsv; needs gcc, pkg-config and libgmime-3.0-dev.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${MAILAUTH_SHARED:-$top/../shared}
corpus=$shared/corpus/bounces
worst=30
[ "${1:-}" = "--worst" ] && worst=${2:-30}

if [ ! -d "$corpus/eml" ] || [ ! -f "$corpus/truth.tsv" ] || [ ! -f "$corpus/score.py" ]; then
	echo "score-core: SKIP: no bounce corpus at $corpus (set MAILAUTH_SHARED)"
	exit 0
fi

cd "$top"
gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Isrc $(pkg-config --cflags gmime-3.0) \
	-o test/dsn/dsn_tsv test/dsn/dsn_tsv.c src/core/ma_dsn.c src/core/ma_dsn_lhost.c \
	src/core/ma_bounce.c $(pkg-config --libs gmime-3.0)

pred=$(mktemp /tmp/dsn-pred.XXXXXX)
trap 'rm -f "$pred"' EXIT INT TERM
test/dsn/dsn_tsv "$corpus"/eml/*.eml > "$pred"
python3 "$corpus/score.py" "$pred" "$corpus/truth.tsv" --recipients "$corpus/recipients.tsv" \
	--worst "$worst"
echo
# speed: every message 20 times, in process
test/dsn/dsn_tsv -n 20 -q "$corpus"/eml/*.eml

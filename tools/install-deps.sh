#!/usr/bin/env bash
# Install what mailauth needs to build, test and demo, from Debian's packages.
# Idempotent: does nothing when everything is there.
set -euo pipefail

PKGS=(
	build-essential pkg-config
	postgresql-15 postgresql-server-dev-15 postgresql-client-15
	libc-ares-dev libidn2-dev libspf2-dev libpsl-dev libssl-dev libopendkim-dev libgmime-3.0-dev
	knot knot-dnsutils
	libnet-dns-perl
	python3 python3-yaml python3-flufl.bounce
	clang libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

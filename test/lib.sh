# test/lib.sh: start and stop the throwaway services every suite, the demo
# and the benchmarks run against.  Source it, then call ma_start_all.
#
#   a real authoritative DNS server (knot) on loopback, serving test/zones/
#   plus a generated zone of 1,000 names (bulk.test);
#   the misbehaving responder (test/responder.pl) on a second port;
#   a throwaway PostgreSQL 15 cluster with mailauth.dns_servers pointing at
#   knot, on a Unix socket in the work directory.
#
# Exports PGHOST PGPORT PGUSER PGDATABASE MAILAUTH_TEST_DNS
# MAILAUTH_TEST_RESPONDER MA_WORK.  Everything stops on exit (ma_stop_all).

MA_ROOT=${MA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# MA_ZONES: the zone files knot serves (default test/zones; the demo uses demo/zones)
PGBIN=${PGBIN:-$(pg_config --bindir)}
MA_PIDS=()

ma_free_port() {
	python3 -c 'import socket
for _ in range(50):
    s=socket.socket(); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]; s.close()
    u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1",p)); u.close(); print(p); break
    except OSError: u.close()'
}

# run a command as the unprivileged cluster owner when we are root
ma_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

ma_start_dns() {
	local zdir=$MA_WORK/zones
	mkdir -p "$zdir" "$MA_WORK/knot"
	cp "${MA_ZONES:-$MA_ROOT/test/zones}"/*.zone "$zdir"/
	{
		echo '$ORIGIN bulk.test.'
		echo '$TTL 3600'
		echo '@ IN SOA ns1.mailauth.test. hostmaster.mailauth.test. 1 3600 600 86400 300'
		echo '@ NS ns1.mailauth.test.'
		for i in $(seq 0 999); do echo "h$i A 198.18.$((i / 256)).$((i % 256))"; done
	} > "$zdir/bulk.test.zone"
	MA_DNS_PORT=$(ma_free_port)
	{
		echo "server:"
		echo "    listen: 127.0.0.1@$MA_DNS_PORT"
		echo "    listen: ::1@$MA_DNS_PORT"
		echo "    rundir: $MA_WORK/knot"
		echo "    background-workers: 1"
		echo "database:"
		echo "    storage: $MA_WORK/knot"
		echo "log:"
		echo "  - target: stderr"
		echo "    any: error"
		echo "template:"
		echo "  - id: default"
		echo "    storage: $zdir"
		echo "    zonefile-sync: -1"
		echo "    zonefile-load: whole"
		echo "    journal-content: none"
		echo "    semantic-checks: off"
		echo "zone:"
		for f in "$zdir"/*.zone; do
			echo "  - domain: $(basename "$f" .zone)"
			echo "    file: $f"
		done
	} > "$MA_WORK/knot.conf"
	knotd -c "$MA_WORK/knot.conf" >"$MA_WORK/knot.log" 2>&1 &
	MA_PIDS+=($!)
	local zones ok
	zones=$(for f in "$zdir"/*.zone; do basename "$f" .zone; done)
	for _ in $(seq 1 100); do
		ok=1
		for z in $zones; do
			kdig +short +time=1 +retry=0 @127.0.0.1 -p "$MA_DNS_PORT" "$z" SOA 2>/dev/null | grep -q . || { ok=0; break; }
		done
		if [ $ok -eq 1 ]; then
			export MAILAUTH_TEST_DNS="127.0.0.1:$MA_DNS_PORT"
			return 0
		fi
		sleep 0.1
	done
	echo "knot did not start:" >&2; cat "$MA_WORK/knot.log" >&2
	return 1
}

ma_start_responder() {
	MA_RESP_PORT=$(ma_free_port)
	perl "$MA_ROOT/test/responder.pl" "$MA_RESP_PORT" >"$MA_WORK/responder.log" 2>&1 &
	MA_PIDS+=($!)
	for _ in $(seq 1 100); do
		if grep -q ready "$MA_WORK/responder.log" 2>/dev/null; then
			export MAILAUTH_TEST_RESPONDER="127.0.0.1:$MA_RESP_PORT"
			return 0
		fi
		sleep 0.1
	done
	echo "responder did not start:" >&2; cat "$MA_WORK/responder.log" >&2
	return 1
}

# ma_start_pg [extra postgresql.conf lines...]
# MA_PG_ENV, when set, holds NAME=VALUE words put in the postmaster's
# environment (and so every backend's): test/asan.sh preloads libasan so.
ma_start_pg() {
	local data=$MA_WORK/pgdata
	export PGPORT=$(ma_free_port)
	ma_as_owner "$PGBIN/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$MA_WORK/initdb.log" 2>&1 ||
		{ cat "$MA_WORK/initdb.log" >&2; return 1; }
	{
		echo "port = $PGPORT"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$MA_WORK'"
		echo "fsync = off"
		echo "max_connections = 40"
		echo "mailauth.dns_servers = '${MAILAUTH_TEST_DNS:-}'"
		echo "mailauth.dns_timeout = 2000"
		for l in "$@"; do echo "$l"; done
	} | ma_as_owner tee -a "$data/postgresql.conf" >/dev/null
	# shellcheck disable=SC2086
	ma_as_owner env ${MA_PG_ENV:-} "$PGBIN/pg_ctl" -D "$data" -l "$MA_WORK/postgres.log" -w -t 60 start >/dev/null ||
		{ cat "$MA_WORK/postgres.log" >&2; return 1; }
	MA_PG_STARTED=1
	export PGHOST=$MA_WORK PGUSER=postgres PGDATABASE=postgres
}

ma_stop_all() {
	if [ -n "${MA_PG_STARTED:-}" ]; then
		ma_as_owner "$PGBIN/pg_ctl" -D "$MA_WORK/pgdata" -m fast -w stop >/dev/null 2>&1 || true
		MA_PG_STARTED=
	fi
	for p in "${MA_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${MA_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	MA_PIDS=()
	if [ -n "${MA_WORK:-}" ] && [ -z "${MA_KEEP:-}" ]; then rm -rf "$MA_WORK"; fi
}

ma_start_all() {
	MA_WORK=$(mktemp -d /tmp/mailauth.XXXXXX)
	chmod 755 "$MA_WORK"
	[ "$(id -u)" -eq 0 ] && chown postgres "$MA_WORK"
	export MA_WORK
	trap ma_stop_all EXIT
	ma_start_dns
	ma_start_responder
	ma_start_pg "$@"
}

# ma_start_root_zone FILE PROBE_NAME PROBE_TYPE: a second knot serving FILE as
# the root zone (the shared corpora ship one master file for all their
# domains), on a free loopback port; waits until PROBE_NAME answers.  Sets
# MA_ROOT_DNS=127.0.0.1:PORT.  Stopped by ma_stop_all (trap it on EXIT).
ma_start_root_zone() {
	local file=$1 probe=$2 ptype=${3:-TXT} port dir
	[ -n "${MA_WORK:-}" ] || { MA_WORK=$(mktemp -d /tmp/mailauth.XXXXXX); export MA_WORK; }
	MA_NROOT=$(( ${MA_NROOT:-0} + 1 ))
	dir=$MA_WORK/rootzone$MA_NROOT
	mkdir -p "$dir/db"
	port=$(ma_free_port)
	cat > "$dir/knot.conf" <<CONF
server:
    rundir: "$dir"
    listen: 127.0.0.1@$port
log:
  - target: stderr
    any: error
database:
    storage: "$dir/db"
template:
  - id: default
    storage: "$dir"
    semantic-checks: off
zone:
  - domain: .
    file: "$file"
    journal-content: none
    zonefile-sync: -1
CONF
	knotd -c "$dir/knot.conf" >"$dir/knotd.log" 2>&1 &
	MA_PIDS+=($!)
	for _ in $(seq 1 50); do
		if kdig +short +time=1 +retry=0 @127.0.0.1 -p "$port" "$ptype" "$probe" 2>/dev/null | grep -q .; then
			export MA_ROOT_DNS="127.0.0.1:$port"
			return 0
		fi
		sleep 0.1
	done
	echo "knotd did not come up on port $port:" >&2
	cat "$dir/knotd.log" >&2
	return 1
}

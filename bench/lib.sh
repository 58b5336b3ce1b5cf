# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # variables shared with the scripts sourcing this
# bench/lib.sh: what the bench scripts share (bench/run-validation sources
# it): tools, binaries, a temporary folder cleaned up by pid, MariaDB and
# memcached, the baseline responder, one lighttpd with /v1 and /baseline,
# probing with curl and reading wrk's output.  See bench/README.md.
#
# The sourcing script sets `top` (the source tree) first.

tmp=
bench_pidfiles="lighttpd fcgi baseline sim memcached mariadb"

bench_die() {
	echo "bench: $*" >&2
	exit 1
}

# bench_numbers VALUE...: every value must be a whole number
bench_numbers() {
	local v
	for v; do
		case $v in
		''|*[!0-9]*) bench_die "BENCH_* values must be whole numbers (got '$v')" ;;
		esac
	done
}

# MXCEP_<KEY> variables override mxcep.conf: the bench's file must win.
bench_unset_mxcep_env() {
	local v
	while read -r v; do
		unset "$v"
	done < <(compgen -e | grep '^MXCEP_')
}

bench_services() {
	[ -r "$top/tests/lib/services.sh" ] || bench_die "tests/lib/services.sh is missing"
	# shellcheck source=tests/lib/services.sh
	. "$top/tests/lib/services.sh"
}

bench_need_tools() {
	local need_pkgs=
	command -v wrk >/dev/null || need_pkgs="$need_pkgs wrk"
	command -v lighttpd >/dev/null || need_pkgs="$need_pkgs lighttpd"
	command -v mariadbd >/dev/null || need_pkgs="$need_pkgs mariadb-server"
	command -v memcached >/dev/null || need_pkgs="$need_pkgs memcached"
	command -v curl >/dev/null || need_pkgs="$need_pkgs curl"
	command -v cc >/dev/null || need_pkgs="$need_pkgs gcc"
	[ -x /usr/bin/python3 ] || need_pkgs="$need_pkgs python3"
	[ -r /usr/include/fcgiapp.h ] || need_pkgs="$need_pkgs libfcgi-dev"
	[ -n "$need_pkgs" ] || return 0
	[ "$(id -u)" -eq 0 ] || bench_die "missing:$need_pkgs (apt-get install$need_pkgs)"
	echo "bench: installing$need_pkgs" >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y $need_pkgs >&2 ||
	    { apt-get update >&2 &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y $need_pkgs >&2; } ||
	    bench_die "apt-get install$need_pkgs failed"
}

bench_is_sanitized() {
	ldd "$1" 2>/dev/null | grep -Eq 'lib(a|ub|t)san'
}

# bench_bindir: sets bindir (BENCH_BUILDDIR, build/ without sanitizers, or
# a plain build in build-bench/)
bench_bindir() {
	local b
	if [ -n "${BENCH_BUILDDIR:-}" ]; then
		bindir=$(cd "$BENCH_BUILDDIR" && pwd) || bench_die "no $BENCH_BUILDDIR"
	elif [ -x "$top/build/mxcep-fcgi" ] && ! bench_is_sanitized "$top/build/mxcep-fcgi"; then
		bindir=$top/build
	else
		[ -x "$top/build/mxcep-fcgi" ] &&
		    echo "bench: build/ is a sanitizer build; using build-bench/" >&2
		bindir=$top/build-bench
		if [ ! -f "$bindir/Makefile" ]; then
			echo "bench: building into build-bench/ (no sanitizers)" >&2
			(cd "$top" && autoreconf -fi) >&2 || bench_die "autoreconf failed"
			mkdir -p "$bindir"
			(cd "$bindir" && ../configure) >&2 || bench_die "configure failed"
		fi
		(cd "$bindir" && make -j2) >&2 || bench_die "make failed"
	fi
	for b in mxcep-fcgi mxcep-admin; do
		[ -x "$bindir/$b" ] || bench_die "$bindir/$b is missing"
	done
	bench_is_sanitized "$bindir/mxcep-fcgi" &&
	    echo "bench: WARNING: $bindir/mxcep-fcgi has sanitizers: figures are not representative" >&2
	return 0
}

# ---- the temporary folder; every daemon stopped by the pid in its file ----
bench_cleanup() {
	local rc=$? f
	trap - EXIT INT TERM
	if [ -n "$tmp" ] && [ -d "$tmp" ]; then
		for f in $bench_pidfiles; do
			stop_pidfile "$tmp/$f.pid" 40
		done
		if [ "$rc" -ne 0 ] || [ "${BENCH_KEEP:-0}" = 1 ]; then
			echo "bench: logs kept in $tmp" >&2
		else
			rm -rf "$tmp"
		fi
	fi
	exit "$rc"
}

bench_tmp() {
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# short: unix socket paths must stay under 100 bytes
	tmp=$(mktemp -d /tmp/mxcep-bench.XXXXXX) || bench_die "mktemp failed"
	mkdir -p "$tmp/www"
}

# bench_freeze_bins: copy the binaries into $tmp/bin and use those, so that
# a rebuild of the tree during the run cannot change what is measured
bench_freeze_bins() {
	mkdir -p "$tmp/bin" &&
	    cp "$bindir/mxcep-fcgi" "$bindir/mxcep-admin" "$tmp/bin/" ||
	    bench_die "cannot copy the binaries"
	bindir=$tmp/bin
}

# spawn PIDFILE LOG CMD...: run CMD in its own session, its pid into PIDFILE
spawn() {
	local pidfile=$1 log=$2
	shift 2
	setsid "$@" </dev/null >>"$log" 2>&1 &
	echo "$!" >"$pidfile"
}

show_log() {	# show_log FILE: last lines of a log, indented
	[ -s "$1" ] && { echo "--- $1:"; tail -n 20 "$1"; } >&2
	return 0
}

# bench_start_stores: MariaDB with database and user mxcep, memcached
bench_start_stores() {
	start_mariadb "$tmp" || bench_die "MariaDB did not start"
	mariadb_sql "$tmp" "CREATE DATABASE mxcep CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
	    CREATE USER 'mxcep'@'localhost' IDENTIFIED BY 'mxcep-bench';
	    GRANT ALL ON mxcep.* TO 'mxcep'@'localhost';" || bench_die "cannot create the database"
	start_memcached "$tmp" || bench_die "memcached did not start"
}

admin() {
	"$bindir/mxcep-admin" --config "$conf" "$@" 2>>"$tmp/admin.log"
}

# ---- baseline responder -------------------------------------------------
bench_build_baseline() {
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$tmp/baseline-responder" \
	    "$top/bench/baseline-responder.c" -lfcgi || bench_die "cannot build the baseline responder"
}

start_baseline() {	# start_baseline BYTES [STATUS] (restarted per body size)
	stop_pidfile "$tmp/baseline.pid"
	rm -f "$tmp/baseline.sock"
	# BENCH_BASELINE_QUICK_CLOSE=1: the responder closes each connection
	# at once, as mxcep-fcgi does over a unix socket (a diagnostic)
	spawn "$tmp/baseline.pid" "$tmp/baseline.log" "$tmp/baseline-responder" \
	    -s "$tmp/baseline.sock" -n "$workers" -b "$1" -c "${2:-200}" \
	    ${BENCH_BASELINE_QUICK_CLOSE:+-q}
	wait_for test -S "$tmp/baseline.sock" ||
	    { show_log "$tmp/baseline.log"; bench_die "baseline responder did not start"; }
}

# ---- lighttpd: /v1 -> mxcep-fcgi, /baseline -> the responder ------------
# No access log: it would be measured on both sides and hide the difference.
lighttpd_ready() {
	pidfile_alive "$tmp/lighttpd.pid" &&
	    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null
}
start_bench_lighttpd() {	# start_bench_lighttpd PORT
	cat >"$tmp/lighttpd.conf" <<LCONF
# generated by bench/lib.sh
server.modules = ( "mod_fastcgi" )
server.document-root = "$tmp/www"
server.bind = "127.0.0.1"
server.port = $1
server.errorlog = "$tmp/lighttpd-error.log"
server.max-connections = 1024
fastcgi.server = (
	"/v1" => ((
		"socket" => "$tmp/fcgi.sock",
		"check-local" => "disable",
	)),
	"/baseline" => ((
		"socket" => "$tmp/baseline.sock",
		"check-local" => "disable",
	)),
)
LCONF
	lighttpd -tt -f "$tmp/lighttpd.conf" >>"$tmp/lighttpd-error.log" 2>&1 || return 1
	spawn "$tmp/lighttpd.pid" "$tmp/lighttpd-error.log" \
	    lighttpd -D -f "$tmp/lighttpd.conf"
	if ! wait_for lighttpd_ready "$1"; then
		stop_pidfile "$tmp/lighttpd.pid"
		return 1
	fi
}
# bench_lighttpd: sets port and base
bench_lighttpd() {
	local p
	port=''
	for _ in 1 2 3; do	# free_port can race with another process
		p=$(free_port) || bench_die "no free port"
		if start_bench_lighttpd "$p"; then
			port=$p
			break
		fi
	done
	[ -n "$port" ] || { show_log "$tmp/lighttpd-error.log"; bench_die "lighttpd did not start"; }
	base=http://127.0.0.1:$port
}

# probe EXPECTED_STATUS URL [CURL ARGS...]: prints the body size
probe() {
	local want=$1 url=$2 out code size
	shift 2
	out=$(curl -s -o "$tmp/probe.body" -w '%{http_code} %{size_download}' \
	    "$@" "$url") || bench_die "curl $url failed"
	code=${out% *}
	size=${out#* }
	if [ "$code" != "$want" ]; then
		echo "bench: $url answered $code, expected $want:" >&2
		head -c 2000 "$tmp/probe.body" >&2
		echo >&2
		show_log "$tmp/fcgi.log"
		show_log "$tmp/lighttpd-error.log"
		bench_die "unexpected status"
	fi
	echo "$size"
}

# to_ms VALUE: wrk's "812.00us" / "1.23ms" / "1.01s" / "2.00m" -> ms
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000;
		else if (u == "m") n *= 60000;
		printf "%.2f", n }'
}

# Round trips mxcep makes, counted where they land: statements and pings
# MariaDB received (Questions + Com_admin_commands; our own query adds 1)
# and commands memcached received.
db_round_trips() {
	mariadb_sql "$tmp" "SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
	    WHERE VARIABLE_NAME IN ('QUESTIONS', 'COM_ADMIN_COMMANDS')" 2>/dev/null || echo 0
}
mc_ops() {
	/usr/bin/python3 - "$tmp/memcached.sock" <<'PY' 2>/dev/null || echo 0
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"stats\r\n")
buf = b""
while not buf.endswith(b"END\r\n"):
    buf += s.recv(65536)
st = dict(l.split()[1:3] for l in buf.decode().splitlines() if l.startswith("STAT "))
print(sum(int(st.get(k, 0)) for k in ("cmd_get", "cmd_set", "cmd_touch", "cmd_flush",
      "delete_hits", "delete_misses", "incr_hits", "incr_misses", "decr_hits", "decr_misses")))
PY
}
per_req() {	# per_req BEFORE AFTER REQUESTS
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.2f\n", (b - a) / n; else print "-" }'
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

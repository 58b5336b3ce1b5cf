# shellcheck shell=bash
# tests/lib/services.sh: start and stop the daemons mxcep needs, as our own
# processes under a directory we own, never as system services.
#
# Sourced by ./stack, tests/integration/run.sh and bench/. Every daemon writes
# DIR/<name>.pid and logs to DIR/<name>.log; stop_pidfile stops it again.
#
#   free_port                       print a free 127.0.0.1 TCP port
#   wait_for CMD...                 run CMD every 0.2 s until it succeeds (max WAIT_TIMEOUT s, 15)
#   pid_alive PID                   true while PID runs (a zombie counts as gone)
#   pidfile_alive FILE              true while the pid in FILE runs
#   stop_pidfile FILE [SECONDS]     SIGTERM, wait up to SECONDS (20), then SIGKILL; removes FILE
#   start_mariadb DIR               datadir DIR/mariadb, socket DIR/mariadb.sock
#   mariadb_sql DIR SQL...          run SQL as root through DIR/mariadb.sock
#   start_memcached DIR             socket DIR/memcached.sock
#   start_fcgi DIR CONF [ARGS...]   mxcep-fcgi master on DIR/fcgi.sock, pid DIR/fcgi.pid
#   start_lighttpd DIR PORT SOCKET  lighttpd on 127.0.0.1:PORT, /v1 -> FastCGI SOCKET
#   start_nginx DIR PORT SOCKET     nginx on 127.0.0.1:PORT, /v1/ -> FastCGI SOCKET
#   front_error_json STATUS         the JSON:API error document a web server
#                                   answers for STATUS (FRONT_ERROR_STATUSES)
#   json_get FILE PATH              print a value of a JSON file (PATH like errors.0.code)
#   json_py FILE EXPR [ARG...]      print(EXPR) of a JSON file (json.sh)
#   jsond_start DIR / jsond_stop    one python3 answers every json_* call (json.sh)
#
# Binaries: MXCEP_FCGI / MXCEP_ADMIN override build/mxcep-fcgi / build/mxcep-admin
# (default: $MXCEP_TOP_BUILDDIR/...). Socket paths must stay under 108 bytes.

SVC_PY=/usr/bin/python3
: "${WAIT_TIMEOUT:=15}"

svc_die() { printf 'services.sh: %s\n' "$*" >&2; return 1; }

free_port() {
	"$SVC_PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# wait_for CMD...: poll every 0.2 s for at most WAIT_TIMEOUT (15) seconds.
wait_for() {
	local tries=$((WAIT_TIMEOUT * 5)) i
	for ((i = 0; i < tries; i++)); do
		if "$@"; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

pid_alive() {
	local pid=$1 state
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	# a zombie (exited, not yet reaped by its parent) is gone for our purposes
	state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $state != Z ]]
}

pid_of() {
	local f=$1 pid
	[[ -s $f ]] || return 1
	read -r pid <"$f" || true
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	printf '%s\n' "$pid"
}

pidfile_alive() {
	local pid
	pid=$(pid_of "$1") || return 1
	pid_alive "$pid"
}

pid_gone() { ! pid_alive "$1"; }

# stop_pidfile FILE [SECONDS]: stop exactly the process named in FILE.
stop_pidfile() {
	local f=$1 bound=${2:-20} pid
	pid=$(pid_of "$f") || { rm -f "$f"; return 0; }
	if pid_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! WAIT_TIMEOUT=$bound wait_for pid_gone "$pid"; then
			printf 'services.sh: pid %s (%s) ignored SIGTERM for %ss, sending SIGKILL\n' \
				"$pid" "$f" "$bound" >&2
			kill -KILL "$pid" 2>/dev/null || true
			WAIT_TIMEOUT=5 wait_for pid_gone "$pid" || true
		fi
	fi
	rm -f "$f"
}

svc_check_path() {
	((${#1} < 100)) || svc_die "socket path too long (${#1} bytes, max 100): $1"
}

svc_need() {
	local b
	for b; do
		command -v "$b" >/dev/null 2>&1 || { svc_die "$b not found"; return 1; }
	done
}

# Run a daemon in its own session, stdout+stderr to LOG, its pid into PIDFILE.
# Works from scripts (no job control), so $! is the daemon itself.
svc_spawn() {
	local pidfile=$1 log=$2
	shift 2
	setsid "$@" </dev/null >>"$log" 2>&1 &
	printf '%s\n' "$!" >"$pidfile"
}

# ---- MariaDB --------------------------------------------------------

mariadb_sock_ok() {
	[[ -S $1/mariadb.sock ]] &&
		mariadb --no-defaults -uroot --socket="$1/mariadb.sock" -N -e 'SELECT 1' >/dev/null 2>&1
}

start_mariadb() {
	local dir=$1
	svc_need mariadbd mariadb-install-db mariadb || return 1
	svc_check_path "$dir/mariadb.sock" || return 1
	mkdir -p "$dir"
	if [[ ! -d $dir/mariadb/mysql ]]; then
		mkdir -p "$dir/mariadb"
		mariadb-install-db --no-defaults --user=root --datadir="$dir/mariadb" \
			--auth-root-authentication-method=normal --skip-test-db \
			>"$dir/mariadb-install.log" 2>&1 ||
			{ cat "$dir/mariadb-install.log" >&2; svc_die "mariadb-install-db failed"; return 1; }
	fi
	svc_spawn "$dir/mariadb.pid.spawn" "$dir/mariadb.log" \
		mariadbd --no-defaults --user=root --datadir="$dir/mariadb" \
		--socket="$dir/mariadb.sock" --skip-networking \
		--pid-file="$dir/mariadb.pid.server" --log-error="$dir/mariadb.log" \
		--innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--default-time-zone=+00:00 --max-connections=200
	mv "$dir/mariadb.pid.spawn" "$dir/mariadb.pid"
	if ! wait_for mariadb_sock_ok "$dir"; then
		tail -n 30 "$dir/mariadb.log" >&2
		svc_die "mariadbd did not come up (log: $dir/mariadb.log)"
		return 1
	fi
}

mariadb_sql() {
	local dir=$1
	shift
	mariadb --no-defaults -uroot --socket="$dir/mariadb.sock" -N -B -e "$*"
}

# ---- memcached ------------------------------------------------------

memcached_sock_ok() { [[ -S $1/memcached.sock ]]; }

start_memcached() {
	local dir=$1
	svc_need memcached || return 1
	svc_check_path "$dir/memcached.sock" || return 1
	mkdir -p "$dir"
	rm -f "$dir/memcached.sock"
	svc_spawn "$dir/memcached.pid" "$dir/memcached.log" \
		memcached -s "$dir/memcached.sock" -a 0700 -u root -m 32 -c 256
	if ! wait_for memcached_sock_ok "$dir"; then
		svc_die "memcached did not come up (log: $dir/memcached.log)"
		return 1
	fi
}

# ---- mxcep-fcgi -----------------------------------------------------

mxcep_fcgi_bin() {
	printf '%s\n' "${MXCEP_FCGI:-${MXCEP_TOP_BUILDDIR:-.}/mxcep-fcgi}"
}

mxcep_admin_bin() {
	printf '%s\n' "${MXCEP_ADMIN:-${MXCEP_TOP_BUILDDIR:-.}/mxcep-admin}"
}

fcgi_ready() { [[ -S $1 ]] && [[ -s $2 ]]; }

# start_fcgi DIR CONF [EXTRA ARGS...]: standalone master on DIR/fcgi.sock.
start_fcgi() {
	local dir=$1 conf=$2 bin
	shift 2
	bin=$(mxcep_fcgi_bin)
	[[ -x $bin ]] || { svc_die "$bin not built"; return 1; }
	svc_check_path "$dir/fcgi.sock" || return 1
	rm -f "$dir/fcgi.sock" "$dir/fcgi.pid"
	svc_spawn "$dir/fcgi.pid.spawn" "$dir/fcgi.log" \
		"$bin" --config "$conf" --listen "unix:$dir/fcgi.sock" \
		--pid-file "$dir/fcgi.pid" "$@"
	if ! wait_for fcgi_ready "$dir/fcgi.sock" "$dir/fcgi.pid"; then
		tail -n 30 "$dir/fcgi.log" >&2
		svc_die "mxcep-fcgi did not come up (log: $dir/fcgi.log)"
		rm -f "$dir/fcgi.pid.spawn"
		return 1
	fi
	if [[ $(pid_of "$dir/fcgi.pid") != "$(pid_of "$dir/fcgi.pid.spawn")" ]]; then
		printf 'services.sh: warning: mxcep-fcgi pid file says %s, spawned %s\n' \
			"$(pid_of "$dir/fcgi.pid")" "$(pid_of "$dir/fcgi.pid.spawn")" >&2
	fi
	rm -f "$dir/fcgi.pid.spawn"
}

# ---- the web server's own errors ------------------------------------
# Errors the web server answers itself (mxcep-fcgi down or slow, a body over
# the server's limit, a request it cannot parse) are JSON:API documents like
# mxcep's own. The same documents are in fcgi-conf/nginx.conf,
# fcgi-conf/apache-*.conf and fcgi-conf/lighttpd-errors/ (the integration
# test t_front_errors.sh checks that they agree with this table).
FRONT_ERROR_STATUSES="400 404 408 411 413 414 431 500 502 503 504"

# front_error STATUS: "CODE|TITLE|DETAIL" of the web server's error STATUS
front_error() {
	case $1 in
	400) echo "bad_request|Bad request|The web server could not parse the request." ;;
	404) echo "not_found|Not found|No such path: the API is under /v1/." ;;
	408) echo "request_timeout|Request timeout|The request was not received in time." ;;
	411) echo "length_required|Length required|This web server needs a Content-Length header on a request with a method that takes a body; send Content-Length: 0 for an empty one." ;;
	413) echo "body_too_large|Body too large|The request body exceeds the web server limit." ;;
	414) echo "uri_too_long|URI too long|The request URI exceeds the web server limit." ;;
	431) echo "headers_too_large|Request headers too large|The request headers exceed the web server limit." ;;
	500) echo "internal_error|Internal error|The web server failed to handle the request; retry shortly." ;;
	502 | 503) echo "upstream_unavailable|Service unavailable|mxcep-fcgi is not answering; retry shortly." ;;
	504) echo "upstream_timeout|Gateway timeout|mxcep-fcgi did not answer in time; retry shortly." ;;
	*) return 1 ;;
	esac
}

front_error_json() {
	local e code title detail
	e=$(front_error "$1") || return 1
	IFS='|' read -r code title detail <<<"$e"
	printf '{"jsonapi":{"version":"1.1"},"errors":[{"status":"%s","code":"%s","title":"%s","detail":"%s"}]}\n' \
		"$1" "$code" "$title" "$detail"
}

# ---- lighttpd -------------------------------------------------------

# lighttpd_conf DIR PORT SOCKET: write DIR/lighttpd.conf proxying /v1 to the
# FastCGI unix SOCKET (a standalone mxcep-fcgi; see fcgi-conf/lighttpd.conf).
lighttpd_conf() {
	local dir=$1 port=$2 sock=$3
	local s
	mkdir -p "$dir/www" "$dir/errors"
	for s in $FRONT_ERROR_STATUSES; do
		front_error_json "$s" >"$dir/errors/status-$s.html"
	done
	cat >"$dir/lighttpd.conf" <<EOF
# generated by tests/lib/services.sh
server.modules        = ( "mod_fastcgi", "mod_accesslog" )
server.bind           = "127.0.0.1"
server.port           = $port
server.document-root  = "$dir/www"
server.pid-file       = "$dir/lighttpd.pid.server"
server.errorlog       = "$dir/lighttpd.log"
accesslog.filename    = "$dir/lighttpd-access.log"
server.max-request-size = 65536
# pass the backend's answer on as it comes (exports stream row by row)
server.stream-response-body = 2
# lighttpd's own errors as JSON:API documents (DIR/errors/status-NNN.html);
# set at the top level, as scoped to /v1 they miss 400 and 411
server.errorfile-prefix = "$dir/errors/status-"
mimetype.assign       = ( ".html" => "application/vnd.api+json" )
fastcgi.server = (
	"/v1" => ((
		"socket"      => "$sock",
		"check-local" => "disable",
	)),
)
EOF
}

lighttpd_up() {
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null
}

start_lighttpd() {
	local dir=$1 port=$2 sock=$3
	svc_need lighttpd curl || return 1
	mkdir -p "$dir"
	lighttpd_conf "$dir" "$port" "$sock"
	lighttpd -tt -f "$dir/lighttpd.conf" >"$dir/lighttpd-check.log" 2>&1 ||
		{ cat "$dir/lighttpd-check.log" >&2; svc_die "bad lighttpd config"; return 1; }
	svc_spawn "$dir/lighttpd.pid" "$dir/lighttpd.out" lighttpd -D -f "$dir/lighttpd.conf"
	if ! wait_for lighttpd_up "$port"; then
		cat "$dir/lighttpd.out" "$dir/lighttpd.log" >&2 2>/dev/null
		svc_die "lighttpd did not come up on 127.0.0.1:$port"
		return 1
	fi
}

# ---- nginx ----------------------------------------------------------

# nginx_conf DIR PORT SOCKET: write DIR/nginx.conf, a server on
# 127.0.0.1:PORT passing /v1/ to the FastCGI unix SOCKET (a standalone
# mxcep-fcgi; see fcgi-conf/nginx.conf) and answering its own errors as
# JSON:API documents.
nginx_conf() {
	local dir=$1 port=$2 sock=$3 s e user=
	mkdir -p "$dir/nginx-tmp"
	# as root, the workers would become nobody and lose the socket
	[[ $(id -u) != 0 ]] || user="user root;"
	{
		cat <<EOF
# generated by tests/lib/services.sh
$user
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid.server;
error_log $dir/nginx.log warn;
events { worker_connections 256; }
http {
	default_type application/octet-stream;
	access_log $dir/nginx-access.log;
	client_body_temp_path $dir/nginx-tmp/body;
	fastcgi_temp_path $dir/nginx-tmp/fastcgi;
	proxy_temp_path $dir/nginx-tmp/proxy;
	uwsgi_temp_path $dir/nginx-tmp/uwsgi;
	scgi_temp_path $dir/nginx-tmp/scgi;
	server_tokens off;
	upstream mxcep { server unix:$sock; }
	server {
		listen 127.0.0.1:$port default_server;
		server_name _;
		# at least mxcep's max_body_bytes (1 MiB by default)
		client_max_body_size 2m;
		location /v1/ {
			include /etc/nginx/fastcgi_params;
			fastcgi_pass mxcep;
			fastcgi_param SCRIPT_NAME "";
			fastcgi_param PATH_INFO \$uri;
			fastcgi_param HTTP_AUTHORIZATION \$http_authorization;
			fastcgi_read_timeout 60s;
			# exports stream row by row: pass the answer on as it comes,
			# never into a temp file
			fastcgi_buffering off;
			fastcgi_intercept_errors off;
		}
		# outside /v1/ there is no API
		location / { return 404; }
EOF
		for s in $FRONT_ERROR_STATUSES; do
			printf '\t\terror_page %s /_mxcep_errors/%s;\n' "$s" "$s"
		done
		# nginx's code for "request header too large" (answered as 400)
		printf '\t\terror_page 494 =431 /_mxcep_errors/431;\n'
		# (URI locations, not named ones: a 414 has no URI to redirect from)
		for s in $FRONT_ERROR_STATUSES; do
			e=$(front_error_json "$s")
			printf '\t\tlocation = /_mxcep_errors/%s {\n\t\t\tinternal;\n\t\t\tdefault_type application/vnd.api+json;\n\t\t\treturn %s '"'"'%s'"'"';\n\t\t}\n' \
				"$s" "$s" "$e"
		done
		printf '\t}\n}\n'
	} >"$dir/nginx.conf"
}

nginx_up() {
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null
}

start_nginx() {
	local dir=$1 port=$2 sock=$3
	svc_need nginx curl || return 1
	mkdir -p "$dir"
	nginx_conf "$dir" "$port" "$sock"
	nginx -t -q -e "$dir/nginx.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/nginx-check.log" 2>&1 ||
		{ cat "$dir/nginx-check.log" >&2; svc_die "bad nginx config"; return 1; }
	svc_spawn "$dir/nginx.pid" "$dir/nginx.out" nginx -e "$dir/nginx.log" -p "$dir" -c "$dir/nginx.conf"
	if ! wait_for nginx_up "$port"; then
		cat "$dir/nginx.out" "$dir/nginx.log" >&2 2>/dev/null
		svc_die "nginx did not come up on 127.0.0.1:$port"
		return 1
	fi
}

# ---- JSON -----------------------------------------------------------

# json_get, json_py and the long-lived JSON helper (jsond_start) are in json.sh
# shellcheck source=tests/lib/json.sh
. "$(dirname "${BASH_SOURCE[0]}")/json.sh"

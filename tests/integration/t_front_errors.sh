# shellcheck shell=bash
# t_front_errors: the errors a web server answers itself on /v1/ (mxcep-fcgi
# down, a body over the server's limit, a request it cannot parse, a path
# outside the API) are JSON:API error documents with a stable code, in
# nginx, lighttpd and Apache, both as tests/lib/services.sh runs them (what
# ./stack up and this suite use) and as fcgi-conf/ ships them. Each server
# talks to mxcep-fcgi through a socket path of its own: first a link to the
# live socket, then a socket file nobody listens on (mxcep-fcgi killed).
# A body-less POST without Content-Length reaches mxcep through nginx and
# Apache; lighttpd answers its JSON 411. Sourced by run.sh.

FE=$T/fe
mkdir -p "$FE"
chmod 0711 "$FE"
# Apache's children (www-data) connect too
chmod 0666 "$T/fcgi.sock"

# fe_live DIR / fe_dead DIR: DIR/fcgi.sock leads to mxcep-fcgi / to nobody
fe_live() { rm -f "$1/fcgi.sock" && ln -s "$T/fcgi.sock" "$1/fcgi.sock"; }
fe_dead() {
	rm -f "$1/fcgi.sock"
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.close()' "$1/fcgi.sock"
	chmod 0666 "$1/fcgi.sock"
}

# fe_silent_start / fe_silent_stop: $FE/silent.sock accepts connections and
# never answers (a hung mxcep-fcgi); its pid file is $FE/fcgi.pid so that
# run.sh's cleanup stops it whatever happens
fe_silent_start() {
	rm -f "$FE/silent.sock"
	svc_spawn "$FE/fcgi.pid" "$FE/silent.log" "$PY" -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.listen(64)
held = []
while True:
    held.append(s.accept()[0])' "$FE/silent.sock"
	wait_for test -S "$FE/silent.sock"
}
fe_silent_stop() { stop_pidfile "$FE/fcgi.pid" 10; }
# fe_hung DIR: DIR/fcgi.sock leads to the silent server
fe_hung() { rm -f "$1/fcgi.sock" && ln -s "$FE/silent.sock" "$1/fcgi.sock"; }

# fe_get PORT PATH [curl args...]: like http, on another port
fe_get() {
	local port=$1 p=$2
	shift 2
	rm -f "$T/body"
	CODE=$(curl -sS --max-time 20 -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		"$@" "http://127.0.0.1:$port$p" 2>"$T/curl.err") || CODE=000
	[[ -n $CODE ]] || CODE=000
}
# fe_raw PORT BYTES: send BYTES as the request; the answer split into
# $T/headers and $T/body, the status in $CODE
fe_raw() {
	CODE=$("$PY" - "$1" "$2" "$T/headers" "$T/body" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode())
data = b""
while True:
    try:
        b = s.recv(65536)
    except socket.timeout:
        break
    if not b:
        break
    data += b
head, _, body = data.partition(b"\r\n\r\n")
open(sys.argv[3], "wb").write(head + b"\r\n")
open(sys.argv[4], "wb").write(body)
print(head.split(b" ")[1].decode() if head.startswith(b"HTTP/") else "000")
EOF
) || CODE=000
}
# expect_front_error STATUS CODE: the web server's JSON:API error document
expect_front_error() {
	expect_code "$1"
	expect_jsonapi_ct
	expect_json jsonapi.version 1.1
	expect_json errors.0.status "$1"
	expect_json errors.0.code "$2"
	# the web server's document, not one of mxcep's with the same code
	expect_json errors.0.detail "$(front_error "$1" | cut -d'|' -f3)"
	expect_schema errors.json
}
FE_BIG=$FE/big.json
head -c 3000000 /dev/zero | tr '\0' ' ' >"$FE_BIG"
FE_LONG=/v1/$(head -c 10000 /dev/zero | tr '\0' a)
FE_CANCEL=/v1/validations/$(uuid)/cancel-retries

# ---- the shipped documents agree with services.sh -------------------
t_begin "front errors: fcgi-conf/ carries the documents of services.sh's table"
for s in $FRONT_ERROR_STATUSES; do
	want=$(front_error_json "$s")
	expect_eq "fcgi-conf/lighttpd-errors/status-$s.html" \
		"$(cat "$MXCEP_TOP_SRCDIR/fcgi-conf/lighttpd-errors/status-$s.html" 2>/dev/null)" "$want"
	grep -qxF "        return $s '$want';" "$MXCEP_TOP_SRCDIR/fcgi-conf/nginx.conf" ||
		t_fail "fcgi-conf/nginx.conf: no 'return $s' with the document of $s"
done
for f in apache-proxy-fcgi.conf apache-fcgid.conf; do
	n=0
	while read -r s doc; do
		n=$((n + 1))
		expect_eq "$f: ErrorDocument $s" "$doc" "'$(front_error_json "$s")'"
	done < <(sed -n 's/^[ #]*ErrorDocument //p' "$MXCEP_TOP_SRCDIR/fcgi-conf/$f")
	((n >= 7)) || t_fail "$f: only $n ErrorDocument lines"
done
t_end

# ---- nginx ------------------------------------------------------------
# fe_nginx_checks NAME DIR PORT: the checks on a running nginx
fe_nginx_checks() {
	local name=$1 dir=$2 port=$3
	t_begin "front errors: nginx ($name): a body-less POST without Content-Length reaches mxcep"
	fe_live "$dir"
	fe_get "$port" "$FE_CANCEL" -X POST -H "Authorization: Bearer $KEY_A"
	expect_error 404 validation_not_found
	t_end

	t_begin "front errors: nginx ($name): 413, 414, 400, 431 and 404 outside /v1/ as JSON:API"
	fe_get "$port" /v1/validate -X POST -H "Authorization: Bearer $KEY_A" \
		-H 'Content-Type: application/json' --data-binary "@$FE_BIG"
	expect_front_error 413 body_too_large
	fe_get "$port" "$FE_LONG"
	expect_front_error 414 uri_too_long
	fe_raw "$port" $'GET /v1/health HTTP/1.1\r\nHost: a b\r\n\r\n'
	expect_front_error 400 bad_request
	fe_get "$port" /v1/health -H "X-Big: $(head -c 10000 /dev/zero | tr '\0' a)"
	expect_front_error 431 headers_too_large
	fe_get "$port" /nowhere
	expect_front_error 404 not_found
	t_end

	t_begin "front errors: nginx ($name): mxcep-fcgi down answers a JSON:API 502 upstream_unavailable"
	fe_dead "$dir"
	fe_get "$port" /v1/health
	expect_front_error 502 upstream_unavailable
	fe_get "$port" "$FE_CANCEL" -X POST -H "Authorization: Bearer $KEY_A"
	expect_front_error 502 upstream_unavailable
	fe_live "$dir"
	fe_get "$port" /v1/health
	expect_code 200
	t_end
}

# as services.sh runs it (./stack up)
NG1=$FE/ng1
mkdir -p "$NG1"
chmod 0711 "$NG1"
fe_live "$NG1"
NG1_PORT=$(free_port)
if start_nginx "$NG1" "$NG1_PORT" "$NG1/fcgi.sock" 2>"$FE/ng1.err"; then
	fe_nginx_checks "services.sh" "$NG1" "$NG1_PORT"
	stop_pidfile "$NG1/nginx.pid" 20
else
	t_begin "front errors: nginx (services.sh) starts"
	t_fail "start_nginx: $(cat "$FE/ng1.err")"
	t_end
fi

# as fcgi-conf/nginx.conf ships it: its server block in a minimal http {}
NG2=$FE/ng2
mkdir -p "$NG2/tmp"
chmod 0711 "$NG2"
fe_live "$NG2"
NG2_PORT=$(free_port)
# (and a read timeout of 2 s for the 504 test)
sed -e "s|^\( *server \)unix:[^;]*;|\1unix:$NG2/fcgi.sock;|" \
	-e "s|^\( *fastcgi_read_timeout \).*|\12s;|" \
	-e "s|^\( *listen \)80;|\1127.0.0.1:$NG2_PORT;|" \
	-e "s|/var/log/nginx/|$NG2/|g" \
	"$MXCEP_TOP_SRCDIR/fcgi-conf/nginx.conf" >"$NG2/mxcep.conf"
# `include fastcgi_params` is relative to the main config's directory
cp /etc/nginx/fastcgi_params "$NG2/"
cat >"$NG2/nginx.conf" <<NEOF
$([[ $(id -u) != 0 ]] || echo "user root;")
pid $NG2/nginx.pid.server;
error_log $NG2/nginx.log warn;
events { worker_connections 64; }
http {
	access_log $NG2/access.log;
	client_body_temp_path $NG2/tmp/body;
	fastcgi_temp_path $NG2/tmp/fastcgi;
	proxy_temp_path $NG2/tmp/proxy;
	uwsgi_temp_path $NG2/tmp/uwsgi;
	scgi_temp_path $NG2/tmp/scgi;
	include $NG2/mxcep.conf;
}
NEOF
t_begin "front errors: nginx (fcgi-conf/nginx.conf) accepts the shipped server block"
if nginx -t -q -e "$NG2/nginx.log" -p "$NG2/" -c "$NG2/nginx.conf" >"$NG2/check.log" 2>&1; then
	svc_spawn "$NG2/nginx.pid" "$NG2/nginx.out" \
		nginx -e "$NG2/nginx.log" -p "$NG2/" -c "$NG2/nginx.conf" -g 'daemon off;'
	wait_for nginx_up "$NG2_PORT" || t_fail "nginx did not come up: $(cat "$NG2/nginx.log")"
	t_end
	fe_nginx_checks "fcgi-conf/nginx.conf" "$NG2" "$NG2_PORT"
	t_begin "front errors: nginx (fcgi-conf/nginx.conf): mxcep-fcgi hung answers a JSON:API 504 upstream_timeout"
	fe_silent_start || t_fail "the silent socket did not come up"
	fe_hung "$NG2"
	fe_get "$NG2_PORT" /v1/health
	expect_front_error 504 upstream_timeout
	fe_silent_stop
	fe_live "$NG2"
	t_end
	stop_pidfile "$NG2/nginx.pid" 20
else
	t_fail "nginx -t: $(cat "$NG2/check.log")"
	t_end
fi

# ---- lighttpd ---------------------------------------------------------
# as services.sh runs it (MXCEP_FRONT=lighttpd, and this suite's front)
LT1=$FE/lt1
mkdir -p "$LT1"
fe_live "$LT1"
LT1_PORT=$(free_port)
t_begin "front errors: lighttpd (services.sh): 411, 413, 400, 404 outside /v1/ and mxcep-fcgi down (503) as JSON:API"
if start_lighttpd "$LT1" "$LT1_PORT" "$LT1/fcgi.sock" 2>"$FE/lt1.err"; then
	fe_get "$LT1_PORT" /v1/health
	expect_code 200
	# lighttpd 1.4 refuses a body-less POST without Content-Length...
	fe_get "$LT1_PORT" "$FE_CANCEL" -X POST -H "Authorization: Bearer $KEY_A"
	expect_front_error 411 length_required
	# ...and passes it on with Content-Length: 0 (curl -d '')
	fe_get "$LT1_PORT" "$FE_CANCEL" -d '' -H "Authorization: Bearer $KEY_A"
	expect_error 404 validation_not_found
	# server.max-request-size is 64 MB here: a smaller lighttpd limit
	sed -i 's/^server.max-request-size.*/server.max-request-size = 1024/' "$LT1/lighttpd.conf"
	stop_pidfile "$LT1/lighttpd.pid" 20
	svc_spawn "$LT1/lighttpd.pid" "$LT1/lighttpd.out" lighttpd -D -f "$LT1/lighttpd.conf"
	wait_for lighttpd_up "$LT1_PORT" || t_fail "lighttpd did not come back"
	fe_get "$LT1_PORT" /v1/validate -X POST -H "Authorization: Bearer $KEY_A" \
		-H 'Content-Type: application/json' --data-binary "@$FE_BIG"
	expect_front_error 413 body_too_large
	fe_raw "$LT1_PORT" $'GET /v1/health HTTP/1.1\r\nHost: a b\r\n\r\n'
	expect_front_error 400 bad_request
	fe_get "$LT1_PORT" /nowhere
	expect_front_error 404 not_found
	fe_dead "$LT1"
	fe_get "$LT1_PORT" /v1/health
	expect_front_error 503 upstream_unavailable
	stop_pidfile "$LT1/lighttpd.pid" 20
else
	t_fail "start_lighttpd: $(cat "$FE/lt1.err")"
fi
t_end

# as fcgi-conf/lighttpd.conf ships it (errors scoped to /v1/)
LT2=$FE/lt2
mkdir -p "$LT2/www"
fe_live "$LT2"
LT2_PORT=$(free_port)
{
	cat <<LEOF
server.bind           = "127.0.0.1"
server.port           = $LT2_PORT
server.document-root  = "$LT2/www"
server.errorlog       = "$LT2/lighttpd.log"
server.max-request-size = 1024
LEOF
	sed -e "s|\"/run/mxcep/fcgi.sock\"|\"$LT2/fcgi.sock\"|" \
		-e "s|/var/log/lighttpd/|$LT2/|g" \
		-e "s|\"/etc/lighttpd/mxcep-errors/status-\"|\"$MXCEP_TOP_SRCDIR/fcgi-conf/lighttpd-errors/status-\"|" \
		"$MXCEP_TOP_SRCDIR/fcgi-conf/lighttpd.conf"
} >"$LT2/lighttpd.conf"
t_begin "front errors: lighttpd (fcgi-conf/lighttpd.conf): 413 and mxcep-fcgi down (503) on /v1/ as JSON:API"
if lighttpd -tt -f "$LT2/lighttpd.conf" >"$LT2/check.log" 2>&1; then
	svc_spawn "$LT2/lighttpd.pid" "$LT2/lighttpd.out" lighttpd -D -f "$LT2/lighttpd.conf"
	wait_for lighttpd_up "$LT2_PORT" || t_fail "lighttpd did not come up: $(cat "$LT2/lighttpd.log")"
	fe_get "$LT2_PORT" /v1/health
	expect_code 200
	fe_get "$LT2_PORT" /v1/validate -X POST -H "Authorization: Bearer $KEY_A" \
		-H 'Content-Type: application/json' --data-binary "@$FE_BIG"
	expect_front_error 413 body_too_large
	# the documented limit: scoped to /v1/, the 411 comes before the URL
	fe_get "$LT2_PORT" "$FE_CANCEL" -X POST -H "Authorization: Bearer $KEY_A"
	expect_code 411
	fe_get "$LT2_PORT" "$FE_CANCEL" -d '' -H "Authorization: Bearer $KEY_A"
	expect_error 404 validation_not_found
	fe_dead "$LT2"
	fe_get "$LT2_PORT" /v1/health
	expect_front_error 503 upstream_unavailable
	stop_pidfile "$LT2/lighttpd.pid" 20
else
	t_fail "lighttpd -tt: $(cat "$LT2/check.log")"
fi
t_end

# ---- Apache -----------------------------------------------------------
# fcgi-conf/apache-proxy-fcgi.conf, with its VirtualHost-level lines
AP2=$FE/ap
MODS=/usr/lib/apache2/modules
mkdir -p "$AP2"
chmod 0711 "$AP2"
fe_live "$AP2"
AP2_PORT=$(free_port)
# (a timeout of 2 s for the 504 test)
sed -e "s#\"unix:[^|]*|#\"unix:$AP2/fcgi.sock|#" -e 's/ timeout=60$/ timeout=2/' \
	-e "s|/var/log/apache2/|$AP2/|g" \
	"$MXCEP_TOP_SRCDIR/fcgi-conf/apache-proxy-fcgi.conf" >"$AP2/mxcep.conf"
sed -n 's/^#   \(ErrorDocument\|Header\)/\1/p' "$MXCEP_TOP_SRCDIR/fcgi-conf/apache-proxy-fcgi.conf" \
	>"$AP2/vhost.conf"
cat >"$AP2/httpd.conf" <<AEOF
ServerRoot "$AP2"
ServerName 127.0.0.1
Listen 127.0.0.1:$AP2_PORT
PidFile "$AP2/apache.pid.server"
DefaultRuntimeDir "$AP2"
Mutex file:$AP2 default
ErrorLog "$AP2/error.log"
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule headers_module $MODS/mod_headers.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_fcgi_module $MODS/mod_proxy_fcgi.so
StartServers 1
ServerLimit 2
ThreadsPerChild 8
MaxRequestWorkers 16
Include "$AP2/vhost.conf"
Include "$AP2/mxcep.conf"
AEOF
t_begin "front errors: Apache (fcgi-conf/apache-proxy-fcgi.conf): body-less POST reaches mxcep; 414, 400, 404, mxcep-fcgi down (503) and hung (504) as JSON:API"
if apache2 -t -f "$AP2/httpd.conf" >"$AP2/check.log" 2>&1; then
	svc_spawn "$AP2/apache.pid" "$AP2/apache.out" apache2 -f "$AP2/httpd.conf" -DFOREGROUND
	fe_ap_up() { fe_get "$AP2_PORT" /v1/health; [[ $CODE == 200 ]]; }
	wait_for fe_ap_up || t_fail "Apache: /v1/health $CODE; $(tail -n 5 "$AP2/error.log")"
	fe_get "$AP2_PORT" "$FE_CANCEL" -X POST -H "Authorization: Bearer $KEY_A"
	expect_error 404 validation_not_found
	fe_get "$AP2_PORT" "$FE_LONG"
	expect_front_error 414 uri_too_long
	fe_raw "$AP2_PORT" $'GET /v1/health HTTP/1.1\r\nHost: a b\r\n\r\n'
	expect_front_error 400 bad_request
	fe_get "$AP2_PORT" /nowhere
	expect_front_error 404 not_found
	fe_dead "$AP2"
	fe_get "$AP2_PORT" /v1/health
	expect_front_error 503 upstream_unavailable
	fe_silent_start || t_fail "the silent socket did not come up"
	fe_hung "$AP2"
	fe_get "$AP2_PORT" /v1/health
	expect_front_error 504 upstream_timeout
	fe_silent_stop
	stop_pidfile "$AP2/apache.pid" 30
else
	t_fail "apache2 -t: $(cat "$AP2/check.log")"
fi
t_end

# fcgi-conf/apache-fcgid.conf: mod_fcgid spawns the wrapper; here a wrapper
# that exits at once (mxcep-fcgi cannot start)
AP3=$FE/fcgid
mkdir -p "$AP3/libexec" "$AP3/ipc"
chmod 0755 "$AP3" "$AP3/libexec"
chown www-data "$AP3/ipc" 2>/dev/null || chmod 0777 "$AP3/ipc"
printf '#!/bin/sh\nexit 1\n' >"$AP3/libexec/mxcep.fcgi"
chmod 0755 "$AP3/libexec/mxcep.fcgi"
AP3_PORT=$(free_port)
sed -e "s|@pkglibexecdir@|$AP3/libexec|g" -e "s|/var/log/apache2/|$AP3/|g" -e 's/^\( *FcgidMaxRequestLen \).*/\11024/' \
	"$MXCEP_TOP_SRCDIR/fcgi-conf/apache-fcgid.conf" >"$AP3/mxcep.conf"
cat >"$AP3/httpd.conf" <<AEOF
ServerRoot "$AP3"
ServerName 127.0.0.1
Listen 127.0.0.1:$AP3_PORT
PidFile "$AP3/apache.pid.server"
DefaultRuntimeDir "$AP3"
Mutex file:$AP3 default
ErrorLog "$AP3/error.log"
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule alias_module $MODS/mod_alias.so
LoadModule headers_module $MODS/mod_headers.so
LoadModule fcgid_module $MODS/mod_fcgid.so
FcgidIPCDir "$AP3/ipc"
FcgidProcessTableFile "$AP3/fcgid_shm"
StartServers 1
ServerLimit 2
ThreadsPerChild 8
MaxRequestWorkers 16
Include "$AP3/mxcep.conf"
AEOF
t_begin "front errors: Apache mod_fcgid (fcgi-conf/apache-fcgid.conf): mxcep-fcgi cannot start, body over FcgidMaxRequestLen: JSON:API 500"
if [[ ! -f $MODS/mod_fcgid.so ]]; then
	t_fail "mod_fcgid is not installed (libapache2-mod-fcgid; ./stack test installs it)"
elif apache2 -t -f "$AP3/httpd.conf" >"$AP3/check.log" 2>&1; then
	svc_spawn "$AP3/apache.pid" "$AP3/apache.out" apache2 -f "$AP3/httpd.conf" -DFOREGROUND
	fe_fcgid_up() { fe_get "$AP3_PORT" /v1/health; [[ $CODE != 000 ]]; }
	wait_for fe_fcgid_up || t_fail "Apache (mod_fcgid) did not come up: $(tail -n 5 "$AP3/error.log")"
	fe_get "$AP3_PORT" /v1/health
	expect_front_error 500 internal_error
	# mod_fcgid answers a body over FcgidMaxRequestLen with a 500 too
	fe_get "$AP3_PORT" /v1/validate -X POST -H 'Content-Type: application/json' \
		--data-binary "@$FE_BIG"
	expect_front_error 500 internal_error
	stop_pidfile "$AP3/apache.pid" 30
else
	t_fail "apache2 -t: $(cat "$AP3/check.log")"
fi
t_end

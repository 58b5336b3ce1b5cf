# shellcheck shell=bash
# t_access_log: the lighttpd and nginx snippets as make generates them for
# $(docdir)/examples (gen/examples/ of the build tree), in front of the same
# mxcep-fcgi socket: each access log line ends with req=<X-Request-Id>, the id
# mxcep answered with (the client's own here, or one mxcep made), and
# lighttpd streams only /v1/. (Apache's: t_apache.sh.) Sourced by run.sh.

AL_EX=$MXCEP_TOP_BUILDDIR/gen/examples
# nginx's workers run as nobody: they must reach the socket
chmod 0666 "$T/fcgi.sock"

# al_get PORT PATH REQUEST_ID: GET through a front, headers in $T/headers
al_get() {
	CODE=$(curl -sS --max-time 10 -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		-H "X-Request-Id: $3" "http://127.0.0.1:$1$2" 2>/dev/null) || CODE=000
}
# al_logged FILE REQUEST_ID: the one line of FILE for that request ends
# with req=REQUEST_ID
al_logged() {
	# lighttpd buffers its access log and writes it out about once a second
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "req=$2\$" "$1" 2>/dev/null && break
		sleep 0.1
	done
	expect_eq "$(basename "$(dirname "$1")") access log: lines ending req=$2" \
		"$(grep -c "\"GET /v1/[^\"]*\" [0-9]* .*req=$2\$" "$1" 2>/dev/null)" 1
}

t_begin "lighttpd example: access log ends with req=<X-Request-Id>; stream-response-body only under /v1/"
if [[ ! -f $AL_EX/lighttpd.conf ]]; then
	t_fail "$AL_EX/lighttpd.conf was not generated (make)"
else
	mkdir -p "$T/al-lighttpd/www"
	AL_LPORT=$(free_port)
	sed -e "s|/run/mxcep/fcgi.sock|$T/fcgi.sock|g" -e "s|/var/log/lighttpd/|$T/al-lighttpd/|g" \
		"$AL_EX/lighttpd.conf" >"$T/al-lighttpd/mxcep.conf"
	cat >"$T/al-lighttpd/lighttpd.conf" <<LEOF
server.modules        = ( "mod_access" )
server.bind           = "127.0.0.1"
server.port           = $AL_LPORT
server.document-root  = "$T/al-lighttpd/www"
server.errorlog       = "$T/al-lighttpd/error.log"
server.pid-file       = "$T/al-lighttpd/lighttpd.pid.server"
include "$T/al-lighttpd/mxcep.conf"
LEOF
	if lighttpd -tt -f "$T/al-lighttpd/lighttpd.conf" >"$T/al-lighttpd/check.log" 2>&1; then
		svc_spawn "$T/al-lighttpd/lighttpd.pid" "$T/al-lighttpd/out" lighttpd -D -f "$T/al-lighttpd/lighttpd.conf"
		al_l_up() { al_get "$AL_LPORT" /v1/health it-al-probe; [[ $CODE == 200 ]]; }
		if wait_for al_l_up; then
			al_get "$AL_LPORT" /v1/health it-al-lighttpd-1
			expect_code 200
			expect_eq "X-Request-Id through lighttpd" "$(hdr X-Request-Id)" it-al-lighttpd-1
			al_logged "$T/al-lighttpd/mxcep-access.log" it-al-lighttpd-1
			# the scoped block is the API's only: a file of the site is not in
			# the API's access log
			echo hello >"$T/al-lighttpd/www/index.txt"
			CODE=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
				"http://127.0.0.1:$AL_LPORT/index.txt" 2>/dev/null) || CODE=000
			expect_code 200
			expect_eq "a static file in the API's access log" \
				"$(grep -c 'index.txt' "$T/al-lighttpd/mxcep-access.log")" 0
		else
			t_fail "GET /v1/health through lighttpd: $CODE; $(tail -n 5 "$T/al-lighttpd/error.log" 2>/dev/null)"
		fi
		stop_pidfile "$T/al-lighttpd/lighttpd.pid" 30
	else
		t_fail "lighttpd -tt rejects the example: $(cat "$T/al-lighttpd/check.log")"
	fi
fi
t_end

t_begin "nginx example: access log ends with req=<X-Request-Id>"
if ! command -v nginx >/dev/null 2>&1; then
	t_fail "nginx is not installed (./stack test installs it)"
elif [[ ! -f $AL_EX/nginx.conf ]]; then
	t_fail "$AL_EX/nginx.conf was not generated (make)"
else
	mkdir -p "$T/al-nginx"
	AL_NPORT=$(free_port)
	ln -sf /etc/nginx/fastcgi_params "$T/al-nginx/fastcgi_params"
	sed -e "s|unix:/run/mxcep/fcgi.sock|unix:$T/fcgi.sock|g" -e "s|/var/log/nginx/|$T/al-nginx/|g" \
		-e "s|listen 80;|listen 127.0.0.1:$AL_NPORT;|" "$AL_EX/nginx.conf" >"$T/al-nginx/mxcep.conf"
	cat >"$T/al-nginx/nginx.conf" <<NEOF
daemon off;
pid $T/al-nginx/nginx.pid.server;
error_log $T/al-nginx/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
	client_body_temp_path $T/al-nginx/tmp-body;
	fastcgi_temp_path $T/al-nginx/tmp-fastcgi;
	proxy_temp_path $T/al-nginx/tmp-proxy;
	uwsgi_temp_path $T/al-nginx/tmp-uwsgi;
	scgi_temp_path $T/al-nginx/tmp-scgi;
	include $T/al-nginx/mxcep.conf;
}
NEOF
	if nginx -q -t -c "$T/al-nginx/nginx.conf" -g "error_log $T/al-nginx/error.log;" >"$T/al-nginx/check.log" 2>&1; then
		svc_spawn "$T/al-nginx/nginx.pid" "$T/al-nginx/out" nginx -c "$T/al-nginx/nginx.conf"
		al_n_up() { al_get "$AL_NPORT" /v1/health it-al-probe; [[ $CODE == 200 ]]; }
		if wait_for al_n_up; then
			al_get "$AL_NPORT" /v1/health it-al-nginx-1
			expect_code 200
			expect_eq "X-Request-Id through nginx" "$(hdr X-Request-Id)" it-al-nginx-1
			al_logged "$T/al-nginx/mxcep-access.log" it-al-nginx-1
		else
			t_fail "GET /v1/health through nginx: $CODE; $(tail -n 5 "$T/al-nginx/error.log" 2>/dev/null)"
		fi
		stop_pidfile "$T/al-nginx/nginx.pid" 30
	else
		t_fail "nginx -t rejects the example: $(cat "$T/al-nginx/check.log")"
	fi
fi
t_end

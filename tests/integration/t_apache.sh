# shellcheck shell=bash
# t_apache: Apache httpd with fcgi-conf/apache-proxy-fcgi.conf in front of the
# same mxcep-fcgi socket: Authorization must reach mxcep. Sourced by run.sh.

AP=$T/apache
MODS=/usr/lib/apache2/modules
t_begin "apache: mod_proxy_fcgi passes Authorization to mxcep-fcgi"
if ! command -v apache2 >/dev/null 2>&1 || [[ ! -f $MODS/mod_proxy_fcgi.so ]]; then
	t_fail "apache2 with mod_proxy_fcgi is not installed (./stack test installs it)"
	t_end
else
	mkdir -p "$AP"
	chmod 0711 "$AP"
	AP_PORT=$(free_port)
	# Apache's children run as www-data: they must reach the socket.
	chmod 0666 "$T/fcgi.sock"
	sed -e "s|/run/mxcep/fcgi.sock|$T/fcgi.sock|g" -e "s|/var/log/apache2/|$AP/|g" \
		"$MXCEP_TOP_SRCDIR/fcgi-conf/apache-proxy-fcgi.conf" >"$AP/mxcep.conf"
	cat >"$AP/httpd.conf" <<AEOF
ServerRoot "$AP"
ServerName 127.0.0.1
Listen 127.0.0.1:$AP_PORT
PidFile "$AP/apache.pid.server"
DefaultRuntimeDir "$AP"
Mutex file:$AP default
ErrorLog "$AP/error.log"
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule setenvif_module $MODS/mod_setenvif.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_fcgi_module $MODS/mod_proxy_fcgi.so
LogFormat "%h %l %u %t \"%r\" %>s %b" common
CustomLog "$AP/access.log" common
StartServers 1
ServerLimit 2
ThreadsPerChild 8
MaxRequestWorkers 16
Include "$AP/mxcep.conf"
AEOF
	if apache2 -t -f "$AP/httpd.conf" >"$AP/check.log" 2>&1; then
		svc_spawn "$AP/apache.pid" "$AP/apache.out" apache2 -f "$AP/httpd.conf" -DFOREGROUND
		ap_get() { # PATH [curl args]
			local p=$1
			shift
			CODE=$(curl -sS --max-time 10 -o "$T/body" -D "$T/headers" -w '%{http_code}' \
				"$@" "http://127.0.0.1:$AP_PORT$p" 2>/dev/null) || CODE=000
		}
		ap_up() { ap_get /v1/health; [[ $CODE == 200 ]]; }
		if wait_for ap_up; then
			ap_get "/v1/validations/$(uuid)" -H "Authorization: Bearer $KEY_A"
			expect_error 404 validation_not_found
			ap_get "/v1/validations/$(uuid)" -H "Authorization: Bearer mxcep_bogus000000000000000"
			expect_error 401 invalid_api_key
			ap_get "/v1/validations/$(uuid)"
			expect_error 401 missing_api_key
			ap_get /v1/no-such-thing -H 'X-Request-Id: it-apache-1'
			expect_error 404 not_found
			expect_eq "X-Request-Id through Apache" "$(hdr X-Request-Id)" it-apache-1
			# the snippet's access log ends with the id mxcep answered with
			sleep 0.2
			expect_eq "Apache's mxcep access log: req=<X-Request-Id>" \
				"$(grep -c '"GET /v1/no-such-thing HTTP/1.1" 404 .* req=it-apache-1$' "$AP/mxcep-access.log" 2>/dev/null)" 1
		else
			t_fail "GET /v1/health through Apache: $CODE $(head -c 300 "$T/body"); error.log: $(tail -n 5 "$AP/error.log" 2>/dev/null)"
		fi
		stop_pidfile "$AP/apache.pid" 30
	else
		t_fail "apache2 -t rejects the config: $(cat "$AP/check.log")"
	fi
	t_end
fi

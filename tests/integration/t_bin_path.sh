# shellcheck shell=bash
# t_bin_path: lighttpd spawns mxcep-fcgi itself ("bin-path"); the listening
# socket is then fd 0 of mxcep-fcgi. Sourced by run.sh.

BP=$T/bp
mkdir -p "$BP/www"
BP_PORT=$(free_port)
# the same config without a listen key (there is none in the test config)
cat >"$BP/lighttpd.conf" <<LEOF
server.modules        = ( "mod_setenv", "mod_fastcgi" )
server.bind           = "127.0.0.1"
server.port           = $BP_PORT
server.document-root  = "$BP/www"
server.errorlog       = "$BP/lighttpd.log"
fastcgi.server = (
	"/v1" => ((
		"bin-path"             => "$FCGI --config $CONF",
		"socket"               => "$BP/fcgi.sock",
		"max-procs"            => 1,
		"check-local"          => "disable",
		"bin-environment"      => (
			"ASAN_OPTIONS"  => "$ASAN_OPTIONS",
			"UBSAN_OPTIONS" => "$UBSAN_OPTIONS",
			"LSAN_OPTIONS"  => "$LSAN_OPTIONS",
		),
		"bin-copy-environment" => ( "PATH" ),
	)),
)
# Test only: what Apache passes after an internal redirect (mod_rewrite, or
# mod_fcgid behind an Action): the key only in REDIRECT_HTTP_AUTHORIZATION.
\$REQUEST_HEADER["X-It-Redirect-Auth"] == "1" {
	setenv.set-environment = ( "REDIRECT_HTTP_AUTHORIZATION" => "Bearer $KEY_A" )
}
LEOF

# all descendants of a pid
descendants() {
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}

t_begin "bin-path: lighttpd spawns mxcep-fcgi on fd 0; it answers and honours REDIRECT_HTTP_AUTHORIZATION"
if lighttpd -tt -f "$BP/lighttpd.conf" >"$BP/check.log" 2>&1; then
	svc_spawn "$BP/lighttpd.pid" "$BP/lighttpd.out" lighttpd -D -f "$BP/lighttpd.conf"
	bp_health() {
		CODE=$(curl -sS --max-time 10 -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$BP_PORT/v1/health" 2>/dev/null) || CODE=000
		[[ $CODE == 200 ]]
	}
	if wait_for bp_health; then
		expect_json data.type health
		expect_json data.attributes.mariadb.status up
		CODE=$(curl -sS --max-time 10 -o "$T/body" -w '%{http_code}' \
			-H "Authorization: Bearer $KEY_A" "http://127.0.0.1:$BP_PORT/v1/validations/$(uuid)") || CODE=000
		expect_error 404 validation_not_found
		# REDIRECT_HTTP_AUTHORIZATION is honoured when HTTP_AUTHORIZATION is absent
		CODE=$(curl -sS --max-time 10 -o "$T/body" -w '%{http_code}' \
			-H "X-It-Redirect-Auth: 1" "http://127.0.0.1:$BP_PORT/v1/validations/$(uuid)") || CODE=000
		[[ $CODE == 404 && $(jget errors.0.code) == validation_not_found ]] ||
			t_fail "key only in REDIRECT_HTTP_AUTHORIZATION: expected 404 validation_not_found, got $CODE $(head -c 300 "$T/body")"
		CODE=$(curl -sS --max-time 10 -o "$T/body" -w '%{http_code}' \
			"http://127.0.0.1:$BP_PORT/v1/validations/$(uuid)") || CODE=000
		[[ $CODE == 401 ]] || t_fail "control without any key: expected 401, got $CODE"
	else
		t_fail "GET /v1/health through the bin-path lighttpd: $CODE $(head -c 300 "$T/body"); log: $(tail -n 5 "$BP/lighttpd.log" 2>/dev/null)"
	fi
	lpid=$(pid_of "$BP/lighttpd.pid")
	spawned=$(descendants "$lpid")
	[[ -n $spawned ]] || t_fail "lighttpd $lpid has no spawned mxcep-fcgi"
	printf '%s\n' $spawned >>"$T/spawned.pids"
	stop_pidfile "$BP/lighttpd.pid" 30
	for p in $spawned; do
		WAIT_TIMEOUT=10 wait_for pid_gone "$p" ||
			t_fail "spawned process $p ($(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)) still runs after lighttpd stopped"
	done
else
	t_fail "lighttpd rejects the bin-path config: $(cat "$BP/check.log")"
fi
t_end

# Spawned by the web server with a listen key in the config: fd 0 (the
# web server's socket) wins, and the ignored listen value is logged.
BPL=$T/bpl
mkdir -p "$BPL/www"
BPL_PORT=$(free_port)
cp "$CONF" "$BPL/mxcep.conf"
echo "listen = unix:$BPL/ignored.sock" >>"$BPL/mxcep.conf"
sed -e "s|$BP/|$BPL/|g" -e "s|--config $CONF|--config $BPL/mxcep.conf|" \
	-e "s|server.port           = $BP_PORT|server.port           = $BPL_PORT|" \
	"$BP/lighttpd.conf" >"$BPL/lighttpd.conf"

t_begin "bin-path with listen set in the config: fd 0 wins, requests answered, the ignored listen logged"
if lighttpd -tt -f "$BPL/lighttpd.conf" >"$BPL/check.log" 2>&1; then
	svc_spawn "$BPL/lighttpd.pid" "$BPL/lighttpd.out" lighttpd -D -f "$BPL/lighttpd.conf"
	# a request that hangs (fd 0 ignored) must not hold the suite: 30 s at most
	bpl_health() {
		CODE=$(curl -sS --max-time 3 -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$BPL_PORT/v1/health" 2>/dev/null) || CODE=000
		[[ $CODE == 200 ]] && return 0
		((SECONDS < bpl_end)) || return 0
		return 1
	}
	bpl_end=$((SECONDS + 30))
	if wait_for bpl_health && [[ $CODE == 200 ]]; then
		expect_json data.type health
	else
		t_fail "GET /v1/health through bin-path with listen set: $CODE $(head -c 300 "$T/body" 2>/dev/null)"
	fi
	# the spawned mxcep-fcgi's stderr is lighttpd's
	WAIT_TIMEOUT=5 wait_for grep -qF "ignoring listen = unix:$BPL/ignored.sock" "$BPL/lighttpd.out" ||
		t_fail "no warning naming the ignored listen in $BPL/lighttpd.out: $(grep -m 3 mxcep "$BPL/lighttpd.out")"
	[[ -e $BPL/ignored.sock ]] && t_fail "mxcep-fcgi bound the listen socket $BPL/ignored.sock although fd 0 was given"
	lpid=$(pid_of "$BPL/lighttpd.pid")
	spawned=$(descendants "$lpid")
	printf '%s\n' $spawned >>"$T/spawned.pids"
	stop_pidfile "$BPL/lighttpd.pid" 30
	for p in $spawned; do
		WAIT_TIMEOUT=10 wait_for pid_gone "$p" || t_fail "spawned process $p still runs after lighttpd stopped"
	done
else
	t_fail "lighttpd rejects the bin-path config: $(cat "$BPL/check.log")"
fi
t_end

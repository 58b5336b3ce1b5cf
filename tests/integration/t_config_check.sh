# shellcheck shell=bash
# t_config_check: one validation path: what --check-config accepts, a start
# accepts; a bad value is refused by --check-config, by a start, by a SIGHUP
# (the old config stays), by mxcep-runner and mxcep-admin; workers that cannot
# start stop the master with a non-zero exit. Sourced by run.sh.

CC=$T/cc
mkdir -p "$CC"
# cc_conf KEY VALUE: $CC/bad.conf = the test config with KEY = VALUE
cc_conf() {
	grep -v "^$1 *=" "$CONF" >"$CC/bad.conf"
	echo "$1 = $2" >>"$CC/bad.conf"
}

BAD_VALUES=(
	"listen_mode|0999"
	"banxico_url|ftp://www.banxico.org.mx/cep/"
	"public_url|api.example.com"
	"listen|fcgi.sock"
	"memcached_servers|cache:port"
	"operator_accounts|ops-team"
	"log_file|mxcep.log"
	"storage_dir|receipts"
)

t_begin "config: --check-config rejects each bad value with a message naming the key"
for kv in "${BAD_VALUES[@]}"; do
	k=${kv%%|*} v=${kv#*|}
	cc_conf "$k" "$v"
	out=$("$FCGI" --config "$CC/bad.conf" --check-config 2>&1 >/dev/null)
	rc=$?
	((rc != 0)) || t_fail "--check-config accepted $k = $v"
	grep -qF "$k: \"$v\"" <<<"$out" || t_fail "--check-config on $k = $v: no message naming it: $out"
done
# the environment is checked the same way
out=$(MXCEP_BANXICO_URL=ftp://x/ "$FCGI" --config "$CONF" --check-config 2>&1 >/dev/null) &&
	t_fail "--check-config accepted MXCEP_BANXICO_URL=ftp://x/"
# and the test config itself passes
"$FCGI" --config "$CONF" --check-config >/dev/null 2>"$CC/ok.err" ||
	t_fail "--check-config rejects the good test config: $(cat "$CC/ok.err")"
t_end

t_begin "config: a start with each bad value is refused at once (non-zero exit, the reason, no socket)"
for kv in "${BAD_VALUES[@]}"; do
	k=${kv%%|*} v=${kv#*|}
	cc_conf "$k" "$v"
	rm -f "$CC/fcgi.sock" "$CC/fcgi.pid"
	# --listen would override the listen key under test
	listen_arg=(--listen "unix:$CC/fcgi.sock")
	[[ $k == listen ]] && listen_arg=()
	timeout 20 "$FCGI" --config "$CC/bad.conf" "${listen_arg[@]}" --pid-file "$CC/fcgi.pid" \
		</dev/null >"$CC/start.log" 2>&1
	rc=$?
	((rc != 0 && rc != 124)) || t_fail "start with $k = $v: exit status $rc (124: it kept running)"
	grep -qF "$k: \"$v\"" "$CC/start.log" || t_fail "start with $k = $v: reason not logged: $(head -c 400 "$CC/start.log")"
	[[ -e $CC/fcgi.sock ]] && t_fail "start with $k = $v left a socket"
done
t_end

t_begin "config: mxcep-runner and mxcep-admin refuse the same bad values"
for kv in "banxico_url|ftp://www.banxico.org.mx/cep/" "public_url|api.example.com" "listen_mode|0999"; do
	k=${kv%%|*} v=${kv#*|}
	cc_conf "$k" "$v"
	out=$(timeout 20 "$MXCEP_TOP_BUILDDIR/mxcep-runner" --config "$CC/bad.conf" --once 2>&1) &&
		t_fail "mxcep-runner accepted $k = $v"
	grep -qF "$k: \"$v\"" <<<"$out" || t_fail "mxcep-runner with $k = $v: no message: $out"
	out=$(timeout 20 "$ADMIN" --config "$CC/bad.conf" account list 2>&1) &&
		t_fail "mxcep-admin accepted $k = $v"
	grep -qF "$k: \"$v\"" <<<"$out" || t_fail "mxcep-admin with $k = $v: no message: $out"
done
t_end

# a master of its own for the SIGHUP and crash tests
cc_health() {
	"$PY" - "$CC/fcgi.sock" <<'PYEOF' 2>/dev/null
import socket, struct, sys
# a minimal FastCGI GET /v1/health; exit 0 when the answer is Status 200
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
def rec(t, body):
    return struct.pack(">BBHHBx", 1, t, 1, len(body), 0) + body
def nv(k, v):
    return bytes([len(k), len(v)]) + k + v
params = b"".join(nv(k, v) for k, v in [(b"REQUEST_METHOD", b"GET"),
    (b"REQUEST_URI", b"/v1/health"), (b"SCRIPT_NAME", b"/v1/health"),
    (b"QUERY_STRING", b""), (b"REMOTE_ADDR", b"127.0.0.1"),
    (b"SERVER_PROTOCOL", b"HTTP/1.1")])
s.sendall(rec(1, struct.pack(">HBxxxxx", 1, 0)) + rec(4, params) + rec(4, b"") + rec(5, b""))
out = b""
while True:
    h = s.recv(8)
    if len(h) < 8:
        break
    _, t, _, n, pad = struct.unpack(">BBHHBx", h)
    body = b""
    while len(body) < n + pad:
        c = s.recv(n + pad - len(body))
        if not c:
            break
        body += c
    if t == 6:
        out += body[:n]
    if t == 3:
        break
head = out.split(b"\r\n\r\n", 1)[0]
sys.exit(0 if b"Status: 200" in head or (b"Status:" not in head and out) else 1)
PYEOF
}

t_begin "config: SIGHUP with a bad banxico_url keeps the old config and the workers; requests still answered"
cp "$CONF" "$CC/live.conf"
if start_fcgi "$CC" "$CC/live.conf" 2>"$CC/setup.err"; then
	CM=$(pid_of "$CC/fcgi.pid")
	wait_for test "$(worker_count "$CM")" = 2 || t_fail "cc master has $(worker_count "$CM") workers"
	wait_for cc_health || t_fail "the cc master does not answer GET /v1/health"
	before=$(workers_of "$CM")
	sed -i "s|^banxico_url *=.*|banxico_url = ftp://www.banxico.org.mx/cep/|" "$CC/live.conf"
	kill -HUP "$CM"
	wait_for grep -q "config not reloaded" "$CC/fcgi.log" || t_fail "no 'config not reloaded' after SIGHUP with a bad banxico_url"
	grep -q 'banxico_url: "ftp://' "$CC/fcgi.log" || t_fail "the SIGHUP refusal does not name banxico_url"
	sleep 2	# a crash loop would show by now
	for i in 1 2 3; do
		cc_health || t_fail "request $i after the refused SIGHUP was not answered 200"
	done
	expect_eq "workers after the refused SIGHUP" "$(workers_of "$CM")" "$before"
	pid_alive "$CM" || t_fail "the master died"
	stop_pidfile "$CC/fcgi.pid" 20
else
	t_fail "cc master did not start: $(cat "$CC/setup.err")"
fi
t_end

t_begin "config: workers that keep dying at start stop the master: non-zero exit within 30 s, the reason logged"
cp "$CONF" "$CC/crash.conf"
rm -f "$CC/fcgi.sock" "$CC/fcgi.pid"
"$FCGI" --config "$CC/crash.conf" --listen "unix:$CC/fcgi.sock" --pid-file "$CC/fcgi.pid" \
	</dev/null >"$CC/crash.log" 2>&1 &
cm=$!
# every worker dies as soon as it appears (as when a library crashes it
# at start, or the OOM killer takes it)
(
	end=$((SECONDS + 40))
	while kill -0 "$cm" 2>/dev/null && ((SECONDS < end)); do
		for w in $(pgrep -P "$cm"); do
			kill -KILL "$w" 2>/dev/null
		done
		sleep 0.05
	done
) &
killer=$!
t0=$SECONDS
(
	sleep 40
	kill -TERM "$cm" 2>/dev/null
) &
guard=$!
wait "$cm"
rc=$?
took=$((SECONDS - t0))
kill "$guard" 2>/dev/null
wait "$killer" "$guard" 2>/dev/null
((rc != 0)) || t_fail "the master exited 0 (after $took s)"
((took <= 30)) || t_fail "the master took $took s to give up"
grep -q "could not start" "$CC/crash.log" && grep -q "giving up" "$CC/crash.log" ||
	t_fail "no reason logged: $(tail -n 5 "$CC/crash.log")"
grep -q "killed by signal 9" "$CC/crash.log" || t_fail "the workers' end is not logged"
[[ -e $CC/fcgi.sock ]] && t_fail "the master that gave up left its socket"
[[ -e $CC/fcgi.pid ]] && t_fail "the master that gave up left its pid file"
t_end

t_begin "config: workers that fail at start (no HTTP client) stop the master: exit 1 within 30 s, the reason logged"
# curl_easy_init failing (out of memory, a broken libcurl) is what makes a
# worker's start fail once the config is valid; a preloaded stub makes it so
cat >"$CC/nocurl.c" <<'CEOF'
void *curl_easy_init(void) { return (void *)0; }
CEOF
if ${CC_BIN:-cc} -shared -fPIC -o "$CC/nocurl.so" "$CC/nocurl.c" 2>"$CC/nocurl.err"; then
	rm -f "$CC/fcgi.sock" "$CC/fcgi.pid"
	t0=$SECONDS
	ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" LD_PRELOAD="$CC/nocurl.so" \
		timeout 40 "$FCGI" --config "$CONF" --listen "unix:$CC/fcgi.sock" --pid-file "$CC/fcgi.pid" \
		</dev/null >"$CC/nostart.log" 2>&1
	rc=$?
	took=$((SECONDS - t0))
	expect_eq "exit status of the master whose workers cannot start (after $took s)" "$rc" 1
	((took <= 30)) || t_fail "the master took $took s to give up"
	grep -q "curl_easy_init failed" "$CC/nostart.log" || t_fail "the workers' reason is not logged: $(tail -n 5 "$CC/nostart.log")"
	grep -q "could not start" "$CC/nostart.log" && grep -q "giving up" "$CC/nostart.log" ||
		t_fail "the master's reason is not logged: $(tail -n 5 "$CC/nostart.log")"
	[[ -e $CC/fcgi.sock ]] && t_fail "the master that gave up left its socket"
else
	t_fail "cannot build the stub: $(cat "$CC/nocurl.err")"
fi
t_end

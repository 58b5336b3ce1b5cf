# shellcheck shell=bash
# t_slow_clients: slow readers cannot pin the workers (issue 13). On a
# stack of its own (mxcep-fcgi and lighttpd with the project's settings,
# server.stream-response-body = 2): an export read at 1 KB/s is abandoned
# after write_timeout and the only worker answers again; exports are
# capped per account (429 too_many_exports) and on the host (503 busy),
# and a killed worker's slot is free at once; the request log line
# escapes the method. Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

SC=$T/slow
SC_TIMEOUT=3	# write_timeout of this stack, s
mkdir -p "$SC/locks"
sed -e '/^workers *=/d' -e '/^operator_accounts *=/d' "$CONF" >"$SC/mxcep.conf"
cat >>"$SC/mxcep.conf" <<EOF
workers = 1
write_timeout = $SC_TIMEOUT
lock_dir = $SC/locks
EOF
chmod 0600 "$SC/mxcep.conf"
sc_conf() { local c=$CONF; CONF=$SC/mxcep.conf; set_conf "$1" "$2"; CONF=$c; }

# 20,000 rows of about 600 bytes: a 12 MB export, more than the web
# server and the kernel buffer for a slow client (about 4.5 MB here, most
# of it lighttpd's send buffer). The search-gram triggers skip a
# clave_rastreo of 2 characters and a NULL referencia: the seed takes 10 s.
SC_ACC=$(admin account create it-slow 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
SC_KEY=$(new_key "$SC_ACC" validations:read) || bail "key create failed"
db "SET SESSION max_recursive_iterations = 100000;
INSERT INTO validations (id, account_id, validation_type, playground, status, fecha, clave_rastreo,
	referencia, emisor, receptor, cuenta, monto, request_data, created_at, updated_at,
	banxico_status, error_code)
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 20000)
SELECT CONCAT(SUBSTR(h, 1, 8), '-', SUBSTR(h, 9, 4), '-4', SUBSTR(h, 14, 3), '-b', SUBSTR(h, 18, 3), '-',
	SUBSTR(h, 21, 12)), '$SC_ACC', 'direct', 0, 'error', DATE('2031-01-01') + INTERVAL (n DIV 500) DAY,
	'S1', NULL, REPEAT(h, 3), REPEAT(h, 3), '646180157048010399', n + 0.25, '{}',
	TIMESTAMP('2031-01-01') + INTERVAL (n DIV 3) MINUTE, TIMESTAMP('2031-01-01') + INTERVAL (n DIV 3) MINUTE,
	REPEAT(h, 2), REPEAT(h, 2)
FROM (SELECT n, MD5(CONCAT('t_slow_clients', n)) AS h FROM seq) s" || bail "seeding the slow export failed"

start_fcgi "$SC" "$SC/mxcep.conf" 2>"$SC/setup.err" || bail "slow stack mxcep-fcgi: $(cat "$SC/setup.err")"
SC_PORT=$(free_port)
start_lighttpd "$SC" "$SC_PORT" "$SC/fcgi.sock" 2>"$SC/setup.err" || bail "slow stack lighttpd: $(cat "$SC/setup.err")"
SC_MAIN_URL=$URL
URL=http://127.0.0.1:$SC_PORT
wait_for health_200 || bail "slow stack: GET /v1/health never answered 200"

# sc_slow NAME KEY: an export read at 1 KB/s in the background ($SC/NAME.csv,
# pid in SC_PIDS[NAME]); returns once its first bytes arrived
declare -A SC_PIDS=()
sc_slow() {
	rm -f "$SC/$1.csv"
	curl -s --limit-rate 1k --max-time 90 -H "Authorization: Bearer $2" \
		-o "$SC/$1.csv" "$URL/v1/validations/export" &
	SC_PIDS[$1]=$!
	WAIT_TIMEOUT=15 wait_for test -s "$SC/$1.csv"
}
sc_slow_stop() {
	local n
	for n in "${!SC_PIDS[@]}"; do
		kill "${SC_PIDS[$n]}" 2>/dev/null
		wait "${SC_PIDS[$n]}" 2>/dev/null
		unset "SC_PIDS[$n]"
	done
	return 0
}
# sc_export_whole KEY ACCOUNT: a full-speed export arrives whole
sc_export_whole() {
	local rows
	http GET /v1/validations/export -H "Authorization: Bearer $1"
	expect_code 200
	rows=$(db "SELECT COUNT(*) FROM validations WHERE account_id = '$2' AND deleted_at IS NULL")
	expect_eq "export lines (header + rows)" "$(tr -cd '\n' <"$T/body" | wc -c)" "$((rows + 1))"
	expect_eq "export ends with a whole row" "$(tail -c 2 "$T/body" | od -An -c | tr -d ' ')" '\r\n'
}
# sc_all_new "OLD PIDS": 3 workers, none of them old
sc_all_new() {
	local p now
	now=$(workers_of "$SC_MASTER")
	[[ $(wc -w <<<"$now") == 3 ]] || return 1
	for p in $1; do
		[[ " $now " == *" $p "* ]] && return 1
	done
	return 0
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

t_begin "write_timeout: an export read at 1 KB/s is abandoned after $SC_TIMEOUT s without progress, logged; the only worker answers again, unrecycled"
SC_MASTER=$(pid_of "$SC/fcgi.pid")
sc_worker=$(workers_of "$SC_MASTER")
abandoned_before=$(grep -c 'response abandoned' "$SC/fcgi.log" || true)
sc_slow slow1 "$SC_KEY" || t_fail "the slow export sent nothing"
t0=$(date +%s%N)
http GET /v1/health
ms=$(ms_since "$t0")
expect_code 200
# a trickle of progress restarts the deadline: allow up to 3 of them
((ms <= (3 * SC_TIMEOUT + 3) * 1000)) ||
	t_fail "GET /v1/health took $ms ms beside a slow export on the only worker (write_timeout = $SC_TIMEOUT s)"
wait_for grep -q "response abandoned: the web server took nothing for $SC_TIMEOUT s" "$SC/fcgi.log" ||
	t_fail "no 'response abandoned' line in fcgi.log"
(($(grep -c 'response abandoned' "$SC/fcgi.log" || true) == abandoned_before + 1)) ||
	t_fail "expected one more 'response abandoned' line: $(grep 'response abandoned' "$SC/fcgi.log")"
kill -0 "${SC_PIDS[slow1]}" 2>/dev/null || t_fail "the slow client ended by itself: it was not slow"
sc_slow_stop
expect_eq "the worker (freed, not killed or replaced)" "$(workers_of "$SC_MASTER")" "$sc_worker"
# nothing else broke: a reader at full speed gets the whole export
sc_export_whole "$SC_KEY" "$SC_ACC"
t_end

t_begin "the request log line escapes the method: no forged log line"
# straight to the FastCGI socket: no web server passes such a method on
"$PY" - "$SC/fcgi.sock" $'GET\nforged: request: GET /v1/admin status=200' >"$SC/forge.out" 2>&1 <<'EOF' ||
import socket, struct, sys
def rec(t, content):
    return struct.pack('!BBHHBB', 1, t, 1, len(content), 0, 0) + content
def ln(n):
    return bytes([n]) if n < 128 else struct.pack('!I', n | 0x80000000)
def nv(k, v):
    k, v = k.encode(), v.encode()
    return ln(len(k)) + ln(len(v)) + k + v
env = [('REQUEST_METHOD', sys.argv[2]), ('REQUEST_URI', '/v1/health'),
       ('SCRIPT_NAME', '/v1/health'), ('QUERY_STRING', ''),
       ('SERVER_PROTOCOL', 'HTTP/1.1'), ('REMOTE_ADDR', '127.0.0.1')]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(rec(1, struct.pack('!HB5x', 1, 0)) + rec(4, b''.join(nv(k, v) for k, v in env))
          + rec(4, b'') + rec(5, b''))
got = b''
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
print(got[8:60])
EOF
	t_fail "the FastCGI client failed: $(cat "$SC/forge.out")"
wait_for grep -qF 'request: GET\nforged: request: GET /v' "$SC/fcgi.log" ||
	t_fail "no escaped method in fcgi.log: $(grep -a 'forged' "$SC/fcgi.log" | head -n 3)"
grep -aq '^forged' "$SC/fcgi.log" && t_fail "a forged line in fcgi.log: $(grep -a '^forged' "$SC/fcgi.log")"
t_end

# ---- the caps: 3 workers, so at most 2 exports at once (workers - 1);
# 2 per account, so that one account can fill the host's slots
sc_conf workers 3
sc_conf write_timeout 60
sc_conf export_max_per_account 2
stop_pidfile "$SC/fcgi.pid" 30
start_fcgi "$SC" "$SC/mxcep.conf" 2>"$SC/setup.err" || bail "slow stack mxcep-fcgi: $(cat "$SC/setup.err")"
SC_MASTER=$(pid_of "$SC/fcgi.pid")
WAIT_TIMEOUT=15 wait_for test "$(worker_count "$SC_MASTER")" = 3 || bail "slow stack: $(worker_count "$SC_MASTER") workers, not 3"
wait_for health_200 || bail "slow stack: GET /v1/health never answered 200 after the restart"

t_begin "export caps: over export_max_per_account, 429 too_many_exports; over the host's cap (workers - 1), 503 busy; both with Retry-After; the last worker answers"
sc_slow cap1 "$SC_KEY" || t_fail "the first slow export sent nothing"
sc_slow cap2 "$SC_KEY" || t_fail "the second slow export sent nothing"
http GET /v1/validations/export -H "Authorization: Bearer $SC_KEY"
expect_error 429 too_many_exports
expect_eq "Retry-After of the 429" "$(hdr Retry-After)" 10
http GET /v1/validations/export?format=xlsx -H "Authorization: Bearer $KEY_B"
expect_error 503 busy
expect_eq "Retry-After of the 503" "$(hdr Retry-After)" 10
t0=$(date +%s%N)
http GET /v1/health
expect_code 200
ms=$(ms_since "$t0")
((ms <= 1000)) || t_fail "GET /v1/health took $ms ms beside two slow exports"
http GET "/v1/validations?per_page=1" -H "Authorization: Bearer $KEY_B"
expect_code 200
if ! kill -0 "${SC_PIDS[cap1]}" 2>/dev/null || ! kill -0 "${SC_PIDS[cap2]}" 2>/dev/null; then
	t_fail "a slow client ended by itself: it was not slow"
fi
t_end

t_begin "export caps: a worker killed mid-export leaves no slot behind"
old=$(workers_of "$SC_MASTER")
# shellcheck disable=SC2086
kill -KILL $old
WAIT_TIMEOUT=20 wait_for sc_all_new "$old" ||
	t_fail "no 3 new workers after kill -9 (now: $(workers_of "$SC_MASTER"))"
sc_slow_stop
wait_for health_200 || t_fail "GET /v1/health after kill -9 of the workers: $CODE"
sc_export_whole "$SC_KEY" "$SC_ACC"
http GET /v1/validations/export -H "Authorization: Bearer $KEY_B"
expect_code 200
t_end

sc_slow_stop
stop_pidfile "$SC/lighttpd.pid" 30
stop_pidfile "$SC/fcgi.pid" 30
URL=$SC_MAIN_URL
db "DELETE FROM validations WHERE account_id = '$SC_ACC'" ||
	echo "# t_slow_clients: could not remove its rows"

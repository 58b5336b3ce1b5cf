# shellcheck shell=bash
# t_fairness: no class of slow work can hold all workers (issue 13; the
# short version of bench/run-fairness). On a stack of its own (2 workers,
# lock_dir set, every cap at its default, banxico_max_rps 5 as shipped),
# GET /v1/health and GET of one record are probed every 250 ms while
#   (a) one client posts ?async=1 validations in a loop (simulator fast),
#   (b) two clients post synchronous validations, Banxico slowed to 3 s,
#   (c) three clients read exports at 1 KB/s (export_max_per_account 3),
# and each must answer within FA_BOUND_MS (1 s): before the caps and the
# rate fix, a worker waited up to 3 s for a rate slot after a 202, both
# workers waited for Banxico, and two slow readers pinned both workers
# (misses by seconds). The slow work completes or is refused with its
# documented error, and nothing is lost: after mxcep-runner --once every
# 202/200 id is a record in a final status. Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

FA=$T/fair
FA_BOUND_MS=1000
FA_SECONDS=4	# of load per case
mkdir -p "$FA/locks"
sed -e '/^workers *=/d' -e '/^banxico_timeout_ms *=/d' -e '/^banxico_max_rps *=/d' \
	"$CONF" >"$FA/mxcep.conf"
cat >>"$FA/mxcep.conf" <<EOF
workers = 2
lock_dir = $FA/locks
banxico_timeout_ms = 10000
banxico_max_rps = 5
export_max_per_account = 3
EOF
chmod 0600 "$FA/mxcep.conf"

# (c)'s account: 14,000 rows of about 600 bytes (8 MB of CSV, more than
# lighttpd and the kernel buffer for a slow client); t_slow_clients' seed
FA_ACC=$(admin account create it-fair 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
FA_KEY=$(new_key "$FA_ACC" validations:read) || bail "key create failed"
db "SET SESSION max_recursive_iterations = 100000;
INSERT INTO validations (id, account_id, validation_type, playground, status, fecha, clave_rastreo,
	referencia, emisor, receptor, cuenta, monto, request_data, created_at, updated_at,
	banxico_status, error_code)
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 14000)
SELECT CONCAT(SUBSTR(h, 1, 8), '-', SUBSTR(h, 9, 4), '-4', SUBSTR(h, 14, 3), '-b', SUBSTR(h, 18, 3), '-',
	SUBSTR(h, 21, 12)), '$FA_ACC', 'direct', 0, 'error', DATE('2031-01-01') + INTERVAL (n DIV 500) DAY,
	'S1', NULL, REPEAT(h, 3), REPEAT(h, 3), '646180157048010399', n + 0.25, '{}',
	TIMESTAMP('2031-01-01') + INTERVAL (n DIV 3) MINUTE, TIMESTAMP('2031-01-01') + INTERVAL (n DIV 3) MINUTE,
	REPEAT(h, 2), REPEAT(h, 2)
FROM (SELECT n, MD5(CONCAT('t_fairness', n)) AS h FROM seq) s" || bail "seeding the fairness export failed"

# the transfers the POST loops send, one each: FA_BODIES[i]
FA_N=600
FA_BODIES=()
fa_specs=
for ((i = 0; i < FA_N; i++)); do
	c=MXFA$$N$i
	s="\"fecha\":\"$VFECHA\",\"clave_rastreo\":\"$c\",\"emisor\":\"40012\",\"receptor\":\"90646\",\"cuenta\":\"646180157048010399\",\"monto\":\"1500.00\""
	FA_BODIES+=("{$s}")
	fa_specs+="${fa_specs:+,}{$s}"
done
sim POST /_sim/transfers "[$fa_specs]"
[[ $SIMCODE == 201 ]] || bail "POST /_sim/transfers (list): $SIMCODE $(head -c 300 "$T/sim.body")"

start_fcgi "$FA" "$FA/mxcep.conf" 2>"$FA/setup.err" || bail "fairness stack mxcep-fcgi: $(cat "$FA/setup.err")"
FA_PORT=$(free_port)
start_lighttpd "$FA" "$FA_PORT" "$FA/fcgi.sock" 2>"$FA/setup.err" || bail "fairness stack lighttpd: $(cat "$FA/setup.err")"
FA_MAIN_URL=$URL
URL=http://127.0.0.1:$FA_PORT
wait_for health_200 || bail "fairness stack: GET /v1/health never answered 200"

# the record the GETs read
new_transfer
validate "$TR_BODY"
[[ $CODE == 200 ]] || bail "fairness stack: the first validation answered $CODE"
FA_VID=$(jget data.id) || bail "fairness stack: no id"

# fa_post_loop NAME FIRST STEP LIMIT QUERY: POST /v1/validate of
# FA_BODIES[FIRST], [FIRST + STEP]... below LIMIT until $FA/stop exists;
# "status id clave" per answer in $FA/post.NAME (a refused one is retried
# after 0.3 s with the next body)
declare -A FA_PIDS=()
fa_post_loop() {
	local name=$1 i=$2 step=$3 limit=$4 q=$5 code id clave
	: >"$FA/post.$name"
	(
		while [[ ! -e $FA/stop ]] && ((i < limit)); do
			clave=$(sed 's/.*"clave_rastreo":"\([^"]*\)".*/\1/' <<<"${FA_BODIES[i]}")
			code=$(curl -s --max-time 30 -o "$FA/post.$name.body" -w '%{http_code}' \
				-X POST "$URL/v1/validate$q" -H "Authorization: Bearer $KEY_A" \
				-H 'Content-Type: application/vnd.api+json' --data-binary "${FA_BODIES[i]}") || code=000
			id=$(grep -o '"id":"[0-9a-f-]\{36\}"' "$FA/post.$name.body" | head -n 1 | cut -d'"' -f4)
			if [[ $code == 503 ]] && grep -q '"code":"busy"' "$FA/post.$name.body"; then
				code=503busy
			fi
			echo "$code ${id:--} $clave" >>"$FA/post.$name"
			[[ $code == 2* ]] || sleep 0.3
			i=$((i + step))
		done
	) &
	FA_PIDS[$name]=$!
}
# fa_export_reader NAME: an export read at 1 KB/s until killed;
# its status in $FA/export.NAME.code
fa_export_reader() {
	curl -s --limit-rate 1k --max-time 60 -o "$FA/export.$1.body" -w '%{http_code}' \
		-H "Authorization: Bearer $FA_KEY" "$URL/v1/validations/export" >"$FA/export.$1.code" &
	FA_PIDS[$1]=$!
}
fa_stop_all() {
	local n
	touch "$FA/stop"
	for n in "${!FA_PIDS[@]}"; do
		[[ $n == x* ]] && kill "${FA_PIDS[$n]}" 2>/dev/null
		wait "${FA_PIDS[$n]}" 2>/dev/null
		unset "FA_PIDS[$n]"
	done
	rm -f "$FA/stop"
	return 0
}
# fa_probe: for FA_SECONDS, every 250 ms, GET /v1/health and the record;
# t_fail for any that is not 200 within FA_BOUND_MS; FA_MAX: the slowest
fa_probe() {
	local end=$((SECONDS + FA_SECONDS)) out code s ms p n=0
	FA_MAX=0
	while ((SECONDS < end)); do
		for p in /v1/health "/v1/validations/$FA_VID"; do
			out=$(curl -s -o /dev/null --max-time 10 -w '%{http_code} %{time_total}' \
				-H "Authorization: Bearer $KEY_A" "$URL$p") || out="000 10"
			code=${out% *} s=${out#* }
			ms=$(awk -v s="$s" 'BEGIN { printf "%d", s * 1000 }')
			((ms > FA_MAX)) && FA_MAX=$ms
			n=$((n + 1))
			[[ $code == 200 ]] || t_fail "GET $p answered $code after $ms ms"
			((ms <= FA_BOUND_MS)) || t_fail "GET $p took $ms ms (bound $FA_BOUND_MS ms)"
		done
		sleep 0.25
	done
	((n >= 8)) || t_fail "only $n probes in $FA_SECONDS s"
}
# fa_final IDS...: every id is a record in a final status, after the runner
fa_final() {
	local id st
	sleep 1.1	# a job put back is due a second later
	runner "$FA/runner.log" --once || t_fail "runner: $(tail -n 3 "$FA/runner.log")"
	for id; do
		st=$(db "SELECT status FROM validations WHERE id = '$id'")
		case $st in
		'') t_fail "validation $id (answered 2xx) is lost" ;;
		queued|processing) t_fail "validation $id is stuck $st after mxcep-runner --once" ;;
		esac
	done
}
# fa_rate_spent FIRST LAST [delete]: the service-wide Banxico counters
# (memcached, work/rate.c) of those seconds spent by others (the runner,
# other hosts), or forgotten again
fa_rate_spent() {
	"$PY" - "$T/memcached.sock" "$1" "$2" "${3:-}" <<'EOF' || t_fail "cannot set the rate counters"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
for sec in range(int(sys.argv[2]), int(sys.argv[3]) + 1):
    k = b"mxcep:banxico:rps:%d" % sec
    s.sendall((b"delete %s\r\n" % k) if sys.argv[4] else (b"set %s 0 60 6\r\n100000\r\n" % k))
    r = s.recv(100)
    if not (r.startswith(b"STORED") or r.startswith(b"DELETED") or r.startswith(b"NOT_FOUND")):
        sys.exit("memcached: %r" % r)
EOF
}
fa_codes() { awk '{ print $1 }' "$@" | sort | uniq -c | awk '{ printf "%s%s:%s", sep, $2, $1; sep = " " }'; }

# (a): the host's Banxico quota (banxico_max_rps) is spent elsewhere
# meanwhile, so that an after-response job that waited for a rate slot
# would hold its worker the whole 3 s (WORK_RATE_WAIT_MAX) every time
t_begin "fairness (a): beside an async POST loop, Banxico quota spent, health and GETs answer within ${FA_BOUND_MS} ms; jobs left to the runner at once; every 202 ends final"
fa_t0=$(date +%s)
fa_rate_spent "$fa_t0" $((fa_t0 + FA_SECONDS + 8))
fa_post_loop a 0 1 400 "?async=1"
sleep 0.5
fa_probe
fa_stop_all
fa_rate_spent "$fa_t0" $((fa_t0 + FA_SECONDS + 8)) delete
grep -q 'left to the runner (banxico_max_rps 5 reached' "$FA/fcgi.log" ||
	t_fail "no job left to the runner for banxico_max_rps in fcgi.log"
echo "# (a) slowest probe $FA_MAX ms; POSTs: $(fa_codes "$FA/post.a")"
n202=$(awk '$1 == 202' "$FA/post.a" | wc -l)
((n202 >= 10)) || t_fail "only $n202 async validations accepted: $(fa_codes "$FA/post.a")"
awk '$1 != 202 { bad = 1 } END { exit bad }' "$FA/post.a" || t_fail "async POSTs not 202: $(fa_codes "$FA/post.a")"
# shellcheck disable=SC2046
fa_final $(awk '$1 == 202 { print $2 }' "$FA/post.a")
t_end

t_begin "fairness (b): beside two synchronous POST clients with Banxico at 3 s, health and GETs answer within ${FA_BOUND_MS} ms; the second is 503 busy, nothing lost"
sim_mode '{"mode":"slow","delay_ms":3000,"scope":"valida"}'
fa_post_loop b1 400 2 "$FA_N" ""
fa_post_loop b2 401 2 "$FA_N" ""
sleep 0.5
fa_probe
fa_stop_all
sim_mode '{"mode":"normal"}'
echo "# (b) slowest probe $FA_MAX ms; POSTs: $(fa_codes "$FA/post.b1" "$FA/post.b2")"
n200=$(cat "$FA/post.b1" "$FA/post.b2" | awk '$1 == 200' | wc -l)
nbusy=$(cat "$FA/post.b1" "$FA/post.b2" | awk '$1 == "503busy"' | wc -l)
((n200 >= 1)) || t_fail "no synchronous validation completed: $(fa_codes "$FA/post.b1" "$FA/post.b2")"
((nbusy >= 1)) || t_fail "no synchronous validation refused busy: $(fa_codes "$FA/post.b1" "$FA/post.b2")"
awk '$1 != 200 && $1 != "503busy" { bad = 1 } END { exit bad }' "$FA/post.b1" "$FA/post.b2" ||
	t_fail "synchronous POSTs neither 200 nor 503 busy: $(fa_codes "$FA/post.b1" "$FA/post.b2")"
# shellcheck disable=SC2046
fa_final $(cat "$FA/post.b1" "$FA/post.b2" | awk '$1 == 200 { print $2 }')
# the refused ones recorded nothing; the completed one record each
claves=$(cat "$FA/post.b1" "$FA/post.b2" | awk '{ printf "%s'\''%s'\''", sep, $3; sep = "," }')
expect_eq "records of the synchronous POSTs" \
	"$(db "SELECT COUNT(*) FROM validations WHERE clave_rastreo IN ($claves)")" "$n200"
t_end

t_begin "fairness (c): beside three exports read at 1 KB/s (2 workers), health and GETs answer within ${FA_BOUND_MS} ms; the others are 503 busy"
fa_export_reader x1
WAIT_TIMEOUT=15 wait_for test -s "$FA/export.x1.body" || t_fail "the first slow export sent nothing"
fa_export_reader x2
fa_export_reader x3
fa_probe
echo "# (c) slowest probe $FA_MAX ms"
kill -0 "${FA_PIDS[x1]}" 2>/dev/null || t_fail "the first slow client ended by itself: it was not slow"
expect_match "the first export's CSV" "$(head -c 20 "$FA/export.x1.body")" 'id,created_at,'
fa_stop_all
for r in x2 x3; do
	expect_eq "the $r export's status" "$(cat "$FA/export.$r.code")" 503
	grep -qs '"code":"busy"' "$FA/export.$r.body" ||
		t_fail "the $r export was not refused busy: $(head -c 300 "$FA/export.$r.body" 2>/dev/null)"
done
t_end

fa_stop_all
stop_pidfile "$FA/lighttpd.pid" 30
stop_pidfile "$FA/fcgi.pid" 30
URL=$FA_MAIN_URL
db "DELETE FROM validations WHERE account_id = '$FA_ACC'" ||
	echo "# t_fairness: could not remove its rows"

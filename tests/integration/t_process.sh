# shellcheck shell=bash
# t_process: the standalone master keeps N workers alive, recycles them after
# max_requests, re-reads its config on SIGHUP and stops on SIGTERM.
# Sourced by run.sh (needs pgrep).

M=$(master_pid)
n_workers_is() { [[ $(worker_count "$M") == "$1" ]]; }
# workers_all_new OLD...: N workers, none of them in OLD
workers_replaced() {
	local want=$1 old=" $2 " w
	n_workers_is "$want" || return 1
	for w in $(workers_of "$M"); do
		[[ $old == *" $w "* ]] && return 1
	done
	return 0
}
non_200() { grep -cv '^200$' "$T/codes.$1"; }

t_begin "process: master with 2 workers"
expect_match "master pid" "${M:-}" '^[0-9]+$'
wait_for n_workers_is 2 || t_fail "master $M has $(worker_count "$M") children, expected 2"
t_end

t_begin "process: a second mxcep-fcgi on the live socket refuses, exits non-zero, and the first keeps answering"
mkdir -p "$T/second"
timeout 30 "$FCGI" --config "$CONF" --listen "unix:$T/fcgi.sock" --pid-file "$T/second/fcgi.pid" \
	</dev/null >"$T/second/out.log" 2>&1
rc=$?
((rc != 0 && rc != 124)) || t_fail "second mxcep-fcgi on the live socket: exit status $rc (124: it kept running)"
grep -q "already answers on $T/fcgi.sock" "$T/second/out.log" ||
	t_fail "no clear message from the second mxcep-fcgi: $(cat "$T/second/out.log")"
[[ -S $T/fcgi.sock ]] || t_fail "the live socket $T/fcgi.sock is gone"
[[ -e $T/second/fcgi.pid ]] && t_fail "the refused mxcep-fcgi wrote its pid file"
for i in 1 2 3; do
	http GET /v1/health
	expect_code 200
done
expect_eq "master pid" "$(master_pid)" "$M"
t_end

t_begin "process: a TCP listen already in use is refused with a clear message"
timeout 30 "$FCGI" --config "$CONF" --listen "127.0.0.1:${URL##*:}" --pid-file "$T/second/tcp.pid" \
	</dev/null >"$T/second/tcp.log" 2>&1
rc=$?
((rc != 0 && rc != 124)) || t_fail "mxcep-fcgi on a busy TCP port: exit status $rc"
grep -q "127.0.0.1:${URL##*:} is already in use" "$T/second/tcp.log" ||
	t_fail "no clear message for the busy TCP port: $(cat "$T/second/tcp.log")"
t_end

t_begin "process: a stale socket file (nothing answers) is replaced"
"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.close()' "$T/second/fcgi.sock"
[[ -S $T/second/fcgi.sock ]] || t_fail "could not make a stale socket"
svc_spawn "$T/second/fcgi.pid.spawn" "$T/second/fcgi.log" "$FCGI" --config "$CONF" \
	--listen "unix:$T/second/fcgi.sock" --pid-file "$T/second/fcgi.pid"
if wait_for test -s "$T/second/fcgi.pid"; then
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])' "$T/second/fcgi.sock" 2>/dev/null ||
		t_fail "the master on the replaced stale socket does not accept"
else
	t_fail "mxcep-fcgi did not start over a stale socket: $(tail -n 5 "$T/second/fcgi.log")"
fi
stop_pidfile "$T/second/fcgi.pid.spawn" 20
rm -f "$T/second/fcgi.pid"
t_end

t_begin "process: SIGKILL of a worker under load: at most one failed request, worker replaced"
load_start kill /v1/health
wait_for load_at_least kill 20 || t_fail "load did not start"
before=$(workers_of "$M")
victim=${before%% *}
kill -KILL "$victim"
wait_for workers_replaced 2 "$victim" ||
	t_fail "worker $victim was not replaced: children of $M are now '$(workers_of "$M")'"
n=$(load_count kill)
wait_for load_at_least kill $((n + 30)) || t_fail "load stalled after the kill"
load_stop kill
bad=$(non_200 kill)
((bad <= 1)) || t_fail "$bad requests failed around the worker kill ($(load_summary kill))"
expect_eq "master pid after the kill" "$(master_pid)" "$M"
pid_alive "$M" || t_fail "master $M died"
t_end

t_begin "process: SIGHUP re-reads the config (workers 2 -> 3, log_level warn)"
before=$(workers_of "$M")
set_conf workers 3
set_conf log_level warn
kill -HUP "$M"
wait_for workers_replaced 3 "$before" ||
	t_fail "after SIGHUP with workers = 3: children of $M are '$(workers_of "$M")' (before: $before)"
expect_eq "master pid after SIGHUP" "$(master_pid)" "$M"
quiet=it-quiet-$RANDOM$RANDOM
http GET /v1/health -H "X-Request-Id: $quiet"
expect_code 200
before=$(workers_of "$M")
set_conf workers 2
set_conf log_level info
kill -HUP "$M"
wait_for workers_replaced 2 "$before" ||
	t_fail "after SIGHUP with workers = 2: children of $M are '$(workers_of "$M")'"
loud=it-loud-$RANDOM$RANDOM
http GET /v1/health -H "X-Request-Id: $loud"
expect_code 200
wait_for grep -qF "req=$loud " "$T/fcgi.log" || t_fail "log_level info again: req=$loud not logged"
grep -qF "req=$quiet " "$T/fcgi.log" && t_fail "with log_level = warn the INFO line for req=$quiet was still logged"
t_end

t_begin "process: SIGUSR1 (logrotate's signal) without log_file: master and workers survive, same pids"
before=$(workers_of "$M")
kill -USR1 "$M"
sleep 1
pid_alive "$M" || t_fail "SIGUSR1 killed the master $M"
expect_eq "workers after SIGUSR1" "$(workers_of "$M")" "$before"
for i in 1 2 3 4; do
	http GET /v1/health
	expect_code 200
done
expect_eq "workers after requests" "$(workers_of "$M")" "$before"
t_end

t_begin "process: max_requests recycles workers without failing a request"
before=$(workers_of "$M")
set_conf max_requests 5
kill -HUP "$M"
wait_for workers_replaced 2 "$before" || t_fail "SIGHUP with max_requests = 5 did not replace the workers"
first=$(workers_of "$M")
seen=" $first "
: >"$T/codes.recycle"
for _ in $(seq 40); do
	curl -s -o /dev/null --max-time 15 -w '%{http_code}\n' "$URL/v1/health" >>"$T/codes.recycle"
	for w in $(workers_of "$M"); do
		[[ $seen == *" $w "* ]] || seen="$seen$w "
	done
done
bad=$(non_200 recycle)
((bad == 0)) || t_fail "$bad of 40 requests failed while recycling ($(load_summary recycle))"
nseen=$(wc -w <<<"$seen")
((nseen >= 6)) || t_fail "40 requests with max_requests = 5 and 2 workers saw only $nseen worker pids: $seen"
expect_eq "master pid" "$(master_pid)" "$M"
before=$(workers_of "$M")
set_conf max_requests 0
kill -HUP "$M"
wait_for workers_replaced 2 "$before" || t_fail "SIGHUP with max_requests = 0 did not replace the workers"
t_end

t_begin "process: SIGTERM stops the master and its workers; the socket stops answering"
workers=$(workers_of "$M")
load_start term /v1/health
wait_for load_at_least term 5 || t_fail "load did not start"
kill -TERM "$M"
# shutdown_timeout is 5 s in the test config
WAIT_TIMEOUT=10 wait_for pid_gone "$M" || t_fail "master $M still runs 10 s after SIGTERM"
for w in $workers; do
	WAIT_TIMEOUT=10 wait_for pid_gone "$w" || t_fail "worker $w still runs after the master stopped"
done
load_stop term
sock_answers() {
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])' "$T/fcgi.sock" 2>/dev/null
}
sock_answers && t_fail "$T/fcgi.sock still accepts connections after SIGTERM"
http GET /v1/health
[[ $CODE != 200 ]] || t_fail "GET /v1/health still 200 after the master stopped"
grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' "$T/fcgi.log" &&
	t_fail "sanitizer report at shutdown: $(grep -m 3 -A 10 -E 'runtime error:|AddressSanitizer|LeakSanitizer' "$T/fcgi.log")"
rm -f "$T/fcgi.pid"
t_end

t_begin "process: SIGTERM under load drops no request that reached mxcep-fcgi"
# Requests answered 200 before the stop, then lighttpd's own 503 once the
# socket is gone. A 500/502 is a request lighttpd had handed over (accepted
# or queued on the listening socket) that was closed without an answer.
bad=$(grep -cvE '^(200|503)$' "$T/codes.term")
((bad == 0)) || t_fail "statuses during SIGTERM: $(load_summary term) (lighttpd: $(grep 'response not received' "$T/lighttpd.log" | tail -n 1))"
t_end

# start it again for the tests that follow
start_fcgi "$T" "$CONF" 2>"$T/setup.err" || bail "mxcep-fcgi restart: $(cat "$T/setup.err")"
wait_for health_200 || bail "after restarting mxcep-fcgi, GET /v1/health answers $CODE"

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

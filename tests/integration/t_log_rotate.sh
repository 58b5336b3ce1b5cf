# shellcheck shell=bash
# t_log_rotate: with log_file set, logrotate's way (mv the file, then
# SIGUSR1 to the pid in --pid-file) and SIGHUP make the master and every
# worker write to a new file, and the processes survive. A master of its
# own in $T/rot, behind a lighttpd of its own. Sourced by run.sh.

ROT=$T/rot
mkdir -p "$ROT"
cp "$CONF" "$ROT/mxcep.conf"
set_rot_conf() {
	if grep -q "^$1 *=" "$ROT/mxcep.conf"; then
		sed -i "s|^$1 *=.*|$1 = $2|" "$ROT/mxcep.conf"
	else
		echo "$1 = $2" >>"$ROT/mxcep.conf"
	fi
}
set_rot_conf workers 2
set_rot_conf log_file "$ROT/mxcep.log"
ROT_URL=

# rot_get ID: GET /v1/health through the rot lighttpd with X-Request-Id ID
rot_get() {
	CODE=$(curl -sS --max-time 10 -o "$T/body" -w '%{http_code}' \
		-H "X-Request-Id: $1" "$ROT_URL/v1/health" 2>/dev/null) || CODE=000
}
rot_health() { rot_get "it-rot-up-$RANDOM"; [[ $CODE == 200 ]]; }
# fd2_is PID FILE: stderr of PID is FILE (not a moved or deleted one)
fd2_is() { [[ $(readlink "/proc/$1/fd/2" 2>/dev/null) == "$2" ]]; }
all_fd2_are() {
	local p
	for p in "$@"; do
		[[ $p == "$1" ]] && continue
		fd2_is "$p" "$1" || return 1
	done
}
# the processes running with this config: the master and its workers only
rot_procs() { pgrep -f -- "--config $ROT/mxcep.conf" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
rot_procs_are() { [[ $(rot_procs) == "$1" ]]; }
sorted() { tr ' ' '\n' <<<"$*" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

t_begin "log rotation: mxcep-fcgi with log_file writes there, with its workers"
if start_fcgi "$ROT" "$ROT/mxcep.conf" 2>"$ROT/setup.err" &&
	ROT_PORT=$(free_port) && start_lighttpd "$ROT" "$ROT_PORT" "$ROT/fcgi.sock" 2>>"$ROT/setup.err"; then
	ROT_URL=http://127.0.0.1:$ROT_PORT
	wait_for rot_health || t_fail "GET /v1/health on the rot master: $CODE"
	RM=$(pid_of "$ROT/fcgi.pid")
	WAIT_TIMEOUT=15 wait_for test "$(worker_count "$RM")" = 2 || t_fail "rot master $RM has $(worker_count "$RM") workers"
	rid=it-rot-a-$RANDOM$RANDOM
	rot_get "$rid"
	expect_eq "status" "$CODE" 200
	wait_for grep -qF "req=$rid " "$ROT/mxcep.log" || t_fail "req=$rid not in log_file $ROT/mxcep.log"
	grep -qF "req=$rid " "$ROT/fcgi.log" && t_fail "req=$rid went to stderr too, with log_file set"
	all_fd2_are "$ROT/mxcep.log" "$RM" $(workers_of "$RM") || t_fail "not every process has log_file on fd 2"
else
	t_fail "rot stack did not start: $(cat "$ROT/setup.err")"
fi
t_end

# rotate SIGNAL: mv the file away, signal the master, then a request must
# land in a new file
rotate_check() {
	local sig=$1 n=$2 old_workers new rid i
	RM=$(pid_of "$ROT/fcgi.pid")
	old_workers=$(workers_of "$RM")
	mv "$ROT/mxcep.log" "$ROT/mxcep.log.$n"
	kill -"$sig" "$RM"
	if [[ $sig == HUP ]]; then
		# SIGHUP replaces the workers (config re-read): the master stays
		WAIT_TIMEOUT=20 wait_for workers_new 2 "$old_workers" ||
			t_fail "after SIGHUP: workers of $RM are '$(workers_of "$RM")' (before: $old_workers)"
	fi
	wait_for test -e "$ROT/mxcep.log" || t_fail "SIG$sig: no new $ROT/mxcep.log"
	new=$(workers_of "$RM")
	wait_for all_fd2_are "$ROT/mxcep.log" "$RM" $new ||
		t_fail "SIG$sig: fd 2 of master/workers: $(for p in $RM $new; do printf '%s->%s ' "$p" "$(readlink /proc/"$p"/fd/2)"; done)"
	for i in 1 2 3 4 5 6; do
		rid=it-rot-$sig-$i-$RANDOM$RANDOM
		rot_get "$rid"
		expect_eq "status after SIG$sig" "$CODE" 200
		wait_for grep -qF "req=$rid " "$ROT/mxcep.log" ||
			t_fail "SIG$sig: req=$rid not in the new $ROT/mxcep.log"
		grep -qF "req=$rid " "$ROT/mxcep.log.$n" && t_fail "SIG$sig: req=$rid went to the moved file"
	done
	pid_alive "$RM" || t_fail "SIG$sig killed the master $RM"
	expect_eq "master pid after SIG$sig" "$(pid_of "$ROT/fcgi.pid")" "$RM"
	if [[ $sig == USR1 ]]; then
		expect_eq "workers after SIGUSR1 (the same pids)" "$new" "$old_workers"
	fi
	# no orphan: exactly the master and its current workers run this config
	WAIT_TIMEOUT=10 wait_for rot_procs_are "$(sorted "$RM" "$new")" ||
		t_fail "SIG$sig: processes with the rot config: '$(rot_procs)', expected master $RM + workers '$new'"
}
workers_new() {
	local want=$1 old=" $2 " w
	[[ $(worker_count "$RM") == "$want" ]] || return 1
	for w in $(workers_of "$RM"); do
		[[ $old == *" $w "* ]] && return 1
	done
	return 0
}

t_begin "log rotation: mv + SIGUSR1 (logrotate): master and workers reopen log_file, same pids, no orphan"
if [[ -n $ROT_URL ]]; then
	rotate_check USR1 1
	grep -q "SIGUSR1: log_file reopened" "$ROT/mxcep.log" || t_fail "the master did not log its reopen in the new file"
else
	t_fail "no rot stack"
fi
t_end

t_begin "log rotation: mv + SIGHUP: the new file too, master stays, workers replaced, no orphan"
if [[ -n $ROT_URL ]]; then
	rotate_check HUP 2
else
	t_fail "no rot stack"
fi
t_end

t_begin "log rotation: SIGUSR1 twice in a row under load fails no request"
if [[ -n $ROT_URL ]]; then
	RM=$(pid_of "$ROT/fcgi.pid")
	: >"$T/codes.rotload"
	for i in $(seq 30); do
		((i == 10 || i == 20)) && { mv "$ROT/mxcep.log" "$ROT/mxcep.log.$i"; kill -USR1 "$RM"; }
		curl -s -o /dev/null --max-time 10 -w '%{http_code}\n' "$ROT_URL/v1/health" >>"$T/codes.rotload"
	done
	bad=$(grep -cv '^200$' "$T/codes.rotload")
	((bad == 0)) || t_fail "$bad of 30 requests failed around SIGUSR1 ($(load_summary rotload))"
	pid_alive "$RM" || t_fail "master $RM died"
else
	t_fail "no rot stack"
fi
stop_pidfile "$ROT/lighttpd.pid" 10
stop_pidfile "$ROT/fcgi.pid" 20
t_end

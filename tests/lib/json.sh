# shellcheck shell=bash
# tests/lib/json.sh: reading JSON files from the shell (sourced by services.sh).
#
#   json_get FILE PATH          print the value at PATH (dot-separated, numbers
#                               index arrays): strings raw, other values as
#                               Python's json.dumps. Status 1 if absent or not JSON.
#   json_py FILE EXPR [ARG...]  print(EXPR) with d = FILE's JSON, a = [ARG...]
#   json_schema SCHEMA FILE     FILE against tests/schemas/SCHEMA
#   json_shared_schema TOOL SCHEMA FILE
#                               FILE against SCHEMA by ../shared's checker TOOL
#   jsond_start DIR             start one tests/tools/json-helper that answers
#                               all of the above until jsond_stop, instead of
#                               a python3 per call (run.sh: hundreds per run)
#   jsond_stop
#
# Without jsond_start every call starts tests/tools/json-helper once (bench/
# and ./stack do that). With it, a helper that died or does not answer within
# JSOND_TIMEOUT (60) seconds fails the call (status 3), never passes it. The
# helper serves one request at a time: call these from the test shell and its
# command substitutions, not from concurrent background jobs.

JSON_HELPER=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/json-helper
: "${SVC_PY:=/usr/bin/python3}"
JSOND_PID=
JSOND_W=
JSOND_R=
: "${JSOND_TIMEOUT:=60}"

jsond_start() {
	local dir=$1
	rm -f "$dir/jsond.in" "$dir/jsond.out"
	mkfifo -m 0600 "$dir/jsond.in" "$dir/jsond.out" || return 1
	"$SVC_PY" "$JSON_HELPER" serve <"$dir/jsond.in" >"$dir/jsond.out" 2>"$dir/jsond.err" &
	JSOND_PID=$!
	# the helper opens in, then out: the same order here, or both block
	exec {JSOND_W}>"$dir/jsond.in" {JSOND_R}<"$dir/jsond.out"
}
jsond_stop() {
	[[ -n $JSOND_PID ]] || return 0
	exec {JSOND_W}>&- {JSOND_R}<&-
	kill "$JSOND_PID" 2>/dev/null
	wait "$JSOND_PID" 2>/dev/null
	JSOND_PID=
}

# jsond OP ARG...: one request to the running helper; its output on stdout and
# stderr, its status as ours, 3 when it does not answer
jsond() {
	local id="$BASHPID.$EPOCHREALTIME" rid st n m line IFS=$'\t'
	if [[ -z $JSOND_PID ]] || ! kill -0 "$JSOND_PID" 2>/dev/null; then
		echo "json-helper is not running (see jsond.err in the test dir)" >&2
		return 3
	fi
	printf '%s\n' "$id$IFS$*" >&"$JSOND_W" || {
		echo "json-helper: cannot send the request" >&2
		return 3
	}
	# an answer to another id is a stale one (a caller that gave up): skip it
	while :; do
		read -r -t "$JSOND_TIMEOUT" rid st n m <&"$JSOND_R" || {
			echo "json-helper: no answer within $JSOND_TIMEOUT s" >&2
			return 3
		}
		[[ $rid == "$id" && $st =~ ^[0-9]+$ && $n =~ ^[0-9]+$ && $m =~ ^[0-9]+$ ]] && break
		[[ $n =~ ^[0-9]+$ && $m =~ ^[0-9]+$ ]] || continue
		while ((n + m > 0)) && IFS= read -r -t "$JSOND_TIMEOUT" line <&"$JSOND_R"; do
			((n > 0)) && n=$((n - 1)) || m=$((m - 1))
		done
	done
	while ((n > 0)); do
		IFS= read -r -t "$JSOND_TIMEOUT" line <&"$JSOND_R" || return 3
		printf '%s\n' "$line"
		n=$((n - 1))
	done
	while ((m > 0)); do
		IFS= read -r -t "$JSOND_TIMEOUT" line <&"$JSOND_R" || return 3
		printf '%s\n' "$line" >&2
		m=$((m - 1))
	done
	return "$st"
}

# json_call OP ARG...: through the helper when it runs, else one python3
# (also for an argument with a tab or a newline, which a request cannot carry)
json_call() {
	if [[ -n $JSOND_PID && $* != *[$'\t\n']* ]]; then
		jsond "$@"
	else
		"$SVC_PY" "$JSON_HELPER" "$@"
	fi
}
json_get() { json_call get "$1" "$2"; }
json_py() { json_call py "$@"; }
json_schema() { json_call schema "$1" "$2"; }
json_shared_schema() { json_call shared-schema "$1" "$2" "$3"; }

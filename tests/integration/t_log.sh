# shellcheck shell=bash
# t_log: exactly one log line per request on stderr:
#   INFO req=<id> request: GET /v1/health status=200 ms=1.2 account=<uuid|->
# Sourced by run.sh.

log_lines() { grep -F "req=$1 " "$T/fcgi.log" 2>/dev/null; }
logged() { [[ -n $(log_lines "$1") ]]; }

t_begin "log: one line per request with req, method, path, status, ms, account"
rid=it-log-$RANDOM$RANDOM
http GET /v1/health -H "X-Request-Id: $rid"
expect_code 200
if wait_for logged "$rid"; then
	lines=$(log_lines "$rid")
	expect_eq "number of log lines for req=$rid" "$(printf '%s\n' "$lines" | wc -l)" 1
	expect_match "log line" "$lines" "INFO req=$rid request: GET /v1/health status=200 ms=[0-9]+(\.[0-9]+)? account=-( |$)"
else
	t_fail "no log line with req=$rid in $T/fcgi.log"
fi

rid=it-log-$RANDOM$RANDOM
vid=$(uuid)
http GET "/v1/validations/$vid" -H "X-Request-Id: $rid" -H "Authorization: Bearer $KEY_A"
expect_code 404
if wait_for logged "$rid"; then
	lines=$(log_lines "$rid")
	expect_eq "number of log lines for req=$rid" "$(printf '%s\n' "$lines" | wc -l)" 1
	expect_match "log line" "$lines" "req=$rid request: GET /v1/validations/$vid status=404 ms=[0-9]+(\.[0-9]+)? account=$ACC_A( |$)"
else
	t_fail "no log line with req=$rid in $T/fcgi.log"
fi

rid=it-log-$RANDOM$RANDOM
http DELETE /v1/health -H "X-Request-Id: $rid"
if wait_for logged "$rid"; then
	expect_match "log line" "$(log_lines "$rid")" "req=$rid request: DELETE /v1/health status=405 ms=[0-9.]+ account=-( |$)"
else
	t_fail "no log line for a 405 (req=$rid)"
fi

# a request without X-Request-Id is logged under the generated id
http GET /v1/health
rid=$(hdr X-Request-Id)
wait_for logged "$rid" || t_fail "generated request id $rid not in the log"
t_end

# 2026-05-04T17:03:09.123Z: RFC 3339, UTC
TS_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z '
# ts_near LINE: its timestamp is within 60 s of now
ts_near() {
	local t
	t=$(date -u -d "$(cut -d' ' -f1 <<<"$1" | sed 's/T/ /; s/Z$//')" +%s 2>/dev/null) || return 1
	(($(date -u +%s) - t <= 60 && t - $(date -u +%s) <= 60))
}

t_begin "log: every line starts with an RFC 3339 UTC timestamp; request lines name the client"
rid=it-log-ts-$RANDOM$RANDOM
http GET /v1/health -H "X-Request-Id: $rid"
expect_code 200
if wait_for logged "$rid"; then
	line=$(log_lines "$rid")
	expect_match "request log line" "$line" "${TS_RE}mxcep-fcgi\[[0-9]+\] INFO req=$rid request: GET /v1/health status=200 .* client=127\.0\.0\.1( |$)"
	ts_near "$line" || t_fail "timestamp of '$line' is not now (UTC)"
else
	t_fail "no log line with req=$rid in $T/fcgi.log"
fi
# the master's lines too (not only request lines)
line=$(grep -m 1 -E ' INFO master [0-9]+: ' "$T/fcgi.log")
expect_match "master log line" "$line" "${TS_RE}mxcep-fcgi\[[0-9]+\] INFO master [0-9]+: "
# mxcep-runner's lines share the format
out=$("$MXCEP_TOP_BUILDDIR/mxcep-runner" --config "$CONF" --once 2>&1 >/dev/null)
line=$(grep -m 1 ' pass: ' <<<"$out")
expect_match "mxcep-runner log line" "$line" "${TS_RE}mxcep-runner\[[0-9]+\] INFO pass: "
t_end

t_begin "log: mxcep-runner writes to log_file when it is set"
mkdir -p "$T/runlog"
cp "$CONF" "$T/runlog/mxcep.conf"
echo "log_file = $T/runlog/runner.log" >>"$T/runlog/mxcep.conf"
out=$("$MXCEP_TOP_BUILDDIR/mxcep-runner" --config "$T/runlog/mxcep.conf" --once 2>&1)
rc=$?
expect_eq "mxcep-runner exit status" "$rc" 0
[[ -z $out ]] || t_fail "mxcep-runner with log_file still wrote to stderr: $out"
grep -qE "${TS_RE}mxcep-runner\[[0-9]+\] INFO pass: " "$T/runlog/runner.log" 2>/dev/null ||
	t_fail "no pass line in $T/runlog/runner.log: $(cat "$T/runlog/runner.log" 2>&1)"
t_end

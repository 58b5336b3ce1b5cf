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

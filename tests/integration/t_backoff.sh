# shellcheck shell=bash
# t_backoff: the Banxico back-off made visible: GET /v1/health tells its
# state, since and until when, and why; one log line at its start and
# one at its end (ran out, or cleared); `mxcep-admin backoff show|clear`.
# Banxico throttles us through the simulator's throttled/captcha modes.
# Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

# log_count TEXT: lines of the mxcep-fcgi log containing TEXT
log_count() { grep -cF -e "$1" "$T/fcgi.log"; }
# health_backoff: GET /v1/health, 200, its banxico.backoff.state in $BSTATE
health_backoff() {
	http GET /v1/health
	expect_code 200
	BSTATE=$(jget data.attributes.banxico.backoff.state) || BSTATE="<absent>"
}
# a back-off long enough to look at: 120 s here (2 s in the test config)
set_conf banxico_backoff_seconds 120
restart_fcgi 2>"$T/restart.err" || t_fail "mxcep-fcgi restart: $(cat "$T/restart.err")"
wait_for health_200 || t_fail "mxcep-fcgi did not come back after the restart"
clear_backoff

t_begin "backoff: health says none when Banxico has not throttled us; mxcep-admin backoff show agrees"
health_backoff
expect_eq "banxico.backoff.state" "$BSTATE" none
expect_json data.attributes.banxico.backoff.until null
expect_json data.attributes.banxico.backoff.since null
expect_json data.attributes.banxico.backoff.reason null
expect_json data.attributes.status ok
out=$(admin backoff show 2>&1) || t_fail "mxcep-admin backoff show: exit $?: $out"
expect_eq "backoff show" "$out" "state: none"
t_end

t_begin "backoff: a throttled answer starts it: health shows since/until/why, one log line, show agrees"
new_transfer
s0=$(log_count "Banxico back-off started")
sim_mode '{"mode":"throttled","count":1}'
t0=$(date -u +%s)
validate "$TR_BODY"
expect_validation cep_unavailable banxico_throttled
vid=$(jget data.id) || vid=
health_backoff
expect_eq "banxico.backoff.state" "$BSTATE" active
until=$(jget data.attributes.banxico.backoff.until) || until=
since=$(jget data.attributes.banxico.backoff.since) || since=
u=$(date -u -d "$until" +%s 2>/dev/null) || u=0
s=$(date -u -d "$since" +%s 2>/dev/null) || s=0
((s >= t0 - 1 && s <= t0 + 10)) || t_fail "since $since: expected about $(date -u -d "@$t0" +%FT%TZ)"
expect_eq "until - since" "$((u - s))" 120
expect_match "remaining_seconds" "$(jget data.attributes.banxico.backoff.remaining_seconds)" '^(1[01][0-9]|120)$'
expect_match "reason" "$(jget data.attributes.banxico.backoff.reason)" "throttled.*$vid"
# the status stays ok: only Banxico queries are paused
expect_json data.attributes.status ok
# more throttled-era requests do not start it again
validate "$TR_BODY"
expect_validation cep_unavailable banxico_backoff
health_backoff
expect_json data.attributes.banxico.backoff.until "$until"
expect_eq "'back-off started' log lines" "$(log_count "Banxico back-off started")" $((s0 + 1))
grep -F "Banxico back-off started" "$T/fcgi.log" | tail -n 1 | grep -qF "until $until" ||
	t_fail "start line: $(grep -F "Banxico back-off started" "$T/fcgi.log" | tail -n 1)"
out=$(admin backoff show 2>&1) || t_fail "mxcep-admin backoff show: exit $?: $out"
expect_match "backoff show" "$out" "^state: active"$'\n'"since: $since"$'\n'"until: $until"$'\n'"remaining: [0-9]+ s"$'\n'"reason: .*throttled.*$vid"
t_end

t_begin "backoff: mxcep-admin backoff clear ends it at once for every process; one log line; queries resume"
c0=$(valida_count)
out=$(admin backoff clear 2>"$T/clear.err") || t_fail "mxcep-admin backoff clear: exit $?: $out $(cat "$T/clear.err")"
expect_match "backoff clear" "$out" "^cleared: the back-off since $since would have lasted until $until$"
expect_eq "clear's log line" "$(grep -c 'Banxico back-off ended: cleared by an operator' "$T/clear.err")" 1
health_backoff
expect_eq "banxico.backoff.state after clear" "$BSTATE" none
expect_json data.attributes.banxico.backoff.until null
out=$(admin backoff show 2>&1) || t_fail "mxcep-admin backoff show: exit $?: $out"
expect_eq "backoff show after clear" "$out" "state: none"
validate "$TR_BODY"
expect_validation valid
expect_eq "valida.do after the clear" "$(valida_count)" $((c0 + 1))
out=$(admin backoff clear 2>&1) || t_fail "second clear: exit $?: $out"
expect_eq "second clear" "$out" "no back-off in force"
t_end

t_begin "backoff: two queries throttled at once start one back-off: one log line"
clear_backoff
new_transfer
s0=$(log_count "Banxico back-off started")
# both queries reach Banxico before either answer comes back
sim_mode '{"mode":"throttled","delay_ms":1000,"count":2}'
par=()
for i in 1 2; do
	curl -s -o "$T/par$i.body" --max-time 20 -X POST "$URL/v1/validate" -H "Authorization: Bearer $KEY_A" \
		-H 'Content-Type: application/vnd.api+json' --data-binary "$TR_BODY" &
	par+=($!)
done
wait "${par[@]}"
for i in 1 2; do
	expect_eq "validation $i" "$(json_get "$T/par$i.body" data.attributes.error_code)" banxico_throttled
done
expect_eq "'back-off started' log lines" "$(log_count "Banxico back-off started")" $((s0 + 1))
health_backoff
expect_eq "banxico.backoff.state" "$BSTATE" active
out=$(admin backoff clear 2>/dev/null) || t_fail "mxcep-admin backoff clear: $out"
t_end

t_begin "backoff: mxcep-admin backoff: a wrong verb or an argument is a usage error (exit 2)"
admin backoff >/dev/null 2>&1
expect_eq "backoff without a verb: exit" "$?" 2
admin backoff stop >/dev/null 2>&1
expect_eq "backoff stop: exit" "$?" 2
admin backoff show now >/dev/null 2>&1
expect_eq "backoff show now: exit" "$?" 2
t_end

# back to the test config's 2 s pause, to watch one run out
set_conf banxico_backoff_seconds 2
restart_fcgi 2>"$T/restart.err" || t_fail "mxcep-fcgi restart: $(cat "$T/restart.err")"
wait_for health_200 || t_fail "mxcep-fcgi did not come back after the restart"

t_begin "backoff: a captcha starts it too; when it runs out its end is logged once, whoever sees it"
new_transfer
s0=$(log_count "Banxico back-off started")
e0=$(log_count "Banxico back-off ended: it ran out")
sim_mode '{"mode":"captcha","count":1}'
validate "$TR_BODY"
expect_validation cep_unavailable banxico_throttled
health_backoff
expect_eq "banxico.backoff.state" "$BSTATE" active
expect_match "reason" "$(jget data.attributes.banxico.backoff.reason)" 'captcha'
expect_eq "'back-off started' log lines" "$(log_count "Banxico back-off started")" $((s0 + 1))
WAIT_TIMEOUT=10 wait_for backoff_over || t_fail "the pause did not end within 10 s"
# every reader after the end may notice it; one says so
for i in 1 2 3 4; do
	health_backoff
	expect_eq "banxico.backoff.state after the end" "$BSTATE" none
done
validate "$TR_BODY"
expect_validation valid
expect_eq "'ran out' log lines" "$(log_count "Banxico back-off ended: it ran out")" $((e0 + 1))
t_end
clear_backoff

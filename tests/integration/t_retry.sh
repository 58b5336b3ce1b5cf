# shellcheck shell=bash
# t_retry: retry cycles (issue 5) against the simulator, with
# `mxcep-runner --once --now <later>` standing in for the wait between
# attempts: resolution after the 2nd retry, exhaustion after exactly
# max_retries, cancel mid-cycle, policies and their errors, the account
# default, two runners on 1,000 due attempts, a runner SIGKILLed
# mid-attempt. Every retry_state is checked against the shared schemas.
# Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

# with_policy BODY POLICY_JSON: BODY with "retry_policy": POLICY_JSON
with_policy() { printf '%s,"retry_policy":%s}' "${1%\}}" "$2"; }
POL3='{"enabled":true,"max_retries":3,"interval_seconds":300,"outcomes":["not_found"]}'
POL2='{"enabled":true,"max_retries":2,"interval_seconds":300,"outcomes":["not_found","error"]}'
rget() { http "$1" "$2" -H "Authorization: Bearer $KEY_A" "${@:3}"; }
rput() { http PUT "$1" -H "Authorization: Bearer $KEY_A" -H 'Content-Type: application/json' --data-binary "$2"; }
attempts() { rget GET "/v1/validations/$1/retry-attempts"; }
retry_col() { db "SELECT $2 FROM validations WHERE id = '$1'"; }
clear_backoff

t_begin "retry: a transfer that appears after the 2nd retry ends resolved/valid with 2 attempts"
new_transfer '"appears_after_queries":2'
c0=$(valida_count)
validate "$(with_policy "$TR_BODY" "$POL3")"
expect_validation not_found
rid=$(jget data.id) || rid=
expect_json data.attributes.retry_state.enabled true
expect_json data.attributes.retry_state.max_retries 3
expect_json data.attributes.retry_state.interval_seconds 300
expect_json data.attributes.retry_state.outcomes '["not_found"]'
expect_json data.attributes.retry_state.terminal_state pending
expect_json data.attributes.retry_state.attempts_completed 0
next=$(jget data.attributes.retry_state.next_attempt_at)
created=$(jget data.attributes.completed_at)
expect_eq "next_attempt_at - completed_at" "$(($(date -u -d "$next" +%s) - $(date -u -d "$created" +%s)))" 300
# not due yet
runner "$T/runner-r0.log" --once --now "$(at_plus 60)" || t_fail "runner: $(tail -n 3 "$T/runner-r0.log")"
expect_eq "valida.do before the first retry is due" "$(valida_count)" $((c0 + 1))
runner "$T/runner-r1.log" --once --now "$(at_plus 400)" || t_fail "runner: $(tail -n 3 "$T/runner-r1.log")"
get_validation "$rid"
expect_validation not_found
expect_json data.attributes.retry_state.attempts_completed 1
expect_json data.attributes.retry_state.terminal_state pending
e1=$(jget data.attributes.etag_version)
runner "$T/runner-r2.log" --once --now "$(at_plus 800)" || t_fail "runner: $(tail -n 3 "$T/runner-r2.log")"
grep -q ', 1 retries' "$T/runner-r2.log" || t_fail "pass line: $(grep 'pass:' "$T/runner-r2.log")"
get_validation "$rid"
expect_validation valid
expect_json data.attributes.retry_state.attempts_completed 2
expect_json data.attributes.retry_state.terminal_state resolved
expect_json data.attributes.retry_state.next_attempt_at null
expect_match "resolved_at" "$(jget data.attributes.retry_state.resolved_at)" '^[0-9-]{10}T[0-9:]{8}Z$'
(($(jget data.attributes.etag_version) > e1)) || t_fail "etag_version did not move after the retry"
expect_eq "valida.do queries" "$(valida_count)" $((c0 + 3))
attempts "$rid"
expect_code 200
expect_json meta.total 2
expect_json data.0.attributes.attempt 1
expect_json data.0.attributes.outcome not_found
expect_json data.1.attributes.attempt 2
expect_json data.1.attributes.outcome valid
expect_json data.1.attributes.banxico_status found
expect_match "duration_ms" "$(jget data.1.attributes.duration_ms)" '^[0-9]+$'
expect_match "started_at" "$(jget data.1.attributes.started_at)" '^[0-9-]{10}T[0-9:]{8}Z$'
runner "$T/runner-r3.log" --once --now "$(at_plus 1600)" || t_fail "runner: $(tail -n 3 "$T/runner-r3.log")"
expect_eq "valida.do after resolution" "$(valida_count)" $((c0 + 3))
t_end

t_begin "retry: a transfer that never appears ends exhausted after exactly max_retries"
c0=$(valida_count)
validate "$(with_policy "$(unknown_body)" "$POL2")"
expect_validation not_found
xid=$(jget data.id) || xid=
for s in 400 800 1200 1600; do
	runner "$T/runner-x$s.log" --once --now "$(at_plus $s)" || t_fail "runner: $(tail -n 3 "$T/runner-x$s.log")"
done
get_validation "$xid"
expect_validation not_found
expect_json data.attributes.retry_state.attempts_completed 2
expect_json data.attributes.retry_state.terminal_state exhausted
expect_json data.attributes.retry_state.next_attempt_at null
expect_match "exhausted_at" "$(jget data.attributes.retry_state.exhausted_at)" '^[0-9-]{10}T[0-9:]{8}Z$'
expect_eq "valida.do queries (1 + max_retries)" "$(valida_count)" $((c0 + 3))
attempts "$xid"
expect_json meta.total 2
rput "/v1/validations/$xid/retry-policy" "$POL3"
expect_error 409 retry_cycle_finished
http POST "/v1/validations/$xid/cancel-retries" --data-binary '' -H "Authorization: Bearer $KEY_A"
expect_error 409 retry_cycle_finished
t_end

t_begin "retry: cancel mid-cycle stops it (no more simulator queries); twice gives the same answer"
c0=$(valida_count)
validate "$(with_policy "$(unknown_body)" "$POL3")"
cid=$(jget data.id) || cid=
runner "$T/runner-c1.log" --once --now "$(at_plus 400)" || t_fail "runner: $(tail -n 3 "$T/runner-c1.log")"
expect_eq "valida.do after retry 1" "$(valida_count)" $((c0 + 2))
http POST "/v1/validations/$cid/cancel-retries" --data-binary '' -H "Authorization: Bearer $KEY_A"
expect_validation not_found
expect_json data.attributes.retry_state.terminal_state cancelled
expect_json data.attributes.retry_state.next_attempt_at null
expect_json data.attributes.retry_state.attempts_completed 1
first=$(json_get "$T/body" data.attributes.retry_state)
expect_match "cancelled_at" "$(jget data.attributes.retry_state.cancelled_at)" '^[0-9-]{10}T[0-9:]{8}Z$'
http POST "/v1/validations/$cid/cancel-retries" --data-binary '' -H "Authorization: Bearer $KEY_A"
expect_code 200
expect_eq "retry_state of the second cancel" "$(json_get "$T/body" data.attributes.retry_state)" "$first"
for s in 800 1200 1600 2000; do
	runner "$T/runner-c$s.log" --once --now "$(at_plus $s)" || t_fail "runner: $(tail -n 3 "$T/runner-c$s.log")"
done
expect_eq "valida.do after the cancel" "$(valida_count)" $((c0 + 2))
expect_eq "queued retries" "$(db "SELECT COUNT(*) FROM jobs WHERE validation_id = '$cid' AND state <> 'done'")" 0
attempts "$cid"
expect_json meta.total 1
rput "/v1/validations/$cid/retry-policy" "$POL3"
expect_error 409 retry_cycle_finished
t_end

t_begin "retry: a retry's processing_time_ms counts real milliseconds from the enqueue"
pids=()
for i in 1 2 3; do
	validate "$(with_policy "$(unknown_body)" "$POL3")"
	expect_validation not_found
	pids+=("$(jget data.id)")
done
runner "$T/runner-p400.log" --once --now "$(at_plus 400)" || t_fail "runner: $(tail -n 3 "$T/runner-p400.log")"
whole=0
for id in "${pids[@]}"; do
	get_validation "$id"
	expect_json data.attributes.retry_state.attempts_completed 1
	ms=$(jget data.attributes.processing_time_ms) || ms=
	if [[ ! $ms =~ ^[0-9]+$ ]] || ((ms < 399000 || ms > 420000)); then
		t_fail "processing_time_ms of $id after the retry at +400 s: '$ms'"
	fi
	[[ $ms == *000 ]] && whole=$((whole + 1))
done
# each is a multiple of 1000 by chance with odds 1 in 1000
((whole < 3)) || t_fail "processing_time_ms of the retries in whole seconds"
for id in "${pids[@]}"; do
	rget POST "/v1/validations/$id/cancel-retries" --data-binary ''
done
t_end

t_begin "retry: deleting a validation ends its cycle cancelled (no more simulator queries)"
c0=$(valida_count)
validate "$(with_policy "$(unknown_body)" "$POL3")"
did=$(jget data.id) || did=
expect_eq "terminal_state before" "$(retry_col "$did" retry_terminal_state)" pending
http DELETE "/v1/validations/$did" -H "Authorization: Bearer $KEY_A"
expect_code 204
expect_eq "terminal_state after the delete" "$(retry_col "$did" retry_terminal_state)" cancelled
expect_eq "queued retries" "$(db "SELECT COUNT(*) FROM jobs WHERE validation_id = '$did' AND state <> 'done'")" 0
rget GET "/v1/validations/$did"
expect_code 200
expect_json data.attributes.is_deleted true
expect_json data.attributes.retry_state.terminal_state cancelled
for s in 400 800; do
	runner "$T/runner-d$s.log" --once --now "$(at_plus $s)" || t_fail "runner: $(tail -n 3 "$T/runner-d$s.log")"
done
expect_eq "valida.do after the delete" "$(valida_count)" $((c0 + 1))
http DELETE "/v1/validations/$did" -H "Authorization: Bearer $KEY_A"
expect_code 204
t_end

t_begin "retry: the delete and the end of the cycle are one transaction (a failing cancel leaves the record undeleted)"
c0=$(valida_count)
validate "$(with_policy "$(unknown_body)" "$POL3")"
tid=$(jget data.id) || tid=
# make ending this record's cycle fail inside MariaDB
mariadb --no-defaults -uroot --socket="$T/mariadb.sock" mxcep <<EOF || t_fail "could not create the test trigger"
DELIMITER //
CREATE TRIGGER it_refuse_cancel BEFORE UPDATE ON validations FOR EACH ROW
BEGIN
  IF NEW.id = '$tid' AND NEW.retry_terminal_state <=> 'cancelled'
     AND NOT (OLD.retry_terminal_state <=> 'cancelled') THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'it: cancel refused';
  END IF;
END//
DELIMITER ;
EOF
http DELETE "/v1/validations/$tid" -H "Authorization: Bearer $KEY_A"
expect_error 500 internal_error
expect_eq "deleted_at after the failed delete" "$(retry_col "$tid" "COALESCE(deleted_at, 'NULL')")" NULL
expect_eq "terminal_state after the failed delete" "$(retry_col "$tid" retry_terminal_state)" pending
db "DROP TRIGGER IF EXISTS it_refuse_cancel" || t_fail "could not drop the test trigger"
http DELETE "/v1/validations/$tid" -H "Authorization: Bearer $KEY_A"
expect_code 204
expect_eq "terminal_state after the delete" "$(retry_col "$tid" retry_terminal_state)" cancelled
expect_match "cancelled_at after the delete" "$(retry_col "$tid" retry_cancelled_at)" '^[0-9-]{10} [0-9:]{8}$'
expect_match "deleted_at after the delete" "$(retry_col "$tid" deleted_at)" '^[0-9-]{10} [0-9:]{8}$'
runner "$T/runner-t400.log" --once --now "$(at_plus 400)" || t_fail "runner: $(tail -n 3 "$T/runner-t400.log")"
expect_eq "valida.do after the delete" "$(valida_count)" $((c0 + 1))
t_end

t_begin "retry: retry_policy errors are 422 naming the field; the cap is stated"
for case in 'interval_seconds":299|interval_seconds|invalid_attribute' \
	'max_retries":6|max_retries|max_retries_over_cap' \
	'max_retries":0|max_retries|invalid_attribute' \
	'outcomes":["valid"]|outcomes|invalid_attribute'; do
	IFS='|' read -r frag field code <<<"$case"
	key=${frag%%\"*}
	val=${frag#*:}
	pol=$("$PY" -c 'import json, sys
p = {"enabled": True, "max_retries": 2, "interval_seconds": 300, "outcomes": ["not_found"]}
p[sys.argv[1]] = json.loads(sys.argv[2])
print(json.dumps(p))' "$key" "$val")
	validate "$(with_policy "$(unknown_body)" "$pol")"
	expect_error 422 "$code"
	expect_json errors.0.source.pointer "/retry_policy/$field"
done
validate "$(with_policy "$(unknown_body)" '{"enabled":true,"max_retries":9,"interval_seconds":300,"outcomes":["error"]}')"
expect_match "cap detail" "$(jget errors.0.detail)" 'at most 5'
validate "$(with_policy "$(unknown_body)" '"often"')"
expect_error 422 invalid_attribute
expect_json errors.0.source.pointer /retry_policy
t_end

t_begin "retry: account default policy (GET/PUT /v1/retry-policy), queued and list shapes"
rget GET /v1/retry-policy
expect_code 200
expect_json data.type retry_policy
expect_json data.attributes.enabled false
expect_json data.attributes.max_retries_cap 5
rput /v1/retry-policy '{"data":{"type":"retry_policy","attributes":{"enabled":true,"max_retries":7,"interval_seconds":600,"outcomes":["cep_unavailable"]}}}'
expect_error 422 max_retries_over_cap
expect_json errors.0.source.pointer /data/attributes/max_retries
rput /v1/retry-policy '{"enabled":true,"max_retries":4,"interval_seconds":600,"outcomes":["cep_unavailable","not_found"]}'
expect_code 200
expect_json data.attributes.outcomes '["not_found", "cep_unavailable"]'
http PUT /v1/retry-policy -H "Authorization: Bearer $(new_key "$ACC_A" validations:read)" \
	-H 'Content-Type: application/json' --data-binary "$POL3"
expect_error 403 insufficient_scope
validate "$(unknown_body)" "?async=1"
expect_code 202
expect_schema validation-queued.json
expect_json data.attributes.retry_state.enabled true
expect_json data.attributes.retry_state.max_retries 4
expect_json data.attributes.retry_state.interval_seconds 600
qid=$(jget data.attributes.validation_id) || qid=
wait_final "$qid" || t_fail "the async validation never finished"
expect_validation not_found
expect_json data.attributes.retry_state.terminal_state pending
rget GET "/v1/validations?per_page=5"
expect_code 200
expect_schema validation-list.json
expect_json data.0.attributes.retry_state.max_retries null
# its cycle must not run in the later tests' passes
http POST "/v1/validations/$qid/cancel-retries" --data-binary '' -H "Authorization: Bearer $KEY_A"
expect_validation not_found
rput /v1/retry-policy '{"enabled":false}'
expect_code 200
expect_json data.attributes.max_retries null
validate "$(unknown_body)"
expect_validation not_found
expect_json data.attributes.retry_state.enabled false
expect_json data.attributes.retry_state.terminal_state null
http POST "/v1/validations/$(jget data.id)/cancel-retries" --data-binary '' -H "Authorization: Bearer $KEY_A"
expect_error 409 retry_cycle_not_active
t_end

t_begin "retry: PUT /v1/validations/{id}/retry-policy starts, moves and stops a cycle"
validate "$(unknown_body)"
pid_=$(jget data.id) || pid_=
rput "/v1/validations/$pid_/retry-policy" "$POL2"
expect_validation not_found
expect_json data.attributes.retry_state.terminal_state pending
expect_json data.attributes.retry_state.max_retries 2
expect_eq "queued retry" "$(db "SELECT CONCAT(kind, ':', attempt, ':', state) FROM jobs WHERE validation_id = '$pid_' AND kind = 'retry'")" retry:1:queued
rput "/v1/validations/$pid_/retry-policy" '{"enabled":false}'
expect_validation not_found
expect_json data.attributes.retry_state.enabled false
expect_json data.attributes.retry_state.max_retries null
expect_json data.attributes.retry_state.terminal_state null
expect_eq "retry job" "$(db "SELECT state FROM jobs WHERE validation_id = '$pid_' AND kind = 'retry'")" done
rput "/v1/validations/$pid_/retry-policy" "$POL2"
expect_json data.attributes.retry_state.terminal_state pending
expect_eq "retry job queued again" "$(db "SELECT state FROM jobs WHERE validation_id = '$pid_' AND kind = 'retry'")" queued
rput "/v1/validations/00000000-0000-4000-8000-000000000000/retry-policy" "$POL2"
expect_error 404 validation_not_found
http POST "/v1/validations/$pid_/cancel-retries" --data-binary '' -H "Authorization: Bearer $KEY_B"
expect_error 404 validation_not_found
http POST "/v1/validations/$pid_/cancel-retries" --data-binary '' -H "Authorization: Bearer $KEY_A"
expect_json data.attributes.retry_state.terminal_state cancelled
attempts "$pid_"
expect_json meta.total 0
t_end

t_begin "retry: a runner SIGKILLed mid-attempt; the attempt runs again after its lease, once"
validate "$(with_policy "$(unknown_body)" "$POL2")"
kid=$(jget data.id) || kid=
sim_mode '{"mode":"slow","delay_ms":4000,"scope":"valida","count":1}'
c0=$(valida_count)
"$RUNNER" --config "$CONF" --once --now "$(at_plus 400)" >"$T/runner-k.log" 2>&1 &
rpid=$!
rowner=
rleased() {
	rowner=$(db "SELECT lease_owner FROM jobs WHERE validation_id = '$kid' AND kind = 'retry' AND state = 'running'")
	[[ -n $rowner ]]
}
if wait_for rleased; then
	[[ ${rowner##*:} == "$rpid" ]] || t_fail "lease owner $rowner is not the runner $rpid"
else
	t_fail "the retry was never claimed: $(tail -n 3 "$T/runner-k.log")"
fi
kill -KILL "$rpid" 2>/dev/null
wait "$rpid" 2>/dev/null
wait_for valida_count_is $((c0 + 1)) || t_fail "the simulator never saw the killed runner's query"
expect_eq "attempts after the kill" "$(retry_col "$kid" retry_attempts_completed)" 0
runner "$T/runner-k2.log" --once --now "$(at_plus 420)" || t_fail "runner: $(tail -n 3 "$T/runner-k2.log")"
expect_eq "valida.do within the lease" "$(valida_count)" $((c0 + 1))
runner "$T/runner-k3.log" --once --now "$(at_plus 600)" || t_fail "runner: $(tail -n 3 "$T/runner-k3.log")"
expect_eq "valida.do after the lease" "$(valida_count)" $((c0 + 2))
expect_eq "job" "$(db "SELECT CONCAT(state, ':', tries) FROM jobs WHERE validation_id = '$kid' AND kind = 'retry' AND attempt = 1")" done:2
get_validation "$kid"
expect_validation not_found
expect_json data.attributes.retry_state.attempts_completed 1
expect_json data.attributes.retry_state.terminal_state pending
attempts "$kid"
expect_json meta.total 2
expect_json data.0.attributes.outcome not_found
expect_json data.1.attributes.outcome null
# no cycle may be left pending for the tests that follow (t_runner counts jobs)
http POST "/v1/validations/$kid/cancel-retries" --data-binary '' -H "Authorization: Bearer $KEY_A"
expect_json data.attributes.retry_state.terminal_state cancelled
expect_eq "retry jobs not done" "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'retry' AND state <> 'done'")" 0
t_end

t_begin "retry: two runners started together on 1,000 due attempts run each exactly once"
tag=MXRTY$$R$RANDOM
N=1000
db "INSERT INTO validations (id, account_id, status, fecha, clave_rastreo, emisor, receptor, cuenta, monto,
		request_data, created_at, updated_at, completed_at, enqueued_at, expires_at, etag_version,
		retry_enabled, retry_max_retries, retry_interval_seconds, retry_outcomes,
		retry_next_attempt_at, retry_terminal_state)
	SELECT CONCAT('00000000-0000-4000-a', LPAD(seq, 3, '0'), '-', LPAD($RANDOM, 12, '0')), '$ACC_A', 'not_found',
		'$VFECHA', CONCAT('$tag', 'N', seq), '40012', '90646', '646180157048010399', 100.00, '{}',
		UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 HOUR, 3,
		1, 1, 300, '[\"not_found\"]', UTC_TIMESTAMP(), 'pending'
	FROM seq_0_to_$((N - 1));
	INSERT INTO jobs (validation_id, kind, attempt, state, run_after, tries, created_at)
	SELECT id, 'retry', 1, 'queued', UTC_TIMESTAMP(), 0, UTC_TIMESTAMP() FROM validations WHERE clave_rastreo LIKE '${tag}N%';
	INSERT INTO retry_attempts (validation_id, attempt, scheduled_at)
	SELECT id, 1, UTC_TIMESTAMP() FROM validations WHERE clave_rastreo LIKE '${tag}N%'" ||
	t_fail "could not insert the attempts"
c0=$(valida_count)
timeout 300 "$RUNNER" --config "$CONF" --once --max-seconds 250 >"$T/runner-ra.log" 2>&1 &
pa=$!
timeout 300 "$RUNNER" --config "$CONF" --once --max-seconds 250 >"$T/runner-rb.log" 2>&1 &
pb=$!
wait "$pa"
ra=$?
wait "$pb"
rb=$?
expect_eq "runner a exit" "$ra" 0
expect_eq "runner b exit" "$rb" 0
rdone() { sed -n 's/.*, \([0-9]*\) retries,.*/\1/p' "$1" | head -n 1; }
da=$(rdone "$T/runner-ra.log")
db_=$(rdone "$T/runner-rb.log")
echo "# runner a ran $da attempts, runner b $db_; $(grep -ho '[0-9.]* s in Banxico queries of [0-9.]* s' "$T/runner-ra.log")"
expect_eq "attempts run by both runners together ($da + $db_)" "$((${da:-0} + ${db_:-0}))" "$N"
((${da:-0} > 0 && ${db_:-0} > 0)) || t_fail "one runner did all the work ($da / $db_)"
sel="FROM validations v JOIN jobs j ON j.validation_id = v.id AND j.kind = 'retry' WHERE v.clave_rastreo LIKE '${tag}N%'"
expect_eq "valida.do queries" "$(valida_count)" $((c0 + N))
expect_eq "retry jobs done, tries 1" "$(db "SELECT COUNT(*) $sel AND j.state = 'done' AND j.tries = 1")" "$N"
expect_eq "exhausted after their one retry" "$(db "SELECT COUNT(*) $sel AND v.retry_terminal_state = 'exhausted' AND v.retry_attempts_completed = 1")" "$N"
expect_eq "attempts recorded" "$(db "SELECT COUNT(*) FROM retry_attempts ra JOIN validations v ON v.id = ra.validation_id WHERE v.clave_rastreo LIKE '${tag}N%' AND ra.finished_at IS NOT NULL AND ra.status = 'not_found'")" "$N"
expect_eq "etag_version 4 each" "$(db "SELECT COUNT(*) $sel AND v.etag_version = 4")" "$N"
t_end
clear_backoff

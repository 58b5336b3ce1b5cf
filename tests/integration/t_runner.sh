# shellcheck shell=bash
# t_runner: mxcep-runner and the job queue: a worker killed mid-job, two
# runners on 200 due jobs, MariaDB stopped mid-job, queue expiry, the
# idempotency purge. "--now <after the lease>" stands in for waiting out
# the lease (banxico_timeout_ms/1000 + 33 s = 36 s here). Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

# terminal_once ID: the validation finished exactly once: its job is done,
# one "validation ID: <status>" line in every log, etag_version 3
# (created 1, started 2, finished 3)
terminal_once() {
	local id=$1 n
	n=$(cat "$T"/fcgi.log "$T"/runner-*.log 2>/dev/null | grep -c "validation $id: ")
	expect_eq "log lines finishing $id" "$n" 1
	expect_eq "job state" "$(db "SELECT state FROM jobs WHERE validation_id = '$id'")" "done"
	expect_eq "etag_version" "$(db "SELECT etag_version FROM validations WHERE id = '$id'")" 3
}

t_begin "runner: usage: bad --now is refused; an empty queue is a clean pass"
[[ -x $RUNNER ]] || t_fail "$RUNNER is not built"
runner "$T/runner-usage.log" --once --now yesterday && t_fail "--now yesterday accepted"
runner "$T/runner-empty.log" --once || t_fail "mxcep-runner --once: $(tail -n 5 "$T/runner-empty.log")"
grep -q 'pass: 0 due, 0 expired' "$T/runner-empty.log" || t_fail "no pass line: $(tail -n 3 "$T/runner-empty.log")"
t_end

t_begin "runner: a worker SIGKILLed mid-job; mxcep-runner --once --now <after the lease> finishes the job once"
new_transfer
# the worker's query hangs 4 s in the simulator; it is killed long before
sim_mode '{"mode":"slow","delay_ms":4000,"scope":"valida","count":1}'
c0=$(valida_count)
M=$(master_pid)
validate "$TR_BODY" "?async=1"
expect_code 202
kid=$(jget data.id) || kid=
owner=
leased() {
	owner=$(db "SELECT lease_owner FROM jobs WHERE validation_id = '$kid' AND state = 'running'")
	[[ -n $owner ]] && db_status_is "$kid" processing
}
if wait_for leased; then
	wpid=${owner##*:}
	if workers_of "$M" | tr ' ' '\n' | grep -qx "$wpid"; then
		kill -KILL "$wpid"
		wait_for pid_gone "$wpid" || t_fail "worker $wpid survived SIGKILL"
	else
		t_fail "lease owner $owner is not a worker of master $M ($(workers_of "$M"))"
	fi
else
	t_fail "the async job was never leased (job: $(db "SELECT state, lease_owner FROM jobs WHERE validation_id = '$kid'"))"
fi
expect_eq "status after the kill" "$(db_status "$kid")" processing
expect_eq "job after the kill" "$(db "SELECT state FROM jobs WHERE validation_id = '$kid'")" running
two_workers() { (($(worker_count "$M") == 2)); }
wait_for two_workers || t_fail "the killed worker was not replaced"
# the simulator counts the hung query when its delay ends: let it, so the
# counts below are stable
wait_for valida_count_is $((c0 + 1)) || t_fail "the simulator never saw the worker's query"
# a runner now: the lease has not run out, the job is not due
runner "$T/runner-early.log" --once || t_fail "runner: $(tail -n 3 "$T/runner-early.log")"
expect_eq "status with the lease still valid" "$(db_status "$kid")" processing
runner "$T/runner-kill.log" --once --now "$(at_plus 120)" || t_fail "runner: $(tail -n 5 "$T/runner-kill.log")"
grep -q 'pass: 1 due, 0 expired, 1 finished' "$T/runner-kill.log" || t_fail "runner pass: $(grep 'pass:' "$T/runner-kill.log")"
get_validation "$kid"
expect_validation valid
expect_eq "job tries" "$(db "SELECT tries FROM jobs WHERE validation_id = '$kid'")" 2
expect_eq "valida.do queries" "$(valida_count)" $((c0 + 2))
terminal_once "$kid"
runner "$T/runner-again.log" --once --now "$(at_plus 240)" || t_fail "runner: $(tail -n 3 "$T/runner-again.log")"
grep -q 'pass: 0 due' "$T/runner-again.log" || t_fail "a finished job ran again: $(grep 'pass:' "$T/runner-again.log")"
t_end

t_begin "runner: two runners started together on 200 due jobs run each exactly once"
tag=MXRUN$$R$RANDOM
N=200
NV=20
db "INSERT INTO validations (id, account_id, status, fecha, clave_rastreo, emisor, receptor, cuenta, monto,
		request_data, created_at, updated_at, enqueued_at, expires_at, etag_version)
	SELECT CONCAT('00000000-0000-4000-8', LPAD(seq, 3, '0'), '-', LPAD($RANDOM, 12, '0')), '$ACC_A', 'queued',
		'$VFECHA', CONCAT('$tag', 'N', seq), '40012', '90646', '646180157048010399', 100.00, '{}',
		UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 HOUR, 1
	FROM seq_1_to_$N;
	INSERT INTO jobs (validation_id, state, run_after, tries, created_at)
	SELECT id, 'queued', UTC_TIMESTAMP(), 0, UTC_TIMESTAMP() FROM validations WHERE clave_rastreo LIKE '${tag}N%'" ||
	t_fail "could not insert the jobs"
# the first NV exist in the simulator (valid), the rest do not (not_found)
"$PY" -c 'import json, sys
tag, fecha, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(json.dumps([{"fecha": fecha, "clave_rastreo": "%sN%d" % (tag, i), "emisor": "40012",
                   "receptor": "90646", "cuenta": "646180157048010399", "monto": "100.00"}
                  for i in range(1, n + 1)]))' "$tag" "$VFECHA" "$NV" >"$T/many.json"
sim POST /_sim/transfers "$(cat "$T/many.json")"
[[ $SIMCODE == 201 ]] || t_fail "simulator: $SIMCODE $(head -c 200 "$T/sim.body")"
expect_eq "jobs not done before the runners" "$(db "SELECT COUNT(*) FROM jobs WHERE state <> 'done'")" "$N"
c0=$(valida_count)
x0=$(sim_stat by_url '/cep/descarga.do?formato=XML')
timeout 120 "$RUNNER" --config "$CONF" --once --max-seconds 100 >"$T/runner-a.log" 2>&1 &
pa=$!
timeout 120 "$RUNNER" --config "$CONF" --once --max-seconds 100 >"$T/runner-b.log" 2>&1 &
pb=$!
wait "$pa"
ra=$?
wait "$pb"
rb=$?
expect_eq "runner a exit" "$ra" 0
expect_eq "runner b exit" "$rb" 0
due() { sed -n 's/.*pass: \([0-9]*\) due.*/\1/p' "$1" | head -n 1; }
da=$(due "$T/runner-a.log")
db_=$(due "$T/runner-b.log")
echo "# runner a ran $da jobs, runner b $db_"
expect_eq "jobs claimed by both runners together ($da + $db_)" "$((${da:-0} + ${db_:-0}))" "$N"
((${da:-0} > 0 && ${db_:-0} > 0)) || t_fail "one runner did all the work ($da / $db_): no concurrency shown"
sel="FROM validations v JOIN jobs j ON j.validation_id = v.id WHERE v.clave_rastreo LIKE '${tag}N%'"
expect_eq "statuses" "$(db "SELECT GROUP_CONCAT(s ORDER BY s) FROM (SELECT CONCAT(v.status, ':', COUNT(*)) s $sel GROUP BY v.status) x")" \
	"not_found:$((N - NV)),valid:$NV"
expect_eq "jobs done, tries 1" "$(db "SELECT COUNT(*) $sel AND j.state = 'done' AND j.tries = 1")" "$N"
expect_eq "distinct lease owners" "$(db "SELECT COUNT(DISTINCT j.lease_owner) $sel")" 2
expect_eq "etag_version 3 each" "$(db "SELECT COUNT(*) $sel AND v.etag_version = 3")" "$N"
expect_eq "valida.do queries" "$(valida_count)" $((c0 + N))
expect_eq "descarga.do?formato=XML" "$(sim_stat by_url '/cep/descarga.do?formato=XML')" $((x0 + NV))
t_end

t_begin "runner: MariaDB stopped mid-job and restarted; the job still ends exactly once"
new_transfer
# the worker's query outlives banxico_timeout_ms (3 s): it gives up and
# tries to write its result while MariaDB is down
sim_mode '{"mode":"slow","delay_ms":4000,"scope":"valida","count":1}'
c0=$(valida_count)
validate "$TR_BODY" "?async=1"
expect_code 202
mid=$(jget data.id) || mid=
processing() { db_status_is "$mid" processing; }
wait_for processing || t_fail "never processing: $(db_status "$mid")"
t0=$SECONDS
stop_pidfile "$T/mariadb.pid" 30 || t_fail "could not stop MariaDB"
stopped_in=$((SECONDS - t0))
echo "# MariaDB stopped in ${stopped_in}s"
# the simulator counts the query after its 4 s: by then the worker gave up
# (3 s) and failed to write
wait_for valida_count_is $((c0 + 1)) || t_fail "the simulator never saw the worker's query"
start_mariadb "$T" 2>"$T/mdb.err" || t_fail "MariaDB restart: $(cat "$T/mdb.err")"
st=$(db_status "$mid")
[[ $st == processing ]] ||
	t_fail "precondition: the worker's result was written anyway ($st; MariaDB took ${stopped_in}s to stop)"
expect_eq "job after the restart" "$(db "SELECT state FROM jobs WHERE validation_id = '$mid'")" running
runner "$T/runner-mdb.log" --once --now "$(at_plus 120)" || t_fail "runner: $(tail -n 5 "$T/runner-mdb.log")"
get_validation "$mid"
expect_validation valid
expect_eq "job tries" "$(db "SELECT tries FROM jobs WHERE validation_id = '$mid'")" 2
expect_eq "valida.do queries" "$(valida_count)" $((c0 + 2))
terminal_once "$mid"
wait_for health_200 || t_fail "health after the MariaDB restart: $CODE"
t_end

t_begin "runner: a queued validation past expires_at -> failed expired, Banxico not asked"
clear_backoff
new_transfer
# keep the job queued: Banxico throttles us, and during the pause an
# async job is put back instead of queried
sim_mode '{"mode":"throttled","scope":"valida","count":1}'
validate "$TR_BODY"
validate "$TR_BODY" "?async=1"
keep q202
eid=$(jget data.id) || eid=
released() { [[ $(db "SELECT CONCAT(state, ',', lease_owner IS NULL) FROM jobs WHERE validation_id = '$eid'") == "queued,1" ]]; }
wait_for released || t_fail "job not put back: $(db "SELECT state, lease_owner FROM jobs WHERE validation_id = '$eid'")"
restore q202
expect_code 202
exp=$(jget data.attributes.expires_at)
expect_match "expires_at" "$exp" '^[0-9-]{10}T[0-9:]{8}Z$'
after=$(date -u -d "@$(($(date -u -d "$exp" +%s) + 60))" +%Y-%m-%dT%H:%M:%SZ)
c0=$(valida_count)
runner "$T/runner-expiry.log" --once --now "$after" || t_fail "runner: $(tail -n 5 "$T/runner-expiry.log")"
grep -q 'pass: 0 due, 1 expired' "$T/runner-expiry.log" || t_fail "runner pass: $(grep 'pass:' "$T/runner-expiry.log")"
get_validation "$eid"
expect_validation failed expired
expect_json data.attributes.has_cep false
expect_match "completed_at" "$(jget data.attributes.completed_at)" '^[0-9-]{10}T[0-9:]{8}Z$'
expect_eq "valida.do queries" "$(valida_count)" "$c0"
expect_eq "job state" "$(db "SELECT state FROM jobs WHERE validation_id = '$eid'")" "done"
clear_backoff
t_end

t_begin "runner: idempotency records are purged after 24 h"
pkey=it-purge-$$-$RANDOM
validate "$(unknown_body)" "" -H "Idempotency-Key: $pkey"
expect_code 200
expect_eq "record kept" "$(db "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = '$pkey'")" 1
runner "$T/runner-purge1.log" --once --now "$(at_plus 3600)" || t_fail "runner: $(tail -n 3 "$T/runner-purge1.log")"
expect_eq "record kept after 1 h" "$(db "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = '$pkey'")" 1
runner "$T/runner-purge.log" --once --now "$(at_plus 90000)" || t_fail "runner: $(tail -n 3 "$T/runner-purge.log")"
expect_eq "record after 25 h" "$(db "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = '$pkey'")" 0
grep -qE '[1-9][0-9]* idempotency records purged' "$T/runner-purge.log" || t_fail "pass line: $(grep 'pass:' "$T/runner-purge.log")"
t_end

t_begin "runner: a page nobody recognises (the portal's 404) -> error banxico_unrecognised_answer"
# one queued job, run by a runner whose banxico_url (env override) points
# at a path the simulator answers with its 404 page
uid=00000000-0000-4000-9000-$(printf '%012d' $RANDOM)
db "INSERT INTO validations (id, account_id, status, fecha, clave_rastreo, emisor, receptor, cuenta, monto,
		request_data, created_at, updated_at, enqueued_at, expires_at, etag_version)
	VALUES ('$uid', '$ACC_A', 'queued', '$VFECHA', 'MXUNREC$$', '40012', '90646', '646180157048010399', 5.00,
		'{}', UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 HOUR, 1);
	INSERT INTO jobs (validation_id, state, run_after, tries, created_at)
	VALUES ('$uid', 'queued', UTC_TIMESTAMP(), 0, UTC_TIMESTAMP())" || t_fail "could not insert the job"
h0=$(sim_stat by_outcome http404)
MXCEP_BANXICO_URL=$SIM/no-such-portal/ runner "$T/runner-unrec.log" --once ||
	t_fail "runner: $(tail -n 3 "$T/runner-unrec.log")"
get_validation "$uid"
expect_validation error banxico_unrecognised_answer
expect_json data.attributes.has_cep false
expect_eq "simulator 404 pages" "$(sim_stat by_outcome http404)" $((h0 + 1))
t_end

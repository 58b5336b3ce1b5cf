# shellcheck shell=bash
# t_idempotency: Idempotency-Key on POST /v1/validate: replay, reuse with
# another body, in flight, malformed keys, per account, a worker killed
# mid-request. Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

ikey=it-idem-$$-$RANDOM

t_begin "idempotency: same key and body -> the first response replayed, Banxico not asked again"
new_transfer
validate "$TR_BODY" "" -H "Idempotency-Key: $ikey"
expect_validation valid
first_id=$(jget data.id) || first_id=
cp "$T/body" "$T/idem.first"
[[ -z $(hdr Idempotent-Replayed) ]] || t_fail "the first response says Idempotent-Replayed: $(hdr Idempotent-Replayed)"
c0=$(valida_count)
validate "$TR_BODY" "" -H "Idempotency-Key: $ikey"
expect_validation valid
expect_eq "Idempotent-Replayed" "$(hdr Idempotent-Replayed)" true
expect_json data.id "$first_id"
cmp -s "$T/body" "$T/idem.first" || t_fail "the replayed body differs from the first"
expect_match "replayed ETag" "$(hdr ETag)" '^W/"[0-9]+"$'
expect_eq "valida.do for the replay" "$(valida_count)" "$c0"
# the same JSON with other whitespace and key order is the same request
validate "$("$PY" -c 'import json, sys; d = json.loads(sys.argv[1]); print(json.dumps(dict(reversed(list(d.items()))), indent=2))' "$TR_BODY")" "" \
	-H "Idempotency-Key: $ikey"
expect_code 200
expect_eq "Idempotent-Replayed (reordered body)" "$(hdr Idempotent-Replayed)" true
# a structured-field string names the same key
validate "$TR_BODY" "" -H "Idempotency-Key: \"$ikey\""
expect_code 200
expect_eq "Idempotent-Replayed (quoted key)" "$(hdr Idempotent-Replayed)" true
expect_eq "validations with that clave" "$(db "SELECT COUNT(*) FROM validations WHERE clave_rastreo = '$TR_CLAVE'")" 1
t_end

t_begin "idempotency: same key, another body -> 422 idempotency_key_reused; sync vs async differ too"
validate "${TR_BODY/1500.00/1500.01}" "" -H "Idempotency-Key: $ikey"
expect_error 422 idempotency_key_reused
validate "$TR_BODY" "?async=1" -H "Idempotency-Key: $ikey"
expect_error 422 idempotency_key_reused
t_end

t_begin "idempotency: keys are per account"
http POST /v1/validate -H "Authorization: Bearer $KEY_B" -H 'Content-Type: application/json' \
	-H "Idempotency-Key: $ikey" --data-binary "$TR_BODY"
expect_validation valid
[[ $(jget data.id) != "$first_id" ]] || t_fail "account B got account A's validation"
[[ -z $(hdr Idempotent-Replayed) ]] || t_fail "account B got a replay"
t_end

t_begin "idempotency: async 202 replayed with the same Location"
akey=it-idem-async-$$-$RANDOM
abody=$(unknown_body)
validate "$abody" "?async=1" -H "Idempotency-Key: $akey"
expect_code 202
expect_schema validation-queued.json
loc=$(hdr Location)
cp "$T/body" "$T/idem.async"
validate "$abody" "?async=1" -H "Idempotency-Key: $akey"
expect_code 202
expect_eq "Idempotent-Replayed" "$(hdr Idempotent-Replayed)" true
expect_eq "replayed Location" "$(hdr Location)" "$loc"
cmp -s "$T/body" "$T/idem.async" || t_fail "the replayed 202 body differs"
t_end

t_begin "idempotency: while the first request runs -> 409 idempotency_key_in_use, then the replay"
fkey=it-idem-flight-$$-$RANDOM
new_transfer
# the first request's Banxico query takes 2 s (within the timeout)
sim_mode '{"mode":"slow","delay_ms":2000,"scope":"valida","count":1}'
(
	curl -s --max-time 20 -o "$T/flight1.body" -w '%{http_code}' -X POST "$URL/v1/validate" \
		-H "Authorization: Bearer $KEY_A" -H 'Content-Type: application/json' \
		-H "Idempotency-Key: $fkey" --data-binary "$TR_BODY" >"$T/flight1.code"
) &
flight_pid=$!
in_flight() { [[ $(db "SELECT state FROM idempotency_keys WHERE idem_key = '$fkey'") == in_flight ]]; }
if wait_for in_flight; then
	validate "$TR_BODY" "" -H "Idempotency-Key: $fkey"
	expect_error 409 idempotency_key_in_use
else
	t_fail "the first request never showed up in flight"
fi
wait "$flight_pid"
expect_eq "first request" "$(cat "$T/flight1.code")" 200
validate "$TR_BODY" "" -H "Idempotency-Key: $fkey"
expect_validation valid
expect_eq "Idempotent-Replayed" "$(hdr Idempotent-Replayed)" true
expect_eq "replayed id" "$(jget data.id)" "$(json_get "$T/flight1.body" data.id)"
t_end

t_begin "idempotency: malformed keys -> 400 invalid_idempotency_key (source.header)"
long=$(printf 'k%.0s' {1..256})
for k in "has space" "$long" '""' "tab	in" "é-key"; do
	validate "$(unknown_body)" "" -H "Idempotency-Key: $k"
	expect_error 400 invalid_idempotency_key
	expect_json errors.0.source.header Idempotency-Key
done
# 255 visible characters are fine
validate "$(unknown_body)" "" -H "Idempotency-Key: ${long:1}"
expect_validation not_found
t_end

t_begin "idempotency: a 422 for bad fields is not kept; the key still works with a good body"
bkey=it-idem-bad-$$-$RANDOM
validate '{"fecha":"x"}' "" -H "Idempotency-Key: $bkey"
expect_error 422 invalid_date
validate "$(unknown_body)" "" -H "Idempotency-Key: $bkey"
expect_validation not_found
[[ -z $(hdr Idempotent-Replayed) ]] || t_fail "a replay of what?"
t_end

t_begin "idempotency: POST /v1/admin/api-keys: one key per Idempotency-Key, the replay without the secret"
kkey=it-idem-key-$$-$RANDOM
kbody='{"data":{"type":"api_key","attributes":{"name":"it-idem-'$$'","scopes":["validations:read"]}}}'
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' -H "Idempotency-Key: $kkey" --data-binary "$kbody"
expect_code 201
k_id=$(jget data.id) || k_id=
k_loc=$(hdr Location)
k_secret=$(jget data.attributes.secret) || k_secret=
expect_match "the first answer's secret" "$k_secret" '^mxcep_[A-Za-z0-9_-]{20,}$'
echo "$k_secret" >>"$T/secrets"
[[ -z $(hdr Idempotent-Replayed) ]] || t_fail "the first response says Idempotent-Replayed"
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' -H "Idempotency-Key: $kkey" --data-binary "$kbody"
expect_code 201
expect_eq "Idempotent-Replayed" "$(hdr Idempotent-Replayed)" true
expect_json data.id "$k_id"
expect_eq "replayed Location" "$(hdr Location)" "$k_loc"
grep -q '"secret":null' "$T/body" || t_fail "the replay's secret is not null: $(head -c 400 "$T/body")"
grep -qF "$k_secret" "$T/body" && t_fail "the replay shows the secret"
expect_eq "keys named it-idem-$$" "$(db "SELECT COUNT(*) FROM api_keys WHERE name = 'it-idem-$$'")" 1
expect_eq "secrets in the idempotency table" "$(db "SELECT COUNT(*) FROM idempotency_keys WHERE LOCATE('$k_secret', body) > 0")" 0
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' -H "Idempotency-Key: $kkey" --data-binary "${kbody/it-idem-/it-other-}"
expect_error 422 idempotency_key_reused
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' -H "Idempotency-Key: has space" --data-binary "$kbody"
expect_error 400 invalid_idempotency_key
t_end

t_begin "idempotency: a worker killed mid-request: after its lease the key answers from the first record; one validation, no second Banxico query"
ckey=it-idem-crash-$$-$RANDOM
new_transfer
c0=$(valida_count)
# the first request's Banxico query takes 2.5 s (within banxico_timeout_ms):
# time to kill -9 its worker once the record and its job exist
sim_mode '{"mode":"slow","delay_ms":2500,"scope":"valida","count":1}'
(
	curl -s --max-time 20 -o /dev/null -X POST "$URL/v1/validate" \
		-H "Authorization: Bearer $KEY_A" -H 'Content-Type: application/json' \
		-H "Idempotency-Key: $ckey" --data-binary "$TR_BODY"
) &
crash_pid=$!
crash_owner() { db "SELECT j.lease_owner FROM jobs j JOIN validations v ON v.id = j.validation_id WHERE v.clave_rastreo = '$TR_CLAVE' AND j.state = 'running'"; }
crash_leased() { [[ -n $(crash_owner) ]]; }
victim=
if wait_for crash_leased; then
	victim=$(crash_owner)
	victim=${victim##*:}
	# only a worker of this harness's master
	[[ " $(workers_of "$(master_pid)") " == *" $victim "* ]] || { t_fail "lease owner $victim is not a worker of $(master_pid)"; victim=; }
else
	t_fail "the first request's job never showed up leased"
fi
if [[ -n $victim ]]; then
	kill -KILL "$victim"
	wait "$crash_pid"
	first_id=$(db "SELECT id FROM validations WHERE clave_rastreo = '$TR_CLAVE'")
	expect_eq "the key after the crash" "$(db "SELECT state FROM idempotency_keys WHERE idem_key = '$ckey'")" in_flight
	expect_eq "the key's record" "$(db "SELECT resource_id FROM idempotency_keys WHERE idem_key = '$ckey'")" "$first_id"
	# the killed worker's query still reaches the simulator
	valida_done() { valida_count_is $((c0 + 1)); }
	wait_for valida_done || t_fail "valida.do: $(valida_count), want $((c0 + 1))"
	# the lease (53 s by default) ran out: the key's claim and the job's
	# lease aged by hand stand in for the wait
	db "UPDATE idempotency_keys SET created_at = created_at - INTERVAL 300 SECOND WHERE idem_key = '$ckey'"
	db "UPDATE jobs SET lease_until = lease_until - INTERVAL 300 SECOND WHERE validation_id = '$first_id'"
	validate "$TR_BODY" "" -H "Idempotency-Key: $ckey"
	expect_code 202
	expect_json data.id "$first_id"
	expect_eq "Idempotent-Replayed" "$(hdr Idempotent-Replayed)" true
	expect_match "Location" "$(hdr Location)" "/v1/validations/$first_id\$"
	expect_eq "validations with that clave after the retry" "$(db "SELECT COUNT(*) FROM validations WHERE clave_rastreo = '$TR_CLAVE'")" 1
	expect_eq "valida.do after the retry" "$(valida_count)" $((c0 + 1))
	# the runner finishes the first record: the key's only Banxico query since the crash
	runner "$T/runner-idem.log" --once || t_fail "runner: $(tail -n 3 "$T/runner-idem.log")"
	expect_eq "the first record after the runner" "$(db_status "$first_id")" valid
	validate "$TR_BODY" "" -H "Idempotency-Key: $ckey"
	expect_validation valid
	expect_json data.id "$first_id"
	expect_eq "Idempotent-Replayed" "$(hdr Idempotent-Replayed)" true
	expect_eq "validations with that clave" "$(db "SELECT COUNT(*) FROM validations WHERE clave_rastreo = '$TR_CLAVE'")" 1
	expect_eq "valida.do for the key" "$(valida_count)" $((c0 + 2))
	# a fresh worker took the victim's place
	two_workers() { [[ $(worker_count "$(master_pid)") == 2 ]]; }
	wait_for two_workers || t_fail "workers: $(workers_of "$(master_pid)")"
fi
t_end

t_begin "idempotency: a first request that died before creating anything: its stale key is taken over, one validation"
dkey=it-idem-dead-$$-$RANDOM
dbody=$(unknown_body)
db "INSERT INTO idempotency_keys (account_id, endpoint, idem_key, request_hash, state, created_at, expires_at) VALUES ('$ACC_A', 'validate', '$dkey', REPEAT('0', 64), 'in_flight', UTC_TIMESTAMP() - INTERVAL 300 SECOND, UTC_TIMESTAMP() + INTERVAL 1 DAY)"
validate "$dbody" "" -H "Idempotency-Key: $dkey"
expect_validation not_found
[[ -z $(hdr Idempotent-Replayed) ]] || t_fail "a replay of a request that created nothing"
d_id=$(jget data.id) || d_id=
expect_eq "the key's record" "$(db "SELECT resource_id FROM idempotency_keys WHERE idem_key = '$dkey'")" "$d_id"
validate "$dbody" "" -H "Idempotency-Key: $dkey"
expect_validation not_found
expect_eq "Idempotent-Replayed" "$(hdr Idempotent-Replayed)" true
expect_json data.id "$d_id"
t_end

# shellcheck shell=bash
# t_async: POST /v1/validate?async=1 -> 202 ValidationQueued, then
# polling GET /v1/validations/{id} with If-None-Match: 304 while the
# version is unchanged, 200 when it changes, until the final state.
# Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

t_begin "async: 202 ValidationQueued with Location, Retry-After, ETag; polling with If-None-Match until the final 200"
new_transfer
# the worker's Banxico query takes 2.5 s (within the timeout) so there is
# something to poll; the 202 is checked after the polling
sim_mode '{"mode":"slow","delay_ms":2500,"scope":"valida","count":1}'
validate "$TR_BODY" "?async=1"
keep r202
aid=$(grep -o '"id":"[0-9a-f-]*"' "$T/body" | head -n 1 | cut -d'"' -f4)
etag='W/"1"'
n304=0 n200=0 seen=
poll_once() {
	get_validation "$aid" -H "If-None-Match: $etag"
	case $CODE in
	304)
		n304=$((n304 + 1))
		[[ ! -s $T/body ]] || t_fail "304 with a body: $(head -c 200 "$T/body")"
		[[ $(hdr ETag) == "$etag" ]] || t_fail "304 ETag $(hdr ETag), polled with $etag"
		return 1 ;;
	200)
		# kept cheap (the job runs 2.5 s): checked after the loop
		n200=$((n200 + 1))
		# no Python here: on a loaded machine its start-up alone can
		# outlast the job being polled
		st=$(grep -o '"status":"[a-z_]*"' "$T/body" | head -n 1 | cut -d'"' -f4)
		ev=$(grep -o '"etag_version":[0-9]*' "$T/body" | head -n 1 | cut -d: -f2)
		[[ -n $st && -n $ev ]] || st=unparsable
		seen="$seen $st"
		[[ $(hdr ETag) == "W/\"$ev\"" ]] || t_fail "ETag $(hdr ETag) vs etag_version $ev"
		[[ $(hdr ETag) != "$etag" ]] || t_fail "200 for the version the client already has ($etag)"
		etag=$(hdr ETag)
		if [[ $st == queued || $st == processing ]]; then
			keep pending
			return 1
		fi
		return 0 ;;
	*)
		t_fail "poll: HTTP $CODE $(head -c 200 "$T/body")"
		return 0 ;;
	esac
}
wait_for poll_once || t_fail "still pending after ${WAIT_TIMEOUT}s (seen:$seen)"
expect_json data.attributes.status valid
[[ -z $(hdr Retry-After) ]] || t_fail "Retry-After on the final 200"
((n304 >= 1)) || t_fail "no 304 while the job ran (seen:$seen)"
[[ $seen == *processing* ]] || t_fail "never saw processing (seen:$seen)"
expect_eq "final etag_version" "$(jget data.attributes.etag_version)" 3
expect_schema validation.json
if [[ -f $T/kept.pending.body ]]; then
	restore pending
	expect_schema validation.json
	expect_match "Retry-After while pending" "$(hdr Retry-After)" '^[0-9]+$'
	expect_match "meta.next_poll_after_seconds while pending" "$(jget meta.next_poll_after_seconds)" '^[0-9]+$'
	expect_json data.attributes.completed_at null
	expect_json data.links.cep_xml null
fi
restore r202
expect_code 202
expect_jsonapi_ct
expect_schema validation-queued.json
aid=$(jget data.id) || aid=
expect_json data.attributes.validation_id "$aid"
expect_json data.attributes.status queued
expect_json data.attributes.etag_version 1
expect_json data.attributes.retry_state.enabled false
expect_json meta.playground false
expect_match "meta.next_poll_after_seconds" "$(jget meta.next_poll_after_seconds)" '^[0-9]+$'
expect_eq "Location" "$(hdr Location)" "$URL/v1/validations/$aid"
expect_eq "Retry-After" "$(hdr Retry-After)" "$(jget meta.next_poll_after_seconds)"
expect_eq "ETag" "$(hdr ETag)" 'W/"1"'
t_end

t_begin "async: If-None-Match spellings: W/, bare quotes, no quotes, -gzip, lists, * -> 304; other versions -> 200"
v=${etag#W/\"}
v=${v%\"}
for inm in "W/\"$v\"" "\"$v\"" "$v" "\"$v-gzip\"" "W/\"$v-gzip\"" "\"x\", W/\"$v\"" "W/\"1\" , \"$v\"" "*"; do
	get_validation "$aid" -H "If-None-Match: $inm"
	[[ $CODE == 304 ]] || t_fail "If-None-Match: $inm -> $CODE, expected 304"
done
for inm in "W/\"$((v + 1))\"" "\"$((v - 1))\"" "\"${v}0\"" "W/\"x$v\""; do
	get_validation "$aid" -H "If-None-Match: $inm"
	[[ $CODE == 200 ]] || t_fail "If-None-Match: $inm -> $CODE, expected 200"
done
t_end

t_begin "async: a 304 comes from memcached alone when it knows the version"
# bump the version behind the service's back: MariaDB now says v+5, memcached still v
get_validation "$aid" -H "If-None-Match: W/\"$v\""
expect_code 304
db "UPDATE validations SET etag_version = etag_version + 5 WHERE id = '$aid'"
get_validation "$aid" -H "If-None-Match: W/\"$v\""
expect_code 304
# a plain GET of a finished validation is served from memcached as well
# (the rendered document, used while its version is the current one)
get_validation "$aid"
expect_code 200
expect_eq "ETag of the cached document" "$(hdr ETag)" "W/\"$v\""
expect_schema validation.json
# a real change goes through a writer, which moves the version on in
# memcached: the next GET reads MariaDB (v + 5 from above, + 1 delete)
http DELETE "/v1/validations/$aid" -H "Authorization: Bearer $KEY_A"
expect_code 204
get_validation "$aid"
expect_code 200
expect_eq "ETag read from MariaDB after a write" "$(hdr ETag)" "W/\"$((v + 6))\""
expect_json data.attributes.is_deleted true
t_end

t_begin "async: another account's id is 404, for polling too"
http GET "/v1/validations/$aid" -H "Authorization: Bearer $KEY_B" -H "If-None-Match: W/\"$v\""
expect_error 404 validation_not_found
http GET "/v1/validations/$aid" -H "Authorization: Bearer $KEY_B"
expect_error 404 validation_not_found
t_end

t_begin "async: async=true, playground; an unknown transfer ends not_found"
validate "$(unknown_body | sed 's/}$/,"playground":true}/')" "?async=true"
expect_code 202
expect_schema validation-queued.json
expect_json meta.playground true
nid=$(jget data.id) || nid=
wait_final "$nid" || t_fail "not final after ${WAIT_TIMEOUT}s: $(jget data.attributes.status)"
expect_validation not_found
expect_json data.attributes.is_playground true
t_end

# ptime_check ID MIN: the final validation's processing_time_ms is at
# least MIN and below MIN + 20 s; appends it to $T/ptimes
ptime_check() {
	wait_final "$1" || t_fail "$1 not final after ${WAIT_TIMEOUT}s"
	local ms
	ms=$(jget data.attributes.processing_time_ms) || ms=
	if [[ ! $ms =~ ^[0-9]+$ ]] || ((ms < $2 || ms > $2 + 20000)); then
		t_fail "processing_time_ms of $1: '$ms', expected $2..$(($2 + 20000))"
	fi
	echo "$ms" >>"$T/ptimes"
}
# not_whole_seconds: some processing_time_ms of $T/ptimes is not a
# multiple of 1000 (each one is by chance with odds 1 in 1000)
not_whole_seconds() {
	grep -qv '000$' "$T/ptimes" || t_fail "processing_time_ms in whole seconds: $(tr '\n' ' ' <"$T/ptimes")"
}

t_begin "async: processing_time_ms in real milliseconds when the worker runs the job after its 202"
rm -f "$T/ptimes"
for i in 1 2 3; do
	new_transfer
	# Banxico answers after 1.3 s: the time counts from the enqueue
	sim_mode '{"mode":"slow","delay_ms":1300,"scope":"valida","count":1}'
	validate "$TR_BODY" "?async=1"
	expect_code 202
	ptime_check "$(jget data.id)" 1300
	expect_validation valid
done
not_whole_seconds
t_end

t_begin "async: processing_time_ms in real milliseconds when mxcep-runner runs the job"
rm -f "$T/ptimes"
# a Banxico pause makes the worker put the jobs back; the runner runs them.
# until_at is whole seconds (UTC_TIMESTAMP() truncates): 3 s from now is
# 2 to 3 s, so a job enqueued within 1.5 s of this waits at least 500 ms
db "INSERT INTO service_state (name, value, until_at, updated_at)
	VALUES ('banxico_backoff', 'it: processing_time_ms', UTC_TIMESTAMP() + INTERVAL 3 SECOND, UTC_TIMESTAMP())
	ON DUPLICATE KEY UPDATE value = VALUES(value), until_at = VALUES(until_at), updated_at = VALUES(updated_at)"
ids=()
for i in 1 2 3; do
	new_transfer
	validate "$TR_BODY" "?async=1"
	expect_code 202
	ids+=("$(jget data.id)")
done
inlist=$(printf "'%s'," "${ids[@]}")
due_all() { [[ $(db "SELECT COUNT(*) FROM jobs WHERE validation_id IN (${inlist%,}) AND state = 'queued' AND run_after <= UTC_TIMESTAMP()") == 3 ]]; }
wait_for due_all || t_fail "the jobs were not put back until the end of the pause"
runner "$T/runner-ptime.log" --once || t_fail "runner: $(tail -n 3 "$T/runner-ptime.log")"
for id in "${ids[@]}"; do
	grep -q "validation $id: valid" "$T/runner-ptime.log" || t_fail "mxcep-runner did not finish $id: $(grep 'pass:' "$T/runner-ptime.log")"
	ptime_check "$id" 500
	expect_validation valid
done
not_whole_seconds
clear_backoff
t_end

t_begin "async: field errors are answered before queuing (422, nothing recorded)"
n0=$(db "SELECT COUNT(*) FROM jobs")
validate '{"fecha":"nope","emisor":"40012","cuenta":"646180157048010399","monto":"1"}' "?async=1"
expect_error 422 invalid_date
expect_eq "jobs" "$(db "SELECT COUNT(*) FROM jobs")" "$n0"
t_end

# shellcheck shell=bash
# t_banxico_modes: every simulator mode through a synchronous POST
# /v1/validate, and the service-wide pause after Banxico throttles us.
# Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

# mode_case NAME MODE_JSON STATUS ERROR_CODE OUTCOME_KEY: fresh transfer,
# set the mode, POST, expect the status/code, and that the simulator
# counted one more OUTCOME_KEY (by_outcome) so the mode was really used.
mode_case() {
	local name=$1 mode=$2 st=$3 ec=$4 ok=$5 before
	t_begin "banxico mode $name: $st${ec:+ $ec}"
	clear_backoff
	new_transfer
	sim_mode "$mode"
	before=$(sim_stat by_outcome "$ok")
	validate "$TR_BODY"
	expect_validation "$st" "$ec"
	MODE_VID=$(jget data.id) || MODE_VID=
	if [[ $st != valid ]]; then
		expect_json data.attributes.has_cep false
		expect_json data.links.cep_xml null
	fi
	expect_match "completed_at" "$(jget data.attributes.completed_at)" '^[0-9-]{10}T[0-9:]{8}Z$'
	# the simulator counts an answer after its delay: wait for it. OK+
	# means one or two (libcurl retries once when a reused connection
	# dies without an answer)
	local more=0
	[[ $ok == *+ ]] && { more=1; ok=${ok%+}; }
	outcome_seen() {
		local n
		n=$(sim_stat by_outcome "$1")
		[[ $n == "$2" ]] || { ((more)) && [[ $n == $(($2 + 1)) ]]; }
	}
	wait_for outcome_seen "$ok" $((before + 1)) ||
		t_fail "simulator by_outcome.$ok: expected $((before + 1)), got $(sim_stat by_outcome "$ok")"
	sim_mode '{"mode":"normal"}'
}

mode_case down '{"mode":"down","scope":"valida"}' cep_unavailable banxico_unreachable dropped+
t_end

# a duration is the point here: the simulator waits 5 s, our timeout is 3 s
mode_case "slow beyond banxico_timeout_ms" '{"mode":"slow","delay_ms":5000,"count":1}' \
	cep_unavailable banxico_unreachable valida_ok
ms=$(jget data.attributes.processing_time_ms)
[[ $ms =~ ^[0-9]+$ ]] && ((ms >= 2500 && ms < 4900)) ||
	t_fail "processing_time_ms $ms: expected about banxico_timeout_ms (3000)"
t_end

mode_case "slow within the timeout" '{"mode":"slow","delay_ms":1000,"count":1}' valid "" valida_ok
t_end

mode_case http500 '{"mode":"http500"}' error banxico_http_error http500
expect_json data.attributes.banxico_result.http_status 500
t_end

mode_case "http500 on descarga only" '{"mode":"http500","scope":"descarga"}' error banxico_http_error http500
t_end

mode_case malformed_xml '{"mode":"malformed_xml"}' error cep_xml_invalid descarga_xml
http GET "/v1/validations/$MODE_VID/cep?format=xml" -H "Authorization: Bearer $KEY_A"
expect_error 404 cep_not_available
t_end

mode_case altered_xml '{"mode":"altered_xml"}' failed cep_xml_altered descarga_xml
http GET "/v1/validations/$MODE_VID/cep?format=xml" -H "Authorization: Bearer $KEY_A"
expect_error 404 cep_not_available
t_end

t_begin "banxico: not found, every page wording (be, operacion, operacion_2019) -> not_found"
new_transfer
for nf in be operacion operacion_2019; do
	sim_mode "{\"mode\":\"normal\",\"not_found\":\"$nf\"}"
	validate "${TR_BODY/$TR_CLAVE/${TR_CLAVE}X}"
	expect_validation not_found
	expect_json data.attributes.error_code null
done
expect_eq "simulator by_outcome.valida_not_found_operacion" "$(sim_stat by_outcome valida_not_found_operacion)" 3
sim_mode '{"mode":"normal"}'
t_end

t_begin "banxico: transfer found without CEP -> cep_unavailable cep_not_yet_available, banxico_status = estado"
new_transfer '"cep_available":false'
validate "$TR_BODY"
expect_validation cep_unavailable cep_not_yet_available
expect_json data.attributes.banxico_status Liquidado
expect_json data.attributes.has_cep false
new_transfer '"cep_available":false,"estado":"En proceso"'
validate "$TR_BODY"
expect_validation cep_unavailable cep_not_yet_available
expect_json data.attributes.banxico_status "En proceso"
t_end

t_begin "banxico: appears_after_queries 2 -> not_found twice, then valid"
new_transfer '"appears_after_queries":2'
for want in not_found not_found valid; do
	validate "$TR_BODY"
	[[ $CODE == 200 && $(jget data.attributes.status) == "$want" ]] ||
		t_fail "expected $want, got $CODE $(jget data.attributes.status 2>/dev/null)"
done
expect_validation valid
t_end

t_begin "banxico: reset mid-answer -> cep_unavailable or error, never valid"
new_transfer
sim_mode '{"mode":"reset","count":1}'
validate "$TR_BODY"
expect_code 200
expect_schema validation.json
expect_match "status/error_code" "$(jget data.attributes.status)/$(jget data.attributes.error_code)" \
	'^(cep_unavailable/banxico_unreachable|error/banxico_unrecognised_answer)$'
sim_mode '{"mode":"normal"}'
t_end

# throttled and captcha: banxico_throttled, then a service-wide pause of
# banxico_backoff_seconds (2): sync requests answer banxico_backoff
# without querying; async jobs are put back until the pause ends.
for tmode in throttled captcha; do
	t_begin "banxico $tmode: banxico_throttled, then a service-wide pause nobody queries through"
	clear_backoff
	new_transfer
	sim_mode "{\"mode\":\"$tmode\",\"count\":1}"
	cb=$(valida_count)
	# three requests back to back (the pause is 2 s): checked afterwards
	validate "$TR_BODY"
	keep r1
	validate "$TR_BODY"
	keep r2
	validate "$TR_BODY" "?async=1"
	keep r3
	aid=$(jget data.id) || aid=
	# the worker picked the async job up after answering and put it back
	released() { [[ $(db "SELECT CONCAT(state, ',', lease_owner IS NULL) FROM jobs WHERE validation_id = '$aid'") == "queued,1" ]]; }
	wait_for released || t_fail "async job during the pause: $(db "SELECT state, lease_owner, run_after FROM jobs WHERE validation_id = '$aid'")"
	c0=$(valida_count)
	restore r1
	expect_validation cep_unavailable banxico_throttled
	expect_json data.attributes.has_cep false
	expect_eq "valida.do after the $tmode answer" "$c0" $((cb + 1))
	expect_eq "simulator by_outcome.valida_$tmode" "$(sim_stat by_outcome "valida_$tmode")" 1
	# the mode is normal again (count 1): only the pause kept us away
	restore r2
	expect_validation cep_unavailable banxico_backoff
	restore r3
	expect_code 202
	expect_schema validation-queued.json
	get_validation "$aid"
	expect_validation queued
	expect_eq "valida.do during the pause" "$(valida_count)" "$c0"
	# the pause lasts banxico_backoff_seconds: waiting for its end is the point
	WAIT_TIMEOUT=10 wait_for backoff_over || t_fail "the pause did not end within 10 s"
	validate "$TR_BODY"
	expect_validation valid
	expect_eq "valida.do after the pause" "$(valida_count)" $((c0 + 1))
	# the put-back job: due now, a runner pass finishes it
	runner "$T/runner-$tmode.log" --once || t_fail "mxcep-runner --once: $(tail -n 5 "$T/runner-$tmode.log")"
	get_validation "$aid"
	expect_validation valid
	expect_eq "valida.do after the runner" "$(valida_count)" $((c0 + 2))
	t_end
done

t_begin "banxico: CEP for another transfer -> failed cep_mismatch"
# the real tipo-1 CEP, served for a query with another amount
"$PY" -c 'import json, sys
print(json.dumps({"cep_xml": open(sys.argv[1], newline="").read(), "monto": "1.00"}))' \
	"$MXCEP_TOP_SRCDIR/tests/data/cep/samples/descarga__xml__beta-2024-11-08__tipo01__BiB202411081016248360.xml" >"$T/mm.json"
sim POST /_sim/transfers "$(cat "$T/mm.json")"
[[ $SIMCODE == 201 ]] || t_fail "sim transfer: $SIMCODE $(head -c 200 "$T/sim.body")"
validate '{"fecha":"2024-11-08","clave_rastreo":"BiB202411081016248360","emisor":"37166","receptor":"90723","cuenta":"723969000011000077","monto":"1.00"}'
expect_validation failed cep_mismatch
expect_match "banxico_result.detail" "$(jget data.attributes.banxico_result.detail)" 'monto'
t_end
clear_backoff

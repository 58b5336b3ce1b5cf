# shellcheck shell=bash
# t_wedge: no Banxico answer wedges a record (issue 13). A payment state
# of 40 two-byte characters (80 bytes, once cut at 63 bytes in the middle
# of a character) is stored whole; a job whose outcome cannot be written (a CHECK constraint added
# for the test refuses it) ends `error` after job_max_attempts runs
# (default 5) instead of asking Banxico at every runner pass forever.
# "--now <after the lease>" stands in for waiting out each lease.
# Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

t_begin "wedge: a 40-character payment state (ñ x 40, 80 bytes) is stored whole, no 503"
enye=$(printf 'ñ%.0s' $(seq 40))
new_transfer "\"cep_available\":false,\"estado\":\"$enye\""
validate "$TR_BODY"
expect_validation cep_unavailable cep_not_yet_available
expect_json data.attributes.banxico_status "$enye"
wid=$(jget data.id) || wid=
expect_eq "stored banxico_status (characters bytes)" "$(db "SELECT CHAR_LENGTH(banxico_status), LENGTH(banxico_status) FROM validations WHERE id = '$wid'")" "40	80"
t_end

t_begin "wedge: banxico_result.detail quotes the state in whole characters (a + ñ x 39: once cut at 60 bytes, mid-character)"
enye39=$(printf 'ñ%.0s' $(seq 39))
new_transfer "\"cep_available\":false,\"estado\":\"a$enye39\""
validate "$TR_BODY"
expect_validation cep_unavailable cep_not_yet_available
expect_json data.attributes.banxico_status "a$enye39"
expect_json data.attributes.banxico_result.detail "valida.do: payment found, no CEP; estado a$enye39"
t_end

t_begin "wedge: a job whose write keeps failing stops after job_max_attempts runs (5), ending error attempts_exhausted"
db "ALTER TABLE validations ADD CONSTRAINT it_wedge CHECK (banxico_status IS NULL OR banxico_status <> 'Atascado')" ||
	t_fail "could not add the test's CHECK constraint"
new_transfer '"cep_available":false,"estado":"Atascado"'
# queries of this transfer only, as the simulator counts them (other
# tests' jobs that come due during these passes ask Banxico too)
transfer_queries() {
	curl -s --max-time 10 "$SIM/_sim/transfers/$TR_ID" >"$T/sim.transfer" 2>/dev/null &&
		json_get "$T/sim.transfer" queries || echo -1
}
validate "$TR_BODY"
expect_code 503
wid=$(db "SELECT v.id FROM validations v JOIN jobs j ON j.validation_id = v.id WHERE v.clave_rastreo = '$TR_CLAVE'")
[[ -n $wid ]] || t_fail "no validation recorded for $TR_CLAVE"
# runs 2..5 ask Banxico and fail to write; run 6 ends the job
for pass in 1 2 3 4 5 6 7; do
	runner "$T/runner-wedge-$pass.log" --once --now "$(at_plus $((pass * 120)))" ||
		t_fail "runner pass $pass: $(tail -n 3 "$T/runner-wedge-$pass.log")"
done
expect_eq "Banxico queries (1 synchronous + 4 runner passes)" "$(transfer_queries)" 5
expect_eq "job state" "$(db "SELECT state FROM jobs WHERE validation_id = '$wid'")" done
expect_eq "job tries" "$(db "SELECT tries FROM jobs WHERE validation_id = '$wid'")" 6
grep -q "validation $wid: error attempts_exhausted" "$T/runner-wedge-5.log" ||
	t_fail "pass 5 did not end the job: $(tail -n 3 "$T/runner-wedge-5.log")"
get_validation "$wid"
expect_validation error attempts_exhausted
expect_json data.attributes.banxico_status null
db "ALTER TABLE validations DROP CONSTRAINT it_wedge" || t_fail "could not drop the test's CHECK constraint"
t_end

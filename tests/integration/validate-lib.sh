# shellcheck shell=bash
# tests/integration/validate-lib.sh: helpers for the validation tests
# (t_validate, t_async, t_cep, t_banxico_modes, t_idempotency, t_runner).
# Sourced by each of them (idempotent); needs run.sh's T, URL, SIM, CONF,
# KEY_A, http/jget/t_fail and services.sh.

[[ -n ${VLIB_LOADED:-} ]] && return 0
VLIB_LOADED=1

RUNNER=${MXCEP_RUNNER:-$MXCEP_TOP_BUILDDIR/mxcep-runner}
# a past business-like day the API accepts (fecha must not be in the future)
VFECHA=$(date -u -d '-3 days' +%F)
VSEQ=0

# ---- simulator control API -----------------------------------------
# sim METHOD PATH [JSON]: answer in $T/sim.body, status in $SIMCODE
sim() {
	local m=$1 p=$2
	shift 2
	SIMCODE=$(curl -sS --max-time 20 -o "$T/sim.body" -w '%{http_code}' -X "$m" \
		-H 'Content-Type: application/json' ${1:+--data-binary "$1"} "$SIM$p" 2>"$T/sim.err") ||
		SIMCODE=000
}
# sim_mode JSON: PUT /_sim/mode, t_fail unless 200
sim_mode() {
	sim PUT /_sim/mode "$1"
	[[ $SIMCODE == 200 ]] || t_fail "PUT /_sim/mode $1: $SIMCODE $(head -c 300 "$T/sim.body")"
}
# sim_stat KIND KEY: a counter of GET /_sim/stats (KIND by_url|by_outcome|by_mode), 0 when absent
sim_stat() {
	curl -s --max-time 10 "$SIM/_sim/stats" >"$T/sim.stats" 2>/dev/null || { echo -1; return; }
	json_py "$T/sim.stats" 'd.get(a[0], {}).get(a[1], 0)' "$1" "$2" 2>/dev/null || echo -1
}
valida_count() { sim_stat by_url /cep/valida.do; }
valida_count_is() { [[ $(valida_count) == "$1" ]]; }

# clabe PREFIX17: the 18-digit CLABE with its check digit
clabe() {
	local d=$1 s=0 i w=(3 7 1)
	[[ $d =~ ^[0-9]*$ ]] || return 1
	for ((i = 0; i < ${#d}; i++)); do
		s=$((s + (${d:i:1} * w[i % 3]) % 10))
	done
	printf '%s%s\n' "$d" $(((10 - s % 10) % 10))
}

# new_transfer [EXTRA_JSON_MEMBERS]: a fresh transfer in the simulator
# (40012 -> 90646, STP CLABE, 1500.00 on $VFECHA) unless EXTRA overrides.
# Sets TR_CLAVE TR_ID and TR_BODY (the flat POST /v1/validate body).
new_transfer() {
	local extra=${1:-}
	VSEQ=$((VSEQ + 1))
	TR_CLAVE=MXIT$$${RANDOM}N$VSEQ
	TR_CUENTA=646180157048010399
	sim POST /_sim/transfers "{\"fecha\":\"$VFECHA\",\"clave_rastreo\":\"$TR_CLAVE\",\"emisor\":\"40012\",\"receptor\":\"90646\",\"cuenta\":\"$TR_CUENTA\",\"monto\":\"1500.00\"${extra:+,$extra}}"
	TR_ID=$(json_get "$T/sim.body" id) || TR_ID=
	[[ $SIMCODE == 201 && -n $TR_ID ]] || t_fail "POST /_sim/transfers: $SIMCODE $(head -c 300 "$T/sim.body")"
	TR_BODY="{\"fecha\":\"$VFECHA\",\"clave_rastreo\":\"$TR_CLAVE\",\"emisor\":\"40012\",\"receptor\":\"90646\",\"cuenta\":\"$TR_CUENTA\",\"monto\":\"1500.00\"}"
}
# a body for a transfer the simulator does not know
unknown_body() {
	VSEQ=$((VSEQ + 1))
	printf '{"fecha":"%s","clave_rastreo":"MXNONE%s%sN%s","emisor":"40012","receptor":"90646","cuenta":"646180157048010399","monto":"77.00"}' \
		"$VFECHA" "$$" "$RANDOM" "$VSEQ"
}

# ---- API ------------------------------------------------------------
# validate BODY [QUERY] [curl args...]: POST /v1/validate as account A
validate() {
	local body=$1 q=${2:-}
	shift 2 2>/dev/null || shift $#
	http POST "/v1/validate$q" -H "Authorization: Bearer $KEY_A" \
		-H 'Content-Type: application/vnd.api+json' --data-binary "$body" "$@"
}
# get_validation ID [curl args...]
get_validation() {
	local id=$1
	shift
	# curl leaves -o alone when there is no body (304): no stale body
	rm -f "$T/body"
	http GET "/v1/validations/$id" -H "Authorization: Bearer $KEY_A" "$@"
}
# expect_validation STATUS [ERROR_CODE]: a 200 Validation document
expect_validation() {
	expect_code 200
	expect_jsonapi_ct
	expect_schema validation.json
	expect_json data.type validation
	expect_json data.attributes.status "$1"
	if [[ -n ${2:-} ]]; then
		expect_json data.attributes.error_code "$2"
	fi
	if [[ $1 == valid ]]; then
		expect_json data.attributes.has_cep true
		expect_json data.attributes.error_code null
	fi
}
# wait_final ID: poll until the validation is neither queued nor processing
vfinal() {
	get_validation "$1"
	[[ $CODE == 200 ]] && [[ $(jget data.attributes.status) != queued ]] &&
		[[ $(jget data.attributes.status) != processing ]]
}
wait_final() { wait_for vfinal "$1"; }

# ---- MariaDB (root, through the test socket) ------------------------
db() { mariadb_sql "$T" "USE mxcep; $*"; }
db_status() { db "SELECT status FROM validations WHERE id = '$1'"; }
db_status_is() { [[ $(db_status "$1" 2>/dev/null) == "$2" ]]; }
# the Banxico pause, ended by hand between tests (its own test waits for it)
clear_backoff() { db "DELETE FROM service_state WHERE name = 'banxico_backoff'" || true; }
backoff_over() {
	[[ $(db "SELECT COUNT(*) FROM service_state WHERE name = 'banxico_backoff' AND until_at > UTC_TIMESTAMP()") == 0 ]]
}

# runner LOG ARGS...: mxcep-runner on the test config, bounded
runner() {
	local log=$1
	shift
	timeout 120 "$RUNNER" --config "$CONF" "$@" >"$log" 2>&1
}
# an RFC 3339 time S seconds from now
at_plus() { date -u -d "+$1 sec" +%Y-%m-%dT%H:%M:%SZ; }
# keep NAME / restore NAME: set the last response aside and bring it back
keep() {
	cp "$T/body" "$T/kept.$1.body"
	cp "$T/headers" "$T/kept.$1.headers"
	echo "$CODE" >"$T/kept.$1.code"
}
restore() {
	cp "$T/kept.$1.body" "$T/body"
	cp "$T/kept.$1.headers" "$T/headers"
	CODE=$(cat "$T/kept.$1.code")
}

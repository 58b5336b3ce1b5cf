# shellcheck shell=bash
# t_validate: synchronous POST /v1/validate through lighttpd against the
# Banxico simulator: a valid transfer end to end (GET, CEP XML/PDF),
# banks by name/alias, receptor from the CLABE, not_found, field errors,
# query parameters, scopes, another account's id. Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

t_begin "validate: sync valid transfer -> 200 Validation, CEP stored, GET, XML bytes = the simulator's, PDF"
new_transfer '"hora":"10:53:36","concepto":"PAGO IT"'
sim_tid=$TR_ID
v0=$(valida_count)
validate "$TR_BODY"
expect_validation valid
vid=$(jget data.id) || vid=
expect_json data.attributes.validation_type direct
expect_json data.attributes.is_playground false
expect_json data.attributes.banxico_result.cep.clave_rastreo "$TR_CLAVE"
expect_json data.attributes.banxico_result.outcome found
expect_json data.attributes.request_data.clave_rastreo "$TR_CLAVE"
expect_json data.attributes.request_data.monto 1500.00
expect_match completed_at "$(jget data.attributes.completed_at)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
expect_eq "links.self" "$(jget data.links.self)" "$URL/v1/validations/$vid"
expect_eq "links.cep_xml" "$(jget data.links.cep_xml)" "$URL/v1/validations/$vid/cep?format=xml"
expect_eq "links.cep_pdf" "$(jget data.links.cep_pdf)" "$URL/v1/validations/$vid/cep?format=pdf"
etag=$(jget data.attributes.etag_version)
expect_eq "ETag of the 200" "$(hdr ETag)" "W/\"$etag\""
expect_eq "simulator valida.do requests" "$(valida_count)" $((v0 + 1))
get_validation "$vid"
expect_validation valid
expect_json data.id "$vid"
expect_eq "ETag of GET" "$(hdr ETag)" "W/\"$etag\""
expect_match "Cache-Control" "$(hdr Cache-Control)" 'no-cache'
[[ -z $(hdr Retry-After) ]] || t_fail "Retry-After on a finished validation: $(hdr Retry-After)"
# the CEP exactly as the simulator serves it for that transfer
curl -s --max-time 10 -o "$T/sim.xml" "$SIM/_sim/transfers/$sim_tid/xml"
http GET "/v1/validations/$vid/cep?format=xml" -H "Authorization: Bearer $KEY_A"
expect_code 200
expect_match "XML Content-Type" "$(hdr Content-Type)" '^application/xml'
expect_match "XML Content-Disposition" "$(hdr Content-Disposition)" '^attachment; filename="[^"]+\.xml"$'
[[ -s $T/sim.xml ]] || t_fail "the simulator served no XML for transfer $sim_tid"
cmp -s "$T/body" "$T/sim.xml" || t_fail "CEP XML differs from the simulator's ($(wc -c <"$T/body") vs $(wc -c <"$T/sim.xml") bytes)"
# format defaults to xml
http GET "/v1/validations/$vid/cep" -H "Authorization: Bearer $KEY_A"
expect_code 200
cmp -s "$T/body" "$T/sim.xml" || t_fail "GET .../cep (no format) is not the XML"
http GET "/v1/validations/$vid/cep?format=pdf" -H "Authorization: Bearer $KEY_A"
expect_code 200
expect_match "PDF Content-Type" "$(hdr Content-Type)" '^application/pdf'
expect_match "PDF Content-Disposition" "$(hdr Content-Disposition)" '^attachment; filename="[^"]+\.pdf"$'
expect_eq "PDF magic" "$(head -c 4 "$T/body")" "%PDF"
curl -s --max-time 10 -o "$T/sim.pdf" "$SIM/_sim/transfers/$sim_tid/pdf"
cmp -s "$T/body" "$T/sim.pdf" || t_fail "CEP PDF differs from the simulator's"
t_end

t_begin "validate: CEP route errors: format=zip 400 invalid_parameter, unknown parameter 400, other account 404"
http GET "/v1/validations/$vid/cep?format=zip" -H "Authorization: Bearer $KEY_A"
expect_error 400 invalid_parameter
http GET "/v1/validations/$vid/cep?format=xml&x=1" -H "Authorization: Bearer $KEY_A"
expect_error 400 unknown_parameter
http GET "/v1/validations/$vid/cep?format=xml" -H "Authorization: Bearer $KEY_B"
expect_error 404 validation_not_found
http GET "/v1/validations/$vid" -H "Authorization: Bearer $KEY_B"
expect_error 404 validation_not_found
http GET "/v1/validations/$(uuid)/cep?format=pdf" -H "Authorization: Bearer $KEY_A"
expect_error 404 validation_not_found
t_end

t_begin "validate: JSON:API body, banks by name and alias, receptor derived from the CLABE"
new_transfer
body="{\"data\":{\"type\":\"validation\",\"attributes\":{\"fecha\":\"$VFECHA\",\"clave_rastreo\":\"$TR_CLAVE\",\"emisor\":\"BBVA Bancomer\",\"cuenta\":\"$TR_CUENTA\",\"monto\":1500}}}"
validate "$body"
expect_validation valid
id2=$(jget data.id) || id2=
expect_json data.attributes.request_data.emisor "BBVA Bancomer"
expect_eq "stored emisor/receptor" "$(db "SELECT CONCAT(emisor, '/', receptor) FROM validations WHERE id = '$id2'")" "40012/90646"
for name in "bbva méxico" "Bancomer" "BBVA MEXICO" "40012"; do
	validate "{\"fecha\":\"$VFECHA\",\"clave_rastreo\":\"$TR_CLAVE\",\"emisor\":\"$name\",\"receptor\":\"Sistema de Transferencias y Pagos\",\"cuenta\":\"$TR_CUENTA\",\"monto\":\"1500\"}"
	[[ $CODE == 200 && $(jget data.attributes.status) == valid ]] ||
		t_fail "emisor \"$name\": $CODE $(jget data.attributes.status 2>/dev/null) $(head -c 300 "$T/body")"
done
t_end

t_begin "validate: unknown transfer -> not_found, no CEP, cep 404 cep_not_available"
validate "$(unknown_body)"
expect_validation not_found
expect_json data.attributes.has_cep false
expect_json data.attributes.error_code null
expect_json data.links.cep_xml null
nf=$(jget data.id) || nf=
http GET "/v1/validations/$nf/cep?format=xml" -H "Authorization: Bearer $KEY_A"
expect_error 404 cep_not_available
http GET "/v1/validations/$nf/cep?format=pdf" -H "Authorization: Bearer $KEY_A"
expect_error 404 cep_not_available
t_end

# by_ref_body REF: TR_BODY asking by referencia instead of clave
by_ref_body() { printf '{"fecha":"%s","referencia":"%s","emisor":"40012","receptor":"90646","cuenta":"%s","monto":"1500.00"}' "$VFECHA" "$1" "$TR_CUENTA"; }
# list_item_of ID: GET /v1/validations?search=TERM (TERM = $2), then
# the attributes of ID's item in $T/item.json
list_item_of() {
	http GET "/v1/validations?search=$2&per_page=100" -H "Authorization: Bearer $KEY_A"
	expect_code 200
	expect_schema validation-list.json
	"$PY" -c 'import json, sys
for it in json.load(open(sys.argv[1]))["data"]:
    if it["id"] == sys.argv[2]:
        json.dump(it["attributes"], open(sys.argv[3], "w"))' "$T/body" "$1" "$T/item.json"
	[[ -s $T/item.json ]] || t_fail "validation $1 is not in the list searched by $2"
}

t_begin "validate: the identifier not given is learned from Banxico (CEP or payment table), shown in GET and in list items"
# by referencia, CEP found: clave_rastreo from the CEP's claveRastreo
ref=$(printf '%07d' $(((RANDOM * 32768 + RANDOM) % 10000000)))
new_transfer "\"referencia\":\"$ref\""
validate "$(by_ref_body "$ref")"
expect_validation valid
expect_json data.attributes.request_data.referencia "$ref"
expect_json data.attributes.clave_rastreo "$TR_CLAVE"
expect_json data.attributes.referencia "$ref"
rid=$(jget data.id) || rid=
ref1=$ref clave1=$TR_CLAVE
get_validation "$rid"
expect_validation valid
expect_json data.attributes.clave_rastreo "$TR_CLAVE"
expect_json data.attributes.referencia "$ref"
rm -f "$T/item.json"
list_item_of "$rid" "$ref"
expect_eq "list item clave_rastreo" "$(json_get "$T/item.json" clave_rastreo 2>/dev/null)" "$TR_CLAVE"
expect_eq "list item referencia" "$(json_get "$T/item.json" referencia 2>/dev/null)" "$ref"
# by clave, payment known but no CEP yet: referencia from the table
new_transfer '"cep_available":false'
sim_ref=$(json_get "$T/sim.body" referencia) || sim_ref=
validate "$TR_BODY"
expect_validation cep_unavailable cep_not_yet_available
expect_json data.attributes.clave_rastreo "$TR_CLAVE"
expect_json data.attributes.referencia "$sim_ref"
cid=$(jget data.id) || cid=
rm -f "$T/item.json"
list_item_of "$cid" "$TR_CLAVE"
expect_eq "list item referencia (from the table)" "$(json_get "$T/item.json" referencia 2>/dev/null)" "$sim_ref"
# by referencia, no CEP yet: clave_rastreo from the table
ref=$(printf '%07d' $(((RANDOM * 32768 + RANDOM) % 10000000)))
new_transfer "\"referencia\":\"$ref\",\"cep_available\":false"
validate "$(by_ref_body "$ref")"
expect_validation cep_unavailable cep_not_yet_available
expect_json data.attributes.clave_rastreo "$TR_CLAVE"
expect_json data.attributes.referencia "$ref"
# not found: nothing learned, the missing one stays null
validate "$(by_ref_body 7654321)"
expect_validation not_found
expect_json data.attributes.clave_rastreo null
expect_json data.attributes.referencia 7654321
nid=$(jget data.id) || nid=
rm -f "$T/item.json"
list_item_of "$nid" 7654321
expect_eq "list item clave_rastreo of a not_found" "$(json_get "$T/item.json" clave_rastreo 2>/dev/null)" null
# the operator's lists carry them too
for p in "/v1/admin/validations/recent?limit=100" "/v1/admin/validations?account_id=$ACC_A&search=$ref1"; do
	http GET "$p" -H "Authorization: Bearer $ADMIN_A"
	expect_code 200
	expect_schema validation-list.json
	"$PY" -c 'import json, sys
items = {it["id"]: it["attributes"] for it in json.load(open(sys.argv[1]))["data"]}
a = items.get(sys.argv[2]) or sys.exit("not listed")
print(a.get("clave_rastreo"), a.get("referencia"))' "$T/body" "$rid" >"$T/adm.out" 2>&1 ||
		t_fail "$p: $(cat "$T/adm.out")"
	expect_eq "$p: clave_rastreo referencia of $rid" "$(cat "$T/adm.out")" "$clave1 $ref1"
done
t_end

t_begin "validate: playground true is recorded"
new_transfer
validate "${TR_BODY%\}},\"playground\":true}"
expect_validation valid
expect_json data.attributes.is_playground true
t_end

# field_errors BODY: POST it, expect 422 and leave "code pointer" lines in $T/errs
field_errors() {
	validate "$1"
	expect_error 422 "$(jget errors.0.code)"
	"$PY" -c 'import json, sys
for e in json.load(open(sys.argv[1]))["errors"]:
    print(e["code"], e.get("source", {}).get("pointer", "-"))' "$T/body" 2>/dev/null | sort >"$T/errs"
}
# expect_errs "code pointer" ...: exactly these errors (any order)
expect_errs() {
	local want
	want=$(printf '%s\n' "$@" | sort)
	[[ $(cat "$T/errs") == "$want" ]] || t_fail "errors: expected [$(echo $want)], got [$(echo $(cat "$T/errs"))]"
}

t_begin "validate: 422 with one error per bad field (flat pointers)"
field_errors '{}'
expect_errs "missing_attribute /fecha" "missing_attribute /clave_rastreo" "missing_attribute /emisor" \
	"missing_attribute /cuenta" "missing_attribute /monto"
field_errors '{"fecha":"2025-02-30","clave_rastreo":"ABC-123","referencia":"12345678","emisor":"Banco Inexistente","receptor":"Nadie SA","cuenta":"646180157048010398","monto":"12.345","color":"red","playground":"yes"}'
expect_errs "invalid_date /fecha" "invalid_clave_rastreo /clave_rastreo" "invalid_referencia /referencia" \
	"unknown_bank /emisor" "unknown_bank /receptor" "invalid_clabe /cuenta" "invalid_amount /monto" \
	"unknown_attribute /color" "invalid_attribute /playground"
field_errors "{\"fecha\":\"$(date -u -d '+3 days' +%F)\",\"clave_rastreo\":\"$(printf 'A%.0s' {1..31})\",\"emisor\":\"40012\",\"receptor\":\"90646\",\"cuenta\":\"4111111111111112\",\"monto\":\"-5\"}"
expect_errs "invalid_date /fecha" "invalid_clave_rastreo /clave_rastreo" "invalid_card /cuenta" "invalid_amount /monto"
field_errors '{"fecha":20250101,"referencia":"123","emisor":"40012","receptor":"90646","cuenta":"12345","monto":"abc"}'
expect_errs "invalid_date /fecha" "invalid_account /cuenta" "invalid_amount /monto"
# a card (valid Luhn) names no bank: receptor is required
field_errors "{\"fecha\":\"$VFECHA\",\"referencia\":\"1234567\",\"emisor\":\"40012\",\"cuenta\":\"4111111111111111\",\"monto\":\"10\"}"
expect_errs "missing_attribute /receptor"
t_end

t_begin "validate: 422 pointers under /data/attributes for the JSON:API body"
field_errors "{\"data\":{\"type\":\"validation\",\"attributes\":{\"fecha\":\"$VFECHA\",\"clave_rastreo\":\"OK1\",\"emisor\":\"nope bank\",\"cuenta\":\"646180157048010399\",\"monto\":\"1.001\",\"extra\":1}}}"
expect_errs "unknown_bank /data/attributes/emisor" "invalid_amount /data/attributes/monto" \
	"unknown_attribute /data/attributes/extra"
t_end

t_begin "validate: ambiguous bank name -> 422 ambiguous_bank"
# no real name is ambiguous: add one alias for two participants, reload
db "INSERT INTO bank_aliases (search_name, participant_code, alias, source, priority) VALUES
	('itgemelo', '40012', 'IT Gemelo', 'manual', 2), ('itgemelo', '40002', 'IT Gemelo', 'manual', 2)" ||
	t_fail "could not add the test alias"
restart_fcgi 2>"$T/restart.err" || t_fail "mxcep-fcgi restart: $(cat "$T/restart.err")"
wait_for health_200 || t_fail "mxcep-fcgi did not come back after the restart"
field_errors "{\"fecha\":\"$VFECHA\",\"clave_rastreo\":\"AMB1\",\"emisor\":\"IT Gemelo\",\"cuenta\":\"646180157048010399\",\"monto\":\"1\"}"
expect_errs "ambiguous_bank /emisor"
db "DELETE FROM bank_aliases WHERE search_name = 'itgemelo'" || t_fail "could not remove the test alias"
t_end

t_begin "validate: query parameters: unknown 400 unknown_parameter, async=2 400 invalid_parameter"
n0=$(db "SELECT COUNT(*) FROM validations")
validate "$(unknown_body)" "?foo=1"
expect_error 400 unknown_parameter
expect_json errors.0.source.parameter foo
validate "$(unknown_body)" "?async=2"
expect_error 400 invalid_parameter
expect_eq "validations recorded by rejected requests" "$(db "SELECT COUNT(*) FROM validations")" "$n0"
t_end

t_begin "validate: scope validations:write is required; no key 401"
RO=$(new_key "$ACC_A" validations:read) || t_fail "key create failed"
http POST /v1/validate -H "Authorization: Bearer $RO" -H 'Content-Type: application/json' --data-binary "$(unknown_body)"
expect_error 403 insufficient_scope
http POST /v1/validate -H 'Content-Type: application/json' --data-binary "$(unknown_body)"
expect_error 401 missing_api_key
t_end

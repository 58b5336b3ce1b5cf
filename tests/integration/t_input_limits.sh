# shellcheck shell=bash
# t_input_limits: what an error echoes of the request is cut to a
# documented length (detail 512 bytes, source.parameter and
# source.pointer 128, then "..."), and a single-valued query parameter
# given twice (async, format, limit...) is 400 invalid_parameter, never
# silently the first. Sourced by run.sh.

ACC_IL=$(admin account create it-input-limits 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
ILK=$(new_key "$ACC_IL" validations:read,validations:write) || bail "key create failed"
ilreq() { http "$1" "$2" -H "Authorization: Bearer $ILK" "${@:3}"; }

t_begin "input limits: a 6000-byte unknown parameter name is echoed cut to 128 bytes + ..."
long=$(head -c 6000 /dev/zero | tr '\0' 'p')
ilreq GET "/v1/validations?$long=1"
expect_error 400 unknown_parameter
p=$(jget errors.0.source.parameter)
expect_eq "source.parameter" "$p" "$(head -c 128 /dev/zero | tr '\0' 'p')..."
(($(wc -c <"$T/body") < 1500)) || t_fail "the error is $(wc -c <"$T/body") bytes for a 6000-byte name"
# cut on a UTF-8 character boundary: 2-byte ñ, 128 is even but start one byte in
long=x$(printf 'ñ%.0s' $(seq 1 300))
ilreq GET "/v1/validations?$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$long")=1"
expect_error 400 unknown_parameter
p=$(jget errors.0.source.parameter)
expect_eq "source.parameter (UTF-8)" "$p" "x$(printf 'ñ%.0s' $(seq 1 63))..."
t_end

t_begin "input limits: a 10 KB unknown member name: source.pointer and detail are cut"
name=$(head -c 10000 /dev/zero | tr '\0' 'm')
http POST /v1/validate -H "Authorization: Bearer $ILK" -H 'Content-Type: application/vnd.api+json' \
	--data-binary "{\"data\":{\"type\":\"validation\",\"attributes\":{\"fecha\":\"2025-01-15\",\"clave_rastreo\":\"IL1\",\"emisor\":\"40012\",\"receptor\":\"40014\",\"cuenta\":\"012180001234567891\",\"monto\":\"1.00\",\"$name\":1}}}"
expect_code 422
expect_schema errors.json
(($(wc -c <"$T/body") < 2000)) || t_fail "the error is $(wc -c <"$T/body") bytes for a 10 KB member name: $(head -c 300 "$T/body")"
ptr=$(jget errors.0.source.pointer)
((${#ptr} <= 131)) || t_fail "source.pointer is ${#ptr} bytes"
expect_match "source.pointer" "$ptr" '^/data/attributes/m+\.\.\.$'
det=$(jget errors.0.detail)
((${#det} <= 515)) || t_fail "detail is ${#det} bytes"
t_end

t_begin "input limits: a single-valued query parameter given twice is 400 invalid_parameter"
ilreq POST "/v1/validate?async=1&async=0" -H 'Content-Type: application/vnd.api+json' --data-binary '{}'
expect_error 400 invalid_parameter
expect_json errors.0.source.parameter async
ilreq GET "/v1/validations/$(uuid)/cep?format=xml&format=pdf"
expect_error 400 invalid_parameter
expect_json errors.0.source.parameter format
ilreq GET "/v1/validations/export?format=csv&status=valid&format=xlsx"
expect_error 400 invalid_parameter
expect_json errors.0.source.parameter format
http GET "/v1/admin/validations/recent?limit=1&limit=50" -H "Authorization: Bearer $ADMIN_A"
expect_error 400 invalid_parameter
expect_json errors.0.source.parameter limit
# the same key encoded differently is the same key
ilreq GET "/v1/validations?per_page=5&per%5Fpage=6"
expect_error 400 invalid_parameter
expect_json errors.0.source.parameter per_page
# once each is fine
ilreq GET "/v1/validations/export?format=csv&status=valid"
expect_code 200
http GET "/v1/admin/validations/recent?limit=1" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
t_end
printf '%s\n' "$ILK" >>"$T/secrets"

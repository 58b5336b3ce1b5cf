# shellcheck shell=bash
# t_routing: unknown paths, wrong methods and bad bodies get JSON:API errors
# with stable codes (never the web server's HTML). Sourced by run.sh.

t_begin "routing: unknown path is 404 not_found as JSON:API"
for p in /v1/no-such-thing /v1/health/extra /v1/admin/nope "/v1/validations/$(uuid)/nope"; do
	http GET "$p" -H "Authorization: Bearer $KEY_A"
	if [[ $CODE != 404 || $(jget errors.0.code) != not_found ]]; then
		t_fail "GET $p: expected 404 not_found, got $CODE $(head -c 300 "$T/body")"
	fi
	expect_jsonapi_ct
	expect_schema errors.json
done
t_end

t_begin "routing: wrong method is 405 method_not_allowed with Allow"
http DELETE /v1/health
expect_error 405 method_not_allowed
expect_match "Allow on DELETE /v1/health" "$(hdr Allow)" '(^|[ ,])GET([ ,]|$)'
http POST /v1/health -H 'Content-Type: application/vnd.api+json' --data '{}'
expect_error 405 method_not_allowed
http PUT /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' --data '{}'
expect_error 405 method_not_allowed
allow=$(hdr Allow)
expect_match "Allow on PUT /v1/admin/api-keys has GET" "$allow" '(^|[ ,])GET([ ,]|$)'
expect_match "Allow on PUT /v1/admin/api-keys has POST" "$allow" '(^|[ ,])POST([ ,]|$)'
t_end

# a valid api-key creation body, padded to SIZE bytes with spaces
key_body() {
	local b='{"data":{"type":"api_key","attributes":{"name":"it-pad","scopes":["validations:read"]}}}'
	printf '%s' "$b"
	(($1 > ${#b})) && printf "%$(($1 - ${#b}))s" ""
}

t_begin "routing: body over max_body_bytes is 413 body_too_large"
key_body 16400 >"$T/big.json"
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' --data-binary "@$T/big.json"
expect_error 413 body_too_large
t_end

t_begin "routing: wrong Content-Type is 415 unsupported_media_type"
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: text/plain' --data-binary "$(key_body 0)"
expect_error 415 unsupported_media_type
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/x-www-form-urlencoded' --data 'name=x'
expect_error 415 unsupported_media_type
t_end

t_begin "routing: malformed JSON is 400 malformed_json with line and column"
printf '{"data": {"type": "api_key",\n  "attributes": }}\n' >"$T/bad.json"
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' --data-binary "@$T/bad.json"
expect_error 400 malformed_json
expect_match "errors.0.detail" "$(jget errors.0.detail)" 'line 2, column [0-9]+'
ptr=$(jget errors.0.source.pointer) || ptr="<absent>"
expect_eq "errors.0.source.pointer" "$ptr" ""
t_end

t_begin "routing: JSON nested deeper than max_json_depth is 400 json_too_deep"
{
	printf '{"data":{"type":"api_key","attributes":{"name":"deep","x":'
	printf '[%.0s' {1..40}
	printf '1'
	printf ']%.0s' {1..40}
	printf '}}}'
} >"$T/deep.json"
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' --data-binary "@$T/deep.json"
expect_error 400 json_too_deep
t_end

t_begin "routing: application/json is accepted like application/vnd.api+json"
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/json' --data-binary "$(key_body 0)"
expect_code 201
expect_jsonapi_ct
id=$(jget data.id) || id=
if [[ -n $id ]]; then
	http DELETE "/v1/admin/api-keys/$id" -H "Authorization: Bearer $ADMIN_A"
	expect_code 204
fi
t_end

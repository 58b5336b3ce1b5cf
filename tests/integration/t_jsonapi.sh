# shellcheck shell=bash
# t_jsonapi: JSON:API 1.1 details: the top-level "jsonapi" member in
# every document (data and errors), content negotiation (406 for an
# Accept whose every JSON:API instance has other media type parameters,
# 415 for such a Content-Type), and pagination links in the parameter
# family the request used. Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

ACC_J=$(admin account create it-jsonapi 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
JK=$(new_key "$ACC_J" validations:read,validations:write,validations:delete) || bail "key create failed"
JADM=$(new_key "$ACC_J" admin) || bail "key create failed"
# jreq METHOD PATH [curl args...]: as account J
jreq() { http "$1" "$2" -H "Authorization: Bearer $JK" "${@:3}"; }
# post_as CONTENT_TYPE BODY: POST /v1/validate as account A
post_as() {
	http POST /v1/validate -H "Authorization: Bearer $KEY_A" -H "Content-Type: $1" --data-binary "$2"
}
expect_jsonapi_member() {
	expect_json jsonapi.version 1.1
	expect_eq "jsonapi members" "$(jget jsonapi)" '{"version": "1.1"}'
}
# five records of account J, newest first J5..J1
for i in 1 2 3 4 5; do
	db "INSERT INTO validations (id, account_id, created_at, updated_at, status, fecha, clave_rastreo,
		emisor, receptor, monto, request_data) VALUES ('5a000000-0000-4000-8000-00000000000$i', '$ACC_J',
		'2025-02-0$i 10:00:00', '2025-02-0$i 10:00:00', 'valid', '2025-02-0$i', 'JSONAPI000$i', '40012', '90646',
		10.00, '{}')" || bail "cannot insert the records of t_jsonapi"
done
J1=5a000000-0000-4000-8000-000000000001

t_begin "jsonapi: every document has jsonapi {version: 1.1}: data, lists, errors, 202, 200 validate"
http GET /v1/health
expect_code 200
expect_jsonapi_member
jreq GET "/v1/validations/$J1"
expect_code 200
expect_schema validation.json
expect_jsonapi_member
jreq GET /v1/validations
expect_code 200
expect_schema validation-list.json
expect_jsonapi_member
jreq GET /v1/validations/stats
expect_code 200
expect_jsonapi_member
jreq GET "/v1/validations/$J1/retry-attempts"
expect_code 200
expect_jsonapi_member
http GET /v1/admin/api-keys -H "Authorization: Bearer $JADM"
expect_code 200
expect_jsonapi_member
for p in /v1/nothing-here "/v1/validations/$(uuid)"; do
	jreq GET "$p"
	expect_code 404
	expect_schema errors.json
	expect_jsonapi_member
done
http GET /v1/validations
expect_error 401 missing_api_key
expect_jsonapi_member
http PATCH /v1/validations -H "Authorization: Bearer $JK"
expect_error 405 method_not_allowed
expect_jsonapi_member
validate '{}'
expect_error 422 missing_attribute
expect_jsonapi_member
new_transfer
validate "$TR_BODY"
expect_validation valid
expect_jsonapi_member
validate "$TR_BODY" "?async=1"
expect_code 202
expect_schema validation-queued.json
expect_jsonapi_member
t_end

t_begin "jsonapi: 406 not_acceptable when every JSON:API instance of Accept has other parameters"
for acc in 'application/vnd.api+json; charset=utf-8' \
	'application/vnd.api+json;version=2, application/vnd.api+json; charset="utf-8"' \
	'text/html, application/vnd.api+json; charset=utf-8' \
	'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"'; do
	jreq GET /v1/validations -H "Accept: $acc"
	expect_error 406 not_acceptable
	expect_json errors.0.source.header Accept
	expect_jsonapi_member
done
# health too: it is a JSON:API document
http GET /v1/health -H 'Accept: application/vnd.api+json; charset=utf-8'
expect_error 406 not_acceptable
t_end

t_begin "jsonapi: Accept with one usable JSON:API instance, or none at all, is served"
for acc in 'application/vnd.api+json' 'application/vnd.api+json; charset=utf-8, application/vnd.api+json' \
	'application/vnd.api+json; profile="https://example.com/p"' 'application/vnd.api+json; q=0.5' \
	'application/json' '*/*' 'text/html, */*;q=0.1'; do
	jreq GET /v1/validations -H "Accept: $acc"
	[[ $CODE == 200 ]] || t_fail "Accept: $acc -> $CODE $(head -c 200 "$T/body")"
done
http GET /v1/health -H 'Accept: application/vnd.api+json; profile="https://example.com/p"'
expect_code 200
t_end

t_begin "jsonapi: 415 unsupported_media_type for a JSON:API Content-Type with other parameters, on any route"
n0=$(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_A'")
for ct in 'application/vnd.api+json; charset=utf-8' 'application/vnd.api+json;version=1' \
	'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"'; do
	post_as "$ct" "$TR_BODY"
	expect_error 415 unsupported_media_type
	expect_json errors.0.source.header Content-Type
	expect_jsonapi_member
	# a route without a body: the header is refused all the same
	jreq DELETE "/v1/validations/$J1" -H "Content-Type: $ct"
	expect_error 415 unsupported_media_type
	jreq GET /v1/validations -H "Content-Type: $ct"
	expect_error 415 unsupported_media_type
done
expect_eq "validations recorded by refused requests" "$(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_A'")" "$n0"
expect_eq "J1 still live" "$(db "SELECT deleted_at IS NULL FROM validations WHERE id = '$J1'")" 1
# the plain type, a profile, and application/json (with a charset) are fine
for ct in 'application/vnd.api+json' 'application/vnd.api+json; profile="https://example.com/p"' \
	'application/json; charset=utf-8'; do
	post_as "$ct" "$TR_BODY"
	expect_validation valid
done
t_end

# links_family: every pagination link of the last list answer uses only
# FAMILY's keys (jsonapi: page[number]/page[size]; plain: page/per_page)
links_family() {
	local fam=$1 l v
	for l in first prev next last; do
		v=$(jget "links.$l") || v="<absent>"
		[[ $v == null ]] && continue
		v=${v//%5B/[}
		v=${v//%5D/]}
		if [[ $fam == jsonapi ]]; then
			[[ $v =~ [?\&]page\[number\]= ]] || t_fail "links.$l has no page[number]: $v"
			[[ $v =~ [?\&](page|per_page)= ]] && t_fail "links.$l mixes in page/per_page: $v"
		else
			[[ $v =~ [?\&]page= ]] || t_fail "links.$l has no page: $v"
			[[ $v == *"page["* ]] && t_fail "links.$l mixes in page[...]: $v"
		fi
	done
}

t_begin "jsonapi: pagination links stay in the request's parameter family, never mixed"
B="$URL/v1/validations"
jreq GET '/v1/validations?page%5Bsize%5D=2'
expect_code 200
expect_json meta.per_page 2
expect_json links.self "$B?page%5Bsize%5D=2"
expect_json links.first "$B?page%5Bsize%5D=2&page%5Bnumber%5D=1"
expect_json links.next "$B?page%5Bsize%5D=2&page%5Bnumber%5D=2"
expect_json links.last "$B?page%5Bsize%5D=2&page%5Bnumber%5D=3"
links_family jsonapi
jreq GET '/v1/validations?page%5Bnumber%5D=2&per_page=2'
expect_code 200
expect_json links.prev "$B?page%5Bsize%5D=2&page%5Bnumber%5D=1"
expect_json links.next "$B?page%5Bsize%5D=2&page%5Bnumber%5D=3"
links_family jsonapi
jreq GET '/v1/validations?status=valid&page=2&page%5Bsize%5D=2'
expect_code 200
expect_json links.next "$B?status=valid&page%5Bsize%5D=2&page%5Bnumber%5D=3"
links_family jsonapi
jreq GET '/v1/validations?per_page=2&page=2'
expect_code 200
expect_json links.next "$B?per_page=2&page=3"
links_family plain
jreq GET '/v1/validations?page=2'
expect_code 200
links_family plain
# brackets as the client typed them (not encoded) count the same
jreq GET '/v1/validations?page[size]=2' -g
expect_code 200
expect_json meta.per_page 2
links_family jsonapi
# the next link is a working request for the next page
jreq GET '/v1/validations?per_page=2&page%5Bnumber%5D=1'
expect_code 200
next=$(jget links.next) || next=
first_ids=$(json_get "$T/body" data.1.id)
http GET "${next#"$URL"}" -H "Authorization: Bearer $JK"
expect_code 200
expect_json meta.page 2
expect_json meta.per_page 2
[[ $(jget data.0.id) != "$first_ids" ]] || t_fail "the next link served the same page"
t_end

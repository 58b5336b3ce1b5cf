# shellcheck shell=bash
# t_auth: API keys, scopes, account confinement, revocation within
# auth_cache_ttl, the admin api-keys resource, and secrets kept out of logs.
# Sourced by run.sh.

# a validation row owned by ACCOUNT, inserted straight into MariaDB
insert_validation() { # ACCOUNT -> id on stdout
	local id
	id=$(uuid)
	mariadb_sql "$T" "INSERT INTO mxcep.validations
		(id, account_id, validation_type, status, fecha, clave_rastreo, emisor, receptor,
		 cuenta, monto, request_data, created_at, updated_at, completed_at, has_cep)
		VALUES ('$id', '$1', 'direct', 'not_found', '2025-01-15', 'ITEST0001', '40012', '40014',
		 '012180001234567891', 1234.56,
		 '{\"fecha\":\"2025-01-15\",\"clave_rastreo\":\"ITEST0001\",\"emisor\":\"40012\",\"receptor\":\"40014\",\"cuenta\":\"012180001234567891\",\"monto\":\"1234.56\"}',
		 UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP(), 0)" || return 1
	printf '%s\n' "$id"
}
expect_401() { # CODE
	expect_error 401 "$1"
	expect_match "WWW-Authenticate" "$(hdr WWW-Authenticate)" '^Bearer'
}

t_begin "auth: missing key is 401 missing_api_key with WWW-Authenticate"
http GET "/v1/validations/$(uuid)"
expect_401 missing_api_key
t_end

t_begin "auth: unknown and malformed keys are 401 invalid_api_key"
http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer mxcep_$(uuid | tr -d -)"
expect_401 invalid_api_key
http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer not-even-a-key"
expect_401 invalid_api_key
http GET "/v1/validations/$(uuid)" -H "Authorization: Basic dXNlcjpwYXNz"
[[ $CODE == 401 ]] || t_fail "Basic credentials: expected 401, got $CODE"
expect_schema errors.json
t_end

t_begin "auth: a revoked key is 401 api_key_revoked"
rev=$(new_key "$ACC_A" validations:read) && rev_id=$(cat "$T/last_key_id") || t_fail "key create failed"
admin key revoke "$rev_id" >/dev/null 2>"$T/admin.err" || t_fail "key revoke: $(cat "$T/admin.err")"
http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $rev"
expect_401 api_key_revoked
t_end

t_begin "auth: a key without the scope is 403 insufficient_scope"
wonly=$(new_key "$ACC_A" validations:write) || t_fail "key create failed"
http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $wonly"
expect_error 403 insufficient_scope
http GET /v1/admin/api-keys -H "Authorization: Bearer $KEY_A"
expect_error 403 insufficient_scope
http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $ADMIN_A"
expect_error 403 insufficient_scope
t_end

t_begin "auth: a key sees its own account's validation, never another's"
vid_b=$(insert_validation "$ACC_B") || t_fail "cannot insert a validation for account B"
http GET "/v1/validations/$vid_b" -H "Authorization: Bearer $KEY_B"
expect_code 200
expect_json data.id "$vid_b"
http GET "/v1/validations/$vid_b" -H "Authorization: Bearer $KEY_A"
expect_error 404 validation_not_found
if grep -q "$ACC_B" "$T/body"; then t_fail "account A's 404 mentions account B's id"; fi
http GET "/v1/validations/not-a-uuid" -H "Authorization: Bearer $KEY_A"
expect_error 404 validation_not_found
t_end

t_begin "auth: a key revoked with mxcep-admin stops working within auth_cache_ttl (1 s)"
k=$(new_key "$ACC_A" validations:read) && k_id=$(cat "$T/last_key_id") || t_fail "key create failed"
# use it on both workers so each may have it cached
for _ in 1 2 3 4; do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $k"
	[[ $CODE == 404 ]] || t_fail "new key before revocation: expected 404, got $CODE"
done
admin key revoke "$k_id" >/dev/null 2>"$T/admin.err" || t_fail "key revoke: $(cat "$T/admin.err")"
start=$SECONDS
revoked_now() {
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $k"
	[[ $CODE == 401 ]]
}
if WAIT_TIMEOUT=3 wait_for revoked_now; then
	for _ in 1 2 3 4 5 6; do
		http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $k"
		[[ $CODE == 401 ]] || t_fail "revoked key worked again after a 401 ($((SECONDS - start)) s after revoke): $CODE"
	done
	expect_json errors.0.code api_key_revoked
else
	t_fail "revoked key still answered $CODE more than 3 s after mxcep-admin key revoke"
fi
t_end

t_begin "auth: admin api-keys: create, list, use, revoke"
body='{"data":{"type":"api_key","attributes":{"name":"it-roundtrip","scopes":["validations:read"]}}}'
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' --data-binary "$body"
expect_code 201
expect_jsonapi_ct
expect_json data.type api_key
expect_json data.attributes.name it-roundtrip
expect_match "Cache-Control" "$(hdr Cache-Control)" 'no-store'
new_secret=$(jget data.attributes.secret) || new_secret=
new_id=$(jget data.id) || new_id=
expect_match "data.attributes.secret" "$new_secret" '^mxcep_'
expect_match "data.id" "$new_id" '^[0-9a-f-]{36}$'
echo "$new_secret" >>"$T/secrets"
http GET /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_jsonapi_ct
grep -q "\"$new_id\"" "$T/body" || t_fail "GET /v1/admin/api-keys does not list $new_id"
grep -q "\"$KEY_A_ID\"" "$T/body" || t_fail "GET /v1/admin/api-keys does not list the account's key $KEY_A_ID"
grep -q "\"$KEY_B_ID\"" "$T/body" && t_fail "GET /v1/admin/api-keys of account A lists account B's key"
[[ -n $new_secret ]] && grep -qF "$new_secret" "$T/body" && t_fail "the key list shows a secret"
grep -q '"secret"' "$T/body" && t_fail "the key list has a secret attribute"
grep -q '"key_hash"\|"hash"' "$T/body" && t_fail "the key list shows the key hash"
http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $new_secret"
expect_error 404 validation_not_found
http DELETE "/v1/admin/api-keys/$KEY_B_ID" -H "Authorization: Bearer $ADMIN_A"
expect_error 404 api_key_not_found
http DELETE "/v1/admin/api-keys/$(uuid)" -H "Authorization: Bearer $ADMIN_A"
expect_error 404 api_key_not_found
http DELETE "/v1/admin/api-keys/$new_id" -H "Authorization: Bearer $ADMIN_A"
expect_code 204
new_revoked() {
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $new_secret"
	[[ $CODE == 401 ]]
}
WAIT_TIMEOUT=3 wait_for new_revoked || t_fail "key deleted through the API still answers $CODE after 3 s"
http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $KEY_B"
expect_error 404 validation_not_found
t_end

t_begin "auth: admin api-keys: invalid attributes are 4xx invalid_attribute"
http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
	-H 'Content-Type: application/vnd.api+json' \
	--data-binary '{"data":{"type":"api_key","attributes":{"name":"x","scopes":["root"]}}}'
[[ $CODE == 400 || $CODE == 422 ]] || t_fail "unknown scope: expected 400/422, got $CODE"
expect_json errors.0.code invalid_attribute
expect_match "errors.0.source.pointer" "$(jget errors.0.source.pointer)" '^/data/attributes/scopes'
expect_schema errors.json
t_end

t_begin "auth: admin api-keys: a name with control characters and a scope list in one element are 422 with pointers"
# key_post BODY: POST /v1/admin/api-keys as A's admin key
key_post() {
	http POST /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A" \
		-H 'Content-Type: application/vnd.api+json' --data-binary "$1"
}
key_post '{"data":{"type":"api_key","attributes":{"name":"ok\r\nforged\trow","scopes":["validations:read"]}}}'
expect_error 422 invalid_attribute
expect_json errors.0.source.pointer /data/attributes/name
for nm in 'a\u0000b' 'bell\u0007' 'del\u007f' 'c1\u0085' 'esc\u001b[31m'; do
	key_post "{\"data\":{\"type\":\"api_key\",\"attributes\":{\"name\":\"$nm\",\"scopes\":[\"admin\"]}}}"
	[[ $CODE == 422 || $CODE == 400 ]] || t_fail "name \"$nm\": expected 422 (400 for NUL), got $CODE"
	expect_json errors.0.code "$([[ $nm == *u0000* ]] && echo malformed_json || echo invalid_attribute)"
done
key_post '{"data":{"type":"api_key","attributes":{"name":"two-in-one","scopes":["validations:read,admin"]}}}'
expect_error 422 invalid_attribute
expect_json errors.0.source.pointer /data/attributes/scopes/0
key_post '{"data":{"type":"api_key","attributes":{"name":"spaced","scopes":["validations:read"," admin"]}}}'
expect_error 422 invalid_attribute
expect_json errors.0.source.pointer /data/attributes/scopes/1
# both problems at once: one error each
key_post '{"data":{"type":"api_key","attributes":{"name":"x\ny","scopes":["admin,validations:read"]}}}'
expect_error 422 invalid_attribute
expect_eq "errors" "$(jget errors | grep -o '"pointer"' | wc -l)" 2
http GET /v1/admin/api-keys -H "Authorization: Bearer $ADMIN_A"
grep -q 'forged\|two-in-one\|spaced' "$T/body" && t_fail "a refused key was created: $(head -c 400 "$T/body")"
# a name in any script without controls is fine
key_post '{"data":{"type":"api_key","attributes":{"name":"Cobranza ñandú – 東京","scopes":["validations:read"]}}}'
expect_code 201
echo "$(jget data.attributes.secret)" >>"$T/secrets"
t_end

t_begin "auth: mxcep-admin key create refuses a name with control characters; key list escapes what it prints"
if out=$(admin key create "$ACC_B" --scopes validations:read --name $'ok\nforged-row' 2>&1); then
	echo "$out" | head -n 1 >>"$T/secrets"
	t_fail "key create with a newline in --name succeeded"
else
	expect_match "key create message" "$out" 'control characters'
fi
if admin key create "$ACC_B" --scopes validations:read --name $'tab\there' >/dev/null 2>&1; then
	t_fail "key create with a tab in --name succeeded"
fi
if admin key create "$ACC_B" --scopes validations:read --name $'bad\xffutf8' >/dev/null 2>&1; then
	t_fail "key create with invalid UTF-8 in --name succeeded"
fi
# a row written before the check (or by hand) is printed escaped: one line, six columns
bad_id=$(uuid)
mariadb_sql "$T" "INSERT INTO mxcep.api_keys (id, account_id, key_hash, key_prefix, name, scopes, created_at)
	SELECT '$bad_id', account_id, REPEAT('0', 64), 'mxcep_FORGE0', CONCAT('evil', CHAR(10), 'x', CHAR(92), 'tforged', CHAR(9), 'col', CHAR(92)),
	scopes, created_at FROM mxcep.api_keys WHERE account_id = '$ACC_B' LIMIT 1" 2>"$T/sql.err" ||
	t_fail "cannot insert a key with a forged name: $(cat "$T/sql.err")"
admin key list "$ACC_B" >"$T/keylist" 2>"$T/admin.err" || t_fail "key list: $(cat "$T/admin.err")"
row=$(grep -F "$bad_id" "$T/keylist")
expect_eq "rows naming the forged key" "$(grep -cF "$bad_id" "$T/keylist")" 1
expect_eq "lines of key list" "$(wc -l <"$T/keylist")" "$(grep -c '^[0-9a-f-]\{36\}	' "$T/keylist")"
expect_eq "columns of the forged row" "$(awk -F'\t' '{ print NF }' <<<"$row")" 6
expect_eq "the forged name, escaped" "$(cut -f4 <<<"$row")" 'evil\nx\\tforged\tcol\\'
t_end

t_begin "auth: an unknown key sent again is answered from the worker's memory, not MariaDB"
stmt_executes() { mariadb_sql "$T" "SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'" | awk '{ print $2 }'; }
bad=mxcep_$(uuid | tr -d -)
before=$(stmt_executes)
for _ in $(seq 1 40); do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $bad"
	[[ $CODE == 401 ]] || t_fail "the same unknown key: expected 401, got $CODE"
done
expect_json errors.0.code invalid_api_key
after=$(stmt_executes)
# one lookup per worker (2) at most, not one per request (40)
(((after - before) <= 4)) || t_fail "40 requests with one unknown key ran $((after - before)) MariaDB statements"
t_end

t_begin "auth: by default, 20 unknown keys per address and worker a minute, then 429 too_many_invalid_keys"
n401=0
for _ in $(seq 1 60); do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer mxcep_$(uuid | tr -d -)"
	[[ $CODE == 401 ]] || break
	n401=$((n401 + 1))
done
expect_error 429 too_many_invalid_keys
expect_match "Retry-After" "$(hdr Retry-After)" '^[0-9]+$'
(($(hdr Retry-After) >= 1 && $(hdr Retry-After) <= 60)) || t_fail "Retry-After $(hdr Retry-After) is not 1..60"
# 20 per worker, 2 workers; the unknown keys of the tests above (at most 2
# per worker, within the minute) count too
((n401 >= 18 && n401 <= 42)) || t_fail "$n401 unknown keys answered 401 before the first 429 (want 18..42)"
t_end

t_begin "auth: too many unknown keys from one address are 429 too_many_invalid_keys with Retry-After; other addresses and later requests work"
set_conf auth_fail_limit 5
set_conf auth_fail_window 4
restart_fcgi 2>"$T/setup.err" || bail "mxcep-fcgi restart: $(cat "$T/setup.err")"
wait_for health_200 || bail "GET /v1/health never answered 200 after the restart"
# the same unknown key over and over counts once per worker: never 429
for _ in $(seq 1 12); do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $bad"
	[[ $CODE == 401 ]] || t_fail "one unknown key repeated: expected 401 every time, got $CODE"
done
# below the limit a valid key from the same address works
for _ in 1 2 3; do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer mxcep_$(uuid | tr -d -)"
	[[ $CODE == 401 ]] || t_fail "an unknown key below the limit: expected 401, got $CODE"
done
for _ in 1 2 3 4; do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $KEY_A"
	[[ $CODE == 404 ]] || t_fail "a valid key after 3 unknown ones: expected 404, got $CODE"
done
# distinct unknown keys: the 429 comes within 2 workers x 5
n401=5
for _ in $(seq 1 30); do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer mxcep_$(uuid | tr -d -)"
	[[ $CODE == 401 ]] || break
	n401=$((n401 + 1))
done
expect_error 429 too_many_invalid_keys
expect_match "Retry-After" "$(hdr Retry-After)" '^[1-4]$'
((n401 <= 12)) || t_fail "$n401 unknown keys answered 401 before the first 429 (limit 5, 2 workers)"
# over the limit, a worker refuses every key of that address, valid ones too
got429=0
for _ in $(seq 1 20); do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $KEY_A"
	[[ $CODE == 429 ]] && got429=1 && break
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer mxcep_$(uuid | tr -d -)"
done
((got429)) || t_fail "a valid key from an address over the limit was never refused"
# another address is not affected (127.0.0.2 reaches the same lighttpd)
for _ in 1 2 3 4; do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $KEY_A" --interface 127.0.0.2
	[[ $CODE == 404 ]] || t_fail "a valid key from another address: expected 404, got $CODE $(head -c 200 "$T/body")"
done
# the window ends: the address works again
sleep 4.2
for _ in 1 2 3 4; do
	http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $KEY_A"
	[[ $CODE == 404 ]] || t_fail "a valid key after the window: expected 404, got $CODE"
done
sed -i '/^auth_fail_/d' "$CONF"
restart_fcgi 2>"$T/setup.err" || bail "mxcep-fcgi restart: $(cat "$T/setup.err")"
wait_for health_200 || bail "GET /v1/health never answered 200 after the restart"
t_end

# every secret seen here is looked for in all logs at the end (run.sh)
printf '%s\n' "$KEY_A" "$ADMIN_A" "$KEY_B" "${rev:-}" "${k:-}" "${wonly:-}" >>"$T/secrets"

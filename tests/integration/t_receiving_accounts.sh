# shellcheck shell=bash
# t_receiving_accounts: GET/POST/DELETE /v1/receiving-accounts (issue 14):
# the CLABEs an account is paid into. Create, list (newest first, paged),
# get, delete; bad CLABEs, an unknown bank prefix, a duplicate, aliases
# with control characters, another account's ids, scopes, Idempotency-Key;
# and the store's find-by-last-digits statement (db_receiving_account_match)
# run as stmts.c holds it, through its index. Every body is checked against
# tests/schemas (receiving-account*.json are mxcep's own: the shared
# contract has none). Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

# ra_schema SCHEMA: the body against tests/schemas/SCHEMA only (not in ../shared)
ra_schema() {
	local out n
	if ! out=$(json_schema "$1" "$T/body" 2>&1); then
		t_fail "body does not match tests/schemas/$1: $out; body: $(head -c 400 "$T/body")"
	fi
	if [[ -n ${MXCEP_SCHEMA_SAMPLES:-} ]]; then
		mkdir -p "$MXCEP_SCHEMA_SAMPLES/${1%.json}"
		n=$(find "$MXCEP_SCHEMA_SAMPLES/${1%.json}" -name '*.json' | wc -l)
		cp "$T/body" "$MXCEP_SCHEMA_SAMPLES/${1%.json}/$((n + 1)).json"
	fi
}
# clabe_of PREFIX: a valid CLABE (random account digits) of that 3-digit prefix
clabe_of() {
	local d=$1 w=(3 7 1) s=0 i
	while ((${#d} < 17)); do d+=$((RANDOM % 10)); done
	for ((i = 0; i < 17; i++)); do s=$((s + (${d:i:1} * ${w[i % 3]}) % 10)); done
	echo "$d$(((10 - s % 10) % 10))"
}
# ra_post KEY BODY [curl args...]
ra_post() {
	local k=$1 b=$2
	shift 2
	http POST /v1/receiving-accounts -H "Authorization: Bearer $k" \
		-H 'Content-Type: application/vnd.api+json' --data-binary "$b" "$@"
}
ra_body() { # CLABE [ALIAS-JSON]
	printf '{"data":{"type":"receiving_account","attributes":{"clabe":"%s"%s}}}' "$1" \
		"${2:+,\"alias\":$2}"
}
ra_count() { db "SELECT COUNT(*) FROM receiving_accounts WHERE account_id = '$1'"; }

RA_READ=$(new_key "$ACC_A" validations:read) || RA_READ=
echo "$RA_READ" >>"$T/secrets"
RA_CLABE=$(clabe_of 012)

t_begin "receiving accounts: POST -> 201, Location, the resource with its bank; stored with its last 4 digits"
ra_post "$KEY_A" "$(ra_body "$RA_CLABE" '"Cobranza BBVA"')"
expect_code 201
expect_jsonapi_ct
ra_schema receiving-account.json
expect_json data.type receiving_account
expect_json data.attributes.clabe "$RA_CLABE"
expect_json data.attributes.bank.code 40012
expect_json data.attributes.bank.name "BBVA Mexico"
expect_json data.attributes.alias "Cobranza BBVA"
RA_ID=$(jget data.id) || RA_ID=
expect_match "Location" "$(hdr Location)" "/v1/receiving-accounts/$RA_ID\$"
expect_eq "stored row" "$(db "SELECT CONCAT(account_id, ' ', bank_code, ' ', clabe_last4) FROM receiving_accounts WHERE id = '$RA_ID'")" \
	"$ACC_A 40012 ${RA_CLABE:14:4}"
# no alias: null
RA_CLABE2=$(clabe_of 002)
ra_post "$KEY_A" "$(ra_body "$RA_CLABE2")"
expect_code 201
ra_schema receiving-account.json
expect_json data.attributes.alias null
expect_json data.attributes.bank.code 40002
RA_ID2=$(jget data.id) || RA_ID2=
t_end

t_begin "receiving accounts: GET one, and the list newest first, paged like the other lists"
http GET "/v1/receiving-accounts/$RA_ID" -H "Authorization: Bearer $KEY_A"
expect_code 200
ra_schema receiving-account.json
expect_json data.id "$RA_ID"
expect_json data.attributes.clabe "$RA_CLABE"
# make the first one older, so that the order does not hang on one second
db "UPDATE receiving_accounts SET created_at = created_at - INTERVAL 1 MINUTE WHERE id = '$RA_ID'"
http GET /v1/receiving-accounts -H "Authorization: Bearer $KEY_A"
expect_code 200
ra_schema receiving-account-list.json
expect_json meta.total 2
expect_json data.0.id "$RA_ID2"
expect_json data.1.id "$RA_ID"
expect_json links.next null
http GET '/v1/receiving-accounts?per_page=1' -H "Authorization: Bearer $KEY_A"
expect_code 200
ra_schema receiving-account-list.json
expect_json meta.per_page 1
expect_json data.0.id "$RA_ID2"
expect_match "links.next" "$(jget links.next)" 'per_page=1&page=2$'
http GET '/v1/receiving-accounts?page%5Bnumber%5D=2&page%5Bsize%5D=1' -H "Authorization: Bearer $KEY_A"
expect_code 200
ra_schema receiving-account-list.json
expect_json data.0.id "$RA_ID"
expect_json meta.page 2
http GET '/v1/receiving-accounts?status=valid' -H "Authorization: Bearer $KEY_A"
expect_error 400 unknown_parameter
http GET '/v1/receiving-accounts?per_page=101' -H "Authorization: Bearer $KEY_A"
expect_error 400 invalid_parameter
t_end

t_begin "receiving accounts: the same CLABE again -> 409 receiving_account_exists naming it; nothing added"
ra_post "$KEY_A" "$(ra_body "$RA_CLABE" '"otra"')"
expect_error 409 receiving_account_exists
expect_json errors.0.source.pointer /data/attributes/clabe
expect_json errors.0.meta.id "$RA_ID"
expect_eq "rows" "$(ra_count "$ACC_A")" 2
t_end

t_begin "receiving accounts: bad CLABEs -> 422 invalid_clabe (check digit, length, letters, a number); unknown prefix -> 422 unknown_bank; nothing stored"
bad_check=${RA_CLABE:0:17}$(((${RA_CLABE:17:1} + 1) % 10))
for c in "$bad_check" "${RA_CLABE:0:17}" "${RA_CLABE}1" "${RA_CLABE:0:16}AB" "0121 8000 1234 567"; do
	ra_post "$KEY_A" "$(ra_body "$c")"
	expect_error 422 invalid_clabe
	expect_json errors.0.source.pointer /data/attributes/clabe
done
ra_post "$KEY_A" '{"data":{"type":"receiving_account","attributes":{"clabe":12180001234567890}}}'
expect_error 422 invalid_clabe
ra_post "$KEY_A" "$(ra_body "$(clabe_of 999)")"
expect_error 422 unknown_bank
expect_json errors.0.source.pointer /data/attributes/clabe
ra_post "$KEY_A" '{"data":{"type":"receiving_account","attributes":{}}}'
expect_error 422 missing_attribute
ra_post "$KEY_A" "{\"data\":{\"type\":\"validation\",\"attributes\":{\"clabe\":\"$(clabe_of 012)\"}}}"
expect_error 409 type_mismatch
ra_post "$KEY_A" "{\"data\":{\"type\":\"receiving_account\",\"attributes\":{\"clabe\":\"$(clabe_of 012)\",\"bank\":\"x\"}}}"
expect_error 422 unknown_attribute
ra_post "$KEY_A" "{\"clabe\":\"$(clabe_of 012)\"}"
expect_error 400 invalid_attribute
expect_eq "rows" "$(ra_count "$ACC_A")" 2
t_end

t_begin "receiving accounts: an alias with control characters, or over 100 characters -> 422 invalid_attribute"
for a in '"a\nb"' '"tab\there"' '"esc\u001b"' '"c1\u0085"' '"del\u007f"' 5; do
	ra_post "$KEY_A" "$(ra_body "$(clabe_of 012)" "$a")"
	expect_error 422 invalid_attribute
	expect_json errors.0.source.pointer /data/attributes/alias
done
ra_post "$KEY_A" "$(ra_body "$(clabe_of 012)" "\"$(printf 'x%.0s' {1..101})\"")"
expect_error 422 invalid_attribute
expect_eq "rows" "$(ra_count "$ACC_A")" 2
# 100 characters of two bytes each are fine
ra_post "$KEY_A" "$(ra_body "$(clabe_of 012)" "\"$(printf 'ñ%.0s' {1..100})\"")"
expect_code 201
ra_schema receiving-account.json
expect_json data.attributes.alias "$(printf 'ñ%.0s' {1..100})"
t_end

t_begin "receiving accounts: scoped to the account: another account's id -> 404, its list, its own copy of a CLABE"
for m in GET DELETE; do
	http "$m" "/v1/receiving-accounts/$RA_ID" -H "Authorization: Bearer $KEY_B"
	expect_error 404 receiving_account_not_found
done
http GET /v1/receiving-accounts -H "Authorization: Bearer $KEY_B"
expect_code 200
ra_schema receiving-account-list.json
expect_json meta.total 0
ra_post "$KEY_B" "$(ra_body "$RA_CLABE")"
expect_code 201
ra_schema receiving-account.json
[[ $(jget data.id) != "$RA_ID" ]] || t_fail "account B got account A's receiving account"
http GET "/v1/receiving-accounts/00000000-0000-4000-8000-000000000000" -H "Authorization: Bearer $KEY_A"
expect_error 404 receiving_account_not_found
http GET "/v1/receiving-accounts/not-a-uuid" -H "Authorization: Bearer $KEY_A"
expect_error 404 receiving_account_not_found
t_end

t_begin "receiving accounts: scopes: writes need validations:write, reads validations:read (403 insufficient_scope)"
[[ -n $RA_READ ]] || t_fail "no read-only key"
ra_post "$RA_READ" "$(ra_body "$(clabe_of 012)")"
expect_error 403 insufficient_scope
http DELETE "/v1/receiving-accounts/$RA_ID" -H "Authorization: Bearer $RA_READ"
expect_error 403 insufficient_scope
http GET "/v1/receiving-accounts/$RA_ID" -H "Authorization: Bearer $RA_READ"
expect_code 200
ra_schema receiving-account.json
for p in /v1/receiving-accounts "/v1/receiving-accounts/$RA_ID"; do
	http GET "$p" -H "Authorization: Bearer $ADMIN_A"
	expect_error 403 insufficient_scope
done
http GET /v1/receiving-accounts
expect_error 401 missing_api_key
t_end

t_begin "receiving accounts: Idempotency-Key: the same key and body -> the first 201 replayed, one row"
ikey=it-ra-$$-$RANDOM
c=$(clabe_of 012)
ra_post "$KEY_A" "$(ra_body "$c")" -H "Idempotency-Key: $ikey"
expect_code 201
first=$(jget data.id) || first=
cp "$T/body" "$T/ra.first"
ra_post "$KEY_A" "$(ra_body "$c")" -H "Idempotency-Key: $ikey"
expect_code 201
ra_schema receiving-account.json
expect_eq "Idempotent-Replayed" "$(hdr Idempotent-Replayed)" true
expect_json data.id "$first"
cmp -s "$T/body" "$T/ra.first" || t_fail "the replayed body differs from the first"
expect_eq "rows with that CLABE" "$(db "SELECT COUNT(*) FROM receiving_accounts WHERE account_id = '$ACC_A' AND clabe = '$c'")" 1
expect_eq "the key names it" "$(db "SELECT resource_id FROM idempotency_keys WHERE idem_key = '$ikey'")" "$first"
ra_post "$KEY_A" "$(ra_body "$(clabe_of 012)")" -H "Idempotency-Key: $ikey"
expect_error 422 idempotency_key_reused
t_end

t_begin "receiving accounts: DELETE -> 204, then 404; the others stay"
http DELETE "/v1/receiving-accounts/$RA_ID2" -H "Authorization: Bearer $KEY_A"
expect_code 204
http GET "/v1/receiving-accounts/$RA_ID2" -H "Authorization: Bearer $KEY_A"
expect_error 404 receiving_account_not_found
http DELETE "/v1/receiving-accounts/$RA_ID2" -H "Authorization: Bearer $KEY_A"
expect_error 404 receiving_account_not_found
http GET "/v1/receiving-accounts/$RA_ID" -H "Authorization: Bearer $KEY_A"
expect_code 200
expect_eq "rows" "$(ra_count "$ACC_A")" 3
t_end

# The statement behind db_receiving_account_match (OCR: a masked ****1234
# completed from the account's CLABEs), read from stmts.c as the service
# prepares it, its placeholders filled in: the right rows, through
# idx_receiving_accounts_last4.
ra_match_sql() { # ACCOUNT LAST BANK -> the SQL, literal values in place of ?
	"$PY" - "$MXCEP_TOP_SRCDIR/src/store/stmts.c" "$@" <<'EOF'
import re, sys
src = open(sys.argv[1]).read()
acc, last, bank = sys.argv[2:5]
def strings(text):
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text))
cols = strings(re.search(r'#define RECV_COLS \\\n((?:\t"[^\n]*\n)+)', src).group(1))
m = re.search(r'\[STMT_RECV_MATCH\] = \{ "recv_match",\n(.*?), STMT_READ,', src, re.S)
sql = strings(m.group(1).replace("RECV_COLS", '"%s"' % cols))
vals = [acc, last[-4:], "%" + last, bank, bank, bank]
for v in vals:
    sql = sql.replace("?", "'%s'" % v, 1)
print(sql.replace("?", "10", 1))
EOF
}
t_begin "receiving accounts: the find-by-last-digits statement (db_receiving_account_match) finds by last 4 and bank, through its index"
# two CLABEs of A ending alike at two banks, one of B
tail4=$(printf '%04d' $((RANDOM % 10000)))
mk() { # PREFIX: a valid CLABE of the prefix ending in tail4's digits
	local d w=(3 7 1) s i x
	for ((x = 0; x < 200; x++)); do
		d=$1
		while ((${#d} < 14)); do d+=$((RANDOM % 10)); done
		d+=${tail4:0:3}
		s=0
		for ((i = 0; i < 17; i++)); do s=$((s + (${d:i:1} * ${w[i % 3]}) % 10)); done
		(((10 - s % 10) % 10 == ${tail4:3:1})) && { echo "$d${tail4:3:1}"; return; }
	done
}
m1=$(mk 012)
m2=$(mk 002)
for c in "$m1" "$m2"; do
	ra_post "$KEY_A" "$(ra_body "$c")"
	expect_code 201
done
ra_post "$KEY_B" "$(ra_body "$(mk 012)")"
expect_code 201
if sql=$(ra_match_sql "$ACC_A" "$tail4" ""); then
	expect_eq "A, ****$tail4, any bank" "$(db "$sql" | cut -f3 | sort | tr '\n' ' ')" "$(printf '%s\n' "$m1" "$m2" | sort | tr '\n' ' ')"
	# the key MariaDB chose for the table r (column 6 of EXPLAIN)
	expect_eq "EXPLAIN: key of r" "$(db "EXPLAIN $sql" | awk -F'\t' '$3 == "r" { print $6 }')" idx_receiving_accounts_last4
else
	t_fail "could not read STMT_RECV_MATCH from stmts.c"
fi
sql=$(ra_match_sql "$ACC_A" "$tail4" 40012) && expect_eq "A, ****$tail4, bank 40012" "$(db "$sql" | cut -f3)" "$m1"
sql=$(ra_match_sql "$ACC_A" "${m2:10:8}" "") && expect_eq "A, 8 last digits" "$(db "$sql" | cut -f3)" "$m2"
sql=$(ra_match_sql "$ACC_A" "$tail4" 40014) && expect_eq "A, ****$tail4, another bank" "$(db "$sql" | wc -l)" 0
t_end

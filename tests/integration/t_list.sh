# shellcheck shell=bash
# t_list: the records of an account: GET /v1/validations (every filter,
# both spellings, pagination edges and links), /stats, DELETE (soft),
# /{id}/image, the admin views and their scopes, and an EXPLAIN check
# (MariaDB's slow log with log_slow_verbosity=explain, on a seeded
# table) that every composed query is served by an index. Rows are
# inserted with the mariadb client into accounts of this test only, plus
# one real validation through POST /v1/validate and the simulator.
# Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

ACC_L=$(admin account create it-list 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
LK=$(new_key "$ACC_L" validations:read,validations:write,validations:delete) || bail "key create failed"
LK_RO=$(new_key "$ACC_L" validations:read) || bail "key create failed"
LK_W=$(new_key "$ACC_L" validations:write) || bail "key create failed"

# lget PATH [KEY]: GET as account L (or KEY)
lget() { http GET "$1" -H "Authorization: Bearer ${2:-$LK}"; }
# ids of data[] in order, space-separated
ids() { json_py "$T/body" '" ".join(x["id"] for x in d["data"])' 2>/dev/null; }
expect_list() { # WANT_IDS...: a 200 list document with exactly these rows, in order
	expect_code 200
	expect_jsonapi_ct
	expect_schema validation-list.json
	expect_eq "ids" "$(ids)" "$*"
}

# fixed ids (v4 form); L6 and L7 share created_at: id DESC orders them
L1=1157a000-0000-4000-8000-000000000001 L2=1157a000-0000-4000-8000-000000000002
L3=1157a000-0000-4000-8000-000000000003 L4=1157a000-0000-4000-8000-000000000004
L5=1157a000-0000-4000-8000-000000000005 L6=1157a000-0000-4000-8000-000000000006
L7=1157a000-0000-4000-8000-000000000007 L8=1157a000-0000-4000-8000-000000000008
db "INSERT INTO validations (id, account_id, created_at, updated_at, completed_at, status,
	validation_type, playground, fecha, clave_rastreo, referencia, emisor, receptor, cuenta, monto,
	request_data, retry_enabled, retry_max_retries, retry_interval_seconds, retry_outcomes,
	retry_attempts_completed, retry_next_attempt_at, retry_resolved_at, retry_exhausted_at,
	retry_cancelled_at, retry_terminal_state, image_path, deleted_at) VALUES
('$L1', '$ACC_L', '2025-01-01 10:00:00', '2025-01-01 10:00:00', '2025-01-01 10:00:02', 'valid',
	'direct', 0, '2024-12-31', 'LISTMBAN0001', '1111111', '40012', '90646', NULL, 1500.00,
	'{}', 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
('$L2', '$ACC_L', '2025-01-02 10:00:00', '2025-01-02 10:00:00', '2025-01-02 10:00:01', 'not_found',
	'direct', 0, '2025-01-01', 'LISTMBAN0002', '2222222', '40002', '40012', NULL, 0.01,
	'{}', 1, 3, 600, '[\"not_found\"]', 1, '2025-01-02 10:10:00', NULL, NULL, NULL, 'pending', NULL, NULL),
('$L3', '$ACC_L', '2025-01-03 00:00:00', '2025-01-03 00:00:00', '2025-01-03 00:00:05', 'cep_unavailable',
	'ocr', 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	'{}', 1, 2, 300, '[\"cep_unavailable\"]', 2, NULL, NULL, '2025-01-03 00:20:00', NULL, 'exhausted', 'l3/receipt.png', NULL),
('$L4', '$ACC_L', '2025-01-03 23:59:59', '2025-01-03 23:59:59', '2025-01-04 00:00:01', 'valid',
	'direct', 1, '2025-01-03', 'OTRACLAVE9', '3333333', '40014', '90646', NULL, 999999999999.99,
	'{}', 1, 1, 300, '[\"not_found\"]', 1, NULL, '2025-01-04 00:05:00', NULL, NULL, 'resolved', NULL, NULL),
('$L5', '$ACC_L', '2025-01-04 12:00:00', '2025-01-04 12:00:00', NULL, 'error',
	'direct', 0, '2025-01-04', 'LISTMBAN0005', '4444444', '40012', '40127', NULL, 1500.01,
	'{}', 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, '2025-01-04 12:30:00', 'cancelled', NULL, '2025-01-05 00:00:00'),
('$L6', '$ACC_L', '2025-01-05 00:00:00', '2025-01-05 00:00:00', NULL, 'queued',
	'direct', 0, '2025-01-05', 'LIST_X%0006', '5555555', '90646', '40012', NULL, 250.50,
	'{}', 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
('$L7', '$ACC_L', '2025-01-05 00:00:00', '2025-01-05 00:00:00', '2025-01-05 00:00:09', 'failed',
	'ocr', 0, '2025-01-02', 'LISTMBAN0007', '6666666', '40012', '90646', NULL, 1499.99,
	'{}', 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, '../../../etc/passwd', NULL),
('$L8', '$ACC_L', '2024-12-31 23:59:59', '2024-12-31 23:59:59', '2025-01-01 00:00:00', 'invalid',
	'ocr', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	'{}', 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 'escape.png', NULL)" ||
	t_fail "inserting the list rows failed"

# one real validation, the newest row of account L
new_transfer
http POST /v1/validate -H "Authorization: Bearer $LK" -H 'Content-Type: application/vnd.api+json' \
	--data-binary "$TR_BODY"
LR=$(jget data.id) || LR=
[[ $CODE == 200 && $LR =~ ^[0-9a-f-]{36}$ ]] || bail "POST /v1/validate for account L: $CODE $(head -c 300 "$T/body")"
LIVE="$LR $L7 $L6 $L4 $L3 $L2 $L1 $L8"

t_begin "list: default is the live rows, newest first (created_at, then id), meta and links"
lget /v1/validations
expect_list $LIVE
expect_json meta.total 8
expect_json meta.page 1
expect_json meta.per_page 20
expect_match meta.datetime "$(jget meta.datetime.format)" 'RFC 3339'
expect_json links.self "$URL/v1/validations"
expect_json links.first "$URL/v1/validations?page=1"
expect_json links.last "$URL/v1/validations?page=1"
expect_json links.prev null
expect_json links.next null
expect_json data.0.attributes.status valid
expect_json data.0.attributes.clave_rastreo "$TR_CLAVE"
expect_json data.0.attributes.monto 1500.0
expect_json data.0.links.self "$URL/v1/validations/$LR"
expect_eq "Cache-Control" "$(hdr Cache-Control)" "private, no-cache"
t_end

t_begin "list: the ValidationListItem attributes of a row"
lget "/v1/validations?search=OTRACLAVE9"
expect_list "$L4"
expect_json data.0.type validation
expect_json data.0.attributes.validation_type direct
expect_json data.0.attributes.fecha 2025-01-03
expect_json data.0.attributes.monto 999999999999.99
expect_json data.0.attributes.emisor 40014
expect_json data.0.attributes.receptor 90646
expect_json data.0.attributes.playground true
expect_json data.0.attributes.created_at 2025-01-03T23:59:59Z
expect_json data.0.attributes.completed_at 2025-01-04T00:00:01Z
expect_json data.0.attributes.deleted_at null
expect_json data.0.attributes.is_deleted false
expect_json data.0.attributes.retry_state.enabled true
expect_json data.0.attributes.retry_state.max_retries null
expect_json data.0.attributes.retry_state.interval_seconds null
expect_json data.0.attributes.retry_state.outcomes null
expect_json data.0.attributes.retry_state.attempts_completed 1
expect_json data.0.attributes.retry_state.resolved_at 2025-01-04T00:05:00Z
expect_json data.0.attributes.retry_state.terminal_state resolved
lget "/v1/validations?search=LISTMBAN0002"
expect_json data.0.attributes.monto 0.01
expect_json data.0.attributes.retry_state.next_attempt_at 2025-01-02T10:10:00Z
expect_json data.0.attributes.retry_state.terminal_state pending
lget "/v1/validations?type=ocr&retry_state=exhausted"
expect_list "$L3"
expect_json data.0.attributes.fecha null
expect_json data.0.attributes.monto null
expect_json data.0.attributes.clave_rastreo null
t_end

t_begin "list: with_deleted=1 includes the soft-deleted row, marked"
lget "/v1/validations?with_deleted=1"
expect_list "$LR $L7 $L6 $L5 $L4 $L3 $L2 $L1 $L8"
expect_json meta.total 9
expect_json data.3.attributes.is_deleted true
expect_json data.3.attributes.deleted_at 2025-01-05T00:00:00Z
expect_json data.3.attributes.retry_state.cancelled_at 2025-01-04T12:30:00Z
lget "/v1/validations?filter%5Bwith_deleted%5D=true&status=error"
expect_list "$L5"
lget "/v1/validations?with_deleted=0&status=error"
expect_list ""
t_end

t_begin "list: status (one, a list, filter[status])"
lget "/v1/validations?status=valid"
expect_list "$LR $L4 $L1"
expect_json meta.total 3
lget "/v1/validations?status=not_found,queued,invalid"
expect_list "$L6 $L2 $L8"
lget "/v1/validations?filter%5Bstatus%5D=failed"
expect_list "$L7"
lget "/v1/validations?filter%5Bstatus%5D=cep_unavailable,failed"
expect_list "$L7 $L3"
lget "/v1/validations?status=processing"
expect_list ""
expect_json meta.total 0
expect_json links.last "$URL/v1/validations?status=processing&page=1"
t_end

t_begin "list: type, playground, retry_state"
lget "/v1/validations?type=ocr"
expect_list "$L7 $L3 $L8"
lget "/v1/validations?filter%5Btype%5D=direct"
expect_list "$LR $L6 $L4 $L2 $L1"
lget "/v1/validations?playground=true"
expect_list "$L4 $L3"
lget "/v1/validations?filter%5Bplayground%5D=false&type=ocr"
expect_list "$L7 $L8"
lget "/v1/validations?retry_state=pending"
expect_list "$L2"
lget "/v1/validations?retry_state=resolved"
expect_list "$L4"
lget "/v1/validations?retry_state=cancelled&with_deleted=1"
expect_list "$L5"
lget "/v1/validations?retry_state=none"
expect_list "$LR $L7 $L6 $L1 $L8"
t_end

t_begin "list: date_from/date_to are inclusive UTC days on created_at; fecha_from/fecha_to on the transfer date"
lget "/v1/validations?date_from=2025-01-03&date_to=2025-01-03"
expect_list "$L4 $L3"
lget "/v1/validations?date_to=2024-12-31"
expect_list "$L8"
lget "/v1/validations?filter%5Bdate_from%5D=2025-01-05"
expect_list "$LR $L7 $L6"
lget "/v1/validations?fecha_from=2025-01-01&fecha_to=2025-01-03"
expect_list "$L7 $L4 $L2"
lget "/v1/validations?fecha_to=2024-12-31"
expect_list "$L1"
lget "/v1/validations?filter%5Bfecha_from%5D=$VFECHA&filter%5Bfecha_to%5D=$VFECHA"
expect_list "$LR"
t_end

t_begin "list: amount_min/amount_max are exact to the cent, inclusive"
lget "/v1/validations?amount_min=1500&amount_max=1500"
expect_list "$LR $L1"
lget "/v1/validations?amount_min=1499.99&amount_max=1500.01&with_deleted=1"
expect_list "$LR $L7 $L5 $L1"
lget "/v1/validations?amount_min=1500.01&with_deleted=1"
expect_list "$L5 $L4"
lget "/v1/validations?filter%5Bamount_max%5D=0.01"
expect_list "$L2"
lget "/v1/validations?amount_min=999999999999.99"
expect_list "$L4"
t_end

t_begin "list: search matches part of a clave de rastreo or referencia (a prefix, the whole referencia under 4 characters), a bank as emisor or receptor"
lget "/v1/validations?search=LISTMBAN"
expect_list "$L7 $L2 $L1"
lget "/v1/validations?search=listmban000"
expect_list "$L7 $L2 $L1"
lget "/v1/validations?search=LIST_X%25"
expect_list "$L6"
lget "/v1/validations?search=LIST%25"
expect_list ""
lget "/v1/validations?search=LIST_"
expect_list "$L6"
lget "/v1/validations?search=3333333"
expect_list "$L4"
lget "/v1/validations?search=333333"
expect_list "$L4"
lget "/v1/validations?search=333"
expect_list ""
lget "/v1/validations?search=MBAN0005&with_deleted=1"
expect_list "$L5"
lget "/v1/validations?filter%5Bsearch%5D=40014"
expect_list "$L4"
lget "/v1/validations?search=40127&with_deleted=1"
expect_list "$L5"
lget "/v1/validations?search=BBVA&playground=false"
expect_list "$LR $L7 $L6 $L2 $L1"
lget "/v1/validations?search=$TR_CLAVE"
expect_list "$LR"
lget "/v1/validations?search=NOTHINGLIKETHIS"
expect_list ""
t_end

t_begin "list: pagination edges, both spellings, links"
lget "/v1/validations?per_page=3"
expect_list "$LR $L7 $L6"
expect_json meta.per_page 3
expect_json meta.total 8
expect_json links.self "$URL/v1/validations?per_page=3"
expect_json links.prev null
expect_json links.next "$URL/v1/validations?per_page=3&page=2"
expect_json links.last "$URL/v1/validations?per_page=3&page=3"
lget "/v1/validations?page=3&per_page=3"
expect_list "$L1 $L8"
expect_json links.next null
expect_json links.prev "$URL/v1/validations?per_page=3&page=2"
lget "/v1/validations?page%5Bnumber%5D=2&page%5Bsize%5D=3&type=direct"
expect_list "$L2 $L1"
expect_json links.self "$URL/v1/validations?page%5Bnumber%5D=2&page%5Bsize%5D=3&type=direct"
expect_json links.first "$URL/v1/validations?page%5Bsize%5D=3&type=direct&page%5Bnumber%5D=1"
expect_json links.prev "$URL/v1/validations?page%5Bsize%5D=3&type=direct&page%5Bnumber%5D=1"
expect_json links.next null
lget "/v1/validations?page=9&per_page=3"
expect_list ""
expect_json meta.page 9
expect_json links.prev "$URL/v1/validations?per_page=3&page=3"
expect_json links.next null
lget "/v1/validations?per_page=1&page=8"
expect_list "$L8"
lget "/v1/validations?per_page=100&page=100000"
expect_list ""
t_end

t_begin "list: bad parameters are 400 naming the parameter; unknown ones are unknown_parameter"
for q in per_page=0 per_page=101 page=0 page=100001 page=x "page%5Bsize%5D=500" status=bogus status= \
	type=card date_from=2025-13-01 date_to=yesterday fecha_from=2025-02-30 amount_min=1e3 amount_max=-1 \
	amount_min=1.001 playground=maybe with_deleted=2 retry_state=running "search=+" \
	"date_from=2025-02-01&date_to=2025-01-31" "amount_min=10&amount_max=9.99" "status=valid&filter%5Bstatus%5D=error"; do
	lget "/v1/validations?$q"
	want=${q##*&}
	want=${want%%=*}
	want=${want//%5B/[}
	want=${want//%5D/]}
	if [[ $CODE != 400 || $(jget errors.0.code) != invalid_parameter || $(jget errors.0.source.parameter) != "$want" ]]; then
		t_fail "?$q: expected 400 invalid_parameter on $want, got $CODE $(head -c 300 "$T/body")"
	fi
	expect_schema errors.json
done
for q in bogus=1 sort=-created_at include=x format=csv account_id=$ACC_L "filter%5Bbogus%5D=1" limit=5; do
	lget "/v1/validations?$q"
	want=${q%%=*}
	want=${want//%5B/[}
	want=${want//%5D/]}
	if [[ $CODE != 400 || $(jget errors.0.code) != unknown_parameter || $(jget errors.0.source.parameter) != "$want" ]]; then
		t_fail "?$q: expected 400 unknown_parameter on $want, got $CODE $(head -c 300 "$T/body")"
	fi
	expect_schema errors.json
done
t_end

t_begin "list: confined to the key's account; scope validations:read"
http GET "/v1/validations?search=LISTMBAN" -H "Authorization: Bearer $KEY_B"
expect_code 200
expect_schema validation-list.json
expect_eq "account B sees none of L's rows" "$(ids)" ""
http GET /v1/validations -H "Authorization: Bearer $LK_W"
expect_error 403 insufficient_scope
http GET /v1/validations
expect_error 401 missing_api_key
t_end

# stats_is TOTAL VALID NOT_FOUND DELETED OTHER
stats_is() {
	expect_code 200
	expect_jsonapi_ct
	expect_schema validation-stats.json
	expect_json data.type validation_stats
	expect_json data.attributes.total "$1"
	expect_json data.attributes.valid "$2"
	expect_json data.attributes.not_found "$3"
	expect_json data.attributes.deleted "$4"
	expect_json data.attributes.other "$5"
}

t_begin "stats: total = valid + not_found + other over the live rows; deleted counted apart"
lget /v1/validations/stats
stats_is 8 3 1 1 4
expect_json data.attributes.by_status.valid 3
expect_json data.attributes.by_status.queued 1
expect_json data.attributes.by_status.error 0
expect_json data.attributes.by_status.processing 0
lget "/v1/validations/stats?with_deleted=1"
stats_is 9 3 1 1 5
expect_json data.attributes.by_status.error 1
lget "/v1/validations/stats?type=ocr"
stats_is 3 0 0 0 3
lget "/v1/validations/stats?filter%5Bstatus%5D=valid,error"
stats_is 3 3 0 1 0
lget "/v1/validations/stats?date_from=2025-01-01&date_to=2025-01-04&search=LISTMBAN"
stats_is 2 1 1 1 0
lget "/v1/validations/stats?page=1"
expect_error 400 unknown_parameter
lget "/v1/validations/stats?per_page=5"
expect_error 400 unknown_parameter
lget "/v1/validations/stats?status=nope"
expect_error 400 invalid_parameter
http GET /v1/validations/stats -H "Authorization: Bearer $LK_W"
expect_error 403 insufficient_scope
t_end

t_begin "routing: /v1/validations/stats is never taken for an id"
http DELETE /v1/validations/stats -H "Authorization: Bearer $LK"
expect_error 405 method_not_allowed
expect_match Allow "$(hdr Allow)" '(^|[ ,])GET([ ,]|$)'
http POST /v1/validations -H "Authorization: Bearer $LK" -H 'Content-Type: application/vnd.api+json' --data '{}'
expect_error 405 method_not_allowed
t_end

t_begin "delete: 204, leaves the default list and the live counts, stays readable; twice changes nothing"
get_etag() { db "SELECT CONCAT(etag_version, ' ', IFNULL(deleted_at, '-')) FROM validations WHERE id = '$1'"; }
before=$(get_etag "$L6")
http DELETE "/v1/validations/$L6" -H "Authorization: Bearer $LK_RO"
expect_error 403 insufficient_scope
http DELETE "/v1/validations/$L6" -H "Authorization: Bearer $KEY_B"
expect_error 404 validation_not_found
expect_eq "another account's DELETE changed nothing" "$(get_etag "$L6")" "$before"
http DELETE "/v1/validations/$L6" -H "Authorization: Bearer $LK"
expect_code 204
expect_eq "204 has no body" "$(wc -c <"$T/body")" 0
first=$(get_etag "$L6")
[[ $first == "$((${before%% *} + 1)) "* && $first != *" -" ]] ||
	t_fail "after DELETE: etag_version/deleted_at '$first' (before '$before')"
http DELETE "/v1/validations/$L6" -H "Authorization: Bearer $LK"
expect_code 204
expect_eq "a second DELETE changes nothing" "$(get_etag "$L6")" "$first"
lget /v1/validations
expect_list "$LR $L7 $L4 $L3 $L2 $L1 $L8"
lget "/v1/validations?with_deleted=1&status=queued"
expect_list "$L6"
expect_json data.0.attributes.is_deleted true
lget /v1/validations/stats
stats_is 7 3 1 2 3
lget "/v1/validations/$L6"
expect_code 200
expect_schema validation.json
expect_json data.attributes.is_deleted true
expect_json data.attributes.etag_version "${first%% *}"
http DELETE "/v1/validations/$(uuid)" -H "Authorization: Bearer $LK"
expect_error 404 validation_not_found
http DELETE /v1/validations/not-a-uuid -H "Authorization: Bearer $LK"
expect_error 404 validation_not_found
t_end

t_begin "delete: a poller's ETag is invalidated (the next GET is 200 with the new version)"
lget "/v1/validations/$L7"
etag=$(hdr ETag)
# a conditional GET publishes the version to memcached: the next 304 needs no MariaDB
http GET "/v1/validations/$L7" -H "Authorization: Bearer $LK" -H "If-None-Match: $etag"
expect_code 304
http DELETE "/v1/validations/$L7" -H "Authorization: Bearer $LK"
expect_code 204
http GET "/v1/validations/$L7" -H "Authorization: Bearer $LK" -H "If-None-Match: $etag"
expect_code 200
[[ $(hdr ETag) != "$etag" ]] || t_fail "ETag did not change after DELETE: $etag"
t_end

# ---- receipt image --------------------------------------------------
mkdir -p "$T/storage/l3" "$T/outside"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDRfake' >"$T/storage/l3/receipt.png"
printf 'secret' >"$T/outside/secret.png"
ln -sf "$T/outside/secret.png" "$T/storage/escape.png"
unset MXCEP_STORAGE_DIR

# ---- EXPLAIN: MariaDB logs the plan of every statement (slow log, threshold 0)
ACC_X=$(admin account create it-list-explain 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
ACC_Y=$(admin account create it-list-explain-y 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
XK=$(new_key "$ACC_X" validations:read) || bail "key create failed"
db "SET SESSION max_recursive_iterations = 100000;
INSERT INTO validations (id, account_id, validation_type, playground, status, fecha, clave_rastreo,
	referencia, emisor, receptor, monto, request_data, created_at, updated_at, retry_terminal_state,
	retry_enabled, deleted_at)
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 6000)
SELECT CONCAT(SUBSTR(h, 1, 8), '-', SUBSTR(h, 9, 4), '-4', SUBSTR(h, 14, 3), '-a', SUBSTR(h, 18, 3), '-',
	SUBSTR(h, 21, 12)),
	IF(n % 2 = 0, '$ACC_X', '$ACC_Y'), IF(n % 10 = 0, 'ocr', 'direct'), IF(n % 17 = 0, 1, 0),
	ELT(1 + n % 8, 'valid', 'valid', 'valid', 'not_found', 'cep_unavailable', 'queued', 'failed', 'error'),
	DATE('2020-01-01') + INTERVAL (n % 400) DAY, CONCAT('XPLN', LPAD(n, 10, '0')), LPAD(n, 7, '0'),
	ELT(1 + n % 4, '40012', '40072', '40014', '90646'), ELT(1 + n % 3, '40002', '40127', '40012'),
	(n % 5000) + 0.5, '{}', TIMESTAMP('2020-01-01') + INTERVAL n MINUTE, TIMESTAMP('2020-01-01') + INTERVAL n MINUTE,
	IF(n % 23 = 0, 'pending', NULL), 0, IF(n % 29 = 0, TIMESTAMP('2021-01-01'), NULL)
FROM (SELECT n, MD5(CONCAT('t_list', n)) AS h FROM seq) s;
ANALYZE TABLE validations;" >/dev/null || t_fail "seeding the EXPLAIN rows failed"
mariadb_sql "$T" "SET GLOBAL slow_query_log_file = '$T/slow.log';
	SET GLOBAL log_slow_verbosity = 'query_plan,explain'; SET GLOBAL long_query_time = 0;
	SET GLOBAL slow_query_log = 1;" || t_fail "cannot turn the slow log on"
set_conf storage_dir "$T/storage"
restart_fcgi 2>"$T/setup.err" || bail "mxcep-fcgi restart: $(cat "$T/setup.err")"
wait_for health_200 || bail "GET /v1/health never answered 200 after the restart"
LQ="date_from=2025-01-01"

t_begin "image: a direct validation has none (404 image_not_available)"
lget "/v1/validations/$L1/image"
expect_error 404 image_not_available
expect_match detail "$(jget errors.0.detail)" 'direct validation'
lget "/v1/validations/$L8/image"
expect_error 404 image_not_available
lget "/v1/validations/$L3/image" "$KEY_B"
expect_error 404 validation_not_found
http GET "/v1/validations/$L3/image" -H "Authorization: Bearer $LK_W"
expect_error 403 insufficient_scope
t_end

t_begin "image: an OCR receipt under storage_dir is served with its content type"
lget "/v1/validations/$L3/image"
expect_code 200
expect_eq Content-Type "$(hdr Content-Type)" image/png
expect_eq "X-Content-Type-Options" "$(hdr X-Content-Type-Options)" nosniff
cmp -s "$T/body" "$T/storage/l3/receipt.png" || t_fail "the image bytes differ from the stored file"
t_end

t_begin "image: a path that escapes storage_dir (.. or a symbolic link) is refused"
lget "/v1/validations/$L7/image"
expect_error 404 image_not_available
lget "/v1/validations/$L8/image"
expect_error 404 image_not_available
grep -q 'secret' "$T/body" && t_fail "the file outside storage_dir was served"
grep -q "refusing image_path" "$T/fcgi.log" || t_fail "no log line for the refused image_path"
grep -q "escapes storage_dir" "$T/fcgi.log" || t_fail "no log line for the symbolic link"
t_end

t_begin "admin: GET /v1/admin/validations: every account, account_id filter, same filters; admin scope only"
http GET "/v1/admin/validations?account_id=$ACC_L&$LQ&with_deleted=1&per_page=4" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_schema validation-list.json
expect_eq ids "$(ids)" "$LR $L7 $L6 $L5"
expect_json meta.total 8
expect_json data.0.attributes.account_id "$ACC_L"
expect_json links.next "$URL/v1/admin/validations?account_id=$ACC_L&$LQ&with_deleted=1&per_page=4&page=2"
http GET "/v1/admin/validations?filter%5Baccount_id%5D=$ACC_L&$LQ&status=valid&search=OTRA" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_eq ids "$(ids)" "$L4"
http GET "/v1/admin/validations?per_page=100&with_deleted=1" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_schema validation-list.json
accounts=$(json_py "$T/body" 'len({x["attributes"]["account_id"] for x in d["data"]})')
((accounts >= 2)) || t_fail "the admin list holds rows of $accounts account(s), expected several"
total=$(jget meta.total) || total=0
((total >= 6000)) || t_fail "admin meta.total $total, expected >= 6000 (every account)"
for q in search=LISTMBAN type=ocr fecha_from=2025-01-01 amount_max=5 playground=true retry_state=none; do
	http GET "/v1/admin/validations?status=valid&$q" -H "Authorization: Bearer $ADMIN_A"
	expect_error 400 invalid_parameter
	expect_json errors.0.source.parameter "${q%%=*}"
done
http GET "/v1/admin/validations?status=valid,error&date_from=2025-01-01&date_to=2025-01-04&with_deleted=1&per_page=100" \
	-H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_schema validation-list.json
[[ $(json_py "$T/body" 'all(i in [x["id"] for x in d["data"]] for i in a)' "$L1" "$L4" "$L5") == True ]] ||
	t_fail "the cross-account status/date filter misses rows of account L: $(ids)"
http GET "/v1/admin/validations?account_id=nope" -H "Authorization: Bearer $ADMIN_A"
expect_error 400 invalid_parameter
for k in "$LK" "$KEY_A"; do
	http GET /v1/admin/validations -H "Authorization: Bearer $k"
	expect_error 403 insufficient_scope
	http GET /v1/admin/validations/recent -H "Authorization: Bearer $k"
	expect_error 403 insufficient_scope
	http GET "/v1/admin/validations/$L1/raw" -H "Authorization: Bearer $k"
	expect_error 403 insufficient_scope
done
# an admin key of an account that is not an operator account sees no
# other account's records
ADMIN_L=$(new_key "$ACC_L" admin) || t_fail "key create (admin of L) failed"
http GET /v1/admin/validations -H "Authorization: Bearer $ADMIN_L"
expect_error 403 operator_only
http GET /v1/admin/validations/recent -H "Authorization: Bearer $ADMIN_L"
expect_error 403 operator_only
http GET "/v1/admin/validations/$L1/raw" -H "Authorization: Bearer $ADMIN_L"
expect_error 403 operator_only
t_end

t_begin "admin: recent is the newest N of every account (N <= 100)"
http GET /v1/admin/validations/recent -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_schema validation-list.json
expect_json meta.per_page 20
n=$(json_py "$T/body" 'len(d["data"])')
expect_eq "rows" "$n" 20
want=$(db "SELECT id FROM validations ORDER BY created_at DESC, id DESC LIMIT 3" | tr '\n' ' ' | sed 's/ $//')
got=$(json_py "$T/body" '" ".join(x["id"] for x in d["data"][:3])')
expect_eq "newest first across accounts" "$got" "$want"
http GET "/v1/admin/validations/recent?limit=2" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_json meta.per_page 2
for q in limit=0 limit=101 limit=x; do
	http GET "/v1/admin/validations/recent?$q" -H "Authorization: Bearer $ADMIN_A"
	expect_error 400 invalid_parameter
	expect_json errors.0.source.parameter limit
done
http GET "/v1/admin/validations/recent?status=valid" -H "Authorization: Bearer $ADMIN_A"
expect_error 400 unknown_parameter
t_end

t_begin "admin: raw shows the request, Banxico's result and raw answer, and the job attempts"
http GET "/v1/admin/validations/$LR/raw" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_schema validation.json
expect_json data.id "$LR"
expect_json data.attributes.account_id "$ACC_L"
expect_json data.attributes.request_data.clave_rastreo "$TR_CLAVE"
expect_match banxico_result "$(jget data.attributes.banxico_result)" '^\{'
expect_json data.attributes.attempts.0.state done
expect_json data.attributes.attempts.0.tries 1
expect_match finished_at "$(jget data.attributes.attempts.0.finished_at)" '^[0-9-]{10}T[0-9:]{8}Z$'
db "INSERT INTO cep_documents (validation_id, raw_answer, created_at) VALUES
	('$L2', '<html>Servicio no disponible</html>', UTC_TIMESTAMP()),
	('$L3', UNHEX('FF00FE'), UTC_TIMESTAMP())" || t_fail "inserting raw answers failed"
http GET "/v1/admin/validations/$L2/raw" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_json data.attributes.banxico_raw_answer '<html>Servicio no disponible</html>'
expect_json data.attributes.attempts '[]'
http GET "/v1/admin/validations/$L3/raw" -H "Authorization: Bearer $ADMIN_A"
expect_json data.attributes.banxico_raw_answer null
expect_json data.attributes.banxico_raw_answer_base64 '/wD+'
http GET "/v1/admin/validations/$(uuid)/raw" -H "Authorization: Bearer $ADMIN_A"
expect_error 404 validation_not_found
t_end

# ---- tallies: meta.total and the stats are sums kept by triggers
# (sql/007_list_tallies.sql); they must equal COUNT(*) whatever the writes
ACC_T=$(admin account create it-list-tally 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
TK=$(new_key "$ACC_T" validations:read,validations:delete) || bail "key create failed"
db "SET SESSION max_recursive_iterations = 100000;
INSERT INTO validations (id, account_id, validation_type, playground, status, fecha, clave_rastreo,
	referencia, emisor, receptor, monto, request_data, created_at, updated_at, retry_terminal_state,
	retry_enabled, deleted_at)
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 900)
SELECT CONCAT(SUBSTR(h, 1, 8), '-', SUBSTR(h, 9, 4), '-4', SUBSTR(h, 14, 3), '-b', SUBSTR(h, 18, 3), '-',
	SUBSTR(h, 21, 12)), '$ACC_T', IF(n % 7 = 0, 'ocr', 'direct'), IF(n % 11 = 0, 1, 0),
	ELT(1 + n % 5, 'valid', 'valid', 'not_found', 'error', 'queued'), DATE('2024-01-01') + INTERVAL (n % 90) DAY,
	CONCAT('TALY', LPAD(n, 10, '0')), LPAD(n, 7, '0'), ELT(1 + n % 3, '40012', '40002', '90646'),
	ELT(1 + n % 4, '40002', '40012', '90646', '40127'), n + 0.25, '{}',
	TIMESTAMP('2023-12-20 23:30:00') + INTERVAL (n * 197) MINUTE, TIMESTAMP('2023-12-20'),
	ELT(1 + n % 9, NULL, NULL, NULL, NULL, NULL, 'pending', 'resolved', 'exhausted', 'cancelled'),
	n % 9 >= 5, IF(n % 13 = 0, TIMESTAMP('2024-06-01'), NULL)
FROM (SELECT n, MD5(CONCAT('t_list_tally', n)) AS h FROM seq) s;
INSERT INTO validations (id, account_id, status, clave_rastreo, referencia, emisor, receptor, request_data,
	created_at, updated_at) VALUES
	('7a11e000-0000-4000-8000-000000000001', '$ACC_T', 'valid', 'TALYX1', '40012', '40002', '40127', '{}',
		'2024-01-05', '2024-01-05'),
	('7a11e000-0000-4000-8000-000000000002', '$ACC_T', 'valid', '40012XYZ', '1', '40012', '40127', '{}',
		'2024-01-06', '2024-01-06'),
	('7a11e000-0000-4000-8000-000000000003', '$ACC_T', 'not_found', '40012ABC', '40012', '90646', '40127', '{}',
		'2024-01-07', '2024-01-07'),
	('7a11e000-0000-4000-8000-000000000004', '$ACC_T', 'valid', 'BBVA0001', '7', '040012', 'BANCO', '{}',
		'2024-01-08', '2024-01-08')" >/dev/null || t_fail "seeding the tally rows failed"
# tally_check: for each filter, the API's meta.total and stats against
# COUNT(*) over the same rows
TQ=("" "with_deleted=1" "status=valid" "status=not_found,error&with_deleted=1" "type=ocr" "playground=true"
	"retry_state=none" "retry_state=exhausted" "date_from=2024-01-01&date_to=2024-01-31"
	"date_from=2023-12-21&date_to=2024-02-10" "date_from=2024-01-15&date_to=2024-03-03&status=valid&type=direct"
	"date_from=2024-02-29&date_to=2024-02-29" "date_to=2024-01-31&with_deleted=1" "date_from=2024-03-01"
	"fecha_from=2024-01-10&fecha_to=2024-02-29" "fecha_from=2024-02-01" "fecha_to=2024-01-31&status=valid&with_deleted=1"
	"fecha_from=2024-03-05&fecha_to=2024-03-05" "amount_min=100&amount_max=555.25" "amount_min=99.99&amount_max=100.25"
	"amount_min=120.25" "amount_max=12.5&type=ocr" "amount_min=200&amount_max=299.99&retry_state=none"
	"amount_min=10&fecha_from=2024-01-05" "amount_min=0&amount_max=900000"
	"search=40012" "search=BBVA" "search=90646&status=valid&with_deleted=1" "search=40127&date_from=2024-01-06")
# the same rows in SQL, without the live condition (added unless with_deleted)
TW=("1" "1" "status = 'valid'" "status IN ('not_found', 'error')" "validation_type = 'ocr'" "playground = 1"
	"retry_terminal_state IS NULL" "retry_terminal_state = 'exhausted'"
	"created_at >= '2024-01-01' AND created_at < '2024-02-01'"
	"created_at >= '2023-12-21' AND created_at < '2024-02-11'"
	"created_at >= '2024-01-15' AND created_at < '2024-03-04' AND status = 'valid' AND validation_type = 'direct'"
	"created_at >= '2024-02-29' AND created_at < '2024-03-01'" "created_at < '2024-02-01'" "created_at >= '2024-03-01'"
	"fecha >= '2024-01-10' AND fecha <= '2024-02-29'" "fecha >= '2024-02-01'" "fecha <= '2024-01-31' AND status = 'valid'"
	"fecha = '2024-03-05'" "monto >= 100 AND monto <= 555.25" "monto >= 99.99 AND monto <= 100.25"
	"monto >= 120.25" "monto <= 12.5 AND validation_type = 'ocr'" "monto >= 200 AND monto <= 299.99 AND retry_terminal_state IS NULL"
	"monto >= 10 AND fecha >= '2024-01-05'" "monto >= 0 AND monto <= 900000"
	"(emisor = '40012' OR receptor = '40012' OR clave_rastreo LIKE '%40012%' OR referencia LIKE '%40012%')"
	"(emisor = '40012' OR receptor = '40012' OR clave_rastreo LIKE '%BBVA%' OR referencia LIKE '%BBVA%')"
	"(emisor = '90646' OR receptor = '90646' OR clave_rastreo LIKE '%90646%' OR referencia LIKE '%90646%') AND status = 'valid'"
	"(emisor = '40127' OR receptor = '40127' OR clave_rastreo LIKE '%40127%' OR referencia LIKE '%40127%') AND created_at >= '2024-01-06'")
tally_check() { # WHEN
	local i want got stats_want stats_got q live
	for i in "${!TQ[@]}"; do
		q=${TQ[$i]}
		live="deleted_at IS NULL"
		[[ $q == *with_deleted=1* ]] && live=1
		want=$(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_T' AND ${TW[$i]} AND $live")
		http GET "/v1/validations?$q&per_page=1" -H "Authorization: Bearer $TK"
		got=$(jget meta.total) || got="<$CODE>"
		[[ $got == "$want" ]] || t_fail "$1: ?$q: meta.total $got, COUNT(*) $want"
		stats_want=$(db "SELECT CONCAT(COUNT(*), ' ', COALESCE(SUM(status = 'valid'), 0), ' ',
			COALESCE(SUM(status = 'not_found'), 0)) FROM validations
			WHERE account_id = '$ACC_T' AND ${TW[$i]} AND $live")
		stats_want="$stats_want $(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_T' AND ${TW[$i]}
			AND deleted_at IS NOT NULL")"
		http GET "/v1/validations/stats?$q" -H "Authorization: Bearer $TK"
		expect_schema validation-stats.json
		stats_got="$(jget data.attributes.total) $(jget data.attributes.valid) $(jget data.attributes.not_found) $(jget data.attributes.deleted)"
		[[ $stats_got == "$stats_want" ]] ||
			t_fail "$1: stats ?$q: total/valid/not_found/deleted $stats_got, SQL $stats_want"
	done
}

t_begin "tallies: meta.total and stats equal COUNT(*) for categorical filters, date, fecha and amount ranges, bank search"
tally_check "seeded"
n=$(db "SELECT COUNT(*) FROM validation_tallies WHERE account_id = '$ACC_T' AND dim = 'cm'")
((n > 0)) || t_fail "no tally rows for the account"
# the counts come from the tallies and rollups, not from COUNT(*): one
# changed by hand shows (and is put back). A categorical filter sums the
# tallies; the default list and a bank code alone sum the rollups.
bump_total() { # WHAT TABLE WHERE DELTA QUERY: meta.total of QUERY moves by DELTA
	local before
	http GET "/v1/validations?per_page=1${5:+&$5}" -H "Authorization: Bearer $TK"
	before=$(jget meta.total)
	db "UPDATE $2 SET n = n + ($4) WHERE account_id = '$ACC_T' AND $3 LIMIT 1" || t_fail "$1: update failed"
	http GET "/v1/validations?per_page=1${5:+&$5}" -H "Authorization: Bearer $TK"
	expect_json meta.total $((before + $4))
	db "UPDATE $2 SET n = n - ($4) WHERE account_id = '$ACC_T' AND $3 LIMIT 1" || t_fail "$1: update failed"
	http GET "/v1/validations?per_page=1${5:+&$5}" -H "Authorization: Bearer $TK"
	expect_json meta.total "$before"
}
bump_total "tally cm" validation_tallies "dim = 'cm' AND deleted = 0 AND validation_type = 'direct' ORDER BY k" 1000 type=direct
bump_total "rollup m" validation_rollups "facet = 'm' AND deleted = 0 ORDER BY t" 1000 ""
bump_total "rollup m, with_deleted" validation_rollups "facet = 'm' AND deleted = 1 ORDER BY t" 3 with_deleted=1
bump_total "tally be" validation_tallies "dim = 'be' AND k = 90646 AND deleted = 0 AND status = 'valid' ORDER BY k" 7 \
	"search=90646&status=valid"
bump_total "rollup b" validation_rollups "facet = 'b' AND k = 90646 AND deleted = 0 ORDER BY t" 7 search=90646
bump_total "rollup a" validation_rollups "facet = 'a' AND k = 150 AND deleted = 0 ORDER BY t" 9 \
	"amount_min=100&amount_max=555.25"
t_end

# rollup_check WHEN: validation_rollups equal a rebuild from the table
rollup_check() {
	local want got rollup_sql rebuild_sql
	rollup_sql="SELECT deleted, facet, k, t, n FROM validation_rollups WHERE account_id = '$ACC_T' AND n <> 0 ORDER BY 1, 2, 3, 4"
	rebuild_sql="SELECT x, f, k, t, COUNT(*) FROM (
	SELECT deleted_at IS NOT NULL AS x, 'm' AS f, 0 AS k, DATE_FORMAT(created_at, '%Y%m01') + 0 AS t FROM validations WHERE account_id = '$ACC_T'
	UNION ALL SELECT deleted_at IS NOT NULL, 'd', 0, DATE_FORMAT(created_at, '%Y%m%d') + 0 FROM validations WHERE account_id = '$ACC_T'
	UNION ALL SELECT deleted_at IS NOT NULL, 'a', FLOOR(monto) DIV POW(10, GREATEST(CHAR_LENGTH(FLOOR(monto)) - 2, 0)) * POW(10, GREATEST(CHAR_LENGTH(FLOOR(monto)) - 2, 0)),
		DATE_FORMAT(created_at, '%Y%m01') + 0 FROM validations WHERE account_id = '$ACC_T' AND monto IS NOT NULL
	UNION ALL SELECT v.deleted_at IS NOT NULL, 'b', b.bank + 0, DATE_FORMAT(v.created_at, '%Y%m01') + 0 FROM validations v
		JOIN validation_banks b ON b.id = v.id WHERE v.account_id = '$ACC_T' AND b.bank REGEXP '^[1-9][0-9]{0,8}\$') y
	GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
	want=$(db "$rebuild_sql") got=$(db "$rollup_sql")
	[[ -n $want && $got == "$want" ]] || t_fail "$1: validation_rollups differ from a rebuild: $(diff <(echo "$want") <(echo "$got") | head -5)"
}
t_begin "tallies: stay exact through status and retry changes, soft and hard deletes, inserts and a rollback"
db "UPDATE validations SET status = 'valid' WHERE account_id = '$ACC_T' AND status = 'queued' AND created_at < '2024-01-20';
	UPDATE validations SET retry_terminal_state = 'resolved' WHERE account_id = '$ACC_T' AND retry_terminal_state = 'pending';
	UPDATE validations SET updated_at = UTC_TIMESTAMP() WHERE account_id = '$ACC_T';
	UPDATE validations SET deleted_at = '2024-07-01' WHERE account_id = '$ACC_T' AND status = 'error' AND playground = 0;
	DELETE FROM validations WHERE account_id = '$ACC_T' AND status = 'not_found' AND validation_type = 'ocr';
	START TRANSACTION;
	UPDATE validations SET status = 'failed' WHERE account_id = '$ACC_T';
	ROLLBACK;" >/dev/null || t_fail "the writes failed"
victim=$(db "SELECT id FROM validations WHERE account_id = '$ACC_T' AND deleted_at IS NULL AND status = 'valid' LIMIT 1")
http DELETE "/v1/validations/$victim" -H "Authorization: Bearer $TK"
expect_code 204
tally_check "after the writes"
rollup_check "after the writes"
t_end

# bank_pages WHEN: the pages of a bank search equal the same rows in SQL
# (40012 has clave/referencia matches of its own: the UNION; 90646 and
# 40127 have none: validation_banks)
bank_pages() {
	local term page want got
	for term in 40012 90646 40127; do
		for page in 1 2 5; do
			want=$(db "SELECT id FROM validations WHERE account_id = '$ACC_T' AND deleted_at IS NULL AND
				(emisor = '$term' OR receptor = '$term' OR clave_rastreo LIKE '%$term%' OR referencia LIKE '%$term%')
				ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET $(((page - 1) * 50))" | tr '\n' ' ' | sed 's/ $//')
			http GET "/v1/validations?search=$term&per_page=50&page=$page" -H "Authorization: Bearer $TK"
			expect_code 200
			expect_schema validation-list.json
			got=$(ids)
			[[ $got == "$want" ]] || t_fail "$1: search=$term page $page: ids differ from SQL"
		done
	done
}

t_begin "search by bank code: pages equal SQL, from validation_banks or the UNION, through updates and deletes"
bank_pages "seeded"
n=$(db "SELECT COUNT(*) FROM validation_banks WHERE account_id = '$ACC_T'")
[[ $n -gt 0 ]] || t_fail "validation_banks holds nothing for the account"
db "UPDATE validations SET emisor = '40127' WHERE account_id = '$ACC_T' AND emisor = '90646' AND created_at < '2024-02-01';
	UPDATE validations SET receptor = NULL WHERE account_id = '$ACC_T' AND receptor = '40127' AND created_at > '2024-04-01';
	UPDATE validations SET deleted_at = '2024-08-01' WHERE account_id = '$ACC_T' AND emisor = '40127' AND status = 'queued';
	UPDATE validations SET deleted_at = NULL WHERE account_id = '$ACC_T' AND emisor = '90646' AND deleted_at IS NOT NULL;
	DELETE FROM validations WHERE account_id = '$ACC_T' AND receptor = '90646' AND status = 'error'" >/dev/null ||
	t_fail "the writes failed"
bank_pages "after the writes"
want=$(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_T' AND emisor IS NOT NULL")
want=$((want + $(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_T' AND receptor IS NOT NULL
	AND NOT (emisor <=> receptor)")))
expect_eq "validation_banks rows" "$(db "SELECT COUNT(*) FROM validation_banks WHERE account_id = '$ACC_T'")" "$want"
tally_check "after the bank writes"
rollup_check "after the bank writes"
# 008's rebuild from the table (as a re-run does it) gives the rollups
# the triggers kept
mariadb --no-defaults -uroot --socket="$T/mariadb.sock" mxcep <"$MXCEP_TOP_SRCDIR/sql/008_list_rollups.sql" ||
	t_fail "re-running sql/008_list_rollups.sql failed"
rollup_check "after re-running 008's rebuild"
t_end

t_begin "pages read from the older end (past half the total) equal SQL's; a page past the end is empty with the total"
for spec in "|1" "status=valid|status = 'valid'" "type=ocr&with_deleted=1|validation_type = 'ocr'" \
	"search=90646|(emisor = '90646' OR receptor = '90646' OR clave_rastreo LIKE '%90646%' OR referencia LIKE '%90646%')" \
	"search=40012|(emisor = '40012' OR receptor = '40012' OR clave_rastreo LIKE '%40012%' OR referencia LIKE '%40012%')" \
	"amount_min=100&amount_max=700|monto >= 100 AND monto <= 700" "fecha_from=2024-02-01|fecha >= '2024-02-01'"; do
	q=${spec%%|*} w=${spec#*|}
	live="deleted_at IS NULL"
	[[ $q == *with_deleted=1* ]] && live=1
	total=$(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_T' AND $w AND $live")
	last=$(((total + 36) / 37))
	for page in 1 $((last / 2)) $((last / 2 + 1)) $((last - 1)) "$last" $((last + 1)); do
		((page >= 1)) || continue
		want=$(db "SELECT id FROM validations WHERE account_id = '$ACC_T' AND $w AND $live
			ORDER BY created_at DESC, id DESC LIMIT 37 OFFSET $(((page - 1) * 37))" | tr '\n' ' ' | sed 's/ $//')
		http GET "/v1/validations?${q:+$q&}per_page=37&page=$page" -H "Authorization: Bearer $TK"
		expect_code 200
		got=$(ids)
		[[ $got == "$want" ]] || t_fail "?$q page $page of $last: ids differ from SQL"
		expect_json meta.total "$total"
	done
done
# small pages: a fecha range read as one branch per day, an amount range
# by walking the list order (page_plan), and both the other way
for spec in "fecha_from=2024-01-10&fecha_to=2024-01-31|fecha >= '2024-01-10' AND fecha <= '2024-01-31'" 	"fecha_from=2024-02-01&fecha_to=2024-02-03&status=valid|fecha >= '2024-02-01' AND fecha <= '2024-02-03' AND status = 'valid'" 	"amount_min=10&amount_max=800&type=direct|monto >= 10 AND monto <= 800 AND validation_type = 'direct'"; do
	q=${spec%%|*} w=${spec#*|}
	total=$(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_T' AND $w AND deleted_at IS NULL")
	last=$(((total + 2) / 3))
	for page in 1 2 3 $((last - 1)) "$last"; do
		want=$(db "SELECT id FROM validations WHERE account_id = '$ACC_T' AND $w AND deleted_at IS NULL
			ORDER BY created_at DESC, id DESC LIMIT 3 OFFSET $(((page - 1) * 3))" | tr '\n' ' ' | sed 's/ $//')
		http GET "/v1/validations?$q&per_page=3&page=$page" -H "Authorization: Bearer $TK"
		expect_code 200
		[[ $(ids) == "$want" ]] || t_fail "?$q per_page 3 page $page of $last: ids differ from SQL"
		expect_json meta.total "$total"
	done
done
t_end

# deep pages of the filters the tallies count are located through the
# month and day sums (run.sh: list_locate_rows = 40), from either end
t_begin "located pages (month and day sums of tallies and rollups, list_locate_rows) equal SQL's, from either end"
for spec in "|1" "status=valid|status = 'valid'" "status=not_found,error&with_deleted=1|status IN ('not_found', 'error')" \
	"type=direct&playground=false|validation_type = 'direct' AND playground = 0" "retry_state=none|retry_terminal_state IS NULL" \
	"with_deleted=1|1" "date_from=2024-01-15&date_to=2024-03-03&status=valid|created_at >= '2024-01-15' AND created_at < '2024-03-04' AND status = 'valid'" \
	"date_from=2024-02-29&date_to=2024-04-01|created_at >= '2024-02-29' AND created_at < '2024-04-02'" \
	"date_from=2024-01-03&with_deleted=1|created_at >= '2024-01-03'" \
	"amount_min=100&amount_max=700|monto >= 100 AND monto <= 700" "amount_min=333.33|monto >= 333.33" \
	"search=90646|(emisor = '90646' OR receptor = '90646' OR clave_rastreo LIKE '%90646%' OR referencia LIKE '%90646%')" \
	"search=40002&date_from=2024-01-20&date_to=2024-03-10|(emisor = '40002' OR receptor = '40002' OR clave_rastreo LIKE '%40002%' OR referencia LIKE '%40002%') AND created_at >= '2024-01-20' AND created_at < '2024-03-11'"; do
	q=${spec%%|*} w=${spec#*|}
	live="deleted_at IS NULL"
	[[ $q == *with_deleted=1* ]] && live=1
	total=$(db "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_T' AND $w AND $live")
	((total > 100)) || t_fail "?$q: only $total rows, too few to locate"
	last=$(((total + 6) / 7))
	for page in 1 6 7 9 13 20 $((last / 2)) $((last / 2 + 1)) $((last - 12)) $((last - 7)) $((last - 1)) "$last"; do
		((page >= 1)) || continue
		want=$(db "SELECT id FROM validations WHERE account_id = '$ACC_T' AND $w AND $live
			ORDER BY created_at DESC, id DESC LIMIT 7 OFFSET $(((page - 1) * 7))" | tr '\n' ' ' | sed 's/ $//')
		http GET "/v1/validations?${q:+$q&}per_page=7&page=$page" -H "Authorization: Bearer $TK"
		expect_code 200
		[[ $(ids) == "$want" ]] || t_fail "?$q per_page 7 page $page of $last: ids differ from SQL"
		expect_json meta.total "$total"
	done
done
# the location really reads the day sums: the newest day's count raised
# by hand by 5 (in the page's month, newer than its day) moves the
# located page 5 rows up;
# a page too shallow to be located (offset < 40) does not move. The
# default list reads the rollups, a status the tallies.
bump_day() { # TABLE WHERE DELTA
	db "UPDATE $1 SET n = n + ($3) WHERE account_id = '$ACC_T' AND $2 LIMIT 1" || t_fail "day update failed"
}
page_ids() { # WHERE OFFSET: the 7 live ids from OFFSET, in SQL
	db "SELECT id FROM validations WHERE account_id = '$ACC_T' AND deleted_at IS NULL AND $1
		ORDER BY created_at DESC, id DESC LIMIT 7 OFFSET $2" | tr '\n' ' ' | sed 's/ $//'
}
for spec in "|1|validation_rollups|facet = 'd' AND deleted = 0 ORDER BY t DESC" \
	"status=valid&|status = 'valid'|validation_tallies|dim = 'cd' AND deleted = 0 AND status = 'valid' ORDER BY k DESC, validation_type, playground, retry_state"; do
	IFS='|' read -r q w table where <<<"$spec"
	bump_day "$table" "$where" 5
	http GET "/v1/validations?${q}per_page=7&page=7" -H "Authorization: Bearer $TK"
	[[ $(ids) == "$(page_ids "$w" 37)" ]] || t_fail "?${q} page 7 (offset 42) with a day's count + 5: not the rows from offset 37"
	http GET "/v1/validations?${q}per_page=7&page=5" -H "Authorization: Bearer $TK"
	[[ $(ids) == "$(page_ids "$w" 28)" ]] || t_fail "?${q} page 5 (offset 28, walked) moved with the count"
	bump_day "$table" "$where" -5
	http GET "/v1/validations?${q}per_page=7&page=7" -H "Authorization: Bearer $TK"
	[[ $(ids) == "$(page_ids "$w" 42)" ]] || t_fail "?${q} page 7 after the count was put back: not the rows from offset 42"
done
t_end

t_begin "EXPLAIN: every list, count, stats and export query uses an index; no filesort on the default list or the export"
: >"$T/slow.log"
for q in "" with_deleted=1 status=valid status=valid,not_found,error type=ocr "type=ocr&with_deleted=1" \
	"date_from=2020-01-02&date_to=2020-01-03" "fecha_from=2020-03-01&fecha_to=2020-03-02" \
	search=XPLN000000123 search=0000123 search=BBVA "search=40072&with_deleted=1" \
	search=XPL search=N0000001 "search=000012&status=valid&with_deleted=1" search=santan search=intercam \
	"amount_min=100&amount_max=100.5" playground=true "playground=false&status=error" retry_state=pending \
	retry_state=none "status=valid&type=direct&playground=false&with_deleted=1" page=50 \
	"per_page=100&page=3&date_from=2020-01-01&fecha_to=2020-06-30&amount_min=10&status=valid,error" \
	"status=valid&page=30" "with_deleted=1&date_from=2020-01-02&page=40" "amount_min=100&amount_max=4000&page=40" \
	"search=40012&page=20"; do
	http GET "/v1/validations?$q" -H "Authorization: Bearer $XK"
	[[ $CODE == 200 ]] || t_fail "list ?$q: $CODE"
	http GET "/v1/validations/stats?$q" -H "Authorization: Bearer $XK"
	[[ $CODE == 200 || $q == *page=* ]] || t_fail "stats ?$q: $CODE"
done
http GET "/v1/admin/validations" -H "Authorization: Bearer $ADMIN_A"
http GET "/v1/admin/validations?with_deleted=1&status=valid" -H "Authorization: Bearer $ADMIN_A"
http GET "/v1/admin/validations?account_id=$ACC_X&type=ocr" -H "Authorization: Bearer $ADMIN_A"
http GET "/v1/admin/validations?status=valid,error&date_from=2020-01-01&date_to=2020-01-02" -H "Authorization: Bearer $ADMIN_A"
http GET "/v1/admin/validations/recent?limit=100" -H "Authorization: Bearer $ADMIN_A"
# an export of every account reads the table in its own order, the list's
# (sql/009_validations_clustered.sql): the primary key, no sort
http GET "/v1/admin/validations/export?with_deleted=1" -H "Authorization: Bearer $ADMIN_A"
[[ $CODE == 200 ]] || t_fail "admin export: $CODE"
http GET "/v1/validations/export?status=valid" -H "Authorization: Bearer $XK"
[[ $CODE == 200 ]] || t_fail "export ?status=valid: $CODE"
mariadb_sql "$T" "SET GLOBAL slow_query_log = 0; SET GLOBAL long_query_time = 10;" || true
out=$("$PY" - "$T/slow.log" "$ACC_X" <<'EOF'
import re, sys
log = open(sys.argv[1]).read()
acc = sys.argv[2]
bad, seen, default_seen, export_seen = [], 0, 0, 0
for e in log.split("# User@Host")[1:]:
    m = re.search(r"^(SELECT .*?);\s*$", e, re.M | re.S)
    if not m:
        continue
    sql = " ".join(m.group(1).split())
    tally = ("FROM validation_tallies" in sql or "FROM validation_banks" in sql or
             "FROM validation_rollups" in sql or "FROM validation_grams" in sql)
    if not tally and ("FORCE INDEX" not in sql or "FROM validations" not in sql):
        continue
    if "cep_documents" in sql or "jobs" in sql:
        continue
    seen += 1
    rows = [l.split("\t") for l in e.splitlines() if l.startswith("# explain: ")]
    if not rows:
        bad.append("no plan: " + sql[:200]); continue
    cross = "account_id = '" not in sql
    derived = any(r[2].startswith("<") for r in rows)
    for r in rows:
        table, typ, key = r[2], r[3], r[5]
        if table.startswith("<") or table == "NULL":
            continue	# a derived table (an indexed subquery's result), or an empty range
        if cross and table == "validation_tallies":
            continue	# across accounts every tally row of the period is read: a summary table
        if typ == "ALL" or key in ("NULL", ""):
            bad.append("no index on %s (%s %s): %s" % (table, typ, key, sql[-300:]))
        elif typ == "index" and not (cross and key in ("idx_validations_created", "idx_validations_live_created", "PRIMARY")):
            bad.append("full index scan of %s (%s): %s" % (table, key, sql[-300:]))
        if "LIKE" in sql and table == "validations" and typ not in ("index_merge", "range", "ref", "eq_ref"):
            bad.append("search not index-served (%s %s): %s" % (typ, key, sql[-300:]))
    if not derived and "Full_scan: Yes" in e and not cross:
        bad.append("full scan: %s" % sql[-300:])
    if cross and re.search(r"^SELECT id, account_id, .* FROM validations FORCE INDEX \(PRIMARY\) ORDER BY created_at DESC, id DESC$", sql):
        export_seen += 1
        for r in rows:
            if r[2] == "validations" and (r[5] != "PRIMARY" or "filesort" in r[-1]):
                bad.append("the export of every account is not the primary key in order (%s %s): %s" % (r[5], r[-1], sql[-200:]))
    if re.search(r"account_id = '%s' AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0\) k JOIN validations USING \(created_at, id\) ORDER BY created_at DESC, id DESC$" % acc, sql):
        default_seen += 1
        for r in rows:
            if r[2] == "validations" and r[3] != "eq_ref" and "filesort" in r[-1]:
                bad.append("filesort on the default list: " + sql[-200:])
            if r[2] == "validations" and r[3] == "eq_ref" and r[5] != "PRIMARY":
                bad.append("the default list's rows not read by the primary key (%s): %s" % (r[5], sql[-200:]))
print("queries %d, default list seen %d, export seen %d" % (seen, default_seen, export_seen))
for b in bad:
    print("BAD " + b)
EOF
)
grep -q '^BAD' <<<"$out" && t_fail "$(grep '^BAD' <<<"$out" | head -n 10)"
[[ $out =~ queries\ ([0-9]+) ]] && ((BASH_REMATCH[1] >= 60)) || t_fail "too few queries in the slow log: $out"
grep -q 'default list seen [1-9]' <<<"$out" || t_fail "the default list query was not in the slow log: $out"
grep -q 'export seen [1-9]' <<<"$out" || t_fail "the export of every account was not in the slow log: $out"
t_end

set_conf storage_dir ""

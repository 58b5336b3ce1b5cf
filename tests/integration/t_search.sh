# shellcheck shell=bash
# t_search: the free-text search of GET /v1/validations (spec 000:
# "matches clave de rastreo, referencia numérica, emisor, and receptor"),
# its /stats and /export. A term of 4+ characters matches any part of the
# clave de rastreo or of the referencia (sql/010_search_grams.sql); a
# shorter one a clave prefix or the whole referencia; a term that names
# participants (code, whole or partial name, alias; case and accents
# ignored) matches them as emisor or receptor. Each answer is compared
# with the same rows selected in SQL with LIKE '%term%' and the codes the
# catalog gives, page by page, with meta.total, after updates of the clave
# and referencia, and with soft-deleted rows (with_deleted).
# Sourced by run.sh.
# shellcheck source=validate-lib.sh
[[ -n ${VLIB_LOADED:-} ]] || . "$here/validate-lib.sh"

# the rows hold accents: the client speaks UTF-8
sdb() { db "SET NAMES utf8mb4; $*"; }

ACC_S=$(admin account create it-search 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
SK=$(new_key "$ACC_S" validations:read) || bail "key create failed"

# 600 rows: claves of five shapes (one with an accent, one lowercase),
# 7-digit referencias, ten participants as emisor and receptor, one row
# in 25 soft-deleted, spread over 2024
sdb "INSERT INTO validations (id, account_id, created_at, updated_at, status, fecha, clave_rastreo,
	referencia, emisor, receptor, monto, request_data, deleted_at)
	SELECT CONCAT('5ea4c000-0000-4000-8000-', LPAD(seq, 12, '0')), '$ACC_S',
	'2024-01-01' + INTERVAL seq * 797 MINUTE, '2024-01-01', ELT(1 + seq % 3, 'valid', 'not_found', 'error'),
	'2024-01-01' + INTERVAL seq DIV 2 DAY,
	IF(seq % 50 = 7, NULL, CONCAT(ELT(1 + seq % 5, 'MBAN01', 'UDIT', 'SÁNT', 'bnte', 'AZTK'), '2024', LPAD(seq * 37 % 1000, 4, '0'), LPAD(seq, 6, '0'))),
	IF(seq % 40 = 3, NULL, LPAD(seq * 7919 % 10000000, 7, '0')),
	ELT(1 + seq % 10, '40012', '40014', '90638', '90722', '40030', '40136', '90630', '90646', '40127', '40002'),
	ELT(1 + seq DIV 10 % 10, '40012', '40014', '90638', '90722', '40030', '40136', '90630', '90646', '40127', '40002'),
	100 + seq, '{}', IF(seq % 25 = 0, '2024-12-31', NULL)
	FROM seq_1_to_600" || bail "inserting the search rows failed"
# a few by hand: an accent inside, the issue's examples, a % and a _
sdb "INSERT INTO validations (id, account_id, created_at, updated_at, status, clave_rastreo, referencia,
	emisor, receptor, request_data) VALUES
	('5ea4c000-0000-4000-8000-100000000001', '$ACC_S', '2024-06-01 00:00:01', '2024-06-01', 'valid', 'PAGOÑANDÚ123', '0123456', '40002', '40002', '{}'),
	('5ea4c000-0000-4000-8000-100000000002', '$ACC_S', '2024-06-01 00:00:02', '2024-06-01', 'valid', 'XUDIT0001Y', '9123456', '40002', '40002', '{}'),
	('5ea4c000-0000-4000-8000-100000000003', '$ACC_S', '2024-06-01 00:00:03', '2024-06-01', 'valid', 'TEN50%_OFF', '7777777', '40002', '40002', '{}')" ||
	bail "inserting the hand rows failed"

# search_sql TERM CODES: the SQL condition the term must give: the
# clave/referencia part (LIKE '%term%', or prefix/whole under 4
# characters) and the participants (CODES, space-separated)
search_sql() {
	local t=${1//\'/\'\'} in="" c
	t=${t//\\/\\\\}
	local like=${t//%/\\%}
	like=${like//_/\\_}
	for c in $2; do in="$in${in:+, }'$c'"; done
	if (($("$PY" -c 'import sys; print(len(sys.argv[1]))' "$1") >= 4)); then
		printf "(clave_rastreo LIKE '%%%s%%' OR referencia LIKE '%%%s%%'" "$like" "$like"
	else
		printf "(clave_rastreo LIKE '%s%%' OR referencia = '%s'" "$like" "$t"
	fi
	[[ -n $in ]] && printf " OR emisor IN (%s) OR receptor IN (%s)" "$in" "$in"
	printf ")"
}
urlq() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
sids() { json_py "$T/body" '" ".join(x["id"] for x in d["data"])' 2>/dev/null; }

# search_check WHAT TERM CODES [with_deleted]: pages 1, 2 and the last of
# per_page 7 (and one past the end), meta.total, stats' total, and the
# export's ids, all equal to SQL's
search_check() {
	local what=$1 term=$2 codes=$3 wd=${4:-0} live="deleted_at IS NULL" q total last page want got
	((wd)) && live=1
	q="search=$(urlq "$term")$( ((wd)) && echo '&with_deleted=1')"
	local cond
	cond=$(search_sql "$term" "$codes")
	total=$(sdb "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_S' AND $live AND $cond") ||
		{ t_fail "$what: the SQL failed: $cond"; return; }
	last=$(((total + 6) / 7))
	((last >= 1)) || last=1
	for page in 1 2 "$last" $((last + 1)); do
		want=$(sdb "SELECT id FROM validations WHERE account_id = '$ACC_S' AND $live AND $cond
			ORDER BY created_at DESC, id DESC LIMIT 7 OFFSET $(((page - 1) * 7))" | tr '\n' ' ' | sed 's/ $//')
		http GET "/v1/validations?$q&per_page=7&page=$page" -H "Authorization: Bearer $SK"
		[[ $CODE == 200 ]] || { t_fail "$what: ?$q page $page: HTTP $CODE $(head -c 200 "$T/body")"; return; }
		got=$(sids)
		[[ $got == "$want" ]] || t_fail "$what: ?$q page $page: ids '$got', SQL '$want'"
		expect_json meta.total "$total"
	done
	http GET "/v1/validations/stats?$q" -H "Authorization: Bearer $SK"
	expect_code 200
	expect_json data.attributes.total "$total"
	expect_json data.attributes.deleted \
		"$(sdb "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_S' AND deleted_at IS NOT NULL AND $cond")"
	http GET "/v1/validations/export?$q&format=csv" -H "Authorization: Bearer $SK"
	expect_code 200
	got=$("$PY" -c 'import csv, io, sys
rows = list(csv.reader(io.StringIO(open(sys.argv[1], "rb").read().decode("utf-8-sig"))))
print(" ".join(r[0] for r in rows[1:]))' "$T/body")
	want=$(sdb "SELECT id FROM validations WHERE account_id = '$ACC_S' AND $live AND $cond
		ORDER BY created_at DESC, id DESC" | tr '\n' ' ' | sed 's/ $//')
	[[ $got == "$want" ]] || t_fail "$what: export ?$q: $(wc -w <<<"$got") ids, SQL $(wc -w <<<"$want")"
	((total > 0)) || [[ $what == *nothing* ]] || t_fail "$what: SQL finds no row: a weak test"
}

t_begin "search: any part of 4+ characters of the clave de rastreo or the referencia, case and accents ignored"
search_check "the issue's UDIT0001" UDIT0001 ""
search_check "the issue's 123456" 123456 ""
search_check "a clave's middle" 20240370 ""
search_check "a clave's end, lowercase" dit2024 ""
ref=$(sdb "SELECT referencia FROM validations WHERE account_id = '$ACC_S' AND referencia LIKE '1%' ORDER BY id LIMIT 1")
search_check "a referencia's middle" "${ref:1:5}" ""
search_check "an accent inside, searched without" PAGONANDU ""
search_check "an accent inside, searched lowercase" "ñandú1" ""
search_check "a clave with an accent, searched without" SANT2024 ""
search_check "a lowercase clave, searched uppercase" BNTE2024 ""
search_check "% and _ are plain characters" "50%_O" ""
search_check "4 characters exactly" 2024 ""
search_check "4 characters of a referencia" 7777 ""
search_check "a long term (more grams than are looked up)" MBAN01202403700000 ""
search_check "nothing holds it" ZZZZ9 ""
t_end

t_begin "search: under 4 characters a clave prefix or the whole referencia, as before"
search_check "3 characters, a clave prefix" UDI ""
search_check "3 characters inside a clave find nothing" DIT ""
search_check "1 character" M ""
search_check "3 characters, lowercase" mba ""
t_end

t_begin "search: participants by code, whole or partial name and alias, case and accents ignored; several at once"
search_check "a participant code" 40014 "40014"
search_check "a partial name" santan "40014"
search_check "a partial name, uppercase" SANTAN "40014"
search_check "an alias" bbva "40012"
search_check "an alias of two letters" nu "90638"
search_check "an alias of two words" "mercado pago" "90722"
search_check "a name with its accent" "Bajío" "40030"
search_check "a name without its accent" BAJIO "40030"
search_check "a name that fits two participants" intercam "40136 90630"
search_check "a code the catalog lacks: nothing as a participant" 40999 ""
t_end

t_begin "search: soft-deleted rows with with_deleted, and the grams follow updates of the clave and referencia"
search_check "with_deleted, clave part" UDIT2024 "" 1
search_check "with_deleted, partial name" santan "40014" 1
search_check "with_deleted, a code" 90646 "90646" 1
# the service fills the clave and referencia from the CEP after Banxico
# answered: an UPDATE; and a soft delete, and a restore
sdb "UPDATE validations SET clave_rastreo = 'NUEVACLAVE77', referencia = '5550001' WHERE account_id = '$ACC_S' AND clave_rastreo LIKE 'UDIT%' AND created_at < '2024-03-01';
	UPDATE validations SET clave_rastreo = 'LLENADA99' WHERE account_id = '$ACC_S' AND clave_rastreo IS NULL;
	UPDATE validations SET referencia = NULL WHERE account_id = '$ACC_S' AND referencia LIKE '%12%' AND created_at > '2024-10-01';
	UPDATE validations SET deleted_at = '2024-12-31' WHERE account_id = '$ACC_S' AND clave_rastreo LIKE 'AZTK%' AND created_at > '2024-11-01';
	UPDATE validations SET deleted_at = NULL WHERE account_id = '$ACC_S' AND clave_rastreo LIKE 'MBAN%' AND deleted_at IS NOT NULL;
	DELETE FROM validations WHERE account_id = '$ACC_S' AND clave_rastreo LIKE 'bnte%' AND created_at < '2024-02-01'" ||
	t_fail "the updates failed"
n=$(sdb "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_S' AND clave_rastreo = 'NUEVACLAVE77'")
((n > 3)) || t_fail "the update changed only $n claves"
search_check "a new clave" EVACLAVE7 ""
search_check "a clave filled in" LLENADA ""
search_check "a new referencia" 5550001 ""
search_check "an old clave no longer" UDIT2024 ""
search_check "referencias after some were emptied (4+)" 1234 ""
search_check "soft-deleted by an update, live" AZTK2024 ""
search_check "soft-deleted by an update, with_deleted" AZTK2024 "" 1
search_check "restored by an update" MBAN012024 ""
search_check "deleted rows are gone" BNTE2024 "" 1
# the grams equal a rebuild from the table (as a re-run of 010 does it)
grams_of() {
	sdb "SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', g_account, gram, g_created, g_id, g_deleted))), 0)
		FROM validation_grams WHERE g_account = '$ACC_S'"
}
before=$(grams_of)
mariadb --no-defaults -uroot --socket="$T/mariadb.sock" mxcep <"$MXCEP_TOP_SRCDIR/sql/010_search_grams.sql" ||
	t_fail "re-running sql/010_search_grams.sql failed"
expect_eq "the grams kept by the triggers = rebuilt from the table" "$(grams_of)" "$before"
t_end

t_begin "search: combined with other filters, and in the admin view of one account"
for extra in "status=valid" "date_from=2024-03-01&date_to=2024-06-30" "amount_min=200&amount_max=400"; do
	for term in 2024 UDIT0 santan; do
		case $extra in
		status=*) w="status = 'valid'" ;;
		date_*) w="created_at >= '2024-03-01' AND created_at < '2024-07-01'" ;;
		*) w="monto >= 200 AND monto <= 400" ;;
		esac
		codes=""
		[[ $term == santan ]] && codes=40014
		want=$(sdb "SELECT id FROM validations WHERE account_id = '$ACC_S' AND deleted_at IS NULL AND $w
			AND $(search_sql "$term" "$codes") ORDER BY created_at DESC, id DESC LIMIT 20" | tr '\n' ' ' | sed 's/ $//')
		total=$(sdb "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_S' AND deleted_at IS NULL AND $w
			AND $(search_sql "$term" "$codes")")
		http GET "/v1/validations?search=$term&$extra" -H "Authorization: Bearer $SK"
		expect_code 200
		expect_eq "?search=$term&$extra" "$(sids)" "$want"
		expect_json meta.total "$total"
	done
done
want=$(sdb "SELECT id FROM validations WHERE account_id = '$ACC_S' AND deleted_at IS NULL
	AND $(search_sql UDIT0 "") ORDER BY created_at DESC, id DESC LIMIT 20" | tr '\n' ' ' | sed 's/ $//')
http GET "/v1/admin/validations?account_id=$ACC_S&search=UDIT0" -H "Authorization: Bearer $ADMIN_A"
expect_code 200
expect_eq "admin ?account_id=S&search=UDIT0" "$(sids)" "$want"
t_end

t_begin "search: a term in more records than the probe counts (1000): the code's pages and totals still equal SQL's"
sdb "INSERT INTO validations (id, account_id, created_at, updated_at, status, clave_rastreo, referencia,
	emisor, receptor, request_data, deleted_at)
	SELECT CONCAT('5ea4c000-0000-4000-8000-2', LPAD(seq, 11, '0')), '$ACC_S', '2025-01-01' + INTERVAL seq MINUTE,
	'2025-01-01', 'valid', CONCAT('CAP40136X', LPAD(seq, 6, '0')), LPAD(seq, 7, '0'),
	IF(seq % 3 = 0, '40136', '40002'), '40002', '{}', IF(seq % 30 = 0, '2025-02-01', NULL)
	FROM seq_1_to_1200" || t_fail "inserting the common rows failed"
search_check "a code inside 1200 claves, and as emisor" 40136 "40136"
search_check "the same with_deleted" 40136 "40136" 1
search_check "4 characters inside 1200 claves" 4013 ""
search_check "a longer term inside 1200 claves" P40136X000 ""
t_end

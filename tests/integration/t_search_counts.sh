# shellcheck shell=bash
# t_search_counts: validation_gram_counts (sql/012_search_gram_counts.sql),
# how many records of an account hold each gram, live and soft-deleted,
# which gives meta.total of a search for one gram (4 characters) without
# counting its index entries. The counts stay equal to a rebuild from
# validation_grams through inserts, clave and referencia updates, soft
# and hard deletes, a rollback and concurrent writers in one account
# (POST /v1/validate in parallel, and SQL writers: every POST 200, the
# known jobs/tallies deadlock being run again); meta.total of a term
# most records hold equals SQL's count, with and without with_deleted;
# a count changed by hand moves it (it is used), and only where the count
# is the gram's (not with another filter or a longer term).
# Sourced by run.sh.
# shellcheck source=validate-lib.sh
[[ -n ${VLIB_LOADED:-} ]] || . "$here/validate-lib.sh"

gdb() { db "SET NAMES utf8mb4; $*"; }

ACC_G=$(admin account create it-gramcounts 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
GK=$(new_key "$ACC_G" "$RW") || bail "key create failed"

# 400 rows; "0000" in most claves (the bench's unselective term), claves
# whose grams repeat under the collation (case, accents: one gram row per
# record), NULL claves and referencias, one row in 20 soft-deleted
gdb "INSERT INTO validations (id, account_id, created_at, updated_at, status, clave_rastreo, referencia,
	emisor, receptor, request_data, deleted_at)
	SELECT CONCAT('6c0a7000-0000-4000-8000-', LPAD(seq, 12, '0')), '$ACC_G',
	'2024-01-01' + INTERVAL seq * 613 MINUTE, '2024-01-01', ELT(1 + seq % 3, 'valid', 'not_found', 'error'),
	CASE WHEN seq % 41 = 5 THEN NULL WHEN seq % 7 = 0 THEN CONCAT('abcdABCDÁbcd', seq)
	ELSE CONCAT(ELT(1 + seq % 4, 'GC', 'gc', 'XQ', 'ÑQ'), IF(seq % 9 = 0, '1234', '0000'), LPAD(seq, 5, '0')) END,
	IF(seq % 33 = 2, NULL, LPAD(seq * 7919 % 10000000, 7, '0')),
	'40012', '90646', '{}', IF(seq % 20 = 0, '2024-12-31', NULL)
	FROM seq_1_to_400" || bail "inserting the gram count rows failed"

# counts_check WHEN: the counts (n <> 0) equal a rebuild from the grams;
# grams compared by their collation weight (case and accent variants are
# one gram)
counts_check() {
	local want got
	got=$(gdb "SELECT HEX(WEIGHT_STRING(gram)), g_deleted, n FROM validation_gram_counts
		WHERE g_account = '$ACC_G' AND n <> 0 ORDER BY 1, 2")
	want=$(gdb "SELECT HEX(WEIGHT_STRING(gram)), g_deleted, COUNT(*) FROM validation_grams
		WHERE g_account = '$ACC_G' GROUP BY gram, g_deleted ORDER BY 1, 2")
	[[ -n $want && $got == "$want" ]] ||
		t_fail "$1: validation_gram_counts differ from a rebuild: $(diff <(echo "$want") <(echo "$got") | head -5)"
	got=$(gdb "SELECT COUNT(*) FROM validation_gram_counts WHERE g_account = '$ACC_G' AND n < 0")
	expect_eq "$1: no negative count" "$got" 0
}

# total_check WHAT TERM [with_deleted]: meta.total and page 1 (and a deep
# page) of ?search=TERM equal SQL's
total_check() {
	local what=$1 term=$2 wd=${3:-0} live="deleted_at IS NULL" cond total want page
	((wd)) && live=1
	cond="(clave_rastreo LIKE '%$term%' OR referencia LIKE '%$term%')"
	total=$(gdb "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_G' AND $live AND $cond")
	((total > 100)) || t_fail "$what: SQL finds $total rows: a weak test"
	for page in 1 9; do
		want=$(gdb "SELECT id FROM validations WHERE account_id = '$ACC_G' AND $live AND $cond
			ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET $(((page - 1) * 20))" | tr '\n' ' ' | sed 's/ $//')
		http GET "/v1/validations?search=$term&page=$page$( ((wd)) && echo '&with_deleted=1')" -H "Authorization: Bearer $GK"
		expect_code 200
		expect_json meta.total "$total"
		expect_eq "$what: page $page" "$(json_py "$T/body" '" ".join(x["id"] for x in d["data"])')" "$want"
	done
}

t_begin "search counts: validation_gram_counts equal a rebuild from validation_grams through every kind of write"
counts_check "after the inserts"
gdb "UPDATE validations SET clave_rastreo = CONCAT('NUEVA0000', RIGHT(id, 4)), referencia = '5550000' WHERE account_id = '$ACC_G' AND clave_rastreo LIKE 'XQ%' AND created_at < '2024-03-01';
	UPDATE validations SET clave_rastreo = 'LLENADA0000' WHERE account_id = '$ACC_G' AND clave_rastreo IS NULL;
	UPDATE validations SET referencia = NULL WHERE account_id = '$ACC_G' AND referencia LIKE '%1%' AND created_at > '2024-05-01';
	UPDATE validations SET clave_rastreo = UPPER(clave_rastreo) WHERE account_id = '$ACC_G' AND clave_rastreo LIKE 'gc%' AND created_at > '2024-04-01';
	UPDATE validations SET clave_rastreo = NULL WHERE account_id = '$ACC_G' AND clave_rastreo LIKE 'ÑQ%' AND created_at > '2024-06-01';
	UPDATE validations SET deleted_at = '2024-12-31' WHERE account_id = '$ACC_G' AND clave_rastreo LIKE 'GC%' AND created_at < '2024-02-15';
	UPDATE validations SET deleted_at = NULL WHERE account_id = '$ACC_G' AND deleted_at IS NOT NULL AND created_at > '2024-07-01';
	UPDATE validations SET status = 'valid', updated_at = UTC_TIMESTAMP() WHERE account_id = '$ACC_G';
	DELETE FROM validations WHERE account_id = '$ACC_G' AND clave_rastreo LIKE 'abcd%' AND created_at < '2024-03-01';
	DELETE FROM validations WHERE account_id = '$ACC_G' AND deleted_at IS NOT NULL AND created_at < '2024-01-20';
	START TRANSACTION;
	UPDATE validations SET clave_rastreo = 'ROLLEDBACK0000' WHERE account_id = '$ACC_G';
	DELETE FROM validations WHERE account_id = '$ACC_G' AND created_at > '2024-05-01';
	ROLLBACK;" || t_fail "the writes failed"
victim=$(gdb "SELECT id FROM validations WHERE account_id = '$ACC_G' AND deleted_at IS NULL AND clave_rastreo LIKE '%0000%' ORDER BY id LIMIT 1")
http DELETE "/v1/validations/$victim" -H "Authorization: Bearer $GK"
expect_code 204
counts_check "after updates, soft and hard deletes and a rollback"
# 012's rebuild (as a re-run does it) gives the same counts
before=$(gdb "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', HEX(WEIGHT_STRING(gram)), g_deleted, n))) FROM validation_gram_counts WHERE g_account = '$ACC_G' AND n <> 0")
mariadb --no-defaults -uroot --socket="$T/mariadb.sock" mxcep <"$MXCEP_TOP_SRCDIR/sql/012_search_gram_counts.sql" ||
	t_fail "re-running sql/012_search_gram_counts.sql failed"
expect_eq "the counts kept by the triggers = rebuilt by 012" \
	"$(gdb "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', HEX(WEIGHT_STRING(gram)), g_deleted, n))) FROM validation_gram_counts WHERE g_account = '$ACC_G' AND n <> 0")" "$before"
t_end

t_begin "search counts: meta.total of a term most records hold equals SQL's, and comes from validation_gram_counts"
total_check "0000, live" 0000
total_check "0000, with_deleted" 0000 1
n=$(gdb "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_G' AND deleted_at IS NOT NULL AND clave_rastreo LIKE '%0000%'")
((n > 0)) || t_fail "no soft-deleted row holds 0000: a weak test"
# gc_bump G DELETED DELTA: the count row of gram G moved by hand
gc_bump() {
	gdb "UPDATE validation_gram_counts SET n = n + ($3) WHERE g_account = '$ACC_G' AND gram = '$1' AND g_deleted = $2" ||
		t_fail "updating the count of $1 failed"
}
# total_of QUERY: meta.total of /v1/validations?QUERY
total_of() {
	http GET "/v1/validations?per_page=1&$1" -H "Authorization: Bearer $GK"
	[[ $CODE == 200 ]] || { t_fail "?$1: HTTP $CODE"; echo -1; return; }
	jget meta.total
}
live=$(total_of search=0000) all=$(total_of "search=0000&with_deleted=1")
st=$(total_of "search=0000&status=valid") long=$(total_of search=00000) lower=$(total_of search=gc00)
gc_bump 0000 0 1000
expect_eq "a live count +1000 moves the live total" "$(total_of search=0000)" $((live + 1000))
expect_eq "... and the with_deleted total" "$(total_of "search=0000&with_deleted=1")" $((all + 1000))
expect_eq "... not with another filter (counted)" "$(total_of "search=0000&status=valid")" "$st"
expect_eq "... not for a longer term (counted, confirmed)" "$(total_of search=00000)" "$long"
gc_bump 0000 0 -1000
gc_bump 0000 1 3
expect_eq "a deleted count +3 leaves the live total" "$(total_of search=0000)" "$live"
expect_eq "... and moves the with_deleted total" "$(total_of "search=0000&with_deleted=1")" $((all + 3))
gc_bump 0000 1 -3
# a gram held in both cases is one count (the collation's)
gc_bump GC00 0 5
expect_eq "a lowercase term reads the same count" "$(total_of search=gc00)" $((lower + 5))
gc_bump GC00 0 -5
expect_eq "put back" "$(total_of search=0000)" "$live"
t_end

t_begin "search counts: concurrent POST /v1/validate and SQL writers in one account: no deadlock on the counts, no failed writer, and the counts stay exact"
db "SET GLOBAL innodb_print_all_deadlocks = ON"
mlog0=$(wc -l <"$T/mariadb.log")
n0=$(gdb "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_G'")
pids=()
# 6 clients x 8 posts through both workers: claves sharing their grams
for c in 1 2 3 4 5 6; do
	(
		for i in 1 2 3 4 5 6 7 8; do
			body=$(printf '{"fecha":"%s","clave_rastreo":"%s","emisor":"40012","receptor":"90646","cuenta":"646180157048010399","monto":"77.00"}' \
				"$VFECHA" "$(((c + i) % 2 ? 1 : 0))0000GC${c}0${i}000$RANDOM")
			curl -sS --max-time 60 -o /dev/null -w '%{http_code}\n' -X POST "$URL/v1/validate" \
				-H "Authorization: Bearer $GK" -H 'Content-Type: application/vnd.api+json' --data-binary "$body"
		done >"$T/gc-post-$c.codes" 2>"$T/gc-post-$c.err"
	) &
	pids+=($!)
done
# 4 SQL clients: single-row inserts, soft deletes and clave updates in
# autocommit, with grams in opposite orders (a deadlock fails the client)
for c in 1 2 3 4; do
	(
		for i in $(seq 1 60); do
			id=$(printf '6c0a7000-0000-4000-9000-%04d%08d' "$c" "$i")
			if ((c % 2)); then k="ZZZZ0000AAAA$c$i"; else k="AAAA0000ZZZZ$c$i"; fi
			echo "INSERT INTO validations (id, account_id, created_at, updated_at, status, clave_rastreo, referencia, emisor, receptor, request_data)
				VALUES ('$id', '$ACC_G', UTC_TIMESTAMP(), UTC_TIMESTAMP(), 'valid', '$k', '$((i * 37))0000', '40012', '90646', '{}');"
			((i % 3 == 0)) && echo "UPDATE validations SET deleted_at = UTC_TIMESTAMP() WHERE id = '$id';"
			((i % 4 == 0)) && echo "UPDATE validations SET clave_rastreo = 'MMMM0000$c$i' WHERE id = '$id';"
		done | mariadb --no-defaults -uroot --socket="$T/mariadb.sock" mxcep >"$T/gc-sql-$c.out" 2>&1
		echo $? >"$T/gc-sql-$c.rc"
	) &
	pids+=($!)
done
wait "${pids[@]}"	# not the harness's servers
# A deadlock of the gram counts would show in MariaDB's log (every
# deadlock is printed) and fail a writer. The POSTs may meet one known
# deadlock that is not the counts' (main has it without 012): the
# enqueue's jobs insert against the finish's tallies update (007). Since
# a transaction that loses a lock conflict is run again (store/db.c,
# t_lock_conflict), no client sees it: every POST is 200.
bad=$(cat "$T"/gc-post-*.codes | grep -vc '^200$')
expect_eq "POSTs other than 200 (lock conflicts are run again)" "$bad" 0
expect_eq "answers" "$(cat "$T"/gc-post-*.codes | grep -c '^[25]0[03]$')" 48
n=$(tail -n +$((mlog0 + 1)) "$T/mariadb.log" | grep -c 'validation_gram_counts')
expect_eq "deadlocks involving validation_gram_counts" "$n" 0
for c in 1 2 3 4; do
	[[ $(cat "$T/gc-sql-$c.rc") == 0 ]] || t_fail "SQL writer $c failed: $(head -c 300 "$T/gc-sql-$c.out")"
done
expect_eq "every write recorded" "$(gdb "SELECT COUNT(*) FROM validations WHERE account_id = '$ACC_G'")" $((n0 + 48 + 240))
counts_check "after the concurrent writers"
total_check "0000 after the concurrent writers" 0000
total_check "0000 after the concurrent writers, with_deleted" 0000 1
t_end

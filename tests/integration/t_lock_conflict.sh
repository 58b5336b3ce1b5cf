# shellcheck shell=bash
# t_lock_conflict: InnoDB deadlocks between an enqueue (INSERT INTO jobs
# after the tallies trigger) and a finishing job (its job row, then the
# tallies trigger) must not reach the client: the store runs the rolled
# back transaction again. A second MariaDB session (X) takes the other
# side of each deadlock by hand; it has written many rows first, so that
# InnoDB picks mxcep's transaction as the victim. Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

# x_start ISOLATION: session X, reading statements from a fifo (fd 7),
# --force so that an error does not end it; its output in $T/x.out
x_start() {
	rm -f "$T/x.in"
	mkfifo "$T/x.in"
	mariadb --no-defaults -uroot --socket="$T/mariadb.sock" -N -B --force --unbuffered mxcep \
		<"$T/x.in" >"$T/x.out" 2>&1 &
	X_PID=$!
	exec 7>"$T/x.in"
	echo "SET SESSION innodb_lock_wait_timeout = 20;
		SET SESSION TRANSACTION ISOLATION LEVEL $1; START TRANSACTION;
		INSERT INTO it_lock_weight SELECT seq FROM seq_1_to_3000; SELECT 'x-ready';" >&7
	wait_for grep -q x-ready "$T/x.out" || t_fail "session X did not start: $(cat "$T/x.out")"
}
x_end() {	# X_END_SQL (ROLLBACK), then session X gone
	echo "ROLLBACK; SELECT 'x-done';" >&7
	exec 7>&-
	wait "$X_PID" 2>/dev/null
	rm -f "$T/x.in"
}
# lc_body: sets clave and body, a transfer the simulator does not know
lc_body() {
	VSEQ=$((VSEQ + 1))
	clave=MXLC$$${RANDOM}N$VSEQ
	body="{\"fecha\":\"$VFECHA\",\"clave_rastreo\":\"$clave\",\"emisor\":\"40012\",\"receptor\":\"90646\",\"cuenta\":\"646180157048010399\",\"monto\":\"77.00\"}"
}
lock_waits() { db "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'"; }
one_waiting() { (($(lock_waits) >= 1)); }
deadlocks() { mariadb_sql "$T" "SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'" | awk '{ print $2 }'; }

db "CREATE TABLE IF NOT EXISTS it_lock_weight (n INT NOT NULL) ENGINE=InnoDB" || t_fail "cannot create it_lock_weight"
# the tallies of this month for account A: queued and not_found rows exist
validate "$(unknown_body)"
expect_validation not_found

t_begin "lock conflict: a deadlock of the enqueue with a finishing job's tallies is retried, not a 500"
lc_body
d0=$(deadlocks)
# REPEATABLE READ: X holds every job row and the gap after them, so the
# INSERT INTO jobs waits
x_start "REPEATABLE READ"
echo "SELECT COUNT(*) FROM jobs WHERE id > 0 FOR UPDATE; SELECT 'x-jobs';" >&7
wait_for grep -q x-jobs "$T/x.out" || t_fail "session X never got the jobs: $(cat "$T/x.out")"
(
	curl -s --max-time 30 -o "$T/lc1.body" -w '%{http_code}' -X POST "$URL/v1/validate?async=1" \
		-H "Authorization: Bearer $KEY_A" -H 'Content-Type: application/vnd.api+json' \
		--data-binary "$body" >"$T/lc1.code"
) &
post_pid=$!
if wait_for one_waiting; then
	# X now wants the tally row the enqueue's trigger holds: a deadlock
	echo "UPDATE validation_tallies SET n = n WHERE account_id = '$ACC_A' AND status = 'queued';
		SELECT 'x-updated';" >&7
	wait_for grep -q x-updated "$T/x.out" || t_fail "session X never got the tally rows: $(cat "$T/x.out")"
	sleep 1
else
	t_fail "the enqueue never waited for session X's lock"
fi
x_end
wait "$post_pid"
expect_eq "deadlocks InnoDB detected" "$(($(deadlocks) - d0))" 1
grep -q 1213 "$T/x.out" && t_fail "session X was the deadlock's victim (precondition): $(cat "$T/x.out")"
expect_eq "POST ?async=1 through the deadlock" "$(cat "$T/lc1.code")" 202
expect_eq "validations of that clave" "$(db "SELECT COUNT(*) FROM validations WHERE clave_rastreo = '$clave'")" 1
grep -q 'db_validation_enqueue: lock conflict' "$T/fcgi.log" || t_fail "no 'lock conflict' line in fcgi.log"
id=$(json_get "$T/lc1.body" data.id) || id=
wait_final "$id" || t_fail "validation $id never final"
t_end

t_begin "lock conflict: a deadlock of a finishing job with the tallies is retried under its lease, not a 503"
lc_body
d0=$(deadlocks)
# READ COMMITTED: X locks only the not_found tally rows, which the job's
# finish waits for (the enqueue and the start touch the queued and
# processing rows only)
x_start "READ COMMITTED"
echo "UPDATE validation_tallies SET n = n WHERE account_id = '$ACC_A' AND status = 'not_found';
	SELECT 'x-tallies';" >&7
wait_for grep -q x-tallies "$T/x.out" || t_fail "session X never got the tally rows: $(cat "$T/x.out")"
(
	curl -s --max-time 30 -o "$T/lc2.body" -w '%{http_code}' -X POST "$URL/v1/validate" \
		-H "Authorization: Bearer $KEY_A" -H 'Content-Type: application/vnd.api+json' \
		--data-binary "$body" >"$T/lc2.code"
) &
post_pid=$!
if wait_for one_waiting; then
	jid=$(db "SELECT j.id FROM jobs j JOIN validations v ON v.id = j.validation_id WHERE v.clave_rastreo = '$clave'")
	# X now wants the job row the finish holds: a deadlock
	echo "SELECT id FROM jobs WHERE id = '$jid' FOR UPDATE; SELECT 'x-job';" >&7
	wait_for grep -q x-job "$T/x.out" || t_fail "session X never got the job row: $(cat "$T/x.out")"
	sleep 1
else
	t_fail "the job's finish never waited for session X's lock"
fi
x_end
wait "$post_pid"
expect_eq "deadlocks InnoDB detected" "$(($(deadlocks) - d0))" 1
grep -q 1213 "$T/x.out" && t_fail "session X was the deadlock's victim (precondition): $(cat "$T/x.out")"
expect_eq "sync POST through the deadlock" "$(cat "$T/lc2.code")" 200
expect_eq "its status" "$(json_get "$T/lc2.body" data.attributes.status)" not_found
expect_eq "validations of that clave" "$(db "SELECT COUNT(*) FROM validations WHERE clave_rastreo = '$clave'")" 1
expect_eq "its job" "$(db "SELECT CONCAT(state, ' ', tries) FROM jobs WHERE id = '$jid'")" "done 1"
grep -q 'db_job_finish: lock conflict' "$T/fcgi.log" || t_fail "no 'lock conflict' line in fcgi.log"
t_end
db "DROP TABLE IF EXISTS it_lock_weight" || true

/*
 * mxcep: retry cycles in MariaDB (issue 5). A retry is a job of kind
 * 'retry' numbered 1..max_retries in the jobs queue, its history a row
 * of retry_attempts. Every change takes the validation's row lock
 * first (SELECT ... FOR UPDATE), lets core/retry.c decide, and writes
 * the cycle, the queued job and the history in the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "core/core.h"
#include "store/store.h"
#include "store/store_int.h"

/* the locked state of one validation */
struct retry_row {
	char			 status[16];
	char			 account_id[UUID_STR_LEN + 1];
	struct retry_cycle	 c;
};

/* Locks the validation and reads its cycle; *found 0 when none (or
 * another account's when account_id is not NULL). In a transaction. */
static int
retry_lock(struct db *db, const char *id, const char *account_id,
    struct retry_row *row, int *found)
{
	struct dbp	 p;
	struct dbr	 r;
	char		*outcomes, state[16];
	enum retry_terminal t;
	int		 rc;

	*found = 0;
	memset(row, 0, sizeof(*row));
	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_RETRY_LOCK, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		dbr_strcpy(&r, 0, row->status, sizeof(row->status));
		row->c.policy.enabled = (int)dbr_i64(&r, 1, 0);
		row->c.policy.max_retries = (int)dbr_i64(&r, 2, 0);
		row->c.policy.interval_seconds = (int)dbr_i64(&r, 3, 0);
		outcomes = dbr_str(&r, 4);
		row->c.policy.outcomes = retry_outcomes_parse(outcomes);
		free(outcomes);
		row->c.attempts_completed = (int)dbr_i64(&r, 5, 0);
		row->c.next_attempt_at = dbr_time(&r, 6);
		row->c.resolved_at = dbr_time(&r, 7);
		row->c.exhausted_at = dbr_time(&r, 8);
		row->c.cancelled_at = dbr_time(&r, 9);
		dbr_strcpy(&r, 10, state, sizeof(state));
		if (state[0] == '\0' || retry_terminal_parse(state, &t) == -1)
			t = RETRY_TERMINAL_NONE;
		if (retry_cycle_state_of(t, &row->c.state) == -1)
			rc = -1;
		dbr_strcpy(&r, 11, row->account_id, sizeof(row->account_id));
		*found = account_id == NULL ||
		    strcmp(account_id, row->account_id) == 0;
	}
	dbr_done(&r);
	return rc == -1 ? -1 : 0;
}

/* Writes the cycle back; bump: also a new etag_version */
static int
retry_save(struct db *db, const char *id, const struct retry_cycle *c,
    time_t now, int bump)
{
	struct dbp	 p;
	char		*outcomes = NULL;
	enum retry_terminal stored;
	int		 on = c->policy.enabled, rc;

	if (retry_stored_state_of(c->state, &stored) == -1)
		return -1;
	if (on)
		outcomes = retry_outcomes_text(c->policy.outcomes);
	dbp_init(&p);
	dbp_i64(&p, on);
	dbp_i64n(&p, on ? c->policy.max_retries : -1);
	dbp_i64n(&p, on ? c->policy.interval_seconds : -1);
	dbp_str(&p, outcomes);
	dbp_i64(&p, c->attempts_completed);
	dbp_time(&p, c->next_attempt_at);
	dbp_time(&p, c->resolved_at);
	dbp_time(&p, c->exhausted_at);
	dbp_time(&p, c->cancelled_at);
	dbp_str(&p, retry_terminal_name(stored));
	dbp_time(&p, now);
	dbp_i64(&p, bump ? 1 : 0);
	dbp_str(&p, id);
	rc = db_run(db, STMT_RETRY_SAVE, &p, NULL);
	free(outcomes);
	return rc;
}

/* Queues (or moves) retry number attempts_completed + 1 */
static int
retry_schedule(struct db *db, const char *id, const struct retry_cycle *c,
    time_t now)
{
	struct dbp	 p;
	int		 attempt = c->attempts_completed + 1;

	dbp_init(&p);
	dbp_str(&p, id);
	dbp_i64(&p, attempt);
	dbp_time(&p, c->next_attempt_at);
	dbp_time(&p, now);
	if (db_run(db, STMT_RETRY_JOB_SCHEDULE, &p, NULL) == -1)
		return -1;
	dbp_init(&p);
	dbp_str(&p, id);
	dbp_i64(&p, attempt);
	dbp_time(&p, c->next_attempt_at);
	return db_run(db, STMT_RETRY_ATTEMPT_SCHEDULE, &p, NULL);
}

/* Removes the queued retry (a running one ends and is recorded) */
static int
retry_unschedule(struct db *db, const char *id, time_t now)
{
	struct dbp	 p;

	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_RETRY_ATTEMPT_UNSCHEDULE, &p, NULL) == -1)
		return -1;
	dbp_init(&p);
	dbp_time(&p, now);
	dbp_str(&p, id);
	return db_run(db, STMT_RETRY_JOB_UNSCHEDULE, &p, NULL);
}

static int
retry_cycle_equal(const struct retry_cycle *a, const struct retry_cycle *b)
{
	return a->policy.enabled == b->policy.enabled &&
	    (!a->policy.enabled || (a->policy.max_retries ==
	    b->policy.max_retries && a->policy.interval_seconds ==
	    b->policy.interval_seconds && a->policy.outcomes ==
	    b->policy.outcomes)) &&
	    a->attempts_completed == b->attempts_completed &&
	    a->next_attempt_at == b->next_attempt_at &&
	    a->resolved_at == b->resolved_at &&
	    a->exhausted_at == b->exhausted_at &&
	    a->cancelled_at == b->cancelled_at && a->state == b->state;
}

int
db_retry_after_job(struct db *db, const struct job *job,
    const struct validation_outcome *o, time_t now)
{
	struct retry_row	 row;
	struct retry_cycle	 before;
	struct dbp		 p;
	int			 found, attempt, schedule;

	attempt = job->kind == JOB_KIND_RETRY ? job->attempt : 0;
	if (retry_lock(db, job->validation_id, NULL, &row, &found) == -1)
		return -1;
	if (!found)
		return 0;
	before = row.c;
	schedule = retry_cycle_after(&row.c, attempt,
	    retry_result_of(validation_status_name(o->status)), now);
	if (!retry_cycle_equal(&before, &row.c) &&
	    retry_save(db, job->validation_id, &row.c, now, 0) == -1)
		return -1;
	if (schedule && retry_schedule(db, job->validation_id, &row.c,
	    now) == -1)
		return -1;
	if (attempt == 0)
		return 0;
	dbp_init(&p);
	dbp_str(&p, job->validation_id);
	dbp_i64(&p, attempt);
	dbp_time(&p, o->started_at != 0 ? o->started_at : now);
	dbp_time(&p, o->started_at != 0 ? o->started_at : now);
	dbp_time(&p, now);
	dbp_str(&p, validation_status_name(o->status));
	dbp_str(&p, o->banxico_status);
	dbp_str(&p, o->error_code);
	dbp_i64n(&p, o->duration_ms);
	return db_run(db, STMT_RETRY_ATTEMPT_FINISH, &p, NULL);
}

/* Locks one record of the account, lets change() decide, applies it. */
static int
retry_change_with(struct db *db, const char *account_id, const char *id,
    time_t now, const struct retry_policy *policy, struct retry_change *out)
{
	struct retry_row	 row;
	enum retry_result	 current;
	int			 found, rc;

	memset(out, 0, sizeof(*out));
	out->etag = -1;
	if (db_begin(db) == -1)
		return -1;
	if (retry_lock(db, id, account_id, &row, &found) == -1)
		goto fail;
	if (!found) {
		db_rollback(db);
		return 0;
	}
	out->found = 1;
	current = retry_result_of(row.status);
	if (policy != NULL) {
		rc = retry_cycle_set_policy(&row.c, policy, current, now);
		out->result = rc == -1 ? -1 : 0;
	} else {
		rc = retry_cycle_cancel(&row.c, current, now);
		out->result = rc;
		rc = rc == 0 ? (int)RETRY_SET_UNSCHEDULE : 0;
	}
	if (out->result == 0) {
		if (retry_save(db, id, &row.c, now, 1) == -1)
			goto fail;
		if ((rc & (int)RETRY_SET_UNSCHEDULE) &&
		    retry_unschedule(db, id, now) == -1)
			goto fail;
		if ((rc & (int)RETRY_SET_SCHEDULE) &&
		    retry_schedule(db, id, &row.c, now) == -1)
			goto fail;
	}
	if (db_validation_etag(db, id, &out->etag) == -1)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}

int
db_retry_cancel_locked(struct db *db, const char *account_id, const char *id,
    time_t now, int *found, int *cancelled)
{
	struct retry_row	 row;

	*cancelled = 0;
	if (retry_lock(db, id, account_id, &row, found) == -1)
		return -1;
	if (!*found || retry_cycle_cancel(&row.c, retry_result_of(row.status),
	    now) != 0)
		return 0;
	if (retry_save(db, id, &row.c, now, 1) == -1 ||
	    retry_unschedule(db, id, now) == -1)
		return -1;
	*cancelled = 1;
	return 0;
}

int
db_validation_retry_policy(struct db *db, const char *account_id,
    const char *id, const struct retry_policy *policy, time_t now,
    struct retry_change *out)
{
	return retry_change_with(db, account_id, id, now, policy, out);
}

int
db_validation_retry_cancel(struct db *db, const char *account_id,
    const char *id, time_t now, struct retry_change *out)
{
	return retry_change_with(db, account_id, id, now, NULL, out);
}

int
db_account_retry_settings(struct db *db, const char *account_id,
    int *plan_cap, struct retry_policy *def, int *found)
{
	struct dbp	 p;
	struct dbr	 r;
	char		*outcomes;
	int		 rc;

	*found = 0;
	*plan_cap = 0;
	memset(def, 0, sizeof(*def));
	dbp_init(&p);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_ACCOUNT_RETRY_SETTINGS, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		*found = 1;
		*plan_cap = (int)dbr_i64(&r, 0, 0);
		def->enabled = (int)dbr_i64(&r, 1, 0);
		if (def->enabled) {
			def->max_retries = (int)dbr_i64(&r, 2, 0);
			def->interval_seconds = (int)dbr_i64(&r, 3, 0);
			outcomes = dbr_str(&r, 4);
			def->outcomes = retry_outcomes_parse(outcomes);
			free(outcomes);
		}
	}
	dbr_done(&r);
	return rc == -1 ? -1 : 0;
}

int
db_account_retry_policy_put(struct db *db, const char *account_id,
    const struct retry_policy *policy, time_t now)
{
	struct dbp	 p;
	char		*outcomes = NULL;
	int		 on = policy->enabled, rc;

	if (on)
		outcomes = retry_outcomes_text(policy->outcomes);
	dbp_init(&p);
	dbp_str(&p, account_id);
	dbp_i64(&p, on);
	dbp_i64n(&p, on ? policy->max_retries : -1);
	dbp_i64n(&p, on ? policy->interval_seconds : -1);
	dbp_str(&p, outcomes);
	dbp_time(&p, now);
	rc = db_run(db, STMT_ACCOUNT_RETRY_PUT, &p, NULL);
	free(outcomes);
	return rc;
}

int
db_retry_attempts(struct db *db, const char *account_id, const char *id,
    struct retry_attempt **out, size_t *n)
{
	struct dbp		 p;
	struct dbr		 r;
	struct retry_attempt	*a = NULL, *x;
	size_t			 na = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	dbp_init(&p);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_RETRY_ATTEMPTS_LIST, &p, &r) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		a = xrealloc(a, (na + 1) * sizeof(*a));
		x = &a[na++];
		memset(x, 0, sizeof(*x));
		x->attempt = (int)dbr_i64(&r, 0, 0);
		x->scheduled_at = dbr_time(&r, 1);
		x->started_at = dbr_time(&r, 2);
		x->finished_at = dbr_time(&r, 3);
		dbr_strcpy(&r, 4, x->status, sizeof(x->status));
		x->banxico_status = dbr_str(&r, 5);
		x->error_code = dbr_str(&r, 6);
		x->duration_ms = dbr_i64(&r, 7, -1);
	}
	dbr_done(&r);
	if (rc == -1) {
		retry_attempt_list_free(a, na);
		return -1;
	}
	*out = a;
	*n = na;
	return 0;
}

void
retry_attempt_list_free(struct retry_attempt *a, size_t n)
{
	size_t	 i;

	if (a == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(a[i].banxico_status);
		free(a[i].error_code);
	}
	free(a);
}

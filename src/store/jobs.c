/*
 * mxcep: the work queue on MariaDB, and what a finished job writes.
 * Claims use SELECT ... FOR UPDATE SKIP LOCKED plus a lease, so any
 * number of runners and workers share the queue without running a job
 * twice; a process that dies leaves its job to be claimed again when
 * the lease runs out; a job is finished only by its lease holder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

/* one try of db_validation_enqueue's transaction */
static int
enqueue_tx(struct db *db, const struct validation *v, time_t now,
    const char *lease_owner, time_t lease_until,
    const struct idem_claim *idem, uint64_t *job_id)
{
	struct dbp	 p;
	int		 lost = 0;

	if (db_begin(db) == -1)
		return -1;
	if (idem != NULL &&
	    db_idem_set_resource(db, idem, v->id, &lost) == -1)
		goto fail;
	if (lost) {
		db_rollback(db);
		return 1;
	}
	if (db_validation_create(db, v) == -1)
		goto fail;
	dbp_init(&p);
	dbp_str(&p, v->id);
	dbp_str(&p, lease_owner != NULL ? "running" : "queued");
	dbp_time(&p, now);
	dbp_str(&p, lease_owner);
	dbp_time(&p, lease_owner != NULL ? lease_until : 0);
	dbp_i64(&p, lease_owner != NULL ? 1 : 0);
	dbp_time(&p, now);
	if (db_run(db, STMT_JOB_INSERT, &p, NULL) == -1)
		goto fail;
	*job_id = db_insert_id(db);
	if (db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* A lock conflict with a finishing job (its tallies trigger against
 * this INSERT INTO jobs) rolls the whole transaction back: it is run
 * again, so the client never sees the conflict. */
int
db_validation_enqueue(struct db *db, const struct validation *v, time_t now,
    const char *lease_owner, time_t lease_until,
    const struct idem_claim *idem, uint64_t *job_id)
{
	int	 rc, attempt;

	for (attempt = 1; ; attempt++) {
		*job_id = 0;
		rc = enqueue_tx(db, v, now, lease_owner, lease_until, idem,
		    job_id);
		if (rc != -1 || !db_tx_retry(db, attempt, __func__))
			return rc;
	}
}

int
db_job_claim(struct db *db, uint64_t job_id, const char *owner, time_t now,
    time_t lease_until, int *claimed)
{
	struct dbp	 p;

	*claimed = 0;
	dbp_init(&p);
	dbp_str(&p, owner);
	dbp_time(&p, lease_until);
	dbp_i64(&p, (long long)job_id);
	dbp_time(&p, now);
	if (db_run(db, STMT_JOB_CLAIM, &p, NULL) == -1)
		return -1;
	*claimed = db_affected(db) == 1;
	return 0;
}

/* Selects with stmt (locking, skipping locked rows) and claims every
 * row in the same transaction. Appends to *jobs. */
static int
jobs_claim_with(struct db *db, enum stmt stmt, time_t now, const char *owner,
    time_t lease_until, size_t limit, struct job **jobs, size_t *n)
{
	struct dbp	 p;
	struct dbr	 r;
	struct job	*found = NULL;
	size_t		 nfound = 0, i;
	int		 rc, claimed;
	char		 kind[16];

	if (limit == 0)
		return 0;
	if (db_begin(db) == -1)
		return -1;
	dbp_init(&p);
	dbp_time(&p, now);
	dbp_i64(&p, (long long)limit);
	if (db_run(db, stmt, &p, &r) == -1)
		goto fail;
	found = xcalloc(limit, sizeof(*found));
	while ((rc = dbr_fetch(&r)) == 1 && nfound < limit) {
		found[nfound].id = (uint64_t)dbr_i64(&r, 0, 0);
		dbr_strcpy(&r, 1, found[nfound].validation_id,
		    sizeof(found[nfound].validation_id));
		dbr_strcpy(&r, 2, found[nfound].account_id,
		    sizeof(found[nfound].account_id));
		found[nfound].tries = (int)dbr_i64(&r, 3, 0) + 1;
		dbr_strcpy(&r, 4, kind, sizeof(kind));
		found[nfound].kind = strcmp(kind, "retry") == 0 ?
		    JOB_KIND_RETRY : JOB_KIND_VALIDATE;
		found[nfound].attempt = (int)dbr_i64(&r, 5, 0);
		nfound++;
	}
	dbr_done(&r);
	if (rc == -1)
		goto fail;
	for (i = 0; i < nfound; i++) {
		if (db_job_claim(db, found[i].id, owner, now, lease_until,
		    &claimed) == -1)
			goto fail;
	}
	if (db_commit(db) == -1)
		goto fail;
	if (nfound > 0) {
		*jobs = xrealloc(*jobs, (*n + nfound) * sizeof(**jobs));
		memcpy(*jobs + *n, found, nfound * sizeof(*found));
		*n += nfound;
	}
	free(found);
	return 0;
fail:
	db_rollback(db);
	free(found);
	return -1;
}

int
db_jobs_claim_due(struct db *db, time_t now, const char *owner,
    time_t lease_until, size_t limit, struct job **jobs, size_t *n)
{
	*jobs = NULL;
	*n = 0;
	if (jobs_claim_with(db, STMT_JOBS_DUE_EXPIRED_LEASE, now, owner,
	    lease_until, limit, jobs, n) == -1)
		goto fail;
	if (jobs_claim_with(db, STMT_JOBS_DUE_QUEUED, now, owner, lease_until,
	    limit - *n, jobs, n) == -1)
		goto fail;
	return 0;
fail:
	free(*jobs);
	*jobs = NULL;
	*n = 0;
	return -1;
}

int
db_jobs_claim_expired(struct db *db, time_t now, const char *owner,
    time_t lease_until, size_t limit, struct job **jobs, size_t *n)
{
	*jobs = NULL;
	*n = 0;
	if (jobs_claim_with(db, STMT_JOBS_EXPIRED_QUEUE, now, owner,
	    lease_until, limit, jobs, n) == -1) {
		free(*jobs);
		*jobs = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
db_job_release(struct db *db, uint64_t job_id, const char *owner,
    time_t run_after)
{
	struct dbp	 p;

	dbp_init(&p);
	dbp_time(&p, run_after);
	dbp_i64(&p, (long long)job_id);
	dbp_str(&p, owner);
	return db_run(db, STMT_JOB_RELEASE, &p, NULL);
}

int
db_validation_start(struct db *db, const char *id, time_t now)
{
	struct dbp	 p;

	dbp_init(&p);
	dbp_time(&p, now);
	dbp_time(&p, now);
	dbp_str(&p, id);
	return db_run(db, STMT_VALIDATION_START, &p, NULL);
}

/* one try of db_job_finish's transaction */
static int
job_finish_tx(struct db *db, const struct job *job, const char *owner,
    time_t now, const struct validation_outcome *o, int *finished,
    int64_t *etag)
{
	struct dbp	 p;

	*finished = 0;
	*etag = -1;
	if (db_begin(db) == -1)
		return -1;
	dbp_init(&p);
	dbp_time(&p, now);
	dbp_i64(&p, (long long)job->id);
	dbp_str(&p, owner);
	if (db_run(db, STMT_JOB_FINISH, &p, NULL) == -1)
		goto fail;
	if (db_affected(db) != 1) {
		/* the lease ran out and another process took the job */
		db_rollback(db);
		log_warnx("%s: job %llu: lease lost, result dropped", __func__,
		    (unsigned long long)job->id);
		return 0;
	}
	dbp_init(&p);
	dbp_str(&p, validation_status_name(o->status));
	dbp_str(&p, o->banxico_status);
	dbp_str(&p, o->clave_rastreo);
	dbp_str(&p, o->referencia);
	dbp_str(&p, o->banxico_result);
	dbp_str(&p, o->error_code);
	dbp_str(&p, o->error_message);
	dbp_i64(&p, o->has_cep ? 1 : 0);
	dbp_time(&p, now);
	dbp_i64n(&p, o->processing_time_ms);
	dbp_time(&p, now);
	dbp_time(&p, now);
	dbp_str(&p, job->validation_id);
	if (db_run(db, STMT_VALIDATION_FINISH, &p, NULL) == -1)
		goto fail;
	if (db_retry_after_job(db, job, o, now) == -1)
		goto fail;
	if (o->xml != NULL || o->pdf != NULL || o->raw != NULL) {
		dbp_init(&p);
		dbp_str(&p, job->validation_id);
		dbp_blob(&p, o->xml, o->xml_len);
		dbp_blob(&p, o->pdf, o->pdf_len);
		dbp_blob(&p, o->raw, o->raw_len);
		dbp_time(&p, now);
		if (db_run(db, STMT_CEP_INSERT, &p, NULL) == -1)
			goto fail;
	}
	if (db_validation_etag(db, job->validation_id, etag) == -1)
		goto fail;
	if (db_commit(db) == -1)
		goto fail;
	*finished = 1;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* A lock conflict (the tallies trigger against an enqueue) rolls the
 * whole transaction back: it is run again, still under the lease. */
int
db_job_finish(struct db *db, const struct job *job, const char *owner,
    time_t now, const struct validation_outcome *o, int *finished,
    int64_t *etag)
{
	int	 rc, attempt;

	for (attempt = 1; ; attempt++) {
		rc = job_finish_tx(db, job, owner, now, o, finished, etag);
		if (rc != -1 || !db_tx_retry(db, attempt, __func__))
			return rc;
	}
}

int
db_cep_document(struct db *db, const char *account_id,
    const char *validation_id, int pdf, char **data, size_t *len)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	*data = NULL;
	*len = 0;
	dbp_init(&p);
	dbp_str(&p, validation_id);
	dbp_str(&p, account_id);
	if (db_run(db, pdf ? STMT_CEP_PDF : STMT_CEP_XML, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1 && !dbr_null(&r, 0)) {
		*len = dbr_len(&r, 0);
		*data = dbr_str(&r, 0);
	}
	dbr_done(&r);
	return rc == -1 ? -1 : 0;
}

/* Reads name's deadline with stmt (STMT_STATE_GET or _LOCK) */
static int
state_read(struct db *db, enum stmt stmt, const char *name,
    struct state_deadline *d)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	memset(d, 0, sizeof(*d));
	dbp_init(&p);
	dbp_str(&p, name);
	if (db_run(db, stmt, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1 && !dbr_null(&r, 1)) {
		dbr_strcpy(&r, 0, d->reason, sizeof(d->reason));
		d->until = dbr_time(&r, 1);
		d->since = dbr_time(&r, 2);
	}
	dbr_done(&r);
	return rc == -1 ? -1 : 0;
}

int
db_state_get(struct db *db, const char *name, struct state_deadline *d)
{
	return state_read(db, STMT_STATE_GET, name, d);
}

int
db_state_start(struct db *db, const char *name, time_t until,
    const char *reason, time_t now, int *started)
{
	struct state_deadline	 d;
	struct dbp		 p;

	*started = 0;
	/* the row first, on its own: two starters then queue on its lock
	 * (locking a missing row would take gap locks that deadlock) */
	dbp_init(&p);
	dbp_str(&p, name);
	dbp_time(&p, now);
	if (db_run(db, STMT_STATE_ENSURE, &p, NULL) == -1)
		return -1;
	if (db_begin(db) == -1)
		return -1;
	if (state_read(db, STMT_STATE_LOCK, name, &d) == -1)
		goto fail;
	dbp_init(&p);
	if (d.until > now) {
		/* in force already: only ever later, reason and since kept */
		dbp_time(&p, until);
		dbp_str(&p, name);
		if (db_run(db, STMT_STATE_EXTEND, &p, NULL) == -1)
			goto fail;
	} else {
		dbp_str(&p, name);
		dbp_str(&p, reason);
		dbp_time(&p, until);
		dbp_time(&p, now);
		if (db_run(db, STMT_STATE_SET, &p, NULL) == -1)
			goto fail;
		*started = 1;
	}
	if (db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	*started = 0;
	return -1;
}

int
db_state_end(struct db *db, const char *name, time_t now, int force,
    struct state_deadline *was, int *ended)
{
	struct dbp	 p;

	*ended = 0;
	if (db_begin(db) == -1)
		return -1;
	if (state_read(db, STMT_STATE_LOCK, name, was) == -1)
		goto fail;
	if (was->until == 0 || (!force && was->until > now)) {
		db_rollback(db);
		return 0;
	}
	dbp_init(&p);
	dbp_time(&p, now);
	dbp_str(&p, name);
	if (db_run(db, STMT_STATE_CLEAR, &p, NULL) == -1 ||
	    db_commit(db) == -1)
		goto fail;
	*ended = 1;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

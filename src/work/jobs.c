/*
 * mxcep: running a validation job: ask Banxico, write the outcome. The
 * same code runs a synchronous POST /v1/validate, an async job right
 * after its 202 has been sent, and mxcep-runner's passes. Banxico sees
 * at most banxico_max_rps queries per second from the whole service,
 * and none while a back-off it asked for (throttling) is in force.
 *
 * A run goes through these steps, each a function below:
 *   load      the record (or the caller's copy of it)
 *   settled   finished already (a replayed lease) or expired in the
 *             queue: the outcome is known without Banxico
 *   exhausted run job_max_attempts times already without its outcome
 *             written: it ends `error`, Banxico not asked again
 *   back-off  an async job waits out Banxico's back-off (put back)
 *   start     queued -> processing, the new version published
 *   ask       Banxico, unless paused or over our own rate cap
 *   finish    the outcome written in one transaction, then published
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banxico/banxico.h"
#include "store/store.h"
#include "work/work.h"

/* One run of one job: what its steps share. */
struct job_run {
	struct app			*app;
	const struct job		*job;
	int				 sync;	/* the client waits */
	double				 t0;	/* its request's clock */
	struct validation		*v;
	struct validation_outcome	 o;
	struct banxico_answer		 a;
	char				*result;	/* banxico_result */
	char				 state[WORK_BANXICO_STATUS_SIZE];
	time_t				 until;		/* back-off, 0 = none */
};

static void
job_run_init(struct job_run *r, struct app *app, const struct job *job,
    int sync, double t0)
{
	memset(r, 0, sizeof(*r));
	r->app = app;
	r->job = job;
	r->sync = sync;
	r->t0 = t0;
	r->o.processing_time_ms = -1;
	r->o.started_at = clock_now();
	r->o.duration_ms = -1;
}

static void
job_run_free(struct job_run *r)
{
	banxico_answer_free(&r->a);
	free(r->result);
	validation_free(r->v);
}

/* The record: the synchronous path has just written it (known), so no
 * need to read it back. 0, or -1 (logged) when it cannot be had. */
static int
job_load(struct job_run *r, const struct validation *known)
{
	if (known != NULL)
		r->v = validation_dup(known);
	else if (db_validation_get(r->app->db, r->job->account_id,
	    r->job->validation_id, &r->v) == -1)
		return -1;
	if (r->v == NULL) {
		log_warnx("%s: job %llu: validation %s is gone", __func__,
		    (unsigned long long)r->job->id, r->job->validation_id);
		return -1;
	}
	return 0;
}

/* 1 when the outcome is known without asking Banxico (r->o filled) */
static int
job_settled(struct job_run *r)
{
	const struct validation	*v = r->v;

	/* a retry asks Banxico again whatever the record says; the first
	 * query only while the record waits for it */
	if (r->job->kind == JOB_KIND_VALIDATE &&
	    v->status != VALIDATION_STATUS_QUEUED &&
	    v->status != VALIDATION_STATUS_PROCESSING) {
		/* finished already (a replayed lease): record it as it is */
		r->o.status = v->status;
		r->o.banxico_status = v->banxico_status;
		r->o.banxico_result = v->banxico_result;
		r->o.error_code = v->error_code;
		r->o.error_message = v->error_message;
		r->o.has_cep = v->has_cep;
		r->o.processing_time_ms = v->processing_time_ms;
		return 1;
	}
	if (v->status == VALIDATION_STATUS_QUEUED && v->expires_at != 0 &&
	    r->o.started_at > v->expires_at) {
		r->o.status = VALIDATION_STATUS_FAILED;
		r->o.error_code = "expired";
		r->o.error_message = "the validation waited in the queue past "
		    "its expires_at";
		return 1;
	}
	return 0;
}

/* 1 when the job has had all its runs (job_max_attempts) without its
 * outcome being written (each failed run leaves its lease to expire):
 * it ends `error` without asking Banxico again, and with no Banxico
 * text, the likeliest reason a write keeps failing */
static int
job_exhausted(struct job_run *r)
{
	if (r->job->tries <= r->app->cfg->job_max_attempts)
		return 0;
	log_warnx("validation %s: job %llu: run %d of at most %d; ending it "
	    "as error", r->job->validation_id, (unsigned long long)r->job->id,
	    r->job->tries, r->app->cfg->job_max_attempts);
	r->o.status = VALIDATION_STATUS_ERROR;
	r->o.error_code = "attempts_exhausted";
	r->o.error_message = "the validation was run job_max_attempts times "
	    "without its outcome being stored; it is not tried again";
	return 1;
}

/* gives the job back to the queue, due at when */
static enum work_result
job_release(struct job_run *r, time_t when)
{
	if (db_job_release(r->app->db, r->job->id, r->app->owner, when) == -1)
		return WORK_FAILED;
	return WORK_PUT_BACK;
}

/* queued -> processing, and pollers told (still pending) */
static int
job_start(struct job_run *r)
{
	int64_t	 etag;

	if (r->v->status != VALIDATION_STATUS_QUEUED)
		return 0;
	if (db_validation_start(r->app->db, r->v->id, r->o.started_at) == -1 ||
	    db_validation_etag(r->app->db, r->v->id, &etag) == -1)
		return -1;
	work_etag_publish_state(r->app, r->job->account_id, r->v->id, etag,
	    1, 1);
	return 0;
}

/* the query itself; a throttled answer starts the back-off */
static void
job_query(struct job_run *r)
{
	struct banxico_query	 q;
	double			 t;

	work_query_of(r->v, &q);
	t = clock_monotonic();
	(void)banxico_query(r->app->banxico, &q, &r->a);
	t = clock_monotonic() - t;
	r->app->banxico_seconds += t;
	r->o.duration_ms = (int64_t)(t * 1000.0 + 0.5);
	work_outcome_of_answer(r->v, &r->a, &r->o, r->state,
	    sizeof(r->state), &r->result);
	if (r->a.outcome == BANXICO_THROTTLED ||
	    r->a.outcome == BANXICO_CAPTCHA)
		work_backoff_start(r->app, r->a.outcome, r->v->id, &r->until);
}

/* Asks Banxico, or says why not in r->o. 1 when an async job should be
 * put back instead (our own rate cap, not Banxico's). */
static int
job_ask(struct job_run *r)
{
	if (r->until != 0) {
		r->o.status = VALIDATION_STATUS_CEP_UNAVAILABLE;
		r->o.error_code = "banxico_backoff";
		r->o.error_message = "Banxico queries are paused after it "
		    "throttled us; retry later";
		return 0;
	}
	if (work_rate_slot(r->app) == -1) {
		if (!r->sync)
			return 1;
		r->o.status = VALIDATION_STATUS_CEP_UNAVAILABLE;
		r->o.error_code = "banxico_busy";
		r->o.error_message = "the service's cap on queries to Banxico "
		    "(banxico_max_rps) is reached; retry shortly";
		return 0;
	}
	job_query(r);
	return 0;
}

/* From enqueue to now: the request's own clock when it waits for the
 * answer, else the enqueue instant stored with the record (to the
 * second only for records older than enqueued_at_ms). */
static void
job_processing_time(struct job_run *r)
{
	int64_t	 ms = -1;

	if (r->sync && r->t0 > 0)
		ms = (int64_t)((clock_monotonic() - r->t0) * 1000.0 + 0.5);
	else if (r->v->enqueued_at_ms >= 0)
		ms = clock_now_ms() - r->v->enqueued_at_ms;
	else if (r->v->enqueued_at != 0)
		ms = clock_now_ms() - (int64_t)r->v->enqueued_at * 1000;
	r->o.processing_time_ms = ms < 0 ? 0 : ms;
}

static void
job_log(const struct job *job, const struct validation_outcome *o)
{
	const char	*code = o->error_code;

	if (job->kind == JOB_KIND_RETRY)
		log_info("validation %s retry %d: %s%s%s", job->validation_id,
		    job->attempt, validation_status_name(o->status),
		    code ? " " : "", code ? code : "");
	else
		log_info("validation %s: %s%s%s", job->validation_id,
		    validation_status_name(o->status), code ? " " : "",
		    code ? code : "");
}

/* writes the outcome (one transaction, under the lease) and tells */
static enum work_result
job_finish(struct job_run *r)
{
	int64_t	 etag;
	int	 finished;

	if (db_job_finish(r->app->db, r->job, r->app->owner, clock_now(),
	    &r->o, &finished, &etag) == -1)
		return WORK_FAILED;
	if (!finished)
		return WORK_PUT_BACK;
	work_etag_publish(r->app, r->job->account_id, r->job->validation_id,
	    etag, 1);
	job_log(r->job, &r->o);
	work_validation_completed(r->app, r->job, r->o.status);
	return WORK_FINISHED;
}

enum work_result
work_job_run(struct app *app, const struct job *job, int sync, double t0,
    const struct validation *known)
{
	struct job_run		 r;
	struct state_deadline	 backoff;
	enum work_result	 rc = WORK_FAILED;

	job_run_init(&r, app, job, sync, t0);
	if (job_load(&r, known) == -1)
		goto out;
	if (job_settled(&r) || job_exhausted(&r)) {
		rc = job_finish(&r);
		goto out;
	}
	/* the back-off is read from MariaDB before each query: a pause
	 * one process started holds for all at once */
	if (work_backoff_get(app, &backoff) == -1)
		goto out;
	r.until = backoff.until;
	if (r.until != 0 && !sync) {
		/* Banxico asked us to slow down: wait, don't spend the query */
		rc = job_release(&r, r.until);
		goto out;
	}
	if (job_start(&r) == -1)
		goto out;
	if (job_ask(&r) == 1) {
		/* our own cap, not Banxico's: try again shortly */
		rc = job_release(&r, clock_now() + 1);
		goto out;
	}
	job_processing_time(&r);
	rc = job_finish(&r);
out:
	job_run_free(&r);
	return rc;
}

int
work_jobs_lease_seconds(const struct config *cfg)
{
	/* the whole Banxico deadline, the rate wait and a margin */
	return cfg->banxico_timeout_ms / 1000 + (int)WORK_RATE_WAIT_MAX + 30;
}

/*
 * mxcep: running a validation job: ask Banxico, write the outcome. The
 * same code runs a synchronous POST /v1/validate, an async job right
 * after its 202 has been sent, and mxcep-runner's passes. Banxico sees
 * at most banxico_max_rps queries per second from the whole service,
 * and none while a back-off it asked for (throttling) is in force.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "banxico/banxico.h"
#include "cache/cache.h"
#include "store/store.h"

#define JOBS_RATE_WAIT_MAX	3.0	/* s a query may wait for its slot */

/* What each Banxico outcome means for the validation (spec 001). */
static const struct {
	enum validation_status	 status;
	const char		*error_code;	/* NULL for valid/not_found */
	const char		*message;
} outcome_map[BANXICO_OUTCOME__MAX] = {
	[BANXICO_FOUND] = { VALIDATION_STATUS_VALID, NULL, NULL },
	[BANXICO_NOT_FOUND] = { VALIDATION_STATUS_NOT_FOUND, NULL, NULL },
	[BANXICO_NO_CEP_YET] = { VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "cep_not_yet_available", "Banxico knows the payment but has no "
	    "CEP for it yet" },
	[BANXICO_THROTTLED] = { VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "banxico_throttled", "Banxico refused more queries for now" },
	[BANXICO_CAPTCHA] = { VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "banxico_throttled", "Banxico asked for a captcha (throttling)" },
	[BANXICO_HTTP_5XX] = { VALIDATION_STATUS_ERROR,
	    "banxico_http_error", "Banxico answered with a server error" },
	[BANXICO_UNRECOGNISED] = { VALIDATION_STATUS_ERROR,
	    "banxico_unrecognised_answer", "Banxico's answer was not "
	    "recognised; it is kept for review" },
	[BANXICO_UNREACHABLE] = { VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "banxico_unreachable", "Banxico could not be reached in time" },
	[BANXICO_CEP_INVALID] = { VALIDATION_STATUS_ERROR,
	    "cep_xml_invalid", "the CEP XML Banxico served is not valid" },
	[BANXICO_CEP_ALTERED] = { VALIDATION_STATUS_FAILED,
	    "cep_xml_altered", "the CEP XML disagrees with its signed "
	    "cadenaCDA" },
	[BANXICO_CEP_MISMATCH] = { VALIDATION_STATUS_FAILED,
	    "cep_mismatch", "the CEP does not match the transfer asked for" },
	[BANXICO_BAD_QUERY] = { VALIDATION_STATUS_INVALID,
	    "invalid_query", "the transfer data cannot be sent to Banxico" },
};

void
api_etag_publish_state(struct app *app, const char *account_id,
    const char *id, int64_t etag, int writer, int pending)
{
	char	 key[128], val[32];
	int	 n;

	snprintf(key, sizeof(key), "etag:%s:%s", account_id, id);
	if (etag < 0) {
		(void)cache_delete(app->cache, key);
		return;
	}
	/* "<version>" or "<version>p" while queued/processing, so a 304
	 * from memcached can still say when to poll again */
	n = snprintf(val, sizeof(val), "%lld%s", (long long)etag,
	    pending ? "p" : "");
	if (!writer) {
		/* a reader only fills a gap: a writer's newer version that
		 * landed meanwhile must win */
		(void)cache_add(app->cache, key, val, (size_t)n, 300);
		return;
	}
	if (cache_set(app->cache, key, val, (size_t)n, 300) == -1)
		(void)cache_delete(app->cache, key);
}

void
api_etag_publish(struct app *app, const char *account_id, const char *id,
    int64_t etag, int writer)
{
	api_etag_publish_state(app, account_id, id, etag, writer, 0);
}

/*
 * Waits for a slot under banxico_max_rps: a per-second counter in
 * memcached shared by every process, or, without memcached, this
 * process's share. Returns 0 with a slot, -1 when none came in time.
 */
static int
jobs_rate_slot(struct app *app)
{
	struct timespec	 ts;
	char		 key[64];
	double		 start = clock_monotonic(), now, gap;
	int64_t		 n;
	time_t		 sec;

	for (;;) {
		now = clock_monotonic();
		sec = time(NULL);
		snprintf(key, sizeof(key), "banxico:rps:%lld", (long long)sec);
		n = cache_incr(app->cache, key, 5);
		if (n == -1) {
			gap = (double)app->cfg->workers /
			    app->cfg->banxico_max_rps;
			if (now - app->banxico_last >= gap) {
				app->banxico_last = now;
				return 0;
			}
		} else if (n <= app->cfg->banxico_max_rps)
			return 0;
		if (now - start >= JOBS_RATE_WAIT_MAX)
			return -1;
		ts.tv_sec = 0;
		ts.tv_nsec = 50 * 1000 * 1000;
		nanosleep(&ts, NULL);
	}
}

static void
jobs_query_of(const struct validation *v, struct banxico_query *q)
{
	memset(q, 0, sizeof(*q));
	if (v->clave_rastreo != NULL && v->clave_rastreo[0] != '\0') {
		q->tipo_criterio = BANXICO_CRITERIO_RASTREO;
		q->criterio = v->clave_rastreo;
	} else {
		q->tipo_criterio = BANXICO_CRITERIO_REFERENCIA;
		q->criterio = v->referencia;
	}
	q->fecha = v->fecha;
	q->emisor = v->emisor;
	q->receptor = v->receptor;
	q->cuenta = v->cuenta;
	q->monto_cents = v->monto_cents;
	q->receptor_participante = 0;
}

/* banxico_result: {"outcome","http_status","detail","cep","payment"} */
static char *
jobs_result_json(const struct banxico_answer *a)
{
	json_t	*o;
	char	*s;

	o = json_pack("{s:s, s:I, s:s, s:o, s:o}",
	    "outcome", banxico_outcome_name(a->outcome),
	    "http_status", (json_int_t)a->http_status,
	    "detail", a->detail,
	    "cep", a->cep != NULL ? cep_json(a->cep) : json_null(),
	    "payment", a->status != NULL ? cep_status_json(a->status) :
	    json_null());
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* 1 when s is 1..max characters of class pred (the API's own rules
 * for a clave de rastreo and a referencia numérica) */
static int
jobs_id_ok(const char *s, size_t max, int (*pred)(int))
{
	size_t	 n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if (!pred((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * The identifier the client did not give, as Banxico told it: a
 * validation made by referencia gets its clave de rastreo from the CEP
 * (claveRastreo) or from the "pago identificado" table; one made by
 * clave gets its referencia from that table (the CEP XML carries none).
 * Only an answer that matched the query counts (FOUND, NO_CEP_YET).
 */
static void
jobs_learned_ids(const struct validation *v, const struct banxico_answer *a,
    struct validation_outcome *o)
{
	const char	*clave = NULL, *ref = NULL;

	if (a->outcome == BANXICO_FOUND && a->cep != NULL)
		clave = a->cep->clave_rastreo;
	else if (a->outcome == BANXICO_NO_CEP_YET && a->status != NULL) {
		clave = a->status->clave_rastreo;
		ref = a->status->referencia;
	}
	if (v->clave_rastreo == NULL && jobs_id_ok(clave, 30, isalnum))
		o->clave_rastreo = clave;
	if (v->referencia == NULL && jobs_id_ok(ref, 7, isdigit))
		o->referencia = ref;
}

int
api_backoff_get(struct app *app, struct state_deadline *out)
{
	struct state_deadline	 was;
	char			 at[32], since[32];
	time_t			 now = clock_now();
	int			 ended;

	if (db_state_get(app->db, STATE_BANXICO_BACKOFF, out) == -1)
		return -1;
	if (out->until == 0 || out->until > now)
		return 0;
	/* ran out: whoever ends it first says so, once */
	if (db_state_end(app->db, STATE_BANXICO_BACKOFF, now, 0, &was,
	    &ended) == 0 && ended)
		log_info("Banxico back-off ended: it ran out at %s (paused "
		    "since %s)", clock_rfc3339(was.until, at, sizeof(at)),
		    clock_rfc3339(was.since, since, sizeof(since)));
	memset(out, 0, sizeof(*out));
	return 0;
}

/* Reads the Banxico back-off deadline from MariaDB, the truth shared by
 * every process and host, before each query: a pause one process
 * started holds for all at once. */
static int
jobs_backoff_until(struct app *app, time_t *until)
{
	struct state_deadline	 d;

	if (api_backoff_get(app, &d) == -1)
		return -1;
	*until = d.until;
	return 0;
}

/* Banxico throttled us (outcome): pause every process's queries for
 * banxico_backoff_seconds; the first to start it logs it */
static void
jobs_backoff_start(struct app *app, enum banxico_outcome outcome,
    const struct validation *v, time_t *until)
{
	char	 reason[200], at[32];
	int	 started = 0;

	*until = clock_now() + app->cfg->banxico_backoff_seconds;
	if (outcome == BANXICO_CAPTCHA)
		snprintf(reason, sizeof(reason), "captcha: Banxico asked for "
		    "a captcha on the query of validation %s", v->id);
	else
		snprintf(reason, sizeof(reason), "throttled: Banxico answered "
		    "\"ha excedido el numero maximo de consultas\" to the "
		    "query of validation %s", v->id);
	if (db_state_start(app->db, STATE_BANXICO_BACKOFF, *until, reason,
	    clock_now(), &started) == -1) {
		log_warnx("%s: the Banxico back-off could not be recorded",
		    __func__);
		return;
	}
	clock_rfc3339(*until, at, sizeof(at));
	if (started)
		log_warnx("Banxico back-off started: queries paused until %s "
		    "(%d s): %s", at, app->cfg->banxico_backoff_seconds,
		    reason);
	else
		log_debug("Banxico back-off extended to %s: %s", at, reason);
}

static int
jobs_finish(struct app *app, const struct job *job,
    const struct validation_outcome *o)
{
	int64_t	 etag;
	int	 finished;

	if (db_job_finish(app->db, job, app->owner, clock_now(), o,
	    &finished, &etag) == -1)
		return -1;
	if (!finished)
		return 1;
	api_etag_publish(app, job->account_id, job->validation_id, etag, 1);
	if (job->kind == JOB_KIND_RETRY)
		log_info("validation %s retry %d: %s%s%s", job->validation_id,
		    job->attempt, validation_status_name(o->status),
		    o->error_code ? " " : "", o->error_code ? o->error_code :
		    "");
	else
		log_info("validation %s: %s%s%s", job->validation_id,
		    validation_status_name(o->status), o->error_code ? " " :
		    "", o->error_code ? o->error_code : "");
	api_validation_completed(app, job, o->status);
	return 0;
}

int
api_jobs_run(struct app *app, const struct job *job, int sync, double t0,
    const struct validation *known)
{
	struct validation		*v = NULL;
	struct validation_outcome	 o;
	struct banxico_query		 q;
	struct banxico_answer		 a;
	char				*result = NULL, state[64];
	time_t				 now = clock_now(), until = 0;
	double				 t_query;
	int64_t				 etag;
	int				 rc = -1;

	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	o.processing_time_ms = -1;
	o.started_at = now;
	o.duration_ms = -1;
	/* the synchronous path has just written the record: no need to
	 * read it back */
	if (known != NULL)
		v = validation_dup(known);
	else if (db_validation_get(app->db, job->account_id,
	    job->validation_id, &v) == -1)
		goto out;
	if (v == NULL) {
		log_warnx("%s: job %llu: validation %s is gone", __func__,
		    (unsigned long long)job->id, job->validation_id);
		goto out;
	}
	/* a retry asks Banxico again whatever the record says; the first
	 * query only while the record waits for it */
	if (job->kind == JOB_KIND_VALIDATE &&
	    v->status != VALIDATION_STATUS_QUEUED &&
	    v->status != VALIDATION_STATUS_PROCESSING) {
		/* finished already (a replayed lease): record it as it is */
		o.status = v->status;
		o.banxico_status = v->banxico_status;
		o.banxico_result = v->banxico_result;
		o.error_code = v->error_code;
		o.error_message = v->error_message;
		o.has_cep = v->has_cep;
		o.processing_time_ms = v->processing_time_ms;
		rc = jobs_finish(app, job, &o);
		goto out;
	}
	if (v->status == VALIDATION_STATUS_QUEUED && v->expires_at != 0 &&
	    now > v->expires_at) {
		o.status = VALIDATION_STATUS_FAILED;
		o.error_code = "expired";
		o.error_message = "the validation waited in the queue past "
		    "its expires_at";
		rc = jobs_finish(app, job, &o);
		goto out;
	}
	if (jobs_backoff_until(app, &until) == -1)
		goto out;
	if (until != 0 && !sync) {
		/* Banxico asked us to slow down: wait, don't spend the query */
		rc = db_job_release(app->db, job->id, app->owner, until) == -1 ?
		    -1 : 1;
		goto out;
	}
	if (v->status == VALIDATION_STATUS_QUEUED) {
		if (db_validation_start(app->db, v->id, now) == -1 ||
		    db_validation_etag(app->db, v->id, &etag) == -1)
			goto out;
		api_etag_publish_state(app, job->account_id, v->id, etag, 1,
		    1);
	}
	if (until != 0) {
		o.status = VALIDATION_STATUS_CEP_UNAVAILABLE;
		o.error_code = "banxico_backoff";
		o.error_message = "Banxico queries are paused after it "
		    "throttled us; retry later";
	} else if (jobs_rate_slot(app) == -1) {
		if (!sync) {
			/* our own cap, not Banxico's: try again shortly */
			rc = db_job_release(app->db, job->id, app->owner,
			    clock_now() + 1) == -1 ? -1 : 1;
			goto out;
		}
		o.status = VALIDATION_STATUS_CEP_UNAVAILABLE;
		o.error_code = "banxico_busy";
		o.error_message = "the service's cap on queries to Banxico "
		    "(banxico_max_rps) is reached; retry shortly";
	} else {
		jobs_query_of(v, &q);
		t_query = clock_monotonic();
		(void)banxico_query(app->banxico, &q, &a);
		t_query = clock_monotonic() - t_query;
		app->banxico_seconds += t_query;
		o.duration_ms = (int64_t)(t_query * 1000.0 + 0.5);
		o.status = outcome_map[a.outcome].status;
		o.error_code = outcome_map[a.outcome].error_code;
		o.error_message = outcome_map[a.outcome].message;
		if (a.outcome == BANXICO_NO_CEP_YET && a.status != NULL &&
		    a.status->estado_text != NULL) {
			snprintf(state, sizeof(state), "%s",
			    a.status->estado_text);
			o.banxico_status = state;
		} else
			o.banxico_status = banxico_outcome_name(a.outcome);
		o.banxico_result = result = jobs_result_json(&a);
		jobs_learned_ids(v, &a, &o);
		o.has_cep = a.outcome == BANXICO_FOUND && a.xml.data != NULL;
		if (o.has_cep) {
			o.xml = a.xml.data;
			o.xml_len = a.xml.len;
			o.pdf = a.pdf.data;
			o.pdf_len = a.pdf.len;
		}
		if (a.raw.data != NULL) {
			o.raw = a.raw.data;
			o.raw_len = a.raw.len;
		}
		if (a.outcome == BANXICO_THROTTLED ||
		    a.outcome == BANXICO_CAPTCHA)
			jobs_backoff_start(app, a.outcome, v, &until);
	}
	/* from enqueue to now: the request's own clock when it waits for
	 * the answer, else the enqueue instant stored with the record (to
	 * the second only for records older than enqueued_at_ms) */
	if (sync && t0 > 0)
		o.processing_time_ms = (int64_t)((clock_monotonic() - t0) *
		    1000.0 + 0.5);
	else if (v->enqueued_at_ms >= 0)
		o.processing_time_ms = clock_now_ms() - v->enqueued_at_ms;
	else if (v->enqueued_at != 0)
		o.processing_time_ms = clock_now_ms() -
		    (int64_t)v->enqueued_at * 1000;
	if (o.processing_time_ms < 0)
		o.processing_time_ms = 0;
	rc = jobs_finish(app, job, &o);
out:
	banxico_answer_free(&a);
	free(result);
	validation_free(v);
	return rc;
}

void
api_jobs_run_deferred(struct app *app)
{
	struct job	 job;
	uint64_t	 id = app->deferred_job;
	time_t		 now = clock_now();
	int		 claimed = 0;

	app->deferred_job = 0;
	memset(&job, 0, sizeof(job));
	job.id = id;
	snprintf(job.validation_id, sizeof(job.validation_id), "%s",
	    app->deferred_validation);
	snprintf(job.account_id, sizeof(job.account_id), "%s",
	    app->deferred_account);
	if (db_job_claim(app->db, id, app->owner, now,
	    now + api_jobs_lease_seconds(app->cfg), &claimed) == -1 ||
	    !claimed)
		return;		/* the runner has it, or will */
	(void)api_jobs_run(app, &job, 0, 0, NULL);
}

int
api_jobs_lease_seconds(const struct config *cfg)
{
	/* the whole Banxico deadline, the rate wait and a margin */
	return cfg->banxico_timeout_ms / 1000 + (int)JOBS_RATE_WAIT_MAX + 30;
}

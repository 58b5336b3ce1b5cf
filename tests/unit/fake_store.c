/*
 * mxcep: a fake store (see fakes.h). It defines every function of
 * src/store that the api, work and app layers reach, grouped by the
 * store file it stands in for. The record helpers (validation_new,
 * _free, _dup and the name tables) are copies of store/validations.c's:
 * they share that file with SQL, so linking the real one would bring
 * its db_ functions too (duplicate symbols). When they get a file of
 * their own, link it instead and drop the copies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"
#include "fakes.h"

struct fake_store fake_store;

#define NOT_EXPECTED()	fail_msg("%s: not expected in this test", __func__)

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
finish_strings_free(void)
{
	free(fake_store.finish_error_code);
	free(fake_store.finish_error_message);
	free(fake_store.finish_banxico_status);
	free(fake_store.finish_banxico_result);
	free(fake_store.finish_clave_rastreo);
	free(fake_store.finish_referencia);
}

void
fake_free(void)
{
	validation_free(fake_store.record);
	finish_strings_free();
	idem_record_free(&fake_store.idem_record);
	bank_catalog_free(fake_store.banks);
	cep_status_free(fake_banxico.status);
	memset(&fake_store, 0, sizeof(fake_store));
	memset(&fake_banxico, 0, sizeof(fake_banxico));
	memset(&fake_cache, 0, sizeof(fake_cache));
}

void
fake_reset(void)
{
	memset(&fake_store, 0, sizeof(fake_store));
	fake_store.finish_finished = 1;
	fake_store.enqueue_job_id = 77;
	fake_store.claim_claimed = 1;
	memset(&fake_banxico, 0, sizeof(fake_banxico));
	fake_banxico.outcome = BANXICO_NOT_FOUND;
	fake_banxico.http_status = 200;
	memset(&fake_cache, 0, sizeof(fake_cache));
	fake_cache.incr_value = 1;
}

/* ---- db.c ------------------------------------------------------------ */

struct db *
db_new(const struct config *cfg)
{
	(void)cfg;
	NOT_EXPECTED();
	return NULL;
}

void
db_free(struct db *db)
{
	(void)db;
	NOT_EXPECTED();
}

int
db_connect(struct db *db)
{
	(void)db;
	NOT_EXPECTED();
	return -1;
}

int
db_unavailable(const struct db *db)
{
	(void)db;
	return fake_store.unavailable;
}

/* ---- validations.c: one record (the value helpers are the real ones,
 * store/validation_value.c, linked by the tests) ---------------------- */

int
db_validation_get(struct db *db, const char *account_id, const char *id,
    struct validation **out)
{
	const struct validation	*v = fake_store.record;

	(void)db;
	fake_store.get_calls++;
	if (fake_store.get_rc == -1)
		return -1;
	*out = v != NULL && strcmp(v->account_id, account_id) == 0 &&
	    strcmp(v->id, id) == 0 ? validation_dup(v) : NULL;
	return 0;
}

/* ---- jobs.c: the queue and the service state -------------------------- */

int
db_validation_enqueue(struct db *db, const struct validation *v, time_t now,
    const char *lease_owner, time_t lease_until,
    const struct idem_claim *idem, uint64_t *job_id)
{
	(void)db;
	(void)now;
	fake_store.enqueue_calls++;
	snprintf(fake_store.enqueue_idem_key,
	    sizeof(fake_store.enqueue_idem_key), "%s",
	    idem != NULL ? idem->key : "");
	if (fake_store.enqueue_rc != 0)
		return fake_store.enqueue_rc;
	validation_free(fake_store.record);
	fake_store.record = validation_dup(v);
	snprintf(fake_store.enqueue_owner, sizeof(fake_store.enqueue_owner),
	    "%s", lease_owner != NULL ? lease_owner : "");
	fake_store.enqueue_lease_until = lease_until;
	*job_id = fake_store.enqueue_job_id;
	return 0;
}

int
db_job_claim(struct db *db, uint64_t job_id, const char *owner, time_t now,
    time_t lease_until, int *claimed)
{
	(void)db;
	(void)owner;
	(void)now;
	(void)lease_until;
	fake_store.claim_calls++;
	fake_store.claim_job_id = job_id;
	*claimed = fake_store.claim_claimed;
	return 0;
}

int
db_job_release(struct db *db, uint64_t job_id, const char *owner,
    time_t run_after)
{
	(void)db;
	(void)owner;
	fake_store.release_calls++;
	fake_store.release_job_id = job_id;
	fake_store.release_when = run_after;
	return 0;
}

int
db_validation_start(struct db *db, const char *id, time_t now)
{
	(void)db;
	(void)id;
	fake_store.start_calls++;
	if (fake_store.record != NULL) {
		fake_store.record->status = VALIDATION_STATUS_PROCESSING;
		fake_store.record->processing_started_at = now;
		fake_store.record->etag_version++;
	}
	return 0;
}

int
db_validation_etag(struct db *db, const char *id, int64_t *etag)
{
	(void)db;
	(void)id;
	*etag = fake_store.record != NULL ? fake_store.record->etag_version :
	    -1;
	return 0;
}

/* keeps a copy of the outcome, and writes it into the record */
int
db_job_finish(struct db *db, const struct job *job, const char *owner,
    time_t now, const struct validation_outcome *o, int *finished,
    int64_t *etag)
{
	struct validation	*v = fake_store.record;

	(void)db;
	(void)owner;
	fake_store.finish_calls++;
	if (fake_store.finish_rc == -1)
		return -1;
	fake_store.finish_job = *job;
	finish_strings_free();
	fake_store.finish = *o;
	fake_store.finish.error_code = fake_store.finish_error_code =
	    dup_or_null(o->error_code);
	fake_store.finish.error_message = fake_store.finish_error_message =
	    dup_or_null(o->error_message);
	fake_store.finish.banxico_status = fake_store.finish_banxico_status =
	    dup_or_null(o->banxico_status);
	fake_store.finish.banxico_result = fake_store.finish_banxico_result =
	    dup_or_null(o->banxico_result);
	fake_store.finish.clave_rastreo = fake_store.finish_clave_rastreo =
	    dup_or_null(o->clave_rastreo);
	fake_store.finish.referencia = fake_store.finish_referencia =
	    dup_or_null(o->referencia);
	fake_store.finish.xml = fake_store.finish.pdf = NULL;
	fake_store.finish.raw = NULL;
	*finished = fake_store.finish_finished;
	*etag = -1;
	if (!*finished || v == NULL)
		return 0;
	v->status = o->status;
	free(v->error_code);
	v->error_code = dup_or_null(o->error_code);
	free(v->error_message);
	v->error_message = dup_or_null(o->error_message);
	free(v->banxico_status);
	v->banxico_status = dup_or_null(o->banxico_status);
	free(v->banxico_result);
	v->banxico_result = dup_or_null(o->banxico_result);
	v->has_cep = o->has_cep;
	v->processing_time_ms = o->processing_time_ms;
	v->completed_at = now;
	if (v->clave_rastreo == NULL && o->clave_rastreo != NULL)
		v->clave_rastreo = xstrdup(o->clave_rastreo);
	if (v->referencia == NULL && o->referencia != NULL)
		v->referencia = xstrdup(o->referencia);
	*etag = ++v->etag_version;
	return 0;
}

int
db_state_get(struct db *db, const char *name, struct state_deadline *out)
{
	(void)db;
	assert_string_equal(name, STATE_BANXICO_BACKOFF);
	fake_store.state_get_calls++;
	if (fake_store.state_get_rc == -1)
		return -1;
	*out = fake_store.state;
	return 0;
}

int
db_state_start(struct db *db, const char *name, time_t until,
    const char *reason, time_t now, int *started)
{
	(void)db;
	assert_string_equal(name, STATE_BANXICO_BACKOFF);
	fake_store.state_start_calls++;
	fake_store.state_start_until = until;
	*started = fake_store.state.until == 0;
	if (fake_store.state.until < until) {
		if (fake_store.state.until == 0)
			fake_store.state.since = now;
		fake_store.state.until = until;
		snprintf(fake_store.state.reason,
		    sizeof(fake_store.state.reason), "%s", reason);
	}
	return 0;
}

int
db_state_end(struct db *db, const char *name, time_t now, int force,
    struct state_deadline *was, int *ended)
{
	(void)db;
	(void)now;
	(void)force;
	assert_string_equal(name, STATE_BANXICO_BACKOFF);
	fake_store.state_end_calls++;
	*was = fake_store.state;
	*ended = fake_store.state.until != 0;
	memset(&fake_store.state, 0, sizeof(fake_store.state));
	return 0;
}

/* ---- idempotency.c -------------------------------------------------- */

int
db_idem_begin(struct db *db, const char *account_id, const char *endpoint,
    const char *key, const char *request_hash, time_t now, int stale_seconds,
    int ttl_seconds, enum idem_state *state, struct idem_record *rec)
{
	const struct idem_record	*r = &fake_store.idem_record;

	(void)db;
	(void)account_id;
	(void)now;
	(void)stale_seconds;
	(void)ttl_seconds;
	fake_store.idem_begin_calls++;
	snprintf(fake_store.idem_key, sizeof(fake_store.idem_key), "%s", key);
	snprintf(fake_store.idem_endpoint, sizeof(fake_store.idem_endpoint),
	    "%s", endpoint);
	snprintf(fake_store.idem_hash, sizeof(fake_store.idem_hash), "%s",
	    request_hash);
	if (fake_store.idem_begin_rc == -1)
		return -1;
	*state = fake_store.idem_state;
	memset(rec, 0, sizeof(*rec));
	if (*state == IDEM_REPLAY) {
		rec->status = r->status;
		rec->headers = dup_or_null(r->headers);
		rec->body = r->body != NULL ? xstrndup(r->body, r->body_len) :
		    NULL;
		rec->body_len = r->body_len;
	}
	if (*state == IDEM_RESOURCE)
		memcpy(rec->resource_id, r->resource_id,
		    sizeof(rec->resource_id));
	return 0;
}

int
db_idem_complete(struct db *db, const struct idem_claim *claim, int status,
    const char *headers, const char *body, size_t body_len)
{
	(void)db;
	(void)claim;
	(void)headers;
	(void)body;
	(void)body_len;
	fake_store.idem_complete_calls++;
	fake_store.idem_complete_status = status;
	return 0;
}

int
db_idem_forget(struct db *db, const struct idem_claim *claim)
{
	(void)db;
	(void)claim;
	fake_store.idem_forget_calls++;
	return 0;
}

void
idem_record_free(struct idem_record *rec)
{
	free(rec->headers);
	free(rec->body);
	memset(rec, 0, sizeof(*rec));
}

/* ---- retries.c ---------------------------------------------------------- */

int
db_account_retry_settings(struct db *db, const char *account_id,
    int *plan_cap, struct retry_policy *def, int *found)
{
	(void)db;
	(void)account_id;
	*plan_cap = fake_store.retry_plan_cap;
	*def = fake_store.retry_default;
	*found = fake_store.retry_found;
	return 0;
}

int
db_account_retry_policy_put(struct db *db, const char *account_id,
    const struct retry_policy *p, time_t now)
{
	(void)db;
	(void)account_id;
	(void)p;
	(void)now;
	NOT_EXPECTED();
	return -1;
}

int
db_validation_retry_policy(struct db *db, const char *account_id,
    const char *id, const struct retry_policy *p, time_t now,
    struct retry_change *out)
{
	(void)db;
	(void)account_id;
	(void)id;
	(void)p;
	(void)now;
	(void)out;
	NOT_EXPECTED();
	return -1;
}

int
db_validation_retry_cancel(struct db *db, const char *account_id,
    const char *id, time_t now, struct retry_change *out)
{
	(void)db;
	(void)account_id;
	(void)id;
	(void)now;
	(void)out;
	NOT_EXPECTED();
	return -1;
}

int
db_retry_attempts(struct db *db, const char *account_id, const char *id,
    struct retry_attempt **out, size_t *n)
{
	(void)db;
	(void)account_id;
	(void)id;
	(void)out;
	(void)n;
	NOT_EXPECTED();
	return -1;
}

void
retry_attempt_list_free(struct retry_attempt *a, size_t n)
{
	(void)a;
	(void)n;
	NOT_EXPECTED();
}

/* ---- banks.c: the per-process catalog ------------------------------------ */

struct bank_cache *
bank_cache_new(int refresh_seconds)
{
	(void)refresh_seconds;
	NOT_EXPECTED();
	return NULL;
}

void
bank_cache_free(struct bank_cache *c)
{
	(void)c;
	NOT_EXPECTED();
}

int
bank_cache_catalog(struct bank_cache *c, struct db *db,
    const struct bank_catalog **out)
{
	(void)c;
	(void)db;
	if (fake_store.banks == NULL)
		return -1;
	*out = fake_store.banks;
	return 0;
}

void
fake_config(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->workers = 2;
	cfg->banxico_timeout_ms = 10000;
	cfg->banxico_max_rps = 5;
	cfg->banxico_backoff_seconds = 120;
	cfg->queue_expiry_seconds = 3600;
	cfg->job_max_attempts = 5;
}

/*
 * mxcep: unit tests for the work layer's job runner (src/work/jobs.c)
 * and its outcome mapping (src/work/outcome.c), linked with a fake
 * store, a fake Banxico client and a fake memcached (fakes.h) instead
 * of MariaDB, the portal and memcached.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "work/work.h"
#include "fakes.h"

#define ACCOUNT		"11111111-1111-4111-8111-111111111111"
#define VID		"22222222-2222-4222-8222-222222222222"
#define CLAVE		"MBAN01002411080000001"

static struct config	 cfg;
static struct app	 app;

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	fake_config(&cfg);
	/* the per-process context by hand: the fakes need no handles */
	memset(&app, 0, sizeof(app));
	app.cfg = &cfg;
	snprintf(app.owner, sizeof(app.owner), "test:1");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fake_free();
	return 0;
}

/* the store's record: queued, by clave de rastreo unless ref is set */
static void
record_put(enum validation_status status, const char *clave,
    const char *ref)
{
	struct validation	*v = validation_new();

	snprintf(v->id, sizeof(v->id), "%s", VID);
	snprintf(v->account_id, sizeof(v->account_id), "%s", ACCOUNT);
	v->status = status;
	snprintf(v->fecha, sizeof(v->fecha), "2024-11-08");
	v->clave_rastreo = clave != NULL ? xstrdup(clave) : NULL;
	v->referencia = ref != NULL ? xstrdup(ref) : NULL;
	v->emisor = xstrdup("40012");
	v->receptor = xstrdup("90646");
	v->cuenta = xstrdup("646180157000000004");
	v->monto_cents = 123456;
	v->request_data = xstrdup("{}");
	v->created_at = v->enqueued_at = clock_now();
	v->enqueued_at_ms = clock_now_ms();
	v->expires_at = clock_now() + 3600;
	validation_free(fake_store.record);
	fake_store.record = v;
}

static struct job
job_of(enum job_kind kind, int attempt)
{
	struct job	 job;

	memset(&job, 0, sizeof(job));
	job.id = 42;
	snprintf(job.validation_id, sizeof(job.validation_id), "%s", VID);
	snprintf(job.account_id, sizeof(job.account_id), "%s", ACCOUNT);
	job.tries = 1;
	job.kind = kind;
	job.attempt = attempt;
	return job;
}

static enum work_result
run_async(void)
{
	struct job	 job = job_of(JOB_KIND_VALIDATE, 0);

	return work_job_run(&app, &job, 0, 0, NULL);
}

/* what spec 001 makes of each Banxico outcome */
static const struct {
	enum banxico_outcome	 outcome;
	enum validation_status	 status;
	const char		*error_code;	/* NULL = null */
	const char		*banxico_status;
} expected[] = {
	{ BANXICO_FOUND, VALIDATION_STATUS_VALID, NULL, "found" },
	{ BANXICO_NOT_FOUND, VALIDATION_STATUS_NOT_FOUND, NULL, "not_found" },
	{ BANXICO_NO_CEP_YET, VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "cep_not_yet_available", "no_cep_yet" },
	{ BANXICO_THROTTLED, VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "banxico_throttled", "throttled" },
	{ BANXICO_CAPTCHA, VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "banxico_throttled", "captcha" },
	{ BANXICO_HTTP_5XX, VALIDATION_STATUS_ERROR, "banxico_http_error",
	    "http_5xx" },
	{ BANXICO_UNRECOGNISED, VALIDATION_STATUS_ERROR,
	    "banxico_unrecognised_answer", "unrecognised" },
	{ BANXICO_UNREACHABLE, VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "banxico_unreachable", "unreachable" },
	{ BANXICO_CEP_INVALID, VALIDATION_STATUS_ERROR, "cep_xml_invalid",
	    "cep_invalid" },
	{ BANXICO_CEP_ALTERED, VALIDATION_STATUS_FAILED, "cep_xml_altered",
	    "cep_altered" },
	{ BANXICO_CEP_MISMATCH, VALIDATION_STATUS_FAILED, "cep_mismatch",
	    "cep_mismatch" },
	{ BANXICO_BAD_QUERY, VALIDATION_STATUS_INVALID, "invalid_query",
	    "bad_query" },
};
#define NEXPECTED	(sizeof(expected) / sizeof(expected[0]))

static void
assert_code(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void
test_work_outcome__every_banxico_outcome__spec_status_and_code(void **state)
{
	struct validation		*v;
	struct validation_outcome	 o;
	struct banxico_answer		 a;
	char				 st[64], *result;
	json_t				*doc;
	size_t				 i;

	(void)state;
	assert_int_equal(NEXPECTED, BANXICO_OUTCOME__MAX);
	record_put(VALIDATION_STATUS_PROCESSING, CLAVE, NULL);
	v = fake_store.record;
	for (i = 0; i < NEXPECTED; i++) {
		memset(&a, 0, sizeof(a));
		memset(&o, 0, sizeof(o));
		a.outcome = expected[i].outcome;
		a.http_status = 200;
		work_outcome_of_answer(v, &a, &o, st, sizeof(st), &result);
		assert_int_equal(o.status, expected[i].status);
		assert_code(o.error_code, expected[i].error_code);
		assert_string_equal(o.banxico_status,
		    expected[i].banxico_status);
		assert_true(expected[i].error_code == NULL ||
		    o.error_message != NULL);
		/* no XML: no CEP, even when found */
		assert_int_equal(o.has_cep, 0);
		assert_null(o.clave_rastreo);
		doc = json_loads(result, 0, NULL);
		assert_non_null(doc);
		assert_string_equal(json_string_value(json_object_get(doc,
		    "outcome")), expected[i].banxico_status);
		json_decref(doc);
		free(result);
	}
}

static void
test_work_outcome__found_with_xml__has_cep_and_learns_clave(void **state)
{
	struct validation_outcome	 o;
	struct banxico_answer		 a;
	char				 st[64], *result;

	(void)state;
	record_put(VALIDATION_STATUS_PROCESSING, NULL, "1234567");
	memset(&a, 0, sizeof(a));
	memset(&o, 0, sizeof(o));
	a.outcome = BANXICO_FOUND;
	buf_puts(&a.xml, "<SPEI_Tercero/>");
	a.cep = xcalloc(1, sizeof(*a.cep));
	a.cep->clave_rastreo = xstrdup(CLAVE);
	work_outcome_of_answer(fake_store.record, &a, &o, st, sizeof(st),
	    &result);
	assert_int_equal(o.status, VALIDATION_STATUS_VALID);
	assert_int_equal(o.has_cep, 1);
	assert_ptr_equal(o.xml, a.xml.data);
	assert_string_equal(o.clave_rastreo, CLAVE);
	assert_null(o.referencia);	/* the client gave it */
	free(result);
	cep_free(a.cep);
	buf_free(&a.xml);
}

static void
test_work_outcome__no_cep_yet__state_text_and_ids_learned(void **state)
{
	struct validation_outcome	 o;
	struct banxico_answer		 a;
	char				 st[64], *result;

	(void)state;
	record_put(VALIDATION_STATUS_PROCESSING, CLAVE, NULL);
	memset(&a, 0, sizeof(a));
	memset(&o, 0, sizeof(o));
	a.outcome = BANXICO_NO_CEP_YET;
	a.status = fake_cep_status("Liquidado", "OTRACLAVE", "7654321");
	work_outcome_of_answer(fake_store.record, &a, &o, st, sizeof(st),
	    &result);
	assert_string_equal(o.banxico_status, "Liquidado");
	assert_null(o.clave_rastreo);	/* the client gave one */
	assert_string_equal(o.referencia, "7654321");
	free(result);
	/* a referencia that breaks the API's rule is not learned */
	cep_status_free(a.status);
	a.status = fake_cep_status("Liquidado", NULL, "12345678");
	memset(&o, 0, sizeof(o));
	work_outcome_of_answer(fake_store.record, &a, &o, st, sizeof(st),
	    &result);
	assert_null(o.referencia);
	free(result);
	/* made by referencia: the clave is learned, never the referencia */
	record_put(VALIDATION_STATUS_PROCESSING, NULL, "1111111");
	cep_status_free(a.status);
	a.status = fake_cep_status("Liquidado", "OTRACLAVE", "7654321");
	memset(&o, 0, sizeof(o));
	work_outcome_of_answer(fake_store.record, &a, &o, st, sizeof(st),
	    &result);
	assert_string_equal(o.clave_rastreo, "OTRACLAVE");
	assert_null(o.referencia);
	free(result);
	cep_status_free(a.status);
}

/* one async run per Banxico outcome: what reaches db_job_finish */
static void
test_work_job_run__every_outcome__finish_gets_the_mapping(void **state)
{
	size_t	 i;

	for (i = 0; i < NEXPECTED; i++) {
		setup(state);
		record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
		fake_banxico.outcome = expected[i].outcome;
		assert_int_equal(run_async(), WORK_FINISHED);
		/* queued -> processing before the query */
		assert_int_equal(fake_store.start_calls, 1);
		assert_int_equal(fake_banxico.calls, 1);
		assert_int_equal(fake_banxico.query.tipo_criterio,
		    BANXICO_CRITERIO_RASTREO);
		assert_string_equal(fake_banxico.criterio, CLAVE);
		assert_int_equal(fake_store.finish_calls, 1);
		assert_int_equal(fake_store.finish_job.id, 42);
		assert_int_equal(fake_store.finish.status,
		    expected[i].status);
		assert_code(fake_store.finish.error_code,
		    expected[i].error_code);
		assert_string_equal(fake_store.finish.banxico_status,
		    expected[i].banxico_status);
		assert_int_equal(fake_store.finish.has_cep, 0);
		assert_true(fake_store.finish.processing_time_ms >= 0);
		assert_true(fake_store.finish.duration_ms >= 0);
		/* the new version told to pollers, not pending */
		assert_string_equal(fake_cache.last_key,
		    "etag:" ACCOUNT ":" VID);
		assert_string_equal(fake_cache.last_value, "3");
		teardown(state);
	}
	setup(state);
}

static void
test_work_job_run__found_by_referencia__cep_kept_clave_learned(void **state)
{
	(void)state;
	record_put(VALIDATION_STATUS_QUEUED, NULL, "1234567");
	fake_banxico.outcome = BANXICO_FOUND;
	fake_banxico.xml = "<SPEI_Tercero/>";
	fake_banxico.cep_clave = CLAVE;
	assert_int_equal(run_async(), WORK_FINISHED);
	assert_int_equal(fake_banxico.query.tipo_criterio,
	    BANXICO_CRITERIO_REFERENCIA);
	assert_string_equal(fake_banxico.criterio, "1234567");
	assert_int_equal(fake_store.finish.status, VALIDATION_STATUS_VALID);
	assert_int_equal(fake_store.finish.has_cep, 1);
	assert_string_equal(fake_store.finish.clave_rastreo, CLAVE);
	assert_null(fake_store.finish.referencia);
}

static void
test_work_job_run__no_cep_yet__estado_and_referencia_learned(void **state)
{
	(void)state;
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_banxico.outcome = BANXICO_NO_CEP_YET;
	fake_banxico.status = fake_cep_status("En proceso", CLAVE, "7654321");
	assert_int_equal(run_async(), WORK_FINISHED);
	assert_int_equal(fake_store.finish.status,
	    VALIDATION_STATUS_CEP_UNAVAILABLE);
	assert_string_equal(fake_store.finish.banxico_status, "En proceso");
	assert_string_equal(fake_store.finish.referencia, "7654321");
	assert_null(fake_store.finish.clave_rastreo);
}

static void
test_work_job_run__backoff_in_force_async__released_not_queried(void **state)
{
	time_t	 until = clock_now() + 100;

	(void)state;
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_store.state.until = until;
	assert_int_equal(run_async(), WORK_PUT_BACK);
	assert_int_equal(fake_store.release_calls, 1);
	assert_int_equal(fake_store.release_job_id, 42);
	assert_int_equal(fake_store.release_when, until);
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.start_calls, 0);
	assert_int_equal(fake_store.finish_calls, 0);
	assert_int_equal(fake_cache.incr_calls, 0);
}

static void
test_work_job_run__backoff_in_force_sync__answered_without_query(
    void **state)
{
	struct job	 job = job_of(JOB_KIND_VALIDATE, 0);

	(void)state;
	record_put(VALIDATION_STATUS_PROCESSING, CLAVE, NULL);
	fake_store.state.until = clock_now() + 100;
	assert_int_equal(work_job_run(&app, &job, 1, clock_monotonic(),
	    fake_store.record), WORK_FINISHED);
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.release_calls, 0);
	/* the caller's copy: not read back */
	assert_int_equal(fake_store.get_calls, 0);
	assert_int_equal(fake_store.finish.status,
	    VALIDATION_STATUS_CEP_UNAVAILABLE);
	assert_string_equal(fake_store.finish.error_code, "banxico_backoff");
}

static void
test_work_job_run__backoff_ran_out__ended_then_queried(void **state)
{
	(void)state;
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_store.state.until = clock_now() - 10;
	fake_store.state.since = clock_now() - 130;
	assert_int_equal(run_async(), WORK_FINISHED);
	assert_int_equal(fake_store.state_end_calls, 1);
	assert_int_equal(fake_store.release_calls, 0);
	assert_int_equal(fake_banxico.calls, 1);
}

static void
test_work_job_run__throttled_or_captcha__backoff_started(void **state)
{
	static const enum banxico_outcome why[] = { BANXICO_THROTTLED,
	    BANXICO_CAPTCHA };
	time_t	 before;
	size_t	 i;

	for (i = 0; i < 2; i++) {
		setup(state);
		record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
		fake_banxico.outcome = why[i];
		before = clock_now();
		assert_int_equal(run_async(), WORK_FINISHED);
		assert_int_equal(fake_store.state_start_calls, 1);
		assert_true(fake_store.state_start_until >= before + 120);
		assert_true(fake_store.state_start_until <= clock_now() + 120);
		assert_non_null(strstr(fake_store.state.reason, VID));
		assert_string_equal(fake_store.finish.error_code,
		    "banxico_throttled");
		teardown(state);
	}
	setup(state);
	/* any other answer starts none */
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_banxico.outcome = BANXICO_UNREACHABLE;
	assert_int_equal(run_async(), WORK_FINISHED);
	assert_int_equal(fake_store.state_start_calls, 0);
}

static void
test_work_job_run__rate_cap_reached_async__released_shortly(void **state)
{
	time_t	 before = clock_now();

	(void)state;
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	/* memcached's counter for this second is over banxico_max_rps */
	fake_cache.incr_value = cfg.banxico_max_rps + 1;
	assert_int_equal(run_async(), WORK_PUT_BACK);
	assert_true(fake_cache.incr_calls > 1);	/* it waited for a slot */
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.finish_calls, 0);
	assert_int_equal(fake_store.release_calls, 1);
	assert_true(fake_store.release_when >= before + 1);
	assert_true(fake_store.release_when <= clock_now() + 1);
}

/* the after hook (after.c): a worker never waits for a rate slot */
static double
run_after(void)
{
	struct work_deferred	*d = work_deferred_job(42, VID, ACCOUNT);
	double			 t0 = clock_monotonic();

	work_after_response(&app, d);
	free(d);
	return clock_monotonic() - t0;
}

static void
test_work_after_response__rate_cap_reached__left_to_runner_at_once(
    void **state)
{
	(void)state;
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_store.claim_claimed = 1;
	/* memcached's counter for this second is over banxico_max_rps:
	 * before, the worker claimed the job and waited 3 s for a slot */
	fake_cache.incr_value = cfg.banxico_max_rps + 1;
	assert_true(run_after() < 0.5);
	assert_int_equal(fake_cache.incr_calls, 1);	/* one try */
	assert_int_equal(fake_store.claim_calls, 0);	/* the runner's */
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.release_calls, 0);
	assert_int_equal(fake_store.record->status, VALIDATION_STATUS_QUEUED);
	assert_int_equal(app.banxico_token, 0);
}

static void
test_work_after_response__rate_slot_free__run_and_counted_once(
    void **state)
{
	(void)state;
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_store.claim_claimed = 1;
	fake_banxico.outcome = BANXICO_NOT_FOUND;
	fake_cache.incr_value = 1;
	(void)run_after();
	assert_int_equal(fake_store.claim_calls, 1);
	assert_int_equal(fake_banxico.calls, 1);
	assert_int_equal(fake_store.finish_calls, 1);
	/* the slot taken before the claim is the query's: not a second */
	assert_int_equal(fake_cache.incr_calls, 1);
	assert_int_equal(app.banxico_token, 0);
}

static void
test_work_after_response__last_banxico_slot__kept_for_sync(void **state)
{
	char	 dir[] = "/tmp/mxcep-test-slots.XXXXXX", path[64];
	int	 held[2], fd, i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cfg.lock_dir = dir;
	cfg.workers = 4;	/* banxico_max_concurrent 0: 3 slots */
	assert_int_equal(work_banxico_max(&cfg), 3);
	assert_int_equal(work_banxico_job_max(&cfg), 2);
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_store.claim_claimed = 1;
	fake_cache.incr_value = 1;
	/* two Banxico queries run in workers: one slot is left */
	for (i = 0; i < 2; i++)
		assert_true((held[i] = slot_take(dir, "banxico", 2)) >= 0);
	(void)run_after();
	/* before, the after-response job took it */
	assert_int_equal(fake_store.claim_calls, 0);
	assert_int_equal(fake_banxico.calls, 0);
	/* a synchronous validation still gets it */
	fd = work_banxico_slot(&app);
	assert_true(fd >= 0);
	work_banxico_release(&app, fd);
	for (i = 0; i < 2; i++)
		slot_release(held[i]);
	cfg.lock_dir = NULL;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/banxico.%d", dir, i);
		(void)unlink(path);
		snprintf(path, sizeof(path), "%s/held.%d", dir, i);
		(void)unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void
test_work_job_run__rate_cap_without_memcached_sync__banxico_busy(
    void **state)
{
	struct job	 job = job_of(JOB_KIND_VALIDATE, 0);

	(void)state;
	record_put(VALIDATION_STATUS_PROCESSING, CLAVE, NULL);
	/* memcached down: this process's share, spent just now */
	fake_cache.incr_value = -1;
	cfg.workers = 100;
	cfg.banxico_max_rps = 1;
	app.banxico_last = clock_monotonic();
	assert_int_equal(work_job_run(&app, &job, 1, clock_monotonic(),
	    fake_store.record), WORK_FINISHED);
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.release_calls, 0);
	assert_int_equal(fake_store.finish.status,
	    VALIDATION_STATUS_CEP_UNAVAILABLE);
	assert_string_equal(fake_store.finish.error_code, "banxico_busy");
}

static void
test_work_job_run__expired_in_queue__failed_without_banxico(void **state)
{
	(void)state;
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_store.record->expires_at = clock_now() - 1;
	assert_int_equal(run_async(), WORK_FINISHED);
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.state_get_calls, 0);
	assert_int_equal(fake_store.finish.status, VALIDATION_STATUS_FAILED);
	assert_string_equal(fake_store.finish.error_code, "expired");
}

static void
test_work_job_run__finished_record__written_again_as_it_is(void **state)
{
	(void)state;
	record_put(VALIDATION_STATUS_NOT_FOUND, CLAVE, NULL);
	fake_store.record->banxico_status = xstrdup("not_found");
	assert_int_equal(run_async(), WORK_FINISHED);
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.finish.status,
	    VALIDATION_STATUS_NOT_FOUND);
	assert_string_equal(fake_store.finish.banxico_status, "not_found");
}

static void
test_work_job_run__retry_of_finished_record__asks_again(void **state)
{
	struct job	 job = job_of(JOB_KIND_RETRY, 2);

	(void)state;
	record_put(VALIDATION_STATUS_NOT_FOUND, CLAVE, NULL);
	fake_banxico.outcome = BANXICO_FOUND;
	assert_int_equal(work_job_run(&app, &job, 0, 0, NULL), WORK_FINISHED);
	assert_int_equal(fake_banxico.calls, 1);
	assert_int_equal(fake_store.start_calls, 0);	/* not queued */
	assert_int_equal(fake_store.finish_job.kind, JOB_KIND_RETRY);
	assert_int_equal(fake_store.finish_job.attempt, 2);
	assert_int_equal(fake_store.finish.status, VALIDATION_STATUS_VALID);
}

static void
test_work_job_run__lease_lost_or_store_down__put_back_or_failed(
    void **state)
{
	(void)state;
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_store.finish_finished = 0;
	fake_cache.set_calls = 0;
	assert_int_equal(run_async(), WORK_PUT_BACK);
	assert_int_equal(fake_store.finish_calls, 1);
	assert_int_equal(fake_cache.set_calls, 1);	/* the start only */
	teardown(state);
	setup(state);
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_store.finish_rc = -1;
	assert_int_equal(run_async(), WORK_FAILED);
	teardown(state);
	setup(state);
	record_put(VALIDATION_STATUS_QUEUED, CLAVE, NULL);
	fake_store.state_get_rc = -1;
	assert_int_equal(run_async(), WORK_FAILED);
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.finish_calls, 0);
	teardown(state);
	setup(state);
	/* the record is gone */
	assert_int_equal(run_async(), WORK_FAILED);
	assert_int_equal(fake_banxico.calls, 0);
}

/* issue 13: "ñ"x40 cut to 63 bytes split a character and MariaDB refused
 * the write; the state keeps whole characters, at most the column's 64 */
static void
test_work_outcome__long_state__whole_characters(void **state)
{
	struct validation_outcome	 o;
	struct banxico_answer		 a;
	char				 st[WORK_BANXICO_STATUS_SIZE], *result;
	char				 text[2 * 100 + 1];
	size_t				 i;

	(void)state;
	for (i = 0; i < 100; i++)
		memcpy(text + 2 * i, "\xc3\xb1", 2);
	text[2 * 40] = '\0';
	record_put(VALIDATION_STATUS_PROCESSING, CLAVE, NULL);
	memset(&a, 0, sizeof(a));
	memset(&o, 0, sizeof(o));
	a.outcome = BANXICO_NO_CEP_YET;
	a.status = fake_cep_status(text, NULL, NULL);
	work_outcome_of_answer(fake_store.record, &a, &o, st, sizeof(st),
	    &result);
	assert_string_equal(o.banxico_status, text);	/* 40 fit whole */
	free(result);
	cep_status_free(a.status);
	/* 100 characters: the first 64, each whole */
	memcpy(text + 2 * 40, "\xc3\xb1", 2);
	text[2 * 100] = '\0';
	a.status = fake_cep_status(text, NULL, NULL);
	memset(&o, 0, sizeof(o));
	work_outcome_of_answer(fake_store.record, &a, &o, st, sizeof(st),
	    &result);
	assert_int_equal(strlen(o.banxico_status), 2 * 64);
	assert_memory_equal(o.banxico_status, text, 2 * 64);
	free(result);
	cep_status_free(a.status);
	/* a small buffer: cut before the character that does not fit */
	text[2 * 40] = '\0';
	a.status = fake_cep_status(text, NULL, NULL);
	memset(&o, 0, sizeof(o));
	work_outcome_of_answer(fake_store.record, &a, &o, st, 64, &result);
	assert_int_equal(strlen(o.banxico_status), 62);
	free(result);
	cep_status_free(a.status);
}

/* issue 13: a job whose outcome cannot be written was claimed and sent
 * to Banxico again at every runner pass, forever */
static void
test_work_job_run__over_max_attempts__error_without_banxico(void **state)
{
	struct job	 job = job_of(JOB_KIND_VALIDATE, 0);

	(void)state;
	record_put(VALIDATION_STATUS_PROCESSING, CLAVE, NULL);
	fake_banxico.outcome = BANXICO_NO_CEP_YET;
	/* the last run allowed still asks Banxico */
	job.tries = cfg.job_max_attempts;
	assert_int_equal(work_job_run(&app, &job, 0, 0, NULL), WORK_FINISHED);
	assert_int_equal(fake_banxico.calls, 1);
	/* one more: no query, the record ends error with the reason */
	teardown(state);
	setup(state);
	record_put(VALIDATION_STATUS_PROCESSING, CLAVE, NULL);
	job.tries = cfg.job_max_attempts + 1;
	assert_int_equal(work_job_run(&app, &job, 0, 0, NULL), WORK_FINISHED);
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.finish_calls, 1);
	assert_int_equal(fake_store.finish.status, VALIDATION_STATUS_ERROR);
	assert_string_equal(fake_store.finish.error_code,
	    "attempts_exhausted");
	assert_non_null(fake_store.finish.error_message);
	assert_null(fake_store.finish.banxico_status);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_work_outcome__every_banxico_outcome__spec_status_and_code,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_outcome__long_state__whole_characters,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__over_max_attempts__error_without_banxico,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_outcome__found_with_xml__has_cep_and_learns_clave,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_outcome__no_cep_yet__state_text_and_ids_learned,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__every_outcome__finish_gets_the_mapping,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__found_by_referencia__cep_kept_clave_learned,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__no_cep_yet__estado_and_referencia_learned,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__backoff_in_force_async__released_not_queried,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__backoff_in_force_sync__answered_without_query,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__backoff_ran_out__ended_then_queried,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__throttled_or_captcha__backoff_started,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__rate_cap_reached_async__released_shortly,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__rate_cap_without_memcached_sync__banxico_busy,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_after_response__rate_cap_reached__left_to_runner_at_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_after_response__rate_slot_free__run_and_counted_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_after_response__last_banxico_slot__kept_for_sync,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__expired_in_queue__failed_without_banxico,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__finished_record__written_again_as_it_is,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__retry_of_finished_record__asks_again,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_work_job_run__lease_lost_or_store_down__put_back_or_failed,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * mxcep: unit tests for POST /v1/validate (src/api/validate.c) and
 * the Idempotency-Key wrapper it goes through (src/api/idempotency.c),
 * linked with the api layer and the layers below it, and fakes of the
 * store, the Banxico client and memcached (fakes.h). The request and
 * the per-process context are built by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api.h"
#include "fakes.h"

#define ACCOUNT		"11111111-1111-4111-8111-111111111111"
#define CLAVE		"MBAN01002411080000001"
#define CLABE_STP	"646180157000000004"
/* a transfer as the client describes it; %s: one more attribute */
#define BODY_FMT	"{\"fecha\":\"2024-11-08\",\"clave_rastreo\":\"" CLAVE \
	"\",\"emisor\":\"40012\",\"receptor\":\"90646\",\"cuenta\":\"" \
	CLABE_STP "\",\"monto\":\"1234.56\"%s}"

static struct config	 cfg;
static struct app	 app;
static struct request	 req;
static struct response	 resp;
static json_t		*doc;		/* the answer's body */

static void
bank_add(const char *code, const char *prefix, const char *name)
{
	struct bank	 b;

	memset(&b, 0, sizeof(b));
	snprintf(b.code, sizeof(b.code), "%s", code);
	snprintf(b.clabe_prefix, sizeof(b.clabe_prefix), "%s", prefix);
	b.short_name = (char *)(uintptr_t)name;
	b.cep_name = (char *)(uintptr_t)name;
	b.full_name = (char *)(uintptr_t)"";
	bank_catalog_add(fake_store.banks, &b);
}

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	fake_config(&cfg);
	cfg.poll_after_seconds = 2;
	cfg.max_retries_cap = 5;
	cfg.public_url = xstrdup("https://api.test");
	cfg.operator_accounts = xstrdup("");
	/* the per-process context by hand: the fakes need no handles */
	memset(&app, 0, sizeof(app));
	app.cfg = &cfg;
	snprintf(app.owner, sizeof(app.owner), "test:1");
	fake_store.banks = bank_catalog_new();
	bank_add("40012", "012", "BBVA Mexico");
	bank_add("90646", "646", "STP");
	memset(&req, 0, sizeof(req));
	req.app = &app;
	req.method = METHOD_POST;
	req.path = xstrdup("/v1/validate");
	req.query = xstrdup("");
	snprintf(req.account_id, sizeof(req.account_id), "%s", ACCOUNT);
	req.scopes = SCOPE__ALL;
	req.started = clock_monotonic();
	response_init(&resp);
	doc = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	response_free(&resp);
	json_decref(doc);
	json_decref(req.json);
	free(req.path);
	free(req.query);
	free(req.idempotency_key);
	free(cfg.public_url);
	free(cfg.operator_accounts);
	fake_free();
	return 0;
}

/* POSTs body (NULL: BODY_FMT as it is) with query and the key (NULL =
 * none); the answer's status, its body parsed into doc */
static int
post(const char *body, const char *query, const char *key)
{
	char	 text[1024];
	int	 status;

	if (body == NULL) {
		snprintf(text, sizeof(text), BODY_FMT, "");
		body = text;
	}
	req.json = json_loads(body, 0, NULL);
	assert_non_null(req.json);
	if (query != NULL) {
		free(req.query);
		req.query = xstrdup(query);
	}
	req.idempotency_key = key != NULL ? xstrdup(key) : NULL;
	status = api_validate_post(&req, &resp);
	assert_int_equal(resp.status, status);
	doc = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	assert_non_null(doc);
	return status;
}

/* the value of a response header, "" when absent */
static const char *
header(const char *name)
{
	static char	 val[256];
	const char	*p = resp.headers.data, *eol;
	size_t		 n = strlen(name);

	val[0] = '\0';
	for (; p != NULL && *p != '\0'; p = eol + 2) {
		if ((eol = strstr(p, "\r\n")) == NULL)
			break;
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			snprintf(val, sizeof(val), "%.*s",
			    (int)(eol - p - n - 2), p + n + 2);
			break;
		}
	}
	return val;
}

/* the answer holds an error object with code (and pointer, unless NULL) */
static void
assert_error(const char *code, const char *pointer)
{
	json_t		*e;
	const char	*c, *ptr;
	size_t		 i;

	json_array_foreach(json_object_get(doc, "errors"), i, e) {
		c = json_string_value(json_object_get(e, "code"));
		ptr = json_string_value(json_object_get(json_object_get(e,
		    "source"), "pointer"));
		if (c != NULL && strcmp(c, code) == 0 && (pointer == NULL ||
		    (ptr != NULL && strcmp(ptr, pointer) == 0)))
			return;
	}
	fail_msg("no error %s at %s in %.400s", code,
	    pointer != NULL ? pointer : "(any)", resp.body.data);
}

/* the answer's data.attributes.name is the string want */
static void
assert_attribute(const char *name, const char *want)
{
	const char	*got = json_string_value(json_object_get(
	    json_object_get(json_object_get(doc, "data"), "attributes"),
	    name));

	if (got == NULL)
		fail_msg("no attribute %s in %.400s", name, resp.body.data);
	assert_string_equal(got, want);
}

static void
test_validate__empty_body__422_each_required_attribute(void **state)
{
	(void)state;
	assert_int_equal(post("{}", NULL, NULL), 422);
	assert_error("missing_attribute", "/fecha");
	assert_error("missing_attribute", "/clave_rastreo");
	assert_error("missing_attribute", "/emisor");
	assert_error("missing_attribute", "/cuenta");
	assert_error("missing_attribute", "/monto");
	assert_int_equal(json_array_size(json_object_get(doc, "errors")), 5);
	assert_int_equal(fake_store.enqueue_calls, 0);
}

static void
test_validate__bad_attributes__422_codes_and_pointers(void **state)
{
	(void)state;
	assert_int_equal(post("{\"data\":{\"type\":\"validation\","
	    "\"attributes\":{\"fecha\":\"2024-02-30\",\"clave_rastreo\":"
	    "\"MBAN-01\",\"referencia\":\"12345678\",\"emisor\":\"Nobody Bank\","
	    "\"cuenta\":\"646180157000000005\",\"monto\":\"12.345\","
	    "\"playground\":\"yes\",\"colour\":1}}}", NULL, NULL), 422);
	assert_error("invalid_date", "/data/attributes/fecha");
	assert_error("invalid_clave_rastreo", "/data/attributes/clave_rastreo");
	assert_error("invalid_referencia", "/data/attributes/referencia");
	assert_error("unknown_bank", "/data/attributes/emisor");
	assert_error("invalid_clabe", "/data/attributes/cuenta");
	assert_error("invalid_amount", "/data/attributes/monto");
	assert_error("invalid_attribute", "/data/attributes/playground");
	assert_error("unknown_attribute", "/data/attributes/colour");
	assert_int_equal(fake_store.enqueue_calls, 0);
}

static void
test_validate__future_date_or_phone_without_receptor__422(void **state)
{
	(void)state;
	assert_int_equal(post("{\"fecha\":\"2999-01-01\",\"referencia\":1234,"
	    "\"emisor\":\"40012\",\"cuenta\":\"5512345678\",\"monto\":10}",
	    NULL, NULL), 422);
	assert_error("invalid_date", "/fecha");
	assert_error("missing_attribute", "/receptor");
	assert_int_equal(json_array_size(json_object_get(doc, "errors")), 2);
}

static void
test_validate__wrong_type__409_type_mismatch(void **state)
{
	(void)state;
	assert_int_equal(post("{\"data\":{\"type\":\"payment\",\"attributes\":"
	    "{\"fecha\":\"2024-11-08\",\"clave_rastreo\":\"" CLAVE "\","
	    "\"emisor\":\"40012\",\"cuenta\":\"" CLABE_STP "\",\"monto\":"
	    "\"1.00\"}}}", NULL, NULL), 409);
	assert_error("type_mismatch", "/data/type");
	assert_int_equal(fake_store.enqueue_calls, 0);
}

static void
test_validate__no_bank_catalog__503_retry_after(void **state)
{
	(void)state;
	bank_catalog_free(fake_store.banks);
	fake_store.banks = NULL;
	assert_int_equal(post(NULL, NULL, NULL), 503);
	assert_error("bank_catalog_unavailable", "/emisor");
	assert_string_equal(header("Retry-After"), "5");
	assert_int_equal(fake_store.enqueue_calls, 0);
}

static void
test_validate__bad_async_flag__400_invalid_parameter(void **state)
{
	(void)state;
	assert_int_equal(post(NULL, "async=maybe", NULL), 400);
	assert_error("invalid_parameter", NULL);
	assert_int_equal(fake_store.enqueue_calls, 0);
}

static void
test_validate__sync__200_with_the_outcome_of_the_job(void **state)
{
	(void)state;
	fake_banxico.outcome = BANXICO_NOT_FOUND;
	assert_int_equal(post(NULL, NULL, NULL), 200);
	/* recorded with its job born claimed by this process */
	assert_int_equal(fake_store.enqueue_calls, 1);
	assert_string_equal(fake_store.enqueue_owner, "test:1");
	assert_true(fake_store.enqueue_lease_until > clock_now());
	/* the job ran through Banxico */
	assert_int_equal(fake_banxico.calls, 1);
	assert_string_equal(fake_banxico.criterio, CLAVE);
	assert_int_equal(fake_banxico.query.monto_cents, 123456);
	assert_int_equal(fake_store.finish_calls, 1);
	assert_int_equal(fake_store.finish_job.id, 77);
	assert_string_equal(fake_store.finish_job.validation_id,
	    fake_store.record->id);
	/* the answer is the record as the store has it now */
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(doc, "data"), "id")), fake_store.record->id);
	assert_attribute("status", "not_found");
	assert_attribute("banxico_status", "not_found");
	assert_attribute("clave_rastreo", CLAVE);
	assert_string_equal(header("ETag"), "W/\"2\"");
	assert_string_equal(header("Cache-Control"), "no-store");
	assert_null(resp.after_arg);
}

static void
test_validate__sync_found__200_valid(void **state)
{
	(void)state;
	fake_banxico.outcome = BANXICO_FOUND;
	fake_banxico.xml = "<SPEI_Tercero/>";
	assert_int_equal(post(NULL, NULL, NULL), 200);
	assert_attribute("status", "valid");
	assert_int_equal(fake_store.record->has_cep, 1);
}

static void
test_validate__banks_by_name_and_clabe__resolved_codes(void **state)
{
	(void)state;
	assert_int_equal(post("{\"fecha\":\"2024-11-08\",\"referencia\":"
	    "\"1234567\",\"emisor\":\"bbva méxico\",\"cuenta\":\"" CLABE_STP
	    "\",\"monto\":1234.5}", NULL, NULL), 200);
	assert_string_equal(fake_store.record->emisor, "40012");
	/* the receptor from the CLABE's prefix */
	assert_string_equal(fake_store.record->receptor, "90646");
	assert_null(fake_store.record->clave_rastreo);
	assert_string_equal(fake_store.record->referencia, "1234567");
	assert_int_equal(fake_store.record->monto_cents, 123450);
	assert_int_equal(fake_banxico.query.tipo_criterio,
	    BANXICO_CRITERIO_REFERENCIA);
}

static void
test_validate__async__202_queued_and_job_left_for_after(void **state)
{
	(void)state;
	assert_int_equal(post(NULL, "async=1", NULL), 202);
	assert_attribute("status", "queued");
	assert_int_equal(fake_store.record->status, VALIDATION_STATUS_QUEUED);
	assert_string_equal(fake_store.enqueue_owner, "");	/* queued */
	assert_non_null(strstr(header("Location"), fake_store.record->id));
	assert_string_equal(header("Retry-After"), "2");
	/* nothing ran before the answer */
	assert_int_equal(fake_banxico.calls, 0);
	assert_int_equal(fake_store.finish_calls, 0);
	/* the job is the response's after work */
	assert_non_null(resp.after_arg);
	assert_ptr_equal(resp.after_free, free);
	work_after_response(&app, resp.after_arg);
	assert_int_equal(fake_store.claim_calls, 1);
	assert_int_equal(fake_store.claim_job_id, 77);
	assert_int_equal(fake_banxico.calls, 1);
	assert_int_equal(fake_store.finish_job.id, 77);
	assert_string_equal(fake_store.finish_job.validation_id,
	    fake_store.record->id);
	assert_string_equal(fake_store.finish_job.account_id, ACCOUNT);
}

/* the host's cap on Banxico-bound work (work/caps.c): every slot held */
static int
cap_fill(char *dir, size_t n, int held[], int max)
{
	int	 i;

	snprintf(dir, n, "%s", "/tmp/mxcep-caps.XXXXXX");
	assert_non_null(mkdtemp(dir));
	cfg.lock_dir = dir;
	cfg.banxico_max_concurrent = max;
	for (i = 0; i < max; i++)
		assert_true((held[i] = slot_take(dir, "banxico", max)) >= 0);
	return max;
}

static void
cap_empty(char *dir, int held[], int n)
{
	char	 path[1100];
	int	 i;

	for (i = 0; i < n; i++)
		slot_release(held[i]);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/banxico.%d", dir, i);
		(void)unlink(path);
		snprintf(path, sizeof(path), "%s/held.%d", dir, i);
		(void)unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
	cfg.lock_dir = NULL;
	cfg.banxico_max_concurrent = 0;
}

static void
test_validate__sync_over_the_banxico_cap__503_busy_nothing_recorded(
    void **state)
{
	char	 dir[64];
	int	 held[2], n;

	(void)state;
	n = cap_fill(dir, sizeof(dir), held, 2);
	assert_int_equal(post(NULL, NULL, NULL), 503);
	assert_error("busy", NULL);
	assert_string_equal(header("Retry-After"), "5");
	assert_int_equal(fake_store.enqueue_calls, 0);
	assert_int_equal(fake_banxico.calls, 0);
	/* a slot frees: the next one runs, and gives its slot back */
	slot_release(held[1]);
	held[1] = -1;
	response_free(&resp);
	response_init(&resp);
	json_decref(doc);
	doc = NULL;
	json_decref(req.json);
	req.json = NULL;
	assert_int_equal(post(NULL, NULL, NULL), 200);
	assert_int_equal(fake_banxico.calls, 1);
	assert_true((held[1] = slot_take(dir, "banxico", 2)) >= 0);
	cap_empty(dir, held, n);
}

/* the slots every long-held request shares (exports too): all taken, a
 * synchronous validation is refused though its own cap has room, and
 * gives its Banxico slot back */
static void
test_validate__sync_with_the_held_slots_taken__503_busy_nothing_recorded(
    void **state)
{
	char	 dir[64];
	int	 held[2], n, i, fd[2];

	(void)state;
	n = cap_fill(dir, sizeof(dir), held, 2);
	for (i = 0; i < n; i++)		/* the Banxico slots are free ... */
		slot_release(held[i]);
	assert_int_equal(work_held_max(&cfg), 2);
	for (i = 0; i < n; i++)		/* ... the held ones are not */
		assert_true((held[i] = slot_take(dir, "held", 2)) >= 0);
	assert_int_equal(post(NULL, NULL, NULL), 503);
	assert_error("busy", NULL);
	assert_string_equal(header("Retry-After"), "5");
	assert_int_equal(fake_store.enqueue_calls, 0);
	assert_int_equal(fake_banxico.calls, 0);
	/* nothing kept: both Banxico slots can still be taken */
	assert_true((fd[0] = slot_take(dir, "banxico", 2)) >= 0);
	assert_true((fd[1] = slot_take(dir, "banxico", 2)) >= 0);
	slot_release(fd[0]);
	slot_release(fd[1]);
	assert_int_equal(app.held_slot, 0);
	cap_empty(dir, held, n);
}

static void
test_validate__async_over_the_banxico_cap__job_left_to_the_runner(
    void **state)
{
	char	 dir[64];
	int	 held[1], n;

	(void)state;
	n = cap_fill(dir, sizeof(dir), held, 1);
	assert_int_equal(post(NULL, "async=1", NULL), 202);
	assert_non_null(resp.after_arg);
	work_after_response(&app, resp.after_arg);
	assert_int_equal(fake_store.claim_calls, 0);
	assert_int_equal(fake_banxico.calls, 0);
	cap_empty(dir, held, n);
}

static void
test_idempotency__replay__first_answer_again(void **state)
{
	static const char	*body = "{\"data\":{\"id\":\"first\"}}";

	(void)state;
	fake_store.idem_state = IDEM_REPLAY;
	fake_store.idem_record.status = 202;
	fake_store.idem_record.headers = xstrdup("Location: /v1/x\r\n");
	fake_store.idem_record.body = xstrdup(body);
	fake_store.idem_record.body_len = strlen(body);
	assert_int_equal(post(NULL, "async=1", "\"key-1\""), 202);
	assert_string_equal(fake_store.idem_key, "key-1");
	assert_string_equal(fake_store.idem_endpoint, "validate");
	assert_string_equal(resp.body.data, body);
	assert_string_equal(header("Location"), "/v1/x");
	assert_string_equal(header("Idempotent-Replayed"), "true");
	assert_int_equal(fake_store.enqueue_calls, 0);
	assert_null(resp.after_arg);
}

static void
test_idempotency__in_flight_or_mismatch__409_or_422(void **state)
{
	(void)state;
	fake_store.idem_state = IDEM_IN_FLIGHT;
	assert_int_equal(post(NULL, NULL, "key-1"), 409);
	assert_error("idempotency_key_in_use", NULL);
	assert_int_equal(fake_store.enqueue_calls, 0);
	teardown(state);
	setup(state);
	fake_store.idem_state = IDEM_MISMATCH;
	assert_int_equal(post(NULL, NULL, "key-1"), 422);
	assert_error("idempotency_key_reused", NULL);
	assert_int_equal(fake_store.enqueue_calls, 0);
	assert_int_equal(fake_store.idem_complete_calls, 0);
}

/* the request hash db_idem_begin gets for body (NULL: BODY_FMT) */
static void
hash_of(const char *body, const char *query, char out[65])
{
	setup(NULL);
	fake_store.idem_state = IDEM_IN_FLIGHT;
	post(body, query, "key-1");
	assert_int_equal(fake_store.idem_begin_calls, 1);
	snprintf(out, 65, "%s", fake_store.idem_hash);
	teardown(NULL);
}

static void
test_idempotency__request_hash__body_and_async_flag_count(void **state)
{
	char	 a[65], b[65], c[65], d[65];

	(void)state;
	teardown(NULL);
	hash_of(NULL, NULL, a);
	hash_of(NULL, "async=0", b);
	hash_of(NULL, "async=1", c);
	hash_of("{\"fecha\":\"2024-11-08\",\"clave_rastreo\":\"" CLAVE
	    "\",\"emisor\":\"40012\",\"receptor\":\"90646\",\"cuenta\":\""
	    CLABE_STP "\",\"monto\":\"1234.57\"}", NULL, d);
	setup(NULL);
	assert_int_equal(strlen(a), 64);
	/* the same request, however async=0 is spelled */
	assert_string_equal(a, b);
	/* another answer (202), or another transfer: another request */
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
}

static void
test_idempotency__new_key__created_and_answer_kept(void **state)
{
	(void)state;
	fake_store.idem_state = IDEM_NEW;
	assert_int_equal(post(NULL, NULL, "key-1"), 200);
	assert_int_equal(fake_store.idem_begin_calls, 1);
	assert_int_equal(fake_store.enqueue_calls, 1);
	assert_int_equal(fake_store.idem_complete_calls, 1);
	assert_int_equal(fake_store.idem_complete_status, 200);
	assert_int_equal(fake_store.idem_forget_calls, 0);
}

static void
test_idempotency__bad_key_or_bad_body__nothing_recorded(void **state)
{
	(void)state;
	assert_int_equal(post(NULL, NULL, "two words"), 400);
	assert_error("invalid_idempotency_key", NULL);
	assert_int_equal(fake_store.idem_begin_calls, 0);
	teardown(state);
	setup(state);
	/* a request that fails its checks records nothing */
	assert_int_equal(post("{}", NULL, "key-1"), 422);
	assert_int_equal(fake_store.idem_begin_calls, 0);
	assert_int_equal(fake_store.enqueue_calls, 0);
}

static void
test_idempotency__new_key__claim_recorded_with_the_validation(void **state)
{
	(void)state;
	fake_store.idem_state = IDEM_NEW;
	assert_int_equal(post(NULL, "async=1", "\"key-1\""), 202);
	/* the key is tied to the record in the enqueue's transaction */
	assert_string_equal(fake_store.enqueue_idem_key, "key-1");
	teardown(state);
	setup(state);
	assert_int_equal(post(NULL, "async=1", NULL), 202);
	assert_int_equal(fake_store.enqueue_calls, 1);
	assert_string_equal(fake_store.enqueue_idem_key, "");
}

/* the key's first request created the record, then its process died */
static void
test_idempotency__stale_with_record__answered_from_it_nothing_created(
    void **state)
{
	struct validation	*first;
	const char		*id;

	assert_int_equal(post(NULL, NULL, NULL), 200);
	first = validation_dup(fake_store.record);
	teardown(state);
	setup(state);
	fake_store.record = first;
	fake_store.idem_state = IDEM_RESOURCE;
	snprintf(fake_store.idem_record.resource_id,
	    sizeof(fake_store.idem_record.resource_id), "%s", first->id);
	assert_int_equal(post(NULL, NULL, "key-1"), 200);
	id = json_string_value(json_object_get(json_object_get(doc, "data"),
	    "id"));
	assert_non_null(id);
	assert_string_equal(id, first->id);
	assert_attribute("status", "not_found");	/* the fake's outcome */
	assert_string_equal(header("Idempotent-Replayed"), "true");
	assert_int_equal(fake_store.enqueue_calls, 0);
	assert_int_equal(fake_banxico.calls, 0);
	/* nothing kept or forgotten: the next retry reads the record again */
	assert_int_equal(fake_store.idem_complete_calls, 0);
	assert_int_equal(fake_store.idem_forget_calls, 0);
	/* still with the runner: 202 and where to poll */
	fake_store.record->status = VALIDATION_STATUS_QUEUED;
	response_free(&resp);
	response_init(&resp);
	json_decref(doc);
	json_decref(req.json);
	free(req.idempotency_key);
	assert_int_equal(post(NULL, NULL, "key-1"), 202);
	assert_attribute("status", "queued");
	assert_true(strstr(header("Location"), first->id) != NULL);
	assert_string_equal(header("Retry-After"), "2");
	assert_int_equal(fake_store.enqueue_calls, 0);
	assert_int_equal(fake_banxico.calls, 0);
}

/* another request took the key over while this one was stalled */
static void
test_idempotency__claim_lost__409_nothing_created(void **state)
{
	(void)state;
	fake_store.idem_state = IDEM_NEW;
	fake_store.enqueue_rc = 1;
	assert_int_equal(post(NULL, NULL, "key-1"), 409);
	assert_error("idempotency_key_in_use", NULL);
	assert_int_equal(fake_banxico.calls, 0);
	assert_null(resp.after_arg);
}

static void
test_validate__database_down__503_and_key_forgotten(void **state)
{
	(void)state;
	fake_store.enqueue_rc = -1;
	fake_store.unavailable = 1;
	assert_int_equal(post(NULL, NULL, "key-1"), 503);
	assert_error("database_unavailable", NULL);
	assert_string_equal(header("Retry-After"), "5");
	/* a 5xx is not kept: the client may use the key again */
	assert_int_equal(fake_store.idem_forget_calls, 1);
	assert_int_equal(fake_store.idem_complete_calls, 0);
	assert_int_equal(fake_banxico.calls, 0);
	teardown(state);
	setup(state);
	/* another failure of the store: 500 */
	fake_store.enqueue_rc = -1;
	assert_int_equal(post(NULL, NULL, NULL), 500);
	assert_error("internal_error", NULL);
	teardown(state);
	setup(state);
	fake_store.idem_begin_rc = -1;
	fake_store.unavailable = 1;
	assert_int_equal(post(NULL, NULL, "key-1"), 503);
	assert_int_equal(fake_store.enqueue_calls, 0);
}

static void
test_validate__outcome_not_stored__503_after_the_lease(void **state)
{
	(void)state;
	fake_store.finish_rc = -1;
	assert_int_equal(post(NULL, NULL, NULL), 503);
	assert_error("database_unavailable", NULL);
	/* the runner finishes it once the lease runs out */
	assert_string_equal(header("Retry-After"), "43");
	assert_int_equal(fake_banxico.calls, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_validate__empty_body__422_each_required_attribute,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__bad_attributes__422_codes_and_pointers,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__future_date_or_phone_without_receptor__422,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__wrong_type__409_type_mismatch,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__no_bank_catalog__503_retry_after,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__bad_async_flag__400_invalid_parameter,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__sync__200_with_the_outcome_of_the_job,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__sync_found__200_valid,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__banks_by_name_and_clabe__resolved_codes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__async__202_queued_and_job_left_for_after,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__sync_over_the_banxico_cap__503_busy_nothing_recorded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__sync_with_the_held_slots_taken__503_busy_nothing_recorded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__async_over_the_banxico_cap__job_left_to_the_runner,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_idempotency__replay__first_answer_again,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_idempotency__in_flight_or_mismatch__409_or_422,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_idempotency__request_hash__body_and_async_flag_count,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_idempotency__new_key__created_and_answer_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_idempotency__bad_key_or_bad_body__nothing_recorded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_idempotency__new_key__claim_recorded_with_the_validation,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_idempotency__stale_with_record__answered_from_it_nothing_created,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_idempotency__claim_lost__409_nothing_created,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__database_down__503_and_key_forgotten,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_validate__outcome_not_stored__503_after_the_lease,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

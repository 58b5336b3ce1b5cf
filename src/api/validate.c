/*
 * mxcep: POST /v1/validate: check the transfer's fields, record the
 * validation and its job in one transaction, then either run it now
 * (200 with the full Validation) or answer 202 ValidationQueued and run
 * it after the response (?async=1). Idempotency-Key replays the first
 * response for 24 h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

#define CLAVE_MAX		30
#define VALIDATE_BUSY_RETRY_AFTER	5	/* s, with 503 busy */
#define REFERENCIA_MAX		7

/* The transfer as the client described it, checked and resolved. */
struct validate_input {
	char		 fecha[DATE_FMT_SIZE];
	char		*clave_rastreo;		/* NULL when not given */
	char		*referencia;		/* NULL when not given */
	char		 emisor[BANK_CODE_SIZE];
	char		 receptor[BANK_CODE_SIZE];
	char		*cuenta;
	int64_t		 monto_cents;
	int		 playground;
	struct retry_policy retry;		/* the body's, else the account's */
	json_t		*attrs;			/* borrowed: the fields as sent */
};

static void
validate_input_free(struct validate_input *in)
{
	free(in->clave_rastreo);
	free(in->referencia);
	free(in->cuenta);
}

static void
add_error(json_t *errs, int status, const char *code, const char *detail,
    const char *base, const char *field)
{
	/* whole: response_error_object cuts a long one on a character */
	char	*ptr = xasprintf("%s/%s", base, field);

	json_array_append_new(errs, response_error_object(status, code,
	    detail, ptr, NULL));
	free(ptr);
}

/* A string field, or an integer given for a numeric one. NULL = absent
 * or null; *bad when present with another type. */
static char *
field_text(json_t *attrs, const char *name, int allow_int, int *bad)
{
	json_t	*v = json_object_get(attrs, name);

	*bad = 0;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (allow_int && json_is_integer(v) && json_integer_value(v) >= 0)
		return xasprintf("%lld", (long long)json_integer_value(v));
	*bad = 1;
	return NULL;
}

/* 1 when the attribute is there with a value other than null */
static int
present(json_t *attrs, const char *name)
{
	json_t	*v = json_object_get(attrs, name);

	return v != NULL && !json_is_null(v);
}

static int
all_chars(const char *s, int (*pred)(int))
{
	for (; *s != '\0'; s++)
		if (!pred((unsigned char)*s))
			return 0;
	return 1;
}

static void
check_fecha(struct validate_input *in, json_t *errs, const char *base)
{
	struct date	 d;
	char		*s;
	char		 today[DATE_FMT_SIZE];
	time_t		 tomorrow = clock_now() + 86400;
	struct tm	 tm;
	int		 bad;

	s = field_text(in->attrs, "fecha", 0, &bad);
	if (s == NULL) {
		add_error(errs, 422, bad ? "invalid_date" : "missing_attribute",
		    bad ? "fecha must be a string YYYY-MM-DD" :
		    "fecha is required (YYYY-MM-DD, the day of the transfer)",
		    base, "fecha");
		return;
	}
	gmtime_r(&tomorrow, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if (date_parse_iso(s, &d) == -1)
		add_error(errs, 422, "invalid_date", "fecha must be a real "
		    "calendar date written YYYY-MM-DD", base, "fecha");
	else if (strcmp(date_format_iso(&d, in->fecha), today) > 0)
		add_error(errs, 422, "invalid_date", "fecha is in the future",
		    base, "fecha");
	free(s);
}

static void
check_criterio(struct validate_input *in, json_t *errs, const char *base)
{
	int	 bad;

	in->clave_rastreo = field_text(in->attrs, "clave_rastreo", 0, &bad);
	if (bad)
		add_error(errs, 422, "invalid_clave_rastreo",
		    "clave_rastreo must be a string", base, "clave_rastreo");
	else if (in->clave_rastreo != NULL && (in->clave_rastreo[0] == '\0' ||
	    strlen(in->clave_rastreo) > CLAVE_MAX ||
	    !all_chars(in->clave_rastreo, isalnum)))
		add_error(errs, 422, "invalid_clave_rastreo", "clave_rastreo "
		    "is 1 to 30 letters and digits", base, "clave_rastreo");
	in->referencia = field_text(in->attrs, "referencia", 1, &bad);
	if (bad)
		add_error(errs, 422, "invalid_referencia", "referencia must "
		    "be a string of digits", base, "referencia");
	else if (in->referencia != NULL && (in->referencia[0] == '\0' ||
	    strlen(in->referencia) > REFERENCIA_MAX ||
	    !all_chars(in->referencia, isdigit)))
		add_error(errs, 422, "invalid_referencia", "referencia (the "
		    "referencia numérica) is 1 to 7 digits", base, "referencia");
	if (!present(in->attrs, "clave_rastreo") &&
	    !present(in->attrs, "referencia"))
		add_error(errs, 422, "missing_attribute", "give clave_rastreo "
		    "or referencia (or both)", base, "clave_rastreo");
}

/* Resolves a bank by code or name into out; "" when absent. */
static void
check_bank(struct request *req, struct validate_input *in, json_t *errs,
    const char *base, const char *field, char out[BANK_CODE_SIZE])
{
	const struct bank_catalog	*cat = app_banks(req->app);
	const struct bank		*b = NULL;
	char				*s, detail[200];
	int				 bad;

	out[0] = '\0';
	if ((s = field_text(in->attrs, field, 1, &bad)) == NULL) {
		if (bad)
			add_error(errs, 422, "unknown_bank", "give the bank as "
			    "its 5-digit Banxico code or its name", base,
			    field);
		return;
	}
	if (cat == NULL) {
		add_error(errs, 503, "bank_catalog_unavailable", "the bank "
		    "catalog could not be read; retry shortly", base, field);
		free(s);
		return;
	}
	switch (bank_catalog_resolve(cat, s, &b)) {
	case BANK_MATCH_ONE:
		snprintf(out, BANK_CODE_SIZE, "%s", b->code);
		break;
	case BANK_MATCH_AMBIGUOUS:
		snprintf(detail, sizeof(detail), "\"%.80s\" names several "
		    "banks; give the 5-digit Banxico code", s);
		add_error(errs, 422, "ambiguous_bank", detail, base, field);
		break;
	default:
		snprintf(detail, sizeof(detail), "\"%.80s\" is not a SPEI "
		    "participant; give the 5-digit Banxico code or the name",
		    s);
		add_error(errs, 422, "unknown_bank", detail, base, field);
		break;
	}
	free(s);
}

static void
check_cuenta(struct request *req, struct validate_input *in, json_t *errs,
    const char *base)
{
	const struct bank_catalog	*cat;
	const struct bank		*b = NULL;
	enum account_type		 type;
	enum account_error		 why;
	char				 detail[160];
	int				 bad;

	in->cuenta = field_text(in->attrs, "cuenta", 0, &bad);
	if (in->cuenta == NULL) {
		add_error(errs, 422, bad ? "invalid_account" :
		    "missing_attribute", bad ? "cuenta must be a string (an "
		    "18-digit CLABE does not fit a JSON number)" : "cuenta is "
		    "required: the beneficiary's CLABE, card or phone",
		    base, "cuenta");
		return;
	}
	if (account_classify(in->cuenta, &type, &why) == -1) {
		snprintf(detail, sizeof(detail), "cuenta: %s (a CLABE has 18 "
		    "digits, a debit card 16, a phone account 10)",
		    account_error_str(why));
		add_error(errs, 422, why == ACCOUNT_ERR_CHECK_DIGIT &&
		    strlen(in->cuenta) == CLABE_LEN ? "invalid_clabe" :
		    why == ACCOUNT_ERR_CHECK_DIGIT ? "invalid_card" :
		    "invalid_account", detail, base, "cuenta");
		return;
	}
	/* the receiving bank of a CLABE is in its first three digits */
	if (in->receptor[0] == '\0' && type == ACCOUNT_TYPE_CLABE &&
	    !present(in->attrs, "receptor") &&
	    (cat = app_banks(req->app)) != NULL) {
		if (bank_catalog_by_prefix(cat, in->cuenta, &b) ==
		    BANK_MATCH_ONE)
			snprintf(in->receptor, sizeof(in->receptor), "%s",
			    b->code);
		else
			add_error(errs, 422, "missing_attribute", "receptor "
			    "is required: the CLABE's bank prefix does not "
			    "name one participant", base, "receptor");
	}
}

static void
check_monto(struct validate_input *in, json_t *errs, const char *base)
{
	json_t			*v = json_object_get(in->attrs, "monto");
	enum money_error	 why;
	char			 detail[160];

	if (v == NULL || json_is_null(v)) {
		add_error(errs, 422, "missing_attribute", "monto is required "
		    "(decimal pesos, e.g. \"1234.50\")", base, "monto");
		return;
	}
	if (money_from_json(v, &in->monto_cents, &why) == -1) {
		snprintf(detail, sizeof(detail), "monto: %s",
		    money_error_str(why));
		add_error(errs, 422, "invalid_amount", detail, base, "monto");
	}
}

/*
 * Reads and checks the body into in. Returns 0, or the error status
 * already answered (one error object per bad field).
 */
static int
validate_parse(struct request *req, struct response *resp,
    struct validate_input *in)
{
	static const char *const known[] = { "fecha", "clave_rastreo",
	    "referencia", "emisor", "receptor", "cuenta", "monto",
	    "playground", "retry_policy", NULL };
	json_t		*data, *errs, *v;
	const char	*base = "", *key, *type;
	char		 detail[160];
	size_t		 i;
	int		 status = 422, ok;

	memset(in, 0, sizeof(*in));
	errs = json_array();
	in->attrs = req->json;
	if ((data = json_object_get(req->json, "data")) != NULL) {
		/* the JSON:API spelling: {"data":{"type","attributes"}} */
		base = "/data/attributes";
		type = json_string_value(json_object_get(data, "type"));
		in->attrs = json_object_get(data, "attributes");
		if (type != NULL && strcmp(type, "validation") != 0)
			add_error(errs, 409, "type_mismatch", "data.type must "
			    "be \"validation\"", "/data", "type");
		if (!json_is_object(in->attrs)) {
			add_error(errs, 422, "missing_attribute", "data."
			    "attributes must be an object", "/data",
			    "attributes");
			goto out;
		}
	}
	json_object_foreach(in->attrs, key, v) {
		for (i = 0, ok = 0; known[i] != NULL && !ok; i++)
			ok = strcmp(key, known[i]) == 0;
		if (!ok) {
			snprintf(detail, sizeof(detail), "unknown attribute "
			    "\"%.60s\"", key);
			add_error(errs, 422, "unknown_attribute", detail, base,
			    key);
		}
	}
	check_fecha(in, errs, base);
	check_criterio(in, errs, base);
	check_bank(req, in, errs, base, "emisor", in->emisor);
	if (!present(in->attrs, "emisor"))
		add_error(errs, 422, "missing_attribute", "emisor (the sending "
		    "bank) is required", base, "emisor");
	check_bank(req, in, errs, base, "receptor", in->receptor);
	check_cuenta(req, in, errs, base);
	if (in->receptor[0] == '\0' && !present(in->attrs, "receptor") &&
	    in->cuenta != NULL && strlen(in->cuenta) != CLABE_LEN)
		add_error(errs, 422, "missing_attribute", "receptor (the "
		    "receiving bank) is required unless cuenta is a CLABE",
		    base, "receptor");
	check_monto(in, errs, base);
	v = json_object_get(in->attrs, "playground");
	if (v != NULL && !json_is_boolean(v))
		add_error(errs, 422, "invalid_attribute", "playground must be "
		    "true or false", base, "playground");
	in->playground = json_is_true(v);
	snprintf(detail, sizeof(detail), "%s/retry_policy", base);
	if (api_retry_policy_for(req, json_object_get(in->attrs,
	    "retry_policy"), detail, &in->retry, errs) == -1) {
		json_decref(errs);
		return api_db_error(req, resp);
	}
out:
	if (json_array_size(errs) == 0) {
		json_decref(errs);
		return 0;
	}
	/* the most general status of the lot (JSON:API) */
	json_array_foreach(errs, i, v) {
		key = json_string_value(json_object_get(v, "status"));
		if (strcmp(key, "503") == 0)
			status = 503;
		else if (strcmp(key, "409") == 0 && status != 503)
			status = 409;
	}
	if (status == 503)
		response_header(resp, "Retry-After", "5");
	return response_errors(resp, status, errs);
}

/* ?async: absent/0/false = synchronous. -1 for another value. */
static int
validate_async_flag(struct request *req, int *async)
{
	char	*v = request_query_get(req, "async");
	int	 rc = 0;

	*async = 0;
	if (v == NULL)
		return 0;
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
		*async = 1;
	else if (strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
		rc = -1;
	free(v);
	return rc;
}

/* The Idempotency-Key, bare or as a structured-field string. NULL when
 * absent; *bad when malformed. */
static struct validation *
validate_record(struct request *req, const struct validate_input *in,
    int async, int64_t now_ms)
{
	struct validation	*v = validation_new();
	time_t			 now = (time_t)(now_ms / 1000);

	if (uuid_v4(v->id) == -1) {
		validation_free(v);
		return NULL;
	}
	snprintf(v->account_id, sizeof(v->account_id), "%s", req->account_id);
	v->type = VALIDATION_TYPE_DIRECT;
	v->playground = in->playground;
	v->status = async ? VALIDATION_STATUS_QUEUED :
	    VALIDATION_STATUS_PROCESSING;
	snprintf(v->fecha, sizeof(v->fecha), "%.10s", in->fecha);
	v->clave_rastreo = in->clave_rastreo ? xstrdup(in->clave_rastreo) :
	    NULL;
	v->referencia = in->referencia ? xstrdup(in->referencia) : NULL;
	v->emisor = xstrdup(in->emisor);
	v->receptor = xstrdup(in->receptor);
	v->cuenta = xstrdup(in->cuenta);
	v->monto_cents = in->monto_cents;
	v->request_data = json_dumps(in->attrs, JSON_COMPACT | JSON_SORT_KEYS);
	v->created_at = now;
	v->enqueued_at = now;
	v->enqueued_at_ms = now_ms;
	if (!async)
		v->processing_started_at = now;
	v->expires_at = now + req->app->cfg->queue_expiry_seconds;
	v->etag_version = 1;
	api_retry_policy_apply(v, &in->retry);
	return v;
}

static int
validate_queued_doc(struct request *req, struct response *resp,
    const struct validation *v)
{
	char	 path[128], *loc;
	int	 poll = req->app->cfg->poll_after_seconds, status;
	json_t	*meta = api_meta();

	snprintf(path, sizeof(path), "/v1/validations/%s", v->id);
	loc = api_url(req, path);
	response_header(resp, "Location", "%s", loc);
	response_header(resp, "Retry-After", "%d", poll);
	response_header(resp, "ETag", "W/\"%lld\"", (long long)v->etag_version);
	json_object_set_new(meta, "next_poll_after_seconds",
	    json_integer(poll));
	json_object_set_new(meta, "playground", json_boolean(v->playground));
	status = response_json(resp, 202, json_pack(
	    "{s:{s:s, s:s, s:{s:s, s:s, s:I, s:o, s:o, s:o}, s:{s:s}}, s:o}",
	    "data", "type", "validation", "id", v->id, "attributes",
	    "validation_id", v->id, "status", "queued",
	    "etag_version", (json_int_t)v->etag_version,
	    "enqueued_at", api_time_or_null(v->enqueued_at),
	    "expires_at", api_time_or_null(v->expires_at),
	    "retry_state", api_retry_state_json(v),
	    "links", "self", loc, "meta", meta));
	free(loc);
	return status;
}

/* Runs the job now and answers with the record as it ended. */
static int
validate_sync(struct request *req, struct response *resp,
    struct validation *v, uint64_t job_id)
{
	struct validation	*done = NULL;
	struct job		 job;
	int			 status;

	memset(&job, 0, sizeof(job));
	job.id = job_id;
	job.tries = 1;
	snprintf(job.validation_id, sizeof(job.validation_id), "%s", v->id);
	snprintf(job.account_id, sizeof(job.account_id), "%s", v->account_id);
	if (work_job_run(req->app, &job, 1, req->started, v) == WORK_FAILED ||
	    db_validation_get(req->app->db, req->account_id, v->id, &done)
	    == -1 || done == NULL) {
		/* the job stays leased; the runner finishes it */
		response_header(resp, "Retry-After", "%d",
		    work_jobs_lease_seconds(req->app->cfg));
		return response_error(resp, 503, "database_unavailable",
		    "the validation was recorded but its result could not be "
		    "stored yet; it will be finished and can be read later",
		    NULL, NULL);
	}
	response_header(resp, "ETag", "W/\"%lld\"",
	    (long long)done->etag_version);
	status = response_json(resp, 200, json_pack("{s:o, s:o}", "data",
	    api_validation_json(req, done), "meta", api_meta()));
	validation_free(done);
	return status;
}

/* Replays a recorded response: status, headers, body. */
/* One POST /v1/validate: what check found, for create. */
struct validate_call {
	struct validate_input	 in;
	int			 async;
};

static int
validate_check(struct request *req, struct response *resp, void *arg)
{
	struct validate_call	*c = arg;

	if (validate_async_flag(req, &c->async) == -1)
		return response_error(resp, 400, "invalid_parameter",
		    "async is 1 (or true) for a queued validation, 0 "
		    "otherwise", NULL, "async");
	return validate_parse(req, resp, &c->in);
}

/* the async flag changes the answer: it is part of the request */
static const char *
validate_variant(void *arg)
{
	return ((struct validate_call *)arg)->async ? "1" : "0";
}

/* records the validation and its job, then answers: 202 with the
 * queued record (the job runs after the response), or 200 with the
 * outcome */
static int
validate_create(struct request *req, struct response *resp,
    const struct idem_claim *claim, void *arg)
{
	struct validate_call	*c = arg;
	struct validation	*v;
	int64_t			 now_ms = clock_now_ms();
	time_t			 now = (time_t)(now_ms / 1000);
	uint64_t		 job_id = 0;
	int			 status, rc, slot = WORK_SLOT_NONE;

	/* a synchronous validation holds this worker while Banxico
	 * answers: only within the host's cap, so reads always have one */
	if (!c->async && (slot = work_banxico_slot(req->app)) ==
	    WORK_SLOT_FULL) {
		response_header(resp, "Retry-After", "%d",
		    VALIDATE_BUSY_RETRY_AFTER);
		return response_error(resp, 503, "busy", "the server is "
		    "running as many synchronous validations (or long-held "
		    "requests in all) as it may (banxico_max_concurrent); "
		    "retry shortly, or send it with ?async=1", NULL, NULL);
	}
	if ((v = validate_record(req, &c->in, c->async, now_ms)) == NULL) {
		work_banxico_release(req->app, slot);
		return response_error(resp, 500, "internal_error",
		    "no randomness for an id", NULL, NULL);
	}
	/* the key records v->id with v and its job: one transaction */
	if ((rc = db_validation_enqueue(req->app->db, v, now, c->async ? NULL :
	    req->app->owner, now + work_jobs_lease_seconds(req->app->cfg),
	    claim, &job_id)) != 0) {
		status = rc == -1 ? api_db_error(req, resp) :
		    response_error(resp, 409, "idempotency_key_in_use",
		    "a request with this Idempotency-Key is still being "
		    "processed", NULL, NULL);
		goto out;
	}
	response_header(resp, "Cache-Control", "no-store");
	if (c->async) {
		status = validate_queued_doc(req, resp, v);
		/* run once the 202 has left (the worker's after hook) */
		response_after(resp, work_deferred_job(job_id, v->id,
		    v->account_id), free);
	} else
		status = validate_sync(req, resp, v, job_id);
out:
	work_banxico_release(req->app, slot);
	validation_free(v);
	return status;
}

/* The key's first request created id and never answered (its process
 * died, or it answered 5xx): the record as GET shows it, 200 once it has
 * an outcome, 202 with its Location while the runner still has it. */
static int
validate_existing(struct request *req, struct response *resp,
    const char *id, void *arg)
{
	struct validation	*v = NULL;
	char			 path[128], *loc;
	int			 status, settled;

	(void)arg;
	if (db_validation_get(req->app->db, req->account_id, id, &v) == -1)
		return api_db_error(req, resp);
	if (v == NULL)		/* deleted since */
		return api_not_found(resp, API_VALIDATION_NOT_FOUND);
	settled = v->status != VALIDATION_STATUS_QUEUED &&
	    v->status != VALIDATION_STATUS_PROCESSING;
	snprintf(path, sizeof(path), "/v1/validations/%s", v->id);
	loc = api_url(req, path);
	response_header(resp, settled ? "Content-Location" : "Location", "%s",
	    loc);
	free(loc);
	if (!settled)
		response_header(resp, "Retry-After", "%d",
		    req->app->cfg->poll_after_seconds);
	response_header(resp, "ETag", "W/\"%lld\"", (long long)v->etag_version);
	response_header(resp, "Cache-Control", "no-store");
	status = response_json(resp, settled ? 200 : 202, json_pack(
	    "{s:o, s:o}", "data", api_validation_json(req, v), "meta",
	    api_meta()));
	validation_free(v);
	return status;
}

static const struct api_idem_op validate_op = {
	.endpoint = "validate",
	.check = validate_check,
	.create = validate_create,
	.existing = validate_existing,
	.variant = validate_variant,
	.mismatch = "this Idempotency-Key was used with a different request "
	    "(body or async flag)",
};

int
api_validate_post(struct request *req, struct response *resp)
{
	struct validate_call	 c;
	int			 status;

	memset(&c, 0, sizeof(c));
	status = api_idempotent(req, resp, &validate_op, &c);
	validate_input_free(&c.in);
	return status;
}

/*
 * mxcep: retry cycles over HTTP (issue 5, spec 000 step 7): the
 * account's default policy (GET/PUT /v1/retry-policy), one record's
 * policy (PUT /v1/validations/{id}/retry-policy), cancelling
 * (POST .../cancel-retries), the history (GET .../retry-attempts), the
 * retry_policy of POST /v1/validate, and the completion hook. The
 * policy maths is core/retry.c; the store applies it under a row lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

/* The cap on max_retries for the account: its plan's, never above the
 * service-wide max_retries_cap. */
static int
retry_cap(const struct config *cfg, int plan_cap)
{
	return plan_cap < cfg->max_retries_cap ? plan_cap :
	    cfg->max_retries_cap;
}

/* a policy error as a JSON:API error object under pointer base */
static json_t *
retry_error_object(const struct retry_policy_error *e, const char *base)
{
	char	 ptr[160];

	if (e->field[0] != '\0')
		snprintf(ptr, sizeof(ptr), "%s/%s", base, e->field);
	else
		snprintf(ptr, sizeof(ptr), "%s", base);
	return response_error_object(422, e->code, e->detail, ptr, NULL);
}

int
api_retry_policy_for(struct request *req, const json_t *given,
    const char *pointer, struct retry_policy *out, json_t *errs)
{
	struct retry_policy		 def;
	struct retry_policy_error	 e;
	int				 plan_cap, found, cap;

	memset(out, 0, sizeof(*out));
	if (db_account_retry_settings(req->app->db, req->account_id,
	    &plan_cap, &def, &found) == -1)
		return -1;
	cap = retry_cap(req->app->cfg, found ? plan_cap : 0);
	if (given != NULL && !json_is_null(given)) {
		if (retry_policy_from_json(given, cap, out, &e) == -1)
			json_array_append_new(errs, retry_error_object(&e,
			    pointer));
		return 0;
	}
	/* the account's default; a plan lowered since it was stored
	 * lowers it too */
	*out = def;
	if (out->enabled && out->max_retries > cap)
		out->max_retries = cap;
	if (out->enabled && out->max_retries < 1)
		memset(out, 0, sizeof(*out));
	return 0;
}

void
api_retry_policy_apply(struct validation *v, const struct retry_policy *p)
{
	v->retry_enabled = p->enabled;
	v->retry_max_retries = p->enabled ? p->max_retries : -1;
	v->retry_interval_seconds = p->enabled ? p->interval_seconds : -1;
	free(v->retry_outcomes);
	v->retry_outcomes = p->enabled ? retry_outcomes_text(p->outcomes) :
	    NULL;
	v->retry_attempts_completed = 0;
	v->retry_terminal_state = RETRY_TERMINAL_NONE;
}

/* The policy object of a body: {"data":{"type":"retry_policy",
 * "attributes":{...}}} or the bare object; *base its pointer. */
static json_t *
retry_body_policy(struct request *req, const char **base, json_t *errs)
{
	json_t		*data;
	const char	*type;

	*base = "";
	if ((data = json_object_get(req->json, "data")) == NULL)
		return req->json;
	*base = "/data/attributes";
	type = json_string_value(json_object_get(data, "type"));
	if (type != NULL && strcmp(type, "retry_policy") != 0)
		json_array_append_new(errs, response_error_object(409,
		    "type_mismatch", "data.type must be \"retry_policy\"",
		    "/data/type", NULL));
	return json_object_get(data, "attributes");
}

/* answers the errors of errs (422 or 409), or returns 0 when none */
static int
retry_answer_errors(struct response *resp, json_t *errs)
{
	const char	*s;
	json_t		*v;
	size_t		 i;
	int		 status = 422;

	if (json_array_size(errs) == 0) {
		json_decref(errs);
		return 0;
	}
	json_array_foreach(errs, i, v) {
		s = json_string_value(json_object_get(v, "status"));
		if (s != NULL && strcmp(s, "409") == 0)
			status = 409;
	}
	return response_errors(resp, status, errs);
}

static json_t *
retry_policy_json(const struct request *req, const struct retry_policy *p,
    int cap)
{
	json_t	*outcomes = json_null();
	char	*text;

	if (p->enabled) {
		text = retry_outcomes_text(p->outcomes);
		outcomes = json_loads(text, 0, NULL);
		free(text);
	}
	return json_pack("{s:s, s:s, s:{s:b, s:o, s:o, s:o, s:i}}",
	    "type", "retry_policy", "id", req->account_id, "attributes",
	    "enabled", p->enabled,
	    "max_retries", p->enabled ? json_integer(p->max_retries) :
	    json_null(),
	    "interval_seconds", p->enabled ?
	    json_integer(p->interval_seconds) : json_null(),
	    "outcomes", outcomes != NULL ? outcomes : json_null(),
	    "max_retries_cap", cap);
}

/* GET /v1/retry-policy */
int
api_retry_policy_get(struct request *req, struct response *resp)
{
	struct retry_policy	 def;
	int			 plan_cap, found;

	if (db_account_retry_settings(req->app->db, req->account_id,
	    &plan_cap, &def, &found) == -1)
		return api_db_error(req, resp);
	return response_json(resp, 200, json_pack("{s:o, s:o}", "data",
	    retry_policy_json(req, &def, retry_cap(req->app->cfg, plan_cap)),
	    "meta", api_meta()));
}

/* PUT /v1/retry-policy */
int
api_retry_policy_put(struct request *req, struct response *resp)
{
	struct retry_policy		 p, def;
	struct retry_policy_error	 e;
	json_t				*errs = json_array(), *obj;
	const char			*base;
	int				 plan_cap, found, cap, status;

	obj = retry_body_policy(req, &base, errs);
	if (db_account_retry_settings(req->app->db, req->account_id,
	    &plan_cap, &def, &found) == -1) {
		json_decref(errs);
		return api_db_error(req, resp);
	}
	cap = retry_cap(req->app->cfg, plan_cap);
	if (retry_policy_from_json(obj, cap, &p, &e) == -1)
		json_array_append_new(errs, retry_error_object(&e, base));
	if ((status = retry_answer_errors(resp, errs)) != 0)
		return status;
	if (db_account_retry_policy_put(req->app->db, req->account_id, &p,
	    clock_now()) == -1)
		return api_db_error(req, resp);
	log_info("account %s: default retry policy %s", req->account_id,
	    p.enabled ? "set" : "off");
	return response_json(resp, 200, json_pack("{s:o, s:o}", "data",
	    retry_policy_json(req, &p, cap), "meta", api_meta()));
}

/* 200 with the record as it is now */
static int
retry_answer_validation(struct request *req, struct response *resp)
{
	struct validation	*v = NULL;
	int			 status;

	if ((status = api_validation_load(req, resp, &v)) != 0)
		return status;
	response_header(resp, "ETag", "W/\"%lld\"",
	    (long long)v->etag_version);
	response_header(resp, "Cache-Control", "no-store");
	status = response_json(resp, 200, json_pack("{s:o, s:o}", "data",
	    api_validation_json(req, v), "meta", api_meta()));
	validation_free(v);
	return status;
}

/* the 409 of a change refused: says which state the cycle is in */
static int
retry_conflict(struct request *req, struct response *resp, int cancel)
{
	struct validation	*v = NULL;
	const char		*state = NULL;
	char			 detail[200];

	if (db_validation_get(req->app->db, req->account_id, req->params[0],
	    &v) == -1)
		return api_db_error(req, resp);
	if (v != NULL)
		state = retry_terminal_name(v->retry_terminal_state);
	validation_free(v);
	if (state != NULL) {
		snprintf(detail, sizeof(detail), "the retry cycle of this "
		    "validation is already %s", state);
		return response_error(resp, 409, "retry_cycle_finished",
		    detail, NULL, NULL);
	}
	return response_error(resp, 409, cancel ? "retry_cycle_not_active" :
	    "retry_cycle_finished", cancel ? "this validation has no retry "
	    "cycle to cancel (retries are off, or it ended without needing "
	    "one)" : "the retry cycle of this validation has ended",
	    NULL, NULL);
}

static int
retry_not_found(struct response *resp)
{
	return api_not_found(resp, API_VALIDATION_NOT_FOUND);
}

/* PUT /v1/validations/{id}/retry-policy */
int
api_validation_retry_policy_put(struct request *req, struct response *resp)
{
	struct retry_policy	 p;
	struct retry_change	 ch;
	json_t			*errs = json_array(), *obj;
	const char		*base;
	int			 status;

	obj = retry_body_policy(req, &base, errs);
	if (obj == NULL)
		obj = json_null();
	if (api_retry_policy_for(req, obj, base, &p, errs) == -1) {
		json_decref(errs);
		return api_db_error(req, resp);
	}
	if ((status = retry_answer_errors(resp, errs)) != 0)
		return status;
	if (db_validation_retry_policy(req->app->db, req->account_id,
	    req->params[0], &p, clock_now(), &ch) == -1)
		return api_db_error(req, resp);
	if (!ch.found)
		return retry_not_found(resp);
	if (ch.result == -1)
		return retry_conflict(req, resp, 0);
	work_etag_publish(req->app, req->account_id, req->params[0], ch.etag,
	    1);
	log_info("validation %s: retry policy %s", req->params[0],
	    p.enabled ? "set" : "off");
	return retry_answer_validation(req, resp);
}

/* POST /v1/validations/{id}/cancel-retries */
int
api_validation_retry_cancel(struct request *req, struct response *resp)
{
	struct retry_change	 ch;

	if (db_validation_retry_cancel(req->app->db, req->account_id,
	    req->params[0], clock_now(), &ch) == -1)
		return api_db_error(req, resp);
	if (!ch.found)
		return retry_not_found(resp);
	if (ch.result == -1)
		return retry_conflict(req, resp, 1);
	if (ch.result == 0) {
		work_etag_publish(req->app, req->account_id, req->params[0],
		    ch.etag, 1);
		log_info("validation %s: retries cancelled", req->params[0]);
	}
	return retry_answer_validation(req, resp);
}

/* GET /v1/validations/{id}/retry-attempts */
int
api_validation_retry_attempts(struct request *req, struct response *resp)
{
	struct validation	*v = NULL;
	struct retry_attempt	*a = NULL;
	size_t			 n = 0, i;
	char			 path[160], id[64], *self, *vself;
	json_t			*data, *meta;
	int			 status;

	if (db_validation_get(req->app->db, req->account_id, req->params[0],
	    &v) == -1 || (v != NULL && db_retry_attempts(req->app->db,
	    req->account_id, req->params[0], &a, &n) == -1)) {
		validation_free(v);
		return api_db_error(req, resp);
	}
	if (v == NULL)
		return retry_not_found(resp);
	data = json_array();
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s-%d", v->id, a[i].attempt);
		json_array_append_new(data, json_pack("{s:s, s:s, s:{s:i, s:o, "
		    "s:o, s:o, s:o, s:o, s:o, s:o}}", "type", "retry_attempt",
		    "id", id, "attributes", "attempt", a[i].attempt,
		    "scheduled_at", api_time_or_null(a[i].scheduled_at),
		    "started_at", api_time_or_null(a[i].started_at),
		    "finished_at", api_time_or_null(a[i].finished_at),
		    "outcome", a[i].status[0] != '\0' ?
		    json_string(a[i].status) : json_null(),
		    "banxico_status", a[i].banxico_status != NULL ?
		    json_string(a[i].banxico_status) : json_null(),
		    "error_code", a[i].error_code != NULL ?
		    json_string(a[i].error_code) : json_null(),
		    "duration_ms", a[i].duration_ms >= 0 ?
		    json_integer((json_int_t)a[i].duration_ms) : json_null()));
	}
	snprintf(path, sizeof(path), "/v1/validations/%s/retry-attempts",
	    v->id);
	self = api_url(req, path);
	snprintf(path, sizeof(path), "/v1/validations/%s", v->id);
	vself = api_url(req, path);
	meta = api_meta();
	json_object_set_new(meta, "total", json_integer((json_int_t)n));
	status = response_json(resp, 200, json_pack("{s:o, s:{s:s, s:s}, "
	    "s:o}", "data", data, "links", "self", self, "validation", vself,
	    "meta", meta));
	free(self);
	free(vself);
	retry_attempt_list_free(a, n);
	validation_free(v);
	return status;
}

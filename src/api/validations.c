/*
 * mxcep: GET /v1/validations/{id}: the full Validation document of
 * spec 001, every attribute present (null where it does not apply).
 * Another account's id, a deleted-and-purged one or a non-uuid all
 * answer the same 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cache/cache.h"
#include "core/core.h"
#include "store/store.h"

/* JSON text from a column, or null; invalid text (never expected: the
 * column has a CHECK) degrades to null rather than failing the read. */
static json_t *
json_column(const char *text)
{
	json_t	*j;

	if (text == NULL)
		return json_null();
	if ((j = json_loads(text, JSON_DECODE_ANY, NULL)) == NULL) {
		log_warnx("%s: stored JSON does not parse", __func__);
		return json_null();
	}
	return j;
}

static json_t *
int_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

json_t *
api_retry_state_json(const struct validation *v)
{
	int	 on = v->retry_enabled;

	return json_pack("{s:b, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o}",
	    "enabled", on,
	    "max_retries", on ? int_or_null(v->retry_max_retries) :
	    json_null(),
	    "interval_seconds", on ? int_or_null(v->retry_interval_seconds) :
	    json_null(),
	    "outcomes", on ? json_column(v->retry_outcomes) : json_null(),
	    "attempts_completed", (json_int_t)(v->retry_attempts_completed < 0
	    ? 0 : v->retry_attempts_completed),
	    "next_attempt_at", api_time_or_null(v->retry_next_attempt_at),
	    "resolved_at", api_time_or_null(v->retry_resolved_at),
	    "exhausted_at", api_time_or_null(v->retry_exhausted_at),
	    "cancelled_at", api_time_or_null(v->retry_cancelled_at),
	    "terminal_state", json_str_or_null(retry_terminal_name(
	    v->retry_terminal_state)));
}

/* The whole resource object of one validation. */
json_t *
api_validation_json(const struct request *req, const struct validation *v)
{
	char	 path[128], *self, *xml = NULL, *pdf = NULL;
	int	 valid = v->status == VALIDATION_STATUS_VALID;
	json_t	*a, *o;

	snprintf(path, sizeof(path), "/v1/validations/%s", v->id);
	self = api_url(req, path);
	if (valid) {
		xml = xasprintf("%s/cep?format=xml", self);
		pdf = xasprintf("%s/cep?format=pdf", self);
	}
	a = json_object();
	json_object_set_new(a, "validation_type",
	    json_string(validation_type_name(v->type)));
	json_object_set_new(a, "is_playground", json_boolean(v->playground));
	json_object_set_new(a, "status",
	    json_string(validation_status_name(v->status)));
	json_object_set_new(a, "banxico_status",
	    json_str_or_null(v->banxico_status));
	json_object_set_new(a, "processing_time_ms",
	    int_or_null(v->processing_time_ms));
	json_object_set_new(a, "request_data", json_column(v->request_data));
	/* as given, or learned from Banxico's answer when not given */
	json_object_set_new(a, "clave_rastreo",
	    json_str_or_null(v->clave_rastreo));
	json_object_set_new(a, "referencia", json_str_or_null(v->referencia));
	json_object_set_new(a, "created_at", api_time_or_null(v->created_at));
	json_object_set_new(a, "completed_at",
	    api_time_or_null(v->completed_at));
	json_object_set_new(a, "enqueued_at", api_time_or_null(v->enqueued_at));
	json_object_set_new(a, "processing_started_at",
	    api_time_or_null(v->processing_started_at));
	json_object_set_new(a, "expires_at", api_time_or_null(v->expires_at));
	json_object_set_new(a, "etag_version", int_or_null(v->etag_version));
	json_object_set_new(a, "image_path", json_str_or_null(v->image_path));
	json_object_set_new(a, "ocr_result", json_column(v->ocr_result));
	json_object_set_new(a, "ocr_confidence", v->ocr_confidence < 0 ?
	    json_null() : json_real(v->ocr_confidence));
	json_object_set_new(a, "normalized_data",
	    json_column(v->normalized_data));
	json_object_set_new(a, "normalization_warnings",
	    json_column(v->normalization_warnings));
	json_object_set_new(a, "is_masked", v->is_masked < 0 ? json_null() :
	    json_boolean(v->is_masked));
	json_object_set_new(a, "banxico_result", json_column(v->banxico_result));
	json_object_set_new(a, "error_message",
	    json_str_or_null(v->error_message));
	json_object_set_new(a, "error_code", json_str_or_null(v->error_code));
	json_object_set_new(a, "batch_id", int_or_null(v->batch_id));
	json_object_set_new(a, "batch_position", int_or_null(v->batch_position));
	json_object_set_new(a, "has_cep", json_boolean(v->has_cep));
	json_object_set_new(a, "is_deleted", json_boolean(v->deleted_at != 0));
	json_object_set_new(a, "deleted_at", api_time_or_null(v->deleted_at));
	json_object_set_new(a, "retry_state", api_retry_state_json(v));

	o = json_pack("{s:s, s:s, s:o, s:{s:s, s:o, s:o}}", "type",
	    "validation", "id", v->id, "attributes", a, "links", "self", self,
	    "cep_xml", json_str_or_null(xml), "cep_pdf", json_str_or_null(pdf));
	free(self);
	free(xml);
	free(pdf);
	return o;
}

/*
 * Does If-None-Match (a list of entity tags, weak comparison) name the
 * version? Tolerates W/, missing quotes and a "-gzip" suffix (Apache
 * mod_deflate appends it to the tags it passes on).
 */
int
api_etag_matches(const char *inm, int64_t version)
{
	char		 want[32], tag[80];
	const char	*p = inm;
	size_t		 n;

	if (inm == NULL || version < 0)
		return 0;
	snprintf(want, sizeof(want), "%lld", (long long)version);
	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		n = strcspn(p, ",");
		if (n == 1 && *p == '*')
			return 1;
		snprintf(tag, sizeof(tag), "%.*s", (int)(n < sizeof(tag) - 1 ?
		    n : sizeof(tag) - 1), p);
		p += n;
		n = strlen(tag);
		while (n > 0 && (tag[n - 1] == ' ' || tag[n - 1] == '\t'))
			tag[--n] = '\0';
		memmove(tag, tag + (strncmp(tag, "W/", 2) == 0 ? 2 : 0),
		    strlen(tag) + 1 - (strncmp(tag, "W/", 2) == 0 ? 2 : 0));
		n = strlen(tag);
		if (n >= 2 && tag[0] == '"' && tag[n - 1] == '"') {
			tag[n - 1] = '\0';
			memmove(tag, tag + 1, n - 1);
		}
		n = strlen(tag);
		if (n > 5 && strcmp(tag + n - 5, "-gzip") == 0)
			tag[n - 5] = '\0';
		if (strcmp(tag, want) == 0)
			return 1;
	}
	return 0;
}

/* The headers a 200 and a 304 share. */
static void
validations_cache_headers(struct response *resp, int64_t version)
{
	response_header(resp, "ETag", "W/\"%lld\"", (long long)version);
	response_header(resp, "Cache-Control", "private, no-cache");
}

/* 304 from memcached alone when it knows the version the client has. */
static int
validations_not_modified(struct request *req, struct response *resp)
{
	char	 key[128], *val = NULL, *end = NULL;
	size_t	 len;
	long long version;
	int	 hit, pending;

	snprintf(key, sizeof(key), "etag:%s:%s", req->account_id,
	    req->params[0]);
	if (cache_get(req->app->cache, key, &val, &len) != 0)
		return 0;
	version = strtoll(val, &end, 10);
	pending = *end == 'p';
	hit = end != val && (*end == '\0' || (pending && end[1] == '\0')) &&
	    api_etag_matches(req->if_none_match, version);
	free(val);
	if (!hit)
		return 0;
	validations_cache_headers(resp, version);
	if (pending)
		response_header(resp, "Retry-After", "%d",
		    req->app->cfg->poll_after_seconds);
	return response_empty(resp, 304);
}

/* The memcached keys of the version and of the rendered document (per
 * base URL: links are absolute). */
static void
validations_doc_keys(const struct request *req, char etag[128],
    char doc[160])
{
	char	*base = api_url(req, ""), h[2 * SHA256_LEN + 1];

	sha256_hex(base, strlen(base), h);
	free(base);
	snprintf(etag, 128, "etag:%s:%s", req->account_id, req->params[0]);
	snprintf(doc, 160, "doc:%s:%s:%.16s", req->account_id,
	    req->params[0], h);
}

/*
 * A finished validation's document straight from memcached: one round
 * trip fetches the current version (kept by every writer) and the
 * rendered document, used only when the two agree. Returns 200, or 0.
 */
static int
validations_cached_doc(struct request *req, struct response *resp)
{
	char		 ek[128], dk[160], *vals[2], *end = NULL;
	const char	*keys[2] = { ek, dk };
	size_t		 lens[2];
	long long	 version, docv;
	int		 status = 0;

	validations_doc_keys(req, ek, dk);
	if (cache_get_many(req->app->cache, keys, 2, vals, lens) != 2)
		goto out;
	version = strtoll(vals[0], &end, 10);
	if (end == vals[0] || *end != '\0')	/* pending ("3p"): not cached */
		goto out;
	docv = strtoll(vals[1], &end, 10);
	if (docv != version || *end != '\n')
		goto out;
	validations_cache_headers(resp, version);
	resp->status = status = 200;
	resp->content_type = "application/vnd.api+json";
	buf_reset(&resp->body);
	buf_append(&resp->body, end + 1, lens[1] - (size_t)(end + 1 - vals[1]));
out:
	free(vals[0]);
	free(vals[1]);
	return status;
}

/* Keeps a finished validation's rendered document for the next GET. */
static void
validations_cache_doc(struct request *req, const struct validation *v,
    const struct response *resp)
{
	char		 ek[128], dk[160];
	struct buf	 b;

	validations_doc_keys(req, ek, dk);
	buf_init(&b);
	buf_printf(&b, "%lld\n", (long long)v->etag_version);
	buf_append(&b, resp->body.data, resp->body.len);
	(void)cache_set(req->app->cache, dk, b.data, b.len, 300);
	buf_free(&b);
	work_etag_publish_state(req->app, v->account_id, v->id,
	    v->etag_version, 0, 0);
}

int
api_validations_get(struct request *req, struct response *resp)
{
	struct validation	*v = NULL;
	json_t			*meta;
	int			 status, pending;

	if (req->if_none_match != NULL &&
	    (status = validations_not_modified(req, resp)) != 0)
		return status;
	if ((status = validations_cached_doc(req, resp)) != 0)
		return status;
	if ((status = api_validation_load(req, resp, &v)) != 0)
		return status;
	validations_cache_headers(resp, v->etag_version);
	pending = v->status == VALIDATION_STATUS_QUEUED ||
	    v->status == VALIDATION_STATUS_PROCESSING;
	if (req->if_none_match != NULL)	/* a poller: let the next poll skip MariaDB */
		work_etag_publish_state(req->app, v->account_id, v->id,
		    v->etag_version, 0, pending);
	if (pending)
		response_header(resp, "Retry-After", "%d",
		    req->app->cfg->poll_after_seconds);
	if (api_etag_matches(req->if_none_match, v->etag_version)) {
		validation_free(v);
		return response_empty(resp, 304);
	}
	meta = api_meta();
	if (pending)
		json_object_set_new(meta, "next_poll_after_seconds",
		    json_integer(req->app->cfg->poll_after_seconds));
	status = response_json(resp, 200, json_pack("{s:o, s:o}", "data",
	    api_validation_json(req, v), "meta", meta));
	if (status == 200 && !pending && cache_enabled(req->app->cache))
		validations_cache_doc(req, v, resp);
	validation_free(v);
	return status;
}

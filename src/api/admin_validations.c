/*
 * mxcep: the operator's views of validations, scope admin: every
 * account's records (GET /v1/admin/validations, filter account_id),
 * the latest ones (GET /v1/admin/validations/recent) and one record
 * with what Banxico answered and the job attempts
 * (GET /v1/admin/validations/{id}/raw).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

#define RECENT_DEFAULT	20

int
api_admin_validations_list(struct request *req, struct response *resp)
{
	struct validation_filter	 f;
	int				 status;

	if ((status = api_filter_from_request(req, resp,
	    FILTER_PAGINATION | FILTER_ACCOUNT, NULL, &f)) != 0)
		return status;
	return api_records_page(req, resp, &f, 1);
}

/* GET /v1/admin/validations/recent?limit=N: the newest N (<= 100) of
 * every account, soft-deleted ones included (is_deleted tells). */
int
api_admin_validations_recent(struct request *req, struct response *resp)
{
	struct validation_filter	 f;
	struct validation		**rows = NULL;
	size_t				 n = 0, i;
	char				*lim, *end = NULL;
	long				 limit = RECENT_DEFAULT;
	json_t				*data, *meta;

	if ((lim = request_query_get(req, "limit")) != NULL) {
		limit = strtol(lim, &end, 10);
		if (lim[0] < '0' || lim[0] > '9' || *end != '\0' ||
		    limit < 1 || limit > FILTER_PER_PAGE_MAX) {
			free(lim);
			return response_error(resp, 400, "invalid_parameter",
			    "limit must be an integer from 1 to 100", NULL,
			    "limit");
		}
		free(lim);
	}
	validation_filter_init(&f);
	f.with_deleted = 1;
	f.per_page = (int)limit;
	if (db_validation_list(req->app->db, &f, &rows, &n) == -1)
		return api_db_error(req, resp);
	data = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(data, api_validation_item_json(req,
		    rows[i], 1));
	validation_list_free(rows, n);
	/* the collection is "the latest N": total is what it holds */
	meta = api_meta();
	json_object_set_new(meta, "total", json_integer((json_int_t)n));
	json_object_set_new(meta, "page", json_integer(1));
	json_object_set_new(meta, "per_page", json_integer(limit));
	response_header(resp, "Cache-Control", "private, no-store");
	return response_json(resp, 200, json_pack("{s:o, s:o}", "data", data,
	    "meta", meta));
}

/* valid UTF-8 (json_stringn accepts nothing else) */
static int
admin_utf8(const char *s, size_t n)
{
	json_t	*j = json_stringn(s, n);

	if (j == NULL)
		return 0;
	json_decref(j);
	return 1;
}

static json_t *
admin_attempts_json(const struct job_attempt *j, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:i, "
		    "s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)j[i].id,
		    "kind", j[i].kind, "state", j[i].state, "tries", j[i].tries,
		    "run_after", api_time_or_null(j[i].run_after),
		    "lease_owner", j[i].lease_owner != NULL ?
		    json_string(j[i].lease_owner) : json_null(),
		    "lease_until", api_time_or_null(j[i].lease_until),
		    "created_at", api_time_or_null(j[i].created_at),
		    "finished_at", api_time_or_null(j[i].finished_at)));
	return a;
}

/*
 * The full Validation (spec 001) of any account, its attributes
 * extended with account_id, banxico_raw_answer (the page Banxico
 * served when it was not recognised: text, or base64 in
 * banxico_raw_answer_base64 when it is not UTF-8) and attempts (the
 * jobs that ran it).
 */
int
api_admin_validations_raw(struct request *req, struct response *resp)
{
	struct validation	*v = NULL;
	struct job_attempt	*jobs = NULL;
	size_t			 njobs = 0, rawlen = 0;
	char			*raw = NULL, *b64 = NULL;
	json_t			*doc, *a;
	int			 status;

	if (db_validation_get_any(req->app->db, req->params[0], &v) == -1)
		return api_db_error(req, resp);
	if (v == NULL)
		return api_not_found(resp, API_VALIDATION_NOT_FOUND);
	if (db_validation_raw_answer(req->app->db, v->id, &raw,
	    &rawlen) == -1 ||
	    db_validation_jobs(req->app->db, v->id, &jobs, &njobs) == -1) {
		status = api_db_error(req, resp);
		goto out;
	}
	doc = api_validation_json(req, v);
	a = json_object_get(doc, "attributes");
	json_object_set_new(a, "account_id", json_string(v->account_id));
	if (raw != NULL && admin_utf8(raw, rawlen)) {
		json_object_set_new(a, "banxico_raw_answer",
		    json_stringn(raw, rawlen));
		json_object_set_new(a, "banxico_raw_answer_base64",
		    json_null());
	} else {
		b64 = raw != NULL ? api_base64(raw, rawlen) : NULL;
		json_object_set_new(a, "banxico_raw_answer", json_null());
		json_object_set_new(a, "banxico_raw_answer_base64",
		    b64 != NULL ? json_string(b64) : json_null());
	}
	json_object_set_new(a, "attempts", admin_attempts_json(jobs, njobs));
	response_header(resp, "Cache-Control", "private, no-store");
	status = response_json(resp, 200, json_pack("{s:o, s:o}", "data", doc,
	    "meta", api_meta()));
out:
	free(raw);
	free(b64);
	job_attempt_list_free(jobs, njobs);
	validation_free(v);
	return status;
}

/* standard base64 with padding; caller frees */
char *
api_base64(const void *data, size_t n)
{
	static const char	 t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = data;
	char			*out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;
	size_t			 i;
	unsigned int		 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned int)p[i] << 16 | (unsigned int)p[i + 1] << 8 |
		    p[i + 2];
		*o++ = t[v >> 18 & 63];
		*o++ = t[v >> 12 & 63];
		*o++ = t[v >> 6 & 63];
		*o++ = t[v & 63];
	}
	if (i < n) {
		v = (unsigned int)p[i] << 16 |
		    (i + 1 < n ? (unsigned int)p[i + 1] << 8 : 0);
		*o++ = t[v >> 18 & 63];
		*o++ = t[v >> 12 & 63];
		*o++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/*
 * mxcep: the records of an account (spec 000, 004): GET /v1/validations
 * (ValidationListItem pages), GET /v1/validations/stats, DELETE
 * /v1/validations/{id} (soft delete) and GET /v1/validations/{id}/image.
 * Every read is confined to the key's account; the filters are parsed
 * by filters.c and run by the store (store/query_*.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

#define IMAGE_MAX_BYTES	(16L * 1024 * 1024)

/* RetryStateCompact: the policy fields are always null in lists */
static json_t *
records_retry_compact(const struct validation *v)
{
	return json_pack("{s:b, s:n, s:n, s:n, s:I, s:o, s:o, s:o, s:o, s:o}",
	    "enabled", v->retry_enabled, "max_retries", "interval_seconds",
	    "outcomes", "attempts_completed",
	    (json_int_t)(v->retry_attempts_completed < 0 ? 0 :
	    v->retry_attempts_completed),
	    "next_attempt_at", api_time_or_null(v->retry_next_attempt_at),
	    "resolved_at", api_time_or_null(v->retry_resolved_at),
	    "exhausted_at", api_time_or_null(v->retry_exhausted_at),
	    "cancelled_at", api_time_or_null(v->retry_cancelled_at),
	    "terminal_state", json_str_or_null(retry_terminal_name(
	    v->retry_terminal_state)));
}

json_t *
api_validation_item_json(const struct request *req,
    const struct validation *v, int with_account)
{
	char	 path[128], *self;
	json_t	*a, *o;

	a = json_object();
	if (with_account)
		json_object_set_new(a, "account_id",
		    json_string(v->account_id));
	json_object_set_new(a, "validation_type",
	    json_string(validation_type_name(v->type)));
	json_object_set_new(a, "status",
	    json_string(validation_status_name(v->status)));
	json_object_set_new(a, "fecha", v->fecha[0] != '\0' ?
	    json_string(v->fecha) : json_null());
	/* centavos / 100 prints exactly: at most 14 significant digits,
	 * and response_json() writes 15 */
	json_object_set_new(a, "monto", v->monto_cents < 0 ? json_null() :
	    json_real((double)v->monto_cents / 100.0));
	json_object_set_new(a, "clave_rastreo",
	    json_str_or_null(v->clave_rastreo));
	json_object_set_new(a, "referencia", json_str_or_null(v->referencia));
	json_object_set_new(a, "emisor", json_str_or_null(v->emisor));
	json_object_set_new(a, "receptor", json_str_or_null(v->receptor));
	json_object_set_new(a, "playground", json_boolean(v->playground));
	json_object_set_new(a, "created_at", api_time_or_null(v->created_at));
	json_object_set_new(a, "completed_at",
	    api_time_or_null(v->completed_at));
	json_object_set_new(a, "deleted_at", api_time_or_null(v->deleted_at));
	json_object_set_new(a, "is_deleted", json_boolean(v->deleted_at != 0));
	json_object_set_new(a, "retry_state", records_retry_compact(v));
	snprintf(path, sizeof(path), "/v1/validations/%s", v->id);
	self = api_url(req, path);
	o = json_pack("{s:s, s:s, s:o, s:{s:s}}", "type", "validation",
	    "id", v->id, "attributes", a, "links", "self", self);
	free(self);
	return o;
}

/* the pagination keys of a query, by family */
enum page_key {
	PAGE_KEY_NONE = 0,
	PAGE_KEY_NUMBER,	/* page | page[number] */
	PAGE_KEY_SIZE		/* per_page | page[size] */
};

/* what the query key raw (n bytes, URL-encoded) is; *bracket 1 for
 * the JSON:API spelling (page[number], page[size]) */
static enum page_key
records_page_key(const char *raw, size_t n, int *bracket)
{
	char		*name = xmalloc(n + 1);
	enum page_key	 k = PAGE_KEY_NONE;

	url_decode(name, raw, n);
	if (strcmp(name, "page") == 0 || strcmp(name, "page[number]") == 0)
		k = PAGE_KEY_NUMBER;
	else if (strcmp(name, "per_page") == 0 ||
	    strcmp(name, "page[size]") == 0)
		k = PAGE_KEY_SIZE;
	*bracket = k != PAGE_KEY_NONE && strchr(name, '[') != NULL;
	free(name);
	return k;
}

/* 1 when the request spells any pagination key the JSON:API way */
static int
records_page_family_jsonapi(const char *query)
{
	const char	*p = query, *amp, *eq;
	size_t		 len;
	int		 bracket, jsonapi = 0;

	while (p != NULL && *p != '\0' && !jsonapi) {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', len);
		(void)records_page_key(p, eq != NULL ? (size_t)(eq - p) : len,
		    &bracket);
		jsonapi = bracket;
		p = amp != NULL ? amp + 1 : NULL;
	}
	return jsonapi;
}

/*
 * The URL of this collection at page n: the request's query as the
 * client wrote it, its page number replaced, in one parameter family:
 * page[number] + page[size] when the request spelled either of them
 * that way, else page + per_page (a size given in the other spelling
 * is renamed, never mixed).
 */
static char *
records_page_url(const struct request *req, int page)
{
	struct buf	 q;
	const char	*p = req->query, *amp, *eq;
	char		*base, *url;
	size_t		 len, klen;
	int		 jsonapi, bracket;
	enum page_key	 k;

	jsonapi = records_page_family_jsonapi(req->query);
	buf_init(&q);
	while (p != NULL && *p != '\0') {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', len);
		klen = eq != NULL ? (size_t)(eq - p) : len;
		k = len > 0 ? records_page_key(p, klen, &bracket) :
		    PAGE_KEY_NONE;
		if (len > 0 && k != PAGE_KEY_NUMBER) {
			if (q.len > 0)
				buf_puts(&q, "&");
			if (k == PAGE_KEY_SIZE && bracket != jsonapi) {
				buf_puts(&q, jsonapi ? "page%5Bsize%5D" :
				    "per_page");
				buf_append(&q, p + klen, len - klen);
			} else
				buf_append(&q, p, len);
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
	if (q.len > 0)
		buf_puts(&q, "&");
	buf_printf(&q, "%s=%d", jsonapi ? "page%5Bnumber%5D" : "page", page);
	base = api_url(req, req->path);
	url = xasprintf("%s?%s", base, q.data);
	free(base);
	buf_free(&q);
	return url;
}

static json_t *
records_link(const struct request *req, int page)
{
	char	*u = records_page_url(req, page);
	json_t	*j = json_string(u);

	free(u);
	return j;
}

/* JSON:API pagination links; prev/next null where they do not apply */
json_t *
api_page_links(const struct request *req, int page, int per_page,
    uint64_t total)
{
	char		*base, *self;
	uint64_t	 last64;
	int		 last, prev;
	json_t		*links;

	last64 = total == 0 ? 1 : (total + (uint64_t)per_page - 1) /
	    (uint64_t)per_page;
	last = last64 > FILTER_PAGE_MAX ? FILTER_PAGE_MAX : (int)last64;
	prev = page - 1 > last ? last : page - 1;
	base = api_url(req, req->path);
	self = req->query[0] != '\0' ? xasprintf("%s?%s", base, req->query) :
	    xstrdup(base);
	links = json_pack("{s:s, s:o, s:o, s:o, s:o}", "self", self,
	    "first", records_link(req, 1),
	    "prev", prev >= 1 ? records_link(req, prev) : json_null(),
	    "next", page < last ? records_link(req, page + 1) :
	    json_null(),
	    "last", records_link(req, last));
	free(base);
	free(self);
	return links;
}

/*
 * One page of f as a ValidationListItem collection (admin: with the
 * account of each row). meta: total (rows matching f), page, per_page.
 */
int
api_records_page(struct request *req, struct response *resp,
    const struct validation_filter *f, int admin)
{
	struct validation	**rows = NULL;
	size_t			 n = 0, i;
	uint64_t		 total = 0;
	json_t			*data, *meta;

	if (db_validation_page(req->app->db, f,
	    req->app->cfg->list_locate_rows, &rows, &n, &total) == -1)
		return api_db_error(req, resp);
	data = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(data, api_validation_item_json(req,
		    rows[i], admin));
	validation_list_free(rows, n);
	meta = api_meta();
	json_object_set_new(meta, "total", json_integer((json_int_t)total));
	json_object_set_new(meta, "page", json_integer(f->page));
	json_object_set_new(meta, "per_page", json_integer(f->per_page));
	response_header(resp, "Cache-Control", "private, no-cache");
	return response_json(resp, 200, json_pack("{s:o, s:o, s:o}",
	    "data", data, "meta", meta, "links", api_page_links(req,
	    f->page, f->per_page, total)));
}

int
api_validations_list(struct request *req, struct response *resp)
{
	struct validation_filter	 f;
	int				 status;

	if ((status = api_filter_from_request(req, resp, FILTER_PAGINATION,
	    NULL, &f)) != 0)
		return status;
	return api_records_page(req, resp, &f, 0);
}

/*
 * GET /v1/validations/stats: the rows matching the filters, counted.
 * The population is the live rows, or every row with with_deleted=1:
 *   total      rows of the population;
 *   valid      of them with status valid;
 *   not_found  of them with status not_found;
 *   other      of them with any other status (queued, processing,
 *              cep_unavailable, invalid, failed, error), so that
 *              total = valid + not_found + other always;
 *   deleted    soft-deleted rows matching the other filters, whatever
 *              with_deleted says: outside total by default, inside it
 *              (and counted in their status) with with_deleted=1;
 *   by_status  the population per status (all eight, zeros included).
 */
int
api_validations_stats(struct request *req, struct response *resp)
{
	struct validation_filter	 f;
	struct validation_counts	 c;
	uint64_t			 pop[VALIDATION_STATUS__MAX];
	uint64_t			 total = 0, deleted = 0;
	json_t				*by, *meta;
	int				 s, status;

	if ((status = api_filter_from_request(req, resp, 0, NULL, &f)) != 0)
		return status;
	if (db_validation_counts(req->app->db, &f, &c) == -1)
		return api_db_error(req, resp);
	by = json_object();
	for (s = 0; s < VALIDATION_STATUS__MAX; s++) {
		pop[s] = c.live[s] + (f.with_deleted ? c.deleted[s] : 0);
		total += pop[s];
		deleted += c.deleted[s];
		json_object_set_new(by, validation_status_name(
		    (enum validation_status)s), json_integer((json_int_t)pop[s]));
	}
	meta = api_meta();
	json_object_set_new(meta, "with_deleted", json_boolean(f.with_deleted));
	response_header(resp, "Cache-Control", "private, no-cache");
	return response_json(resp, 200, json_pack("{s:{s:s, s:s, s:{s:I, "
	    "s:I, s:I, s:I, s:I, s:o}}, s:o}", "data", "type",
	    "validation_stats", "id", req->account_id, "attributes",
	    "total", (json_int_t)total,
	    "valid", (json_int_t)pop[VALIDATION_STATUS_VALID],
	    "not_found", (json_int_t)pop[VALIDATION_STATUS_NOT_FOUND],
	    "deleted", (json_int_t)deleted,
	    "other", (json_int_t)(total - pop[VALIDATION_STATUS_VALID] -
	    pop[VALIDATION_STATUS_NOT_FOUND]),
	    "by_status", by, "meta", meta));
}

/* DELETE /v1/validations/{id}: soft delete, idempotent. A deleted
 * record is not retried: a running cycle ends cancelled in the same
 * transaction. */
int
api_validations_delete(struct request *req, struct response *resp)
{
	int		 found = 0, changed = 0, cancelled = 0;
	int64_t		 etag = -1;

	if (db_validation_soft_delete(req->app->db, req->account_id,
	    req->params[0], clock_now(), &found, &changed, &cancelled,
	    &etag) == -1)
		return api_db_error(req, resp);
	if (!found)
		return api_not_found(resp, API_VALIDATION_NOT_FOUND);
	if (cancelled)
		log_info("validation %s: retry cycle cancelled by the delete",
		    req->params[0]);
	if (changed) {
		/* pollers must see the new version (is_deleted) */
		work_etag_publish(req->app, req->account_id, req->params[0],
		    etag, 1);
		log_info("validation %s: soft-deleted", req->params[0]);
	}
	return response_empty(resp, 204);
}

/* ---- receipt image ------------------------------------------------------ */

/* the content type from the first bytes; NULL when not an image we serve */
static const char *
records_image_type(const unsigned char *b, size_t n, const char **ext)
{
	if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) {
		*ext = "png";
		return "image/png";
	}
	if (n >= 3 && memcmp(b, "\xff\xd8\xff", 3) == 0) {
		*ext = "jpg";
		return "image/jpeg";
	}
	if (n >= 12 && memcmp(b, "RIFF", 4) == 0 &&
	    memcmp(b + 8, "WEBP", 4) == 0) {
		*ext = "webp";
		return "image/webp";
	}
	if (n >= 6 && (memcmp(b, "GIF87a", 6) == 0 ||
	    memcmp(b, "GIF89a", 6) == 0)) {
		*ext = "gif";
		return "image/gif";
	}
	return NULL;
}

/* a stored relative path we are willing to open under storage_dir */
static int
records_image_path_ok(const char *p)
{
	const char	*seg;
	size_t		 n;

	if (p == NULL || p[0] == '\0' || p[0] == '/' || strchr(p, '\\'))
		return 0;
	for (seg = p; *seg != '\0'; seg += n + (seg[n] == '/')) {
		n = strcspn(seg, "/");
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
	}
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			return 0;
	return 1;
}

/*
 * Reads storage_dir/rel into body; refuses anything that resolves
 * outside storage_dir (symbolic links included). 0 ok, -1 (logged).
 */
static int
records_image_read(const char *dir, const char *rel, struct buf *body)
{
	char		 root[PATH_MAX], full[PATH_MAX], *joined = NULL;
	struct stat	 st;
	ssize_t		 r;
	size_t		 n;
	char		 chunk[65536];
	int		 fd = -1, rc = -1;

	if (!records_image_path_ok(rel)) {
		log_warnx("%s: refusing image_path \"%.100s\"", __func__, rel);
		return -1;
	}
	if (realpath(dir, root) == NULL) {
		log_warn("%s: storage_dir %s", __func__, dir);
		return -1;
	}
	joined = xasprintf("%s/%s", root, rel);
	if (realpath(joined, full) == NULL) {
		log_warn("%s: %s", __func__, joined);
		goto out;
	}
	n = strlen(root);
	if (strncmp(full, root, n) != 0 || full[n] != '/') {
		log_warnx("%s: %s escapes storage_dir", __func__, joined);
		goto out;
	}
	if ((fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		log_warn("%s: open %s", __func__, full);
		goto out;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > IMAGE_MAX_BYTES) {
		log_warnx("%s: %s is not a regular file of at most %ld bytes",
		    __func__, full, IMAGE_MAX_BYTES);
		goto out;
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: read %s", __func__, full);
			goto out;
		}
		if (body->len + (size_t)r > (size_t)IMAGE_MAX_BYTES) {
			log_warnx("%s: %s grew past the limit", __func__, full);
			goto out;
		}
		buf_append(body, chunk, (size_t)r);
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(joined);
	return rc;
}

/* GET /v1/validations/{id}/image: the stored receipt of an OCR validation */
int
api_validations_image(struct request *req, struct response *resp)
{
	struct validation	*v = NULL;
	struct buf		 img;
	const char		*ct, *ext = "bin", *dir;
	int			 status;

	buf_init(&img);
	if ((status = api_validation_load(req, resp, &v)) != 0)
		return status;
	dir = req->app->cfg->storage_dir;
	if (v->type == VALIDATION_TYPE_DIRECT && v->image_path == NULL)
		status = response_error(resp, 404, "image_not_available",
		    "this is a direct validation (text parameters): only OCR "
		    "validations have a receipt image", NULL, NULL);
	else if (v->image_path == NULL)
		status = response_error(resp, 404, "image_not_available",
		    "no receipt image is stored for this validation", NULL,
		    NULL);
	else if (dir[0] == '\0')
		status = response_error(resp, 404, "image_not_available",
		    "receipt images are not stored on this server "
		    "(storage_dir is not configured)", NULL, NULL);
	else if (records_image_read(dir, v->image_path, &img) == -1 ||
	    (ct = records_image_type((const unsigned char *)img.data, img.len,
	    &ext)) == NULL)
		status = response_error(resp, 404, "image_not_available",
		    "the receipt image of this validation cannot be read",
		    NULL, NULL);
	else {
		resp->content_type = ct;
		response_header(resp, "Content-Disposition",
		    "inline; filename=\"comprobante-%s.%s\"", v->id, ext);
		response_header(resp, "Cache-Control", "private, max-age=86400");
		response_header(resp, "X-Content-Type-Options", "nosniff");
		buf_append(&resp->body, img.data, img.len);
		resp->status = 200;
		status = 200;
	}
	buf_free(&img);
	validation_free(v);
	return status;
}

/*
 * mxcep: /v1/receiving-accounts: the CLABEs a business is paid into,
 * registered by the account itself (issue 14). A receipt that shows a
 * masked account (****1234 and a bank) is completed from them. Every
 * read and write is confined to the key's account: another account's
 * receiving account is "not found". The body is checked by
 * receiving_input.c; POST takes an Idempotency-Key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

#define RECV_PATH	"/v1/receiving-accounts"

/* the bank of a stored code: its catalog name, null when the code is a
 * shared prefix or the catalog cannot be read */
static json_t *
recv_bank_json(const struct request *req, const char *code)
{
	const struct bank_catalog	*cat = app_banks(req->app);
	const struct bank		*b = NULL;
	json_t				*name = json_null();

	if (cat != NULL && strlen(code) > CLABE_PREFIX_LEN &&
	    bank_catalog_resolve(cat, code, &b) == BANK_MATCH_ONE)
		name = json_string(b->short_name);
	return json_pack("{s:s, s:o}", "code", code, "name", name);
}

static json_t *
recv_json(const struct request *req, const struct receiving_account *ra)
{
	char	 path[128], *self;
	json_t	*o;

	snprintf(path, sizeof(path), RECV_PATH "/%s", ra->id);
	self = api_url(req, path);
	o = json_pack("{s:s, s:s, s:{s:s, s:o, s:o, s:o}, s:{s:s}}",
	    "type", "receiving_account", "id", ra->id, "attributes",
	    "clabe", ra->clabe, "bank", recv_bank_json(req, ra->bank_code),
	    "alias", json_str_or_null(ra->alias),
	    "created_at", api_time_or_null(ra->created_at),
	    "links", "self", self);
	free(self);
	return o;
}

/* 201 (a creation, or its replay) or 200 with one receiving account */
static int
recv_answer(struct request *req, struct response *resp, int status,
    const struct receiving_account *ra)
{
	char	 path[128], *url;

	snprintf(path, sizeof(path), RECV_PATH "/%s", ra->id);
	url = api_url(req, path);
	if (status == 201)
		response_header(resp, "Location", "%s", url);
	free(url);
	response_header(resp, "Cache-Control", "private, no-cache");
	return response_json(resp, status, json_pack("{s:o, s:o}", "data",
	    recv_json(req, ra), "meta", api_meta()));
}

int
api_receiving_accounts_list(struct request *req, struct response *resp)
{
	struct validation_filter	 f;
	struct filter_error		 e;
	struct receiving_account	*rows = NULL;
	size_t				 n = 0, i;
	uint64_t			 total = 0;
	json_t				*data, *meta;

	/* the route takes only page and per_page (either spelling) */
	if (api_filter_parse(req->query, FILTER_PAGINATION, NULL, &f,
	    &e) == -1)
		return response_error(resp, e.status, e.code, e.detail, NULL,
		    e.parameter);
	if (db_receiving_account_page(req->app->db, req->account_id, f.page,
	    f.per_page, &rows, &n, &total) == -1)
		return api_db_error(req, resp);
	data = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(data, recv_json(req, &rows[i]));
	receiving_account_list_free(rows, n);
	meta = api_meta();
	json_object_set_new(meta, "total", json_integer((json_int_t)total));
	json_object_set_new(meta, "page", json_integer(f.page));
	json_object_set_new(meta, "per_page", json_integer(f.per_page));
	response_header(resp, "Cache-Control", "private, no-cache");
	return response_json(resp, 200, json_pack("{s:o, s:o, s:o}",
	    "data", data, "meta", meta, "links", api_page_links(req, f.page,
	    f.per_page, total)));
}

int
api_receiving_accounts_get(struct request *req, struct response *resp)
{
	struct receiving_account	*ra = NULL;
	int				 status;

	if (db_receiving_account_get(req->app->db, req->account_id,
	    req->params[0], &ra) == -1)
		return api_db_error(req, resp);
	if (ra == NULL)
		return api_not_found(resp, API_RECEIVING_ACCOUNT_NOT_FOUND);
	status = recv_answer(req, resp, 200, ra);
	receiving_account_free(ra);
	return status;
}

int
api_receiving_accounts_delete(struct request *req, struct response *resp)
{
	int	 found = 0;

	if (db_receiving_account_delete(req->app->db, req->account_id,
	    req->params[0], &found) == -1)
		return api_db_error(req, resp);
	if (!found)
		return api_not_found(resp, API_RECEIVING_ACCOUNT_NOT_FOUND);
	log_info("receiving account %s: deleted", req->params[0]);
	return response_empty(resp, 204);
}

/* ---- POST --------------------------------------------------------------- */

static int
recv_check(struct request *req, struct response *resp, void *arg)
{
	struct receiving_input	*in = arg;
	json_t			*errs = json_array();
	int			 status;

	status = api_receiving_input(req->json, app_banks(req->app), in, errs);
	if (status == 0) {
		json_decref(errs);
		return 0;
	}
	if (status == 503)
		response_header(resp, "Retry-After", "5");
	return response_errors(resp, status, errs);
}

/* 409 receiving_account_exists, naming the one registered */
static int
recv_exists(struct response *resp, const char *id)
{
	char	 detail[160];
	json_t	*e;

	snprintf(detail, sizeof(detail), "this CLABE is already registered "
	    "in the account as receiving account %s", id);
	e = response_error_object(409, "receiving_account_exists", detail,
	    "/data/attributes/clabe", NULL);
	json_object_set_new(e, "meta", json_pack("{s:s}", "id", id));
	return response_errors(resp, 409, json_pack("[o]", e));
}

static int
recv_create(struct request *req, struct response *resp,
    const struct idem_claim *claim, void *arg)
{
	struct receiving_input		*in = arg;
	struct receiving_account	 ra;
	enum receiving_create		 result;
	char				 existing[UUID_STR_LEN + 1];

	memset(&ra, 0, sizeof(ra));
	if (uuid_v4(ra.id) == -1)
		return response_error(resp, 500, "internal_error", "no "
		    "randomness for an id", NULL, NULL);
	snprintf(ra.account_id, sizeof(ra.account_id), "%s", req->account_id);
	memcpy(ra.clabe, in->clabe, sizeof(ra.clabe));
	memcpy(ra.bank_code, in->bank_code, sizeof(ra.bank_code));
	ra.alias = in->alias;		/* borrowed */
	ra.created_at = clock_now();
	if (db_receiving_account_create(req->app->db, &ra, claim, &result,
	    existing) == -1)
		return api_db_error(req, resp);
	switch (result) {
	case RECEIVING_CREATED:
		log_info("receiving account %s: created (bank %s)", ra.id,
		    ra.bank_code);
		return recv_answer(req, resp, 201, &ra);
	case RECEIVING_EXISTS:
		return recv_exists(resp, existing);
	case RECEIVING_CLAIM_LOST:
		break;
	}
	return response_error(resp, 409, "idempotency_key_in_use", "a request "
	    "with this Idempotency-Key is still being processed", NULL, NULL);
}

/* the first request created it and never answered: answer from it */
static int
recv_existing(struct request *req, struct response *resp, const char *id,
    void *arg)
{
	struct receiving_account	*ra = NULL;
	int				 status;

	(void)arg;
	if (db_receiving_account_get(req->app->db, req->account_id, id,
	    &ra) == -1)
		return api_db_error(req, resp);
	if (ra == NULL)		/* deleted since */
		return api_not_found(resp, API_RECEIVING_ACCOUNT_NOT_FOUND);
	status = recv_answer(req, resp, 201, ra);
	receiving_account_free(ra);
	return status;
}

static const struct api_idem_op recv_op = {
	.endpoint = "receiving_accounts",
	.check = recv_check,
	.create = recv_create,
	.existing = recv_existing,
	.mismatch = "this Idempotency-Key was used with a different request "
	    "(body)",
};

int
api_receiving_accounts_create(struct request *req, struct response *resp)
{
	struct receiving_input	 in;
	int			 status;

	memset(&in, 0, sizeof(in));
	status = api_idempotent(req, resp, &recv_op, &in);
	api_receiving_input_free(&in);
	return status;
}

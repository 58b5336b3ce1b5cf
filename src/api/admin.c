/*
 * mxcep: /v1/admin/api-keys: an admin key manages the API keys of its
 * own account. The secret is shown once, at creation, and never
 * again; listings show only its prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

#define ADMIN_KEY_NAME_MAX	100

static json_t *
admin_scopes_json(unsigned int scopes)
{
	char	*s = scopes_format(scopes), *tok, *save = NULL;
	json_t	*a = json_array();

	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(tok));
	free(s);
	return a;
}

static json_t *
admin_key_json(const struct request *req, const struct api_key *k)
{
	char	 path[128], *self;
	json_t	*o;

	snprintf(path, sizeof(path), "/v1/admin/api-keys/%s", k->id);
	self = api_url(req, path);
	o = json_pack("{s:s, s:s, s:{s:s, s:s, s:o, s:o, s:o, s:o, s:b}, "
	    "s:{s:s}}", "type", "api_key", "id", k->id, "attributes",
	    "name", k->name != NULL ? k->name : "", "prefix", k->prefix,
	    "scopes", admin_scopes_json(k->scopes),
	    "created_at", api_time_or_null(k->created_at),
	    "last_used_at", api_time_or_null(k->last_used_at),
	    "revoked_at", api_time_or_null(k->revoked_at),
	    "is_revoked", k->revoked_at != 0,
	    "links", "self", self);
	free(self);
	return o;
}

int
api_admin_keys_list(struct request *req, struct response *resp)
{
	struct api_key	*keys = NULL;
	size_t		 n = 0, i;
	json_t		*data;
	char		*self;
	int		 status;

	if (db_api_key_list(req->app->db, req->account_id, &keys, &n) == -1)
		return api_db_error(req, resp);
	data = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(data, admin_key_json(req, &keys[i]));
	self = api_url(req, "/v1/admin/api-keys");
	status = response_json(resp, 200, json_pack("{s:o, s:{s:s}, s:o}",
	    "data", data, "links", "self", self, "meta", api_meta()));
	free(self);
	api_key_list_free(keys, n);
	return status;
}

/* 400 when an error is about the document's shape, else 422 */
static int
admin_errors_status(json_t *errs)
{
	size_t	 i;
	json_t	*e;

	json_array_foreach(errs, i, e)
		if (strcmp(json_string_value(json_object_get(e, "status")),
		    "400") == 0)
			return 400;
	return 422;
}

/*
 * Reads data.attributes.{name,scopes}. Returns 0, or the error status
 * already sent.
 */
static int
admin_key_input(struct request *req, struct response *resp, char **name,
    unsigned int *scopes)
{
	json_t		*data, *attrs, *jname, *jscopes, *v, *errs;
	const char	*type;
	size_t		 i;
	unsigned int	 bit;

	*name = NULL;
	*scopes = 0;
	errs = json_array();
	data = json_object_get(req->json, "data");
	attrs = json_object_get(data, "attributes");
	type = json_string_value(json_object_get(data, "type"));
	if (!json_is_object(data))
		json_array_append_new(errs, response_error_object(400,
		    "invalid_attribute", "a \"data\" object is required",
		    "/data", NULL));
	else if (type == NULL || strcmp(type, "api_key") != 0)
		json_array_append_new(errs, response_error_object(400,
		    "invalid_attribute", "data.type must be \"api_key\"",
		    "/data/type", NULL));
	if (json_is_object(data) && !json_is_object(attrs))
		json_array_append_new(errs, response_error_object(400,
		    "invalid_attribute", "an \"attributes\" object is "
		    "required", "/data/attributes", NULL));
	jname = json_object_get(attrs, "name");
	if (jname != NULL && (!json_is_string(jname) ||
	    json_string_length(jname) > ADMIN_KEY_NAME_MAX))
		json_array_append_new(errs, response_error_object(400,
		    "invalid_attribute", "name must be a string of at most "
		    "100 characters", "/data/attributes/name", NULL));
	else if (jname != NULL && !api_key_name_ok(json_string_value(jname),
	    json_string_length(jname)))
		json_array_append_new(errs, response_error_object(422,
		    "invalid_attribute", "name must not contain control "
		    "characters (line breaks, tabs, NUL...)",
		    "/data/attributes/name", NULL));
	jscopes = json_object_get(attrs, "scopes");
	if (json_is_object(attrs) && (!json_is_array(jscopes) ||
	    json_array_size(jscopes) == 0))
		json_array_append_new(errs, response_error_object(400,
		    "invalid_attribute", "scopes must be a non-empty array",
		    "/data/attributes/scopes", NULL));
	json_array_foreach(jscopes, i, v) {
		char ptr[64];

		snprintf(ptr, sizeof(ptr), "/data/attributes/scopes/%zu", i);
		if (!json_is_string(v) ||
		    scopes_parse(json_string_value(v), &bit) == -1) {
			json_array_append_new(errs, response_error_object(400,
			    "invalid_attribute", "unknown scope; use "
			    "validations:read, validations:write, "
			    "validations:delete or admin", ptr, NULL));
			continue;
		}
		/* "validations:read,admin" is not one scope */
		if (scope_parse_one(json_string_value(v), &bit) == -1) {
			json_array_append_new(errs, response_error_object(422,
			    "invalid_attribute", "one scope per element, "
			    "exactly as written (validations:read, "
			    "validations:write, validations:delete or admin)",
			    ptr, NULL));
			continue;
		}
		*scopes |= bit;
	}
	if (json_array_size(errs) > 0)
		return response_errors(resp, admin_errors_status(errs), errs);
	json_decref(errs);
	*name = xstrdup(jname != NULL ? json_string_value(jname) : "");
	return 0;
}

/* One POST /v1/admin/api-keys: what check found, for create. */
struct keys_call {
	char		*name;
	unsigned int	 scopes;
};

static int
keys_check(struct request *req, struct response *resp, void *arg)
{
	struct keys_call	*c = arg;

	return admin_key_input(req, resp, &c->name, &c->scopes);
}

/* the key records no resource: claim unused (a stale claim is taken
 * over, as a key created before the crash cannot be shown again) */
static int
keys_create(struct request *req, struct response *resp,
    const struct idem_claim *claim, void *arg)
{
	struct keys_call	*c = arg;
	struct api_key		 k;
	char			 secret[96], path[128], *loc;
	json_t			*doc;
	int			 status;

	(void)claim;
	memset(&k, 0, sizeof(k));
	if (db_api_key_create(req->app->db, req->account_id, c->name,
	    c->scopes, secret, sizeof(secret), k.id) == -1) {
		status = api_db_error(req, resp);
		goto out;
	}
	snprintf(k.account_id, sizeof(k.account_id), "%s", req->account_id);
	snprintf(k.prefix, sizeof(k.prefix), "%.12s", secret);
	k.name = c->name;
	k.scopes = c->scopes;
	k.created_at = clock_now();
	doc = admin_key_json(req, &k);
	json_object_set_new(json_object_get(doc, "attributes"), "secret",
	    json_string(secret));
	snprintf(path, sizeof(path), "/v1/admin/api-keys/%s", k.id);
	loc = api_url(req, path);
	response_header(resp, "Location", "%s", loc);
	response_header(resp, "Cache-Control", "no-store");
	free(loc);
	status = response_json(resp, 201, json_pack("{s:o, s:o}", "data",
	    doc, "meta", api_meta()));
out:
	explicit_bzero(secret, sizeof(secret));
	return status;
}

/* The secret is shown once, in the first answer: the copy kept for
 * Idempotency-Key replays says null (no secret is ever stored). */
static void
keys_redact(json_t *doc)
{
	json_t	*attrs;

	attrs = json_object_get(json_object_get(doc, "data"), "attributes");
	if (json_object_get(attrs, "secret") != NULL)
		json_object_set_new(attrs, "secret", json_null());
}

static const struct api_idem_op keys_op = {
	.endpoint = "admin_api_keys",
	.check = keys_check,
	.create = keys_create,
	.redact = keys_redact,
	.mismatch = "this Idempotency-Key was used with a different request "
	    "(body)",
};

int
api_admin_keys_create(struct request *req, struct response *resp)
{
	struct keys_call	 c;
	int			 status;

	memset(&c, 0, sizeof(c));
	status = api_idempotent(req, resp, &keys_op, &c);
	free(c.name);
	return status;
}

int
api_admin_keys_revoke(struct request *req, struct response *resp)
{
	int	 found = 0;

	/* confined to the account: another account's key is "not found" */
	if (db_api_key_revoke_account(req->app->db, req->account_id,
	    req->params[0], &found) == -1)
		return api_db_error(req, resp);
	if (!found)
		return api_not_found(resp, API_KEY_NOT_FOUND);
	return response_empty(resp, 204);
}

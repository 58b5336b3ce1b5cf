/*
 * mxcep: the route table and the pipeline every request goes through:
 * route (404/405), authentication (401/403), body checks (413, 415,
 * 400), then the handler.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "store/store.h"

/*
 * Every endpoint: method, path (":id" a parameter), handler, ROUTE_*
 * flags, the scope its key needs, the query keys it takes (anything
 * else is 400 unknown_parameter), and the 404 code when :id is not a
 * UUID v4. api_handle checks all of it before the handler runs.
 */
static const struct route api_routes[] = {
	{ METHOD_GET, "/v1/health", api_health_get, 0, 0, NULL, NULL },
	{ METHOD_POST, "/v1/validate", api_validate_post,
	    ROUTE_AUTH | ROUTE_BODY_JSON, SCOPE_VALIDATIONS_WRITE, " async ",
	    NULL },
	/* before /v1/validations/:id, or "export" would be taken for an id */
	{ METHOD_GET, "/v1/validations/export", api_validations_export,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_READ, " format " API_FILTER_KEYS,
	    NULL },
	{ METHOD_GET, "/v1/validations", api_validations_list,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_READ, API_FILTER_KEYS API_PAGE_KEYS,
	    NULL },
	{ METHOD_GET, "/v1/validations/stats", api_validations_stats,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_READ, API_FILTER_KEYS, NULL },
	{ METHOD_GET, "/v1/validations/:id", api_validations_get,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_READ, NULL,
	    API_VALIDATION_NOT_FOUND },
	{ METHOD_DELETE, "/v1/validations/:id", api_validations_delete,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_DELETE, NULL,
	    API_VALIDATION_NOT_FOUND },
	{ METHOD_GET, "/v1/validations/:id/image", api_validations_image,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_READ, NULL,
	    API_VALIDATION_NOT_FOUND },
	{ METHOD_GET, "/v1/admin/validations", api_admin_validations_list,
	    ROUTE_AUTH | ROUTE_OPERATOR, SCOPE_ADMIN,
	    API_FILTER_KEYS API_PAGE_KEYS API_ACCOUNT_KEYS, NULL },
	{ METHOD_GET, "/v1/admin/validations/export",
	    api_admin_validations_export, ROUTE_AUTH | ROUTE_OPERATOR,
	    SCOPE_ADMIN, " format " API_FILTER_KEYS API_ACCOUNT_KEYS, NULL },
	{ METHOD_GET, "/v1/admin/validations/recent",
	    api_admin_validations_recent, ROUTE_AUTH | ROUTE_OPERATOR,
	    SCOPE_ADMIN, " limit ", NULL },
	{ METHOD_GET, "/v1/admin/validations/:id/raw",
	    api_admin_validations_raw, ROUTE_AUTH | ROUTE_OPERATOR,
	    SCOPE_ADMIN, NULL,
	    API_VALIDATION_NOT_FOUND },
	{ METHOD_GET, "/v1/validations/:id/cep", api_cep_get,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_READ, " format ",
	    API_VALIDATION_NOT_FOUND },
	/* retry cycles (retry.c) */
	{ METHOD_GET, "/v1/retry-policy", api_retry_policy_get,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_READ, NULL, NULL },
	{ METHOD_PUT, "/v1/retry-policy", api_retry_policy_put,
	    ROUTE_AUTH | ROUTE_BODY_JSON, SCOPE_VALIDATIONS_WRITE, NULL, NULL },
	{ METHOD_PUT, "/v1/validations/:id/retry-policy",
	    api_validation_retry_policy_put, ROUTE_AUTH | ROUTE_BODY_JSON,
	    SCOPE_VALIDATIONS_WRITE, NULL,
	    API_VALIDATION_NOT_FOUND },
	{ METHOD_POST, "/v1/validations/:id/cancel-retries",
	    api_validation_retry_cancel, ROUTE_AUTH, SCOPE_VALIDATIONS_WRITE,
	    NULL,
	    API_VALIDATION_NOT_FOUND },
	{ METHOD_GET, "/v1/validations/:id/retry-attempts",
	    api_validation_retry_attempts, ROUTE_AUTH, SCOPE_VALIDATIONS_READ,
	    NULL,
	    API_VALIDATION_NOT_FOUND },
	/* the account's own CLABEs (receiving_accounts.c) */
	{ METHOD_GET, "/v1/receiving-accounts", api_receiving_accounts_list,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_READ, API_PAGE_KEYS, NULL },
	{ METHOD_POST, "/v1/receiving-accounts", api_receiving_accounts_create,
	    ROUTE_AUTH | ROUTE_BODY_JSON, SCOPE_VALIDATIONS_WRITE, NULL, NULL },
	{ METHOD_GET, "/v1/receiving-accounts/:id", api_receiving_accounts_get,
	    ROUTE_AUTH, SCOPE_VALIDATIONS_READ, NULL,
	    API_RECEIVING_ACCOUNT_NOT_FOUND },
	{ METHOD_DELETE, "/v1/receiving-accounts/:id",
	    api_receiving_accounts_delete, ROUTE_AUTH, SCOPE_VALIDATIONS_WRITE,
	    NULL, API_RECEIVING_ACCOUNT_NOT_FOUND },
	{ METHOD_GET, "/v1/admin/api-keys", api_admin_keys_list,
	    ROUTE_AUTH, SCOPE_ADMIN, NULL, NULL },
	{ METHOD_POST, "/v1/admin/api-keys", api_admin_keys_create,
	    ROUTE_AUTH | ROUTE_BODY_JSON, SCOPE_ADMIN, NULL, NULL },
	{ METHOD_DELETE, "/v1/admin/api-keys/:id", api_admin_keys_revoke,
	    ROUTE_AUTH, SCOPE_ADMIN, NULL,
	    API_KEY_NOT_FOUND },
};

/*
 * JSON:API media type (no parameters but ext/profile), or
 * application/json (charset allowed). Returns 1 when acceptable.
 */
static int
api_content_type_ok(const char *ct)
{
	size_t	 n;

	if (ct == NULL)
		return 0;
	if (api_media_content_type(ct) != 0)
		return api_media_content_type(ct) == 1;
	n = strcspn(ct, "; \t");
	return n == 16 && strncasecmp(ct, "application/json", n) == 0;
}

/* an error about a request header (source.header, JSON:API 1.1) */
static int
api_header_error(struct response *resp, int status, const char *code,
    const char *detail, const char *header)
{
	json_t	*e = response_error_object(status, code, detail, NULL, NULL);

	json_object_set_new(e, "source", json_pack("{s:s}", "header",
	    header));
	return response_errors(resp, status, json_pack("[o]", e));
}

/* 406 / 415 of JSON:API 1.1 "Content Negotiation"; 0 when neither */
static int
api_negotiate(struct request *req, struct response *resp)
{
	if (!api_media_accept_ok(req->accept))
		return api_header_error(resp, 406, "not_acceptable", "every "
		    "application/vnd.api+json in Accept has a media type "
		    "parameter other than ext and profile (or names an "
		    "extension, none is supported): accept "
		    "application/vnd.api+json without them", "Accept");
	if (api_media_content_type(req->content_type) == -1)
		return api_header_error(resp, 415, "unsupported_media_type",
		    "application/vnd.api+json takes no media type parameter "
		    "other than ext and profile, and no extension is "
		    "supported: send Content-Type: application/vnd.api+json",
		    "Content-Type");
	return 0;
}

static int
api_parse_body(struct request *req, struct response *resp)
{
	json_error_t	 err;
	char		 detail[300];
	int		 max = req->app->cfg->max_json_depth;

	if (!api_content_type_ok(req->content_type))
		return api_header_error(resp, 415, "unsupported_media_type",
		    "send Content-Type: application/vnd.api+json "
		    "(or application/json)", "Content-Type");
	if (req->body == NULL || req->body_len == 0)
		return response_error(resp, 400, "malformed_json",
		    "the request body is empty; a JSON document is required",
		    "", NULL);
	if (api_json_depth(req->body, req->body_len) > max) {
		snprintf(detail, sizeof(detail), "the document nests deeper "
		    "than %d levels", max);
		return response_error(resp, 400, "json_too_deep", detail, "",
		    NULL);
	}
	req->json = json_loadb(req->body, req->body_len,
	    JSON_REJECT_DUPLICATES, &err);
	if (req->json == NULL) {
		snprintf(detail, sizeof(detail), "line %d, column %d: %s",
		    err.line, err.column, err.text);
		return response_error(resp, 400, "malformed_json", detail,
		    "", NULL);
	}
	if (!json_is_object(req->json))
		return response_error(resp, 400, "malformed_json",
		    "the document must be a JSON object", "", NULL);
	return 0;
}

int
api_handle(struct request *req, struct response *resp)
{
	const struct route	*r = NULL;
	struct buf		 allow;
	char			 detail[300], *unknown;
	int			 status;

	buf_init(&allow);
	switch (router_match(api_routes, sizeof(api_routes) /
	    sizeof(api_routes[0]), req, &r, &allow)) {
	case ROUTE_NO_PATH:
		status = response_error(resp, 404, "not_found",
		    "no such endpoint", NULL, NULL);
		goto out;
	case ROUTE_NO_METHOD:
		response_header(resp, "Allow", "%s", allow.data);
		if (req->method == METHOD_OPTIONS) {
			status = response_empty(resp, 204);
			goto out;
		}
		snprintf(detail, sizeof(detail), "%s is not allowed here; "
		    "allowed: %s", req->method == METHOD__MAX ? "this method" :
		    method_name(req->method), allow.data);
		status = response_error(resp, 405, "method_not_allowed",
		    detail, NULL, NULL);
		goto out;
	case ROUTE_FOUND:
		break;
	}
	if ((status = api_negotiate(req, resp)) != 0)
		goto out;
	if ((r->flags & ROUTE_AUTH) &&
	    (status = api_authenticate(req, resp, r->scope)) != 0)
		goto out;
	if ((r->flags & ROUTE_OPERATOR) && !api_is_operator(req)) {
		status = response_error(resp, 403, "operator_only", "views "
		    "across accounts need an admin key of an operator account "
		    "(config key operator_accounts)", NULL, NULL);
		goto out;
	}
	if ((unknown = request_query_unknown(req, r->query)) != NULL) {
		snprintf(detail, sizeof(detail), "unknown query parameter "
		    "\"%.60s\"", unknown);
		status = response_error(resp, 400, "unknown_parameter", detail,
		    NULL, unknown);
		free(unknown);
		goto out;
	}
	/* async=1&async=0 must not silently take the first */
	if ((unknown = api_query_repeated(req->query)) != NULL) {
		snprintf(detail, sizeof(detail), "%.60s is given more than "
		    "once; give each query parameter once", unknown);
		status = response_error(resp, 400, "invalid_parameter", detail,
		    NULL, unknown);
		free(unknown);
		goto out;
	}
	if (req->body_too_large) {
		snprintf(detail, sizeof(detail), "the body is larger than "
		    "%ld bytes", req->app->cfg->max_body_bytes);
		status = response_error(resp, 413, "body_too_large", detail,
		    NULL, NULL);
		goto out;
	}
	if ((r->flags & ROUTE_BODY_JSON) &&
	    (status = api_parse_body(req, resp)) != 0)
		goto out;
	if (r->id_404 != NULL && (status = api_id_check(req, resp,
	    r->id_404)) != 0)
		goto out;
	status = r->handler(req, resp);
out:
	buf_free(&allow);
	return status;
}

/*
 * Unit tests for the router, request parsing and response building.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fcgi/fcgi.h"

static int
h_dummy(struct request *req, struct response *resp)
{
	(void)req;
	return response_empty(resp, 204);
}

static const struct route routes[] = {
	{ METHOD_GET, "/v1/health", h_dummy, 0, 0, NULL, NULL },
	{ METHOD_GET, "/v1/validations/:id", h_dummy, ROUTE_AUTH, 1, NULL, NULL },
	{ METHOD_DELETE, "/v1/validations/:id", h_dummy, ROUTE_AUTH, 4, NULL, NULL },
	{ METHOD_GET, "/v1/validations/:id/cep", h_dummy, ROUTE_AUTH, 1, " format ", NULL },
	{ METHOD_GET, "/v1/validations/stats", h_dummy, ROUTE_AUTH, 1, NULL, NULL },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static struct request *
make_request(const char *method, const char *uri)
{
	char	*env[4];
	struct request *req;

	env[0] = xasprintf("REQUEST_METHOD=%s", method);
	env[1] = xasprintf("REQUEST_URI=%s", uri);
	env[2] = xstrdup("HTTP_X_REQUEST_ID=abc-123");
	env[3] = NULL;
	req = request_new(NULL, env);
	free(env[0]);
	free(env[1]);
	free(env[2]);
	return req;
}

static void
test_router__param_path__matches_and_copies_param(void **state)
{
	struct request		*req = make_request("GET", "/v1/validations/xyz?x=1");
	const struct route	*r = NULL;

	(void)state;
	assert_int_equal(router_match(routes, NROUTES, req, &r, NULL),
	    ROUTE_FOUND);
	assert_ptr_equal(r, &routes[1]);
	assert_int_equal(req->nparams, 1);
	assert_string_equal(req->params[0], "xyz");
	assert_string_equal(req->query, "x=1");
	assert_string_equal(req->id, "abc-123");
	request_free(req);
}

static void
test_router__unknown_path__no_path(void **state)
{
	struct request		*req = make_request("GET", "/v1/nope");
	const struct route	*r = NULL;

	(void)state;
	assert_int_equal(router_match(routes, NROUTES, req, &r, NULL),
	    ROUTE_NO_PATH);
	assert_null(r);
	request_free(req);
}

static void
test_router__wrong_method__no_method_with_allow(void **state)
{
	struct request		*req = make_request("POST", "/v1/validations/a");
	const struct route	*r = NULL;
	struct buf		 allow;

	(void)state;
	buf_init(&allow);
	assert_int_equal(router_match(routes, NROUTES, req, &r, &allow),
	    ROUTE_NO_METHOD);
	assert_string_equal(allow.data, "GET, DELETE, HEAD, OPTIONS");
	buf_free(&allow);
	request_free(req);
}

static void
test_router__trailing_segment__does_not_match_shorter(void **state)
{
	struct request		*req = make_request("GET",
	    "/v1/validations/a/cep");
	const struct route	*r = NULL;

	(void)state;
	assert_int_equal(router_match(routes, NROUTES, req, &r, NULL),
	    ROUTE_FOUND);
	assert_ptr_equal(r, &routes[3]);
	request_free(req);
}

static void
test_router__empty_param__no_path(void **state)
{
	struct request		*req = make_request("GET", "/v1/validations/");
	const struct route	*r = NULL;

	(void)state;
	assert_int_equal(router_match(routes, NROUTES, req, &r, NULL),
	    ROUTE_NO_PATH);
	request_free(req);
}

static void
test_router__literal_path__hides_the_pattern(void **state)
{
	struct request		*req = make_request("GET", "/v1/validations/stats");
	const struct route	*r = NULL;
	struct buf		 allow;

	(void)state;
	/* found although /v1/validations/:id comes first in the table */
	assert_int_equal(router_match(routes, NROUTES, req, &r, NULL),
	    ROUTE_FOUND);
	assert_ptr_equal(r, &routes[4]);
	assert_int_equal(req->nparams, 0);
	request_free(req);
	/* DELETE is not taken for DELETE /v1/validations/:id */
	req = make_request("DELETE", "/v1/validations/stats");
	buf_init(&allow);
	assert_int_equal(router_match(routes, NROUTES, req, &r, &allow),
	    ROUTE_NO_METHOD);
	assert_string_equal(allow.data, "GET, HEAD, OPTIONS");
	buf_free(&allow);
	request_free(req);
}

static void
test_request__bad_request_id__replaced_by_uuid(void **state)
{
	char	 e0[] = "REQUEST_METHOD=GET", e1[] = "REQUEST_URI=/",
		 e2[] = "HTTP_X_REQUEST_ID=a b\nc";
	char	*env[] = { e0, e1, e2, NULL };
	struct request *req = request_new(NULL, env);

	(void)state;
	assert_int_equal(strlen(req->id), 36);
	assert_int_equal(req->id[14], '4');
	request_free(req);
}

/* Every field from one pass over the parameters: the first of a repeated
 * name wins, a longer name sharing a prefix is not taken for the shorter
 * one, and the fallbacks hold. */
static void
test_request__params__one_pass_fields_and_fallbacks(void **state)
{
	char	 e0[] = "HTTP_ACCEPT_LANGUAGE=es", e1[] = "HTTP_ACCEPT=a/b",
		 e2[] = "REQUEST_METHOD=POST", e3[] = "REQUEST_METHOD=GET",
		 e4[] = "SCRIPT_NAME=/v1", e5[] = "PATH_INFO=/health",
		 e6[] = "CONTENT_TYPE=", e7[] = "CONTENT_LENGTH=12",
		 e8[] = "REDIRECT_HTTP_AUTHORIZATION=Bearer r",
		 e9[] = "HTTP_IF_NONE_MATCH=W/\"3\"", e10[] = "HTTPS_X=on",
		 e11[] = "REQUEST_SCHEME=https", e12[] = "REMOTE_ADDR=10.0.0.9",
		 e13[] = "HTTP_IDEMPOTENCY_KEY=k1", e14[] = "HTTP_HOST=h:8",
		 e15[] = "NOEQUALS", e16[] = "HTTP_X_REQUEST_ID=req-7";
	char	*env[] = { e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11,
		    e12, e13, e14, e15, e16, NULL };
	struct request *req = request_new(NULL, env);

	(void)state;
	assert_int_equal(req->method, METHOD_POST);
	assert_string_equal(req->method_name, "POST");
	assert_string_equal(req->path, "/v1/health");
	assert_string_equal(req->query, "");
	assert_string_equal(req->accept, "a/b");
	assert_null(req->content_type);
	assert_int_equal(req->content_length, 12);
	assert_string_equal(req->authorization, "Bearer r");
	assert_string_equal(req->if_none_match, "W/\"3\"");
	assert_string_equal(req->idempotency_key, "k1");
	assert_string_equal(req->host, "h:8");
	assert_string_equal(req->remote_addr, "10.0.0.9");
	assert_int_equal(req->https, 1);	/* REQUEST_SCHEME, not HTTPS_X */
	assert_string_equal(req->id, "req-7");
	request_free(req);
}

static void
test_request__params__uri_query_and_plain_http(void **state)
{
	char	 e0[] = "REQUEST_URI=/v1/a%20b?x=1", e1[] = "HTTPS_X=on",
		 e2[] = "HTTP_AUTHORIZATION=Bearer a",
		 e3[] = "REDIRECT_HTTP_AUTHORIZATION=Bearer r",
		 e4[] = "CONTENT_LENGTH=-3", e5[] = "HTTPS=1";
	char	*env[] = { e0, e1, e2, e3, e4, NULL }, *env2[] = { e5, NULL };
	struct request *req = request_new(NULL, env);

	(void)state;
	assert_int_equal(req->method, METHOD__MAX);
	assert_string_equal(req->path, "/v1/a b");
	assert_string_equal(req->query, "x=1");
	assert_string_equal(req->authorization, "Bearer a");
	assert_int_equal(req->content_length, -1);
	assert_int_equal(req->https, 0);
	assert_null(req->accept);
	assert_string_equal(req->remote_addr, "");
	request_free(req);
	req = request_new(NULL, env2);
	assert_int_equal(req->https, 1);
	assert_string_equal(req->path, "");
	request_free(req);
}

static void
test_request__query_get__decodes(void **state)
{
	char	 e0[] = "REQUEST_METHOD=GET", e1[] = "REQUEST_URI=/x",
		 e2[] = "QUERY_STRING=a=1&filter%5Bstatus%5D=valid%2Cnot_found&b";
	char	*env[] = { e0, e1, e2, NULL };
	struct request *req = request_new(NULL, env);
	char	*v;

	(void)state;
	v = request_query_get(req, "filter[status]");
	assert_string_equal(v, "valid,not_found");
	free(v);
	v = request_query_get(req, "b");
	assert_string_equal(v, "");
	free(v);
	assert_null(request_query_get(req, "c"));
	request_free(req);
}

static void
test_request__query_unknown__names_first_unknown(void **state)
{
	char	 e0[] = "REQUEST_METHOD=GET", e1[] = "REQUEST_URI=/x",
		 e2[] = "QUERY_STRING=format=pdf&filter%5Bx%5D=1";
	char	*env[] = { e0, e1, e2, NULL };
	struct request *req = request_new(NULL, env);
	char	*u;

	(void)state;
	u = request_query_unknown(req, " format ");
	assert_string_equal(u, "filter[x]");
	free(u);
	assert_null(request_query_unknown(req, " format filter[x] "));
	u = request_query_unknown(req, NULL);
	assert_string_equal(u, "format");
	free(u);
	request_free(req);
}

static void
test_response__error__jsonapi_shape(void **state)
{
	struct response	 resp;
	json_t		*doc, *e;

	(void)state;
	response_init(&resp);
	assert_int_equal(response_error(&resp, 404, "not_found", "gone", NULL,
	    "id"), 404);
	assert_string_equal(resp.content_type, "application/vnd.api+json");
	doc = json_loads(resp.body.data, 0, NULL);
	assert_non_null(doc);
	e = json_array_get(json_object_get(doc, "errors"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "status")),
	    "404");
	assert_string_equal(json_string_value(json_object_get(e, "code")),
	    "not_found");
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(e, "source"), "parameter")), "id");
	json_decref(doc);
	response_free(&resp);
}

static void
test_response__header_injection__cut_at_newline(void **state)
{
	struct response	 resp;

	(void)state;
	response_init(&resp);
	response_header(&resp, "X-A", "%s", "ok\r\nSet-Cookie: evil");
	assert_string_equal(resp.headers.data, "X-A: ok\r\n");
	response_free(&resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router__param_path__matches_and_copies_param),
		cmocka_unit_test(test_router__unknown_path__no_path),
		cmocka_unit_test(test_router__wrong_method__no_method_with_allow),
		cmocka_unit_test(test_router__trailing_segment__does_not_match_shorter),
		cmocka_unit_test(test_router__empty_param__no_path),
		cmocka_unit_test(test_router__literal_path__hides_the_pattern),
		cmocka_unit_test(test_request__bad_request_id__replaced_by_uuid),
		cmocka_unit_test(test_request__params__one_pass_fields_and_fallbacks),
		cmocka_unit_test(test_request__params__uri_query_and_plain_http),
		cmocka_unit_test(test_request__query_get__decodes),
		cmocka_unit_test(test_request__query_unknown__names_first_unknown),
		cmocka_unit_test(test_response__error__jsonapi_shape),
		cmocka_unit_test(test_response__header_injection__cut_at_newline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

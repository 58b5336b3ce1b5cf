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
		cmocka_unit_test(test_request__query_get__decodes),
		cmocka_unit_test(test_request__query_unknown__names_first_unknown),
		cmocka_unit_test(test_response__error__jsonapi_shape),
		cmocka_unit_test(test_response__header_injection__cut_at_newline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

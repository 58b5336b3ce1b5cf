/*
 * Unit tests for the pure helpers of src/api: entity-tag matching, the
 * JSON depth scan and JSON:API content negotiation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/api.h"

static void
test_etag__forms__weak_comparison(void **state)
{
	(void)state;
	assert_true(api_etag_matches("W/\"3\"", 3));
	assert_true(api_etag_matches("\"3\"", 3));
	assert_true(api_etag_matches("3", 3));
	assert_true(api_etag_matches("W/\"3-gzip\"", 3));
	assert_true(api_etag_matches("\"1\", W/\"3\"", 3));
	assert_true(api_etag_matches(" \"9\" ,\t\"3\" ", 3));
	assert_true(api_etag_matches("*", 3));
}

static void
test_etag__other_version__no_match(void **state)
{
	(void)state;
	assert_false(api_etag_matches("W/\"4\"", 3));
	assert_false(api_etag_matches("\"33\"", 3));
	assert_false(api_etag_matches("W/\"3x\"", 3));
	assert_false(api_etag_matches("", 3));
	assert_false(api_etag_matches(NULL, 3));
	assert_false(api_etag_matches("\"3\"", -1));
}

static void
test_json_depth__strings_ignored__counts_nesting(void **state)
{
	const char	*a = "{\"a\":[1,{\"b\":[[]]}]}";
	const char	*b = "{\"a\":\"[[[[{{{{\\\"[\"}";

	(void)state;
	assert_int_equal(api_json_depth(a, strlen(a)), 5);
	assert_int_equal(api_json_depth(b, strlen(b)), 1);
	assert_int_equal(api_json_depth("1", 1), 0);
}

static void
test_media_accept__no_jsonapi_instance__acceptable(void **state)
{
	(void)state;
	assert_true(api_media_accept_ok(NULL));
	assert_true(api_media_accept_ok(""));
	assert_true(api_media_accept_ok("*/*"));
	assert_true(api_media_accept_ok("application/json; charset=utf-8"));
	assert_true(api_media_accept_ok("text/csv, application/*;q=0.1"));
}

static void
test_media_accept__one_clean_instance__acceptable(void **state)
{
	(void)state;
	assert_true(api_media_accept_ok("application/vnd.api+json"));
	assert_true(api_media_accept_ok("Application/VND.API+JSON"));
	assert_true(api_media_accept_ok("application/vnd.api+json;q=0.5"));
	assert_true(api_media_accept_ok(
	    "application/vnd.api+json; profile=\"https://x.example/p\""));
	assert_true(api_media_accept_ok("application/vnd.api+json; ext=\"\""));
	assert_true(api_media_accept_ok("application/vnd.api+json;"));
	/* the others are ignored when one instance is clean */
	assert_true(api_media_accept_ok("application/vnd.api+json; "
	    "charset=utf-8, application/vnd.api+json"));
	assert_true(api_media_accept_ok("application/vnd.api+json; "
	    "profile=\"a,b\"; charset=x, application/vnd.api+json; q=0.2"));
}

static void
test_media_accept__every_instance_with_other_params__406(void **state)
{
	(void)state;
	assert_false(api_media_accept_ok(
	    "application/vnd.api+json; charset=utf-8"));
	assert_false(api_media_accept_ok("application/vnd.api+json;v=2, "
	    "application/vnd.api+json ; charset=\"utf-8\""));
	/* an extension: none is supported */
	assert_false(api_media_accept_ok(
	    "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\""));
	/* with another type beside it, still: JSON:API is listed, unusable */
	assert_false(api_media_accept_ok(
	    "text/html, application/vnd.api+json; charset=utf-8"));
	assert_false(api_media_accept_ok("application/vnd.api+json; =x"));
	assert_false(api_media_accept_ok("application/vnd.api+json; "
	    "profile=\"unterminated"));
}

static void
test_media_content_type__params__jsonapi_ok_or_415(void **state)
{
	(void)state;
	assert_int_equal(api_media_content_type(NULL), 0);
	assert_int_equal(api_media_content_type("application/json"), 0);
	assert_int_equal(api_media_content_type(
	    "application/json; charset=utf-8"), 0);
	assert_int_equal(api_media_content_type("text/plain"), 0);
	assert_int_equal(api_media_content_type("application/vnd.api+json"),
	    1);
	assert_int_equal(api_media_content_type(
	    "application/vnd.api+json; profile=\"https://x.example/p\""), 1);
	assert_int_equal(api_media_content_type(
	    "application/vnd.api+json; charset=utf-8"), -1);
	/* q is a weight of Accept, not a parameter of a Content-Type */
	assert_int_equal(api_media_content_type(
	    "application/vnd.api+json; q=1"), -1);
	assert_int_equal(api_media_content_type(
	    "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\""),
	    -1);
}

static void
test_query_repeated__first_key_given_twice__decoded(void **state)
{
	char	*k;

	(void)state;
	assert_null(api_query_repeated(""));
	assert_null(api_query_repeated("async=1"));
	assert_null(api_query_repeated("status=valid,error&per_page=5&&"));
	assert_non_null(k = api_query_repeated("async=1&async=0"));
	assert_string_equal(k, "async");
	free(k);
	/* a bare key counts; so does the same key encoded otherwise */
	assert_non_null(k = api_query_repeated("format&x=1&%66ormat=csv"));
	assert_string_equal(k, "format");
	free(k);
	assert_non_null(k = api_query_repeated(
	    "page%5Bsize%5D=1&page[size]=2"));
	assert_string_equal(k, "page[size]");
	free(k);
	/* two spellings of one filter are filters.c's to refuse */
	assert_null(api_query_repeated("status=a&filter%5Bstatus%5D=b"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etag__forms__weak_comparison),
		cmocka_unit_test(test_etag__other_version__no_match),
		cmocka_unit_test(test_json_depth__strings_ignored__counts_nesting),
		cmocka_unit_test(test_media_accept__no_jsonapi_instance__acceptable),
		cmocka_unit_test(test_media_accept__one_clean_instance__acceptable),
		cmocka_unit_test(
		    test_media_accept__every_instance_with_other_params__406),
		cmocka_unit_test(
		    test_media_content_type__params__jsonapi_ok_or_415),
		cmocka_unit_test(
		    test_query_repeated__first_key_given_twice__decoded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the pure helpers of src/api: entity-tag matching and
 * the JSON depth scan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etag__forms__weak_comparison),
		cmocka_unit_test(test_etag__other_version__no_match),
		cmocka_unit_test(test_json_depth__strings_ignored__counts_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for src/api/filters.c: api_filter_parse() on every list
 * parameter, in both spellings, at every bound, and every error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "api/api.h"
#include "store/store.h"

#define ACC	"0b7c1c5e-2d3f-4a4b-8c6d-7e8f9a0b1c2d"

static struct validation_filter	 f;
static struct filter_error	 e;

static int
parse(const char *q, unsigned int flags)
{
	return api_filter_parse(q, flags, NULL, &f, &e);
}

/* q must fail with code and source.parameter param */
static void
expect_fail(const char *q, unsigned int flags, const char *code,
    const char *param)
{
	if (parse(q, flags) != -1)
		fail_msg("\"%s\" was accepted", q);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, code);
	assert_string_equal(e.parameter, param);
	assert_true(e.detail[0] != '\0');
}

static time_t
day(int y, int m, int d)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return timegm(&tm);
}

static void
test_filter__empty_query__defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("", FILTER_PAGINATION), 0);
	assert_int_equal(f.status_mask, 0);
	assert_int_equal(f.type, -1);
	assert_int_equal(f.created_from, 0);
	assert_int_equal(f.created_before, 0);
	assert_string_equal(f.fecha_from, "");
	assert_string_equal(f.fecha_to, "");
	assert_string_equal(f.search, "");
	assert_string_equal(f.account_id, "");
	assert_int_equal(f.with_deleted, 0);
	assert_int_equal(f.amount_min, -1);
	assert_int_equal(f.amount_max, -1);
	assert_int_equal(f.playground, -1);
	assert_int_equal(f.retry_state, -1);
	assert_int_equal(f.page, 1);
	assert_int_equal(f.per_page, 20);
	/* without pagination: no limit (exports, stats) */
	assert_int_equal(parse("", 0), 0);
	assert_int_equal(f.per_page, 0);
	assert_int_equal(parse("&&", FILTER_PAGINATION), 0);
}

static void
test_filter__status__one_list_and_jsonapi(void **state)
{
	(void)state;
	assert_int_equal(parse("status=valid", 0), 0);
	assert_int_equal(f.status_mask, 1u << VALIDATION_STATUS_VALID);
	assert_int_equal(parse("filter%5Bstatus%5D=not_found,error", 0), 0);
	assert_int_equal(f.status_mask, (1u << VALIDATION_STATUS_NOT_FOUND) |
	    (1u << VALIDATION_STATUS_ERROR));
	assert_int_equal(parse("filter[status]=queued,processing,valid,"
	    "not_found,cep_unavailable,invalid,failed,error", 0), 0);
	assert_int_equal(f.status_mask, (1u << VALIDATION_STATUS__MAX) - 1);
	assert_int_equal(parse("status=valid%2Cvalid", 0), 0);
	assert_int_equal(f.status_mask, 1u << VALIDATION_STATUS_VALID);
}

static void
test_filter__status__bad__invalid_parameter(void **state)
{
	(void)state;
	expect_fail("status=", 0, "invalid_parameter", "status");
	expect_fail("status=VALID", 0, "invalid_parameter", "status");
	expect_fail("status=valid,", 0, "invalid_parameter", "status");
	expect_fail("status=,valid", 0, "invalid_parameter", "status");
	expect_fail("status=valid,,error", 0, "invalid_parameter", "status");
	expect_fail("filter[status]=done", 0, "invalid_parameter",
	    "filter[status]");
	expect_fail("status=valid&filter[status]=error", 0,
	    "invalid_parameter", "filter[status]");
	expect_fail("status=valid&status=error", 0, "invalid_parameter",
	    "status");
}

static void
test_filter__type__direct_ocr(void **state)
{
	(void)state;
	assert_int_equal(parse("type=direct", 0), 0);
	assert_int_equal(f.type, VALIDATION_TYPE_DIRECT);
	assert_int_equal(parse("filter[type]=ocr", 0), 0);
	assert_int_equal(f.type, VALIDATION_TYPE_OCR);
	expect_fail("type=image", 0, "invalid_parameter", "type");
	expect_fail("type=", 0, "invalid_parameter", "type");
	expect_fail("filter%5Btype%5D=Direct", 0, "invalid_parameter",
	    "filter[type]");
}

static void
test_filter__dates__inclusive_utc_days(void **state)
{
	(void)state;
	assert_int_equal(parse("date_from=2025-01-01&date_to=2025-03-31",
	    0), 0);
	assert_int_equal(f.created_from, day(2025, 1, 1));
	assert_int_equal(f.created_before, day(2025, 4, 1));
	assert_int_equal(parse("filter[date_from]=2024-02-29&"
	    "filter[date_to]=2024-02-29", 0), 0);
	assert_int_equal(f.created_from, day(2024, 2, 29));
	assert_int_equal(f.created_before, day(2024, 3, 1));
	assert_int_equal(parse("date_to=2025-12-31", 0), 0);
	assert_int_equal(f.created_from, 0);
	assert_int_equal(f.created_before, day(2026, 1, 1));
	assert_int_equal(parse("fecha_from=2025-03-01&fecha_to=2025-03-01",
	    0), 0);
	assert_string_equal(f.fecha_from, "2025-03-01");
	assert_string_equal(f.fecha_to, "2025-03-01");
	assert_int_equal(parse("filter[fecha_to]=2025-03-02", 0), 0);
	assert_string_equal(f.fecha_to, "2025-03-02");
}

static void
test_filter__dates__bad__invalid_parameter(void **state)
{
	(void)state;
	expect_fail("date_from=2025-02-30", 0, "invalid_parameter",
	    "date_from");
	expect_fail("date_from=2025-1-01", 0, "invalid_parameter",
	    "date_from");
	expect_fail("date_to=2025-01-01T00:00:00Z", 0, "invalid_parameter",
	    "date_to");
	expect_fail("date_to=01-02-2025", 0, "invalid_parameter", "date_to");
	expect_fail("date_from=", 0, "invalid_parameter", "date_from");
	expect_fail("fecha_from=2023-02-29", 0, "invalid_parameter",
	    "fecha_from");
	expect_fail("filter[fecha_to]=x", 0, "invalid_parameter",
	    "filter[fecha_to]");
	/* ranges the wrong way round */
	expect_fail("date_from=2025-03-02&date_to=2025-03-01", 0,
	    "invalid_parameter", "date_to");
	expect_fail("fecha_from=2025-03-02&filter[fecha_to]=2025-03-01", 0,
	    "invalid_parameter", "filter[fecha_to]");
}

static void
test_filter__search__trimmed_bounded(void **state)
{
	char	 q[200];

	(void)state;
	assert_int_equal(parse("search=MBAN01002503150000123", 0), 0);
	assert_string_equal(f.search, "MBAN01002503150000123");
	assert_int_equal(f.search_nbanks, 0);	/* resolved later, per request */
	assert_int_equal(parse("filter[search]=+%20BBVA+M%C3%A9xico+", 0), 0);
	assert_string_equal(f.search, "BBVA M\xc3\xa9xico");
	assert_int_equal(parse("search=50%25_off", 0), 0);
	assert_string_equal(f.search, "50%_off");
	/* 64 bytes is the limit */
	snprintf(q, sizeof(q), "search=%064d", 7);
	assert_int_equal(parse(q, 0), 0);
	assert_int_equal(strlen(f.search), 64);
	snprintf(q, sizeof(q), "search=%065d", 7);
	expect_fail(q, 0, "invalid_parameter", "search");
	expect_fail("search=", 0, "invalid_parameter", "search");
	expect_fail("search=+++", 0, "invalid_parameter", "search");
	expect_fail("search=a%0Ab", 0, "invalid_parameter", "search");
	expect_fail("search=%FF%FE", 0, "invalid_parameter", "search");
	expect_fail("search=a%00b", 0, "invalid_parameter", "search");
}

static void
test_filter__with_deleted_playground__booleans(void **state)
{
	(void)state;
	assert_int_equal(parse("with_deleted=1", 0), 0);
	assert_int_equal(f.with_deleted, 1);
	assert_int_equal(parse("with_deleted=true", 0), 0);
	assert_int_equal(f.with_deleted, 1);
	assert_int_equal(parse("with_deleted=0", 0), 0);
	assert_int_equal(f.with_deleted, 0);
	assert_int_equal(parse("filter[with_deleted]=false", 0), 0);
	assert_int_equal(f.with_deleted, 0);
	expect_fail("with_deleted=yes", 0, "invalid_parameter",
	    "with_deleted");
	expect_fail("with_deleted=", 0, "invalid_parameter", "with_deleted");
	assert_int_equal(parse("playground=true", 0), 0);
	assert_int_equal(f.playground, 1);
	assert_int_equal(parse("filter[playground]=false", 0), 0);
	assert_int_equal(f.playground, 0);
	assert_int_equal(parse("playground=1", 0), 0);
	assert_int_equal(f.playground, 1);
	expect_fail("playground=TRUE", 0, "invalid_parameter", "playground");
}

static void
test_filter__amounts__exact_cents(void **state)
{
	(void)state;
	assert_int_equal(parse("amount_min=1500&amount_max=1500.5", 0), 0);
	assert_int_equal(f.amount_min, 150000);
	assert_int_equal(f.amount_max, 150050);
	assert_int_equal(parse("filter[amount_min]=0.01&"
	    "filter[amount_max]=999999999999.99", 0), 0);
	assert_int_equal(f.amount_min, 1);
	assert_int_equal(f.amount_max, INT64_C(99999999999999));
	assert_int_equal(parse("amount_min=0", 0), 0);
	assert_int_equal(f.amount_min, 0);
	assert_int_equal(parse("amount_min=100&amount_max=100", 0), 0);
	expect_fail("amount_min=1e3", 0, "invalid_parameter", "amount_min");
	expect_fail("amount_min=-5", 0, "invalid_parameter", "amount_min");
	expect_fail("amount_max=1.234", 0, "invalid_parameter", "amount_max");
	expect_fail("amount_max=1,000", 0, "invalid_parameter", "amount_max");
	expect_fail("amount_max=1000000000000", 0, "invalid_parameter",
	    "amount_max");
	expect_fail("amount_max=", 0, "invalid_parameter", "amount_max");
	expect_fail("amount_min=abc", 0, "invalid_parameter", "amount_min");
	expect_fail("amount_min=200&amount_max=100", 0, "invalid_parameter",
	    "amount_max");
}

static void
test_filter__retry_state__values(void **state)
{
	(void)state;
	assert_int_equal(parse("retry_state=pending", 0), 0);
	assert_int_equal(f.retry_state, RETRY_TERMINAL_PENDING);
	assert_int_equal(parse("retry_state=resolved", 0), 0);
	assert_int_equal(f.retry_state, RETRY_TERMINAL_RESOLVED);
	assert_int_equal(parse("retry_state=exhausted", 0), 0);
	assert_int_equal(f.retry_state, RETRY_TERMINAL_EXHAUSTED);
	assert_int_equal(parse("filter[retry_state]=cancelled", 0), 0);
	assert_int_equal(f.retry_state, RETRY_TERMINAL_CANCELLED);
	assert_int_equal(parse("retry_state=none", 0), 0);
	assert_int_equal(f.retry_state, RETRY_TERMINAL_NONE);
	expect_fail("retry_state=active", 0, "invalid_parameter",
	    "retry_state");
	expect_fail("retry_state=", 0, "invalid_parameter", "retry_state");
}

static void
test_filter__pagination__bounds_and_spellings(void **state)
{
	(void)state;
	assert_int_equal(parse("page=2&per_page=50", FILTER_PAGINATION), 0);
	assert_int_equal(f.page, 2);
	assert_int_equal(f.per_page, 50);
	assert_int_equal(parse("page%5Bnumber%5D=3&page%5Bsize%5D=1",
	    FILTER_PAGINATION), 0);
	assert_int_equal(f.page, 3);
	assert_int_equal(f.per_page, 1);
	assert_int_equal(parse("per_page=100&page=100000",
	    FILTER_PAGINATION), 0);
	assert_int_equal(f.per_page, 100);
	assert_int_equal(f.page, 100000);
	expect_fail("per_page=101", FILTER_PAGINATION, "invalid_parameter",
	    "per_page");
	expect_fail("per_page=0", FILTER_PAGINATION, "invalid_parameter",
	    "per_page");
	expect_fail("page[size]=-1", FILTER_PAGINATION, "invalid_parameter",
	    "page[size]");
	expect_fail("page=0", FILTER_PAGINATION, "invalid_parameter", "page");
	expect_fail("page=100001", FILTER_PAGINATION, "invalid_parameter",
	    "page");
	expect_fail("page=1.5", FILTER_PAGINATION, "invalid_parameter",
	    "page");
	expect_fail("page=+1", FILTER_PAGINATION, "invalid_parameter",
	    "page");
	expect_fail("page=99999999999999999999", FILTER_PAGINATION,
	    "invalid_parameter", "page");
	expect_fail("page[number]=", FILTER_PAGINATION, "invalid_parameter",
	    "page[number]");
	expect_fail("page=1&page[number]=2", FILTER_PAGINATION,
	    "invalid_parameter", "page[number]");
	/* not on stats and exports */
	expect_fail("page=1", 0, "unknown_parameter", "page");
	expect_fail("page[size]=10", 0, "unknown_parameter", "page[size]");
}

static void
test_filter__account_id__admin_only(void **state)
{
	(void)state;
	assert_int_equal(parse("account_id=" ACC, FILTER_ACCOUNT), 0);
	assert_string_equal(f.account_id, ACC);
	assert_int_equal(parse("filter[account_id]=" ACC, FILTER_ACCOUNT), 0);
	assert_string_equal(f.account_id, ACC);
	expect_fail("account_id=" ACC, FILTER_PAGINATION, "unknown_parameter",
	    "account_id");
	expect_fail("account_id=nope", FILTER_ACCOUNT, "invalid_parameter",
	    "account_id");
	expect_fail("account_id=0B7C1C5E-2D3F-4A4B-8C6D-7E8F9A0B1C2D",
	    FILTER_ACCOUNT, "invalid_parameter", "account_id");
}

static void
test_filter__unknown_keys__unknown_parameter(void **state)
{
	(void)state;
	expect_fail("bogus=1", FILTER_PAGINATION, "unknown_parameter",
	    "bogus");
	expect_fail("status=valid&Status=valid", 0, "unknown_parameter",
	    "Status");
	expect_fail("filter[bogus]=1", 0, "unknown_parameter",
	    "filter[bogus]");
	expect_fail("filter=valid", 0, "unknown_parameter", "filter");
	expect_fail("sort=-created_at", 0, "unknown_parameter", "sort");
	expect_fail("include=x", 0, "unknown_parameter", "include");
	expect_fail("format=csv", 0, "unknown_parameter", "format");
	/* a failed parse leaves no condition behind */
	assert_int_equal(f.status_mask, 0);
	assert_int_equal(f.per_page, 20);
}

static void
test_filter__extra_keys__left_to_the_caller(void **state)
{
	(void)state;
	assert_int_equal(api_filter_parse("format=xlsx&status=valid", 0,
	    " format ", &f, &e), 0);
	assert_int_equal(f.status_mask, 1u << VALIDATION_STATUS_VALID);
	assert_int_equal(api_filter_parse("form=xlsx", 0, " format ", &f, &e),
	    -1);
	assert_string_equal(e.code, "unknown_parameter");
}

static void
test_filter__everything__combined(void **state)
{
	(void)state;
	assert_int_equal(parse("status=valid,not_found&type=direct&"
	    "date_from=2025-01-01&date_to=2025-01-31&fecha_from=2024-12-31&"
	    "fecha_to=2025-01-31&search=MBAN&with_deleted=1&amount_min=1&"
	    "amount_max=2&playground=false&retry_state=none&page=2&"
	    "per_page=10", FILTER_PAGINATION), 0);
	assert_int_equal(f.status_mask, (1u << VALIDATION_STATUS_VALID) |
	    (1u << VALIDATION_STATUS_NOT_FOUND));
	assert_int_equal(f.type, VALIDATION_TYPE_DIRECT);
	assert_string_equal(f.search, "MBAN");
	assert_int_equal(f.with_deleted, 1);
	assert_int_equal(f.amount_min, 100);
	assert_int_equal(f.amount_max, 200);
	assert_int_equal(f.playground, 0);
	assert_int_equal(f.retry_state, RETRY_TERMINAL_NONE);
	assert_int_equal(f.page, 2);
	assert_int_equal(f.per_page, 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter__empty_query__defaults),
		cmocka_unit_test(test_filter__status__one_list_and_jsonapi),
		cmocka_unit_test(test_filter__status__bad__invalid_parameter),
		cmocka_unit_test(test_filter__type__direct_ocr),
		cmocka_unit_test(test_filter__dates__inclusive_utc_days),
		cmocka_unit_test(test_filter__dates__bad__invalid_parameter),
		cmocka_unit_test(test_filter__search__trimmed_bounded),
		cmocka_unit_test(test_filter__with_deleted_playground__booleans),
		cmocka_unit_test(test_filter__amounts__exact_cents),
		cmocka_unit_test(test_filter__retry_state__values),
		cmocka_unit_test(test_filter__pagination__bounds_and_spellings),
		cmocka_unit_test(test_filter__account_id__admin_only),
		cmocka_unit_test(test_filter__unknown_keys__unknown_parameter),
		cmocka_unit_test(test_filter__extra_keys__left_to_the_caller),
		cmocka_unit_test(test_filter__everything__combined),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

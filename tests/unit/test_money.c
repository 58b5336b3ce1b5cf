/*
 * mxcep: unit tests for src/core/money.c (exact pesos to centavos, from
 * text and from jansson values) and src/core/date.c (calendar dates in
 * the API's and Banxico's forms).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/core.h"

static void
assert_money_ok(const char *s, int64_t want)
{
	int64_t			 c = -1;
	enum money_error	 why = MONEY_ERR__MAX;

	if (money_parse(s, &c, &why) != 0)
		fail_msg("\"%s\": %s", s, money_error_str(why));
	assert_int_equal(why, MONEY_OK);
	assert_int_equal(c, want);
}

static void
assert_money_bad(const char *s, enum money_error want)
{
	int64_t			 c = -7;
	enum money_error	 why = MONEY_OK;

	assert_int_equal(money_parse(s, &c, &why), -1);
	if (why != want)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", s ? s : "(null)",
		    money_error_str(why), money_error_str(want));
	assert_int_equal(c, -7);	/* untouched */
}

static void
test_money_parse__plain_amounts__exact_cents(void **state)
{
	(void)state;
	assert_money_ok("1234.5", 123450);
	assert_money_ok("1234.50", 123450);
	assert_money_ok("1234", 123400);
	assert_money_ok("0.01", 1);
	assert_money_ok("0.1", 10);
	assert_money_ok("3414.95", 341495);	/* CP cassette amounts */
	assert_money_ok("1111111.0", 111111100);
	assert_money_ok("9858.7", 985870);
	assert_money_ok("8.17", 817);
	assert_money_ok("00012.30", 1230);
	assert_money_ok("999999999999.99", MONEY_MAX_CENTS);
	assert_money_ok("0000000000000000001", 100);	/* zeros are not digits of the cap */
}

static void
test_money_parse__malformed__reason(void **state)
{
	(void)state;
	assert_money_bad(NULL, MONEY_ERR_EMPTY);
	assert_money_bad("", MONEY_ERR_EMPTY);
	assert_money_bad("-1", MONEY_ERR_NEGATIVE);
	assert_money_bad("-0.01", MONEY_ERR_NEGATIVE);
	assert_money_bad("0", MONEY_ERR_ZERO);
	assert_money_bad("0.00", MONEY_ERR_ZERO);
	assert_money_bad("1.234", MONEY_ERR_DECIMALS);
	assert_money_bad("1.500", MONEY_ERR_DECIMALS);
	assert_money_bad("1e3", MONEY_ERR_EXPONENT);
	assert_money_bad("1.5E2", MONEY_ERR_EXPONENT);
	assert_money_bad("1,234.50", MONEY_ERR_SEPARATOR);
	assert_money_bad("1_234", MONEY_ERR_SEPARATOR);
	assert_money_bad("NaN", MONEY_ERR_NOT_FINITE);
	assert_money_bad("inf", MONEY_ERR_NOT_FINITE);
	assert_money_bad("-Infinity", MONEY_ERR_NOT_FINITE);
	assert_money_bad("1000000000000", MONEY_ERR_RANGE);
	assert_money_bad("1000000000000.00", MONEY_ERR_RANGE);
	assert_money_bad("99999999999999999999999", MONEY_ERR_RANGE);
	assert_money_bad("+5", MONEY_ERR_SYNTAX);
	assert_money_bad(".5", MONEY_ERR_SYNTAX);
	assert_money_bad("5.", MONEY_ERR_SYNTAX);
	assert_money_bad(" 5", MONEY_ERR_SYNTAX);
	assert_money_bad("5 ", MONEY_ERR_SYNTAX);
	assert_money_bad("1.2.3", MONEY_ERR_SYNTAX);
	assert_money_bad("$5", MONEY_ERR_SYNTAX);
	assert_money_bad("5,50", MONEY_ERR_SEPARATOR);	/* decimal comma */
	assert_money_bad("0x10", MONEY_ERR_SYNTAX);
	assert_money_bad("abc", MONEY_ERR_SYNTAX);
}

static void
test_money_from_double__two_decimal_values__exact(void **state)
{
	int64_t			 c = 0;
	enum money_error	 why;

	(void)state;
	assert_int_equal(money_from_double(1234.5, &c, &why), 0);
	assert_int_equal(c, 123450);
	assert_int_equal(money_from_double(0.01, &c, &why), 0);
	assert_int_equal(c, 1);
	assert_int_equal(money_from_double(0.07, &c, &why), 0);	/* 0.0700000000000000067 */
	assert_int_equal(c, 7);
	assert_int_equal(money_from_double(1.15, &c, &why), 0);	/* 1.149999999999999911 */
	assert_int_equal(c, 115);
	assert_int_equal(money_from_double(17584.28, &c, &why), 0);
	assert_int_equal(c, 1758428);
	assert_int_equal(money_from_double(999999999999.99, &c, &why), 0);
	assert_int_equal(c, MONEY_MAX_CENTS);
}

static void
test_money_from_double__every_cent_below_100__round_trips(void **state)
{
	char			 text[32];
	int64_t			 c, i;
	enum money_error	 why;

	(void)state;
	for (i = 1; i <= 10000; i++) {
		money_format(i, text);
		c = -1;
		assert_int_equal(money_from_double(strtod(text, NULL), &c,
		    &why), 0);
		assert_int_equal(c, i);
	}
}

static void
test_money_from_double__not_two_decimals__rejected(void **state)
{
	int64_t			 c = -7;
	enum money_error	 why;

	(void)state;
	assert_int_equal(money_from_double(0.001, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_DECIMALS);
	assert_int_equal(money_from_double(1234.567, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_DECIMALS);
	assert_int_equal(money_from_double(0.1 + 0.2, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_DECIMALS);
	assert_int_equal(money_from_double(0.005, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_DECIMALS);
	assert_int_equal(money_from_double(-1.0, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_NEGATIVE);
	assert_int_equal(money_from_double(0.0, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_ZERO);
	assert_int_equal(money_from_double(-0.0, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_ZERO);
	assert_int_equal(money_from_double(NAN, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_NOT_FINITE);
	assert_int_equal(money_from_double(INFINITY, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_NOT_FINITE);
	assert_int_equal(money_from_double(1e12, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_RANGE);
	assert_int_equal(money_from_double(1e300, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_RANGE);
	assert_int_equal(c, -7);
}

/* money_json: decode one JSON text and run money_from_json on it */
static int
money_json(const char *text, int64_t *c, enum money_error *why)
{
	json_t		*j;
	json_error_t	 err;
	int		 rc;

	j = json_loads(text, JSON_DECODE_ANY, &err);
	if (j == NULL)
		fail_msg("%s: %s", text, err.text);
	rc = money_from_json(j, c, why);
	json_decref(j);
	return rc;
}

static void
test_money_from_json__numbers_and_strings__exact(void **state)
{
	int64_t			 c = 0;
	enum money_error	 why;

	(void)state;
	assert_int_equal(money_json("1234.5", &c, &why), 0);
	assert_int_equal(c, 123450);
	assert_int_equal(money_json("\"1234.50\"", &c, &why), 0);
	assert_int_equal(c, 123450);
	assert_int_equal(money_json("\"0.01\"", &c, &why), 0);
	assert_int_equal(c, 1);
	assert_int_equal(money_json("0.01", &c, &why), 0);
	assert_int_equal(c, 1);
	assert_int_equal(money_json("300", &c, &why), 0);
	assert_int_equal(c, 30000);
	assert_int_equal(money_json("999999999999", &c, &why), 0);
	assert_int_equal(c, INT64_C(99999999999900));
}

static void
test_money_from_json__bad_values__reason(void **state)
{
	int64_t			 c = -7;
	enum money_error	 why;

	(void)state;
	assert_int_equal(money_json("-5", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_NEGATIVE);
	assert_int_equal(money_json("0", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_ZERO);
	assert_int_equal(money_json("1000000000000", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_RANGE);
	assert_int_equal(money_json("9223372036854775807", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_RANGE);
	assert_int_equal(money_json("12.345", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_DECIMALS);
	assert_int_equal(money_json("\"1e3\"", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_EXPONENT);
	assert_int_equal(money_json("\"1,000.00\"", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_SEPARATOR);
	assert_int_equal(money_json("\"NaN\"", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_NOT_FINITE);
	assert_int_equal(money_json("null", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_TYPE);
	assert_int_equal(money_json("true", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_TYPE);
	assert_int_equal(money_json("[1]", &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_TYPE);
	assert_int_equal(money_from_json(NULL, &c, &why), -1);
	assert_int_equal(why, MONEY_ERR_TYPE);
	assert_int_equal(c, -7);
}

static void
test_money_format__cents__two_decimals(void **state)
{
	char	 b[MONEY_FMT_SIZE];

	(void)state;
	assert_string_equal(money_format(123450, b), "1234.50");
	assert_string_equal(money_format(1, b), "0.01");
	assert_string_equal(money_format(0, b), "0.00");
	assert_string_equal(money_format(100, b), "1.00");
	assert_string_equal(money_format(-5, b), "-0.05");
	assert_string_equal(money_format(MONEY_MAX_CENTS, b), "999999999999.99");
	assert_string_equal(money_format(INT64_MIN, b), "-92233720368547758.08");
}

static void
test_date_parse_iso__real_days__parsed(void **state)
{
	struct date	 d;
	char		 b[DATE_FMT_SIZE];

	(void)state;
	assert_int_equal(date_parse_iso("2024-11-08", &d), 0);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 11);
	assert_int_equal(d.day, 8);
	assert_string_equal(date_format_banxico(&d, b), "08-11-2024");
	assert_string_equal(date_format_iso(&d, b), "2024-11-08");
	assert_int_equal(date_parse_iso("2024-02-29", &d), 0);	/* leap */
	assert_int_equal(date_parse_iso("2000-02-29", &d), 0);	/* 400 rule */
	assert_int_equal(date_parse_iso("2019-12-31", &d), 0);
	assert_int_equal(date_parse_iso("0001-01-01", &d), 0);
}

static void
test_date_parse_iso__impossible_or_malformed__rejected(void **state)
{
	struct date	 d = { 7, 7, 7 };

	(void)state;
	assert_int_equal(date_parse_iso("2023-02-29", &d), -1);
	assert_int_equal(date_parse_iso("1900-02-29", &d), -1);	/* 100 rule */
	assert_int_equal(date_parse_iso("2024-04-31", &d), -1);
	assert_int_equal(date_parse_iso("2024-13-01", &d), -1);
	assert_int_equal(date_parse_iso("2024-00-10", &d), -1);
	assert_int_equal(date_parse_iso("2024-01-00", &d), -1);
	assert_int_equal(date_parse_iso("0000-01-01", &d), -1);
	assert_int_equal(date_parse_iso("2024-1-01", &d), -1);
	assert_int_equal(date_parse_iso("2024-01-1", &d), -1);
	assert_int_equal(date_parse_iso("2024/01/01", &d), -1);
	assert_int_equal(date_parse_iso("2024-01-01T00:00:00Z", &d), -1);
	assert_int_equal(date_parse_iso("2024-01-+1", &d), -1);
	assert_int_equal(date_parse_iso("08-11-2024", &d), -1);
	assert_int_equal(date_parse_iso("", &d), -1);
	assert_int_equal(date_parse_iso(NULL, &d), -1);
	assert_int_equal(d.year, 7);	/* untouched */
}

/* every day of 1601..2400 against the C library's timegm(), and the
 * known fixed points */
static void
test_date_days_since_epoch__every_day__as_timegm(void **state)
{
	struct tm	 tm;
	int		 y, m, d, n = 0;

	(void)state;
	assert_int_equal(date_days_since_epoch(1970, 1, 1), 0);
	assert_int_equal(date_days_since_epoch(1969, 12, 31), -1);
	assert_int_equal(date_days_since_epoch(2000, 3, 1), 11017);
	assert_int_equal(date_days_since_epoch(1, 1, 1), -719162);
	for (y = 1601; y <= 2400; y++)
		for (m = 1; m <= 12; m++)
			for (d = 1; d <= date_days_in_month(y, m); d++) {
				memset(&tm, 0, sizeof(tm));
				tm.tm_year = y - 1900;
				tm.tm_mon = m - 1;
				tm.tm_mday = d;
				assert_int_equal(date_days_since_epoch(y, m, d)
				    * 86400, (long long)timegm(&tm));
				n++;
			}
	assert_int_equal(n, 292194);	/* 800 years: two 400-year eras */
}

static void
test_date_parse_banxico__dd_mm_yyyy__round_trips(void **state)
{
	struct date	 d;
	char		 b[DATE_FMT_SIZE];

	(void)state;
	assert_int_equal(date_parse_banxico("29-08-2019", &d), 0);
	assert_string_equal(date_format_iso(&d, b), "2019-08-29");
	assert_string_equal(date_format_banxico(&d, b), "29-08-2019");
	assert_int_equal(date_parse_banxico("29-02-2024", &d), 0);
	assert_int_equal(date_parse_banxico("29-02-2023", &d), -1);
	assert_int_equal(date_parse_banxico("31-11-2024", &d), -1);
	assert_int_equal(date_parse_banxico("2019-08-29", &d), -1);
	assert_int_equal(date_parse_banxico("29/08/2019", &d), -1);
}

static void
test_date_days_in_month__calendar__leap_rules(void **state)
{
	(void)state;
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(2023, 2), 28);
	assert_int_equal(date_days_in_month(2100, 2), 28);
	assert_int_equal(date_days_in_month(2400, 2), 29);
	assert_int_equal(date_days_in_month(2024, 4), 30);
	assert_int_equal(date_days_in_month(2024, 12), 31);
	assert_int_equal(date_days_in_month(2024, 13), 0);
	assert_int_equal(date_days_in_month(2024, 0), 0);
	assert_int_equal(date_valid(9999, 12, 31), 1);
	assert_int_equal(date_valid(10000, 1, 1), 0);
}

/* the DECIMAL(18,2) text MariaDB returns: zero is an amount, junk -1 */
static void
test_money_parse_decimal__column_text__cents_or_minus_one(void **state)
{
	(void)state;
	assert_int_equal(money_parse_decimal("1234.50"), 123450);
	assert_int_equal(money_parse_decimal("1234.5"), 123450);
	assert_int_equal(money_parse_decimal("12"), 1200);
	assert_int_equal(money_parse_decimal("0.01"), 1);
	assert_int_equal(money_parse_decimal("0.00"), 0);
	assert_int_equal(money_parse_decimal("0"), 0);
	assert_int_equal(money_parse_decimal("999999999999.99"),
	    MONEY_MAX_CENTS);
	assert_int_equal(money_parse_decimal(NULL), -1);
	assert_int_equal(money_parse_decimal(""), -1);
	assert_int_equal(money_parse_decimal("12.345"), -1);
	assert_int_equal(money_parse_decimal("-1.00"), -1);
	assert_int_equal(money_parse_decimal("1,234.00"), -1);
	assert_int_equal(money_parse_decimal("abc"), -1);
	assert_int_equal(money_parse_decimal("1000000000000.00"), -1);
}

/* every day of 1601..2400 and the ends of the calendar back from its
 * day number, and the C library's gmtime() agreeing */
static void
test_date_from_days__every_day__inverse_and_as_gmtime(void **state)
{
	struct date	 d;
	struct tm	 tm;
	time_t		 t;
	long long	 n, lo, hi;

	(void)state;
	lo = date_days_since_epoch(1601, 1, 1);
	hi = date_days_since_epoch(2400, 12, 31);
	for (n = lo; n <= hi; n++) {
		date_from_days(n, &d);
		assert_int_equal(date_days_since_epoch(d.year, d.month, d.day),
		    n);
		t = (time_t)(n * 86400);
		gmtime_r(&t, &tm);
		assert_int_equal(d.year, tm.tm_year + 1900);
		assert_int_equal(d.month, tm.tm_mon + 1);
		assert_int_equal(d.day, tm.tm_mday);
	}
	date_from_days(date_days_since_epoch(1, 1, 1), &d);
	assert_int_equal(d.year * 10000 + d.month * 100 + d.day, 10101);
	date_from_days(date_days_since_epoch(9999, 12, 31) + 1, &d);
	assert_int_equal(d.year * 10000 + d.month * 100 + d.day, 100000101);
}

/* the 1st of a day's month and of the months after, as timegm() */
static void
test_date_month_start__any_day__first_of_month(void **state)
{
	struct tm	 tm;
	long long	 n, lo, hi;
	int		 next;
	time_t		 t;

	(void)state;
	assert_int_equal(date_month_start(date_days_since_epoch(2024, 2, 29),
	    0), date_days_since_epoch(2024, 2, 1));
	assert_int_equal(date_month_start(date_days_since_epoch(2024, 12, 31),
	    1), date_days_since_epoch(2025, 1, 1));
	assert_int_equal(date_month_start(date_days_since_epoch(9999, 12, 1),
	    1), date_days_since_epoch(9999, 12, 31) + 1);
	lo = date_days_since_epoch(1999, 1, 1);
	hi = date_days_since_epoch(2031, 12, 31);
	for (n = lo; n <= hi; n++)
		for (next = 0; next <= 13; next++) {
			t = (time_t)(n * 86400);
			gmtime_r(&t, &tm);
			tm.tm_mday = 1;
			tm.tm_mon += next;
			assert_int_equal(date_month_start(n, next) * 86400,
			    (long long)timegm(&tm));
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_parse__plain_amounts__exact_cents),
		cmocka_unit_test(test_money_parse__malformed__reason),
		cmocka_unit_test(test_money_from_double__two_decimal_values__exact),
		cmocka_unit_test(test_money_from_double__every_cent_below_100__round_trips),
		cmocka_unit_test(test_money_from_double__not_two_decimals__rejected),
		cmocka_unit_test(test_money_from_json__numbers_and_strings__exact),
		cmocka_unit_test(test_money_from_json__bad_values__reason),
		cmocka_unit_test(test_money_format__cents__two_decimals),
		cmocka_unit_test(test_date_parse_iso__real_days__parsed),
		cmocka_unit_test(test_date_parse_iso__impossible_or_malformed__rejected),
		cmocka_unit_test(test_date_parse_banxico__dd_mm_yyyy__round_trips),
		cmocka_unit_test(test_date_days_since_epoch__every_day__as_timegm),
		cmocka_unit_test(test_date_days_in_month__calendar__leap_rules),
		cmocka_unit_test(test_money_parse_decimal__column_text__cents_or_minus_one),
		cmocka_unit_test(test_date_from_days__every_day__inverse_and_as_gmtime),
		cmocka_unit_test(test_date_month_start__any_day__first_of_month),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

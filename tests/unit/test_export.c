/*
 * mxcep: unit tests for src/core/csv.c, the CSV rules of the export:
 * RFC 4180 quoting and CRLF, the UTF-8 BOM, formula-injection
 * neutralisation, exact amounts from centavos, RFC 3339 UTC datetimes,
 * identifiers always quoted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/util.h"
#include "core/core.h"

/* one field written by fn, then the record closed: the bytes */
static char *
one_text(void (*fn)(struct csv *, const char *), const char *s)
{
	struct buf	 b;
	struct csv	 c;
	char		*out;

	buf_init(&b);
	csv_init(&c, &b);
	fn(&c, s);
	csv_end(&c);
	out = xstrdup(b.data != NULL ? b.data : "");
	buf_free(&b);
	return out;
}

static void
assert_text(const char *in, const char *want)
{
	char	*got = one_text(csv_text, in);

	assert_string_equal(got, want);
	free(got);
}

static void
assert_ident(const char *in, const char *want)
{
	char	*got = one_text(csv_ident, in);

	assert_string_equal(got, want);
	free(got);
}

static void
test_csv_text__plain__unquoted_crlf(void **state)
{
	(void)state;
	assert_text("PAGO FACTURA 12", "PAGO FACTURA 12\r\n");
	assert_text(" spaces kept ", " spaces kept \r\n");	/* RFC 4180 2.4 */
	assert_text("Compañía Ñandú é", "Compañía Ñandú é\r\n");	/* UTF-8 as is */
}

static void
test_csv_text__comma_quote_cr_lf__quoted_quotes_doubled(void **state)
{
	(void)state;
	assert_text("a,b", "\"a,b\"\r\n");
	assert_text("say \"hi\"", "\"say \"\"hi\"\"\"\r\n");
	assert_text("\"", "\"\"\"\"\r\n");
	assert_text("line1\nline2", "\"line1\nline2\"\r\n");
	assert_text("line1\r\nline2", "\"line1\r\nline2\"\r\n");
	assert_text("x\ry", "\"x\ry\"\r\n");
}

static void
test_csv_text__null_or_empty__empty_field(void **state)
{
	(void)state;
	assert_text(NULL, "\r\n");
	assert_text("", "\r\n");
	assert_ident(NULL, "\r\n");
}

static void
test_csv_text__formula_starts__quote_prefixed_and_quoted(void **state)
{
	(void)state;
	assert_text("=HYPERLINK(\"http://x\",\"y\")",
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n");
	assert_text("=1+1", "\"'=1+1\"\r\n");
	assert_text("+52 55", "\"'+52 55\"\r\n");
	assert_text("-2+3", "\"'-2+3\"\r\n");
	assert_text("@SUM(A1)", "\"'@SUM(A1)\"\r\n");
	assert_text("\tcmd", "\"'\tcmd\"\r\n");
	assert_text("\rcmd", "\"'\rcmd\"\r\n");
	/* only the first character counts */
	assert_text("a=b", "a=b\r\n");
	assert_text("1-2", "1-2\r\n");
	assert_int_equal(csv_is_formula_like(NULL), 0);
	assert_int_equal(csv_is_formula_like(""), 0);
	assert_int_equal(csv_is_formula_like("'=x"), 0);
	assert_int_equal(csv_is_formula_like("=x"), 1);
	assert_int_equal(csv_is_formula_like("\n=x"), 0);
}

static void
test_csv_ident__long_digits__quoted_text_exact(void **state)
{
	(void)state;
	assert_ident("646180157048010399", "\"646180157048010399\"\r\n");
	assert_ident("0012345", "\"0012345\"\r\n");	/* leading zeros kept */
	assert_ident("MBAN01002503150012345678",
	    "\"MBAN01002503150012345678\"\r\n");
	assert_ident("=CMD()", "\"'=CMD()\"\r\n");
	assert_ident("a\"b", "\"a\"\"b\"\r\n");
}

static void
test_csv_amount__cents__two_decimals_exact(void **state)
{
	struct buf	 b;
	struct csv	 c;

	(void)state;
	buf_init(&b);
	csv_init(&c, &b);
	csv_amount(&c, 150000);
	csv_amount(&c, 1);
	csv_amount(&c, 10);
	csv_amount(&c, 0);
	csv_amount(&c, 99999999999999);	/* MONEY_MAX_CENTS */
	csv_amount(&c, 123456789);
	csv_amount(&c, -1);		/* NULL */
	csv_end(&c);
	assert_string_equal(b.data, "1500.00,0.01,0.10,0.00,"
	    "999999999999.99,1234567.89,\r\n");
	buf_free(&b);
}

static void
test_csv_datetime__utc__rfc3339_z(void **state)
{
	struct buf	 b;
	struct csv	 c;

	(void)state;
	buf_init(&b);
	csv_init(&c, &b);
	csv_datetime(&c, (time_t)1742048530);	/* 2025-03-15T14:22:10Z */
	csv_datetime(&c, 0);
	csv_datetime(&c, (time_t)951782400);	/* 2000-02-29T00:00:00Z */
	csv_end(&c);
	assert_string_equal(b.data,
	    "2025-03-15T14:22:10Z,,2000-02-29T00:00:00Z\r\n");
	buf_free(&b);
}

/* the date is remembered per day: same day, next day, back, before 1970 */
static void
test_csv_datetime__days_in_any_order__each_exact(void **state)
{
	struct buf	 b;
	struct csv	 c;

	(void)state;
	buf_init(&b);
	csv_init(&c, &b);
	csv_datetime(&c, (time_t)1742048530);	/* 2025-03-15T14:22:10Z */
	csv_datetime(&c, (time_t)1742083199);	/* 2025-03-15T23:59:59Z */
	csv_datetime(&c, (time_t)1742083200);	/* 2025-03-16T00:00:00Z */
	csv_datetime(&c, (time_t)1742048530);
	csv_datetime(&c, (time_t)-1);		/* 1969-12-31T23:59:59Z */
	csv_end(&c);
	assert_string_equal(b.data, "2025-03-15T14:22:10Z,2025-03-15T23:59:59Z,"
	    "2025-03-16T00:00:00Z,2025-03-15T14:22:10Z,1969-12-31T23:59:59Z"
	    "\r\n");
	buf_free(&b);
}

static void
test_csv_record__bom_separators_crlf__rfc4180(void **state)
{
	struct buf	 b;
	struct csv	 c;

	(void)state;
	buf_init(&b);
	csv_init(&c, &b);
	csv_bom(&c);
	csv_text(&c, "id");
	csv_text(&c, "monto");
	csv_text(&c, "playground");
	csv_end(&c);
	csv_text(&c, "f47ac10b");
	csv_amount(&c, 1500);
	csv_bool(&c, 1);
	csv_end(&c);
	csv_text(&c, NULL);
	csv_amount(&c, -1);
	csv_bool(&c, 0);
	csv_end(&c);
	assert_int_equal(b.len, 3 + strlen("id,monto,playground\r\n"
	    "f47ac10b,15.00,true\r\n,,false\r\n"));
	assert_memory_equal(b.data, "\xEF\xBB\xBF", 3);
	assert_string_equal(b.data + 3, "id,monto,playground\r\n"
	    "f47ac10b,15.00,true\r\n,,false\r\n");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_text__plain__unquoted_crlf),
		cmocka_unit_test(
		    test_csv_text__comma_quote_cr_lf__quoted_quotes_doubled),
		cmocka_unit_test(test_csv_text__null_or_empty__empty_field),
		cmocka_unit_test(
		    test_csv_text__formula_starts__quote_prefixed_and_quoted),
		cmocka_unit_test(test_csv_ident__long_digits__quoted_text_exact),
		cmocka_unit_test(test_csv_amount__cents__two_decimals_exact),
		cmocka_unit_test(test_csv_datetime__utc__rfc3339_z),
		cmocka_unit_test(
		    test_csv_datetime__days_in_any_order__each_exact),
		cmocka_unit_test(test_csv_record__bom_separators_crlf__rfc4180),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * mxcep: the statement table (src/store/stmts.c) carries each
 * statement's shape next to its SQL: one letter per placeholder and one
 * per result column. These tests read the SQL of every entry and check
 * that its shape says as much: the placeholders counted, the columns of
 * a SELECT counted, and the whole-record statements made from the one
 * column table of struct validation (validation_cols.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "store/store_int.h"
#include "store/validation_cols.h"

/* the placeholders of sql outside quotes */
static size_t
placeholders(const char *sql)
{
	size_t	 n = 0;
	char	 q = 0;

	for (; *sql != '\0'; sql++) {
		if (q != 0) {
			if (*sql == q)
				q = 0;
		} else if (*sql == '\'' || *sql == '"' || *sql == '`')
			q = *sql;
		else if (*sql == '?')
			n++;
	}
	return n;
}

/* the columns of "SELECT a, f(b, c), d FROM ...": the commas at depth 0
 * outside quotes up to FROM (or the end), plus one; 0 if not a SELECT */
static size_t
select_columns(const char *sql)
{
	size_t	 n = 1;
	int	 depth = 0;
	char	 q = 0;

	if (strncmp(sql, "SELECT ", 7) != 0)
		return 0;
	for (sql += 7; *sql != '\0'; sql++) {
		if (q != 0) {
			if (*sql == q)
				q = 0;
			continue;
		}
		if (*sql == '\'' || *sql == '"' || *sql == '`')
			q = *sql;
		else if (*sql == '(')
			depth++;
		else if (*sql == ')')
			depth--;
		else if (depth == 0 && *sql == ',')
			n++;
		else if (depth == 0 && strncmp(sql, " FROM ", 6) == 0)
			break;
	}
	return n;
}

/* every statement: a name, its SQL, and a shape in the known letters
 * that counts its placeholders and result columns */
static void
test_stmt_defs__every_statement__shape_matches_sql(void **state)
{
	const struct stmt_def	*d;
	size_t			 i, cols;

	(void)state;
	for (i = 0; i < STMT__MAX; i++) {
		d = &stmt_defs[i];
		if (d->name == NULL || d->sql == NULL || d->params == NULL)
			fail_msg("statement %zu: no name, SQL or parameters", i);
		if (strspn(d->params, "sidtb") != strlen(d->params))
			fail_msg("%s: bad parameter letter in \"%s\"", d->name,
			    d->params);
		if (placeholders(d->sql) != strlen(d->params))
			fail_msg("%s: %zu placeholders, shape \"%s\"", d->name,
			    placeholders(d->sql), d->params);
		if (d->result == NULL)
			continue;
		if (strspn(d->result, "sidt") != strlen(d->result))
			fail_msg("%s: bad result letter in \"%s\"", d->name,
			    d->result);
		cols = select_columns(d->sql);
		if (cols != strlen(d->result))
			fail_msg("%s: %zu columns, result shape \"%s\"", d->name,
			    cols, d->result);
	}
}

/* the statements of a whole record have the column table's shape */
static void
test_stmt_defs__validation_record__one_column_table(void **state)
{
	(void)state;
	assert_int_equal(strlen(VALIDATION_FMT), 46);
	assert_int_equal(select_columns("SELECT " VALIDATION_COLS " FROM v"),
	    strlen(VALIDATION_FMT));
	assert_int_equal(placeholders(VALIDATION_MARKS), strlen(VALIDATION_FMT));
	assert_int_equal(select_columns("SELECT " VALIDATION_LIST_COLS
	    " FROM v"), strlen(VALIDATION_LIST_FMT));
	assert_int_equal(strlen(VALIDATION_LIST_FMT), 30);
	assert_string_equal(stmt_defs[STMT_VALIDATION_GET].result,
	    VALIDATION_FMT);
	assert_string_equal(stmt_defs[STMT_VALIDATION_GET_ANY].result,
	    VALIDATION_FMT);
	assert_string_equal(stmt_defs[STMT_VALIDATION_INSERT].params,
	    VALIDATION_FMT);
	assert_non_null(strstr(stmt_defs[STMT_VALIDATION_GET].sql,
	    VALIDATION_COLS));
	assert_non_null(strstr(stmt_defs[STMT_VALIDATION_INSERT].sql,
	    VALIDATION_COLS));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stmt_defs__every_statement__shape_matches_sql),
		cmocka_unit_test(test_stmt_defs__validation_record__one_column_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

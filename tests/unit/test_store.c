/*
 * mxcep: unit tests for the pure parts of src/store/. The statement
 * table (stmts.c) carries each statement's shape next to its SQL: one
 * letter per placeholder and one per result column; these tests read
 * the SQL of every entry and check that its shape says as much (the
 * placeholders counted, the columns of a SELECT counted), and that the
 * whole-record statements are made from the one column table of struct
 * validation (validation_cols.h). And a retry cycle's states map to
 * the stored ones by name (retry_states.c), an unknown value failing.
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
	assert_int_equal(select_columns("SELECT " VALIDATION_EXPORT_COLS
	    " FROM v"), strlen(VALIDATION_EXPORT_FMT));
	assert_int_equal(strlen(VALIDATION_EXPORT_FMT), 18);
	/* a column's place in each kind of row, from the same table */
	assert_int_equal(validation_row_col("id", VC_ROW_ALL), 0);
	assert_int_equal(validation_row_col("enqueued_at_ms", VC_ROW_ALL), 45);
	assert_int_equal(validation_row_col("monto", VC_ROW_LIST), 11);
	assert_int_equal(validation_row_col("request_data", VC_ROW_LIST), -1);
	assert_int_equal(validation_row_col("error_code", VC_ROW_EXPORT), 16);
	assert_int_equal(validation_row_col("error_message", VC_ROW_EXPORT),
	    -1);
	assert_int_equal(validation_row_col("no_such_column", VC_ROW_ALL), -1);
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

/* every cycle state and stored state has its pair, by name */
static void
test_retry_states__every_state__maps_by_name(void **state)
{
	static const struct {
		enum retry_terminal	 t;
		enum retry_cycle_state	 c;
	} pairs[] = {
		{ RETRY_TERMINAL_NONE, RETRY_CYCLE_NONE },
		{ RETRY_TERMINAL_PENDING, RETRY_CYCLE_PENDING },
		{ RETRY_TERMINAL_RESOLVED, RETRY_CYCLE_RESOLVED },
		{ RETRY_TERMINAL_EXHAUSTED, RETRY_CYCLE_EXHAUSTED },
		{ RETRY_TERMINAL_CANCELLED, RETRY_CYCLE_CANCELLED },
	};
	enum retry_cycle_state	 c;
	enum retry_terminal	 t;
	size_t			 i;

	(void)state;
	assert_int_equal(sizeof(pairs) / sizeof(pairs[0]), RETRY_CYCLE__MAX);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		c = RETRY_CYCLE__MAX;
		assert_int_equal(retry_cycle_state_of(pairs[i].t, &c), 0);
		assert_int_equal(c, pairs[i].c);
		t = RETRY_TERMINAL__MAX;
		assert_int_equal(retry_stored_state_of(pairs[i].c, &t), 0);
		assert_int_equal(t, pairs[i].t);
	}
}

/* a value outside either enum is an error, the output untouched */
static void
test_retry_states__unknown_value__error(void **state)
{
	enum retry_cycle_state	 c = RETRY_CYCLE_PENDING;
	enum retry_terminal	 t = RETRY_TERMINAL_PENDING;

	(void)state;
	assert_int_equal(retry_cycle_state_of(RETRY_TERMINAL__MAX, &c), -1);
	assert_int_equal(retry_cycle_state_of((enum retry_terminal)77, &c), -1);
	assert_int_equal(c, RETRY_CYCLE_PENDING);
	assert_int_equal(retry_stored_state_of(RETRY_CYCLE__MAX, &t), -1);
	assert_int_equal(retry_stored_state_of((enum retry_cycle_state)-1, &t),
	    -1);
	assert_int_equal(t, RETRY_TERMINAL_PENDING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stmt_defs__every_statement__shape_matches_sql),
		cmocka_unit_test(test_stmt_defs__validation_record__one_column_table),
		cmocka_unit_test(test_retry_states__every_state__maps_by_name),
		cmocka_unit_test(test_retry_states__unknown_value__error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * mxcep: the amount-bucket and bank-key rules are written twice: in C
 * (src/store/tally_keys.c, which the list counts bind) and in the
 * triggers of sql/007_list_tallies.sql and sql/008_list_rollups.sql
 * (which keep the tallies and rollups). These tests read the migrations
 * from $MXCEP_TOP_SRCDIR (set by make check) and check that both sides
 * agree: a change to either one fails here. The migrations are never
 * edited once applied; a new rule needs a new migration and this test.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/tally_keys.h"

static const char *const migrations[] = {
	"sql/007_list_tallies.sql", "sql/008_list_rollups.sql"
};
#define N_MIGRATIONS	(sizeof(migrations) / sizeof(migrations[0]))

/* the whole file under $MXCEP_TOP_SRCDIR, NUL-terminated */
static char *
read_migration(const char *name)
{
	const char	*top = getenv("MXCEP_TOP_SRCDIR");
	char		 path[4096], *s;
	FILE		*fp;
	long		 n;

	snprintf(path, sizeof(path), "%s/%s", top != NULL ? top : ".", name);
	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s (set MXCEP_TOP_SRCDIR)", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	return s;
}

/* the text from s up to (not including) the first of stop, at most n */
static void
copy_until(const char *s, const char *stop, char *out, size_t n)
{
	size_t	 len = strcspn(s, stop);

	if (len >= n)
		len = n - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

/*
 * The SQL bucket, as the triggers write it for a column X:
 *   FLOOR(X) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(X)) - N, 0))
 *   AS UNSIGNED) * CAST(POW(10, ...same...) AS UNSIGNED)
 * i.e. the whole pesos with all but their first N digits zeroed.
 */
static int64_t
sql_bucket(int64_t pesos, int n)
{
	char	 digits[32];
	int	 len, e;
	int64_t	 p = 1;

	len = snprintf(digits, sizeof(digits), "%lld", (long long)pesos);
	for (e = len - n > 0 ? len - n : 0; e > 0; e--)
		p *= 10;
	return pesos / p * p;
}

/* every amount-bucket expression of sql: the same N, written in the one
 * form sql_bucket() evaluates; their number */
static int
sql_bucket_digits(const char *sql, const char *name, int *digits)
{
	static const char	 lead[] = "FLOOR(";
	const char		*p, *q;
	char			 col[64], want[512];
	int			 found = 0, n;

	*digits = -1;
	for (p = strstr(sql, "POW(10"); p != NULL; p = strstr(p + 1, "POW(10")) {
		/* back to the start of the expression: "FLOOR(X) DIV CAST(" */
		for (q = p; q > sql && strncmp(q, lead, sizeof(lead) - 1) != 0;
		    q--)
			;
		copy_until(q + sizeof(lead) - 1, ")", col, sizeof(col));
		if (sscanf(strstr(p, ")) - ") + 5, "%d", &n) != 1)
			fail_msg("%s: no digit count after %.60s", name, p);
		snprintf(want, sizeof(want), "FLOOR(%s) DIV CAST(POW(10, "
		    "GREATEST(CHAR_LENGTH(FLOOR(%s)) - %d, 0)) AS UNSIGNED) * "
		    "CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(%s)) - %d, 0)) AS "
		    "UNSIGNED)", col, col, n, col, n);
		if (strncmp(q, want, strlen(want)) != 0)
			fail_msg("%s: a bucket not in the known form: %.200s",
			    name, q);
		if (*digits != -1 && *digits != n)
			fail_msg("%s: buckets of %d and %d digits", name,
			    *digits, n);
		*digits = n;
		found++;
		p = q + strlen(want);	/* its second POW is part of it */
	}
	return found;
}

/* amount_bucket() and the triggers' bucket agree on every amount */
static void
test_amount_bucket__sql_triggers__same_buckets(void **state)
{
	int64_t		 lo, w, pesos, e;
	size_t		 i;
	int		 digits, n;
	char		*sql;

	(void)state;
	for (i = 0; i < N_MIGRATIONS; i++) {
		sql = read_migration(migrations[i]);
		n = sql_bucket_digits(sql, migrations[i], &digits);
		free(sql);
		if (n < 5)
			fail_msg("%s: %d bucket expressions, want 5 or more",
			    migrations[i], n);
		assert_int_equal(digits, AMOUNT_BUCKET_DIGITS);
		for (pesos = 0; pesos <= 200000; pesos++) {
			amount_bucket(pesos, &lo, &w);
			if (lo != sql_bucket(pesos, digits))
				fail_msg("%lld pesos: C bucket %lld, SQL %lld",
				    (long long)pesos, (long long)lo,
				    (long long)sql_bucket(pesos, digits));
			assert_true(lo <= pesos && pesos < lo + w);
			assert_int_equal(sql_bucket(lo + w - 1, digits), lo);
		}
		for (e = 1; e <= INT64_C(100000000000000); e *= 10) {
			for (pesos = e - 1; pesos <= e + 1; pesos++) {
				amount_bucket(pesos, &lo, &w);
				assert_int_equal(lo, sql_bucket(pesos, digits));
				assert_int_equal(sql_bucket(lo + w - 1,
				    digits), lo);
			}
		}
	}
}

/*
 * Every bank key of sql: "X REGEXP 'P', X + 0, NULL)", the same P
 * everywhere; P into pat, the number of them.
 */
static int
sql_bank_pattern(const char *sql, const char *name, char *pat, size_t n)
{
	const char	*p, *q, *e;
	char		 col[64], this[128], want[256];
	int		 found = 0;

	pat[0] = '\0';
	for (p = strstr(sql, " REGEXP '"); p != NULL;
	    p = strstr(p + 1, " REGEXP '")) {
		for (q = p; q > sql && q[-1] != ' ' && q[-1] != '('; q--)
			;
		snprintf(col, sizeof(col), "%.*s", (int)(p - q), q);
		copy_until(p + 9, "'", this, sizeof(this));
		e = p + 9 + strlen(this) + 1;
		snprintf(want, sizeof(want), ", %s + 0, NULL)", col);
		if (strncmp(e, want, strlen(want)) != 0)
			fail_msg("%s: a bank key not in the known form: %.120s",
			    name, q);
		if (pat[0] != '\0' && strcmp(pat, this) != 0)
			fail_msg("%s: bank patterns %s and %s", name, pat,
			    this);
		snprintf(pat, n, "%s", this);
		found++;
	}
	return found;
}

/* tally_bank() keys a code exactly when the triggers' pattern matches
 * it, and with the same value (SQL's code + 0) */
static void
test_tally_bank__sql_triggers__same_keys(void **state)
{
	static const char *const codes[] = {
		"", "0", "00", "007", "1", "9", "10", "012", "40012", "90646",
		"123456789", "999999999", "100000000", "1234567890",
		"0123456789", "12a", "a12", " 12", "12 ", "-1", "+1", "1.5",
		"1e3", "4 0012", "BANAMEX", "40012x"
	};
	char		 pat[128], code[16], *sql;
	regex_t		 re;
	size_t		 i, k;
	long long	 want;
	int		 n, match;

	(void)state;
	for (i = 0; i < N_MIGRATIONS; i++) {
		sql = read_migration(migrations[i]);
		n = sql_bank_pattern(sql, migrations[i], pat, sizeof(pat));
		free(sql);
		if (n < 5)
			fail_msg("%s: %d bank keys, want 5 or more",
			    migrations[i], n);
		if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0)
			fail_msg("%s: bad pattern %s", migrations[i], pat);
		for (k = 0; k < sizeof(codes) / sizeof(codes[0]) + 200000;
		    k++) {
			if (k < sizeof(codes) / sizeof(codes[0]))
				snprintf(code, sizeof(code), "%s", codes[k]);
			else	/* 0..99999, and again zero-padded */
				snprintf(code, sizeof(code), k % 2 ? "%05zu" :
				    "%zu", (k - sizeof(codes) /
				    sizeof(codes[0])) / 2);
			match = regexec(&re, code, 0, NULL, 0) == 0;
			want = match ? strtoll(code, NULL, 10) : -1;
			if (tally_bank(code) != want)
				fail_msg("%s: \"%s\": C key %lld, SQL %lld",
				    migrations[i], code, tally_bank(code),
				    want);
		}
		regfree(&re);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount_bucket__sql_triggers__same_buckets),
		cmocka_unit_test(test_tally_bank__sql_triggers__same_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * mxcep: unit tests for src/core/bankcat.c: name folding, code forms,
 * priorities and ambiguity, and the real catalog: sql/banks.tsv and
 * sql/bank_aliases.tsv loaded as the store would, and every folded name
 * that sql/gen-banks.py wrote into sql/002_banks.sql compared with
 * bank_name_normalize() (the SQL path and the cache must agree).
 * Files are read from $MXCEP_TOP_SRCDIR (default ".").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

static void
assert_norm(const char *in, const char *want)
{
	char	 out[BANK_NAME_MAX];

	assert_non_null(bank_name_normalize(in, out, sizeof(out)));
	assert_string_equal(out, want);
}

static void
test_bank_name_normalize__case_accents_punctuation__folded(void **state)
{
	char	 small[6];

	(void)state;
	assert_norm("BBVA MEXICO", "bbva mexico");
	assert_norm("bbva méxico", "bbva mexico");
	assert_norm("BBVA MÉXICO", "bbva mexico");
	assert_norm("  Banco   J.P. Morgan ", "banco jp morgan");
	assert_norm("Fondo (Fira)", "fondo fira");
	assert_norm("Bank of Tokyo-Mitsubishi UFJ (México)",
	    "bank of tokyo mitsubishi ufj mexico");
	assert_norm("Cristóbal Colón, Ñandú Ü", "cristobal colon nandu u");
	assert_norm("ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿ",
	    "aaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooouuuuuuuuyyy");
	assert_norm("Æ×ß", "Æ×ß");			/* no fold: kept */
	assert_norm("Banco\tdel\nBajío", "banco del bajio");
	assert_norm("O'Higgins", "ohiggins");
	assert_norm("", "");
	assert_norm("...", "");
	assert_null(bank_name_normalize(NULL, small, sizeof(small)));
	assert_null(bank_name_normalize("abcdef", small, sizeof(small)));
	assert_string_equal(small, "");
	assert_null(bank_name_normalize("ab cde", small, sizeof(small)));
	assert_non_null(bank_name_normalize("abcde", small, sizeof(small)));
	assert_string_equal(small, "abcde");
}

static void
test_bank_code_normalize__forms__five_or_four_digits(void **state)
{
	char	 c[BANK_CODE_SIZE];

	(void)state;
	assert_int_equal(bank_code_normalize("40002", c), 0);
	assert_string_equal(c, "40002");
	assert_int_equal(bank_code_normalize("2001", c), 0);
	assert_string_equal(c, "2001");
	assert_int_equal(bank_code_normalize("02001", c), 0);
	assert_string_equal(c, "2001");
	assert_int_equal(bank_code_normalize("002", c), -1);
	assert_int_equal(bank_code_normalize("400020", c), -1);
	assert_int_equal(bank_code_normalize("4000a", c), -1);
	assert_int_equal(bank_code_normalize(NULL, c), -1);
}

static void
add(struct bank_catalog *c, const char *code, const char *prefix,
    const char *shrt, const char *cep)
{
	struct bank	 b;

	memset(&b, 0, sizeof(b));
	snprintf(b.code, sizeof(b.code), "%s", code);
	snprintf(b.clabe_prefix, sizeof(b.clabe_prefix), "%s", prefix);
	b.short_name = (char *)(uintptr_t)shrt;
	b.cep_name = (char *)(uintptr_t)cep;
	b.full_name = NULL;
	bank_catalog_add(c, &b);
}

static void
test_bank_catalog__priorities_and_ambiguity__resolved_or_refused(void **state)
{
	struct bank_catalog	*c = bank_catalog_new();
	const struct bank	*b = NULL;

	(void)state;
	add(c, "40012", "012", "BBVA Mexico", "BBVA MEXICO");
	add(c, "90001", "001", "Twin A", "");
	add(c, "90101", "001", "Twin B", NULL);	/* shares prefix 001 */
	add(c, "40030", "030", "Bajio", "BAJIO");
	bank_catalog_add_alias(c, "40012", "BBVA Bancomer", 2);
	bank_catalog_add_alias(c, "90001", "Gemelo", 2);
	bank_catalog_add_alias(c, "90101", "Gemelo", 2);
	bank_catalog_add_alias(c, "90001", "Bajio", 2);	/* loses to a name */
	bank_catalog_add_alias(c, "99999", "Nobody", 2);	/* unknown code */
	bank_catalog_add_alias(c, "90001", "Twin B", 3);	/* loses to priority 1 */
	assert_int_equal(bank_catalog_count(c), 4);

	assert_int_equal(bank_catalog_resolve(c, "bbva méxico", &b),
	    BANK_MATCH_ONE);
	assert_string_equal(b->code, "40012");
	assert_int_equal(bank_catalog_resolve(c, "BBVA BANCOMER", &b),
	    BANK_MATCH_ONE);
	assert_string_equal(b->code, "40012");
	assert_int_equal(bank_catalog_resolve(c, " 40012 ", &b),
	    BANK_MATCH_ONE);
	assert_int_equal(bank_catalog_resolve(c, "bajío", &b), BANK_MATCH_ONE);
	assert_string_equal(b->code, "40030");
	assert_int_equal(bank_catalog_resolve(c, "twin b", &b), BANK_MATCH_ONE);
	assert_string_equal(b->code, "90101");
	b = NULL;
	assert_int_equal(bank_catalog_resolve(c, "gemelo", &b),
	    BANK_MATCH_AMBIGUOUS);
	assert_null(b);
	assert_int_equal(bank_catalog_resolve(c, "nobody", &b),
	    BANK_MATCH_NONE);
	assert_int_equal(bank_catalog_resolve(c, "012", &b), BANK_MATCH_NONE);
	assert_int_equal(bank_catalog_resolve(c, "", &b), BANK_MATCH_NONE);
	assert_int_equal(bank_catalog_resolve(c, NULL, &b), BANK_MATCH_NONE);
	assert_int_equal(bank_catalog_resolve(c, "BBVA", &b), BANK_MATCH_NONE);

	assert_int_equal(bank_catalog_by_prefix(c, "012180004643051249", &b),
	    BANK_MATCH_ONE);
	assert_string_equal(b->code, "40012");
	assert_int_equal(bank_catalog_by_prefix(c, "001000000000000000", &b),
	    BANK_MATCH_AMBIGUOUS);
	assert_int_equal(bank_catalog_by_prefix(c, "777", &b), BANK_MATCH_NONE);
	assert_int_equal(bank_catalog_by_prefix(c, "7", &b), BANK_MATCH_NONE);
	bank_catalog_free(c);
	bank_catalog_free(NULL);
}

static void
test_bank_dup__copy__independent(void **state)
{
	struct bank	 b, *d;

	(void)state;
	memset(&b, 0, sizeof(b));
	strcpy(b.code, "90646");
	strcpy(b.clabe_prefix, "646");
	b.short_name = (char *)(uintptr_t)"STP";
	d = bank_dup(&b);
	assert_string_equal(d->code, "90646");
	assert_string_equal(d->short_name, "STP");
	assert_string_equal(d->cep_name, "");
	assert_string_equal(d->full_name, "");
	bank_free(d);
	bank_free(NULL);
}

/* ---- the real catalog files ---- */

static char *
srcpath(const char *rel)
{
	const char	*top = getenv("MXCEP_TOP_SRCDIR");
	char		*p;
	size_t		 n;

	if (top == NULL)
		top = ".";
	n = strlen(top) + strlen(rel) + 2;
	p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", top, rel);
	return p;
}

/* split: tab-separated fields of line (modified in place) */
static size_t
split(char *line, char **f, size_t max)
{
	size_t	 n = 0;
	char	*p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/* load_tsv: rows of path after its comments and header into cb */
static void
load_tsv(const char *rel, size_t ncols,
    void (*cb)(struct bank_catalog *, char **), struct bank_catalog *c)
{
	char	*path = srcpath(rel), line[2048], *f[8];
	FILE	*fp;
	int	 header = 1;

	fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s (set MXCEP_TOP_SRCDIR)", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(split(line, f, 8), ncols);
		if (header) {
			header = 0;
			continue;
		}
		cb(c, f);
	}
	fclose(fp);
	free(path);
}

static void
bank_row(struct bank_catalog *c, char **f)
{
	struct bank	 b;

	memset(&b, 0, sizeof(b));
	snprintf(b.code, sizeof(b.code), "%s", f[0]);
	snprintf(b.clabe_prefix, sizeof(b.clabe_prefix), "%s", f[1]);
	b.short_name = f[2];
	b.cep_name = f[3];
	b.full_name = f[5];
	bank_catalog_add(c, &b);
	bank_catalog_add_alias(c, f[0], f[4], 2);	/* clabe_validator_tag */
	bank_catalog_add_alias(c, f[0], f[5], 3);	/* full_name */
}

static void
alias_row(struct bank_catalog *c, char **f)
{
	bank_catalog_add_alias(c, f[0], f[1], 2);
}

static int
setup_catalog(void **state)
{
	struct bank_catalog	*c = bank_catalog_new();

	load_tsv("sql/banks.tsv", 6, bank_row, c);
	load_tsv("sql/bank_aliases.tsv", 3, alias_row, c);
	*state = c;
	return 0;
}

static int
teardown_catalog(void **state)
{
	bank_catalog_free(*state);
	return 0;
}

static const char *
resolve(const struct bank_catalog *c, const char *text)
{
	const struct bank	*b = NULL;

	if (bank_catalog_resolve(c, text, &b) != BANK_MATCH_ONE)
		return "none";
	return b->code;
}

static void
test_catalog_files__brief_examples__resolved(void **state)
{
	const struct bank_catalog	*c = *state;
	const struct bank		*b = NULL;

	assert_true(bank_catalog_count(c) >= 98);
	assert_string_equal(resolve(c, "BBVA MEXICO"), "40012");
	assert_string_equal(resolve(c, "bbva méxico"), "40012");
	assert_string_equal(resolve(c, "BBVA BANCOMER"), "40012");	/* 2019 CEPs */
	assert_string_equal(resolve(c, "Banamex"), "40002");
	assert_string_equal(resolve(c, "Citibanamex"), "40002");
	assert_string_equal(resolve(c, "40002"), "40002");
	assert_string_equal(resolve(c, "2001"), "2001");
	assert_string_equal(resolve(c, "02001"), "2001");
	assert_string_equal(resolve(c, "Banxico"), "2001");
	assert_string_equal(resolve(c, "Banco de México"), "2001");
	assert_string_equal(resolve(c, "BaBien"), "37166");
	assert_string_equal(resolve(c, "bansefi"), "37166");
	assert_string_equal(resolve(c, "STP"), "90646");
	assert_string_equal(resolve(c, "Cuenca"), "90723");
	assert_string_equal(resolve(c, "VE POR MAS"), "40113");
	assert_string_equal(resolve(c, "Fondo (FIRA)"), "90685");
	assert_string_equal(resolve(c, "Intercam"), "none");
	assert_string_equal(resolve(c, "99999"), "none");
	assert_int_equal(bank_catalog_by_prefix(c, "646180157042875763", &b),
	    BANK_MATCH_ONE);
	assert_string_equal(b->code, "90646");
	assert_int_equal(bank_catalog_by_prefix(c, "166180026480316602", &b),
	    BANK_MATCH_ONE);
	assert_string_equal(b->code, "37166");
	assert_int_equal(bank_catalog_by_prefix(c, "001", &b), BANK_MATCH_ONE);
	assert_string_equal(b->code, "2001");
	assert_int_equal(bank_catalog_by_prefix(c, "999", &b),
	    BANK_MATCH_NONE);
}

static void
test_catalog_files__every_name_and_code__resolves_to_itself(void **state)
{
	const struct bank_catalog	*c = *state;
	char				*path = srcpath("sql/banks.tsv");
	char				 line[2048], *f[8];
	FILE				*fp;
	int				 header = 1;

	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		split(line, f, 8);
		if (header) {
			header = 0;
			continue;
		}
		assert_string_equal(resolve(c, f[0]), f[0]);
		assert_string_equal(resolve(c, f[2]), f[0]);
		if (f[3][0] != '\0')
			assert_string_equal(resolve(c, f[3]), f[0]);
	}
	fclose(fp);
	free(path);
}

/* the codes bank_catalog_search gives for text, space-separated */
static const char *
search(const struct bank_catalog *c, const char *text, size_t max)
{
	static char	 out[BANK_SEARCH_MAX * BANK_CODE_SIZE + 1];
	char		 codes[BANK_SEARCH_MAX][BANK_CODE_SIZE];
	size_t		 i, n;

	n = bank_catalog_search(c, text, codes, max);
	assert_true(n <= max);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, codes[i]);
	}
	return out;
}

static void
test_catalog_search__code_names_aliases__the_participants_named(void **state)
{
	const struct bank_catalog	*c = *state;
	char				 many[BANK_SEARCH_MAX * BANK_CODE_SIZE + 1];

	/* a participant's code (emisor/receptor hold codes) */
	assert_string_equal(search(c, "40014", 8), "40014");
	assert_string_equal(search(c, "02001", 8), "2001");
	assert_string_equal(search(c, "40999", 8), "");
	assert_string_equal(search(c, "0000", 8), "");
	assert_string_equal(search(c, "123", 8), "");
	assert_string_equal(search(c, "123456", 8), "");
	/* the examples: partial name, aliases */
	assert_string_equal(search(c, "santan", 8), "40014");
	assert_string_equal(search(c, "SANTAN", 8), "40014");
	assert_string_equal(search(c, "bbva", 8), "40012");
	assert_string_equal(search(c, "nu", 8), "90638");
	assert_string_equal(search(c, "NU", 8), "90638");
	assert_string_equal(search(c, "mercado pago", 8), "90722");
	assert_string_equal(search(c, "  Mercado   Pago ", 8), "90722");
	/* accents and case */
	assert_string_equal(search(c, "Bajío", 8), "40030");
	assert_string_equal(search(c, "BAJIO", 8), "40030");
	assert_string_equal(search(c, "banco del bajío", 8), "40030");
	/* full names count, by a word's start */
	assert_string_equal(search(c, "mercantil del norte", 8), "40072");
	assert_string_equal(search(c, "ejercito", 8), "37019");
	/* several participants */
	assert_string_equal(search(c, "intercam", 8), "40136 90630");
	assert_string_equal(search(c, "intercam", 1), "");	/* 2 > max */
	/* 2 letters: whole names only ("nu" is an alias, "ba" none) */
	assert_string_equal(search(c, "ba", 8), "");
	/* inside a word is not a partial name */
	assert_string_equal(search(c, "tander", 8), "");
	/* too many by part of a name: whole names only */
	assert_string_equal(search(c, "banco", 8), "");
	assert_string_equal(search(c, "mex", 8), "");
	strcpy(many, search(c, "caja", 8));
	assert_true(strlen(many) > 0);
	/* nothing */
	assert_string_equal(search(c, "", 8), "");
	assert_string_equal(search(c, "...", 8), "");
	assert_string_equal(search(c, "zzzz", 8), "");
	assert_string_equal(search(c, "santan", 0), "");
	/* without a catalog a code still matches */
	assert_string_equal(search(NULL, "40012", 8), "40012");
	assert_string_equal(search(NULL, "bbva", 8), "");
}

/*
 * The generator's folded names: every "  ('norm', 'code', ..." row of
 * the bank_aliases INSERT must equal bank_name_normalize(alias), or the
 * SQL path (db_bank_resolve) and the cache would disagree.
 */
static void
test_generated_sql__folded_names__match_c_normalizer(void **state)
{
	char	*path = srcpath("sql/002_banks.sql");
	char	 line[2048], norm[BANK_NAME_MAX], *q[8], *p;
	FILE	*fp;
	int	 in_aliases = 0, rows = 0;
	size_t	 n;

	(void)state;
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "INSERT INTO bank_aliases", 24) == 0)
			in_aliases = 1;
		if (!in_aliases || strncmp(line, "  ('", 4) != 0)
			continue;
		/* ('norm', 'code', 'alias', ...: the quoted fields; the
		 * catalog has no quote inside a name (checked: 6 quotes+) */
		n = 0;
		for (p = line; *p != '\0' && n < 8; p++)
			if (*p == '\'')
				q[n++] = p;
		assert_true(n >= 8);
		*q[1] = '\0';
		*q[5] = '\0';
		assert_non_null(bank_name_normalize(q[4] + 1, norm,
		    sizeof(norm)));
		if (strcmp(norm, q[0] + 1) != 0)
			fail_msg("alias \"%s\": C folds to \"%s\", the "
			    "generator to \"%s\"", q[4] + 1, norm, q[0] + 1);
		rows++;
	}
	fclose(fp);
	free(path);
	assert_true(rows > 150);	/* 196 in the 2026 catalog */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bank_name_normalize__case_accents_punctuation__folded),
		cmocka_unit_test(test_bank_code_normalize__forms__five_or_four_digits),
		cmocka_unit_test(test_bank_catalog__priorities_and_ambiguity__resolved_or_refused),
		cmocka_unit_test(test_bank_dup__copy__independent),
		cmocka_unit_test_setup_teardown(test_catalog_files__brief_examples__resolved,
		    setup_catalog, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_catalog_files__every_name_and_code__resolves_to_itself,
		    setup_catalog, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_catalog_search__code_names_aliases__the_participants_named,
		    setup_catalog, teardown_catalog),
		cmocka_unit_test(test_generated_sql__folded_names__match_c_normalizer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

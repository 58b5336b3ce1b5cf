/*
 * mxcep: unit tests for src/api/receiving_input.c: the body of POST
 * /v1/receiving-accounts against a small catalog in memory (one bank of
 * its own prefix, two sharing one): the CLABE's check digit, length and
 * digits, its bank prefix, the alias rules, the document's shape, and
 * the status of the whole answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api.h"
#include "core/core.h"

static struct bank_catalog *cat;

static int
setup_catalog(void **state)
{
	struct bank	 b;
	char		 bbva[] = "BBVA Mexico", uno[] = "Uno";
	char		 dos[] = "Dos", none[] = "";

	(void)state;
	cat = bank_catalog_new();
	memset(&b, 0, sizeof(b));
	b.short_name = bbva;
	b.cep_name = bbva;
	b.full_name = none;
	snprintf(b.code, sizeof(b.code), "40012");
	snprintf(b.clabe_prefix, sizeof(b.clabe_prefix), "012");
	bank_catalog_add(cat, &b);
	/* two participants of one prefix */
	b.short_name = uno;
	b.cep_name = uno;
	snprintf(b.code, sizeof(b.code), "90990");
	snprintf(b.clabe_prefix, sizeof(b.clabe_prefix), "990");
	bank_catalog_add(cat, &b);
	b.short_name = dos;
	b.cep_name = dos;
	snprintf(b.code, sizeof(b.code), "91990");
	bank_catalog_add(cat, &b);
	return 0;
}

static int
teardown_catalog(void **state)
{
	(void)state;
	bank_catalog_free(cat);
	cat = NULL;
	return 0;
}

/* a valid CLABE: the 17 digits given and their check digit */
static char *
clabe_of(const char *first17, char out[CLABE_LEN + 1])
{
	snprintf(out, CLABE_LEN + 1, "%s%d", first17,
	    clabe_check_digit(first17));
	return out;
}

/* the document {"data":{"type":type,"attributes":attrs}} (attrs stolen) */
static json_t *
doc_of(const char *type, json_t *attrs)
{
	json_t	*data = json_object();

	if (type != NULL)
		json_object_set_new(data, "type", json_string(type));
	if (attrs != NULL)
		json_object_set_new(data, "attributes", attrs);
	return json_pack("{s:o}", "data", data);
}

/* runs the check; status, and the first error's code and pointer */
struct verdict {
	int		 status;
	size_t		 nerrs;
	char		 code[64];
	char		 pointer[64];
	char		 estatus[8];
};

static struct verdict
check(json_t *doc, const struct bank_catalog *c, struct receiving_input *in)
{
	struct verdict	 v;
	json_t		*errs = json_array(), *e;

	memset(&v, 0, sizeof(v));
	v.status = api_receiving_input(doc, c, in, errs);
	v.nerrs = json_array_size(errs);
	if ((e = json_array_get(errs, 0)) != NULL) {
		snprintf(v.code, sizeof(v.code), "%s", json_string_value(
		    json_object_get(e, "code")));
		snprintf(v.estatus, sizeof(v.estatus), "%s",
		    json_string_value(json_object_get(e, "status")));
		snprintf(v.pointer, sizeof(v.pointer), "%s", json_string_value(
		    json_object_get(json_object_get(e, "source"), "pointer")));
	}
	json_decref(errs);
	json_decref(doc);
	return v;
}

static void
expect_error(json_t *doc, const struct bank_catalog *c, int status,
    const char *code, const char *pointer)
{
	struct receiving_input	 in;
	struct verdict		 v = check(doc, c, &in);

	if (v.status != status || v.nerrs != 1 ||
	    strcmp(v.code, code) != 0 || strcmp(v.pointer, pointer) != 0)
		fail_msg("want %d %s at %s, got %d (%zu errors) %s at %s",
		    status, code, pointer, v.status, v.nerrs, v.code,
		    v.pointer);
	assert_null(in.alias);
}

static void
test_receiving_input__valid_clabe__bank_of_its_prefix(void **state)
{
	struct receiving_input	 in;
	struct verdict		 v;
	char			 c[CLABE_LEN + 1];

	(void)state;
	clabe_of("01218000123456789", c);
	v = check(doc_of("receiving_account", json_pack("{s:s, s:s}",
	    "clabe", c, "alias", "Cobranza BBVA ñ")), cat, &in);
	assert_int_equal(v.status, 0);
	assert_int_equal(v.nerrs, 0);
	assert_string_equal(in.clabe, c);
	assert_string_equal(in.bank_code, "40012");
	assert_string_equal(in.alias, "Cobranza BBVA ñ");
	api_receiving_input_free(&in);
	assert_null(in.alias);
}

static void
test_receiving_input__alias_null_empty_absent__none(void **state)
{
	struct receiving_input	 in;
	char			 c[CLABE_LEN + 1];
	json_t			*attrs[3];
	size_t			 i;

	(void)state;
	clabe_of("01218000123456789", c);
	attrs[0] = json_pack("{s:s, s:n}", "clabe", c, "alias");
	attrs[1] = json_pack("{s:s, s:s}", "clabe", c, "alias", "");
	attrs[2] = json_pack("{s:s}", "clabe", c);
	for (i = 0; i < 3; i++) {
		assert_int_equal(check(doc_of("receiving_account", attrs[i]),
		    cat, &in).status, 0);
		assert_null(in.alias);
		assert_string_equal(in.bank_code, "40012");
	}
}

static void
test_receiving_input__bad_clabes__422_invalid_clabe(void **state)
{
	static const char *const bad[] = {
		"012180001234567890",	/* the check digit (it is not 0) */
		"01218000123456789",	/* 17 digits */
		"0121800012345678901",	/* 19 digits */
		"01218000123456789A",	/* a letter */
		"0121 8000 1234 5678",	/* spaces */
		"",
	};
	char	 c[CLABE_LEN + 1];
	size_t	 i;

	(void)state;
	clabe_of("01218000123456789", c);
	assert_true(strcmp(c, bad[0]) != 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(doc_of("receiving_account", json_pack("{s:s}",
		    "clabe", bad[i])), cat, 422, "invalid_clabe",
		    "/data/attributes/clabe");
	/* a number: an 18-digit CLABE does not fit a JSON number */
	expect_error(doc_of("receiving_account", json_pack("{s:I}", "clabe",
	    (json_int_t)12180001234567890LL)), cat, 422, "invalid_clabe",
	    "/data/attributes/clabe");
	expect_error(doc_of("receiving_account", json_pack("{s:n}", "clabe")),
	    cat, 422, "missing_attribute", "/data/attributes/clabe");
	expect_error(doc_of("receiving_account", json_object()), cat, 422,
	    "missing_attribute", "/data/attributes/clabe");
}

static void
test_receiving_input__bank_prefix__unknown_422_shared_kept(void **state)
{
	struct receiving_input	 in;
	char			 c[CLABE_LEN + 1];

	(void)state;
	/* 777 is nobody's prefix */
	expect_error(doc_of("receiving_account", json_pack("{s:s}", "clabe",
	    clabe_of("77718000123456789", c))), cat, 422, "unknown_bank",
	    "/data/attributes/clabe");
	/* 990 is two participants': the prefix is what is known */
	assert_int_equal(check(doc_of("receiving_account", json_pack("{s:s}",
	    "clabe", clabe_of("99018000123456789", c))), cat, &in).status, 0);
	assert_string_equal(in.bank_code, "990");
	api_receiving_input_free(&in);
	/* no catalog: 503, retry */
	expect_error(doc_of("receiving_account", json_pack("{s:s}", "clabe",
	    clabe_of("01218000123456789", c))), NULL, 503,
	    "bank_catalog_unavailable", "/data/attributes/clabe");
}

static void
test_receiving_input__alias_rules__control_length_type(void **state)
{
	static const char *const ctl[] = { "a\nb", "a\rb", "tab\there",
	    "esc\x1b", "del\x7f", "c1\xc2\x85", "c1\xc2\x9f" };
	char	 c[CLABE_LEN + 1], alias[512];
	size_t	 i;
	struct receiving_input in;

	(void)state;
	clabe_of("01218000123456789", c);
	for (i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++)
		expect_error(doc_of("receiving_account", json_pack("{s:s, s:s}",
		    "clabe", c, "alias", ctl[i])), cat, 422,
		    "invalid_attribute", "/data/attributes/alias");
	expect_error(doc_of("receiving_account", json_pack("{s:s, s:i}",
	    "clabe", c, "alias", 5)), cat, 422, "invalid_attribute",
	    "/data/attributes/alias");
	/* 100 characters (200 bytes) are fine, 101 are not */
	alias[0] = '\0';
	for (i = 0; i < RECEIVING_ALIAS_MAX; i++)
		strcat(alias, "é");
	assert_int_equal(check(doc_of("receiving_account", json_pack(
	    "{s:s, s:s}", "clabe", c, "alias", alias)), cat, &in).status, 0);
	assert_string_equal(in.alias, alias);
	api_receiving_input_free(&in);
	strcat(alias, "x");
	expect_error(doc_of("receiving_account", json_pack("{s:s, s:s}",
	    "clabe", c, "alias", alias)), cat, 422, "invalid_attribute",
	    "/data/attributes/alias");
}

static void
test_receiving_input__document_shape__400_409_422(void **state)
{
	struct receiving_input	 in;
	struct verdict		 v;
	char			 c[CLABE_LEN + 1];

	(void)state;
	clabe_of("01218000123456789", c);
	expect_error(json_pack("{s:s}", "clabe", c), cat, 400,
	    "invalid_attribute", "/data");
	expect_error(doc_of(NULL, json_pack("{s:s}", "clabe", c)), cat, 400,
	    "invalid_attribute", "/data/type");
	expect_error(doc_of("validation", json_pack("{s:s}", "clabe", c)), cat,
	    409, "type_mismatch", "/data/type");
	expect_error(doc_of("receiving_account", NULL), cat, 400,
	    "invalid_attribute", "/data/attributes");
	expect_error(doc_of("receiving_account", json_pack("{s:s, s:s}",
	    "clabe", c, "bank", "40012")), cat, 422, "unknown_attribute",
	    "/data/attributes/bank");
	/* several problems: one object each, the most general status */
	v = check(doc_of("validation", json_pack("{s:s, s:s}", "clabe", "1",
	    "alias", "a\nb")), cat, &in);
	assert_int_equal(v.status, 409);
	assert_int_equal(v.nerrs, 3);
	v = check(doc_of(NULL, json_pack("{s:s}", "clabe", "1")), cat, &in);
	assert_int_equal(v.status, 400);
	assert_int_equal(v.nerrs, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_receiving_input__valid_clabe__bank_of_its_prefix),
		cmocka_unit_test(test_receiving_input__alias_null_empty_absent__none),
		cmocka_unit_test(test_receiving_input__bad_clabes__422_invalid_clabe),
		cmocka_unit_test(test_receiving_input__bank_prefix__unknown_422_shared_kept),
		cmocka_unit_test(test_receiving_input__alias_rules__control_length_type),
		cmocka_unit_test(test_receiving_input__document_shape__400_409_422),
	};

	return cmocka_run_group_tests(tests, setup_catalog, teardown_catalog);
}

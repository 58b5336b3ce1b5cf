/*
 * mxcep: unit tests for src/core (sha256, uuid) and the pure parts of
 * src/store (scopes_parse/scopes_format). No database needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "store/store.h"

static void
assert_sha256(const void *p, size_t n, const char *want)
{
	char	 got[2 * SHA256_LEN + 1];

	sha256_hex(p, n, got);
	assert_string_equal(got, want);
}

static void
test_sha256__empty__fips_vector(void **state)
{
	(void)state;
	assert_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

static void
test_sha256__abc__fips_vector(void **state)
{
	(void)state;
	assert_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

static void
test_sha256__448_bits__fips_vector(void **state)
{
	const char	*m = "abcdbcdecdefdefgefghfghighijhijkijkljklm"
	    "klmnlmnomnopnopq";

	(void)state;
	assert_int_equal(strlen(m), 56);
	assert_sha256(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_sha256__896_bits__fips_vector(void **state)
{
	const char	*m = "abcdefghbcdefghicdefghijdefghijkefghijkl"
	    "fghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
	    "mnopqrstnopqrstu";

	(void)state;
	assert_sha256(m, strlen(m), "cf5b16a778af8380036ce59e7b049237"
	    "0b249b11e8f07a51afac45037afee9d1");
}

static void
test_sha256__million_a__fips_vector(void **state)
{
	char	*m;

	(void)state;
	m = malloc(1000000);
	assert_non_null(m);
	memset(m, 'a', 1000000);
	assert_sha256(m, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

static void
test_sha256__raw_digest__matches_hex(void **state)
{
	uint8_t	 d[SHA256_LEN];

	(void)state;
	sha256("abc", 3, d);
	assert_int_equal(d[0], 0xba);
	assert_int_equal(d[31], 0xad);
}

static void
test_sha256__block_boundaries__differ_per_length(void **state)
{
	char	 buf[130], prev[2 * SHA256_LEN + 1], cur[2 * SHA256_LEN + 1];
	size_t	 n;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	sha256_hex(buf, 0, prev);
	/* lengths around 55/56/64 exercise the padding branches */
	for (n = 1; n <= sizeof(buf); n++) {
		sha256_hex(buf, n, cur);
		assert_int_equal(strlen(cur), 64);
		assert_string_not_equal(cur, prev);
		memcpy(prev, cur, sizeof(cur));
	}
}

static void
test_uuid_v4__generated__canonical_format(void **state)
{
	char	 u[37];
	size_t	 i;

	(void)state;
	assert_int_equal(uuid_v4(u), 0);
	assert_int_equal(strlen(u), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(u[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", u[i]));
	}
	assert_true(uuid_valid(u));
}

static void
test_uuid_v4__generated__version_and_variant_bits(void **state)
{
	char	 u[37];
	int	 i;

	(void)state;
	for (i = 0; i < 200; i++) {
		assert_int_equal(uuid_v4(u), 0);
		assert_int_equal(u[14], '4');
		assert_non_null(strchr("89ab", u[19]));
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_uuid_v4__thousand__all_unique(void **state)
{
	char	(*u)[37];
	int	 i;

	(void)state;
	u = calloc(1000, sizeof(*u));
	assert_non_null(u);
	for (i = 0; i < 1000; i++)
		assert_int_equal(uuid_v4(u[i]), 0);
	qsort(u, 1000, sizeof(*u), cmp_str);
	for (i = 1; i < 1000; i++)
		assert_string_not_equal(u[i - 1], u[i]);
	free(u);
}

static void
test_uuid_gen__two_generators__all_unique_canonical_v4(void **state)
{
	struct uuid_gen	 g[2];
	char		(*u)[37];
	int		 i;

	(void)state;
	memset(g, 0, sizeof(g));
	u = calloc(2000, sizeof(*u));
	assert_non_null(u);
	for (i = 0; i < 2000; i++) {
		assert_int_equal(uuid_gen_next(&g[i % 2], u[i]), 0);
		assert_true(uuid_valid(u[i]));
	}
	qsort(u, 2000, sizeof(*u), cmp_str);
	for (i = 1; i < 2000; i++)
		assert_string_not_equal(u[i - 1], u[i]);
	free(u);
}

static void
test_uuid_valid__canonical_v4__accepted(void **state)
{
	(void)state;
	assert_true(uuid_valid("f47ac10b-58cc-4372-a567-0e02b2c3d479"));
	assert_true(uuid_valid("00000000-0000-4000-8000-000000000000"));
	assert_true(uuid_valid("ffffffff-ffff-4fff-bfff-ffffffffffff"));
}

static void
test_uuid_valid__malformed__rejected(void **state)
{
	static const char *const bad[] = {
		"",
		"f47ac10b-58cc-4372-a567-0e02b2c3d47",		/* short */
		"f47ac10b-58cc-4372-a567-0e02b2c3d4799",	/* long */
		"F47AC10B-58CC-4372-A567-0E02B2C3D479",		/* upper */
		"f47ac10b-58cc-1372-a567-0e02b2c3d479",		/* v1 */
		"f47ac10b-58cc-4372-c567-0e02b2c3d479",		/* variant */
		"f47ac10b-58cc-4372-7567-0e02b2c3d479",		/* variant */
		"f47ac10b58cc-4372-a567-0e02b2c3d4791",		/* dash */
		"f47ac10b-58cc-4372-a567-0e02b2c3d47g",		/* not hex */
		"{f47ac10b-58cc-4372-a567-0e02b2c3d47}",
		"f47ac10b-58cc-4372-a567-0e02b2c3d479\n",
		"../../../../../etc/passwd-0e02b2c3d479",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(uuid_valid(bad[i]));
	assert_false(uuid_valid(NULL));
}

static void
test_scopes_parse__all_known__bits_set(void **state)
{
	unsigned int	 s = 0;

	(void)state;
	assert_int_equal(scopes_parse("validations:read", &s), 0);
	assert_int_equal(s, SCOPE_VALIDATIONS_READ);
	assert_int_equal(scopes_parse("admin, validations:delete,"
	    "validations:write ,validations:read", &s), 0);
	assert_int_equal(s, SCOPE__ALL);
}

static void
test_scopes_parse__unknown_or_empty__rejected(void **state)
{
	static const char *const bad[] = {
		"", ",", "validations:read,", ",admin", "root",
		"validations:read,validations:readx", "ADMIN",
		"validations", "validations:read,,admin",
	};
	unsigned int	 s = 0x55;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(scopes_parse(bad[i], &s), -1);
		assert_int_equal(s, 0x55);	/* untouched on failure */
	}
	assert_int_equal(scopes_parse(NULL, &s), -1);
}

static void
test_scopes_format__every_set__round_trips(void **state)
{
	unsigned int	 bits, back;
	char		*s;

	(void)state;
	for (bits = 1; bits <= SCOPE__ALL; bits++) {
		s = scopes_format(bits);
		assert_non_null(s);
		assert_int_equal(scopes_parse(s, &back), 0);
		assert_int_equal(back, bits);
		free(s);
	}
	s = scopes_format(SCOPE_VALIDATIONS_READ | SCOPE_ADMIN);
	assert_string_equal(s, "validations:read,admin");
	free(s);
	s = scopes_format(0);
	assert_string_equal(s, "");
	free(s);
}

/* the grams of term joined by "|" */
static const char *
grams(const char *term, size_t max)
{
	static char	 out[SEARCH_TERM_GRAMS_MAX * SEARCH_GRAM_SIZE + 1];
	char		 g[SEARCH_TERM_GRAMS_MAX][SEARCH_GRAM_SIZE];
	size_t		 i, n;

	n = search_grams(term, g, max);
	assert_true(n <= max);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, "|");
		strcat(out, g[i]);
	}
	return out;
}

static void
test_utf8_chars__ascii_and_accents__code_points(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars(""), 0);
	assert_int_equal(utf8_chars("abcd"), 4);
	assert_int_equal(utf8_chars("\xc3\xb1" "and\xc3\xba"), 5);	/* ñandú */
	assert_int_equal(utf8_chars("\xe2\x82\xac" "1"), 2);		/* €1 */
}

static void
test_search_grams__terms__cover_of_four_character_grams(void **state)
{
	(void)state;
	/* under 4 characters: none (a clave prefix, the referencia) */
	assert_string_equal(grams("", 4), "");
	assert_string_equal(grams("UDI", 4), "");
	assert_string_equal(grams("\xc3\xb1" "an", 4), "");	/* 3 characters */
	/* 4: the term itself */
	assert_string_equal(grams("UDIT", 4), "UDIT");
	assert_string_equal(grams("bbva", 4), "bbva");
	/* every character covered: at 0, 4, ... and the last four */
	assert_string_equal(grams("123456", 4), "1234|3456");
	assert_string_equal(grams("UDIT0001", 4), "UDIT|0001");
	assert_string_equal(grams("MBAN0120240", 4), "MBAN|0120|0240");
	assert_string_equal(grams("MBAN01202403", 4), "MBAN|0120|2403");
	/* characters, not bytes */
	assert_string_equal(grams("\xc3\xb1" "and\xc3\xba" "1", 4),
	    "\xc3\xb1" "and|nd\xc3\xba" "1");
	assert_string_equal(grams("pago\xc3\x91", 4), "pago|ago\xc3\x91");
	/* more than max: the first, the last, evenly spread between */
	assert_string_equal(grams("MBAN0120240370000010", 4),
	    "MBAN|0120|7000|0010");
	assert_string_equal(grams("MBAN0120240370000010", 2), "MBAN|0010");
	assert_string_equal(grams("MBAN0120240370000010", 1), "MBAN");
	assert_string_equal(grams("MBAN0120240370000010", 0), "");
	/* a 64-byte term */
	assert_string_equal(grams("0123456789012345678901234567890123456789"
	    "012345678901234567890123", 17), "0123|4567|8901|2345|6789|0123|"
	    "4567|8901|2345|6789|0123|4567|8901|2345|6789|0123");
	assert_string_equal(grams("0123456789012345678901234567890123456789"
	    "0123456789012345678901234", 17), "0123|4567|8901|2345|6789|0123|"
	    "4567|8901|2345|6789|0123|4567|8901|2345|6789|0123|1234");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_chars__ascii_and_accents__code_points),
		cmocka_unit_test(test_search_grams__terms__cover_of_four_character_grams),
		cmocka_unit_test(test_sha256__empty__fips_vector),
		cmocka_unit_test(test_sha256__abc__fips_vector),
		cmocka_unit_test(test_sha256__448_bits__fips_vector),
		cmocka_unit_test(test_sha256__896_bits__fips_vector),
		cmocka_unit_test(test_sha256__million_a__fips_vector),
		cmocka_unit_test(test_sha256__raw_digest__matches_hex),
		cmocka_unit_test(test_sha256__block_boundaries__differ_per_length),
		cmocka_unit_test(test_uuid_v4__generated__canonical_format),
		cmocka_unit_test(test_uuid_v4__generated__version_and_variant_bits),
		cmocka_unit_test(test_uuid_v4__thousand__all_unique),
		cmocka_unit_test(test_uuid_gen__two_generators__all_unique_canonical_v4),
		cmocka_unit_test(test_uuid_valid__canonical_v4__accepted),
		cmocka_unit_test(test_uuid_valid__malformed__rejected),
		cmocka_unit_test(test_scopes_parse__all_known__bits_set),
		cmocka_unit_test(test_scopes_parse__unknown_or_empty__rejected),
		cmocka_unit_test(test_scopes_format__every_set__round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * mxcep: unit tests for src/core/clabe.c: the CLABE control digit on
 * the worked examples of CLABE.md and on the real CLABEs of the CEP
 * samples, debit card Luhn, phone accounts, classification, prefixes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

/* CLABE.md worked examples and extra vectors, and every 18-digit Cuenta
 * of the CEP sample XMLs (shared data/cep/samples) */
static const char *const valid_clabes[] = {
	"002000000000000008",	/* CL tests/test_clabe.py */
	"723123456682660854",	/* CL tests/test_types.py */
	"002010077777777771",	/* CV computeChecksum('00201007777777777') */
	"723010123456789019",	/* CL README */
	"032180000118359719",	/* CV */
	"014027000005555558",	/* CV */
	"014028000005555557",	/* CV */
	"000000000000000000",	/* control digit ok (bank 000 is a catalog question) */
	"723969000011000077",	/* CEP samples from here on */
	"166180026480316602",
	"021180043534353354",
	"042180016002869580",
	"059180019535000152",
	"113180000001110557",
	"012180004643051249",
	"646180157042875763",
	"646180157048010399",
	"012180015379616853",
};

static void
test_clabe_check_digit__worked_examples__match_clabe_md(void **state)
{
	(void)state;
	assert_int_equal(clabe_check_digit("00200000000000000"), 8);
	assert_int_equal(clabe_check_digit("72312345668266085"), 4);
	assert_int_equal(clabe_check_digit("00201007777777777"), 1);
	assert_int_equal(clabe_check_digit("72301012345678901"), 9);
	assert_int_equal(clabe_check_digit("00000000000000000"), 0);
}

static void
test_clabe_check_digit__short_or_non_digit__minus_one(void **state)
{
	(void)state;
	assert_int_equal(clabe_check_digit(NULL), -1);
	assert_int_equal(clabe_check_digit(""), -1);
	assert_int_equal(clabe_check_digit("0020000000000000"), -1);
	assert_int_equal(clabe_check_digit("00200000000000x00"), -1);
}

static void
test_clabe_validate__known_valid__accepted(void **state)
{
	enum account_error	 why = ACCOUNT_ERR__MAX;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(valid_clabes) / sizeof(valid_clabes[0]); i++) {
		assert_int_equal(clabe_validate(valid_clabes[i], &why), 0);
		assert_int_equal(why, ACCOUNT_OK);
		assert_int_equal(clabe_check_digit(valid_clabes[i]),
		    valid_clabes[i][17] - '0');
	}
	assert_int_equal(clabe_validate(valid_clabes[0], NULL), 0);
}

static void
test_clabe_validate__every_wrong_last_digit__check_digit_error(void **state)
{
	enum account_error	 why;
	char			 s[CLABE_LEN + 1];
	size_t			 i;
	char			 d;

	(void)state;
	for (i = 0; i < sizeof(valid_clabes) / sizeof(valid_clabes[0]); i++) {
		memcpy(s, valid_clabes[i], sizeof(s));
		for (d = '0'; d <= '9'; d++) {
			if (d == valid_clabes[i][17])
				continue;
			s[17] = d;
			assert_int_equal(clabe_validate(s, &why), -1);
			assert_int_equal(why, ACCOUNT_ERR_CHECK_DIGIT);
		}
	}
	/* CL and CV tests */
	assert_int_equal(clabe_validate("002000000000000007", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_CHECK_DIGIT);
	assert_int_equal(clabe_validate("002010077777777779", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_CHECK_DIGIT);
}

static void
test_clabe_validate__single_digit_typo__detected(void **state)
{
	enum account_error	 why;
	char			 s[CLABE_LEN + 1];
	int			 i;

	(void)state;
	/* each weight (3, 7, 1) is coprime with 10: any single changed
	 * digit among the first 17 changes the control digit */
	for (i = 0; i < CLABE_LEN - 1; i++) {
		memcpy(s, "723969000011000077", sizeof(s));
		s[i] = s[i] == '9' ? '0' : (char)(s[i] + 1);
		assert_int_equal(clabe_validate(s, &why), -1);
		assert_int_equal(why, ACCOUNT_ERR_CHECK_DIGIT);
	}
}

static void
test_clabe_validate__bad_shape__distinct_reasons(void **state)
{
	enum account_error	 why;

	(void)state;
	assert_int_equal(clabe_validate(NULL, &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_EMPTY);
	assert_int_equal(clabe_validate("", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_EMPTY);
	assert_int_equal(clabe_validate("72396900001100007", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_LENGTH);
	assert_int_equal(clabe_validate("7239690000110000770", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_LENGTH);
	assert_int_equal(clabe_validate("6461801570", &why), -1);	/* redacted sample */
	assert_int_equal(why, ACCOUNT_ERR_LENGTH);
	assert_int_equal(clabe_validate("723 969000011000077", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_NOT_DIGITS);
	assert_int_equal(clabe_validate("72396900001100007a", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_NOT_DIGITS);
	assert_int_equal(clabe_validate("NA", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_NOT_DIGITS);
	assert_int_equal(clabe_validate("\xd9\xa7" "23969000011000077", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_NOT_DIGITS);	/* Arabic-Indic 7 */
	assert_string_equal(account_error_str(ACCOUNT_ERR_CHECK_DIGIT),
	    "check digit does not match");
	assert_string_equal(account_error_str(ACCOUNT_ERR__MAX), "unknown");
}

static void
test_clabe_bank_prefix__clabe__first_three_digits(void **state)
{
	char	 p[CLABE_PREFIX_LEN + 1];

	(void)state;
	assert_int_equal(clabe_bank_prefix("012180004643051249", p), 0);
	assert_string_equal(p, "012");
	assert_int_equal(clabe_bank_prefix("646", p), 0);
	assert_string_equal(p, "646");
	assert_int_equal(clabe_bank_prefix("64", p), -1);
	assert_string_equal(p, "");
	assert_int_equal(clabe_bank_prefix("6a6180157042875763", p), -1);
	assert_int_equal(clabe_bank_prefix(NULL, p), -1);
}

static void
test_card_validate__luhn_valid__accepted(void **state)
{
	enum account_error	 why;

	(void)state;
	/* VC docs/XML_CEP.md debit card (TipoCuenta 3) and test numbers */
	assert_int_equal(card_validate("4027665005017331", &why), 0);
	assert_int_equal(why, ACCOUNT_OK);
	assert_int_equal(card_validate("4111111111111111", &why), 0);
	assert_int_equal(card_validate("5555555555554444", &why), 0);
	assert_int_equal(card_validate("0000000000000000", &why), 0);
}

static void
test_card_validate__luhn_or_shape_wrong__rejected(void **state)
{
	enum account_error	 why;

	(void)state;
	assert_int_equal(card_validate("4027665005017332", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_CHECK_DIGIT);
	assert_int_equal(card_validate("4111111111111121", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_CHECK_DIGIT);
	/* swapped neighbours 0 and 2 change the Luhn sum */
	assert_int_equal(card_validate("4207665005017331", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_CHECK_DIGIT);
	assert_int_equal(card_validate("411111111111111", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_LENGTH);
	assert_int_equal(card_validate("4111-1111-1111-1111", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_NOT_DIGITS);
	assert_int_equal(card_validate("", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_EMPTY);
}

static void
test_phone_validate__ten_digits__accepted_else_reason(void **state)
{
	enum account_error	 why;

	(void)state;
	assert_int_equal(phone_validate("5512345678", &why), 0);
	assert_int_equal(why, ACCOUNT_OK);
	assert_int_equal(phone_validate("551234567", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_LENGTH);
	assert_int_equal(phone_validate("+525512345678", &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_NOT_DIGITS);
}

static void
test_account_classify__each_kind__type_and_tipo_cuenta(void **state)
{
	enum account_type	 t = ACCOUNT_TYPE__MAX;
	enum account_error	 why = ACCOUNT_ERR__MAX;

	(void)state;
	assert_int_equal(account_classify("646180157042875763", &t, &why), 0);
	assert_int_equal(t, ACCOUNT_TYPE_CLABE);
	assert_int_equal(why, ACCOUNT_OK);
	assert_int_equal(account_tipo_cuenta(t), 40);
	assert_string_equal(account_type_name(t), "clabe");
	assert_int_equal(account_classify("4027665005017331", &t, &why), 0);
	assert_int_equal(t, ACCOUNT_TYPE_CARD);
	assert_int_equal(account_tipo_cuenta(t), 3);
	assert_int_equal(account_classify("5512345678", &t, &why), 0);
	assert_int_equal(t, ACCOUNT_TYPE_PHONE);
	assert_int_equal(account_tipo_cuenta(t), 10);
	assert_int_equal(account_classify("5512345678", NULL, NULL), 0);
}

static void
test_account_classify__invalid__reason_and_invalid_type(void **state)
{
	enum account_type	 t = ACCOUNT_TYPE__MAX;
	enum account_error	 why = ACCOUNT_OK;

	(void)state;
	assert_int_equal(account_classify("646180157042875764", &t, &why), -1);
	assert_int_equal(t, ACCOUNT_TYPE_INVALID);
	assert_int_equal(why, ACCOUNT_ERR_CHECK_DIGIT);
	assert_int_equal(account_classify("4027665005017332", &t, &why), -1);
	assert_int_equal(t, ACCOUNT_TYPE_INVALID);
	assert_int_equal(why, ACCOUNT_ERR_CHECK_DIGIT);
	assert_int_equal(account_classify("012180000", &t, &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_LENGTH);	/* redacted sample */
	assert_int_equal(account_classify("12345678901234567", &t, &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_LENGTH);
	assert_int_equal(account_classify("NA", &t, &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_NOT_DIGITS);
	assert_int_equal(account_classify(NULL, &t, &why), -1);
	assert_int_equal(why, ACCOUNT_ERR_EMPTY);
	assert_int_equal(t, ACCOUNT_TYPE_INVALID);
	assert_int_equal(account_tipo_cuenta(ACCOUNT_TYPE_INVALID), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clabe_check_digit__worked_examples__match_clabe_md),
		cmocka_unit_test(test_clabe_check_digit__short_or_non_digit__minus_one),
		cmocka_unit_test(test_clabe_validate__known_valid__accepted),
		cmocka_unit_test(test_clabe_validate__every_wrong_last_digit__check_digit_error),
		cmocka_unit_test(test_clabe_validate__single_digit_typo__detected),
		cmocka_unit_test(test_clabe_validate__bad_shape__distinct_reasons),
		cmocka_unit_test(test_clabe_bank_prefix__clabe__first_three_digits),
		cmocka_unit_test(test_card_validate__luhn_valid__accepted),
		cmocka_unit_test(test_card_validate__luhn_or_shape_wrong__rejected),
		cmocka_unit_test(test_phone_validate__ten_digits__accepted_else_reason),
		cmocka_unit_test(test_account_classify__each_kind__type_and_tipo_cuenta),
		cmocka_unit_test(test_account_classify__invalid__reason_and_invalid_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * mxcep: beneficiary account numbers as SPEI knows them: the 18-digit
 * CLABE (check digit per /work/shared/data/CLABE.md, the algorithm of
 * cuenca-mx/clabe-python and center-key/clabe-validator), 16-digit debit
 * cards (Luhn) and 10-digit phone numbers. Pure functions, no I/O.
 * Whether a CLABE's bank prefix exists is a catalog question (store).
 */
#include <stddef.h>
#include <string.h>

#include "core/core.h"

static const char *const account_error_names[ACCOUNT_ERR__MAX] = {
	[ACCOUNT_OK] = "ok",
	[ACCOUNT_ERR_EMPTY] = "empty",
	[ACCOUNT_ERR_NOT_DIGITS] = "must contain only digits",
	[ACCOUNT_ERR_LENGTH] = "wrong number of digits",
	[ACCOUNT_ERR_CHECK_DIGIT] = "check digit does not match",
};

static const char *const account_type_names[ACCOUNT_TYPE__MAX] = {
	[ACCOUNT_TYPE_INVALID] = "invalid",
	[ACCOUNT_TYPE_CLABE] = "clabe",
	[ACCOUNT_TYPE_CARD] = "debit_card",
	[ACCOUNT_TYPE_PHONE] = "phone",
};

/* TipoCuenta of the CEP (CEP-XML.md): 40 CLABE, 3 debit card, 10 phone */
static const int account_tipo_cuenta_codes[ACCOUNT_TYPE__MAX] = {
	[ACCOUNT_TYPE_INVALID] = -1,
	[ACCOUNT_TYPE_CLABE] = 40,
	[ACCOUNT_TYPE_CARD] = 3,
	[ACCOUNT_TYPE_PHONE] = 10,
};

const char *
account_error_str(enum account_error e)
{
	if ((unsigned int)e >= ACCOUNT_ERR__MAX)
		return "unknown";
	return account_error_names[e];
}

const char *
account_type_name(enum account_type t)
{
	if ((unsigned int)t >= ACCOUNT_TYPE__MAX)
		return "invalid";
	return account_type_names[t];
}

int
account_tipo_cuenta(enum account_type t)
{
	if ((unsigned int)t >= ACCOUNT_TYPE__MAX)
		return -1;
	return account_tipo_cuenta_codes[t];
}

/* digits_len: the length of s when it is all ASCII digits, else -1 */
static long
digits_len(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	return (long)i;
}

/* shape: 0 when s is want digits; else -1 and *why (NULL-safe) */
static int
shape(const char *s, size_t want, enum account_error *why)
{
	enum account_error	 e = ACCOUNT_OK;
	long			 n;

	if (s == NULL || *s == '\0')
		e = ACCOUNT_ERR_EMPTY;
	else if ((n = digits_len(s)) == -1)
		e = ACCOUNT_ERR_NOT_DIGITS;
	else if ((size_t)n != want)
		e = ACCOUNT_ERR_LENGTH;
	if (why != NULL)
		*why = e;
	return e == ACCOUNT_OK ? 0 : -1;
}

/*
 * clabe_check_digit: the control digit (0..9) of the first 17 digits of
 * s: weights 3,7,1 repeated, each product mod 10, sum mod 10, then
 * (10 - sum) mod 10. -1 when s has fewer than 17 leading digits.
 */
int
clabe_check_digit(const char *s)
{
	static const int	 w[3] = { 3, 7, 1 };
	int			 i, sum = 0;

	if (s == NULL)
		return -1;
	for (i = 0; i < CLABE_LEN - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		sum += ((s[i] - '0') * w[i % 3]) % 10;
	}
	return (10 - sum % 10) % 10;
}

/* clabe_validate: 0 when s is 18 digits with the right control digit;
 * else -1 with the first failing reason in *why (why may be NULL). */
int
clabe_validate(const char *s, enum account_error *why)
{
	if (shape(s, CLABE_LEN, why) == -1)
		return -1;
	if (clabe_check_digit(s) != s[CLABE_LEN - 1] - '0') {
		if (why != NULL)
			*why = ACCOUNT_ERR_CHECK_DIGIT;
		return -1;
	}
	return 0;
}

/* clabe_bank_prefix: the 3-digit bank code of a CLABE (any string that
 * starts with 3 digits) into out; 0, or -1 with out "". */
int
clabe_bank_prefix(const char *s, char out[CLABE_PREFIX_LEN + 1])
{
	size_t	 i;

	out[0] = '\0';
	if (s == NULL)
		return -1;
	for (i = 0; i < CLABE_PREFIX_LEN; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	memcpy(out, s, CLABE_PREFIX_LEN);
	out[CLABE_PREFIX_LEN] = '\0';
	return 0;
}

/* luhn_ok: 1 when the digit string s passes the Luhn (mod 10) check */
static int
luhn_ok(const char *s, size_t n)
{
	size_t	 i;
	int	 d, sum = 0;

	for (i = 0; i < n; i++) {
		d = s[n - 1 - i] - '0';
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

/* card_validate: 0 when s is a 16-digit card number passing Luhn; else
 * -1 with the reason in *why (NULL-safe). */
int
card_validate(const char *s, enum account_error *why)
{
	if (shape(s, CARD_LEN, why) == -1)
		return -1;
	if (!luhn_ok(s, CARD_LEN)) {
		if (why != NULL)
			*why = ACCOUNT_ERR_CHECK_DIGIT;
		return -1;
	}
	return 0;
}

/* phone_validate: 0 when s is a 10-digit Mexican phone number (SPEI
 * TipoCuenta 10); no check digit exists. Else -1 with *why. */
int
phone_validate(const char *s, enum account_error *why)
{
	return shape(s, PHONE_LEN, why);
}

/*
 * account_classify: the kind of account s is, decided by its length
 * (18 CLABE, 16 card, 10 phone), and 0 only when it is a valid one of
 * that kind. *why (NULL-safe) says what is wrong otherwise: EMPTY,
 * NOT_DIGITS, LENGTH (not 10, 16 or 18 digits) or CHECK_DIGIT (for the
 * CLABE or card the length chose). *type is ACCOUNT_TYPE_INVALID on -1.
 */
int
account_classify(const char *s, enum account_type *type,
    enum account_error *why)
{
	enum account_error	 e = ACCOUNT_OK;
	enum account_type	 t = ACCOUNT_TYPE_INVALID;
	long			 n = -1;
	int			 rc = -1;

	if (s == NULL || *s == '\0')
		e = ACCOUNT_ERR_EMPTY;
	else if ((n = digits_len(s)) == -1)
		e = ACCOUNT_ERR_NOT_DIGITS;
	else if (n == CLABE_LEN)
		rc = clabe_validate(s, &e);
	else if (n == CARD_LEN)
		rc = card_validate(s, &e);
	else if (n == PHONE_LEN)
		rc = phone_validate(s, &e);
	else
		e = ACCOUNT_ERR_LENGTH;
	if (rc == 0)
		t = n == CLABE_LEN ? ACCOUNT_TYPE_CLABE :
		    n == CARD_LEN ? ACCOUNT_TYPE_CARD : ACCOUNT_TYPE_PHONE;
	if (type != NULL)
		*type = t;
	if (why != NULL)
		*why = e;
	return rc;
}

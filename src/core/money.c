/*
 * mxcep: amounts in pesos, held as integer centavos (int64_t) and never
 * as floating point. Text is parsed exactly ("1234.5", "0.01"); a JSON
 * number arrives from jansson as a double (its text is gone), so it is
 * accepted only when it is exactly the double of a 2-decimal amount.
 * Limits: > 0 and <= MONEY_MAX_CENTS. No I/O.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "core/core.h"

#define MONEY_MAX_INT_DIGITS	12	/* 999,999,999,999 pesos */

static const char *const money_error_names[MONEY_ERR__MAX] = {
	[MONEY_OK] = "ok",
	[MONEY_ERR_EMPTY] = "empty",
	[MONEY_ERR_TYPE] = "must be a number or a string",
	[MONEY_ERR_SYNTAX] = "not a decimal amount like 1234.50",
	[MONEY_ERR_NEGATIVE] = "must not be negative",
	[MONEY_ERR_ZERO] = "must be greater than zero",
	[MONEY_ERR_DECIMALS] = "more than 2 decimals",
	[MONEY_ERR_EXPONENT] = "exponent notation is not accepted",
	[MONEY_ERR_SEPARATOR] = "thousands separators are not accepted",
	[MONEY_ERR_NOT_FINITE] = "not a finite number",
	[MONEY_ERR_RANGE] = "larger than 999999999999.99",
};

const char *
money_error_str(enum money_error e)
{
	if ((unsigned int)e >= MONEY_ERR__MAX)
		return "unknown";
	return money_error_names[e];
}

static int
set_why(enum money_error *why, enum money_error e)
{
	if (why != NULL)
		*why = e;
	return e == MONEY_OK ? 0 : -1;
}

/* looks_numeric: 1 when s has only characters a number could use */
static int
looks_numeric(const char *s, const char *extra)
{
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '+' ||
		    *s == '-' || strchr(extra, *s) != NULL))
			return 0;
	return 1;
}

static int
is_not_finite_word(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	return strcasecmp(s, "nan") == 0 || strcasecmp(s, "inf") == 0 ||
	    strcasecmp(s, "infinity") == 0;
}

/* parse_plain: "D+[.D{1,2}]" into cents, zero allowed; the error for
 * anything else, checked in an order that names the likeliest mistake */
static enum money_error
parse_plain(const char *s, int64_t *cents)
{
	const char	*p = s;
	int64_t		 v = 0;
	size_t		 nint = 0, nsig = 0, nfrac = 0;

	if (*s == '\0')
		return MONEY_ERR_EMPTY;
	if (is_not_finite_word(s))
		return MONEY_ERR_NOT_FINITE;
	if (*s == '-')
		return MONEY_ERR_NEGATIVE;
	if (strpbrk(s, "eE") != NULL && looks_numeric(s, "eE"))
		return MONEY_ERR_EXPONENT;
	if (strpbrk(s, ",'_") != NULL && looks_numeric(s, ",'_"))
		return MONEY_ERR_SEPARATOR;
	for (; *p >= '0' && *p <= '9'; p++, nint++) {
		if (nsig == 0 && *p == '0')
			continue;		/* leading zeros */
		if (++nsig > MONEY_MAX_INT_DIGITS)
			return MONEY_ERR_RANGE;
		v = v * 10 + (*p - '0');
	}
	if (nint == 0)
		return MONEY_ERR_SYNTAX;
	v *= 100;
	if (*p == '.') {
		for (p++; p[nfrac] >= '0' && p[nfrac] <= '9'; nfrac++)
			;
		if (nfrac == 0 || p[nfrac] != '\0')
			return MONEY_ERR_SYNTAX;
		if (nfrac > 2)
			return MONEY_ERR_DECIMALS;
		v += (p[0] - '0') * 10;
		if (nfrac == 2)
			v += p[1] - '0';
	} else if (*p != '\0')
		return MONEY_ERR_SYNTAX;
	*cents = v;
	return MONEY_OK;
}

/* check: the limits every accepted amount must meet */
static enum money_error
check(int64_t cents)
{
	if (cents == 0)
		return MONEY_ERR_ZERO;
	if (cents > MONEY_MAX_CENTS)
		return MONEY_ERR_RANGE;
	return MONEY_OK;
}

/*
 * money_parse: exact pesos text ("1234", "1234.5", "1234.50", "0.01";
 * leading zeros allowed) into centavos. -1 with *why (NULL-safe) for
 * anything else: sign, exponent, separators, spaces, more than 2
 * decimals, zero, more than MONEY_MAX_CENTS. *cents set only on 0.
 */
int
money_parse(const char *s, int64_t *cents, enum money_error *why)
{
	enum money_error	 e;
	int64_t			 v = 0;

	if (s == NULL)
		return set_why(why, MONEY_ERR_EMPTY);
	if ((e = parse_plain(s, &v)) == MONEY_OK && (e = check(v)) == MONEY_OK)
		*cents = v;
	return set_why(why, e);
}

/*
 * money_parse_decimal: what MariaDB returns for a DECIMAL(18,2) amount
 * ("1234.50", "0.00"): money_parse's syntax and limits, zero accepted.
 * The centavos, or -1 for NULL, "" and anything else.
 */
int64_t
money_parse_decimal(const char *s)
{
	enum money_error	 why;
	int64_t			 c = -1;

	if (s == NULL || s[0] == '\0')
		return -1;
	if (money_parse(s, &c, &why) == -1)
		return why == MONEY_ERR_ZERO ? 0 : -1;
	return c;
}

/*
 * money_from_double: a JSON number as jansson gives it. Accepted only
 * when d is exactly the double nearest to a 2-decimal amount, checked
 * by printing it with "%.2f" and reading that back: 1234.5 and 0.01
 * pass, 0.001 and 1234.567 fail with MONEY_ERR_DECIMALS. XXX: the text
 * is gone, so 1e3 (exponent) and 1234.50000000000001 (same double as
 * 1234.5) cannot be told apart from 1000 and 1234.5 and are accepted.
 */
int
money_from_double(double d, int64_t *cents, enum money_error *why)
{
	char			 buf[64];
	enum money_error	 e;
	int64_t			 v = 0;

	if (isnan(d) || isinf(d))
		return set_why(why, MONEY_ERR_NOT_FINITE);
	if (d == 0)
		return set_why(why, MONEY_ERR_ZERO);	/* -0.0 too */
	if (d < 0)
		return set_why(why, MONEY_ERR_NEGATIVE);
	if (d >= 1e13)
		return set_why(why, MONEY_ERR_RANGE);
	snprintf(buf, sizeof(buf), "%.2f", d);
	if ((e = parse_plain(buf, &v)) != MONEY_OK)
		return set_why(why, e);
	if (strtod(buf, NULL) != d)
		return set_why(why, MONEY_ERR_DECIMALS);
	if ((e = check(v)) == MONEY_OK)
		*cents = v;
	return set_why(why, e);
}

/*
 * money_from_json: a "monto" member: a string (parsed exactly, see
 * money_parse), an integer (pesos) or a real (see money_from_double).
 * Other JSON types (and NULL): MONEY_ERR_TYPE. 0 ok, -1 with *why.
 */
int
money_from_json(const struct json_t *j, int64_t *cents,
    enum money_error *why)
{
	json_int_t	 i;

	if (j == NULL)
		return set_why(why, MONEY_ERR_TYPE);
	switch (json_typeof(j)) {
	case JSON_STRING:
		return money_parse(json_string_value(j), cents, why);
	case JSON_INTEGER:
		i = json_integer_value(j);
		if (i < 0)
			return set_why(why, MONEY_ERR_NEGATIVE);
		if (i > MONEY_MAX_CENTS / 100)
			return set_why(why, MONEY_ERR_RANGE);
		if (i == 0)
			return set_why(why, MONEY_ERR_ZERO);
		*cents = (int64_t)i * 100;
		return set_why(why, MONEY_OK);
	case JSON_REAL:
		return money_from_double(json_real_value(j), cents, why);
	default:
		return set_why(why, MONEY_ERR_TYPE);
	}
}

/* money_format: cents as pesos with exactly 2 decimals ("1234.50",
 * "-0.05") into out; returns out. */
char *
money_format(int64_t cents, char out[MONEY_FMT_SIZE])
{
	uint64_t	 a;

	a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	snprintf(out, MONEY_FMT_SIZE, "%s%" PRIu64 ".%02" PRIu64,
	    cents < 0 ? "-" : "", a / 100, a % 100);
	return out;
}

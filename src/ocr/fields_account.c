/*
 * mxcep: the beneficiary account on a receipt: an 18-digit CLABE
 * (check digit; one digit repaired when exactly one of the usual OCR
 * digit confusions gives a valid CLABE of a known participant, of the
 * receiving bank when one was read), a 16-digit card (Luhn), a 10-digit
 * phone, or a masked account: "****1234", "•••• 1234", "*1234",
 * "XXXX1234", "terminación 1234".
 */
#include <stdio.h>
#include <string.h>

#include "ocr/fields_int.h"

/* letters OCR reads for digits */
static int
digit_like(char c)
{
	switch (c) {
	case 'O': case 'o': case 'D': case 'Q': return '0';
	case 'I': case 'l': case 'i': case '|': return '1';
	case 'Z': case 'z': return '2';
	case 'S': case 's': return '5';
	case 'G': case 'b': return '6';
	case 'B': return '8';
	case 'g': case 'q': return '9';
	default: return 0;
	}
}

int
fx_digits_fix(const char *in, char *out, size_t n)
{
	size_t	 i, o = 0, digits = 0, likes = 0;
	int	 d;

	for (i = 0; in[i] != '\0'; i++) {
		if (in[i] >= '0' && in[i] <= '9')
			digits++;
		else if (digit_like(in[i]) != 0)
			likes++;
		else if (in[i] != ',' && in[i] != '.' && in[i] != '-')
			return -1;
	}
	if (digits == 0 || i >= n)
		return -1;
	for (i = 0; in[i] != '\0'; i++)
		out[o++] = (d = digit_like(in[i])) != 0 ? (char)d : in[i];
	out[o] = '\0';
	return likes > 0 ? 1 : 0;
}

/* the masks: bytes, or folded words that say "ending in" */
static int
is_masked(const char *text)
{
	static const char *const marks[] = { "*", "\xe2\x80\xa2",
	    "\xe2\x97\x8f", "\xc2\xb7", "\xe2\x88\x99", "xx", "XX",
	    "terminacion", "termina en", "terminada en", "con terminacion" };
	char	 fold[FX_TEXT_MAX];
	size_t	 i;

	fx_fold(text, fold, sizeof(fold));
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(i >= 7 ? fold : text, marks[i]) != NULL)
			return 1;
	/* "X1234": one X before digits */
	for (i = 0; text[i] != '\0'; i++)
		if ((text[i] == 'X' || text[i] == 'x') &&
		    (i == 0 || text[i - 1] == ' ') &&
		    text[i + 1] >= '0' && text[i + 1] <= '9')
			return 1;
	return 0;
}

/* all the digits of text's numeric tokens; *fixed */
static size_t
digits_of(const char *text, char *out, size_t n, int *fixed)
{
	char	 copy[FX_TEXT_MAX], tok[FX_TEXT_MAX], *p, *save = NULL;
	size_t	 o = 0, k;
	int	 f;

	snprintf(copy, sizeof(copy), "%s", text);
	for (p = strtok_r(copy, " \t:", &save); p != NULL;
	    p = strtok_r(NULL, " \t:", &save)) {
		if ((f = fx_digits_fix(p, tok, sizeof(tok))) == -1)
			continue;
		*fixed |= f;
		for (k = 0; tok[k] != '\0'; k++)
			if (tok[k] >= '0' && tok[k] <= '9') {
				if (o + 1 >= n)
					return 0;
				out[o++] = tok[k];
			}
	}
	out[o] = '\0';
	return o;
}

/* the visible digits of a masked account: the last run of digits */
static int
masked_last(const char *text, char last[8])
{
	size_t	 i, end = 0, start;

	for (i = 0; text[i] != '\0'; i++)
		if (text[i] >= '0' && text[i] <= '9')
			end = i + 1;
	if (end == 0)
		return -1;
	for (start = end; start > 0 && text[start - 1] >= '0' &&
	    text[start - 1] <= '9'; start--)
		;
	if (end - start < 2 || end - start > 6)
		return -1;
	memcpy(last, text + start, end - start);
	last[end - start] = '\0';
	return 0;
}

/* the digits a masked account starts with ("0121****7899"); "" */
static void
masked_first(const char *text, char first[8])
{
	size_t	 n = strspn(text, "0123456789");

	first[0] = '\0';
	if (n >= 3 && n <= 6 && text[n] != '\0' && text[n] != ' ') {
		memcpy(first, text, n);
		first[n] = '\0';
	}
}

static const char *const confusions[10] = {
	"869", "74", "7", "85", "19", "6398", "580", "12", "03695", "8405"
};

static int
clabe_ok(const char *c, const struct bank_catalog *cat, const char *prefix)
{
	const struct bank	*b;

	if (clabe_validate(c, NULL) == -1)
		return 0;
	if (bank_catalog_by_prefix(cat, c, &b) != BANK_MATCH_ONE)
		return 0;
	return prefix == NULL || strncmp(prefix, c, CLABE_PREFIX_LEN) == 0;
}

/* one digit of d changed by the confusion table into a valid CLABE:
 * 0 and d repaired when exactly one such change exists */
static int
clabe_repair(char *d, const struct bank_catalog *cat, const char *prefix)
{
	char		 try[CLABE_LEN + 1], found[CLABE_LEN + 1];
	const char	*alt;
	size_t		 i, n = 0;

	for (i = 0; i < CLABE_LEN; i++)
		for (alt = confusions[d[i] - '0']; *alt != '\0'; alt++) {
			memcpy(try, d, sizeof(try));
			try[i] = *alt;
			if (clabe_ok(try, cat, prefix) && n++ == 0)
				memcpy(found, try, sizeof(found));
		}
	if (n != 1)
		return -1;
	memcpy(d, found, CLABE_LEN + 1);
	return 0;
}

int
fx_account_parse(const char *text, const struct bank_catalog *cat,
    const char *receptor_prefix, struct fx_account *a)
{
	char	 d[64];
	size_t	 n;

	memset(a, 0, sizeof(*a));
	if (is_masked(text)) {
		if (masked_last(text, a->last) == -1)
			return -1;
		masked_first(text, a->first);
		a->masked = 1;
		return 0;
	}
	n = digits_of(text, d, sizeof(d), &a->fixed);
	if (n == CLABE_LEN) {
		memcpy(a->digits, d, n + 1);
		a->type = ACCOUNT_TYPE_CLABE;
		if (clabe_validate(d, NULL) == 0)
			return 0;
		memcpy(a->read, d, n + 1);
		if (clabe_repair(a->digits, cat, receptor_prefix) == 0) {
			a->repaired = 1;
			return 0;
		}
		a->bad_check = 1;
		return -1;
	}
	if (n == CARD_LEN) {
		memcpy(a->digits, d, n + 1);
		a->type = ACCOUNT_TYPE_CARD;
		if (card_validate(d, NULL) == 0)
			return 0;
		a->bad_check = 1;
		return -1;
	}
	if (n == PHONE_LEN) {
		memcpy(a->digits, d, n + 1);
		a->type = ACCOUNT_TYPE_PHONE;
		return 0;
	}
	return -1;
}

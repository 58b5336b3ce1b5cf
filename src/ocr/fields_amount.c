/*
 * mxcep: the amount of a receipt: "$1,500.00", "1,500.00 MXN",
 * "$ 1 500.00", "1.500,00" (the last separator followed by one or two
 * digits is the decimal point; the other one groups thousands). One
 * separator followed by three digits ("1,500", "1.500") is read as
 * thousands, and warned: pesos are shown with cents.
 */
#include <stdio.h>
#include <string.h>

#include "ocr/fields_int.h"

/* the number in text: digits and separators from its first digit
 * (blanks kept only between digit groups), letters read for digits
 * fixed in tokens that are mostly digits */
static int
number_of(const char *text, char *out, size_t n, int *fixed)
{
	char	 copy[FX_TEXT_MAX], tok[FX_TEXT_MAX], *p, *save = NULL;
	size_t	 o = 0, k;
	int	 started = 0, f;

	snprintf(copy, sizeof(copy), "%s", text);
	for (p = strtok_r(copy, " \t$", &save); p != NULL;
	    p = strtok_r(NULL, " \t$", &save)) {
		f = fx_digits_fix(p, tok, sizeof(tok));
		if (f == -1) {
			if (started)
				break;		/* "MXN", "pesos" ... */
			continue;
		}
		if (f == 1)
			*fixed = 1;
		/* a token that goes on a number: a 3-digit group */
		if (started && !(strlen(tok) >= 3 && tok[0] >= '0' &&
		    tok[0] <= '9' && strspn(tok, "0123456789") == 3))
			break;
		for (k = 0; tok[k] != '\0' && o + 1 < n; k++)
			if ((tok[k] >= '0' && tok[k] <= '9') ||
			    (started || o > 0 ? (tok[k] == ',' ||
			    tok[k] == '.') : 0))
				out[o++] = tok[k];
			else if (o > 0)
				break;
		started = o > 0;
	}
	while (o > 0 && (out[o - 1] == ',' || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

int
fx_amount_parse(const char *text, char out[MONEY_FMT_SIZE], int *ambiguous,
    int *fixed)
{
	char		 s[64], plain[64];
	const char	*last, *lc, *ld;
	size_t		 i, o = 0, after;
	int64_t		 cents;
	char		 dec = 0;

	*ambiguous = 0;
	*fixed = 0;
	if (number_of(text, s, sizeof(s), fixed) == -1)
		return -1;
	lc = strrchr(s, ',');
	ld = strrchr(s, '.');
	if (lc == NULL || ld == NULL)
		last = lc != NULL ? lc : ld;
	else
		last = lc > ld ? lc : ld;
	if (last != NULL) {
		after = strlen(last + 1);
		if (after == 1 || after == 2)
			dec = *last;
		else if (after != 3)
			return -1;
		else if ((lc == NULL) != (ld == NULL) &&
		    strchr(s, *last) == last)
			*ambiguous = 1;		/* "1,500": thousands */
	}
	for (i = 0; s[i] != '\0' && o + 1 < sizeof(plain); i++) {
		if (s[i] >= '0' && s[i] <= '9')
			plain[o++] = s[i];
		else if (&s[i] == last && dec != 0)
			plain[o++] = '.';
		else if (dec != 0 && s[i] == dec)
			return -1;		/* "1.500.00" */
	}
	plain[o] = '\0';
	if (money_parse(plain, &cents, NULL) == -1)
		return -1;
	money_format(cents, out);
	return 0;
}

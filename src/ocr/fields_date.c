/*
 * mxcep: the date of a receipt: "21 de julio de 2025", "12 may 2025",
 * "08-AGO-2025", "03/06/2025" (day first, as in Mexico: warned when the
 * two could be swapped), "2025-07-21", "julio 21, 2025"; two-digit
 * years are 20yy; weekdays and times around it are ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/fields_int.h"

#define TOKENS_MAX	16
#define TOKEN_LEN	16

static const struct {
	const char	*name;
	int		 month;
} months[] = {
	{ "enero", 1 }, { "ene", 1 }, { "jan", 1 },
	{ "febrero", 2 }, { "feb", 2 },
	{ "marzo", 3 }, { "mar", 3 },
	{ "abril", 4 }, { "abr", 4 }, { "apr", 4 },
	{ "mayo", 5 }, { "may", 5 },
	{ "junio", 6 }, { "jun", 6 },
	{ "julio", 7 }, { "jul", 7 },
	{ "agosto", 8 }, { "ago", 8 }, { "aug", 8 },
	{ "septiembre", 9 }, { "setiembre", 9 }, { "sept", 9 },
	{ "sep", 9 }, { "set", 9 },
	{ "octubre", 10 }, { "oct", 10 },
	{ "noviembre", 11 }, { "nov", 11 },
	{ "diciembre", 12 }, { "dic", 12 }, { "dec", 12 },
};

static int
month_of(const char *t)
{
	size_t	 i;

	for (i = 0; i < sizeof(months) / sizeof(months[0]); i++)
		if (strcmp(t, months[i].name) == 0)
			return months[i].month;
	return 0;
}

/* the value of t when it is 1..max digits, else -1 */
static int
num(const char *t, size_t minlen, size_t maxlen)
{
	size_t	 n = strlen(t);

	if (n < minlen || n > maxlen || strspn(t, "0123456789") != n)
		return -1;
	return atoi(t);
}

static int
year_of(const char *t)
{
	int	 y;

	if ((y = num(t, 4, 4)) != -1)
		return y;
	if ((y = num(t, 2, 2)) != -1)
		return 2000 + y;
	return -1;
}

/* text split at blanks, / - . , into folded tokens ("de" dropped),
 * letters read for digits in numeric tokens fixed (on the text as
 * read: an upper-case B is an 8, a lower-case b a 6) */
static size_t
tokens(const char *text, char t[][TOKEN_LEN], int *fixed)
{
	char	 copy[FX_TEXT_MAX], fold[TOKEN_LEN], tok[TOKEN_LEN];
	char	*p, *save = NULL;
	size_t	 n = 0;
	int	 f;

	snprintf(copy, sizeof(copy), "%s", text);
	for (p = strtok_r(copy, " \t/-.,", &save); p != NULL && n < TOKENS_MAX;
	    p = strtok_r(NULL, " \t/-.,", &save)) {
		if (p[0] >= '0' && p[0] <= '9' && strchr(p, 'T') != NULL)
			*strchr(p, 'T') = '\0';	/* ISO 8601 "21T10:00" */
		if (strlen(p) >= TOKEN_LEN)
			continue;
		fx_fold(p, fold, sizeof(fold));
		if (strcmp(fold, "de") == 0 || strcmp(fold, "del") == 0)
			continue;
		if (month_of(fold) == 0 &&
		    (f = fx_digits_fix(p, tok, sizeof(tok))) != -1) {
			*fixed |= f;
			snprintf(t[n++], TOKEN_LEN, "%s", tok);
		} else
			snprintf(t[n++], TOKEN_LEN, "%s", fold);
	}
	return n;
}

int
fx_date_parse(const char *text, char out[DATE_FMT_SIZE], int *ambiguous,
    int *fixed)
{
	char		 t[TOKENS_MAX][TOKEN_LEN];
	struct date	 d;
	size_t		 i, n;
	int		 a, b, y, m;

	*ambiguous = 0;
	*fixed = 0;
	n = tokens(text, t, fixed);
	for (i = 0; i + 2 < n; i++) {
		a = num(t[i], 1, 2);
		/* 2025-07-21 */
		if ((y = num(t[i], 4, 4)) != -1 && (m = num(t[i + 1], 1, 2)) !=
		    -1 && (b = num(t[i + 2], 1, 2)) != -1 && date_valid(y, m, b)) {
			d.year = y, d.month = m, d.day = b;
			goto found;
		}
		/* 21 julio 2025, 08 ago 2025 */
		if (a != -1 && (m = month_of(t[i + 1])) != 0 &&
		    (y = year_of(t[i + 2])) != -1 && date_valid(y, m, a)) {
			d.year = y, d.month = m, d.day = a;
			goto found;
		}
		/* julio 21 2025 */
		if ((m = month_of(t[i])) != 0 && (b = num(t[i + 1], 1, 2)) !=
		    -1 && (y = year_of(t[i + 2])) != -1 && date_valid(y, m, b)) {
			d.year = y, d.month = m, d.day = b;
			goto found;
		}
		/* 03/06/2025: day first */
		if (a != -1 && (b = num(t[i + 1], 1, 2)) != -1 &&
		    (y = year_of(t[i + 2])) != -1 && date_valid(y, b, a)) {
			d.year = y, d.month = b, d.day = a;
			*ambiguous = a <= 12 && a != b;
			goto found;
		}
	}
	return -1;
found:
	date_format_iso(&d, out);
	return 0;
}

/*
 * mxcep: the bank named by a receipt's value: the catalog's names and
 * aliases (bank_catalog_resolve) over the first one to four words, with
 * or without a leading "Banco"; else the name nearest by edit distance
 * (at most one edit per four letters, one participant at the best
 * distance), which the caller warns about.
 */
#include <stdio.h>
#include <string.h>

#include "ocr/fields_int.h"

#define WORDS_MAX	4

/* the first k words of norm (normalised, space separated) into out */
static void
first_words(const char *norm, size_t k, char *out, size_t n)
{
	size_t	 i, w = 0;

	snprintf(out, n, "%s", norm);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] == ' ' && ++w == k) {
			out[i] = '\0';
			break;
		}
}

static int
exact(const struct bank_catalog *cat, const char *norm,
    const struct bank **b)
{
	char		 phrase[BANK_NAME_MAX];
	size_t		 k;
	enum bank_match	 m;
	int		 ambiguous = 0;

	for (k = WORDS_MAX; k >= 1; k--) {
		first_words(norm, k, phrase, sizeof(phrase));
		m = bank_catalog_resolve(cat, phrase, b);
		if (m == BANK_MATCH_ONE)
			return 0;
		if (m == BANK_MATCH_AMBIGUOUS)
			ambiguous = 1;
	}
	return ambiguous ? -2 : -1;
}

static int
fuzzy(const struct bank_catalog *cat, const char *norm,
    const struct bank **out)
{
	char			 phrase[BANK_NAME_MAX];
	const char		*name;
	const struct bank	*b, *best = NULL;
	size_t			 i, k, d, bestd = BANK_NAME_MAX, len;
	int			 tie = 0;

	for (k = 1; k <= WORDS_MAX; k++) {
		first_words(norm, k, phrase, sizeof(phrase));
		if ((len = strlen(phrase)) < 4)
			continue;
		for (i = 0; bank_catalog_name(cat, i, &name, &b) == 0; i++) {
			if (strlen(name) < 4)
				continue;
			d = fx_distance(phrase, len, name, strlen(name));
			if (d == 0 || d > (len < 8 ? 1 : len / 4))
				continue;
			if (d < bestd) {
				bestd = d;
				best = b;
				tie = 0;
			} else if (d == bestd && b != best)
				tie = 1;
		}
	}
	if (best == NULL)
		return -1;
	if (tie)
		return -2;
	*out = best;
	return 0;
}

int
fx_bank_find(const struct bank_catalog *cat, const char *text,
    const struct bank **b, int *is_fuzzy)
{
	char	 norm[BANK_NAME_MAX];
	int	 r, r2;

	*is_fuzzy = 0;
	if (cat == NULL || bank_name_normalize(text, norm, sizeof(norm)) ==
	    NULL || norm[0] == '\0')
		return -1;
	if ((r = exact(cat, norm, b)) == 0)
		return 0;
	if (strncmp(norm, "banco ", 6) == 0 &&
	    (r2 = exact(cat, norm + 6, b)) != -1)
		return r2;
	if (r == -2)
		return -2;
	if ((r = fuzzy(cat, norm, b)) == 0)
		*is_fuzzy = 1;
	else if (r == -1 && strncmp(norm, "banco ", 6) == 0 &&
	    (r = fuzzy(cat, norm + 6, b)) == 0)
		*is_fuzzy = 1;
	return r;
}

/*
 * mxcep: text helpers of the receipt extractor: case and accent
 * folding, and the edit distance fuzzy matches are measured with.
 */
#include <string.h>

#include "ocr/fields_int.h"

static const unsigned char latin1_fold[] =
    "aaaaaa?ceeeeiiii?nooooo??uuuuy??"
    "aaaaaa?ceeeeiiii?nooooo??uuuuy?y";

void
fx_fold(const char *in, char *out, size_t n)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 o = 0;

	if (n == 0)
		return;
	for (; *p != '\0' && o + 1 < n; p++) {
		if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf &&
		    latin1_fold[p[1] - 0x80] != '?') {
			out[o++] = (char)latin1_fold[p[1] - 0x80];
			p++;
		} else if (*p >= 'A' && *p <= 'Z')
			out[o++] = (char)(*p - 'A' + 'a');
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
}

/* Levenshtein distance of a[0..la) and b[0..lb); both < FX_DIST_MAX,
 * else FX_DIST_MAX */
size_t
fx_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t	 row[FX_DIST_MAX + 1], i, j, diag, up;

	if (la >= FX_DIST_MAX || lb >= FX_DIST_MAX)
		return FX_DIST_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

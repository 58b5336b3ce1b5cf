/*
 * mxcep: the grams a free-text search term is looked up by
 * (sql/010_search_grams.sql keeps the 4-character substrings of every
 * record's clave de rastreo and referencia). A term of 4 characters or
 * more is covered by its grams at characters 0, 4, 8, ... and by the
 * one ending it; a record holding all of them is a candidate, which the
 * store confirms against the columns. Characters are UTF-8 code points,
 * as MariaDB's SUBSTRING counts them.
 */
#include <string.h>

#include "core/core.h"

size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* the byte offset of character i of s (s has more than i characters) */
static size_t
char_offset(const char *s, size_t i)
{
	size_t	 o = 0;

	for (;; o++)
		if (((unsigned char)s[o] & 0xc0) != 0x80 && i-- == 0)
			return o;
}

size_t
search_grams(const char *term, char grams[][SEARCH_GRAM_SIZE], size_t max)
{
	size_t	 len = utf8_chars(term), pos[SEARCH_TERM_GRAMS_MAX];
	size_t	 npos = 0, n = 0, i, j, a, b;

	if (len < SEARCH_GRAM_CHARS || max == 0)
		return 0;
	for (i = 0; i + SEARCH_GRAM_CHARS <= len &&
	    npos < SEARCH_TERM_GRAMS_MAX; i += SEARCH_GRAM_CHARS)
		pos[npos++] = i;
	if (pos[npos - 1] != len - SEARCH_GRAM_CHARS) {
		if (npos == SEARCH_TERM_GRAMS_MAX)
			npos--;
		pos[npos++] = len - SEARCH_GRAM_CHARS;
	}
	for (j = 0; j < max && j < npos; j++) {
		/* the first, the last, and evenly spread between */
		i = npos <= max ? j : (max == 1 ? 0 :
		    (j * (npos - 1) + (max - 1) / 2) / (max - 1));
		a = char_offset(term, pos[i]);
		b = pos[i] + SEARCH_GRAM_CHARS < len ? char_offset(term,
		    pos[i] + SEARCH_GRAM_CHARS) : strlen(term);
		memcpy(grams[n], term + a, b - a);
		grams[n++][b - a] = '\0';
	}
	return n;
}

/*
 * mxcep: the clave de rastreo and the referencia numérica of a receipt.
 *
 * A clave de rastreo is 1 to 30 letters and digits; the banks' shapes
 * are a letter prefix and a digit tail ("MBAN01002507210012345678",
 * "BXM4924...", "MIFELSPEI2024...", "RASPEIOAT2024...", "BiB2024...",
 * "CUENCA1555...") or digits only ("6022135"). OCR confuses O/0, I/1,
 * S/5, B/8, Z/2: a known prefix fixes where the letters end; otherwise
 * the letters end at the last letter that cannot be a digit, the tail
 * starts at the first real digit after it, and what is between is kept
 * as read. Digits inside the prefix become letters, look-alike letters
 * in the tail digits; a clave with no true letter is all digits.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ocr/fields_int.h"

#define CLAVE_MAX	30
#define REFERENCIA_MAX	7

/* prefixes seen on real CEPs (shared/data/cep/samples) and bank apps */
static const char *const prefixes[] = {
	"MIFELSPEI", "RASPEIOAT", "CUENCA", "MBAN", "BXM", "BIB", "NU",
	"STP",
};

static char
as_digit(char c)
{
	switch (c) {
	case 'O': case 'o': case 'D': case 'Q': return '0';
	case 'I': case 'l': case '|': return '1';
	case 'Z': case 'z': return '2';
	case 'S': case 's': return '5';
	case 'G': case 'b': return '6';
	case 'B': return '8';
	default: return 0;
	}
}

static char
as_letter(char c)
{
	switch (c) {
	case '0': return 'O';
	case '1': return 'I';
	case '2': return 'Z';
	case '5': return 'S';
	case '6': return 'G';
	case '8': return 'B';
	default: return 0;
	}
}

/* the known prefix s starts with, read as letters (digits and 'l' as
 * the letters they look like): its index, or -1 */
static int
known_prefix(const char *s)
{
	size_t	 i, k, len;
	char	 c;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		len = strlen(prefixes[i]);
		for (k = 0; k < len && s[k] != '\0'; k++) {
			c = isdigit((unsigned char)s[k]) ? as_letter(s[k]) :
			    s[k] == 'l' ? 'I' : (char)toupper((unsigned char)s[k]);
			if (c != prefixes[i][k])
				break;
		}
		/* the tail must start with a digit (or a look-alike) */
		if (k == len && (isdigit((unsigned char)s[k]) ||
		    as_digit(s[k]) != 0))
			return (int)i;
	}
	return -1;
}

/* s (letters and digits) fixed by shape in place: 1 changed, 0 not */
static int
by_shape(char *s)
{
	size_t	 i, n = strlen(s), last = 0, tail = n, digits;
	int	 any = 0, changed = 0, p;
	char	 c;

	if ((p = known_prefix(s)) != -1) {
		/* its letters as the prefix spells them (a lower-case
		 * letter read as such is kept: "BiB") */
		for (i = 0; prefixes[p][i] != '\0'; i++)
			if (toupper((unsigned char)s[i]) != prefixes[p][i] ||
			    s[i] == 'l') {
				s[i] = prefixes[p][i];
				changed = 1;
			}
		last = tail = i;
		any = 1;
	} else {
		for (i = 0; i < n; i++)
			if (isalpha((unsigned char)s[i]) && as_digit(s[i]) == 0) {
				last = i + 1;
				any = 1;
			}
		if (any)
			for (tail = last; tail < n &&
			    !isdigit((unsigned char)s[tail]); tail++)
				;
	}
	if (!any)
		tail = 0;		/* digits only */
	for (i = 0, digits = 0; i < last; i++)
		digits += isdigit((unsigned char)s[i]) != 0;
	for (i = 0; i < n; i++) {
		/* a prefix of letters (two digits in it at most): its
		 * digits were letters */
		if (i < last && digits <= 2 && 2 * digits < last &&
		    isdigit((unsigned char)s[i]) &&
		    (c = as_letter(s[i])) != 0 && (i == 0 ||
		    isalpha((unsigned char)s[i - 1]) || i + 1 < last)) {
			s[i] = c;
			changed = 1;
		} else if (i >= tail && (c = as_digit(s[i])) != 0) {
			s[i] = c;
			changed = 1;
		}
	}
	return changed;
}

/* the letters and digits of text's words, joined (a clave split by the
 * OCR), up to the first word after the first one without a digit ("...
 * Copiar"); -1 when another character is inside a word taken */
static int
alnum_of(const char *text, char *out, size_t n)
{
	char	 copy[FX_TEXT_MAX], *p, *save = NULL;
	size_t	 i, o = 0, len, words = 0;

	snprintf(copy, sizeof(copy), "%s", text);
	for (p = strtok_r(copy, " \t", &save); p != NULL;
	    p = strtok_r(NULL, " \t", &save)) {
		len = strlen(p);
		while (len > 0 && strchr(".,:;|", p[len - 1]) != NULL)
			len--;
		if (len == 0)
			continue;
		if (words++ > 0 && strpbrk(p, "0123456789") == NULL)
			break;
		for (i = 0; i < len; i++) {
			if (!isalnum((unsigned char)p[i]) || o + 1 >= n)
				return -1;
			out[o++] = p[i];
		}
	}
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

int
fx_clave_parse(const char *text, char out[32], int *fixed)
{
	char	 s[FX_TEXT_MAX];

	*fixed = 0;
	/* every real clave has digits: "Pago" is a concept */
	if (alnum_of(text, s, sizeof(s)) == -1 || strlen(s) > CLAVE_MAX ||
	    strpbrk(s, "0123456789") == NULL)
		return -1;
	*fixed = by_shape(s);
	snprintf(out, 32, "%s", s);
	return 0;
}

int
fx_referencia_parse(const char *text, char out[8], int *fixed)
{
	char	 s[FX_TEXT_MAX], d[FX_TEXT_MAX], *p;
	int	 f;

	*fixed = 0;
	if (alnum_of(text, s, sizeof(s)) == -1 ||
	    (f = fx_digits_fix(s, d, sizeof(d))) == -1 ||
	    strspn(d, "0123456789") != strlen(d))
		return -1;
	/* "0001234567": zeros in front of the 7 digits do not count */
	for (p = d; strlen(p) > REFERENCIA_MAX && *p == '0'; p++)
		;
	if (strlen(p) > REFERENCIA_MAX)
		return -1;
	*fixed = f;
	memcpy(out, p, strlen(p) + 1);	/* at most REFERENCIA_MAX + 1 */
	return 0;
}

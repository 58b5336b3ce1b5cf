/*
 * mxcep: UTF-8 for text from outside (Banxico's pages, the XLSX writer's
 * cells): one strict check (RFC 3629), cutting on character boundaries,
 * and repair with U+FFFD.
 */
#include <string.h>

#include "util/util.h"

static int
utf8_is_cont(unsigned char c)
{
	return c >= 0x80 && c <= 0xbf;
}

size_t
utf8_char_len(const unsigned char *s, size_t n)
{
	unsigned char	 c;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && utf8_is_cont(s[1]) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || !utf8_is_cont(s[1]) || !utf8_is_cont(s[2]) ||
		    (c == 0xe0 && s[1] < 0xa0) ||	/* overlong */
		    (c == 0xed && s[1] > 0x9f))		/* surrogates */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || !utf8_is_cont(s[1]) || !utf8_is_cont(s[2]) ||
		    !utf8_is_cont(s[3]) ||
		    (c == 0xf0 && s[1] < 0x90) ||	/* overlong */
		    (c == 0xf4 && s[1] > 0x8f))		/* above U+10FFFF */
			return 0;
		return 4;
	}
	return 0;	/* a stray continuation byte, C0, C1, F5..FF */
}

#define UTF8_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

size_t
utf8_copy(char *dst, size_t size, const char *src, size_t len,
    size_t max_chars)
{
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 i = 0, o = 0, chars = 0, k;

	if (size == 0)
		return 0;
	while (i < len && s[i] != '\0' &&
	    (max_chars == 0 || chars < max_chars)) {
		if ((k = utf8_char_len(s + i, len - i)) == 0) {
			if (o + 3 >= size)
				break;
			memcpy(dst + o, UTF8_REPLACEMENT, 3);
			o += 3;
			i++;
		} else {
			if (o + k >= size)
				break;
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
		}
		chars++;
	}
	dst[o] = '\0';
	return o;
}

char *
utf8_repair(const char *s, size_t len)
{
	char	*out;

	/* each byte becomes at most the 3 of U+FFFD */
	out = xmalloc(3 * len + 1);
	utf8_copy(out, 3 * len + 1, s, len, 0);
	return out;
}

/* one character decoded: its length with *cp set, 0 when not one
 * (the same strict rules as utf8_char_len, which decides) */
size_t
str_utf8_char(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t		 len = utf8_char_len(s, n), i;
	unsigned long	 c;

	if (len == 0)
		return 0;
	c = len == 1 ? s[0] : (unsigned long)(s[0] & (0xff >> (len + 1)));
	for (i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3f);
	*cp = c;
	return len;
}

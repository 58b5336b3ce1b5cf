/*
 * mxcep: base64 decoding (RFC 4648) of uploads sent inside JSON
 * (POST /v1/validate-ocr's "image"). Strict: the standard alphabet or
 * the URL-safe one (not mixed within one text), padding optional but
 * never in the middle, line breaks and spaces between groups ignored
 * (clients wrap at 76), anything else refused. The output is bounded by
 * the caller's buffer: a text decoding to more is refused, not cut.
 *
 * Hand-written: libcrypto's EVP_DecodeBlock, the one library decoder the
 * stack allows, is not linked yet (issue 15 brings libcrypto) and accepts
 * what this refuses (mixed alphabets, junk after the padding).
 */
#include <string.h>

#include "core/core.h"

/* the value of c in one alphabet (0 standard, 1 URL-safe), or -1 */
static int
b64_value(unsigned char c, int *alphabet)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '/') {
		if (*alphabet == 1)
			return -1;
		*alphabet = 0;
		return c == '+' ? 62 : 63;
	}
	if (c == '-' || c == '_') {
		if (*alphabet == 0)
			return -1;
		*alphabet = 1;
		return c == '-' ? 62 : 63;
	}
	return -1;
}

ssize_t
base64_decode(const char *in, size_t len, unsigned char *out, size_t size)
{
	uint32_t	 acc = 0;
	size_t		 i, o = 0;
	int		 n = 0, pad = 0, alphabet = -1, v;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
			continue;
		if (c == '=') {
			if (n < 2 || ++pad + n > 4)
				return -1;
			continue;
		}
		if (pad > 0 || (v = b64_value(c, &alphabet)) < 0)
			return -1;	/* data after padding, or junk */
		acc = (acc << 6) | (uint32_t)v;
		if (++n == 4) {
			if (o + 3 > size)
				return -1;
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
			n = 0;
		}
	}
	if (pad > 0 && pad + n != 4)
		return -1;
	if (n == 1)
		return -1;		/* 6 bits cannot end a text */
	if (n > 1) {
		if (o + (size_t)(n - 1) > size)
			return -1;
		acc <<= 6 * (4 - n);
		out[o++] = (unsigned char)(acc >> 16);
		if (n == 3)
			out[o++] = (unsigned char)(acc >> 8);
	}
	return (ssize_t)o;
}

size_t
base64_decoded_max(size_t len)
{
	return len / 4 * 3 + 3;
}

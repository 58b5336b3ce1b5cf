/*
 * mxcep: src/ocr/header.c: an image's width and height from its header
 * alone, so that the pixel limit is checked before anything is decoded
 * (a decompression bomb is refused, never expanded). Small bounded
 * readers: PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X.
 */
#include <stdint.h>
#include <string.h>

#include "ocr/ocr.h"

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
set_size(uint32_t w, uint32_t h, int *pw, int *ph)
{
	if (w == 0 || h == 0 || w > INT32_MAX || h > INT32_MAX)
		return -1;
	*pw = (int)w;
	*ph = (int)h;
	return 0;
}

/* PNG: the signature, then IHDR first: length 13, width, height */
static int
png_size(const unsigned char *p, size_t n, int *w, int *h)
{
	if (n < 24 || be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
		return -1;
	return set_size(be32(p + 16), be32(p + 20), w, h);
}

/* JPEG: walk the markers up to the first SOFn (not DHT, JPG, DAC) */
static int
jpeg_size(const unsigned char *p, size_t n, int *w, int *h)
{
	size_t	 i = 2, len;

	while (i + 4 <= n) {
		unsigned char m;

		if (p[i] != 0xff)
			return -1;
		m = p[i + 1];
		if (m == 0xff) {		/* fill byte */
			i++;
			continue;
		}
		if (m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01) {
			i += 2;
			continue;
		}
		if (m == 0xd9 || m == 0xda)	/* EOI or scan before SOF */
			return -1;
		len = (size_t)p[i + 2] << 8 | p[i + 3];
		if (len < 2)
			return -1;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			if (len < 7 || i + 9 > n)
				return -1;
			return set_size((uint32_t)p[i + 7] << 8 | p[i + 8],
			    (uint32_t)p[i + 5] << 8 | p[i + 6], w, h);
		}
		i += 2 + len;
	}
	return -1;
}

/* WebP: RIFF....WEBP then VP8 (lossy), VP8L (lossless) or VP8X */
static int
webp_size(const unsigned char *p, size_t n, int *w, int *h)
{
	const unsigned char *c = p + 12;

	if (n < 30)
		return -1;
	if (memcmp(c, "VP8 ", 4) == 0) {
		/* frame tag (3), start code 9d 01 2a, 14-bit w and h */
		if (c[11] != 0x9d || c[12] != 0x01 || c[13] != 0x2a)
			return -1;
		return set_size(((uint32_t)c[15] << 8 | c[14]) & 0x3fff,
		    ((uint32_t)c[17] << 8 | c[16]) & 0x3fff, w, h);
	}
	if (memcmp(c, "VP8L", 4) == 0) {
		uint32_t b;

		if (c[8] != 0x2f)
			return -1;
		b = (uint32_t)c[9] | (uint32_t)c[10] << 8 |
		    (uint32_t)c[11] << 16 | (uint32_t)c[12] << 24;
		return set_size((b & 0x3fff) + 1, ((b >> 14) & 0x3fff) + 1,
		    w, h);
	}
	if (memcmp(c, "VP8X", 4) == 0)
		return set_size(((uint32_t)c[12] | (uint32_t)c[13] << 8 |
		    (uint32_t)c[14] << 16) + 1, ((uint32_t)c[15] |
		    (uint32_t)c[16] << 8 | (uint32_t)c[17] << 16) + 1, w, h);
	return -1;
}

int
ocr_header_size(const unsigned char *p, size_t n, enum ocr_type t,
    int *w, int *h)
{
	if (p == NULL)
		return -1;
	switch (t) {
	case OCR_TYPE_PNG:
		return png_size(p, n, w, h);
	case OCR_TYPE_JPEG:
		return jpeg_size(p, n, w, h);
	case OCR_TYPE_WEBP:
		return webp_size(p, n, w, h);
	default:
		return -1;
	}
}

/*
 * mxcep: src/ocr/exif.c: the Orientation tag (0x0112) of a JPEG's EXIF
 * block (APP1 "Exif\0\0", TIFF header, IFD0), read with every offset
 * checked against the segment; Leptonica does not apply it.
 */
#include <stdint.h>
#include <string.h>

#include "ocr/ocr.h"

static unsigned int
rd16(const unsigned char *p, int le)
{
	return le ? (unsigned int)p[0] | (unsigned int)p[1] << 8 :
	    (unsigned int)p[0] << 8 | p[1];
}

static uint32_t
rd32(const unsigned char *p, int le)
{
	return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 :
	    (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* t: the TIFF block (after "Exif\0\0"), n its length */
static int
tiff_orientation(const unsigned char *t, size_t n)
{
	uint32_t	 ifd;
	unsigned int	 count, i;
	int		 le;

	if (n < 8)
		return 1;
	if (memcmp(t, "II*\0", 4) == 0)
		le = 1;
	else if (memcmp(t, "MM\0*", 4) == 0)
		le = 0;
	else
		return 1;
	ifd = rd32(t + 4, le);
	if (ifd > n - 2)
		return 1;
	count = rd16(t + ifd, le);
	for (i = 0; i < count; i++) {
		const unsigned char *e = t + ifd + 2 + (size_t)i * 12;
		unsigned int v;

		if ((size_t)(e - t) + 12 > n)
			return 1;
		if (rd16(e, le) != 0x0112)
			continue;
		if (rd16(e + 2, le) != 3)	/* SHORT */
			return 1;
		v = rd16(e + 8, le);
		return v >= 1 && v <= 8 ? (int)v : 1;
	}
	return 1;
}

int
ocr_exif_orientation(const unsigned char *p, size_t n)
{
	size_t	 i = 2, len;

	if (p == NULL || n < 4 || p[0] != 0xff || p[1] != 0xd8)
		return 1;
	while (i + 4 <= n) {
		unsigned char m;

		if (p[i] != 0xff)
			return 1;
		m = p[i + 1];
		if (m == 0xda || m == 0xd9 || (m >= 0xc0 && m <= 0xcf &&
		    m != 0xc4 && m != 0xc8 && m != 0xcc))
			return 1;		/* no EXIF before the image */
		len = (size_t)p[i + 2] << 8 | p[i + 3];
		if (len < 2 || i + 2 + len > n)
			return 1;
		if (m == 0xe1 && len >= 8 && memcmp(p + i + 4, "Exif\0\0", 6)
		    == 0)
			return tiff_orientation(p + i + 10, len - 8);
		i += 2 + len;
	}
	return 1;
}

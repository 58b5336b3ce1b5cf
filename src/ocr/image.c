/*
 * mxcep: src/ocr/image.c: an uploaded photo or screenshot (JPEG, PNG,
 * WebP) decoded with Leptonica, once its header says the pixel count is
 * within the limit, turned upright by its EXIF orientation, stripped of
 * alpha and metadata; and the sanitised PNG that is kept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "ocr/ocr.h"
#include "util/util.h"

static int
fail(enum ocr_error *why, enum ocr_error e)
{
	if (why != NULL)
		*why = e;
	return e == OCR_OK ? 0 : -1;
}

/* a new PIX: pix turned as EXIF orientation o (1..8) says */
static PIX *
orient(PIX *pix, int o)
{
	PIX	*r = NULL, *out = NULL;

	switch (o) {
	case 2:
		return pixFlipLR(NULL, pix);
	case 3:
		return pixRotateOrth(pix, 2);
	case 4:
		return pixFlipTB(NULL, pix);
	case 5:				/* transpose */
		if ((r = pixRotateOrth(pix, 1)) != NULL)
			out = pixFlipLR(NULL, r);
		pixDestroy(&r);
		return out;
	case 6:
		return pixRotateOrth(pix, 1);
	case 7:				/* transverse */
		if ((r = pixRotateOrth(pix, 1)) != NULL)
			out = pixFlipTB(NULL, r);
		pixDestroy(&r);
		return out;
	case 8:
		return pixRotateOrth(pix, 3);
	default:
		return pixCopy(NULL, pix);
	}
}

int
ocr_image_load(const unsigned char *data, size_t len, long max_pixels,
    PIX **out, enum ocr_error *why)
{
	enum ocr_type	 t;
	PIX		*raw = NULL, *flat = NULL, *up = NULL;
	int		 w = 0, h = 0, o = 1;

	*out = NULL;
	if (max_pixels <= 0)
		max_pixels = OCR_DEFAULT_MAX_PIXELS;
	t = ocr_sniff(data, len);
	if (t == OCR_TYPE_NONE || t == OCR_TYPE_PDF)
		return fail(why, OCR_ERR_UNSUPPORTED_TYPE);
	if (ocr_header_size(data, len, t, &w, &h) == -1)
		return fail(why, OCR_ERR_UNREADABLE);
	if ((long long)w * h > max_pixels)
		return fail(why, OCR_ERR_TOO_LARGE);
	if (t == OCR_TYPE_JPEG)
		o = ocr_exif_orientation(data, len);
	if ((raw = pixReadMem(data, len)) == NULL ||
	    pixGetWidth(raw) != w || pixGetHeight(raw) != h) {
		log_warnx("%s: %s does not decode as its header says",
		    __func__, ocr_type_mime(t));
		pixDestroy(&raw);
		return fail(why, OCR_ERR_UNREADABLE);
	}
	/* alpha over white; a colormap into plain gray or RGB */
	if ((flat = pixRemoveColormap(raw, REMOVE_CMAP_BASED_ON_SRC)) != NULL &&
	    pixGetSpp(flat) == 4) {
		PIX *t2 = pixRemoveAlpha(flat);

		pixDestroy(&flat);
		flat = t2;
	}
	pixDestroy(&raw);
	if (flat == NULL || (up = orient(flat, o)) == NULL) {
		pixDestroy(&flat);
		return fail(why, OCR_ERR_UNREADABLE);
	}
	pixDestroy(&flat);
	pixSetText(up, NULL);
	pixSetResolution(up, 0, 0);
	*out = up;
	return fail(why, OCR_OK);
}

/* Leptonica always writes a pHYs chunk (0 dpi when unknown): keep only
 * IHDR, PLTE, tRNS, IDAT and IEND, in place (each chunk has its own
 * CRC, so dropping whole chunks leaves the rest valid); -1 if malformed */
static int
png_essentials(unsigned char *p, size_t *len)
{
	size_t	 i = 8, o = 8, n = *len;

	while (i + 12 <= n) {
		uint32_t	 clen = (uint32_t)p[i] << 24 |
		    (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 |
		    p[i + 3];
		const unsigned char *t = p + i + 4;
		size_t		 all;

		if (clen > n - i - 12)
			return -1;
		all = 12 + (size_t)clen;
		if (memcmp(t, "IHDR", 4) == 0 || memcmp(t, "PLTE", 4) == 0 ||
		    memcmp(t, "tRNS", 4) == 0 || memcmp(t, "IDAT", 4) == 0 ||
		    memcmp(t, "IEND", 4) == 0) {
			memmove(p + o, p + i, all);
			o += all;
		}
		i += all;
	}
	if (i != n)
		return -1;
	*len = o;
	return 0;
}

int
ocr_image_png(PIX *pix, unsigned char **png, size_t *len)
{
	PIX	*c = NULL;
	int	 rc = -1;

	*png = NULL;
	*len = 0;
	/* a copy without text nor resolution: no tEXt, no pHYs */
	if ((c = pixCopy(NULL, pix)) == NULL)
		goto out;
	pixSetText(c, NULL);
	pixSetResolution(c, 0, 0);
	if (pixGetDepth(c) == 32)
		pixSetSpp(c, 3);
	if (pixWriteMemPng(png, len, c, 0.0) != 0 ||
	    png_essentials(*png, len) == -1) {
		log_warnx("%s: pixWriteMemPng failed", __func__);
		free(*png);
		*png = NULL;
		*len = 0;
		goto out;
	}
	rc = 0;
out:
	pixDestroy(&c);
	return rc;
}

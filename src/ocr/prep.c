/*
 * mxcep: src/ocr/prep.c: what a phone photo or a screenshot needs before
 * Tesseract reads it: grayscale, a light-on-dark page turned
 * dark-on-light, text scaled to about 30 px high, the skew measured on a
 * Sauvola (adaptive threshold) binarization, so uneven light does not
 * fool it, and the gray image turned straight. The gray image goes to
 * Tesseract, which thresholds it itself with Leptonica's adaptive Otsu
 * (engine.c) and retries light-on-dark lines inverted: a white-on-colour
 * banner survives, which a binarization made here would break.
 * Leptonica throughout; each step gives a new PIX.
 */
#include <math.h>
#include <stdlib.h>

#include <leptonica/allheaders.h>

#include "ocr/ocr.h"

#define PREP_TEXT_PX	30		/* Tesseract reads best near here */

PIX *
ocr_prep_gray(PIX *pix)
{
	return pixConvertTo8(pix, 0);
}

/* 1 when most of the page is dark: light text on a dark background */
int
ocr_prep_is_dark(PIX *gray)
{
	PIX	*bin;
	int	 on = 0, dark;

	if ((bin = pixConvertTo1(gray, 128)) == NULL)
		return 0;
	pixCountPixels(bin, &on, NULL);
	dark = (long long)on * 2 > (long long)pixGetWidth(bin) *
	    pixGetHeight(bin);
	pixDestroy(&bin);
	return dark;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* the median height of the dark blobs that look like characters */
int
ocr_prep_text_height(PIX *gray)
{
	PIX	*bin = NULL;
	BOXA	*boxa = NULL;
	int	*hs = NULL, n, i, k = 0, med = 0;

	if ((bin = pixConvertTo1(gray, 128)) == NULL)
		goto out;
	if ((boxa = pixConnComp(bin, NULL, 8)) == NULL)
		goto out;
	n = boxaGetCount(boxa);
	if (n <= 0 || (hs = calloc((size_t)n, sizeof(*hs))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		int x, y, w, h;

		if (boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h) != 0)
			continue;
		/* letters: not specks, not rules, not the page frame */
		if (h >= 6 && h <= pixGetHeight(bin) / 4 && w <= 4 * h)
			hs[k++] = h;
	}
	if (k > 0) {
		qsort(hs, (size_t)k, sizeof(*hs), cmp_int);
		med = hs[k / 2];
	}
out:
	free(hs);
	boxaDestroy(&boxa);
	pixDestroy(&bin);
	return med;
}

/* scaled so that text of the measured height becomes want_px high;
 * the factor kept within 0.5..4, and a copy when it is about 1 */
PIX *
ocr_prep_scale(PIX *gray, int want_px)
{
	int	 th = ocr_prep_text_height(gray);
	float	 f;

	if (th <= 0)
		return pixCopy(NULL, gray);
	f = (float)want_px / (float)th;
	if (f < 0.5f)
		f = 0.5f;
	if (f > 4.0f)
		f = 4.0f;
	if (f > 0.9f && f < 1.1f)
		return pixCopy(NULL, gray);
	return pixScale(gray, f, f);
}

/* Sauvola's local threshold (window 51 px, or less on small images) */
PIX *
ocr_prep_binarize(PIX *gray)
{
	PIX	*bin = NULL;
	int	 w = pixGetWidth(gray), h = pixGetHeight(gray);
	int	 whsize = 25;

	while (whsize > 2 && (w < 2 * whsize + 3 || h < 2 * whsize + 3))
		whsize /= 2;
	if (whsize < 2)
		return pixConvertTo1(gray, 128);
	if (pixSauvolaBinarizeTiled(gray, whsize, 0.34f, 1, 1, NULL, &bin)
	    != 0)
		return pixConvertTo1(gray, 128);
	return bin;
}

/* the page (any depth) turned straight; the skew is measured on its
 * Sauvola binarization; *angle: degrees turned (0: left as it was) */
PIX *
ocr_prep_deskew(PIX *pix, float *angle)
{
	PIX	*bin = NULL, *out = NULL;
	float	 a = 0, conf = 0;

	if (angle != NULL)
		*angle = 0;
	if (pixGetDepth(pix) == 1)
		bin = pixClone(pix);
	else
		bin = ocr_prep_binarize(pix);
	if (bin == NULL || pixFindSkew(bin, &a, &conf) != 0 ||
	    conf < 2.0f || fabsf(a) < 0.1f) {
		out = pixCopy(NULL, pix);
		goto out;
	}
	out = pixRotate(pix, a * (float)M_PI / 180.0f, L_ROTATE_AREA_MAP,
	    L_BRING_IN_WHITE, 0, 0);
	if (out != NULL && angle != NULL)
		*angle = a;
out:
	pixDestroy(&bin);
	return out;
}

PIX *
ocr_prepare(PIX *pix, float *scale)
{
	PIX	*gray = NULL, *scaled = NULL, *out = NULL;

	if (scale != NULL)
		*scale = 1;
	if ((gray = ocr_prep_gray(pix)) == NULL)
		goto out;
	if (ocr_prep_is_dark(gray))
		pixInvert(gray, gray);
	if ((scaled = ocr_prep_scale(gray, PREP_TEXT_PX)) == NULL)
		goto out;
	out = ocr_prep_deskew(scaled, NULL);
	if (out != NULL && scale != NULL)
		*scale = (float)pixGetWidth(scaled) / (float)pixGetWidth(gray);
out:
	pixDestroy(&scaled);
	pixDestroy(&gray);
	return out;
}

/*
 * mxcep: src/ocr/pdf.c: the first page of a PDF receipt through
 * poppler-glib: its text layer when it has one (no OCR needed: its
 * words and their boxes from the layer), else
 * the page rasterized with cairo into a Leptonica PIX, its pixel count
 * checked before the surface is made.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <glib.h>
#include <poppler.h>
#include <leptonica/allheaders.h>

#include "ocr/ocr.h"
#include "util/util.h"

static int
set_why(enum ocr_error *why, enum ocr_error e)
{
	if (why != NULL)
		*why = e;
	return e == OCR_OK ? 0 : -1;
}

static int
is_space(const char *s)
{
	return *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
	    *s == '\f';
}

/* 1 when s has a character that is not white space */
static int
has_text(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (!is_space(s))
			return 1;
	return 0;
}

/* the text layer as an ocr_result: the page's text, and its words with
 * their boxes (poppler gives one rectangle per character of the text,
 * in points) in pixels at dpi; confidence 1: nothing was guessed */
static void
text_result(PopplerPage *page, const char *t, int dpi, struct ocr_result *r)
{
	PopplerRectangle	*rects = NULL;
	guint			 nrects = 0, k = 0;
	const char		*p, *start = NULL;
	double			 x1 = 0, y1 = 0, x2 = 0, y2 = 0, f = dpi / 72.0;
	size_t			 cap = 0;

	r->text = xstrdup(t);
	r->confidence = 1;
	if (!poppler_page_get_text_layout(page, &rects, &nrects))
		return;
	for (p = t; ; p += g_utf8_skip[*(const guchar *)p], k++) {
		if (*p == '\0' || is_space(p) || k >= nrects) {
			if (start != NULL) {
				struct ocr_word *w;

				if (r->nwords == cap) {
					cap = cap ? cap * 2 : 64;
					r->words = xrealloc(r->words,
					    cap * sizeof(*r->words));
				}
				w = &r->words[r->nwords++];
				w->text = xstrndup(start, (size_t)(p - start));
				w->confidence = 1;
				w->x = (int)(x1 * f);
				w->y = (int)(y1 * f);
				w->w = (int)(x2 * f + 0.5) - w->x;
				w->h = (int)(y2 * f + 0.5) - w->y;
				start = NULL;
			}
			if (*p == '\0' || k >= nrects)
				break;
			continue;
		}
		if (start == NULL) {
			start = p;
			x1 = rects[k].x1;
			y1 = rects[k].y1;
			x2 = rects[k].x2;
			y2 = rects[k].y2;
		} else {
			x1 = MIN(x1, rects[k].x1);
			y1 = MIN(y1, rects[k].y1);
			x2 = MAX(x2, rects[k].x2);
			y2 = MAX(y2, rects[k].y2);
		}
	}
	g_free(rects);
}

/* cairo's RGB24 (0x00RRGGBB per word) into a 32 bpp PIX (0xRRGGBB00) */
static PIX *
surface_pix(cairo_surface_t *s)
{
	PIX		*pix;
	int		 w, h, stride, x, y, wpl;
	unsigned char	*src;
	l_uint32	*dst;

	cairo_surface_flush(s);
	w = cairo_image_surface_get_width(s);
	h = cairo_image_surface_get_height(s);
	stride = cairo_image_surface_get_stride(s);
	src = cairo_image_surface_get_data(s);
	if (src == NULL || (pix = pixCreate(w, h, 32)) == NULL)
		return NULL;
	dst = pixGetData(pix);
	wpl = pixGetWpl(pix);
	for (y = 0; y < h; y++) {
		const uint32_t *row = (const uint32_t *)(const void *)
		    (src + (size_t)y * (size_t)stride);

		for (x = 0; x < w; x++)
			dst[(size_t)y * (size_t)wpl + (size_t)x] =
			    (row[x] & 0xffffff) << 8;
	}
	pixSetSpp(pix, 3);
	return pix;
}

static int
rasterize(PopplerPage *page, int dpi, long max_pixels, PIX **out,
    enum ocr_error *why)
{
	cairo_surface_t	*s = NULL;
	cairo_t		*cr = NULL;
	double		 pw = 0, ph = 0, k = dpi / 72.0;
	long long	 w, h;
	int		 rc = -1;

	poppler_page_get_size(page, &pw, &ph);
	if (!(pw > 0 && ph > 0 && pw * k < 1e6 && ph * k < 1e6))
		return set_why(why, OCR_ERR_PDF_UNREADABLE);
	w = (long long)(pw * k + 0.5);
	h = (long long)(ph * k + 0.5);
	if (w < 1 || h < 1)
		return set_why(why, OCR_ERR_PDF_UNREADABLE);
	if (w * h > max_pixels)
		return set_why(why, OCR_ERR_TOO_LARGE);
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		goto out;
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, k, k);
	poppler_page_render(page, cr);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		goto out;
	if ((*out = surface_pix(s)) == NULL)
		goto out;
	rc = 0;
out:
	if (cr != NULL)
		cairo_destroy(cr);
	cairo_surface_destroy(s);
	if (rc == -1)
		log_warnx("%s: cannot rasterize the page", __func__);
	return rc == 0 ? set_why(why, OCR_OK) :
	    set_why(why, OCR_ERR_PDF_UNREADABLE);
}

int
ocr_pdf_load(const unsigned char *data, size_t len, int dpi,
    long max_pixels, struct ocr_result *text, PIX **out, enum ocr_error *why)
{
	GBytes		*bytes = NULL;
	GError		*err = NULL;
	PopplerDocument	*doc = NULL;
	PopplerPage	*page = NULL;
	char		*t = NULL;
	int		 rc = -1;

	memset(text, 0, sizeof(*text));
	*out = NULL;
	if (dpi <= 0)
		dpi = OCR_PDF_DPI;
	if (max_pixels <= 0)
		max_pixels = OCR_DEFAULT_MAX_PIXELS;
	if (ocr_sniff(data, len) != OCR_TYPE_PDF)
		return set_why(why, OCR_ERR_UNSUPPORTED_TYPE);
	bytes = g_bytes_new_static(data, len);
	doc = poppler_document_new_from_bytes(bytes, NULL, &err);
	if (doc == NULL) {
		log_warnx("%s: %s", __func__, err != NULL ? err->message :
		    "cannot open");
		set_why(why, OCR_ERR_PDF_UNREADABLE);
		goto out;
	}
	if (poppler_document_get_n_pages(doc) < 1 ||
	    (page = poppler_document_get_page(doc, 0)) == NULL) {
		set_why(why, OCR_ERR_PDF_UNREADABLE);
		goto out;
	}
	t = poppler_page_get_text(page);
	if (has_text(t)) {
		text_result(page, t, dpi, text);
		rc = set_why(why, OCR_OK);
		goto out;
	}
	rc = rasterize(page, dpi, max_pixels, out, why);
out:
	g_free(t);
	if (page != NULL)
		g_object_unref(page);
	if (doc != NULL)
		g_object_unref(doc);
	if (err != NULL)
		g_error_free(err);
	g_bytes_unref(bytes);
	return rc;
}

/*
 * mxcep: unit tests for src/ocr's image side: sniffing by content, the
 * header-only pixel limit (bombs refused undecoded), EXIF orientation,
 * the sanitised PNG, PDF first pages (text layer or rasterized).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <leptonica/allheaders.h>

#include "ocr/ocr.h"
#include "util/util.h"

static const unsigned char png_magic[8] =
    { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void
test_ocr_sniff__each_type__by_magic(void **state)
{
	unsigned char	 jpg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0 };
	const char	*webp = "RIFF\x10\0\0\0WEBPVP8 ";
	const char	*pdf = "%PDF-1.7\n";
	const char	*txt = "Clave de rastreo: MBAN01\n";
	PIX		*pix = NULL;
	enum ocr_error	 why = OCR_OK;

	(void)state;
	assert_int_equal(ocr_sniff(jpg, sizeof(jpg)), OCR_TYPE_JPEG);
	assert_int_equal(ocr_sniff(png_magic, 8), OCR_TYPE_PNG);
	assert_int_equal(ocr_sniff((const unsigned char *)webp, 16),
	    OCR_TYPE_WEBP);
	assert_int_equal(ocr_sniff((const unsigned char *)pdf, strlen(pdf)),
	    OCR_TYPE_PDF);
	assert_int_equal(ocr_sniff((const unsigned char *)txt, strlen(txt)),
	    OCR_TYPE_NONE);
	assert_int_equal(ocr_sniff(png_magic, 7), OCR_TYPE_NONE);
	assert_string_equal(ocr_type_mime(OCR_TYPE_WEBP), "image/webp");
	/* a text file is refused by content: the API's 415 */
	assert_int_equal(ocr_image_load((const unsigned char *)txt,
	    strlen(txt), 0, &pix, &why), -1);
	assert_null(pix);
	assert_int_equal(why, OCR_ERR_UNSUPPORTED_TYPE);
	assert_string_equal(ocr_error_str(why), "unsupported_image_type");
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* a bomb's header, then junk: refused from the header in microseconds,
 * with no memory to speak of (decoding would have said "unreadable") */
static void
assert_bomb(const unsigned char *p, size_t n, enum ocr_type t, int want_w)
{
	PIX		*pix = NULL;
	enum ocr_error	 why = OCR_OK;
	int		 w = 0, h = 0;
	long		 rss0 = maxrss_kb();
	double		 t0 = clock_monotonic();

	assert_int_equal(ocr_sniff(p, n), t);
	assert_int_equal(ocr_header_size(p, n, t, &w, &h), 0);
	assert_int_equal(w, want_w);
	assert_int_equal(ocr_image_load(p, n, 40000000L, &pix, &why), -1);
	assert_int_equal(why, OCR_ERR_TOO_LARGE);
	assert_string_equal(ocr_error_str(why), "image_too_large");
	assert_null(pix);
	assert_true(clock_monotonic() - t0 < 0.05);
	assert_true(maxrss_kb() - rss0 < 2048);
}

static void
test_ocr_header__bomb_headers__refused_undecoded(void **state)
{
	unsigned char	 png[64], jpg[64], webp[64];

	(void)state;
	/* PNG: IHDR 100000 x 100000, 8-bit RGB */
	memset(png, 0x55, sizeof(png));
	memcpy(png, png_magic, 8);
	put32(png + 8, 13);
	memcpy(png + 12, "IHDR", 4);
	put32(png + 16, 100000);
	put32(png + 20, 100000);
	png[24] = 8;
	png[25] = 2;
	assert_bomb(png, sizeof(png), OCR_TYPE_PNG, 100000);
	/* JPEG: SOI, APP0, SOF0 65000 x 65000 (the format's maximum) */
	memset(jpg, 0x55, sizeof(jpg));
	memcpy(jpg, "\xff\xd8\xff\xe0\x00\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
	    "\xff\xc0\x00\x11\x08\xfd\xe8\xfd\xe8\x03", 30);
	assert_bomb(jpg, sizeof(jpg), OCR_TYPE_JPEG, 65000);
	/* WebP: VP8X canvas 100000 x 100000 (24-bit sizes minus one) */
	memset(webp, 0, sizeof(webp));
	memcpy(webp, "RIFF\x38\0\0\0WEBPVP8X\x0a\0\0\0", 20);
	webp[24] = (100000 - 1) & 0xff;
	webp[25] = ((100000 - 1) >> 8) & 0xff;
	webp[26] = ((100000 - 1) >> 16) & 0xff;
	webp[27] = webp[24];
	webp[28] = webp[25];
	webp[29] = webp[26];
	assert_bomb(webp, sizeof(webp), OCR_TYPE_WEBP, 100000);
}

/* a 40 x 20 JPEG, left half black, right half white */
static unsigned char *
half_black_jpeg(size_t *n)
{
	PIX		*pix = pixCreate(40, 20, 32);
	unsigned char	*d = NULL;

	pixSetAllArbitrary(pix, 0xffffff00);
	pixRasterop(pix, 0, 0, 20, 20, PIX_CLR, NULL, 0, 0);
	assert_int_equal(pixWriteMemJpeg(&d, n, pix, 95, 0), 0);
	pixDestroy(&pix);
	return d;
}

/* the JPEG with an APP1 Exif block (byte order "II" or "MM") saying
 * orientation o, put right after SOI */
static unsigned char *
with_exif(const unsigned char *j, size_t n, int o, int le, size_t *out)
{
	unsigned char	 app[36], *r;
	size_t		 k = 0;

	memset(app, 0, sizeof(app));
	app[k++] = 0xff;
	app[k++] = 0xe1;
	app[k++] = 0;
	app[k++] = 34;			/* length: 2 + 6 + 26 */
	memcpy(app + k, "Exif\0\0", 6);
	k += 6;
	if (le) {
		memcpy(app + k, "II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0",
		    18);
		app[k + 18] = (unsigned char)o;
	} else {
		memcpy(app + k, "MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01",
		    18);
		app[k + 19] = (unsigned char)o;
	}
	k += 26;
	assert_int_equal(k, 36);
	r = xmalloc(n + k);
	memcpy(r, j, 2);
	memcpy(r + 2, app, k);
	memcpy(r + 2 + k, j + 2, n - 2);
	*out = n + k;
	return r;
}

static int
gray_at(PIX *pix, int x, int y)
{
	l_uint32 v = 0;

	pixGetPixel(pix, x, y, &v);
	if (pixGetDepth(pix) == 32)
		return (int)(v >> 24);	/* red */
	return (int)v;
}

static void
test_ocr_image__exif_orientation__applied(void **state)
{
	unsigned char	*j, *x;
	size_t		 n, xn;
	PIX		*pix = NULL;
	enum ocr_error	 why = OCR_ERR__MAX;

	(void)state;
	j = half_black_jpeg(&n);
	assert_int_equal(ocr_exif_orientation(j, n), 1);
	assert_int_equal(ocr_image_load(j, n, 0, &pix, &why), 0);
	assert_int_equal(pixGetWidth(pix), 40);
	pixDestroy(&pix);

	/* 6: turn 90 degrees clockwise: the black left half goes on top */
	x = with_exif(j, n, 6, 1, &xn);
	assert_int_equal(ocr_exif_orientation(x, xn), 6);
	assert_int_equal(ocr_image_load(x, xn, 0, &pix, &why), 0);
	assert_int_equal(why, OCR_OK);
	assert_int_equal(pixGetWidth(pix), 20);
	assert_int_equal(pixGetHeight(pix), 40);
	assert_true(gray_at(pix, 10, 5) < 64);
	assert_true(gray_at(pix, 10, 35) > 192);
	pixDestroy(&pix);
	free(x);

	/* 8 (big-endian TIFF): counter-clockwise: the black half below */
	x = with_exif(j, n, 8, 0, &xn);
	assert_int_equal(ocr_exif_orientation(x, xn), 8);
	assert_int_equal(ocr_image_load(x, xn, 0, &pix, &why), 0);
	assert_int_equal(pixGetWidth(pix), 20);
	assert_true(gray_at(pix, 10, 35) < 64);
	assert_true(gray_at(pix, 10, 5) > 192);
	pixDestroy(&pix);
	free(x);

	/* 3: upside down: the black half on the right */
	x = with_exif(j, n, 3, 1, &xn);
	assert_int_equal(ocr_image_load(x, xn, 0, &pix, &why), 0);
	assert_int_equal(pixGetWidth(pix), 40);
	assert_true(gray_at(pix, 35, 10) < 64);
	assert_true(gray_at(pix, 5, 10) > 192);
	pixDestroy(&pix);
	free(x);

	/* a truncated APP1 is ignored, not read past */
	x = with_exif(j, n, 6, 1, &xn);
	assert_int_equal(ocr_exif_orientation(x, 20), 1);
	free(x);
	free(j);
}

/* 1 when the PNG's chunks are only IHDR, PLTE, tRNS, IDAT, IEND */
static int
png_chunks_bare(const unsigned char *p, size_t n, int *saw_text)
{
	size_t	 i = 8;
	int	 bare = 1;

	*saw_text = 0;
	while (i + 12 <= n) {
		uint32_t len = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16
		    | (uint32_t)p[i + 2] << 8 | p[i + 3];
		const unsigned char *t = p + i + 4;

		if (memcmp(t, "tEXt", 4) == 0 || memcmp(t, "zTXt", 4) == 0 ||
		    memcmp(t, "iTXt", 4) == 0)
			*saw_text = 1;
		if (memcmp(t, "IHDR", 4) != 0 && memcmp(t, "PLTE", 4) != 0 &&
		    memcmp(t, "tRNS", 4) != 0 && memcmp(t, "IDAT", 4) != 0 &&
		    memcmp(t, "IEND", 4) != 0)
			bare = 0;
		i += 12 + len;
	}
	return bare && i == n;
}

static void
test_ocr_image__png_reencode__no_metadata(void **state)
{
	PIX		*src = pixCreate(30, 10, 32), *pix = NULL;
	unsigned char	*in = NULL, *out = NULL;
	size_t		 inlen = 0, outlen = 0;
	enum ocr_error	 why = OCR_ERR__MAX;
	int		 saw = 0;

	(void)state;
	pixSetAllArbitrary(src, 0x336699ff);
	pixSetText(src, "GPS 19.43,-99.13 camera owner");
	pixSetResolution(src, 300, 300);
	assert_int_equal(pixWriteMemPng(&in, &inlen, src, 2.2f), 0);
	assert_false(png_chunks_bare(in, inlen, &saw));	/* has metadata */
	assert_true(saw);

	assert_int_equal(ocr_image_load(in, inlen, 0, &pix, &why), 0);
	assert_int_equal(ocr_image_png(pix, &out, &outlen), 0);
	assert_int_equal(ocr_sniff(out, outlen), OCR_TYPE_PNG);
	assert_true(png_chunks_bare(out, outlen, &saw));
	assert_false(saw);
	/* the pixels survive */
	pixDestroy(&pix);
	assert_int_equal(ocr_image_load(out, outlen, 0, &pix, &why), 0);
	assert_int_equal(pixGetWidth(pix), 30);
	assert_int_equal(gray_at(pix, 3, 3), 0x33);
	pixDestroy(&pix);
	pixDestroy(&src);
	free(in);
	free(out);
}

static cairo_status_t
to_buf(void *closure, const unsigned char *d, unsigned int n)
{
	buf_append(closure, d, n);
	return CAIRO_STATUS_SUCCESS;
}

/* a one-page PDF (A4-ish, 300 x 400 pt); with_text: a real text layer,
 * else the same words drawn into an image that is placed on the page */
static void
make_pdf(struct buf *b, int with_text)
{
	cairo_surface_t	*s = cairo_pdf_surface_create_for_stream(to_buf, b,
	    300, 400);
	cairo_t		*cr = cairo_create(s);

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	if (with_text) {
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_select_font_face(cr, "sans", CAIRO_FONT_SLANT_NORMAL,
		    CAIRO_FONT_WEIGHT_NORMAL);
		cairo_set_font_size(cr, 9);
		cairo_move_to(cr, 10, 50);
		cairo_show_text(cr, "Clave de rastreo MBAN01002507210012345678");
		cairo_move_to(cr, 10, 70);
		cairo_show_text(cr, "Importe $1,500.00");
	} else {
		cairo_surface_t	*img = cairo_image_surface_create(
		    CAIRO_FORMAT_RGB24, 200, 50);
		cairo_t		*ic = cairo_create(img);

		cairo_set_source_rgb(ic, 1, 1, 1);
		cairo_paint(ic);
		cairo_set_source_rgb(ic, 0, 0, 0);
		cairo_rectangle(ic, 10, 10, 100, 20);
		cairo_fill(ic);
		cairo_destroy(ic);
		cairo_set_source_surface(cr, img, 50, 50);
		cairo_paint(cr);
		cairo_surface_destroy(img);
	}
	cairo_destroy(cr);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
}

static void
test_ocr_pdf__text_layer__read_without_ocr(void **state)
{
	struct buf		 b;
	struct ocr_result	 text;
	PIX			*pix = NULL;
	enum ocr_error		 why = OCR_ERR__MAX;
	size_t			 i;
	int			 clave = 0;

	(void)state;
	buf_init(&b);
	make_pdf(&b, 1);
	assert_int_equal(ocr_sniff((unsigned char *)b.data, b.len),
	    OCR_TYPE_PDF);
	assert_int_equal(ocr_pdf_load((unsigned char *)b.data, b.len, 144, 0,
	    &text, &pix, &why), 0);
	assert_int_equal(why, OCR_OK);
	assert_null(pix);
	assert_non_null(text.text);
	assert_non_null(strstr(text.text,
	    "Clave de rastreo MBAN01002507210012345678"));
	assert_non_null(strstr(text.text, "$1,500.00"));
	assert_true(text.confidence == 1.0);
	/* the words with their boxes, in pixels at 144 dpi: the clave
	 * drawn at x 10 pt on the baseline 50 pt (9 pt type) */
	assert_int_equal(text.nwords, 6);
	assert_string_equal(text.words[0].text, "Clave");
	assert_string_equal(text.words[5].text, "$1,500.00");
	for (i = 0; i < text.nwords; i++) {
		const struct ocr_word *w = &text.words[i];

		assert_true(w->w > 0 && w->h > 0);
		if (strcmp(w->text, "MBAN01002507210012345678") == 0) {
			clave = 1;
			assert_true(w->x > 2 * 10 && w->x < 2 * 200);
			assert_true(w->y > 2 * 38 && w->y < 2 * 50);
			assert_true(w->y + w->h > 2 * 46 &&
			    w->y + w->h < 2 * 54);
		}
	}
	assert_true(clave);
	ocr_result_free(&text);
	buf_free(&b);
}

static void
test_ocr_pdf__image_only__rasterized(void **state)
{
	struct buf		 b;
	struct ocr_result	 text;
	PIX			*pix = NULL;
	enum ocr_error		 why = OCR_ERR__MAX;

	(void)state;
	buf_init(&b);
	make_pdf(&b, 0);
	assert_int_equal(ocr_pdf_load((unsigned char *)b.data, b.len, 144,
	    0, &text, &pix, &why), 0);
	assert_null(text.text);
	assert_int_equal(text.nwords, 0);
	assert_non_null(pix);
	/* 300 x 400 pt at 144 dpi; the black box at (60..160, 60..80) pt */
	assert_int_equal(pixGetWidth(pix), 600);
	assert_int_equal(pixGetHeight(pix), 800);
	assert_true(gray_at(pix, 2 * 100, 2 * 70) < 64);
	assert_true(gray_at(pix, 2 * 20, 2 * 20) > 192);
	pixDestroy(&pix);

	/* the pixel limit holds for pages too */
	assert_int_equal(ocr_pdf_load((unsigned char *)b.data, b.len, 2400,
	    1000000L, &text, &pix, &why), -1);
	assert_int_equal(why, OCR_ERR_TOO_LARGE);
	assert_null(pix);
	buf_free(&b);
}

static void
test_ocr_pdf__junk__pdf_unreadable(void **state)
{
	const char		*junk = "%PDF-1.4\nthis is no PDF at all\n";
	struct ocr_result	 text;
	PIX			*pix = NULL;
	enum ocr_error		 why = OCR_OK;

	(void)state;
	assert_int_equal(ocr_pdf_load((const unsigned char *)junk,
	    strlen(junk), 0, 0, &text, &pix, &why), -1);
	assert_int_equal(why, OCR_ERR_PDF_UNREADABLE);
	assert_string_equal(ocr_error_str(why), "pdf_unreadable");
	assert_null(text.text);
	assert_null(pix);
}

/* real files of each image type: the header reader agrees with the
 * decoder, and the image comes out upright with its size */
static void
test_ocr_image__each_type__header_size_and_decode(void **state)
{
	PIX		*src = pixCreate(123, 45, 32), *pix = NULL;
	unsigned char	*d = NULL;
	size_t		 n = 0;
	enum ocr_error	 why = OCR_ERR__MAX;
	int		 kind, w = 0, h = 0;
	static const enum ocr_type types[] = { OCR_TYPE_JPEG, OCR_TYPE_PNG,
	    OCR_TYPE_WEBP, OCR_TYPE_WEBP };

	(void)state;
	pixSetAllArbitrary(src, 0xffffff00);
	pixRasterop(src, 10, 10, 50, 20, PIX_CLR, NULL, 0, 0);
	for (kind = 0; kind < 4; kind++) {
		switch (kind) {
		case 0:
			assert_int_equal(pixWriteMemJpeg(&d, &n, src, 90, 0), 0);
			break;
		case 1:
			assert_int_equal(pixWriteMemPng(&d, &n, src, 0), 0);
			break;
		default:	/* 2: lossy (VP8), 3: lossless (VP8L) */
			assert_int_equal(pixWriteMemWebP(&d, &n, src, 90,
			    kind == 3), 0);
			assert_memory_equal(d + 12, kind == 3 ? "VP8L" : "VP8 ",
			    4);
			break;
		}
		assert_int_equal(ocr_sniff(d, n), types[kind]);
		assert_int_equal(ocr_header_size(d, n, types[kind], &w, &h), 0);
		assert_int_equal(w, 123);
		assert_int_equal(h, 45);
		assert_int_equal(ocr_image_load(d, n, 0, &pix, &why), 0);
		assert_int_equal(why, OCR_OK);
		assert_int_equal(pixGetWidth(pix), 123);
		assert_int_equal(pixGetHeight(pix), 45);
		assert_true(gray_at(pix, 30, 20) < 64);
		assert_true(gray_at(pix, 100, 40) > 192);
		/* one pixel under the image's count: refused */
		pixDestroy(&pix);
		assert_int_equal(ocr_image_load(d, n, 123 * 45 - 1, &pix, &why),
		    -1);
		assert_int_equal(why, OCR_ERR_TOO_LARGE);
		free(d);
		d = NULL;
	}
	pixDestroy(&src);
}

static void
test_ocr_image__corrupt_png__unreadable(void **state)
{
	unsigned char	 png[64];
	PIX		*pix = NULL;
	enum ocr_error	 why = OCR_OK;

	(void)state;
	memset(png, 0, sizeof(png));
	memcpy(png, png_magic, 8);
	put32(png + 8, 13);
	memcpy(png + 12, "IHDR", 4);
	put32(png + 16, 10);
	put32(png + 20, 10);
	assert_int_equal(ocr_image_load(png, sizeof(png), 0, &pix, &why),
	    -1);
	assert_int_equal(why, OCR_ERR_UNREADABLE);
	assert_null(pix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ocr_sniff__each_type__by_magic),
		cmocka_unit_test(
		    test_ocr_header__bomb_headers__refused_undecoded),
		cmocka_unit_test(test_ocr_image__exif_orientation__applied),
		cmocka_unit_test(test_ocr_image__png_reencode__no_metadata),
		cmocka_unit_test(
		    test_ocr_image__each_type__header_size_and_decode),
		cmocka_unit_test(test_ocr_image__corrupt_png__unreadable),
		cmocka_unit_test(test_ocr_pdf__text_layer__read_without_ocr),
		cmocka_unit_test(test_ocr_pdf__image_only__rasterized),
		cmocka_unit_test(test_ocr_pdf__junk__pdf_unreadable),
	};

	int rc;

	setMsgSeverity(L_SEVERITY_NONE);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	cairo_debug_reset_static_data();	/* its font caches */
	return rc;
}

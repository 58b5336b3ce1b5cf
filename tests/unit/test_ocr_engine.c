/*
 * mxcep: unit tests for src/ocr's engine side: Tesseract (Spanish) reads
 * back text rendered with cairo (plain, dark mode, a white-on-blue
 * banner, uneven light, skewed, small) after the preprocessing; the time limit; OMP_THREAD_LIMIT=1 in effect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <cairo.h>
#include <leptonica/allheaders.h>

#include "ocr/ocr.h"
#include "util/util.h"

#define LINE1	"Clave de rastreo MBAN01002507210012345678"
#define LINE2	"Importe $1,500.00"

static struct ocr_engine *engine;	/* one per process, as in a worker */

enum look {
	LOOK_PLAIN,		/* black on white */
	LOOK_INVERTED,		/* white on black (dark mode) */
	LOOK_BANNER,		/* the amount in white on a blue band */
	LOOK_SHADOW,		/* light falling from 35 % (left) to 100 % */
};

/* the receipt lines drawn with cairo at font size px, into a PIX */
static PIX *
render(double px, enum look look)
{
	cairo_surface_t	*s;
	cairo_t		*cr;
	PIX		*pix;
	int		 w = (int)(px * 26), h = (int)(px * 6), x, y;
	double		 fg = look == LOOK_INVERTED ? 1 : 0;

	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1 - fg, 1 - fg, 1 - fg);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, fg, fg, fg);
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, px);
	cairo_move_to(cr, px, px * 2);
	cairo_show_text(cr, LINE1);
	if (look == LOOK_BANNER) {
		cairo_set_source_rgb(cr, 0.1, 0.2, 0.5);
		cairo_rectangle(cr, 0, px * 2.8, w, px * 1.8);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 1, 1, 1);
	}
	cairo_move_to(cr, px, px * 4);
	cairo_show_text(cr, LINE2);
	cairo_destroy(cr);
	cairo_surface_flush(s);
	pix = pixCreate(w, h, 32);
	for (y = 0; y < h; y++) {
		const uint32_t *row = (const uint32_t *)(const void *)
		    (cairo_image_surface_get_data(s) +
		    (size_t)y * (size_t)cairo_image_surface_get_stride(s));

		for (x = 0; x < w; x++) {
			uint32_t v = row[x] & 0xffffff;

			if (look == LOOK_SHADOW) {
				double	 light = 0.35 + 0.65 * x / w;
				uint32_t g = (uint32_t)((v & 0xff) * light);

				v = g << 16 | g << 8 | g;
			}
			pixSetPixel(pix, x, y, v << 8);
		}
	}
	cairo_surface_destroy(s);
	return pix;
}

/* the clave as read, with a letter O read for a zero put back: in
 * DejaVu Sans "0" after "MBAN" is read "O", the usual confusion that
 * src/ocr/fields.c resolves by the clave's format; nothing else is
 * forgiven */
static int
is_clave(const char *w)
{
	const char	*want = "MBAN01002507210012345678";
	size_t		 i;

	if (strlen(w) != strlen(want))
		return 0;
	for (i = 0; want[i] != '\0'; i++)
		if (w[i] != want[i] && !(want[i] == '0' && w[i] == 'O'))
			return 0;
	return 1;
}

static void
read_back(PIX *pix)
{
	PIX			*prep;
	struct ocr_result	 r;
	enum ocr_error		 why = OCR_ERR__MAX;
	float			 scale = 0;
	size_t			 i;
	int			 clave = 0, amount = 0;

	prep = ocr_prepare(pix, &scale);
	assert_non_null(prep);
	assert_int_equal(pixGetDepth(prep), 8);
	assert_int_equal(ocr_recognize(engine, prep, &r, &why), 0);
	assert_int_equal(why, OCR_OK);
	if (strstr(r.text, "Clave de rastreo ") == NULL ||
	    strcasestr(r.text, "importe $1,500.00") == NULL)
		fail_msg("read \"%s\"", r.text);
	assert_true(r.nwords >= 6);
	if (!(r.confidence > 0.7 && r.confidence <= 1.0))
		fail_msg("confidence %.2f in \"%s\"", r.confidence, r.text);
	for (i = 0; i < r.nwords; i++) {
		const struct ocr_word *w = &r.words[i];

		assert_true(w->confidence >= 0 && w->confidence <= 1);
		assert_true(w->x >= 0 && w->y >= 0 && w->w > 0 && w->h > 0);
		assert_true(w->x + w->w <= pixGetWidth(prep));
		assert_true(w->y + w->h <= pixGetHeight(prep));
		if (is_clave(w->text)) {
			clave = 1;
			assert_true(w->confidence > 0.5);
		}
		if (strcmp(w->text, "$1,500.00") == 0)
			amount = 1;
	}
	if (!clave || !amount)
		fail_msg("words: clave %d, amount %d in \"%s\"", clave,
		    amount, r.text);
	ocr_result_free(&r);
	pixDestroy(&prep);
}

static void
test_ocr_recognize__rendered_receipt__read_back(void **state)
{
	PIX *pix = render(20, LOOK_PLAIN);

	(void)state;
	read_back(pix);
	pixDestroy(&pix);
}

static void
test_ocr_recognize__small_text__scaled_up_and_read(void **state)
{
	PIX	*pix = render(11, LOOK_PLAIN), *gray = ocr_prep_gray(pix);
	int	 th = ocr_prep_text_height(gray);

	(void)state;
	assert_true(th > 3 && th < 14);
	read_back(pix);
	pixDestroy(&gray);
	pixDestroy(&pix);
}

static void
test_ocr_recognize__light_on_dark__read_back(void **state)
{
	PIX	*pix = render(20, LOOK_INVERTED), *gray = ocr_prep_gray(pix);

	(void)state;
	assert_true(ocr_prep_is_dark(gray));
	read_back(pix);
	pixDestroy(&gray);
	pixDestroy(&pix);
}

static void
test_ocr_recognize__white_on_colour_banner__read_back(void **state)
{
	PIX *pix = render(20, LOOK_BANNER);

	(void)state;
	read_back(pix);
	pixDestroy(&pix);
}

static void
test_ocr_recognize__uneven_light__read_back(void **state)
{
	PIX	*pix = render(20, LOOK_SHADOW), *gray = ocr_prep_gray(pix),
		*global;
	int	 on = 0;

	(void)state;
	/* one global threshold blackens the shaded side: adaptive it is */
	global = pixConvertTo1(gray, 128);
	pixCountPixels(global, &on, NULL);
	assert_true(on > pixGetWidth(gray) * pixGetHeight(gray) / 4);
	read_back(pix);
	pixDestroy(&global);
	pixDestroy(&gray);
	pixDestroy(&pix);
}

/* photos taken sideways or upside down (no EXIF to say so) */
static void
test_ocr_recognize__turned_page__read_upright(void **state)
{
	PIX	*pix = render(20, LOOK_PLAIN), *turned;
	int	 q;

	(void)state;
	for (q = 1; q <= 3; q++) {
		turned = pixRotateOrth(pix, q);
		read_back(turned);
		pixDestroy(&turned);
	}
	pixDestroy(&pix);
}

static void
test_ocr_prep__skewed__deskewed(void **state)
{
	PIX	*pix = render(20, LOOK_PLAIN), *gray = ocr_prep_gray(pix), *rot, *bin,
		*d;
	float	 angle = 0;

	(void)state;
	/* 3 degrees turned, white brought in at the corners */
	rot = pixRotate(gray, 0.0524f, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE,
	    0, 0);
	bin = ocr_prep_binarize(rot);
	assert_int_equal(pixGetDepth(bin), 1);
	d = ocr_prep_deskew(rot, &angle);
	assert_non_null(d);
	assert_int_equal(pixGetDepth(d), 8);
	if (!(fabsf(angle) > 2.0f && fabsf(angle) < 4.0f))
		fail_msg("skew angle %.2f", (double)angle);
	read_back(rot);
	pixDestroy(&d);
	pixDestroy(&bin);
	pixDestroy(&rot);
	pixDestroy(&gray);
	pixDestroy(&pix);
}

static void
test_ocr_recognize__time_limit__ocr_timeout(void **state)
{
	PIX			*pix = render(20, LOOK_PLAIN), *prep;
	struct ocr_result	 r;
	enum ocr_error		 why = OCR_OK;

	(void)state;
	/* two lines of text take longer than a millisecond */
	prep = ocr_prepare(pix, NULL);
	ocr_engine_set_time_limit(engine, 1);
	assert_int_equal(ocr_recognize(engine, prep, &r, &why), -1);
	assert_int_equal(why, OCR_ERR_TIMEOUT);
	assert_string_equal(ocr_error_str(why), "ocr_timeout");
	assert_null(r.text);
	ocr_engine_set_time_limit(engine, 0);	/* the default again */
	/* and the engine still works after a timeout */
	read_back(pix);
	pixDestroy(&prep);
	pixDestroy(&pix);
}

/* a long receipt (80 lines) */
static PIX *
render_long(void)
{
	cairo_surface_t	*s;
	cairo_t		*cr;
	PIX		*pix;
	int		 w = 520, h = 40 * 81, x, y, i;
	char		 line[96];

	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 20);
	for (i = 0; i < 80; i++) {
		snprintf(line, sizeof(line), "Linea %d Clave MBAN0100250721%010d"
		    " $%d.00", i, i * 7919, i * 13);
		cairo_move_to(cr, 20, 40 * (i + 1));
		cairo_show_text(cr, line);
	}
	cairo_destroy(cr);
	cairo_surface_flush(s);
	pix = pixCreate(w, h, 32);
	for (y = 0; y < h; y++) {
		const uint32_t *row = (const uint32_t *)(const void *)
		    (cairo_image_surface_get_data(s) +
		    (size_t)y * (size_t)cairo_image_surface_get_stride(s));

		for (x = 0; x < w; x++)
			pixSetPixel(pix, x, y, (row[x] & 0xffffff) << 8);
	}
	cairo_surface_destroy(s);
	return pix;
}

/* the deadline stops Tesseract's word passes, not only the answer: a
 * page that takes T to read comes back well before T when the limit
 * is a small part of it */
static void
test_ocr_recognize__deadline__stops_recognition_early(void **state)
{
	PIX			*pix = render_long(), *prep;
	struct ocr_result	 r;
	enum ocr_error		 why = OCR_ERR__MAX;
	double			 t0, full, cut;

	(void)state;
	prep = ocr_prepare(pix, NULL);
	t0 = clock_monotonic();
	assert_int_equal(ocr_recognize(engine, prep, &r, &why), 0);
	full = clock_monotonic() - t0;
	assert_true(r.nwords >= 300);
	ocr_result_free(&r);
	assert_true(full > 1.0);
	ocr_engine_set_time_limit(engine, (int)(full * 1000 / 8));
	t0 = clock_monotonic();
	assert_int_equal(ocr_recognize(engine, prep, &r, &why), -1);
	cut = clock_monotonic() - t0;
	assert_int_equal(why, OCR_ERR_TIMEOUT);
	if (cut > full / 2)
		fail_msg("limit %.2f s: stopped after %.2f s of %.2f s",
		    full / 8, cut, full);
	ocr_engine_set_time_limit(engine, 0);
	pixDestroy(&prep);
	pixDestroy(&pix);
}

static void
test_ocr_engine__unknown_language__engine_unavailable(void **state)
{
	struct ocr_engine	*e = ocr_engine_new("xxx");
	enum ocr_error		 why = OCR_OK;

	(void)state;
	assert_int_equal(ocr_engine_ready(e, &why), -1);
	assert_int_equal(why, OCR_ERR_ENGINE);
	assert_string_equal(ocr_error_str(why), "ocr_engine_unavailable");
	ocr_engine_free(e);
	ocr_engine_free(NULL);
}

static void
test_ocr_threads__reexec__one_openmp_thread(void **state)
{
	(void)state;
	assert_string_equal(getenv("OMP_THREAD_LIMIT"), "1");
	assert_true(ocr_threads_limited());
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ocr_threads__reexec__one_openmp_thread),
		cmocka_unit_test(
		    test_ocr_recognize__rendered_receipt__read_back),
		cmocka_unit_test(
		    test_ocr_recognize__small_text__scaled_up_and_read),
		cmocka_unit_test(test_ocr_recognize__light_on_dark__read_back),
		cmocka_unit_test(
		    test_ocr_recognize__white_on_colour_banner__read_back),
		cmocka_unit_test(test_ocr_recognize__uneven_light__read_back),
		cmocka_unit_test(test_ocr_recognize__turned_page__read_upright),
		cmocka_unit_test(test_ocr_prep__skewed__deskewed),
		cmocka_unit_test(test_ocr_recognize__time_limit__ocr_timeout),
		cmocka_unit_test(
		    test_ocr_recognize__deadline__stops_recognition_early),
		cmocka_unit_test(
		    test_ocr_engine__unknown_language__engine_unavailable),
	};
	int rc;

	(void)argc;
	/* as a program's main() does: OMP_THREAD_LIMIT=1 before libgomp */
	if (ocr_threads_reexec(argv) == -1)
		return 1;
	setMsgSeverity(L_SEVERITY_NONE);
	engine = ocr_engine_new("spa");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	ocr_engine_free(engine);
	return rc;
}

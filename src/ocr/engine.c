/*
 * mxcep: src/ocr/engine.c: the Tesseract engine (C API), one per
 * process, loaded on first use and reused; each recognition bounded by
 * a deadline (Tesseract's ETEXT_DESC monitor: the word recognition
 * passes stop when it passes; page layout analysis before them is not
 * interruptible, so a recognition can overrun by that much). Gives the
 * page's text, each word with its confidence and box, and their mean.
 */
#include <stdlib.h>
#include <string.h>

#include <tesseract/capi.h>
#include <leptonica/allheaders.h>

#include "ocr/ocr.h"
#include "util/util.h"

struct ocr_engine {
	TessBaseAPI	*api;		/* NULL until first use */
	char		*lang;		/* "spa" */
	int		 time_ms;	/* per recognition */
	int		 broken;	/* Init failed: do not retry */
};

struct ocr_engine *
ocr_engine_new(const char *lang)
{
	struct ocr_engine *e = xcalloc(1, sizeof(*e));

	e->lang = xstrdup(lang != NULL ? lang : "spa");
	e->time_ms = OCR_DEFAULT_TIME_MS;
	return e;
}

void
ocr_engine_free(struct ocr_engine *e)
{
	if (e == NULL)
		return;
	if (e->api != NULL) {
		TessBaseAPIEnd(e->api);
		TessBaseAPIDelete(e->api);
	}
	free(e->lang);
	free(e);
}

void
ocr_engine_set_time_limit(struct ocr_engine *e, int ms)
{
	e->time_ms = ms > 0 ? ms : OCR_DEFAULT_TIME_MS;
}

static int
set_why(enum ocr_error *why, enum ocr_error err)
{
	if (why != NULL)
		*why = err;
	return err == OCR_OK ? 0 : -1;
}

int
ocr_engine_ready(struct ocr_engine *e, enum ocr_error *why)
{
	if (e->api != NULL)
		return set_why(why, OCR_OK);
	if (e->broken)
		return set_why(why, OCR_ERR_ENGINE);
	/* for libgomp loaded later; see threads.c for the usual case */
	setenv("OMP_THREAD_LIMIT", "1", 1);
	e->api = TessBaseAPICreate();
	if (TessBaseAPIInit3(e->api, NULL, e->lang) != 0) {
		log_warnx("%s: cannot load Tesseract's \"%s\" traineddata "
		    "(Debian package tesseract-ocr-%s)", __func__, e->lang,
		    e->lang);
		TessBaseAPIDelete(e->api);
		e->api = NULL;
		e->broken = 1;
		return set_why(why, OCR_ERR_ENGINE);
	}
	/* no "Estimating resolution" chatter on stderr; images come
	 * scaled for ~30 px text, which is what 300 dpi means to it */
	TessBaseAPISetVariable(e->api, "debug_file", "/dev/null");
	TessBaseAPISetVariable(e->api, "user_defined_dpi", "300");
	/* page layout with orientation detection (osd.traineddata): a
	 * photo taken sideways or upside down is read turned upright */
	TessBaseAPISetPageSegMode(e->api, PSM_AUTO_OSD);
	/* a receipt has few lines: trust the orientation at a margin of
	 * 3 (the default 7 left a two-line page upside down) */
	TessBaseAPISetVariable(e->api, "min_orientation_margin", "3");
	/* adaptive (tiled Otsu) thresholding instead of one global Otsu:
	 * uneven light in photos, coloured banners in screenshots */
	TessBaseAPISetVariable(e->api, "thresholding_method", "1");
	return set_why(why, OCR_OK);
}

/* a word's weight in the page's confidence: its letters and digits
 * (UTF-8 multibyte characters counted once); rule and speck "words"
 * such as "|" or "¡" weigh nothing */
static int
word_weight(const char *t)
{
	const unsigned char	*p;
	int			 n = 0;

	for (p = (const unsigned char *)t; *p != '\0'; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 0xc3 && *p <= 0xc5))
			n++;
	return n;
}

static void
collect_words(TessBaseAPI *api, struct ocr_result *r)
{
	TessResultIterator	*it = TessBaseAPIGetIterator(api);
	size_t			 cap = 0;
	double			 sum = 0, weight = 0;

	if (it == NULL)
		return;
	do {
		const TessPageIterator	*pi;
		struct ocr_word		*w;
		char			*t;
		int			 l, tp, rt, b;

		if ((t = TessResultIteratorGetUTF8Text(it, RIL_WORD)) == NULL)
			continue;
		if (r->nwords == cap) {
			cap = cap ? cap * 2 : 64;
			r->words = xrealloc(r->words, cap * sizeof(*r->words));
		}
		w = &r->words[r->nwords++];
		w->text = xstrdup(t);
		TessDeleteText(t);
		w->confidence = TessResultIteratorConfidence(it, RIL_WORD) /
		    100.0;
		if (w->confidence < 0)
			w->confidence = 0;
		if (w->confidence > 1)
			w->confidence = 1;
		sum += w->confidence * word_weight(w->text);
		weight += word_weight(w->text);
		pi = TessResultIteratorGetPageIteratorConst(it);
		l = tp = rt = b = 0;
		TessPageIteratorBoundingBox(pi, RIL_WORD, &l, &tp, &rt, &b);
		w->x = l;
		w->y = tp;
		w->w = rt - l;
		w->h = b - tp;
	} while (TessResultIteratorNext(it, RIL_WORD));
	TessResultIteratorDelete(it);
	r->confidence = weight > 0 ? sum / weight : 0;
}

int
ocr_recognize(struct ocr_engine *e, PIX *pix, struct ocr_result *r,
    enum ocr_error *why)
{
	ETEXT_DESC	*mon = NULL;
	char		*t = NULL;
	double		 t0;
	int		 rc, over;

	memset(r, 0, sizeof(*r));
	if (ocr_engine_ready(e, why) == -1)
		return -1;
	TessBaseAPISetImage2(e->api, pix);
	mon = TessMonitorCreate();
	t0 = clock_monotonic();
	TessMonitorSetDeadlineMSecs(mon, e->time_ms);
	rc = TessBaseAPIRecognize(e->api, mon);
	over = (clock_monotonic() - t0) * 1000.0 >= (double)e->time_ms;
	TessMonitorDelete(mon);
	if (over) {
		log_warnx("%s: over the %d ms limit", __func__, e->time_ms);
		TessBaseAPIClear(e->api);
		return set_why(why, OCR_ERR_TIMEOUT);
	}
	if (rc != 0) {
		log_warnx("%s: TessBaseAPIRecognize failed", __func__);
		TessBaseAPIClear(e->api);
		return set_why(why, OCR_ERR_ENGINE);
	}
	t = TessBaseAPIGetUTF8Text(e->api);
	r->text = xstrdup(t != NULL ? t : "");
	TessDeleteText(t);
	collect_words(e->api, r);
	/* the page's results go now: memory stays flat across images */
	TessBaseAPIClear(e->api);
	return set_why(why, OCR_OK);
}

void
ocr_result_free(struct ocr_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nwords; i++)
		free(r->words[i].text);
	free(r->words);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

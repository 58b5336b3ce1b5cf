/*
 * mxcep: src/ocr, a services-level layer (may use core and util only).
 * Receipt images in, sanitised PNG and recognised text out: content
 * sniffing, header-only size checks, decoding with the EXIF orientation
 * applied, PDF first pages (text layer or rasterized), preprocessing,
 * and the Tesseract engine. Leptonica's PIX is the image type.
 */
#ifndef MXCEP_OCR_H
#define MXCEP_OCR_H

#include <stddef.h>

struct Pix;

#define OCR_DEFAULT_MAX_PIXELS	40000000L	/* 40 MP */
#define OCR_DEFAULT_TIME_MS	20000		/* per recognition */
#define OCR_PDF_DPI		250		/* rasterizing page 1 */

/* errors.c: what went wrong, with a stable name (the API's error code) */
enum ocr_error {
	OCR_OK = 0,
	OCR_ERR_UNSUPPORTED_TYPE,	/* "unsupported_image_type" */
	OCR_ERR_TOO_LARGE,		/* "image_too_large" (pixels) */
	OCR_ERR_UNREADABLE,		/* "image_unreadable" */
	OCR_ERR_PDF_UNREADABLE,		/* "pdf_unreadable" */
	OCR_ERR_TIMEOUT,		/* "ocr_timeout" */
	OCR_ERR_ENGINE,			/* "ocr_engine_unavailable" */
	OCR_ERR__MAX
};
const char	*ocr_error_str(enum ocr_error);	/* the stable name */

/* sniff.c: the type by content (magic bytes), never the declared one */
enum ocr_type {
	OCR_TYPE_NONE = 0,		/* anything else: unsupported */
	OCR_TYPE_JPEG,
	OCR_TYPE_PNG,
	OCR_TYPE_WEBP,
	OCR_TYPE_PDF,
	OCR_TYPE__MAX
};
enum ocr_type	 ocr_sniff(const unsigned char *, size_t);
const char	*ocr_type_mime(enum ocr_type);	/* "image/png", NULL for NONE */

/* header.c: width and height read from the header only (JPEG, PNG,
 * WebP), nothing decoded; -1 when the header is not readable */
int		 ocr_header_size(const unsigned char *, size_t, enum ocr_type,
		    int *w, int *h);

/* exif.c: the JPEG's EXIF Orientation (1..8), 1 when absent or bad */
int		 ocr_exif_orientation(const unsigned char *, size_t);

/* image.c: decode JPEG/PNG/WebP to a PIX upright (EXIF applied), no
 * metadata kept, after checking the header's pixel count against
 * max_pixels (0: OCR_DEFAULT_MAX_PIXELS); the caller frees *out with
 * pixDestroy(). PDF is refused here (see pdf.c). 0 or -1 and *why. */
int		 ocr_image_load(const unsigned char *, size_t, long max_pixels,
		    struct Pix **out, enum ocr_error *why);
/* the PIX as PNG bytes: IHDR, (PLTE), IDAT, IEND only; *png is
 * malloc'd, the caller frees it */
int		 ocr_image_png(struct Pix *, unsigned char **png, size_t *len);

/* pdf.c: the first page of a PDF. With a text layer, *text as an OCR
 * result (the text; its words with boxes in pixels at dpi and
 * confidence 1; free it with ocr_result_free) and *out NULL; without,
 * *out rasterized at dpi (0: OCR_PDF_DPI) within max_pixels and *text
 * empty (text->text NULL). 0 or -1 and *why. */
struct ocr_result;
int		 ocr_pdf_load(const unsigned char *, size_t, int dpi,
		    long max_pixels, struct ocr_result *text, struct Pix **out,
		    enum ocr_error *why);

/* prep.c: preprocessing, each returns a new PIX (NULL on failure) */
struct Pix	*ocr_prep_gray(struct Pix *);		/* 8 bpp */
int		 ocr_prep_is_dark(struct Pix *gray);	/* light on dark */
int		 ocr_prep_text_height(struct Pix *gray);/* px, 0 unknown */
struct Pix	*ocr_prep_scale(struct Pix *gray, int want_px);
struct Pix	*ocr_prep_binarize(struct Pix *gray);	/* Sauvola, 1 bpp */
/* turned straight, the skew measured on the Sauvola binarization;
 * *angle: the degrees turned */
struct Pix	*ocr_prep_deskew(struct Pix *, float *angle);
/* gray, inverted if mostly dark, text to ~30 px, deskewed: 8 bpp for
 * ocr_recognize (Tesseract thresholds it adaptively itself and reads
 * light-on-dark bands); *scale: the factor applied (input px = box
 * px / scale, before the small deskew rotation) */
struct Pix	*ocr_prepare(struct Pix *, float *scale);

/* engine.c: one Tesseract engine per process, loaded on first use */
struct ocr_word {
	char	*text;			/* UTF-8 */
	double	 confidence;		/* 0..1 */
	int	 x, y, w, h;		/* in the recognised PIX's pixels */
};
struct ocr_result {
	char		*text;		/* the whole page, UTF-8 */
	struct ocr_word	*words;
	size_t		 nwords;
	double		 confidence;	/* 0..1: the words' mean, each
					 * weighted by its letters and
					 * digits (specks weigh nothing) */
};
struct ocr_engine;
struct ocr_engine *ocr_engine_new(const char *lang);	/* "spa"; NULL: "spa" */
void		 ocr_engine_free(struct ocr_engine *);
void		 ocr_engine_set_time_limit(struct ocr_engine *, int ms);
int		 ocr_engine_ready(struct ocr_engine *, enum ocr_error *why);
/* recognise a PIX as given (see ocr_prepare); 0, or -1 and *why
 * (OCR_ERR_TIMEOUT past the time limit, OCR_ERR_ENGINE) */
int		 ocr_recognize(struct ocr_engine *, struct Pix *,
		    struct ocr_result *, enum ocr_error *why);
void		 ocr_result_free(struct ocr_result *);	/* fields only */

/* threads.c: OMP_THREAD_LIMIT=1 must be in the environment when the
 * program starts (libgomp reads it once, when it is loaded): 0 when
 * it is, else sets it and re-executes /proc/self/exe with argv
 * (returns -1 only when exec failed). Call first thing in main(). */
int		 ocr_threads_reexec(char *const argv[]);
int		 ocr_threads_limited(void);	/* 1 when libgomp saw it */

#endif

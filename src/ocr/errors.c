/*
 * mxcep: src/ocr/errors.c: the stable names of the OCR layer's errors,
 * used as the API's error codes.
 */
#include "ocr/ocr.h"

static const char *const ocr_error_names[OCR_ERR__MAX] = {
	[OCR_OK] = "ok",
	[OCR_ERR_UNSUPPORTED_TYPE] = "unsupported_image_type",
	[OCR_ERR_TOO_LARGE] = "image_too_large",
	[OCR_ERR_UNREADABLE] = "image_unreadable",
	[OCR_ERR_PDF_UNREADABLE] = "pdf_unreadable",
	[OCR_ERR_TIMEOUT] = "ocr_timeout",
	[OCR_ERR_ENGINE] = "ocr_engine_unavailable",
};

const char *
ocr_error_str(enum ocr_error e)
{
	if ((unsigned int)e >= OCR_ERR__MAX)
		return "unknown";
	return ocr_error_names[e];
}

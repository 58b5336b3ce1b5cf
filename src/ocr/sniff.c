/*
 * mxcep: src/ocr/sniff.c: the type of an upload by its first bytes
 * (JPEG, PNG, WebP, PDF); the declared Content-Type is never trusted.
 */
#include <string.h>

#include "ocr/ocr.h"

enum ocr_type
ocr_sniff(const unsigned char *p, size_t n)
{
	static const unsigned char png[8] =
	    { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	if (p == NULL)
		return OCR_TYPE_NONE;
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return OCR_TYPE_JPEG;
	if (n >= 8 && memcmp(p, png, 8) == 0)
		return OCR_TYPE_PNG;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return OCR_TYPE_WEBP;
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return OCR_TYPE_PDF;
	return OCR_TYPE_NONE;
}

const char *
ocr_type_mime(enum ocr_type t)
{
	switch (t) {
	case OCR_TYPE_JPEG:
		return "image/jpeg";
	case OCR_TYPE_PNG:
		return "image/png";
	case OCR_TYPE_WEBP:
		return "image/webp";
	case OCR_TYPE_PDF:
		return "application/pdf";
	default:
		return NULL;
	}
}

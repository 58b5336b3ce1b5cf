/*
 * mxcep: the names of the receipt fields and the warning list, which
 * every file of the extractor uses (a file of its own, so that no two
 * files call each other).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ocr/fields_int.h"
#include "util/util.h"

static const char *const field_names[OCR_FIELD__MAX] = {
	[OCR_FIELD_FECHA] = "fecha",
	[OCR_FIELD_MONTO] = "monto",
	[OCR_FIELD_EMISOR] = "emisor",
	[OCR_FIELD_RECEPTOR] = "receptor",
	[OCR_FIELD_CUENTA] = "cuenta",
	[OCR_FIELD_CLAVE_RASTREO] = "clave_rastreo",
	[OCR_FIELD_REFERENCIA] = "referencia",
};

const char *
ocr_field_name(enum ocr_field f)
{
	if ((unsigned int)f >= OCR_FIELD__MAX)
		return "";
	return field_names[f];
}

void
fx_warn(struct ocr_fields *o, enum ocr_field f, const char *code,
    const char *fmt, ...)
{
	struct ocr_warning	*w;
	char			 detail[OCR_WARN_DETAIL], raw[2 * OCR_WARN_DETAIL];
	va_list			 ap;
	size_t			 i;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* OCR text in it: well-formed UTF-8, cut on a character (JSON) */
	utf8_copy(detail, sizeof(detail), raw, strlen(raw), 0);
	for (i = 0; i < o->nwarnings; i++)	/* a line looked at twice */
		if (o->warnings[i].field == f &&
		    strcmp(o->warnings[i].code, code) == 0 &&
		    strcmp(o->warnings[i].detail, detail) == 0)
			return;
	o->warnings = xrealloc(o->warnings,
	    (o->nwarnings + 1) * sizeof(*o->warnings));
	w = &o->warnings[o->nwarnings++];
	w->field = f;
	w->code = code;
	memcpy(w->detail, detail, sizeof(w->detail));
}

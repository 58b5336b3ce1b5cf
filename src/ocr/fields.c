/*
 * mxcep: the fields of a SPEI receipt from its OCR'd lines: the values
 * of the labels (fields_layout.c), what no label gave
 * (fields_elsewhere.c), then the hints and the required fields
 * (fields_hints.c).
 */
#include <stdlib.h>

#include "ocr/fields_int.h"
#include "util/util.h"

void
ocr_fields_free(struct ocr_fields *o)
{
	size_t	 i, k;

	if (o == NULL)
		return;
	for (i = 0; i < OCR_FIELD__MAX; i++) {
		free(o->f[i].value);
		for (k = 0; k < o->f[i].nwords; k++)
			free(o->f[i].words[k].text);
		free(o->f[i].words);
	}
	free(o->warnings);
	free(o);
}

int
ocr_fields_is_missing(const struct ocr_fields *o, enum ocr_field f)
{
	size_t	 i;

	for (i = 0; i < o->nmissing; i++)
		if (o->missing[i] == f)
			return 1;
	return 0;
}

struct ocr_fields *
ocr_fields_extract(const struct ocr_text *text, const struct ocr_hints *hints,
    const struct bank_catalog *cat)
{
	static const struct ocr_text	 empty;
	struct fx_scan			*s = xcalloc(1, sizeof(*s));
	struct ocr_fields		*o = xcalloc(1, sizeof(*o));

	s->text = text != NULL ? text : &empty;
	s->cat = cat;
	s->out = o;
	fx_find_labels(s);
	fx_by_labels(s);
	fx_elsewhere(s);
	fx_hints_apply(o, hints, cat);
	fx_required(o, cat);
	free(s);
	return o;
}

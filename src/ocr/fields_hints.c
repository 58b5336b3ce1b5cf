/*
 * mxcep: the caller's hints against what the receipt shows, a masked
 * account completed, and the fields /v1/validate requires.
 *
 * A hint fills a field the image lacks; one that differs from what was
 * read wins, with a hint_disagrees warning that names both (the caller
 * knows the transfer it expects, and Banxico checks that one). A masked
 * account is completed only by an account ending with its visible
 * digits (and of the receiving bank read, for a CLABE). A hint that is
 * no valid value is ignored with hint_invalid.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/fields_int.h"
#include "util/util.h"

/* the hint of field f normalised into out: 0, or -1 not a valid value */
static int
hint_norm(enum ocr_field f, const char *h, const struct bank_catalog *cat,
    char *out, size_t n)
{
	const struct bank	*b;
	struct date		 d;
	enum account_type	 t;
	int64_t			 cents;
	int			 x, y;
	size_t			 i;

	switch (f) {
	case OCR_FIELD_FECHA:
		if (date_parse_iso(h, &d) == 0) {
			date_format_iso(&d, out);
			return 0;
		}
		return fx_date_parse(h, out, &x, &y);
	case OCR_FIELD_MONTO:
		if (money_parse(h, &cents, NULL) == 0) {
			money_format(cents, out);
			return 0;
		}
		return fx_amount_parse(h, out, &x, &y);
	case OCR_FIELD_EMISOR:
	case OCR_FIELD_RECEPTOR:
		if (bank_catalog_resolve(cat, h, &b) != BANK_MATCH_ONE)
			return -1;
		snprintf(out, n, "%s", b->code);
		return 0;
	case OCR_FIELD_CUENTA:
		if (account_classify(h, &t, NULL) == -1)
			return -1;
		break;
	case OCR_FIELD_CLAVE_RASTREO:
		if (h[0] == '\0' || strlen(h) > 30)
			return -1;
		for (i = 0; h[i] != '\0'; i++)
			if (!isalnum((unsigned char)h[i]))
				return -1;
		break;
	case OCR_FIELD_REFERENCIA:
		if (!str_is_digits(h, 1, 7))
			return -1;
		break;
	default:
		return -1;
	}
	snprintf(out, n, "%s", h);
	return 0;
}

/* whether full completes the masked account of o (see the header) */
static int
completes(const struct ocr_fields *o, const char *full,
    const struct bank_catalog *cat)
{
	const struct bank	*b, *r;
	size_t			 lf = strlen(full), ll = strlen(o->masked_last);

	if (!o->is_masked || ll == 0 || lf < ll ||
	    strcmp(full + lf - ll, o->masked_last) != 0 ||
	    strncmp(full, o->masked_first, strlen(o->masked_first)) != 0)
		return 0;
	if (lf == CLABE_LEN && o->f[OCR_FIELD_RECEPTOR].source ==
	    OCR_SOURCE_IMAGE &&
	    bank_catalog_resolve(cat, o->f[OCR_FIELD_RECEPTOR].value, &r) ==
	    BANK_MATCH_ONE &&
	    bank_catalog_by_prefix(cat, full, &b) == BANK_MATCH_ONE && b != r)
		return 0;
	return 1;
}

static void
use_hint(struct ocr_value *v, const char *value)
{
	free(v->value);
	v->value = xstrdup(value);
	v->source = OCR_SOURCE_HINT;
	v->conf = 1.0;
}

static void
masked_hint(struct ocr_fields *o, const char *h,
    const struct bank_catalog *cat)
{
	if (completes(o, h, cat)) {
		use_hint(&o->f[OCR_FIELD_CUENTA], h);
		fx_warn(o, OCR_FIELD_CUENTA, OCR_W_MASK_COMPLETED, "the "
		    "receipt shows the account ending in %s", o->masked_last);
	} else
		fx_warn(o, OCR_FIELD_CUENTA, OCR_W_HINT_DISAGREES, "the "
		    "receipt shows an account ending in %s (or another "
		    "bank); hint %s not used", o->masked_last, h);
}

void
fx_hints_apply(struct ocr_fields *o, const struct ocr_hints *hints,
    const struct bank_catalog *cat)
{
	const char	*h[OCR_FIELD__MAX];
	struct ocr_value *v;
	char		 norm[64];
	size_t		 f;

	if (hints == NULL)
		return;
	h[OCR_FIELD_FECHA] = hints->fecha;
	h[OCR_FIELD_MONTO] = hints->monto;
	h[OCR_FIELD_EMISOR] = hints->emisor;
	h[OCR_FIELD_RECEPTOR] = hints->receptor;
	h[OCR_FIELD_CUENTA] = hints->cuenta;
	h[OCR_FIELD_CLAVE_RASTREO] = hints->clave_rastreo;
	h[OCR_FIELD_REFERENCIA] = hints->referencia;
	for (f = 0; f < OCR_FIELD__MAX; f++) {
		v = &o->f[f];
		if (h[f] == NULL)
			continue;
		if (hint_norm(f, h[f], cat, norm, sizeof(norm)) == -1) {
			fx_warn(o, f, OCR_W_HINT_INVALID, "hint '%.60s' is "
			    "not a valid %s; ignored", h[f], ocr_field_name(f));
			continue;
		}
		if (f == OCR_FIELD_CUENTA && o->is_masked)
			masked_hint(o, norm, cat);
		else if (v->value == NULL)
			use_hint(v, norm);
		else if (strcmp(v->value, norm) != 0) {
			fx_warn(o, f, OCR_W_HINT_DISAGREES, "the receipt "
			    "reads %s, the hint %s: the hint is used",
			    v->value, norm);
			use_hint(v, norm);
		}
	}
}

int
ocr_fields_complete_cuenta(struct ocr_fields *o, const char *full,
    const struct bank_catalog *cat)
{
	if (o->f[OCR_FIELD_CUENTA].value != NULL || full == NULL ||
	    account_classify(full, &(enum account_type){ 0 }, NULL) == -1 ||
	    !completes(o, full, cat))
		return -1;
	use_hint(&o->f[OCR_FIELD_CUENTA], full);
	fx_required(o, cat);
	return 0;
}

/* the receiving bank of a CLABE, when not read; a disagreement warned */
static void
receptor_of_clabe(struct ocr_fields *o, const struct bank_catalog *cat)
{
	struct ocr_value	*r = &o->f[OCR_FIELD_RECEPTOR];
	const char		*c = o->f[OCR_FIELD_CUENTA].value;
	const struct bank	*b;

	if (c == NULL || strlen(c) != CLABE_LEN ||
	    bank_catalog_by_prefix(cat, c, &b) != BANK_MATCH_ONE)
		return;
	if (r->value == NULL) {
		r->value = xstrdup(b->code);
		r->source = OCR_SOURCE_DERIVED;
		r->conf = o->f[OCR_FIELD_CUENTA].conf;
	} else if (strcmp(r->value, b->code) != 0 &&
	    r->source == OCR_SOURCE_IMAGE)
		fx_warn(o, OCR_FIELD_RECEPTOR, OCR_W_RECEPTOR_CLABE, "the "
		    "receipt names %s, the CLABE's prefix %s", r->value,
		    b->code);
}

void
fx_required(struct ocr_fields *o, const struct bank_catalog *cat)
{
	static const enum ocr_field need[] = { OCR_FIELD_FECHA,
	    OCR_FIELD_MONTO, OCR_FIELD_EMISOR, OCR_FIELD_RECEPTOR,
	    OCR_FIELD_CUENTA };
	size_t	 i;

	receptor_of_clabe(o, cat);
	o->nmissing = 0;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (o->f[need[i]].value == NULL)
			o->missing[o->nmissing++] = need[i];
	if (o->f[OCR_FIELD_CLAVE_RASTREO].value == NULL &&
	    o->f[OCR_FIELD_REFERENCIA].value == NULL)
		o->missing[o->nmissing++] = OCR_FIELD_CLAVE_RASTREO;
}

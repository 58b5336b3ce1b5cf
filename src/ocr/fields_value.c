/*
 * mxcep: a candidate value of a receipt field: its words joined, parsed
 * by the field's parser, set with its source words and warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/fields_int.h"
#include "util/util.h"

void
fx_cand_add(struct fx_cand *c, const struct ocr_word *w)
{
	size_t	 len = strlen(c->text);

	if (c->n >= CAND_WORDS)
		return;
	c->w[c->n++] = w;
	snprintf(c->text + len, sizeof(c->text) - len, "%s%s",
	    len > 0 ? " " : "", w->text);
}

/* c's words (copies) as the source of v, and their lowest confidence */
static void
set_words(struct ocr_value *v, const struct fx_cand *c)
{
	size_t	 i;

	v->conf = 1.0;
	if (c == NULL || c->n == 0)
		return;
	v->words = xcalloc(c->n, sizeof(*v->words));
	v->nwords = c->n;
	for (i = 0; i < c->n; i++) {
		v->words[i].text = xstrdup(c->w[i]->text);
		v->words[i].conf = c->w[i]->conf;
		v->words[i].box = c->w[i]->box;
		if (c->w[i]->conf < v->conf)
			v->conf = c->w[i]->conf;
	}
}

/* the value of field f read from c's words */
void
fx_set_value(struct ocr_fields *o, enum ocr_field f, const char *value,
    const struct fx_cand *c)
{
	o->f[f].value = xstrdup(value);
	o->f[f].source = OCR_SOURCE_IMAGE;
	set_words(&o->f[f], c);
}

/* "SANTANDER *3213": the receiving bank named with the account, when
 * no label gave one */
static void
bank_with_account(struct fx_scan *s, const struct fx_cand *c)
{
	const struct bank	*b;
	int			 fz;

	if (s->out->f[OCR_FIELD_RECEPTOR].value == NULL &&
	    fx_bank_find(s->cat, c->text, &b, &fz) == 0 && !fz)
		fx_set_value(s->out, OCR_FIELD_RECEPTOR, b->code, c);
}

/* whether c, as a value of f, parses; sets it (with its warnings) */
int
fx_try_value(struct fx_scan *s, enum ocr_field f, const struct fx_cand *c)
{
	struct ocr_fields	*o = s->out;
	const struct bank	*b;
	struct fx_account	 a;
	char			 out[64];
	const char		*rp = NULL;
	int			 x = 0, y = 0, r;

	if (c->n == 0)
		return 0;
	switch (f) {
	case OCR_FIELD_FECHA:
		if (fx_date_parse(c->text, out, &x, &y) == -1)
			return 0;
		if (x)
			fx_warn(o, f, OCR_W_DATE_AMBIGUOUS, "'%s' read day "
			    "first as %s", c->text, out);
		break;
	case OCR_FIELD_MONTO:
		if (fx_amount_parse(c->text, out, &x, &y) == -1)
			return 0;
		if (x)
			fx_warn(o, f, OCR_W_AMOUNT_AMBIGUOUS, "'%s' read "
			    "with a thousands separator as %s", c->text, out);
		break;
	case OCR_FIELD_EMISOR:
	case OCR_FIELD_RECEPTOR:
		if ((r = fx_bank_find(s->cat, c->text, &b, &x)) == -2) {
			fx_warn(o, f, OCR_W_BANK_AMBIGUOUS, "'%s' names "
			    "several participants", c->text);
			return 0;
		}
		if (r == -1)
			return 0;
		snprintf(out, sizeof(out), "%s", b->code);
		if (x)
			fx_warn(o, f, OCR_W_BANK_FUZZY, "'%s' read as %s "
			    "(%s)", c->text, b->short_name, b->code);
		break;
	case OCR_FIELD_CUENTA:
		if (o->f[OCR_FIELD_RECEPTOR].value != NULL &&
		    bank_catalog_resolve(s->cat, o->f[OCR_FIELD_RECEPTOR].value,
		    &b) == BANK_MATCH_ONE)
			rp = b->clabe_prefix;
		if (fx_account_parse(c->text, s->cat, rp, &a) == -1) {
			if (a.bad_check)
				fx_warn(o, f, a.type == ACCOUNT_TYPE_CARD ?
				    OCR_W_CARD_INVALID : OCR_W_CLABE_INVALID,
				    "'%s': the check digit does not match",
				    c->text);
			return 0;
		}
		if (a.masked) {
			o->is_masked = 1;
			snprintf(o->masked_last, sizeof(o->masked_last),
			    "%s", a.last);
			snprintf(o->masked_first, sizeof(o->masked_first),
			    "%s", a.first);
			bank_with_account(s, c);
			/* no value: the hints or receiving accounts fill it */
			set_words(&o->f[f], c);
			return 1;
		}
		bank_with_account(s, c);
		snprintf(out, sizeof(out), "%s", a.digits);
		y = a.fixed;
		if (a.repaired)
			fx_warn(o, f, OCR_W_CLABE_REPAIRED, "read %s, one "
			    "digit repaired by the check digit: %s", a.read,
			    a.digits);
		break;
	case OCR_FIELD_CLAVE_RASTREO:
		if (fx_clave_parse(c->text, out, &x) == -1)
			return 0;
		if (x)
			fx_warn(o, f, OCR_W_CLAVE_CHAR_FIXED, "read '%s', "
			    "by its format %s", c->text, out);
		break;
	case OCR_FIELD_REFERENCIA:
		if (fx_referencia_parse(c->text, out, &y) == -1)
			return 0;
		break;
	default:
		return 0;
	}
	if (y)
		fx_warn(o, f, OCR_W_DIGIT_FIXED, "read '%s' as %s", c->text,
		    out);
	fx_set_value(o, f, out, c);
	return 1;
}

int
fx_have(const struct ocr_fields *o, enum ocr_field f)
{
	return o->f[f].value != NULL || (f == OCR_FIELD_CUENTA &&
	    o->is_masked);
}

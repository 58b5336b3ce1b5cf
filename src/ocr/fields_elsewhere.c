/*
 * mxcep: what no label gave, looked for in the whole receipt: a date,
 * an amount after "$", a valid CLABE; the sender's bank from the origin
 * account's CLABE or the app's name above the fields.
 */
#include <stdio.h>
#include <string.h>

#include "ocr/fields_int.h"

/* line i as one candidate */
static void
line_cand(const struct fx_scan *s, size_t i, struct fx_cand *c)
{
	const struct ocr_line	*l = &s->text->lines[i];
	size_t			 j;

	memset(c, 0, sizeof(*c));
	for (j = 0; j < l->nwords; j++)
		fx_cand_add(c, &l->words[j]);
}

static int
line_has(const struct fx_scan *s, size_t i, enum fx_label lab)
{
	size_t	 k;

	for (k = 0; k < s->nocc; k++)
		if (s->occ[k].line == i && s->occ[k].label == lab)
			return 1;
	return 0;
}

/* the sender's bank: the origin account's CLABE prefix, else a bank
 * named on a line above the first label (the app's own name) */
static void
emisor_elsewhere(struct fx_scan *s)
{
	const struct bank	*b;
	struct fx_account	 a;
	struct fx_cand		 c;
	size_t			 k, i, first;
	int			 fz;

	for (k = 0; k < s->nocc; k++) {
		if (s->occ[k].label != FX_LABEL_ORIGIN)
			continue;
		memset(&c, 0, sizeof(c));
		fx_beside(s, k, &c);
		if (c.n == 0)
			fx_below(s, k, s->occ[k].line + 1, &c);
		if (fx_account_parse(c.text, s->cat, NULL, &a) == 0 &&
		    a.type == ACCOUNT_TYPE_CLABE &&
		    bank_catalog_by_prefix(s->cat, a.digits, &b) ==
		    BANK_MATCH_ONE) {
			fx_set_value(s->out, OCR_FIELD_EMISOR, b->code, &c);
			fx_warn(s->out, OCR_FIELD_EMISOR,
			    OCR_W_BANK_FROM_ORIGIN, "the origin CLABE's "
			    "bank: %s (%s)", b->short_name, b->code);
			return;
		}
	}
	first = s->nocc > 0 ? s->occ[0].line : s->text->nlines;
	for (i = 0; i < first; i++) {
		line_cand(s, i, &c);
		if (c.n > 0 && c.n <= 4 &&
		    fx_bank_find(s->cat, c.text, &b, &fz) == 0 && !fz) {
			fx_set_value(s->out, OCR_FIELD_EMISOR, b->code, &c);
			fx_warn(s->out, OCR_FIELD_EMISOR,
			    OCR_W_BANK_FROM_HEADER, "'%s' above the "
			    "receipt's fields: %s (%s)", c.text,
			    b->short_name, b->code);
			return;
		}
	}
}

/* what no label gave: a date, an amount after "$", a valid CLABE (not
 * a phone or a card number: a footer's telephone is none) */
void
fx_elsewhere(struct fx_scan *s)
{
	struct ocr_fields	*o = s->out;
	struct fx_account	 a;
	struct fx_cand		 c;
	size_t			 i;

	for (i = 0; i < s->text->nlines; i++) {
		line_cand(s, i, &c);
		if (line_has(s, i, FX_LABEL_ORIGIN))
			continue;
		if (!fx_have(o, OCR_FIELD_FECHA))
			fx_try_value(s, OCR_FIELD_FECHA, &c);
		if (!fx_have(o, OCR_FIELD_MONTO) && strchr(c.text, '$') != NULL)
			fx_try_value(s, OCR_FIELD_MONTO, &c);
		if (!fx_have(o, OCR_FIELD_CUENTA) && c.n <= 6 &&
		    fx_account_parse(c.text, s->cat, NULL, &a) == 0 &&
		    a.type == ACCOUNT_TYPE_CLABE && !a.repaired)
			fx_try_value(s, OCR_FIELD_CUENTA, &c);
	}
	if (!fx_have(o, OCR_FIELD_EMISOR))
		emisor_elsewhere(s);
}

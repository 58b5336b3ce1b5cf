/*
 * mxcep: where a receipt's values sit: each label (fields_labels.c) is
 * followed by its value beside it (the rest of the line, up to the next
 * label), below it (the next line, or the column under it when a line
 * holds several labels), or split over two lines; the first candidate
 * its parser accepts wins.
 */
#include <stdio.h>
#include <string.h>

#include "ocr/fields_int.h"

/* "Cuenta de retiro" over "Cuenta *4821": the line under an origin
 * label that ends its line is its value, even when it starts with
 * "Cuenta" */
static void
drop_origin_values(struct fx_scan *s)
{
	const struct fx_occ	*o;
	size_t			 k, m;

	for (k = 0; k + 1 < s->nocc; k++) {
		o = &s->occ[k];
		if (o->label != FX_LABEL_ORIGIN || o->start + o->n !=
		    s->text->lines[o->line].nwords ||
		    s->occ[k + 1].line != o->line + 1 ||
		    s->occ[k + 1].start != 0 ||
		    s->occ[k + 1].label != FX_LABEL_CUENTA)
			continue;
		for (m = k + 1; m + 1 < s->nocc; m++)
			s->occ[m] = s->occ[m + 1];
		s->nocc--;
	}
}

/* the labels of every line, in reading order (an origin label's value
 * that starts with "Cuenta" is none) */
void
fx_find_labels(struct fx_scan *s)
{
	const struct ocr_line	*l;
	enum fx_label		 lab;
	size_t			 i, j, n;

	for (i = 0; i < s->text->nlines; i++) {
		l = &s->text->lines[i];
		for (j = 0; j < l->nwords && s->nocc < OCCS_MAX; j++) {
			if ((n = fx_label_at(l, j, &lab)) == 0)
				continue;
			s->occ[s->nocc].line = i;
			s->occ[s->nocc].start = j;
			s->occ[s->nocc].n = n;
			s->occ[s->nocc].label = lab;
			s->nocc++;
			j += n - 1;
		}
	}
	drop_origin_values(s);
}

/* the first label of line i at or after word j: its index, or nocc */
static size_t
label_from(const struct fx_scan *s, size_t i, size_t j)
{
	size_t	 k;

	for (k = 0; k < s->nocc; k++)
		if (s->occ[k].line == i && s->occ[k].start >= j)
			return k;
	return s->nocc;
}

/* the value beside label k: the words up to the next label */
void
fx_beside(const struct fx_scan *s, size_t k, struct fx_cand *c)
{
	const struct fx_occ	*o = &s->occ[k];
	const struct ocr_line	*l = &s->text->lines[o->line];
	size_t			 j, next, end = l->nwords;

	if ((next = label_from(s, o->line, o->start + o->n)) < s->nocc)
		end = s->occ[next].start;
	for (j = o->start + o->n; j < end; j++)
		if (c->n > 0 || strspn(l->words[j].text, ":-|=.") !=
		    strlen(l->words[j].text))
			fx_cand_add(c, &l->words[j]);	/* not a lone ':' */
}

/* the words of line i under label k (its column when the label's line
 * holds several labels and the words have boxes); none when line i
 * starts with a label */
void
fx_below(const struct fx_scan *s, size_t k, size_t i, struct fx_cand *c)
{
	const struct fx_occ	*o = &s->occ[k];
	const struct ocr_line	*ll = &s->text->lines[o->line], *l;
	size_t			 j, next, end, n = 0;
	long			 lo = -1, hi = -1, mid;

	if (i >= s->text->nlines)
		return;
	l = &s->text->lines[i];
	next = label_from(s, i, 0);
	if (l->nwords == 0 || (next < s->nocc && s->occ[next].start == 0))
		return;
	end = next < s->nocc ? s->occ[next].start : l->nwords;
	for (j = 0; j < s->nocc; j++)
		n += s->occ[j].line == o->line;
	if (n > 1 && ll->words[o->start].box.w > 0) {
		if (k > 0 && s->occ[k - 1].line == o->line)
			lo = ll->words[o->start].box.x;
		if (k + 1 < s->nocc && s->occ[k + 1].line == o->line)
			hi = ll->words[s->occ[k + 1].start].box.x;
	}
	for (j = 0; j < end; j++) {
		mid = l->words[j].box.x + l->words[j].box.w / 2;
		if ((lo != -1 && mid < lo) || (hi != -1 && mid >= hi))
			continue;
		fx_cand_add(c, &l->words[j]);
	}
}

static void
cand_join(struct fx_cand *dst, const struct fx_cand *a, const struct fx_cand *b)
{
	size_t	 i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < a->n; i++)
		fx_cand_add(dst, a->w[i]);
	for (i = 0; i < b->n; i++)
		fx_cand_add(dst, b->w[i]);
}

/* line i as the second half of a value split in two: for a clave one
 * word with a digit, for an account groups of digits ("5678 99") */
static int
second_half(const struct fx_scan *s, size_t k, size_t i, enum ocr_field f,
    struct fx_cand *c)
{
	char	 tok[FX_TEXT_MAX];
	size_t	 j;

	memset(c, 0, sizeof(*c));
	fx_below(s, k, i, c);
	if (c->n == 0 || (f == OCR_FIELD_CLAVE_RASTREO && c->n != 1))
		return 0;
	for (j = 0; j < c->n; j++)
		if (f == OCR_FIELD_CUENTA ? fx_digits_fix(c->w[j]->text, tok,
		    sizeof(tok)) == -1 : strpbrk(c->w[j]->text,
		    "0123456789") == NULL)
			return 0;
	return 1;
}

/* label k's value for field f: beside, beside + next line, below,
 * below + the line after; for a cuenta or a clave the split forms
 * first (a half is a valid value too), when the second half looks
 * like one (second_half) */
static int
value_of(struct fx_scan *s, size_t k, enum ocr_field f)
{
	struct fx_cand	 a, b, c, j;
	size_t		 i = s->occ[k].line;
	int		 split = f == OCR_FIELD_CUENTA ||
			    f == OCR_FIELD_CLAVE_RASTREO;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	fx_beside(s, k, &a);
	fx_below(s, k, i + 1, &b);
	if (a.n > 0) {
		if (split && second_half(s, k, i + 1, f, &c)) {
			cand_join(&j, &a, &c);
			if (fx_try_value(s, f, &j))
				return 1;
		}
		if (fx_try_value(s, f, &a))
			return 1;
		if (!split && b.n > 0) {
			cand_join(&j, &a, &b);
			if (fx_try_value(s, f, &j))
				return 1;
		}
		return 0;
	}
	if (b.n == 0)
		return 0;
	if (split && second_half(s, k, i + 2, f, &c)) {
		cand_join(&j, &b, &c);
		if (fx_try_value(s, f, &j))
			return 1;
	}
	if (fx_try_value(s, f, &b))
		return 1;
	memset(&c, 0, sizeof(c));
	fx_below(s, k, i + 2, &c);
	if (!split && c.n > 0) {
		cand_join(&j, &b, &c);
		return fx_try_value(s, f, &j);
	}
	return 0;
}

/* every label's value, the first that parses for each field; a
 * "Total" (the amount plus fees) only when no other amount label reads */
void
fx_by_labels(struct fx_scan *s)
{
	static const struct {
		enum ocr_field	 field;
		enum fx_label	 label;
	} order[] = {
		{ OCR_FIELD_FECHA, FX_LABEL_FECHA },
		{ OCR_FIELD_MONTO, FX_LABEL_MONTO },
		{ OCR_FIELD_MONTO, FX_LABEL_TOTAL },
		{ OCR_FIELD_EMISOR, FX_LABEL_EMISOR },
		{ OCR_FIELD_RECEPTOR, FX_LABEL_RECEPTOR },
		{ OCR_FIELD_CUENTA, FX_LABEL_CUENTA },
		{ OCR_FIELD_CLAVE_RASTREO, FX_LABEL_CLAVE },
		{ OCR_FIELD_REFERENCIA, FX_LABEL_REFERENCIA },
	};
	enum ocr_field	 f;
	size_t		 i, k;
	int		 seen = 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		f = order[i].field;
		if (i == 0 || order[i - 1].field != f)
			seen = 0;
		for (k = 0; k < s->nocc && !fx_have(s->out, f); k++) {
			if (s->occ[k].label != order[i].label)
				continue;
			seen = 1;
			value_of(s, k, f);
		}
		if (seen && !fx_have(s->out, f) && (i + 1 == sizeof(order) /
		    sizeof(order[0]) || order[i + 1].field != f))
			fx_warn(s->out, f, OCR_W_UNREADABLE, "a %s label "
			    "without a value that reads as one",
			    ocr_field_name(f));
	}
}

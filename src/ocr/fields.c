/*
 * mxcep: the fields of a SPEI receipt from its OCR'd lines. Each label
 * (fields_labels.c) is followed by its value beside it (the rest of the
 * line, up to the next label), below it (the next line, or the column
 * under it when a line holds several labels), or split over two lines;
 * the first candidate its parser accepts wins. What no label gives is
 * looked for in the whole text (a valid CLABE, a date, an amount after
 * "$"; the sender's bank from the origin CLABE or the app's name on
 * top). Then the hints (fields_hints.c) and the required fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/fields_int.h"
#include "util/util.h"

#define CAND_WORDS	48
#define OCCS_MAX	64

/* a label found: line, first word, words it takes */
struct occ {
	size_t		 line, start, n;
	enum fx_label	 label;
};
/* a candidate value: its words and their text joined by blanks */
struct cand {
	const struct ocr_word *w[CAND_WORDS];
	size_t		 n;
	char		 text[FX_TEXT_MAX];
};
struct scan {
	const struct ocr_text	*text;
	const struct bank_catalog *cat;
	struct occ		 occ[OCCS_MAX];
	size_t			 nocc;
	struct ocr_fields	*out;
};

static void
cand_add(struct cand *c, const struct ocr_word *w)
{
	size_t	 len = strlen(c->text);

	if (c->n >= CAND_WORDS)
		return;
	c->w[c->n++] = w;
	snprintf(c->text + len, sizeof(c->text) - len, "%s%s",
	    len > 0 ? " " : "", w->text);
}

/* the labels of every line, in reading order */
static void
find_labels(struct scan *s)
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
}

/* "Cuenta de retiro" over "Cuenta *4821": the line under an origin
 * label that ends its line is its value, even when it starts with
 * "Cuenta" */
static void
drop_origin_values(struct scan *s)
{
	const struct occ	*o;
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

/* the first label of line i at or after word j: its index, or nocc */
static size_t
label_from(const struct scan *s, size_t i, size_t j)
{
	size_t	 k;

	for (k = 0; k < s->nocc; k++)
		if (s->occ[k].line == i && s->occ[k].start >= j)
			return k;
	return s->nocc;
}

/* the value beside label k: the words up to the next label */
static void
beside(const struct scan *s, size_t k, struct cand *c)
{
	const struct occ	*o = &s->occ[k];
	const struct ocr_line	*l = &s->text->lines[o->line];
	size_t			 j, next, end = l->nwords;

	if ((next = label_from(s, o->line, o->start + o->n)) < s->nocc)
		end = s->occ[next].start;
	for (j = o->start + o->n; j < end; j++)
		if (c->n > 0 || strspn(l->words[j].text, ":-|=.") !=
		    strlen(l->words[j].text))
			cand_add(c, &l->words[j]);	/* not a lone ':' */
}

/* the words of line i under label k (its column when the label's line
 * holds several labels and the words have boxes); none when line i
 * starts with a label */
static void
below(const struct scan *s, size_t k, size_t i, struct cand *c)
{
	const struct occ	*o = &s->occ[k];
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
		cand_add(c, &l->words[j]);
	}
}

static void
cand_join(struct cand *dst, const struct cand *a, const struct cand *b)
{
	size_t	 i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < a->n; i++)
		cand_add(dst, a->w[i]);
	for (i = 0; i < b->n; i++)
		cand_add(dst, b->w[i]);
}

/* c's words (copies) as the source of v, and their lowest confidence */
static void
set_words(struct ocr_value *v, const struct cand *c)
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
static void
set_value(struct ocr_fields *o, enum ocr_field f, const char *value,
    const struct cand *c)
{
	o->f[f].value = xstrdup(value);
	o->f[f].source = OCR_SOURCE_IMAGE;
	set_words(&o->f[f], c);
}

/* "SANTANDER *3213": the receiving bank named with the account, when
 * no label gave one */
static void
bank_with_account(struct scan *s, const struct cand *c)
{
	const struct bank	*b;
	int			 fz;

	if (s->out->f[OCR_FIELD_RECEPTOR].value == NULL &&
	    fx_bank_find(s->cat, c->text, &b, &fz) == 0 && !fz)
		set_value(s->out, OCR_FIELD_RECEPTOR, b->code, c);
}

/* whether c, as a value of f, parses; sets it (with its warnings) */
static int
try_value(struct scan *s, enum ocr_field f, const struct cand *c)
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
	set_value(o, f, out, c);
	return 1;
}

/* line i as the second half of a value split in two: for a clave one
 * word with a digit, for an account groups of digits ("5678 99") */
static int
second_half(const struct scan *s, size_t k, size_t i, enum ocr_field f,
    struct cand *c)
{
	char	 tok[FX_TEXT_MAX];
	size_t	 j;

	memset(c, 0, sizeof(*c));
	below(s, k, i, c);
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
value_of(struct scan *s, size_t k, enum ocr_field f)
{
	struct cand	 a, b, c, j;
	size_t		 i = s->occ[k].line;
	int		 split = f == OCR_FIELD_CUENTA ||
			    f == OCR_FIELD_CLAVE_RASTREO;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	beside(s, k, &a);
	below(s, k, i + 1, &b);
	if (a.n > 0) {
		if (split && second_half(s, k, i + 1, f, &c)) {
			cand_join(&j, &a, &c);
			if (try_value(s, f, &j))
				return 1;
		}
		if (try_value(s, f, &a))
			return 1;
		if (!split && b.n > 0) {
			cand_join(&j, &a, &b);
			if (try_value(s, f, &j))
				return 1;
		}
		return 0;
	}
	if (b.n == 0)
		return 0;
	if (split && second_half(s, k, i + 2, f, &c)) {
		cand_join(&j, &b, &c);
		if (try_value(s, f, &j))
			return 1;
	}
	if (try_value(s, f, &b))
		return 1;
	memset(&c, 0, sizeof(c));
	below(s, k, i + 2, &c);
	if (!split && c.n > 0) {
		cand_join(&j, &b, &c);
		return try_value(s, f, &j);
	}
	return 0;
}

static int
have(const struct ocr_fields *o, enum ocr_field f)
{
	return o->f[f].value != NULL || (f == OCR_FIELD_CUENTA &&
	    o->is_masked);
}

/* every label's value, the first that parses for each field; a
 * "Total" (the amount plus fees) only when no other amount label reads */
static void
by_labels(struct scan *s)
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
		for (k = 0; k < s->nocc && !have(s->out, f); k++) {
			if (s->occ[k].label != order[i].label)
				continue;
			seen = 1;
			value_of(s, k, f);
		}
		if (seen && !have(s->out, f) && (i + 1 == sizeof(order) /
		    sizeof(order[0]) || order[i + 1].field != f))
			fx_warn(s->out, f, OCR_W_UNREADABLE, "a %s label "
			    "without a value that reads as one",
			    ocr_field_name(f));
	}
}

/* line i as one candidate */
static void
line_cand(const struct scan *s, size_t i, struct cand *c)
{
	const struct ocr_line	*l = &s->text->lines[i];
	size_t			 j;

	memset(c, 0, sizeof(*c));
	for (j = 0; j < l->nwords; j++)
		cand_add(c, &l->words[j]);
}

static int
line_has(const struct scan *s, size_t i, enum fx_label lab)
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
emisor_elsewhere(struct scan *s)
{
	const struct bank	*b;
	struct fx_account	 a;
	struct cand		 c;
	size_t			 k, i, first;
	int			 fz;

	for (k = 0; k < s->nocc; k++) {
		if (s->occ[k].label != FX_LABEL_ORIGIN)
			continue;
		memset(&c, 0, sizeof(c));
		beside(s, k, &c);
		if (c.n == 0)
			below(s, k, s->occ[k].line + 1, &c);
		if (fx_account_parse(c.text, s->cat, NULL, &a) == 0 &&
		    a.type == ACCOUNT_TYPE_CLABE &&
		    bank_catalog_by_prefix(s->cat, a.digits, &b) ==
		    BANK_MATCH_ONE) {
			set_value(s->out, OCR_FIELD_EMISOR, b->code, &c);
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
			set_value(s->out, OCR_FIELD_EMISOR, b->code, &c);
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
static void
elsewhere(struct scan *s)
{
	struct ocr_fields	*o = s->out;
	struct fx_account	 a;
	struct cand		 c;
	size_t			 i;

	for (i = 0; i < s->text->nlines; i++) {
		line_cand(s, i, &c);
		if (line_has(s, i, FX_LABEL_ORIGIN))
			continue;
		if (!have(o, OCR_FIELD_FECHA))
			try_value(s, OCR_FIELD_FECHA, &c);
		if (!have(o, OCR_FIELD_MONTO) && strchr(c.text, '$') != NULL)
			try_value(s, OCR_FIELD_MONTO, &c);
		if (!have(o, OCR_FIELD_CUENTA) && c.n <= 6 &&
		    fx_account_parse(c.text, s->cat, NULL, &a) == 0 &&
		    a.type == ACCOUNT_TYPE_CLABE && !a.repaired)
			try_value(s, OCR_FIELD_CUENTA, &c);
	}
	if (!have(o, OCR_FIELD_EMISOR))
		emisor_elsewhere(s);
}

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
	struct scan			*s = xcalloc(1, sizeof(*s));
	struct ocr_fields		*o = xcalloc(1, sizeof(*o));

	s->text = text != NULL ? text : &empty;
	s->cat = cat;
	s->out = o;
	find_labels(s);
	drop_origin_values(s);
	by_labels(s);
	elsewhere(s);
	fx_hints_apply(o, hints, cat);
	fx_required(o, cat);
	free(s);
	return o;
}

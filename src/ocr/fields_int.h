/*
 * mxcep: what the files of the receipt field extractor share: the
 * labels, the value parsers (one file each) and the warning sink.
 */
#ifndef MXCEP_OCR_FIELDS_INT_H
#define MXCEP_OCR_FIELDS_INT_H

#include "ocr/fields.h"

#define FX_TEXT_MAX	256		/* a value's words joined */

/* fields_labels.c: what a label introduces */
enum fx_label {
	FX_LABEL_FECHA = OCR_FIELD_FECHA,
	FX_LABEL_MONTO = OCR_FIELD_MONTO,
	FX_LABEL_EMISOR = OCR_FIELD_EMISOR,
	FX_LABEL_RECEPTOR = OCR_FIELD_RECEPTOR,
	FX_LABEL_CUENTA = OCR_FIELD_CUENTA,
	FX_LABEL_CLAVE = OCR_FIELD_CLAVE_RASTREO,
	FX_LABEL_REFERENCIA = OCR_FIELD_REFERENCIA,
	FX_LABEL_TOTAL,			/* an amount with the fees */
	FX_LABEL_ORIGIN,		/* the sender's account */
	FX_LABEL_OTHER,			/* a value we do not use: a stop */
	FX_LABEL__MAX
};
/* the longest label starting at word j of line (words normalised by
 * bank_name_normalize); its word count, 0 when none */
size_t	 fx_label_at(const struct ocr_line *, size_t j, enum fx_label *);
/* fields_text.c: lowercase ASCII, Latin-1 accents folded, other bytes
 * kept; the edit distance of two strings (< FX_DIST_MAX bytes) */
#define FX_DIST_MAX	BANK_NAME_MAX
void	 fx_fold(const char *in, char *out, size_t n);
size_t	 fx_distance(const char *a, size_t la, const char *b, size_t lb);

/* the state of one extraction */
#define CAND_WORDS	48
#define OCCS_MAX	64
/* a label found: line, first word, words it takes */
struct fx_occ {
	size_t		 line, start, n;
	enum fx_label	 label;
};
/* a candidate value: its words (borrowed) and their text joined */
struct fx_cand {
	const struct ocr_word *w[CAND_WORDS];
	size_t		 n;
	char		 text[FX_TEXT_MAX];
};
struct fx_scan {
	const struct ocr_text	*text;		/* borrowed */
	const struct bank_catalog *cat;		/* borrowed; may be NULL */
	struct fx_occ		 occ[OCCS_MAX];
	size_t			 nocc;
	struct ocr_fields	*out;		/* what is being filled */
};

/* fields_layout.c: the labels found; each field's value by its labels */
void	 fx_find_labels(struct fx_scan *);
void	 fx_by_labels(struct fx_scan *);
/* the words beside label k; the words of line i under label k */
void	 fx_beside(const struct fx_scan *, size_t k, struct fx_cand *);
void	 fx_below(const struct fx_scan *, size_t k, size_t i,
	    struct fx_cand *);

/* fields_value.c */
void	 fx_cand_add(struct fx_cand *, const struct ocr_word *);
/* field f set from c's words (a copy of value, source IMAGE) */
void	 fx_set_value(struct ocr_fields *, enum ocr_field f,
	    const char *value, const struct fx_cand *c);
/* 1 when c parses as field f (then set, with its warnings), else 0 */
int	 fx_try_value(struct fx_scan *, enum ocr_field f,
	    const struct fx_cand *c);
/* 1 when f has a value (or, for cuenta, a masked one was read) */
int	 fx_have(const struct ocr_fields *, enum ocr_field f);

/* fields_elsewhere.c: what no label gave, from the whole text */
void	 fx_elsewhere(struct fx_scan *);

/* fields_warn.c: a warning added (one already there is not repeated) */
void	 fx_warn(struct ocr_fields *, enum ocr_field, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* fields_hints.c: the hints applied (see fields.h); the missing list
 * (receptor from a CLABE's prefix first) */
void	 fx_hints_apply(struct ocr_fields *, const struct ocr_hints *,
	    const struct bank_catalog *);
void	 fx_required(struct ocr_fields *, const struct bank_catalog *);

/* fields_date.c: 0 and out "YYYY-MM-DD", or -1; *ambiguous 1 when
 * day and month could be swapped, *fixed 1 when letters became digits */
int	 fx_date_parse(const char *text, char out[DATE_FMT_SIZE],
	    int *ambiguous, int *fixed);
/* fields_amount.c: 0 and out "1500.00", or -1 */
int	 fx_amount_parse(const char *text, char out[MONEY_FMT_SIZE],
	    int *ambiguous, int *fixed);
/* fields_bank.c: the participant named at the start of text: 0 and
 * *b, *fuzzy 1 when by edit distance; -1 none, -2 ambiguous */
int	 fx_bank_find(const struct bank_catalog *, const char *text,
	    const struct bank **b, int *fuzzy);
/* fields_account.c */
struct fx_account {
	char		 digits[CLABE_LEN + 1];	/* the account; "" masked */
	enum account_type type;
	int		 masked;
	char		 last[8];	/* masked: the visible last digits */
	char		 first[8];	/* masked: the first ones, or "" */
	int		 fixed;		/* letters became digits */
	int		 repaired;	/* one digit, by check digit */
	char		 read[CLABE_LEN + 1];	/* before the repair */
	int		 bad_check;	/* 18/16 digits failing their check */
};
/* receptor_prefix: the receiving bank's CLABE prefix or NULL */
int	 fx_account_parse(const char *text, const struct bank_catalog *,
	    const char *receptor_prefix, struct fx_account *);
/* a token of digits (and , . -) whose letters all look like digits
 * (O->0, l->1, S->5, B->8 ...), with at least one real digit, as
 * digits: 1 fixed, 0 as it was, -1 not a number */
int	 fx_digits_fix(const char *in, char *out, size_t n);
/* fields_clave.c: 0 and out, or -1 */
int	 fx_clave_parse(const char *text, char out[32], int *fixed);
int	 fx_referencia_parse(const char *text, char out[8], int *fixed);

#endif /* MXCEP_OCR_FIELDS_INT_H */

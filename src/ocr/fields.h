/*
 * mxcep: the fields of a SPEI receipt from its OCR'd words: labels as
 * the Mexican bank apps write them, values beside or below them, dates,
 * amounts, banks, accounts, claves de rastreo and referencias
 * normalised for Banxico, with the words each came from, the caller's
 * hints, and a warning for every correction or doubt. Pure: no OCR
 * library, no I/O. (src/ocr is a services layer: core and util only.)
 */
#ifndef MXCEP_OCR_FIELDS_H
#define MXCEP_OCR_FIELDS_H

#include <stddef.h>

#include "core/core.h"

/* ---- input: what the engine read ---------------------------------- */
struct ocr_box {
	int		 x, y;		/* top-left corner, pixels */
	int		 w, h;		/* size, pixels; all 0 = unknown */
};
struct ocr_word {
	const char	*text;		/* UTF-8, never NULL */
	double		 conf;		/* 0..1 */
	struct ocr_box	 box;
};
struct ocr_line {
	const struct ocr_word *words;	/* left to right */
	size_t		 nwords;
};
struct ocr_text {
	const struct ocr_line *lines;	/* top to bottom */
	size_t		 nlines;
};
/* what the caller already knows; each NULL when not given */
struct ocr_hints {
	const char	*cuenta;
	const char	*fecha;
	const char	*monto;
	const char	*emisor;	/* code or name */
	const char	*receptor;
	const char	*clave_rastreo;
	const char	*referencia;
};

/* ---- output --------------------------------------------------------- */
enum ocr_field {
	OCR_FIELD_FECHA = 0,		/* "YYYY-MM-DD" */
	OCR_FIELD_MONTO,		/* "1500.00" */
	OCR_FIELD_EMISOR,		/* participant code: the sender's bank */
	OCR_FIELD_RECEPTOR,		/* participant code: the receiving bank */
	OCR_FIELD_CUENTA,		/* 18-digit CLABE, 16-digit card, 10-digit phone */
	OCR_FIELD_CLAVE_RASTREO,	/* 1..30 letters and digits */
	OCR_FIELD_REFERENCIA,		/* 1..7 digits */
	OCR_FIELD__MAX
};
enum ocr_source {
	OCR_SOURCE_NONE = 0,		/* no value */
	OCR_SOURCE_IMAGE,		/* read from the receipt */
	OCR_SOURCE_HINT,		/* the caller's hint */
	OCR_SOURCE_DERIVED,		/* receptor from the CLABE's prefix */
	OCR_SOURCE__MAX
};
struct ocr_used_word {
	char		*text;		/* a copy of the word as read */
	double		 conf;
	struct ocr_box	 box;
};
struct ocr_value {
	char		*value;		/* normalised; NULL = none */
	enum ocr_source	 source;
	struct ocr_used_word *words;	/* the words read for it (also when
					   a hint overrode them); NULL, 0 */
	size_t		 nwords;
	double		 conf;		/* lowest word confidence; 1 for a hint */
};
#define OCR_WARN_DETAIL	200
struct ocr_warning {
	enum ocr_field	 field;
	const char	*code;		/* static, stable: OCR_W_* */
	char		 detail[OCR_WARN_DETAIL];	/* English, for people;
						   well-formed UTF-8 */
};
/* the warning codes */
#define OCR_W_CLAVE_CHAR_FIXED	"clave_rastreo_char_fixed"	/* O->0 ... by shape */
#define OCR_W_DIGIT_FIXED	"digit_char_fixed"	/* O->0, l->1 in a number */
#define OCR_W_CLABE_REPAIRED	"clabe_repaired"	/* one digit, by check digit */
#define OCR_W_CLABE_INVALID	"clabe_check_digit_failed"	/* not repaired */
#define OCR_W_CARD_INVALID	"card_check_digit_failed"
#define OCR_W_DATE_AMBIGUOUS	"date_ambiguous"	/* 03/06/2025: dd/mm taken */
#define OCR_W_AMOUNT_AMBIGUOUS	"amount_ambiguous"	/* 1.500 / 1,500 */
#define OCR_W_BANK_FUZZY	"bank_fuzzy_match"	/* by edit distance */
#define OCR_W_BANK_AMBIGUOUS	"bank_ambiguous"	/* several participants fit */
#define OCR_W_BANK_FROM_HEADER	"emisor_from_header"	/* the app's name on top */
#define OCR_W_BANK_FROM_ORIGIN	"emisor_from_origin_clabe"
#define OCR_W_RECEPTOR_CLABE	"receptor_disagrees_with_clabe"
#define OCR_W_HINT_DISAGREES	"hint_disagrees"	/* the hint was used */
#define OCR_W_HINT_INVALID	"hint_invalid"		/* the hint was ignored */
#define OCR_W_MASK_COMPLETED	"cuenta_completed_from_hint"
#define OCR_W_UNREADABLE	"value_unreadable"	/* a label without a value */
struct ocr_fields {
	struct ocr_value f[OCR_FIELD__MAX];
	int		 is_masked;	/* the receipt shows the account masked */
	char		 masked_last[8];	/* its visible last digits; "" */
	char		 masked_first[8];	/* its visible first digits
						   ("0121****7899"); "" */
	struct ocr_warning *warnings;
	size_t		 nwarnings;
	enum ocr_field	 missing[OCR_FIELD__MAX];	/* required, absent */
	size_t		 nmissing;
};

/* fields_warn.c: "fecha", "monto", "emisor", "receptor", "cuenta",
 * "clave_rastreo", "referencia" (the names of /v1/validate); "" out of
 * range */
const char	*ocr_field_name(enum ocr_field);
/* fields.c */
/*
 * The fields of the receipt in text, with hints (NULL = none) and the
 * bank catalog (NULL: no bank is recognised). A hint that differs from
 * what was read wins, with an OCR_W_HINT_DISAGREES warning (the caller
 * knows the transfer it expects; Banxico then checks that transfer),
 * except for a masked account: the cuenta hint completes it only when
 * it ends with the visible digits (and its CLABE's bank is the receiving
 * bank when one was read). Required (as /v1/validate): fecha, monto,
 * emisor, receptor (derived from a CLABE's prefix when not read),
 * cuenta, and clave_rastreo or referencia (missing as clave_rastreo).
 * Never NULL; the caller frees it with ocr_fields_free().
 */
struct ocr_fields *ocr_fields_extract(const struct ocr_text *text,
		    const struct ocr_hints *hints,
		    const struct bank_catalog *catalog);
void		 ocr_fields_free(struct ocr_fields *);	/* NULL is a no-op */
/* 1 when f is in the missing list */
int		 ocr_fields_is_missing(const struct ocr_fields *, enum ocr_field f);

/* fields_hints.c */
/*
 * Completes a masked account with full (a receiving account of the
 * business): 0 when full's digits end with masked_last, start with
 * masked_first (and, for a CLABE, its bank is the receiving bank read,
 * if any): cuenta is set,
 * source HINT, and it leaves the missing list; -1 otherwise, nothing
 * changed. Also -1 when the account is not masked.
 */
int		 ocr_fields_complete_cuenta(struct ocr_fields *,
		    const char *full, const struct bank_catalog *catalog);

#endif /* MXCEP_OCR_FIELDS_H */

/*
 * mxcep: unit tests for src/ocr/fields*.c: the fields of SPEI receipts
 * from OCR'd text, in six layouts modelled on BBVA, Santander, Banorte,
 * Banamex, Nu and Mercado Pago/STP (labels beside and above, columns,
 * values split over lines), each normalisation and OCR confusion,
 * masked accounts, missing fields, hints. The text of a receipt is
 * written as lines; a word's box comes from its column (10 px per
 * character, 30 px per line), so columns line up as on screen. The
 * bank catalog is sql/banks.tsv + sql/bank_aliases.tsv, loaded as the
 * store does. Files are read from $MXCEP_TOP_SRCDIR (default ".").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "ocr/fields.h"
#include "ocr/fields_int.h"
#include "util/util.h"

/* ---- the bank catalog -------------------------------------------- */
static char *
srcpath(const char *rel)
{
	const char	*top = getenv("MXCEP_TOP_SRCDIR");
	char		*p;
	size_t		 n;

	if (top == NULL)
		top = ".";
	n = strlen(top) + strlen(rel) + 2;
	p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", top, rel);
	return p;
}

static size_t
split(char *line, char **f, size_t max)
{
	size_t	 n = 0;
	char	*p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static void
load_tsv(const char *rel, size_t ncols,
    void (*cb)(struct bank_catalog *, char **), struct bank_catalog *c)
{
	char	*path = srcpath(rel), line[2048], *f[8];
	FILE	*fp;
	int	 header = 1;

	fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s (set MXCEP_TOP_SRCDIR)", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(split(line, f, 8), ncols);
		if (header) {
			header = 0;
			continue;
		}
		cb(c, f);
	}
	fclose(fp);
	free(path);
}

static void
bank_row(struct bank_catalog *c, char **f)
{
	struct bank	 b;

	memset(&b, 0, sizeof(b));
	snprintf(b.code, sizeof(b.code), "%s", f[0]);
	snprintf(b.clabe_prefix, sizeof(b.clabe_prefix), "%s", f[1]);
	b.short_name = f[2];
	b.cep_name = f[3];
	b.full_name = f[5];
	bank_catalog_add(c, &b);
	bank_catalog_add_alias(c, f[0], f[4], 2);
	bank_catalog_add_alias(c, f[0], f[5], 3);
}

static void
alias_row(struct bank_catalog *c, char **f)
{
	bank_catalog_add_alias(c, f[0], f[1], 2);
}

static struct bank_catalog *cat;

static int
setup(void **state)
{
	(void)state;
	cat = bank_catalog_new();
	load_tsv("sql/banks.tsv", 6, bank_row, cat);
	load_tsv("sql/bank_aliases.tsv", 3, alias_row, cat);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	bank_catalog_free(cat);
	return 0;
}

/* ---- receipts as text -------------------------------------------- */
#define LINES_MAX	40
#define WORDS_MAX	24
struct receipt {
	struct ocr_line	 lines[LINES_MAX];
	struct ocr_word	 words[LINES_MAX][WORDS_MAX];
	char		*texts[LINES_MAX * WORDS_MAX];
	size_t		 ntexts;
	struct ocr_text	 text;
};

/* the lines (NULL-terminated) as OCR words; conf 0.9, or 0.5 for a
 * word written with a leading '~' */
static struct receipt *
receipt_new(const char *const *lines)
{
	struct receipt	*r = calloc(1, sizeof(*r));
	const char	*p, *start;
	struct ocr_word	*w;
	size_t		 i, n;

	assert_non_null(r);
	for (i = 0; lines[i] != NULL; i++) {
		assert_true(i < LINES_MAX);
		r->lines[i].words = r->words[i];
		for (p = lines[i]; *p != '\0';) {
			if (*p == ' ') {
				p++;
				continue;
			}
			start = p;
			while (*p != '\0' && *p != ' ')
				p++;
			n = r->lines[i].nwords++;
			assert_true(n < WORDS_MAX);
			w = &r->words[i][n];
			w->conf = 0.9;
			if (*start == '~') {
				w->conf = 0.5;
				start++;
			}
			r->texts[r->ntexts] = strndup(start, (size_t)(p - start));
			w->text = r->texts[r->ntexts++];
			w->box.x = (int)(start - lines[i]) * 10;
			w->box.y = (int)i * 30;
			w->box.w = (int)(p - start) * 10;
			w->box.h = 20;
		}
	}
	r->text.lines = r->lines;
	r->text.nlines = i;
	return r;
}

static void
receipt_free(struct receipt *r)
{
	size_t	 i;

	for (i = 0; i < r->ntexts; i++)
		free(r->texts[i]);
	free(r);
}

static struct ocr_fields *
extract(const char *const *lines, const struct ocr_hints *h)
{
	struct receipt		*r = receipt_new(lines);
	struct ocr_fields	*f = ocr_fields_extract(&r->text, h, cat);

	receipt_free(r);	/* the result holds copies */
	return f;
}

static const char *
val(const struct ocr_fields *f, enum ocr_field k)
{
	return f->f[k].value != NULL ? f->f[k].value : "(null)";
}

/* the warning of field k with code, or NULL */
static const struct ocr_warning *
warning(const struct ocr_fields *f, enum ocr_field k, const char *code)
{
	size_t	 i;

	for (i = 0; i < f->nwarnings; i++)
		if (f->warnings[i].field == k &&
		    strcmp(f->warnings[i].code, code) == 0)
			return &f->warnings[i];
	return NULL;
}

static void
assert_fields(const struct ocr_fields *f, const char *fecha,
    const char *monto, const char *emisor, const char *receptor,
    const char *cuenta, const char *clave, const char *ref)
{
	assert_string_equal(val(f, OCR_FIELD_FECHA), fecha);
	assert_string_equal(val(f, OCR_FIELD_MONTO), monto);
	assert_string_equal(val(f, OCR_FIELD_EMISOR), emisor);
	assert_string_equal(val(f, OCR_FIELD_RECEPTOR), receptor);
	assert_string_equal(val(f, OCR_FIELD_CUENTA), cuenta);
	assert_string_equal(val(f, OCR_FIELD_CLAVE_RASTREO), clave);
	assert_string_equal(val(f, OCR_FIELD_REFERENCIA), ref);
}

/* ---- six layouts ------------------------------------------------- */
static void
test_ocr_fields__bbva_labels_beside__all_fields(void **state)
{
	static const char *const lines[] = {
		"BBVA",
		"Transferencia exitosa",
		"Importe              $1,500.00",
		"Fecha de operación   21 de julio de 2025",
		"Cuenta destino       014180009876543213",
		"Banco destino        SANTANDER",
		"Beneficiario         Juan Pérez López",
		"Clave de rastreo     MBAN01002507210012345678",
		"Referencia numérica  1234567",
		"Concepto             Renta julio",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);
	const struct ocr_value	*v;

	(void)state;
	assert_fields(f, "2025-07-21", "1500.00", "40012", "40014",
	    "014180009876543213", "MBAN01002507210012345678", "1234567");
	assert_int_equal(f->nmissing, 0);
	assert_int_equal(f->is_masked, 0);
	/* the sender's bank is the app's name on top */
	assert_non_null(warning(f, OCR_FIELD_EMISOR, OCR_W_BANK_FROM_HEADER));
	/* the words a value came from, with their boxes */
	v = &f->f[OCR_FIELD_FECHA];
	assert_int_equal(v->source, OCR_SOURCE_IMAGE);
	assert_int_equal(v->nwords, 5);
	assert_string_equal(v->words[0].text, "21");
	assert_int_equal(v->words[0].box.x, 220);	/* bytes: ó is 2 */
	assert_int_equal(v->words[0].box.y, 90);
	assert_true(v->conf > 0.89 && v->conf < 0.91);
	v = &f->f[OCR_FIELD_MONTO];
	assert_int_equal(v->nwords, 1);
	assert_string_equal(v->words[0].text, "$1,500.00");
	ocr_fields_free(f);
}

static void
test_ocr_fields__bbva_app_labels_above__origin_and_masked_destination(void **state)
{
	static const char *const lines[] = {
		"BBVA",
		"\xc2\xa1Transferencia exitosa!",
		"$1,500.00",
		"Fecha y hora de operación",
		"21 julio 2025, 13:45 h",
		"Cuenta de retiro",
		"Cuenta *4821",
		"A la cuenta",
		"SANTANDER *3213",
		"Clave de rastreo",
		"MBAN01002507210012345678",
		"Número de referencia",
		"1234567",
		NULL
	};
	struct ocr_hints	 h = { .cuenta = "014180009876543213" };
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_fields(f, "2025-07-21", "1500.00", "40012", "40014",
	    "(null)", "MBAN01002507210012345678", "1234567");
	/* the destination, not the origin's *4821 */
	assert_int_equal(f->is_masked, 1);
	assert_string_equal(f->masked_last, "3213");
	assert_int_equal(f->nmissing, 1);
	ocr_fields_free(f);
	f = extract(lines, &h);
	assert_string_equal(val(f, OCR_FIELD_CUENTA), "014180009876543213");
	assert_int_equal(f->nmissing, 0);
	ocr_fields_free(f);
}

static void
test_ocr_fields__santander_labels_above__all_fields(void **state)
{
	static const char *const lines[] = {
		"Santander",
		"Comprobante de transferencia SPEI",
		"Fecha de aplicación",
		"12 may 2025",
		"Monto",
		"$ 2,350.50 MXN",
		"Banco emisor",
		"Banco Santander",
		"Banco receptor",
		"BANORTE",
		"Cuenta CLABE",
		"072180005554443338",
		"Clave de rastreo",
		"SANTA2025051200123456",
		"Referencia",
		"0512250",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_fields(f, "2025-05-12", "2350.50", "40014", "40072",
	    "072180005554443338", "SANTA2025051200123456", "0512250");
	assert_int_equal(f->nmissing, 0);
	/* read from its label, not guessed from the header */
	assert_null(warning(f, OCR_FIELD_EMISOR, OCR_W_BANK_FROM_HEADER));
	assert_int_equal(f->nwarnings, 0);
	ocr_fields_free(f);
}

static void
test_ocr_fields__banorte_degraded__confusions_fixed_and_warned(void **state)
{
	static const char *const lines[] = {
		"BANORTE",
		"Operación exitosa",
		"Fecha: 08-AGO-2025   Hora: 14:32:10",
		"Importe: $12,0OO.00",
		"Cuenta destino: 638180002468135797",
		"Institución receptora: NU MEXICO",
		"Clave de rastreo: BNET0100250808OO12345",
		"Referencia: 8O825O",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_fields(f, "2025-08-08", "12000.00", "40072", "90638",
	    "638180002468135797", "BNET01002508080012345", "808250");
	assert_non_null(warning(f, OCR_FIELD_CLAVE_RASTREO,
	    OCR_W_CLAVE_CHAR_FIXED));
	assert_non_null(warning(f, OCR_FIELD_MONTO, OCR_W_DIGIT_FIXED));
	assert_non_null(warning(f, OCR_FIELD_REFERENCIA, OCR_W_DIGIT_FIXED));
	assert_int_equal(f->nmissing, 0);
	ocr_fields_free(f);
}

static void
test_ocr_fields__banamex_alias_and_fuzzy_bank__resolved(void **state)
{
	static const char *const lines[] = {
		"citibanamex",
		"Comprobante de operación",
		"Banco origen: Citibanamex",
		"Banco destino: SANTANDFR",
		"Cuenta: 014180009876543213",
		"Fecha y hora: 3 de junio de 2025, 10:15",
		"Cantidad: $ 980.00",
		"Clave de rastreo: 085902741230603",
		"Referencia: 30625",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);
	const struct ocr_warning *w;

	(void)state;
	assert_fields(f, "2025-06-03", "980.00", "40002", "40014",
	    "014180009876543213", "085902741230603", "30625");
	w = warning(f, OCR_FIELD_RECEPTOR, OCR_W_BANK_FUZZY);
	assert_non_null(w);
	assert_non_null(strstr(w->detail, "SANTANDFR"));
	assert_null(warning(f, OCR_FIELD_EMISOR, OCR_W_BANK_FUZZY));
	assert_int_equal(f->nmissing, 0);
	ocr_fields_free(f);
}

static const char *const nu_lines[] = {
	"nu",
	"Enviaste $450.00",
	"Fecha",
	"21/07/2025 18:03",
	"Para",
	"Ana García",
	"Banco",
	"BBVA MEXICO",
	"Cuenta",
	"\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 7899",
	"Clave de rastreo",
	"NU2507210001234567",
	"Referencia",
	"210725",
	NULL
};

static void
test_ocr_fields__nu_masked_account__missing_without_hint(void **state)
{
	struct ocr_fields	*f = extract(nu_lines, NULL);

	(void)state;
	assert_fields(f, "2025-07-21", "450.00", "90638", "40012",
	    "(null)", "NU2507210001234567", "210725");
	assert_int_equal(f->is_masked, 1);
	assert_string_equal(f->masked_last, "7899");
	assert_int_equal(f->nmissing, 1);
	assert_int_equal(f->missing[0], OCR_FIELD_CUENTA);
	assert_true(ocr_fields_is_missing(f, OCR_FIELD_CUENTA));
	/* the masked words are kept as the source */
	assert_int_equal(f->f[OCR_FIELD_CUENTA].nwords, 2);
	/* 21/07: no other reading */
	assert_null(warning(f, OCR_FIELD_FECHA, OCR_W_DATE_AMBIGUOUS));
	ocr_fields_free(f);
}

static void
test_ocr_fields__nu_masked_account__completed_by_agreeing_hint(void **state)
{
	struct ocr_hints	 h = { .cuenta = "012180001234567899" };
	struct ocr_fields	*f = extract(nu_lines, &h);

	(void)state;
	assert_string_equal(val(f, OCR_FIELD_CUENTA), "012180001234567899");
	assert_int_equal(f->f[OCR_FIELD_CUENTA].source, OCR_SOURCE_HINT);
	assert_int_equal(f->is_masked, 1);
	assert_int_equal(f->nmissing, 0);
	assert_non_null(warning(f, OCR_FIELD_CUENTA, OCR_W_MASK_COMPLETED));
	ocr_fields_free(f);
}

static void
test_ocr_fields__nu_masked_account__disagreeing_hint_refused(void **state)
{
	/* other last digits; then the right digits but a Banorte CLABE
	 * while the receipt names BBVA */
	struct ocr_hints	 h = { .cuenta = "014180009876543213" };
	struct ocr_hints	 h2 = { .cuenta = "072180000000017899" };
	struct ocr_fields	*f;

	(void)state;
	f = extract(nu_lines, &h);
	assert_null(f->f[OCR_FIELD_CUENTA].value);
	assert_true(ocr_fields_is_missing(f, OCR_FIELD_CUENTA));
	assert_non_null(warning(f, OCR_FIELD_CUENTA, OCR_W_HINT_DISAGREES));
	ocr_fields_free(f);
	f = extract(nu_lines, &h2);
	assert_null(f->f[OCR_FIELD_CUENTA].value);
	assert_true(ocr_fields_is_missing(f, OCR_FIELD_CUENTA));
	assert_non_null(warning(f, OCR_FIELD_CUENTA, OCR_W_HINT_DISAGREES));
	ocr_fields_free(f);
}

static void
test_ocr_fields__masked_with_bank_digits__hint_must_start_with_them(void **state)
{
	static const char *const lines[] = {
		"Cuenta destino: 0121********7899",
		NULL
	};
	struct ocr_hints	 other = { .cuenta = "072180000000017899" };
	struct ocr_hints	 same = { .cuenta = "012180001234567899" };
	struct ocr_fields	*f;

	(void)state;
	f = extract(lines, &other);
	assert_int_equal(f->is_masked, 1);
	assert_string_equal(f->masked_first, "0121");
	assert_string_equal(f->masked_last, "7899");
	assert_null(f->f[OCR_FIELD_CUENTA].value);
	assert_non_null(warning(f, OCR_FIELD_CUENTA, OCR_W_HINT_DISAGREES));
	ocr_fields_free(f);
	f = extract(lines, &same);
	assert_string_equal(val(f, OCR_FIELD_CUENTA), "012180001234567899");
	ocr_fields_free(f);
}

static void
test_ocr_fields__complete_cuenta__receiving_account_by_last_digits(void **state)
{
	struct ocr_fields	*f = extract(nu_lines, NULL);

	(void)state;
	/* ends differently, not an account, then the right one */
	assert_int_equal(ocr_fields_complete_cuenta(f, "014180009876543213",
	    cat), -1);
	assert_int_equal(ocr_fields_complete_cuenta(f, "12347899", cat), -1);
	assert_int_equal(ocr_fields_complete_cuenta(f, "012180001234567899",
	    cat), 0);
	assert_string_equal(val(f, OCR_FIELD_CUENTA), "012180001234567899");
	assert_int_equal(f->nmissing, 0);
	/* once complete, nothing more */
	assert_int_equal(ocr_fields_complete_cuenta(f, "012180001234567899",
	    cat), -1);
	ocr_fields_free(f);
}

static void
test_ocr_fields__mercadopago_columns_and_split_clave__read(void **state)
{
	static const char *const lines[] = {
		"Mercado Pago",
		"Comprobante de transferencia",
		"Monto                 Fecha",
		"$ 3,200.00            5 ago 2025",
		"Banco destino         Cuenta CLABE",
		"STP                   646180001122334458",
		"Clave de rastreo",
		"MBAN0100250805",
		"0012345678",
		"Referencia",
		"5082025",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_fields(f, "2025-08-05", "3200.00", "90722", "90646",
	    "646180001122334458", "MBAN01002508050012345678", "5082025");
	assert_int_equal(f->f[OCR_FIELD_CLAVE_RASTREO].nwords, 2);
	assert_int_equal(f->f[OCR_FIELD_MONTO].nwords, 2);
	assert_int_equal(f->nmissing, 0);
	ocr_fields_free(f);
}

static void
test_ocr_fields__stp_labels_beside_card_and_split_date__read(void **state)
{
	static const char *const lines[] = {
		"STP",
		"Comprobante Electrónico de Pago",
		"Institución emisora: STP",
		"Institución beneficiaria: BANAMEX",
		"Tarjeta destino: 4152 3131 2345 6787",
		"Monto: 1.500,00 MXN",
		"Fecha: 21 de julio",
		"de 2025",
		"Clave rastreo: CUENCA1555O9385O",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_fields(f, "2025-07-21", "1500.00", "90646", "40002",
	    "4152313123456787", "CUENCA1555093850", "(null)");
	assert_int_equal(f->nmissing, 0);
	assert_non_null(warning(f, OCR_FIELD_CLAVE_RASTREO,
	    OCR_W_CLAVE_CHAR_FIXED));
	assert_null(warning(f, OCR_FIELD_MONTO, OCR_W_AMOUNT_AMBIGUOUS));
	ocr_fields_free(f);
}

/* ---- each normalisation ------------------------------------------ */
static void
assert_date(const char *text, const char *want, int ambiguous)
{
	char	 out[DATE_FMT_SIZE];
	int	 a, fixed, r;

	r = fx_date_parse(text, out, &a, &fixed);
	if (want == NULL) {
		if (r != -1)
			fail_msg("'%s' read as %s", text, out);
		return;
	}
	if (r != 0 || strcmp(out, want) != 0 || a != ambiguous)
		fail_msg("'%s': %d %s ambiguous %d", text, r, r == 0 ? out :
		    "", a);
}

static void
test_ocr_fields__dates__spanish_forms_normalised(void **state)
{
	(void)state;
	assert_date("21 de julio de 2025", "2025-07-21", 0);
	assert_date("21 DE JULIO DE 2025", "2025-07-21", 0);
	assert_date("lunes, 1 de septiembre del 2025", "2025-09-01", 0);
	assert_date("12 may 2025", "2025-05-12", 0);
	assert_date("12 may. 2025 10:15 h", "2025-05-12", 0);
	assert_date("08-AGO-2025", "2025-08-08", 0);
	assert_date("08/Ago/25", "2025-08-08", 0);
	assert_date("03/06/2025", "2025-06-03", 1);
	assert_date("3/6/2025", "2025-06-03", 1);
	assert_date("21/07/2025 18:03:11", "2025-07-21", 0);
	assert_date("05/05/2025", "2025-05-05", 0);
	assert_date("2025-07-21", "2025-07-21", 0);
	assert_date("2025-07-21T10:00:00", "2025-07-21", 0);
	assert_date("julio 21, 2025", "2025-07-21", 0);
	assert_date("2l/O7/2025", "2025-07-21", 0);	/* l and O */
	assert_date("dic 31 2024", "2024-12-31", 0);
	assert_date("31 feb 2025", NULL, 0);
	assert_date("13/13/2025", NULL, 0);
	assert_date("14:32:10", NULL, 0);
	assert_date("Renta julio", NULL, 0);
}

static void
test_ocr_fields__ambiguous_date__warned_day_first(void **state)
{
	static const char *const lines[] = {
		"Fecha de operación: 03/06/2025",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);
	const struct ocr_warning *w;

	(void)state;
	assert_string_equal(val(f, OCR_FIELD_FECHA), "2025-06-03");
	w = warning(f, OCR_FIELD_FECHA, OCR_W_DATE_AMBIGUOUS);
	assert_non_null(w);
	assert_non_null(strstr(w->detail, "03/06/2025"));
	ocr_fields_free(f);
}

static void
assert_amount(const char *text, const char *want, int ambiguous)
{
	char	 out[MONEY_FMT_SIZE];
	int	 a, fixed, r;

	r = fx_amount_parse(text, out, &a, &fixed);
	if (want == NULL) {
		if (r != -1)
			fail_msg("'%s' read as %s", text, out);
		return;
	}
	if (r != 0 || strcmp(out, want) != 0 || a != ambiguous)
		fail_msg("'%s': %d %s ambiguous %d", text, r, r == 0 ? out :
		    "", a);
}

static void
test_ocr_fields__amounts__separators_and_currency(void **state)
{
	(void)state;
	assert_amount("$1,500.00", "1500.00", 0);
	assert_amount("$ 1,500.00 MXN", "1500.00", 0);
	assert_amount("1.500,00", "1500.00", 0);
	assert_amount("$1,234,567.89", "1234567.89", 0);
	assert_amount("1.234.567,89 MXN", "1234567.89", 0);
	assert_amount("$ 1 500.00", "1500.00", 0);
	assert_amount("MXN 980", "980.00", 0);
	assert_amount("$980.5", "980.50", 0);
	assert_amount("450,50", "450.50", 0);
	assert_amount("$1,500", "1500.00", 1);
	assert_amount("$1.500", "1500.00", 1);
	assert_amount("-$2,000.00", "2000.00", 0);
	assert_amount("$l,5OO.OO", "1500.00", 0);
	assert_amount("1.500.00", NULL, 0);
	assert_amount("$0.00", NULL, 0);
	assert_amount("MXN", NULL, 0);
	assert_amount("12.3456", NULL, 0);
}

static void
test_ocr_fields__ambiguous_amount__warned(void **state)
{
	static const char *const lines[] = { "Importe: $1.500", NULL };
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_string_equal(val(f, OCR_FIELD_MONTO), "1500.00");
	assert_non_null(warning(f, OCR_FIELD_MONTO, OCR_W_AMOUNT_AMBIGUOUS));
	ocr_fields_free(f);
}

static void
assert_bank(const char *text, const char *code, int fuzzy)
{
	const struct bank	*b = NULL;
	int			 fz;

	if (code == NULL) {
		assert_true(fx_bank_find(cat, text, &b, &fz) < 0);
		return;
	}
	assert_int_equal(fx_bank_find(cat, text, &b, &fz), 0);
	assert_string_equal(b->code, code);
	assert_int_equal(fz, fuzzy);
}

static void
test_ocr_fields__banks__names_aliases_fuzzy(void **state)
{
	(void)state;
	assert_bank("BBVA MÉXICO, S.A.", "40012", 0);
	assert_bank("BBVA", "40012", 0);
	assert_bank("Bancomer", "40012", 0);
	assert_bank("Banco Santander", "40014", 0);
	assert_bank("Banco Mercantil del Norte", "40072", 0);
	assert_bank("Nu México", "90638", 0);
	assert_bank("Mercado Pago", "90722", 0);
	assert_bank("BanBajío", "40030", 0);
	assert_bank("SANTANDFR", "40014", 1);
	assert_bank("BANORTF", "40072", 1);
	assert_bank("Scotiabamk", "40044", 1);
	assert_bank("Juan Pérez", NULL, 0);
	assert_bank("", NULL, 0);
}

static void
assert_clave(const char *text, const char *want, int fixed)
{
	char	 out[32];
	int	 f;

	assert_int_equal(fx_clave_parse(text, out, &f), 0);
	assert_string_equal(out, want);
	assert_int_equal(f, fixed);
}

static void
test_ocr_fields__claves__confusions_resolved_by_shape(void **state)
{
	char	 out[32];
	int	 f;

	(void)state;
	/* real shapes (shared/data/cep/samples) as read */
	assert_clave("MBAN01001908300003463991", "MBAN01001908300003463991", 0);
	assert_clave("MIFELSPEI20241108102121081",
	    "MIFELSPEI20241108102121081", 0);
	assert_clave("RASPEIOAT202411081015742432",
	    "RASPEIOAT202411081015742432", 0);
	assert_clave("BiB2024110810162418193", "BiB2024110810162418193", 0);
	assert_clave("6022135", "6022135", 0);
	/* digits read as letters in the tail, letters as digits in front */
	assert_clave("MBANO1OO19O83OOOO3463991", "MBAN01001908300003463991", 1);
	assert_clave("M8AN01001908300003463991", "MBAN01001908300003463991", 1);
	assert_clave("MIFELSPElZO24ll08lO2l2lO8l",
	    "MIFELSPEI20241108102121081", 1);
	assert_clave("RA5PEI0AT2O24lIO81O15742432",
	    "RASPEIOAT202411081015742432", 1);
	assert_clave("8XM4924110819I9171201", "BXM492411081919171201", 1);
	assert_clave("6O22I35", "6022135", 1);
	assert_clave("CUENCA1555O9385O", "CUENCA1555093850", 1);
	assert_clave("BXM4924 11081919171201", "BXM492411081919171201", 0);
	assert_clave("CUENCA1555093850.", "CUENCA1555093850", 0);
	assert_clave("MBAN0100250721 0012345678", "MBAN01002507210012345678",
	    0);
	assert_clave("MBAN01002507210012345678 Copiar",
	    "MBAN01002507210012345678", 0);
	/* not a clave */
	assert_int_equal(fx_clave_parse("Pago de renta!", out, &f), -1);
	assert_int_equal(fx_clave_parse(
	    "ABCDEFGHIJ0123456789ABCDEFGHIJ0", out, &f), -1);
}

static void
test_ocr_fields__referencia__digits_only(void **state)
{
	char	 out[8];
	int	 f;

	(void)state;
	assert_int_equal(fx_referencia_parse("1234567", out, &f), 0);
	assert_string_equal(out, "1234567");
	assert_int_equal(f, 0);
	assert_int_equal(fx_referencia_parse("12O4S67", out, &f), 0);
	assert_string_equal(out, "1204567");
	assert_int_equal(f, 1);
	assert_int_equal(fx_referencia_parse("12345678", out, &f), -1);
	assert_int_equal(fx_referencia_parse("0001234567", out, &f), 0);
	assert_string_equal(out, "1234567");
	assert_int_equal(fx_referencia_parse("Pago renta", out, &f), -1);
}

static void
test_ocr_fields__referencia_as_concept__numeric_one_used(void **state)
{
	static const char *const lines[] = {
		"Referencia: Pago renta",
		"Referencia numérica: 210725",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_string_equal(val(f, OCR_FIELD_REFERENCIA), "210725");
	ocr_fields_free(f);
}

static void
test_ocr_fields__masked_variants__last_digits_kept(void **state)
{
	static const char *const forms[][2] = {
		{ "****1234", "1234" },
		{ "**** 1234", "1234" },
		{ "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 1234",
		    "1234" },
		{ "*1234", "1234" },
		{ "XXXX1234", "1234" },
		{ "xxxxxxxxxxxxxx5678", "5678" },
		{ "terminación 1234", "1234" },
		{ "Cuenta con terminación 991", "991" },
		{ "0121********7899", "7899" },
		{ "\xe2\x97\x8f\xe2\x97\x8f\xe2\x97\x8f 4321", "4321" },
	};
	struct fx_account	 a;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		assert_int_equal(fx_account_parse(forms[i][0], cat, NULL, &a),
		    0);
		assert_int_equal(a.masked, 1);
		assert_string_equal(a.last, forms[i][1]);
	}
	assert_int_equal(fx_account_parse("****", cat, NULL, &a), -1);
}

static void
test_ocr_fields__accounts__clabe_card_phone(void **state)
{
	struct fx_account	 a;

	(void)state;
	assert_int_equal(fx_account_parse("0121 8000 1234 5678 99", cat, NULL,
	    &a), 0);
	assert_string_equal(a.digits, "012180001234567899");
	assert_int_equal(a.type, ACCOUNT_TYPE_CLABE);
	assert_int_equal(a.masked, 0);
	assert_int_equal(fx_account_parse("O1218OOO1234S67899", cat, NULL, &a),
	    0);
	assert_string_equal(a.digits, "012180001234567899");
	assert_int_equal(a.fixed, 1);
	assert_int_equal(fx_account_parse("4152313123456787", cat, NULL, &a),
	    0);
	assert_int_equal(a.type, ACCOUNT_TYPE_CARD);
	assert_int_equal(fx_account_parse("4152313123456788", cat, NULL, &a),
	    -1);
	assert_int_equal(a.bad_check, 1);
	assert_int_equal(fx_account_parse("55 1234 5678", cat, NULL, &a), 0);
	assert_int_equal(a.type, ACCOUNT_TYPE_PHONE);
	assert_string_equal(a.digits, "5512345678");
	assert_int_equal(fx_account_parse("12345", cat, NULL, &a), -1);
}

static void
test_ocr_fields__clabe_one_digit_wrong__repaired_when_unique(void **state)
{
	/* read 014180752817034239: only 014180752917034239 (the 9 read as
	 * 8) is a valid Santander CLABE one usual confusion away */
	static const char *const lines[] = {
		"Banco destino: Santander",
		"CLABE: 014180752817034239",
		NULL
	};
	/* read 014180009886543213: three repairs fit: none is made */
	static const char *const ambiguous[] = {
		"Banco destino: Santander",
		"CLABE: 014180009886543213",
		NULL
	};
	struct ocr_fields	*f;
	const struct ocr_warning *w;

	(void)state;
	f = extract(lines, NULL);
	assert_string_equal(val(f, OCR_FIELD_CUENTA), "014180752917034239");
	w = warning(f, OCR_FIELD_CUENTA, OCR_W_CLABE_REPAIRED);
	assert_non_null(w);
	assert_non_null(strstr(w->detail, "014180752817034239"));
	ocr_fields_free(f);
	f = extract(ambiguous, NULL);
	assert_null(f->f[OCR_FIELD_CUENTA].value);
	assert_true(ocr_fields_is_missing(f, OCR_FIELD_CUENTA));
	assert_non_null(warning(f, OCR_FIELD_CUENTA, OCR_W_CLABE_INVALID));
	assert_null(warning(f, OCR_FIELD_CUENTA, OCR_W_CLABE_REPAIRED));
	ocr_fields_free(f);
}

/* ---- missing fields and hints ------------------------------------- */
static void
test_ocr_fields__nothing_read__all_required_missing(void **state)
{
	static const char *const lines[] = { "Gracias por tu pago", NULL };
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_int_equal(f->nmissing, 6);
	assert_int_equal(f->missing[0], OCR_FIELD_FECHA);
	assert_int_equal(f->missing[1], OCR_FIELD_MONTO);
	assert_int_equal(f->missing[2], OCR_FIELD_EMISOR);
	assert_int_equal(f->missing[3], OCR_FIELD_RECEPTOR);
	assert_int_equal(f->missing[4], OCR_FIELD_CUENTA);
	assert_int_equal(f->missing[5], OCR_FIELD_CLAVE_RASTREO);
	ocr_fields_free(f);
	f = ocr_fields_extract(NULL, NULL, NULL);
	assert_int_equal(f->nmissing, 6);
	ocr_fields_free(f);
	ocr_fields_free(NULL);
}

static void
test_ocr_fields__receptor_from_clabe_and_referencia_only__complete(void **state)
{
	static const char *const lines[] = {
		"Banco emisor: BBVA",
		"Fecha: 2025-07-21",
		"Monto: $100.00",
		"CLABE: 072180005554443338",
		"Referencia: 7",
		"Clave de rastreo: ???",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_string_equal(val(f, OCR_FIELD_RECEPTOR), "40072");
	assert_int_equal(f->f[OCR_FIELD_RECEPTOR].source, OCR_SOURCE_DERIVED);
	assert_null(f->f[OCR_FIELD_CLAVE_RASTREO].value);
	assert_non_null(warning(f, OCR_FIELD_CLAVE_RASTREO, OCR_W_UNREADABLE));
	assert_int_equal(f->nmissing, 0);
	ocr_fields_free(f);
}

static void
test_ocr_fields__no_labels__clabe_date_amount_found_phone_not(void **state)
{
	static const char *const lines[] = {
		"Transferiste",
		"$ 780.00",
		"a Laura Méndez",
		"0121 8000 1234 5678 99",
		"el 14 de agosto de 2025",
		"Dudas: 55 1234 5678",
		NULL
	};
	static const char *const phone_only[] = {
		"Transferiste $ 780.00",
		"Dudas: 55 1234 5678",
		NULL
	};
	struct ocr_fields	*f;

	(void)state;
	f = extract(lines, NULL);
	assert_string_equal(val(f, OCR_FIELD_MONTO), "780.00");
	assert_string_equal(val(f, OCR_FIELD_CUENTA), "012180001234567899");
	assert_string_equal(val(f, OCR_FIELD_RECEPTOR), "40012");
	assert_string_equal(val(f, OCR_FIELD_FECHA), "2025-08-14");
	assert_int_equal(f->f[OCR_FIELD_CUENTA].nwords, 5);
	ocr_fields_free(f);
	f = extract(phone_only, NULL);
	assert_null(f->f[OCR_FIELD_CUENTA].value);
	assert_true(ocr_fields_is_missing(f, OCR_FIELD_CUENTA));
	ocr_fields_free(f);
}

static void
test_ocr_fields__colon_as_own_word__skipped(void **state)
{
	static const char *const lines[] = {
		"Clave de rastreo : MBAN01002507210012345678 Copiar",
		"Referencia numérica : 1234567",
		"Importe : $ 1,500.00",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_string_equal(val(f, OCR_FIELD_CLAVE_RASTREO),
	    "MBAN01002507210012345678");
	assert_string_equal(val(f, OCR_FIELD_REFERENCIA), "1234567");
	assert_string_equal(val(f, OCR_FIELD_MONTO), "1500.00");
	ocr_fields_free(f);
}

static void
test_ocr_fields__labels_with_ocr_slips__still_labels(void **state)
{
	static const char *const lines[] = {
		"lmporte: $2,000.00",
		"Clave de Rastre0: MBAN01002507210012345678",
		"Referenc1a: 2107",
		"Beneficiario: Ana Monte",
		NULL
	};
	struct ocr_fields	*f = extract(lines, NULL);

	(void)state;
	assert_string_equal(val(f, OCR_FIELD_MONTO), "2000.00");
	assert_string_equal(val(f, OCR_FIELD_CLAVE_RASTREO),
	    "MBAN01002507210012345678");
	assert_string_equal(val(f, OCR_FIELD_REFERENCIA), "2107");
	ocr_fields_free(f);
}

static void
test_ocr_fields__clabe_split_over_two_lines__joined(void **state)
{
	static const char *const beside[] = {
		"CLABE: 0121 8000 1234",
		"5678 99",
		"Referencia: 7",
		NULL
	};
	static const char *const above[] = {
		"Cuenta destino",
		"012180001234",
		"567899",
		"Referencia",
		"7",
		NULL
	};
	struct ocr_fields	*f;

	(void)state;
	f = extract(beside, NULL);
	assert_string_equal(val(f, OCR_FIELD_CUENTA), "012180001234567899");
	assert_int_equal(f->f[OCR_FIELD_CUENTA].nwords, 5);
	assert_string_equal(val(f, OCR_FIELD_REFERENCIA), "7");
	ocr_fields_free(f);
	f = extract(above, NULL);
	assert_string_equal(val(f, OCR_FIELD_CUENTA), "012180001234567899");
	assert_string_equal(val(f, OCR_FIELD_REFERENCIA), "7");
	ocr_fields_free(f);
}

static void
test_ocr_fields__warning_detail__valid_utf8_when_cut(void **state)
{
	struct ocr_fields	*f = calloc(1, sizeof(*f));
	char			 long_text[400];
	const unsigned char	*d;
	size_t			 i, k, n;

	(void)state;
	assert_non_null(f);
	/* 2-byte characters cut anywhere, and a stray byte */
	for (i = 0; i + 2 < sizeof(long_text); i += 2)
		memcpy(long_text + i, "\xc3\xb3", 2);
	long_text[i] = '\0';
	fx_warn(f, OCR_FIELD_FECHA, OCR_W_DATE_AMBIGUOUS, "x%s", long_text);
	fx_warn(f, OCR_FIELD_FECHA, OCR_W_DATE_AMBIGUOUS, "stray \xff");
	fx_warn(f, OCR_FIELD_FECHA, OCR_W_DATE_AMBIGUOUS, "stray \xff");
	assert_int_equal(f->nwarnings, 2);	/* the same one once */
	for (i = 0; i < f->nwarnings; i++) {
		n = strlen(f->warnings[i].detail);
		assert_true(n < OCR_WARN_DETAIL);
		d = (const unsigned char *)f->warnings[i].detail;
		for (k = 0; k < n; k += utf8_char_len(d + k, n - k))
			assert_int_not_equal(utf8_char_len(d + k, n - k), 0);
	}
	n = strlen(f->warnings[0].detail);
	assert_int_equal(n % 2, 1);		/* "x" + whole characters */
	assert_string_equal(f->warnings[1].detail, "stray \xef\xbf\xbd");
	ocr_fields_free(f);
}

static void
test_ocr_fields__total_with_fees__amount_label_preferred(void **state)
{
	static const char *const lines[] = {
		"Total: $1,505.80",
		"Importe: $1,500.00",
		"Comisión: $5.00   IVA: $0.80",
		NULL
	};
	static const char *const total_only[] = {
		"Total: $1,505.80",
		NULL
	};
	struct ocr_fields	*f;

	(void)state;
	f = extract(lines, NULL);
	assert_string_equal(val(f, OCR_FIELD_MONTO), "1500.00");
	ocr_fields_free(f);
	f = extract(total_only, NULL);
	assert_string_equal(val(f, OCR_FIELD_MONTO), "1505.80");
	ocr_fields_free(f);
}

static void
test_ocr_fields__missing_fields__filled_by_hints(void **state)
{
	static const char *const lines[] = {
		"Transferencia enviada",
		"Clave de rastreo: MBAN01002507210012345678",
		NULL
	};
	struct ocr_hints	 h = { .cuenta = "014180009876543213",
	    .fecha = "2025-07-21", .monto = "1500", .emisor = "BBVA",
	    .receptor = NULL };
	struct ocr_fields	*f = extract(lines, &h);

	(void)state;
	assert_fields(f, "2025-07-21", "1500.00", "40012", "40014",
	    "014180009876543213", "MBAN01002507210012345678", "(null)");
	assert_int_equal(f->f[OCR_FIELD_MONTO].source, OCR_SOURCE_HINT);
	assert_int_equal(f->f[OCR_FIELD_CLAVE_RASTREO].source,
	    OCR_SOURCE_IMAGE);
	assert_int_equal(f->nmissing, 0);
	assert_null(warning(f, OCR_FIELD_MONTO, OCR_W_HINT_DISAGREES));
	ocr_fields_free(f);
}

static void
test_ocr_fields__hints__agree_silently_disagree_warned(void **state)
{
	static const char *const lines[] = {
		"Importe              $1,500.00",
		"Fecha de operación   21 de julio de 2025",
		"Clave de rastreo     MBAN01002507210012345678",
		NULL
	};
	struct ocr_hints	 agree = { .monto = "1500.00",
	    .fecha = "2025-07-21",
	    .clave_rastreo = "MBAN01002507210012345678" };
	struct ocr_hints	 differ = { .monto = "1600.00",
	    .fecha = "21/07/2025", .emisor = "no such bank" };
	struct ocr_fields	*f;
	const struct ocr_warning *w;

	(void)state;
	f = extract(lines, &agree);
	assert_int_equal(f->nwarnings, 0);
	assert_int_equal(f->f[OCR_FIELD_MONTO].source, OCR_SOURCE_IMAGE);
	ocr_fields_free(f);
	f = extract(lines, &differ);
	/* the hint wins, the image's reading is in the warning */
	assert_string_equal(val(f, OCR_FIELD_MONTO), "1600.00");
	assert_int_equal(f->f[OCR_FIELD_MONTO].source, OCR_SOURCE_HINT);
	assert_int_equal(f->f[OCR_FIELD_MONTO].nwords, 1);
	w = warning(f, OCR_FIELD_MONTO, OCR_W_HINT_DISAGREES);
	assert_non_null(w);
	assert_non_null(strstr(w->detail, "1500.00"));
	/* the same date in another form agrees */
	assert_null(warning(f, OCR_FIELD_FECHA, OCR_W_HINT_DISAGREES));
	assert_non_null(warning(f, OCR_FIELD_EMISOR, OCR_W_HINT_INVALID));
	assert_null(f->f[OCR_FIELD_EMISOR].value);
	ocr_fields_free(f);
}

static void
test_ocr_fields__field_names__api_names(void **state)
{
	(void)state;
	assert_string_equal(ocr_field_name(OCR_FIELD_FECHA), "fecha");
	assert_string_equal(ocr_field_name(OCR_FIELD_CLAVE_RASTREO),
	    "clave_rastreo");
	assert_string_equal(ocr_field_name(OCR_FIELD_REFERENCIA),
	    "referencia");
	assert_string_equal(ocr_field_name(OCR_FIELD__MAX), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ocr_fields__bbva_labels_beside__all_fields),
		cmocka_unit_test(test_ocr_fields__bbva_app_labels_above__origin_and_masked_destination),
		cmocka_unit_test(test_ocr_fields__santander_labels_above__all_fields),
		cmocka_unit_test(test_ocr_fields__banorte_degraded__confusions_fixed_and_warned),
		cmocka_unit_test(test_ocr_fields__banamex_alias_and_fuzzy_bank__resolved),
		cmocka_unit_test(test_ocr_fields__nu_masked_account__missing_without_hint),
		cmocka_unit_test(test_ocr_fields__nu_masked_account__completed_by_agreeing_hint),
		cmocka_unit_test(test_ocr_fields__nu_masked_account__disagreeing_hint_refused),
		cmocka_unit_test(test_ocr_fields__masked_with_bank_digits__hint_must_start_with_them),
		cmocka_unit_test(test_ocr_fields__complete_cuenta__receiving_account_by_last_digits),
		cmocka_unit_test(test_ocr_fields__mercadopago_columns_and_split_clave__read),
		cmocka_unit_test(test_ocr_fields__stp_labels_beside_card_and_split_date__read),
		cmocka_unit_test(test_ocr_fields__dates__spanish_forms_normalised),
		cmocka_unit_test(test_ocr_fields__ambiguous_date__warned_day_first),
		cmocka_unit_test(test_ocr_fields__amounts__separators_and_currency),
		cmocka_unit_test(test_ocr_fields__ambiguous_amount__warned),
		cmocka_unit_test(test_ocr_fields__banks__names_aliases_fuzzy),
		cmocka_unit_test(test_ocr_fields__claves__confusions_resolved_by_shape),
		cmocka_unit_test(test_ocr_fields__referencia__digits_only),
		cmocka_unit_test(test_ocr_fields__referencia_as_concept__numeric_one_used),
		cmocka_unit_test(test_ocr_fields__masked_variants__last_digits_kept),
		cmocka_unit_test(test_ocr_fields__accounts__clabe_card_phone),
		cmocka_unit_test(test_ocr_fields__clabe_one_digit_wrong__repaired_when_unique),
		cmocka_unit_test(test_ocr_fields__nothing_read__all_required_missing),
		cmocka_unit_test(test_ocr_fields__receptor_from_clabe_and_referencia_only__complete),
		cmocka_unit_test(test_ocr_fields__no_labels__clabe_date_amount_found_phone_not),
		cmocka_unit_test(test_ocr_fields__colon_as_own_word__skipped),
		cmocka_unit_test(test_ocr_fields__labels_with_ocr_slips__still_labels),
		cmocka_unit_test(test_ocr_fields__clabe_split_over_two_lines__joined),
		cmocka_unit_test(test_ocr_fields__warning_detail__valid_utf8_when_cut),
		cmocka_unit_test(test_ocr_fields__total_with_fees__amount_label_preferred),
		cmocka_unit_test(test_ocr_fields__missing_fields__filled_by_hints),
		cmocka_unit_test(test_ocr_fields__hints__agree_silently_disagree_warned),
		cmocka_unit_test(test_ocr_fields__field_names__api_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

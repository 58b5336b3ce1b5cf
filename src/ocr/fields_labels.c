/*
 * mxcep: the labels of SPEI receipts as the Mexican bank apps write
 * them (BBVA, Santander, Banorte, Banamex, Nu, Mercado Pago, STP ...),
 * matched word by word after bank_name_normalize(): case, accents,
 * ':' and '.' do not matter, and a word of six letters or more may
 * have one OCR slip ("lmporte", "Rastre0"). The longest label wins ("Cuenta origen"
 * over "Cuenta", "Folio de rastreo" over "Folio").
 */
#include <string.h>

#include "ocr/fields_int.h"

#define FUZZY_MIN	6	/* "monto" / "clabe" / "clave": exact only */

static int	 bare_label(const struct ocr_line *, size_t);

struct fx_label_text {
	enum fx_label	 label;
	const char	*text;		/* normalised words */
};

static const struct fx_label_text labels[] = {
	{ FX_LABEL_FECHA, "fecha" },
	{ FX_LABEL_FECHA, "fecha de operacion" },
	{ FX_LABEL_FECHA, "fecha de aplicacion" },
	{ FX_LABEL_FECHA, "fecha de la operacion" },
	{ FX_LABEL_FECHA, "fecha y hora" },
	{ FX_LABEL_FECHA, "fecha de envio" },
	{ FX_LABEL_FECHA, "fecha de pago" },
	{ FX_LABEL_FECHA, "fecha de transferencia" },
	{ FX_LABEL_FECHA, "fecha de la transferencia" },
	{ FX_LABEL_MONTO, "importe" },
	{ FX_LABEL_MONTO, "importe de la operacion" },
	{ FX_LABEL_MONTO, "importe transferido" },
	{ FX_LABEL_MONTO, "monto" },
	{ FX_LABEL_MONTO, "monto transferido" },
	{ FX_LABEL_MONTO, "monto de la transferencia" },
	{ FX_LABEL_MONTO, "monto de la operacion" },
	{ FX_LABEL_MONTO, "cantidad" },
	{ FX_LABEL_MONTO, "cantidad enviada" },
	{ FX_LABEL_TOTAL, "total" },
	{ FX_LABEL_TOTAL, "total enviado" },
	{ FX_LABEL_TOTAL, "importe total" },
	{ FX_LABEL_EMISOR, "banco emisor" },
	{ FX_LABEL_EMISOR, "banco origen" },
	{ FX_LABEL_EMISOR, "banco de origen" },
	{ FX_LABEL_EMISOR, "banco ordenante" },
	{ FX_LABEL_EMISOR, "institucion emisora" },
	{ FX_LABEL_EMISOR, "institucion ordenante" },
	{ FX_LABEL_EMISOR, "institucion de origen" },
	{ FX_LABEL_RECEPTOR, "banco" },
	{ FX_LABEL_RECEPTOR, "banco destino" },
	{ FX_LABEL_RECEPTOR, "banco de destino" },
	{ FX_LABEL_RECEPTOR, "banco receptor" },
	{ FX_LABEL_RECEPTOR, "banco beneficiario" },
	{ FX_LABEL_RECEPTOR, "banco del beneficiario" },
	{ FX_LABEL_RECEPTOR, "institucion receptora" },
	{ FX_LABEL_RECEPTOR, "institucion beneficiaria" },
	{ FX_LABEL_RECEPTOR, "institucion destino" },
	{ FX_LABEL_CUENTA, "cuenta" },
	{ FX_LABEL_CUENTA, "cuenta destino" },
	{ FX_LABEL_CUENTA, "cuenta de destino" },
	{ FX_LABEL_CUENTA, "cuenta beneficiaria" },
	{ FX_LABEL_CUENTA, "cuenta del beneficiario" },
	{ FX_LABEL_CUENTA, "cuenta clabe" },
	{ FX_LABEL_CUENTA, "clabe" },
	{ FX_LABEL_CUENTA, "clabe destino" },
	{ FX_LABEL_CUENTA, "clabe interbancaria" },
	{ FX_LABEL_CUENTA, "numero de cuenta" },
	{ FX_LABEL_CUENTA, "tarjeta destino" },
	{ FX_LABEL_CUENTA, "celular destino" },
	{ FX_LABEL_CUENTA, "a la cuenta" },
	{ FX_LABEL_CUENTA, "cuenta de deposito" },
	{ FX_LABEL_CUENTA, "cuenta de abono" },
	{ FX_LABEL_CUENTA, "cuenta receptora" },
	{ FX_LABEL_CLAVE, "clave de rastreo" },
	{ FX_LABEL_CLAVE, "clave rastreo" },
	{ FX_LABEL_CLAVE, "rastreo" },
	{ FX_LABEL_CLAVE, "folio de rastreo" },
	{ FX_LABEL_CLAVE, "numero de rastreo" },
	{ FX_LABEL_CLAVE, "no de rastreo" },
	{ FX_LABEL_CLAVE, "cve de rastreo" },
	{ FX_LABEL_REFERENCIA, "referencia" },
	{ FX_LABEL_REFERENCIA, "referencia numerica" },
	{ FX_LABEL_REFERENCIA, "numero de referencia" },
	{ FX_LABEL_REFERENCIA, "no de referencia" },
	{ FX_LABEL_REFERENCIA, "ref numerica" },
	{ FX_LABEL_ORIGIN, "cuenta origen" },
	{ FX_LABEL_ORIGIN, "cuenta de origen" },
	{ FX_LABEL_ORIGIN, "cuenta de retiro" },
	{ FX_LABEL_ORIGIN, "cuenta ordenante" },
	{ FX_LABEL_ORIGIN, "cuenta de cargo" },
	{ FX_LABEL_ORIGIN, "desde la cuenta" },
	{ FX_LABEL_OTHER, "beneficiario" },
	{ FX_LABEL_OTHER, "nombre del beneficiario" },
	{ FX_LABEL_OTHER, "ordenante" },
	{ FX_LABEL_OTHER, "nombre del ordenante" },
	{ FX_LABEL_OTHER, "titular" },
	{ FX_LABEL_OTHER, "concepto" },
	{ FX_LABEL_OTHER, "concepto de pago" },
	{ FX_LABEL_OTHER, "motivo" },
	{ FX_LABEL_OTHER, "descripcion" },
	{ FX_LABEL_OTHER, "hora" },
	{ FX_LABEL_OTHER, "estatus" },
	{ FX_LABEL_OTHER, "estado" },
	{ FX_LABEL_OTHER, "folio" },
	{ FX_LABEL_OTHER, "numero de operacion" },
	{ FX_LABEL_OTHER, "numero de autorizacion" },
	{ FX_LABEL_OTHER, "autorizacion" },
	{ FX_LABEL_OTHER, "comision" },
	{ FX_LABEL_OTHER, "iva" },
	{ FX_LABEL_OTHER, "rfc" },
	{ FX_LABEL_OTHER, "tipo de operacion" },
	{ FX_LABEL_OTHER, "tipo de transferencia" },
	{ FX_LABEL_OTHER, "enviado a" },
};

/* whether the words of line from j spell label (normalised words); *n
 * the OCR words used (words that normalise to "" are skipped) */
static int
spells(const struct ocr_line *line, size_t j, const char *label, size_t *n)
{
	char		 norm[BANK_NAME_MAX];
	const char	*l = label;
	size_t		 k = j, len, i, words;

	while (*l != '\0') {
		if (k >= line->nwords)
			return 0;
		if (bank_name_normalize(line->words[k].text, norm,
		    sizeof(norm)) == NULL)
			return 0;
		k++;
		if (norm[0] == '\0') {
			if (k - 1 == j)
				return 0;	/* a label starts with a word */
			continue;
		}
		/* as many label words as the OCR word holds */
		len = strlen(norm);
		for (i = 0, words = 1; i < len; i++)
			words += norm[i] == ' ';
		for (i = 0; l[i] != '\0' && (l[i] != ' ' || --words > 0); i++)
			;
		/* equal, or one OCR slip in a long word ("lmporte") */
		if ((i != len || strncmp(l, norm, len) != 0) &&
		    (i < FUZZY_MIN || fx_distance(l, i, norm, len) > 1))
			return 0;
		l += i;
		if (*l == ' ')
			l++;
	}
	*n = k - j;
	return 1;
}

/* a bare "Banco" is a label at the start of a line, alone, with a ':'
 * or before another label; "Banco Santander" is a value */
static int
bare_label(const struct ocr_line *line, size_t j)
{
	const char	*t = line->words[j].text;
	enum fx_label	 other;
	size_t		 len = strlen(t);

	if (j > 0)
		return 0;
	return line->nwords == 1 || (len > 0 && t[len - 1] == ':') ||
	    (line->nwords > 1 && line->words[1].text[0] == ':') ||
	    fx_label_at(line, 1, &other) > 0;
}

size_t
fx_label_at(const struct ocr_line *line, size_t j, enum fx_label *out)
{
	size_t	 i, n, best = 0, bestlen = 0;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (!spells(line, j, labels[i].text, &n))
			continue;
		/* "Banco Santander" is a value: a bare "banco" or "total"
		 * labels only at the start of a line */
		if ((strcmp(labels[i].text, "banco") == 0 ||
		    strcmp(labels[i].text, "total") == 0) &&
		    !bare_label(line, j))
			continue;
		if (strlen(labels[i].text) > bestlen) {
			bestlen = strlen(labels[i].text);
			best = n;
			*out = labels[i].label;
		}
	}
	return best;
}

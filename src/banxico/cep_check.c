/*
 * mxcep: the checks of a CEP XML read by cep_xml.c: every attribute
 * against its field of the signed cadenaCDA (a disagreement is
 * tampering: CEP_XML_ALTERED), then every field's type (dates, time,
 * amounts, accounts per TipoCuenta, RFC/CURP shapes, certificate,
 * seal). Field meanings: shared/data/cep/CEP-XML.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banxico/cep_int.h"
#include "core/core.h"
#include "util/util.h"

#define CEP_TEXT_MAX		256	/* names and banks, bytes */
#define CEP_CONCEPTO_MAX	1024

int
cep_amount_parse(const char *s, int64_t *cents)
{
	int64_t	 v = 0;
	int	 dec = -1, digits = 0, d;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '.' && dec == -1 && digits > 0) {
			dec = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		if (dec >= 0 && ++dec > 2)
			return -1;
		d = *s - '0';
		if (v > (INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		digits++;
	}
	if (dec == 0)
		return -1;		/* "12." */
	/* scale to cents: x100 without decimals, x10 with one */
	for (d = dec < 0 ? 0 : dec; d < 2; d++) {
		if (v > INT64_MAX / 10)
			return -1;
		v *= 10;
	}
	*cents = v;
	return 0;
}

/* a calendar date "YYYY-MM-DD" (core/date.c) in the years a CEP carries */
int
cep_date_valid(const char *s)
{
	struct date	 d;

	return date_parse_iso(s, &d) == 0 && d.year >= 1900 && d.year <= 2999;
}

/* "DDMMYYYY" -> "YYYY-MM-DD" in out (11 bytes), not checked as a date;
 * 0 ok, -1 not 8 digits */
static int
ddmmyyyy_fmt(const char *s, char out[11])
{
	if (!str_is_digits(s, 8, 8))
		return -1;
	snprintf(out, 11, "%.4s-%.2s-%.2s", s + 4, s + 2, s);
	return 0;
}

/* the same, and a real calendar date */
static int
ddmmyyyy_iso(const char *s, char out[11])
{
	if (ddmmyyyy_fmt(s, out) == -1)
		return -1;
	return cep_date_valid(out) ? 0 : -1;
}

/* "HH:MM:SS" */
static int
valid_time(const char *s)
{
	if (strlen(s) != 8 || s[2] != ':' || s[5] != ':')
		return 0;
	for (int i = 0; i < 8; i++)
		if (i != 2 && i != 5 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return atoi(s) <= 23 && atoi(s + 3) <= 59 && atoi(s + 6) <= 59;
}

/* text without control characters, min..max bytes */
static int
valid_text(const char *s, size_t min, size_t max)
{
	size_t	 n = strlen(s);

	if (n < min || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

static int
valid_base64(const char *s)
{
	size_t	 n = strlen(s), i, pad = 0;

	if (n == 0 || n % 4 != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '=') {
			if (i < n - 2)
				return 0;
			pad++;
			continue;
		}
		if (pad > 0)
			return 0;
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '+' || s[i] == '/'))
			return 0;
	}
	return 1;
}

/* RFC letters: A-Z, '&', 'Ñ' (UTF-8); returns bytes of one letter, 0 */
static size_t
rfc_letter(const char *s)
{
	if ((*s >= 'A' && *s <= 'Z') || *s == '&')
		return 1;
	if ((unsigned char)s[0] == 0xC3 && (unsigned char)s[1] == 0x91)
		return 2;
	return 0;
}

/* count letters at s, then digits; shape "LLL(L)DDDDDD..." */
static const char *
rfc_prefix(const char *s, int letters)
{
	size_t	 n;

	for (int i = 0; i < letters; i++) {
		if ((n = rfc_letter(s)) == 0)
			return NULL;
		s += n;
	}
	for (int i = 0; i < 6; i++, s++)
		if (*s < '0' || *s > '9')
			return NULL;
	return s;
}

static int
alnum_up(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* "NA", "ND", RFC (3|4 letters, yymmdd, 3 homoclave) or CURP (18) */
static int
valid_rfc(const char *s)
{
	const char	*p;

	if (strcmp(s, "NA") == 0 || strcmp(s, "ND") == 0)
		return 1;
	for (int letters = 3; letters <= 4; letters++) {
		if ((p = rfc_prefix(s, letters)) == NULL)
			continue;
		if (strlen(p) == 3 && alnum_up(p[0]) && alnum_up(p[1]) &&
		    alnum_up(p[2]))
			return 1;
		/* CURP: 4 letters, yymmdd, H|M|X, 5 letters, 1 alnum, 1 digit */
		if (letters == 4 && strlen(p) == 8 &&
		    (p[0] == 'H' || p[0] == 'M' || p[0] == 'X') &&
		    p[1] >= 'A' && p[1] <= 'Z' && p[2] >= 'A' && p[2] <= 'Z' &&
		    p[3] >= 'A' && p[3] <= 'Z' && p[4] >= 'A' && p[4] <= 'Z' &&
		    p[5] >= 'A' && p[5] <= 'Z' && alnum_up(p[6]) &&
		    p[7] >= '0' && p[7] <= '9')
			return 1;
	}
	return 0;
}

/* TipoCuenta: "-1", or 1..2 digits; cadenaCDA writes "NA" for -1 and
 * may zero-pad ("06" for XML "6") */
static int
tipo_parse(const char *s, int *tipo)
{
	if (strcmp(s, "-1") == 0 || strcmp(s, "NA") == 0) {
		*tipo = -1;
		return 0;
	}
	if (!str_is_digits(s, 1, 2))
		return -1;
	*tipo = atoi(s);
	return 0;
}

/* the account agrees with its type (core/clabe.c's lengths): CLABE 18,
 * card 16, phone 10 */
static int
valid_cuenta(int tipo, const char *s)
{
	if (tipo == -1)
		return strcmp(s, "NA") == 0;
	switch (tipo) {
	case 40:
		return str_is_digits(s, CLABE_LEN, CLABE_LEN);
	case 3:
		return str_is_digits(s, CARD_LEN, CARD_LEN);
	case 10:
		return str_is_digits(s, PHONE_LEN, PHONE_LEN);
	default:
		return str_is_digits(s, 1, 20);
	}
}

/* does XML value a agree with cadenaCDA field b under rule cmp? */
static int
agrees(enum cep_cmp cmp, const char *a, const char *b)
{
	int64_t	 x, y;
	int	 t, u;
	char	 iso[11];

	switch (cmp) {
	case CMP_DATE:
		if (ddmmyyyy_fmt(b, iso) == -1)
			return strcmp(a, b) == 0;
		return strcmp(a, iso) == 0;
	case CMP_TIME:
		return strlen(a) == 8 && strlen(b) == 6 && a[2] == ':' &&
		    a[5] == ':' && strncmp(a, b, 2) == 0 &&
		    strncmp(a + 3, b + 2, 2) == 0 &&
		    strncmp(a + 6, b + 4, 2) == 0;
	case CMP_TIPO:
		if (tipo_parse(a, &t) == -1 || tipo_parse(b, &u) == -1)
			return strcmp(a, b) == 0;
		return t == u;
	case CMP_AMOUNT:
		if (cep_amount_parse(a, &x) == -1 ||
		    cep_amount_parse(b, &y) == -1)
			return strcmp(a, b) == 0;
		return x == y;
	case CMP_STR:
	default:
		return strcmp(a, b) == 0;
	}
}

/* every attribute against its field of the signed cadenaCDA */
int
cep_check_cadena(const struct cep_raw *r, struct cep_xml_error *err)
{
	const char	*field;
	int		 i, idx;

	for (i = 0; i < A__MAX; i++) {
		if (cep_attrs[i].cadena == CADENA_NONE)
			continue;
		if (cep_attrs[i].cadena == CADENA_SELLO)
			idx = (int)r->nf - 1;
		else if (cep_attrs[i].cadena == CADENA_CERT)
			idx = (int)r->nf - 3;
		else
			idx = cep_attrs[i].cadena;
		field = r->f[idx];
		if (!agrees(cep_attrs[i].cmp, r->v[i], field))
			return cep_fail(err, CEP_XML_ALTERED,
			    "%s/@%s does not match cadenaCDA field %d",
			    cep_elem_names[cep_attrs[i].elem], cep_attrs[i].name, idx);
	}
	return 0;
}

static int
check_party(const struct cep_raw *r, int banco, int nombre, int tipo,
    int cuenta, int rfc, struct cep_party *p, struct cep_xml_error *err)
{
	const char	*who = cep_attrs[banco].elem == E_BENEF ? "Beneficiario" :
	    "Ordenante";

	if (!valid_text(r->v[banco], 1, CEP_TEXT_MAX))
		return cep_fail(err, CEP_XML_INVALID, "%s: bad bank", who);
	if (!valid_text(r->v[nombre], 1, CEP_TEXT_MAX))
		return cep_fail(err, CEP_XML_INVALID, "%s: bad Nombre", who);
	if (tipo_parse(r->v[tipo], &p->tipo_cuenta) == -1 ||
	    strcmp(r->v[tipo], "NA") == 0)
		return cep_fail(err, CEP_XML_INVALID, "%s: bad TipoCuenta", who);
	if (!valid_cuenta(p->tipo_cuenta, r->v[cuenta]))
		return cep_fail(err, CEP_XML_INVALID,
		    "%s: Cuenta does not fit TipoCuenta %d", who,
		    p->tipo_cuenta);
	if (!valid_rfc(r->v[rfc]))
		return cep_fail(err, CEP_XML_INVALID, "%s: bad RFC/CURP", who);
	p->banco = xstrdup(r->v[banco]);
	p->nombre = xstrdup(r->v[nombre]);
	p->cuenta = xstrdup(r->v[cuenta]);
	p->rfc = xstrdup(r->v[rfc]);
	return 0;
}

/* types of every field; fills c */
int
cep_check_types(const struct cep_raw *r, struct cep *c, struct cep_xml_error *err)
{
	const char	*s;

	if (!cep_date_valid(r->v[A_FECHA]))
		return cep_fail(err, CEP_XML_INVALID, "bad FechaOperacion");
	if (ddmmyyyy_iso(r->f[4], c->fecha_abono) == -1)
		return cep_fail(err, CEP_XML_INVALID,
		    "bad abono date in cadenaCDA");
	if (!valid_time(r->v[A_HORA]))
		return cep_fail(err, CEP_XML_INVALID, "bad Hora");
	if (!str_is_digits(r->f[2], 1, 3))
		return cep_fail(err, CEP_XML_INVALID, "bad tipo de pago");
	if (!str_is_digits(r->v[A_CLAVE_SPEI], 3, 6))
		return cep_fail(err, CEP_XML_INVALID, "bad ClaveSPEI");
	if (!str_is_digits(r->v[A_CERT], 20, 20))
		return cep_fail(err, CEP_XML_INVALID, "bad numeroCertificado");
	if (!valid_base64(r->v[A_SELLO]))
		return cep_fail(err, CEP_XML_INVALID, "bad sello");
	s = r->v[A_RASTREO];
	if (strlen(s) < 1 || strlen(s) > 30)
		return cep_fail(err, CEP_XML_INVALID, "bad claveRastreo");
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return cep_fail(err, CEP_XML_INVALID, "bad claveRastreo");
	if (!valid_text(r->v[A_B_CONCEPTO], 0, CEP_CONCEPTO_MAX))
		return cep_fail(err, CEP_XML_INVALID, "bad Concepto");
	if (cep_amount_parse(r->v[A_B_IVA], &c->iva_cents) == -1)
		return cep_fail(err, CEP_XML_INVALID, "bad IVA");
	if (cep_amount_parse(r->v[A_B_MONTO], &c->monto_cents) == -1 ||
	    c->monto_cents <= 0)
		return cep_fail(err, CEP_XML_INVALID, "bad MontoPago");
	if (check_party(r, A_B_BANCO, A_B_NOMBRE, A_B_TIPO, A_B_CUENTA,
	    A_B_RFC, &c->beneficiario, err) == -1)
		return -1;
	if (check_party(r, A_O_BANCO, A_O_NOMBRE, A_O_TIPO, A_O_CUENTA,
	    A_O_RFC, &c->ordenante, err) == -1)
		return -1;
	memcpy(c->fecha_operacion, r->v[A_FECHA], 11);
	memcpy(c->hora, r->v[A_HORA], 9);
	c->tipo_pago = atoi(r->f[2]);
	c->clave_spei = xstrdup(r->v[A_CLAVE_SPEI]);
	c->clave_rastreo = xstrdup(r->v[A_RASTREO]);
	c->concepto = xstrdup(r->v[A_B_CONCEPTO]);
	c->numero_certificado = xstrdup(r->v[A_CERT]);
	c->sello = xstrdup(r->v[A_SELLO]);
	c->cadena_cda = xstrdup(r->v[A_CADENA]);
	return 0;
}


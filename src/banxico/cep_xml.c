/*
 * mxcep: the CEP XML (descarga.do?formato=XML) parser and checker, with
 * libxml2: from memory only, no network, no DTD, no entity substitution,
 * size-capped. Layout and field meanings: shared/data/cep/CEP-XML.md.
 * The seal cannot be verified locally (Banxico's key is not public), so
 * trust comes from fetching the XML from Banxico in the session of a
 * matching valida.do, from its attributes agreeing with the signed
 * cadenaCDA, and from the CEP matching the query.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "banxico/banxico.h"
#include "util/util.h"

#define CEP_TEXT_MAX		256	/* names and banks, bytes */
#define CEP_CONCEPTO_MAX	1024
#define CEP_CADENA_MIN_FIELDS	23	/* 2019: 23, 2022: 30, 2024: 47 */

/* the attributes read, as copies (NULL = absent) */
enum cep_attr {
	A_FECHA, A_HORA, A_CLAVE_SPEI, A_SELLO, A_CERT, A_CADENA, A_RASTREO,
	A_B_BANCO, A_B_NOMBRE, A_B_TIPO, A_B_CUENTA, A_B_RFC, A_B_CONCEPTO,
	A_B_IVA, A_B_MONTO,
	A_O_BANCO, A_O_NOMBRE, A_O_TIPO, A_O_CUENTA, A_O_RFC,
	A__MAX
};
enum cep_elem { E_ROOT, E_BENEF, E_ORD };
#define CADENA_NONE	(-1)	/* not in cadenaCDA */
#define CADENA_SELLO	(-2)	/* the last field */
#define CADENA_CERT	(-3)	/* third from the end (then "", then sello) */
enum cep_cmp { CMP_STR, CMP_DATE, CMP_TIME, CMP_TIPO, CMP_AMOUNT };
static const struct {
	enum cep_elem	 elem;
	const char	*name;
	int		 cadena;	/* index in cadenaCDA, or CADENA_* */
	enum cep_cmp	 cmp;
} attrs[A__MAX] = {
	[A_FECHA] =	{ E_ROOT, "FechaOperacion", 3, CMP_DATE },
	[A_HORA] =	{ E_ROOT, "Hora", 5, CMP_TIME },
	[A_CLAVE_SPEI] = { E_ROOT, "ClaveSPEI", 6, CMP_STR },
	[A_SELLO] =	{ E_ROOT, "sello", CADENA_SELLO, CMP_STR },
	[A_CERT] =	{ E_ROOT, "numeroCertificado", CADENA_CERT, CMP_STR },
	[A_CADENA] =	{ E_ROOT, "cadenaCDA", CADENA_NONE, CMP_STR },
	[A_RASTREO] =	{ E_ROOT, "claveRastreo", CADENA_NONE, CMP_STR },
	[A_B_BANCO] =	{ E_BENEF, "BancoReceptor", 12, CMP_STR },
	[A_B_NOMBRE] =	{ E_BENEF, "Nombre", 13, CMP_STR },
	[A_B_TIPO] =	{ E_BENEF, "TipoCuenta", 14, CMP_TIPO },
	[A_B_CUENTA] =	{ E_BENEF, "Cuenta", 15, CMP_STR },
	[A_B_RFC] =	{ E_BENEF, "RFC", 16, CMP_STR },
	[A_B_CONCEPTO] = { E_BENEF, "Concepto", 17, CMP_STR },
	[A_B_IVA] =	{ E_BENEF, "IVA", 18, CMP_AMOUNT },
	[A_B_MONTO] =	{ E_BENEF, "MontoPago", 19, CMP_AMOUNT },
	[A_O_BANCO] =	{ E_ORD, "BancoEmisor", 7, CMP_STR },
	[A_O_NOMBRE] =	{ E_ORD, "Nombre", 8, CMP_STR },
	[A_O_TIPO] =	{ E_ORD, "TipoCuenta", 9, CMP_TIPO },
	[A_O_CUENTA] =	{ E_ORD, "Cuenta", 10, CMP_STR },
	[A_O_RFC] =	{ E_ORD, "RFC", 11, CMP_STR },
};
static const char *const elem_names[] = {
	"SPEI_Tercero", "Beneficiario", "Ordenante"
};

struct cep_raw {
	char	*v[A__MAX];
	char	*cadena_copy;		/* cadenaCDA split in place */
	char	**f;			/* its fields */
	size_t	 nf;
};

static int
fail(struct cep_xml_error *err, enum cep_xml_error_code code,
    const char *fmt, ...) PRINTF_LIKE(3, 4);

static int
fail(struct cep_xml_error *err, enum cep_xml_error_code code,
    const char *fmt, ...)
{
	va_list	 ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return -1;
}

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

char *
cep_cents_format(int64_t cents, char *buf, size_t n)
{
	if (cents < 0)
		snprintf(buf, n, "-%lld.%02lld", (long long)(-(cents / 100)),
		    (long long)(-(cents % 100)));
	else
		snprintf(buf, n, "%lld.%02lld", (long long)(cents / 100),
		    (long long)(cents % 100));
	return buf;
}

static int
all_digits(const char *s, size_t min, size_t max)
{
	size_t	 n = strlen(s), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
valid_ymd(int y, int m, int d)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

/* "YYYY-MM-DD" */
static int
valid_iso_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return valid_ymd(atoi(s), atoi(s + 5), atoi(s + 8));
}

int
cep_date_valid(const char *s)
{
	return s != NULL && valid_iso_date(s);
}

/* "DDMMYYYY" -> "YYYY-MM-DD" in out (11 bytes), not checked as a date;
 * 0 ok, -1 not 8 digits */
static int
ddmmyyyy_fmt(const char *s, char out[11])
{
	if (!all_digits(s, 8, 8))
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
	return valid_iso_date(out) ? 0 : -1;
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
	if (!all_digits(s, 1, 2))
		return -1;
	*tipo = atoi(s);
	return 0;
}

/* the account agrees with its type: CLABE 18, card 16, phone 10 */
static int
valid_cuenta(int tipo, const char *s)
{
	if (tipo == -1)
		return strcmp(s, "NA") == 0;
	switch (tipo) {
	case 40:
		return all_digits(s, 18, 18);
	case 3:
		return all_digits(s, 16, 16);
	case 10:
		return all_digits(s, 10, 10);
	default:
		return all_digits(s, 1, 20);
	}
}

static void
raw_free(struct cep_raw *r)
{
	for (int i = 0; i < A__MAX; i++)
		free(r->v[i]);
	free(r->cadena_copy);
	free(r->f);
}

void
cep_free(struct cep *c)
{
	if (c == NULL)
		return;
	free(c->clave_spei);
	free(c->clave_rastreo);
	free(c->ordenante.banco);
	free(c->ordenante.nombre);
	free(c->ordenante.cuenta);
	free(c->ordenante.rfc);
	free(c->beneficiario.banco);
	free(c->beneficiario.nombre);
	free(c->beneficiario.cuenta);
	free(c->beneficiario.rfc);
	free(c->concepto);
	free(c->numero_certificado);
	free(c->sello);
	free(c->cadena_cda);
	free(c);
}

/*
 * Refuse before libxml2 sees it: anything but UTF-8 text starting with
 * '<' (a UTF-16 file could hide a DOCTYPE from the byte scan), and any
 * DTD or entity declaration (the CEP has none; this stops XXE and
 * entity expansion at the door).
 */
static int
prescan(const char *s, size_t len, struct cep_xml_error *err)
{
	size_t	 i = 0;

	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
	    s[i] == '\n'))
		i++;
	if (i >= len || s[i] != '<')
		return fail(err, CEP_XML_MALFORMED,
		    "not an XML document (or not UTF-8)");
	for (; i + 9 <= len; i++)
		if (s[i] == '<' && s[i + 1] == '!' &&
		    (memcmp(s + i, "<!DOCTYPE", 9) == 0 ||
		    memcmp(s + i, "<!ENTITY", 8) == 0))
			return fail(err, CEP_XML_MALFORMED,
			    "DTD or entity declarations are not allowed");
	return 0;
}

static char *
attr_copy(xmlNodePtr n, const char *name)
{
	xmlChar	*v;
	char	*s;

	if ((v = xmlGetNoNsProp(n, (const xmlChar *)name)) == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* root, exactly one Beneficiario and one Ordenante, attributes copied */
static int
read_structure(xmlDocPtr doc, struct cep_raw *r, struct cep_xml_error *err)
{
	xmlNodePtr	 root, n, el[3] = { NULL, NULL, NULL };
	int		 i;

	root = xmlDocGetRootElement(doc);
	if (root == NULL || root->ns != NULL ||
	    strcmp((const char *)root->name, "SPEI_Tercero") != 0)
		return fail(err, CEP_XML_INVALID,
		    "root element is not SPEI_Tercero");
	el[E_ROOT] = root;
	for (n = root->children; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE) {
			if (!xmlIsBlankNode(n))
				return fail(err, CEP_XML_INVALID,
				    "unexpected text in SPEI_Tercero");
			continue;
		}
		if (n->type == XML_COMMENT_NODE)
			continue;
		if (n->type != XML_ELEMENT_NODE)
			return fail(err, CEP_XML_INVALID,
			    "unexpected node in SPEI_Tercero");
		if (strcmp((const char *)n->name, "Beneficiario") == 0)
			i = E_BENEF;
		else if (strcmp((const char *)n->name, "Ordenante") == 0)
			i = E_ORD;
		else
			return fail(err, CEP_XML_INVALID,
			    "unexpected element %.40s", (const char *)n->name);
		if (el[i] != NULL)
			return fail(err, CEP_XML_INVALID, "%s appears twice",
			    elem_names[i]);
		if (n->children != NULL)
			return fail(err, CEP_XML_INVALID, "%s is not empty",
			    elem_names[i]);
		el[i] = n;
	}
	for (i = E_BENEF; i <= E_ORD; i++)
		if (el[i] == NULL)
			return fail(err, CEP_XML_INVALID, "%s is missing",
			    elem_names[i]);
	for (i = 0; i < A__MAX; i++) {
		r->v[i] = attr_copy(el[attrs[i].elem], attrs[i].name);
		if (r->v[i] != NULL)
			continue;
		/* the signature material gone is tampering, not a typo */
		if (i == A_SELLO || i == A_CERT || i == A_CADENA)
			return fail(err, CEP_XML_ALTERED, "%s/@%s was removed",
			    elem_names[attrs[i].elem], attrs[i].name);
		return fail(err, CEP_XML_INVALID, "%s/@%s is missing",
		    elem_names[attrs[i].elem], attrs[i].name);
	}
	return 0;
}

/* split cadenaCDA: "||f2|f3|...|cert||sello" */
static int
split_cadena(struct cep_raw *r, struct cep_xml_error *err)
{
	char	*p;
	size_t	 n = 1;

	if (strncmp(r->v[A_CADENA], "||", 2) != 0)
		return fail(err, CEP_XML_INVALID,
		    "cadenaCDA does not start with ||");
	for (p = r->v[A_CADENA]; *p != '\0'; p++)
		n += *p == '|';
	r->cadena_copy = xstrdup(r->v[A_CADENA]);
	r->f = xcalloc(n, sizeof(char *));
	r->nf = 0;
	for (p = r->cadena_copy; ; ) {
		r->f[r->nf++] = p;
		if ((p = strchr(p, '|')) == NULL)
			break;
		*p++ = '\0';
	}
	if (r->nf < CEP_CADENA_MIN_FIELDS || r->f[r->nf - 2][0] != '\0')
		return fail(err, CEP_XML_INVALID,
		    "cadenaCDA has %zu fields, not the CEP layout", r->nf);
	return 0;
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
static int
check_cadena(const struct cep_raw *r, struct cep_xml_error *err)
{
	const char	*field;
	int		 i, idx;

	for (i = 0; i < A__MAX; i++) {
		if (attrs[i].cadena == CADENA_NONE)
			continue;
		if (attrs[i].cadena == CADENA_SELLO)
			idx = (int)r->nf - 1;
		else if (attrs[i].cadena == CADENA_CERT)
			idx = (int)r->nf - 3;
		else
			idx = attrs[i].cadena;
		field = r->f[idx];
		if (!agrees(attrs[i].cmp, r->v[i], field))
			return fail(err, CEP_XML_ALTERED,
			    "%s/@%s does not match cadenaCDA field %d",
			    elem_names[attrs[i].elem], attrs[i].name, idx);
	}
	return 0;
}

static int
check_party(const struct cep_raw *r, int banco, int nombre, int tipo,
    int cuenta, int rfc, struct cep_party *p, struct cep_xml_error *err)
{
	const char	*who = attrs[banco].elem == E_BENEF ? "Beneficiario" :
	    "Ordenante";

	if (!valid_text(r->v[banco], 1, CEP_TEXT_MAX))
		return fail(err, CEP_XML_INVALID, "%s: bad bank", who);
	if (!valid_text(r->v[nombre], 1, CEP_TEXT_MAX))
		return fail(err, CEP_XML_INVALID, "%s: bad Nombre", who);
	if (tipo_parse(r->v[tipo], &p->tipo_cuenta) == -1 ||
	    strcmp(r->v[tipo], "NA") == 0)
		return fail(err, CEP_XML_INVALID, "%s: bad TipoCuenta", who);
	if (!valid_cuenta(p->tipo_cuenta, r->v[cuenta]))
		return fail(err, CEP_XML_INVALID,
		    "%s: Cuenta does not fit TipoCuenta %d", who,
		    p->tipo_cuenta);
	if (!valid_rfc(r->v[rfc]))
		return fail(err, CEP_XML_INVALID, "%s: bad RFC/CURP", who);
	p->banco = xstrdup(r->v[banco]);
	p->nombre = xstrdup(r->v[nombre]);
	p->cuenta = xstrdup(r->v[cuenta]);
	p->rfc = xstrdup(r->v[rfc]);
	return 0;
}

/* types of every field; fills c */
static int
check_types(const struct cep_raw *r, struct cep *c, struct cep_xml_error *err)
{
	const char	*s;

	if (!valid_iso_date(r->v[A_FECHA]))
		return fail(err, CEP_XML_INVALID, "bad FechaOperacion");
	if (ddmmyyyy_iso(r->f[4], c->fecha_abono) == -1)
		return fail(err, CEP_XML_INVALID,
		    "bad abono date in cadenaCDA");
	if (!valid_time(r->v[A_HORA]))
		return fail(err, CEP_XML_INVALID, "bad Hora");
	if (!all_digits(r->f[2], 1, 3))
		return fail(err, CEP_XML_INVALID, "bad tipo de pago");
	if (!all_digits(r->v[A_CLAVE_SPEI], 3, 6))
		return fail(err, CEP_XML_INVALID, "bad ClaveSPEI");
	if (!all_digits(r->v[A_CERT], 20, 20))
		return fail(err, CEP_XML_INVALID, "bad numeroCertificado");
	if (!valid_base64(r->v[A_SELLO]))
		return fail(err, CEP_XML_INVALID, "bad sello");
	s = r->v[A_RASTREO];
	if (strlen(s) < 1 || strlen(s) > 30)
		return fail(err, CEP_XML_INVALID, "bad claveRastreo");
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return fail(err, CEP_XML_INVALID, "bad claveRastreo");
	if (!valid_text(r->v[A_B_CONCEPTO], 0, CEP_CONCEPTO_MAX))
		return fail(err, CEP_XML_INVALID, "bad Concepto");
	if (cep_amount_parse(r->v[A_B_IVA], &c->iva_cents) == -1)
		return fail(err, CEP_XML_INVALID, "bad IVA");
	if (cep_amount_parse(r->v[A_B_MONTO], &c->monto_cents) == -1 ||
	    c->monto_cents <= 0)
		return fail(err, CEP_XML_INVALID, "bad MontoPago");
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

static xmlDocPtr
parse_doc(const char *data, size_t len, struct cep_xml_error *err)
{
	xmlParserCtxtPtr	 ctxt = NULL;
	xmlDocPtr		 doc = NULL;
	const xmlError		*e;
	/* no XML_PARSE_NOENT (no substitution), no DTDLOAD/DTDATTR */
	int			 opts = XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING;

#if LIBXML_VERSION >= 21300
	opts |= XML_PARSE_NO_XXE;
#endif
	xmlInitParser();
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		log_warnx("%s: xmlNewParserCtxt failed", __func__);
		fail(err, CEP_XML_MALFORMED, "parser unavailable");
		goto out;
	}
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, "cep.xml", NULL, opts);
	if (doc == NULL || !ctxt->wellFormed) {
		e = xmlCtxtGetLastError(ctxt);
		fail(err, CEP_XML_MALFORMED, "not well-formed: line %d: %.120s",
		    e != NULL ? e->line : 0, e != NULL && e->message != NULL ?
		    e->message : "error");
		/* drop libxml2's trailing newline */
		err->detail[strcspn(err->detail, "\n")] = '\0';
		xmlFreeDoc(doc);
		doc = NULL;
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		fail(err, CEP_XML_MALFORMED, "a DTD is not allowed");
		xmlFreeDoc(doc);
		doc = NULL;
	}
out:
	xmlFreeParserCtxt(ctxt);
	return doc;
}

struct cep *
cep_xml_parse(const void *data, size_t len, struct cep_xml_error *err)
{
	struct cep_raw	 r;
	struct cep	*c = NULL;
	xmlDocPtr	 doc = NULL;

	memset(&r, 0, sizeof(r));
	err->code = CEP_XML_OK;
	err->detail[0] = '\0';
	if (len > CEP_XML_MAX_BYTES) {
		fail(err, CEP_XML_TOO_LARGE, "XML of %zu bytes exceeds %d",
		    len, CEP_XML_MAX_BYTES);
		goto out;
	}
	if (data == NULL || len == 0) {
		fail(err, CEP_XML_MALFORMED, "empty document");
		goto out;
	}
	if (prescan(data, len, err) == -1)
		goto out;
	if ((doc = parse_doc(data, len, err)) == NULL)
		goto out;
	if (read_structure(doc, &r, err) == -1 ||
	    split_cadena(&r, err) == -1 || check_cadena(&r, err) == -1)
		goto out;
	c = xcalloc(1, sizeof(*c));
	if (check_types(&r, c, err) == -1) {
		cep_free(c);
		c = NULL;
	}
out:
	xmlFreeDoc(doc);
	raw_free(&r);
	return c;
}

int
cep_match_query(const struct cep *c, const struct banxico_query *q,
    char *detail, size_t n)
{
	char	 a[32], b[32];
	int	 pago_a_banco;

	if (c->monto_cents != q->monto_cents) {
		snprintf(detail, n, "monto: CEP %s, query %s",
		    cep_cents_format(c->monto_cents, a, sizeof(a)),
		    cep_cents_format(q->monto_cents, b, sizeof(b)));
		return -1;
	}
	if (q->tipo_criterio == BANXICO_CRITERIO_RASTREO &&
	    (q->criterio == NULL ||
	    strcasecmp(c->clave_rastreo, q->criterio) != 0)) {
		snprintf(detail, n, "clave de rastreo: CEP %.40s, query %.40s",
		    c->clave_rastreo, q->criterio != NULL ? q->criterio : "");
		return -1;
	}
	if (q->fecha == NULL || (strcmp(q->fecha, c->fecha_abono) != 0 &&
	    strcmp(q->fecha, c->fecha_operacion) != 0)) {
		snprintf(detail, n, "fecha: CEP %s (operación %s), query %.10s",
		    c->fecha_abono, c->fecha_operacion,
		    q->fecha != NULL ? q->fecha : "");
		return -1;
	}
	/* pago a banco: the beneficiary is the participant (account NA);
	 * the portal is queried with the ordenante's account */
	pago_a_banco = q->receptor_participante ||
	    strcmp(c->beneficiario.cuenta, "NA") == 0;
	if (q->cuenta == NULL ||
	    (strcmp(q->cuenta, c->beneficiario.cuenta) != 0 &&
	    !(pago_a_banco && strcmp(q->cuenta, c->ordenante.cuenta) == 0))) {
		snprintf(detail, n, "cuenta: CEP %.20s, query %.20s",
		    pago_a_banco ? c->ordenante.cuenta :
		    c->beneficiario.cuenta, q->cuenta != NULL ? q->cuenta : "");
		return -1;
	}
	if (n > 0)
		detail[0] = '\0';
	return 0;
}

static json_t *
party_json(const struct cep_party *p)
{
	json_t	*o = json_object();

	json_object_set_new(o, "banco", json_string(p->banco));
	json_object_set_new(o, "nombre", json_string(p->nombre));
	json_object_set_new(o, "tipo_cuenta", json_integer(p->tipo_cuenta));
	json_object_set_new(o, "cuenta", json_string(p->cuenta));
	json_object_set_new(o, "rfc", json_string(p->rfc));
	return o;
}

json_t *
cep_json(const struct cep *c)
{
	json_t	*o = json_object(), *b;
	char	 m[32];

	json_object_set_new(o, "fecha_operacion",
	    json_string(c->fecha_operacion));
	json_object_set_new(o, "fecha_abono", json_string(c->fecha_abono));
	json_object_set_new(o, "hora", json_string(c->hora));
	json_object_set_new(o, "tipo_pago", json_integer(c->tipo_pago));
	json_object_set_new(o, "clave_spei", json_string(c->clave_spei));
	json_object_set_new(o, "clave_rastreo", json_string(c->clave_rastreo));
	json_object_set_new(o, "ordenante", party_json(&c->ordenante));
	b = party_json(&c->beneficiario);
	json_object_set_new(b, "concepto", json_string(c->concepto));
	json_object_set_new(b, "iva",
	    json_string(cep_cents_format(c->iva_cents, m, sizeof(m))));
	json_object_set_new(b, "monto",
	    json_string(cep_cents_format(c->monto_cents, m, sizeof(m))));
	json_object_set_new(o, "beneficiario", b);
	json_object_set_new(o, "numero_certificado",
	    json_string(c->numero_certificado));
	json_object_set_new(o, "sello", json_string(c->sello));
	json_object_set_new(o, "cadena_cda", json_string(c->cadena_cda));
	return o;
}

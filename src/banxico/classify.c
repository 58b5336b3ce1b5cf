/*
 * mxcep: what an answer of the Banxico CEP portal means. Pure functions
 * on (HTTP status, body): no I/O. The recognised pages and their exact
 * wording are in shared/data/cep/PROTOCOL.md section 2.2/2.3 and in
 * shared/data/cep/samples/. Page text is compared after removing HTML
 * comments, scripts, styles and tags, decoding entities, folding case
 * and accents and collapsing white space, so that wording served as
 * UTF-8, Latin-1 or entities, on one line or wrapped, matches the same.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banxico/banxico.h"
#include "util/util.h"

/* needles, in folded form (lowercase ASCII, no accents, one space) */
static const char *const needle_throttled[] = {
	"ha excedido el numero maximo de consultas",
	NULL
};
static const char *const needle_captcha[] = {
	"la imagen de seguridad no fue ingresada correctamente",
	"codigo de seguridad es invalido",	/* TS client; never captured */
	NULL
};
static const char *const needle_no_cep_yet[] = {
	"con la informacion proporcionada se identifico el siguiente pago",
	NULL
};
static const char *const needle_not_found[] = {
	"no se encontro ningun pago con la informacion proporcionada",
	"operacion no encontrada",
	"el spei no ha recibido una orden de pago que cumpla con el "
	    "criterio de busqueda especificado",
	NULL
};
/* WebLogic's error page, served with 500 (seen 2019-2025) */
static const char *const needle_5xx[] = {
	"error 500--internal server error",
	NULL
};

static const char *const outcome_names[BANXICO_OUTCOME__MAX] = {
	"found", "not_found", "no_cep_yet", "throttled", "captcha",
	"http_5xx", "unrecognised", "unreachable", "cep_invalid",
	"cep_altered", "cep_mismatch", "bad_query"
};

/* folded label of the status page -> estado */
static const struct {
	const char	*text;
	enum cep_estado	 estado;
} estados[] = {
	{ "en proceso", CEP_ESTADO_EN_PROCESO },
	{ "liquidado", CEP_ESTADO_LIQUIDADO },
	{ "cancelado", CEP_ESTADO_CANCELADO },
	{ "rechazado", CEP_ESTADO_RECHAZADO },
	{ "en proceso de devolucion", CEP_ESTADO_EN_PROCESO_DEVOLUCION },
	{ "devuelto", CEP_ESTADO_DEVUELTO },
	{ "no liquidado", CEP_ESTADO_NO_LIQUIDADO },
	{ "no encontrado", CEP_ESTADO_NO_ENCONTRADO },
	{ "retornado", CEP_ESTADO_RETORNADO },
};
static const char *const estado_names[CEP_ESTADO__MAX] = {
	"en_proceso", "liquidado", "cancelado", "rechazado",
	"en_proceso_de_devolucion", "devuelto", "no_liquidado",
	"no_encontrado", "retornado", "otro", "ninguno"
};

/* named entities the portal uses, and the usual ones */
static const struct {
	const char	*name;
	unsigned int	 cp;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", 0xA0 }, { "reg", 0xAE },
	{ "copy", 0xA9 }, { "aacute", 0xE1 }, { "eacute", 0xE9 },
	{ "iacute", 0xED }, { "oacute", 0xF3 }, { "uacute", 0xFA },
	{ "ntilde", 0xF1 }, { "uuml", 0xFC }, { "Aacute", 0xC1 },
	{ "Eacute", 0xC9 }, { "Iacute", 0xCD }, { "Oacute", 0xD3 },
	{ "Uacute", 0xDA }, { "Ntilde", 0xD1 }, { "Uuml", 0xDC },
	{ "iquest", 0xBF }, { "iexcl", 0xA1 },
};

/* base letter of U+00C0..U+00FF, for folding */
static const char latin1_fold[65] =
    "aaaaaaaceeeeiiiidnoooooxouuuuyts"	/* U+00C0..U+00DF */
    "aaaaaaaceeeeiiiidnooooo/ouuuuyty";	/* U+00E0..U+00FF */

const char *
banxico_outcome_name(enum banxico_outcome o)
{
	if ((unsigned int)o >= BANXICO_OUTCOME__MAX)
		return "unrecognised";
	return outcome_names[o];
}

const char *
cep_estado_name(enum cep_estado e)
{
	if ((unsigned int)e >= CEP_ESTADO__MAX)
		return "otro";
	return estado_names[e];
}

/* case-insensitive (ASCII) search of needle in h[0..hl) */
static const char *
ci_find(const char *h, size_t hl, const char *needle)
{
	size_t	 nl = strlen(needle), i;

	if (nl == 0 || nl > hl)
		return NULL;
	for (i = 0; i + nl <= hl; i++)
		if (strncasecmp(h + i, needle, nl) == 0)
			return h + i;
	return NULL;
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\f' || c == '\v';
}

static void
put_space(struct buf *out)
{
	if (out->len > 0 && out->data[out->len - 1] != ' ')
		buf_append(out, " ", 1);
}

/* append code point cp as UTF-8, or folded to lowercase ASCII */
static void
put_cp(struct buf *out, unsigned int cp, int fold)
{
	char	 u[4];

	if (cp == 0xA0 || (cp < 0x80 && is_space((unsigned char)cp))) {
		put_space(out);
		return;
	}
	if (cp < 0x80) {
		u[0] = fold ? (char)tolower((int)cp) : (char)cp;
		buf_append(out, u, 1);
	} else if (fold && cp >= 0xC0 && cp <= 0xFF) {
		buf_append(out, &latin1_fold[cp - 0xC0], 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, u, 3);
	} else if (cp < 0x110000) {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, u, 4);
	}
}

/* decode the entity at s[0] == '&'; returns bytes consumed, 0 if none */
static size_t
entity_decode(const char *s, size_t len, unsigned int *cp)
{
	size_t		 i, end;
	unsigned long	 v;
	char		 name[12], *ep;

	for (end = 1; end < len && end < 12 && s[end] != ';'; end++)
		;
	if (end >= len || s[end] != ';' || end < 2)
		return 0;
	memcpy(name, s + 1, end - 1);
	name[end - 1] = '\0';
	if (name[0] == '#') {
		if (name[1] == 'x' || name[1] == 'X')
			v = strtoul(name + 2, &ep, 16);
		else
			v = strtoul(name + 1, &ep, 10);
		if (*ep != '\0' || ep == name + 1 || v == 0 || v > 0x10FFFF)
			return 0;
		*cp = (unsigned int)v;
		return end + 1;
	}
	for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
		if (strcmp(name, entities[i].name) == 0) {
			*cp = entities[i].cp;
			return end + 1;
		}
	return 0;
}

/* skip the markup at s[0] == '<' (a comment, a tag, or a whole script
 * or style element); returns the bytes consumed (>= 1) */
static size_t
skip_markup(const char *s, size_t len)
{
	static const char *const raw[] = { "script", "style" };
	const char	*e;
	size_t		 i, n, from = 0;
	char		 close[16];

	if (len >= 4 && memcmp(s, "<!--", 4) == 0) {
		for (i = 4; i + 3 <= len; i++)
			if (memcmp(s + i, "-->", 3) == 0)
				return i + 3;
		return len;
	}
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		n = strlen(raw[i]);
		if (len > n + 1 && strncasecmp(s + 1, raw[i], n) == 0 &&
		    (s[n + 1] == '>' || is_space((unsigned char)s[n + 1]))) {
			snprintf(close, sizeof(close), "</%s", raw[i]);
			if ((e = ci_find(s, len, close)) == NULL)
				return len;
			from = (size_t)(e - s);
			break;
		}
	}
	e = memchr(s + from, '>', len - from);
	return e == NULL ? len : (size_t)(e - s) + 1;
}

/*
 * html_text: the visible text of s[0..len) into out (reset first):
 * comments, scripts, styles and tags dropped (a tag counts as a space),
 * entities decoded, white space collapsed and trimmed; with fold, ASCII
 * lowercase and accents removed (UTF-8 or stray Latin-1 bytes).
 */
static void
html_text(const char *s, size_t len, int fold, struct buf *out)
{
	size_t		 i = 0, n;
	unsigned int	 cp;
	unsigned char	 c, d;

	buf_reset(out);
	buf_append(out, "", 0);
	while (i < len) {
		c = (unsigned char)s[i];
		if (c == '<') {
			i += skip_markup(s + i, len - i);
			put_space(out);
			continue;
		}
		if (c == '&' && (n = entity_decode(s + i, len - i, &cp)) > 0) {
			put_cp(out, cp, fold);
			i += n;
			continue;
		}
		if (c < 0x80) {
			put_cp(out, c, fold);
			i++;
			continue;
		}
		d = i + 1 < len ? (unsigned char)s[i + 1] : 0;
		if (c == 0xC2 && d == 0xA0) {
			put_space(out);
			i += 2;
		} else if (fold && c == 0xC3 && (d & 0xC0) == 0x80) {
			put_cp(out, 0xC0u + (d - 0x80u), fold);
			i += 2;
		} else if (fold && c >= 0xC0 && (d & 0xC0) != 0x80) {
			put_cp(out, c, fold);	/* a Latin-1 byte */
			i++;
		} else {
			buf_append(out, s + i, 1);
			i++;
		}
	}
	while (out->len > 0 && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
}

/* b's text with U+FFFD for every byte that starts no well-formed UTF-8
 * character, strictly (overlong forms, surrogates, also from a numeric
 * entity): values end up in MariaDB, JSON and CSV */
static void
utf8_repair_buf(struct buf *b)
{
	char	*fixed = utf8_repair(b->data, strlen(b->data));

	buf_reset(b);
	buf_puts(b, fixed);
	free(fixed);
}

/* s without its HTML comments, into out */
static void
strip_comments(const char *s, size_t len, struct buf *out)
{
	size_t	 i = 0, j;

	buf_reset(out);
	buf_append(out, "", 0);
	while (i < len) {
		if (i + 4 <= len && memcmp(s + i, "<!--", 4) == 0) {
			for (j = i + 4; j + 3 <= len; j++)
				if (memcmp(s + j, "-->", 3) == 0)
					break;
			i = j + 3 <= len ? j + 3 : len;
			continue;
		}
		buf_append(out, s + i, 1);
		i++;
	}
}

static int
has_any(const struct buf *text, const char *const *needles)
{
	for (; *needles != NULL; needles++)
		if (text->data != NULL &&
		    strstr(text->data, *needles) != NULL)
			return 1;
	return 0;
}

/*
 * The rows of the status table kept: the label (folded: lowercase, no
 * accents), the member of struct cep_status that keeps the text, and
 * its key in cep_status_json() (NULL: monto, written from monto_cents).
 * In the JSON's key order.
 */
#define ST(m)	offsetof(struct cep_status, m)
static const struct {
	const char	*label;
	size_t		 off;		/* of a char * member */
	const char	*key;
} status_rows[] = {
	{ "numero de referencia", ST(referencia), "referencia" },
	{ "clave de rastreo", ST(clave_rastreo), "clave_rastreo" },
	{ "institucion emisora del pago", ST(emisor), "emisor" },
	{ "institucion receptora del pago", ST(receptor), "receptor" },
	{ "estado del pago en banxico", ST(estado_text), "estado" },
	{ "fecha y hora de recepcion", ST(fecha_recepcion), "fecha_recepcion" },
	{ "fecha y hora de procesamiento", ST(fecha_procesamiento),
	    "fecha_procesamiento" },
	{ "cuenta beneficiaria", ST(cuenta_beneficiaria),
	    "cuenta_beneficiaria" },
	{ "monto", ST(monto), NULL },
};
#undef ST
#define STATUS_ROWS	(sizeof(status_rows) / sizeof(status_rows[0]))

/* the member of st that row i of status_rows names */
static char **
status_slot(struct cep_status *st, size_t i)
{
	return (char **)(void *)((char *)st + status_rows[i].off);
}

/* the same, read only */
static const char *
status_text(const struct cep_status *st, size_t i)
{
	return *(char *const *)(const void *)((const char *)st +
	    status_rows[i].off);
}

void
cep_status_free(struct cep_status *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < STATUS_ROWS; i++)
		free(*status_slot(st, i));
	free(st);
}

/* store one "label | value" row of the status table (first one wins) */
static void
status_row(struct cep_status *st, const char *label, const char *value,
    const char *folded_value)
{
	char	**slot = NULL, *digits;
	size_t	 i, j;

	for (i = 0; i < STATUS_ROWS && slot == NULL; i++)
		if (strcmp(label, status_rows[i].label) == 0)
			slot = status_slot(st, i);
	if (slot == NULL || *slot != NULL)
		return;
	*slot = xstrdup(value);
	if (slot == &st->estado_text) {
		st->estado = CEP_ESTADO_OTRO;
		for (i = 0; i < sizeof(estados) / sizeof(estados[0]); i++)
			if (strcmp(folded_value, estados[i].text) == 0)
				st->estado = estados[i].estado;
	} else if (slot == &st->monto) {
		/* the page may show "1,500.00": drop thousands separators */
		digits = xstrdup(value);
		for (i = j = 0; value[i] != '\0'; i++)
			if (value[i] != ',')
				digits[j++] = value[i];
		digits[j] = '\0';
		if (cep_amount_parse(digits, &st->monto_cents) == -1)
			st->monto_cents = -1;
		free(digits);
	}
}

/* parse the rows <tr><td>label</td><td>value</td></tr> of markup m */
static struct cep_status *
status_table(const struct buf *m)
{
	struct cep_status	*st = xcalloc(1, sizeof(*st));
	struct buf		 label, value, fvalue;
	const char		*p = m->data, *end = m->data + m->len;
	const char		*tr, *tr_end, *cell[2][2], *q;
	int			 n;

	st->estado = CEP_ESTADO_NINGUNO;
	st->monto_cents = -1;
	buf_init(&label);
	buf_init(&value);
	buf_init(&fvalue);
	while ((tr = ci_find(p, (size_t)(end - p), "<tr")) != NULL) {
		if ((tr_end = ci_find(tr, (size_t)(end - tr), "</tr")) == NULL)
			tr_end = end;
		for (n = 0, q = tr; n < 2; n++) {
			if ((q = ci_find(q, (size_t)(tr_end - q), "<td")) == NULL)
				break;
			if ((q = memchr(q, '>', (size_t)(tr_end - q))) == NULL)
				break;
			cell[n][0] = ++q;
			if ((q = ci_find(q, (size_t)(tr_end - q), "</td")) == NULL)
				q = tr_end;
			cell[n][1] = q;
		}
		if (n == 2) {
			html_text(cell[0][0], (size_t)(cell[0][1] - cell[0][0]),
			    1, &label);
			html_text(cell[1][0], (size_t)(cell[1][1] - cell[1][0]),
			    0, &value);
			utf8_repair_buf(&value);
			html_text(cell[1][0], (size_t)(cell[1][1] - cell[1][0]),
			    1, &fvalue);
			status_row(st, label.data, value.data, fvalue.data);
		}
		p = tr_end < end ? tr_end + 1 : end;
	}
	buf_free(&label);
	buf_free(&value);
	buf_free(&fvalue);
	return st;
}

static int
is_weblogic_5xx(const struct buf *text)
{
	return has_any(text, needle_5xx);
}

enum banxico_outcome
cep_classify_valida(long http_status, const char *body, size_t len,
    struct cep_status **status)
{
	struct buf		 text, markup;
	enum banxico_outcome	 o;

	if (status != NULL)
		*status = NULL;
	if (body == NULL)
		len = 0;
	buf_init(&text);
	buf_init(&markup);
	strip_comments(body != NULL ? body : "", len, &markup);
	html_text(body != NULL ? body : "", len, 1, &text);
	if (has_any(&text, needle_throttled))
		o = BANXICO_THROTTLED;
	else if (http_status >= 500 || is_weblogic_5xx(&text))
		o = BANXICO_HTTP_5XX;
	else if (http_status != 200)
		o = BANXICO_UNRECOGNISED;
	else if (has_any(&text, needle_captcha) ||
	    strstr(markup.data, "name=\"varHideCaptcha\" value=\"false\"") != NULL)
		o = BANXICO_CAPTCHA;
	else if (has_any(&text, needle_no_cep_yet)) {
		o = BANXICO_NO_CEP_YET;
		if (status != NULL)
			*status = status_table(&markup);
	} else if (has_any(&text, needle_not_found))
		o = BANXICO_NOT_FOUND;
	else if (strstr(markup.data, "descarga.do?formato=XML") != NULL)
		o = BANXICO_FOUND;
	else
		o = BANXICO_UNRECOGNISED;
	buf_free(&text);
	buf_free(&markup);
	return o;
}

/* does body start (after a UTF-8 BOM and white space) with prefix? */
static int
starts_with(const char *body, size_t len, const char *prefix)
{
	size_t	 i = 0, n = strlen(prefix);

	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && is_space((unsigned char)body[i]))
		i++;
	return len - i >= n && memcmp(body + i, prefix, n) == 0;
}

enum banxico_outcome
cep_classify_descarga(enum cep_format fmt, long http_status,
    const char *body, size_t len)
{
	struct buf		 text;
	enum banxico_outcome	 o;

	if (body == NULL) {
		body = "";
		len = 0;
	}
	if (http_status == 200 && fmt == CEP_FORMAT_XML &&
	    (starts_with(body, len, "<?xml") ||
	    starts_with(body, len, "<SPEI_Tercero")))
		return BANXICO_FOUND;
	if (http_status == 200 && fmt == CEP_FORMAT_PDF &&
	    len >= 5 && memcmp(body, "%PDF-", 5) == 0)
		return BANXICO_FOUND;
	buf_init(&text);
	html_text(body, len, 1, &text);
	if (has_any(&text, needle_throttled))
		o = BANXICO_THROTTLED;
	else if (http_status >= 500 || is_weblogic_5xx(&text))
		o = BANXICO_HTTP_5XX;
	else if (http_status != 200)
		o = BANXICO_UNRECOGNISED;
	else if (has_any(&text, needle_captcha))
		o = BANXICO_CAPTCHA;
	else if (has_any(&text, needle_not_found))
		o = BANXICO_NOT_FOUND;
	else
		o = BANXICO_UNRECOGNISED;
	buf_free(&text);
	return o;
}

json_t *
cep_status_json(const struct cep_status *st)
{
	json_t	*o = json_object();
	char	 m[32];
	size_t	 i;

	for (i = 0; i < STATUS_ROWS; i++)
		if (status_rows[i].key != NULL)
			json_object_set_new(o, status_rows[i].key,
			    json_str_or_null(status_text(st, i)));
	json_object_set_new(o, "monto", st->monto_cents >= 0 ?
	    json_string(cep_cents_format(st->monto_cents, m, sizeof(m))) :
	    json_null());
	return o;
}

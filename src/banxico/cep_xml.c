/*
 * mxcep: the CEP XML (descarga.do?formato=XML) parser, with libxml2:
 * from memory only, no network, no DTD, no entity substitution,
 * size-capped. This file reads the document's structure and attributes
 * (cep_attrs.c lists them); cep_check.c checks them (cep_int.h). Layout and field meanings:
 * shared/data/cep/CEP-XML.md.
 * The seal cannot be verified locally (Banxico's key is not public), so
 * trust comes from fetching the XML from Banxico in the session of a
 * matching valida.do, from its attributes agreeing with the signed
 * cadenaCDA, and from the CEP matching the query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "banxico/banxico.h"
#include "banxico/cep_int.h"
#include "util/util.h"

#define CEP_CADENA_MIN_FIELDS	23	/* 2019: 23, 2022: 30, 2024: 47 */
/* a CEP element has at most about a dozen attributes; libxml2's check
 * for duplicates is quadratic (25,000 on one element: 3.4 s of CPU) */
#define CEP_XML_MAX_ATTRS	64

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

/* where the markup at s[i] == '<' ends (past it), for a comment, a
 * CDATA section or a processing instruction; len when unterminated */
static size_t
skip_special(const char *s, size_t len, size_t i)
{
	const char	*close;
	size_t		 clen;

	if (i + 4 <= len && memcmp(s + i, "<!--", 4) == 0)
		close = "-->";
	else if (i + 9 <= len && memcmp(s + i, "<![CDATA[", 9) == 0)
		close = "]]>";
	else
		close = "?>";	/* "<?" */
	clen = strlen(close);
	for (i += 2; i + clen <= len; i++)
		if (memcmp(s + i, close, clen) == 0)
			return i + clen;
	return len;
}

/*
 * The most attributes one element (start tag) has: '=' outside quoted
 * values between '<' and '>', comments, CDATA and PIs skipped. Stops
 * counting past max + 1.
 */
static size_t
max_attrs(const char *s, size_t len, size_t max)
{
	size_t	 i = 0, n, most = 0;
	char	 q;

	while (i < len) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		if (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?')) {
			i = skip_special(s, len, i);
			continue;
		}
		for (n = 0, q = '\0', i++; i < len; i++) {
			if (q != '\0') {
				if (s[i] == q)
					q = '\0';
			} else if (s[i] == '"' || s[i] == '\'')
				q = s[i];
			else if (s[i] == '=')
				n++;
			else if (s[i] == '>')
				break;
		}
		if (n > most && (most = n) > max)
			break;
	}
	return most;
}

/*
 * Refuse before libxml2 sees it: anything but UTF-8 text starting with
 * '<' (a UTF-16 file could hide a DOCTYPE from the byte scan), any DTD
 * or entity declaration (the CEP has none; this stops XXE and entity
 * expansion at the door), and an element with more attributes than a
 * CEP has (CEP_XML_MAX_ATTRS).
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
		return cep_fail(err, CEP_XML_MALFORMED,
		    "not an XML document (or not UTF-8)");
	for (; i + 9 <= len; i++)
		if (s[i] == '<' && s[i + 1] == '!' &&
		    (memcmp(s + i, "<!DOCTYPE", 9) == 0 ||
		    memcmp(s + i, "<!ENTITY", 8) == 0))
			return cep_fail(err, CEP_XML_MALFORMED,
			    "DTD or entity declarations are not allowed");
	if (max_attrs(s, len, CEP_XML_MAX_ATTRS) > CEP_XML_MAX_ATTRS)
		return cep_fail(err, CEP_XML_MALFORMED,
		    "an element has more than %d attributes",
		    CEP_XML_MAX_ATTRS);
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
		return cep_fail(err, CEP_XML_INVALID,
		    "root element is not SPEI_Tercero");
	el[E_ROOT] = root;
	for (n = root->children; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE) {
			if (!xmlIsBlankNode(n))
				return cep_fail(err, CEP_XML_INVALID,
				    "unexpected text in SPEI_Tercero");
			continue;
		}
		if (n->type == XML_COMMENT_NODE)
			continue;
		if (n->type != XML_ELEMENT_NODE)
			return cep_fail(err, CEP_XML_INVALID,
			    "unexpected node in SPEI_Tercero");
		if (strcmp((const char *)n->name, "Beneficiario") == 0)
			i = E_BENEF;
		else if (strcmp((const char *)n->name, "Ordenante") == 0)
			i = E_ORD;
		else
			return cep_fail(err, CEP_XML_INVALID,
			    "unexpected element %.40s", (const char *)n->name);
		if (el[i] != NULL)
			return cep_fail(err, CEP_XML_INVALID, "%s appears twice",
			    cep_elem_names[i]);
		if (n->children != NULL)
			return cep_fail(err, CEP_XML_INVALID, "%s is not empty",
			    cep_elem_names[i]);
		el[i] = n;
	}
	for (i = E_BENEF; i <= E_ORD; i++)
		if (el[i] == NULL)
			return cep_fail(err, CEP_XML_INVALID, "%s is missing",
			    cep_elem_names[i]);
	for (i = 0; i < A__MAX; i++) {
		r->v[i] = attr_copy(el[cep_attrs[i].elem], cep_attrs[i].name);
		if (r->v[i] != NULL)
			continue;
		/* the signature material gone is tampering, not a typo */
		if (i == A_SELLO || i == A_CERT || i == A_CADENA)
			return cep_fail(err, CEP_XML_ALTERED, "%s/@%s was removed",
			    cep_elem_names[cep_attrs[i].elem], cep_attrs[i].name);
		return cep_fail(err, CEP_XML_INVALID, "%s/@%s is missing",
		    cep_elem_names[cep_attrs[i].elem], cep_attrs[i].name);
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
		return cep_fail(err, CEP_XML_INVALID,
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
		return cep_fail(err, CEP_XML_INVALID,
		    "cadenaCDA has %zu fields, not the CEP layout", r->nf);
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
		cep_fail(err, CEP_XML_MALFORMED, "parser unavailable");
		goto out;
	}
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, "cep.xml", NULL, opts);
	if (doc == NULL || !ctxt->wellFormed) {
		e = xmlCtxtGetLastError(ctxt);
		cep_fail(err, CEP_XML_MALFORMED, "not well-formed: line %d: %.120s",
		    e != NULL ? e->line : 0, e != NULL && e->message != NULL ?
		    e->message : "error");
		/* drop libxml2's trailing newline */
		err->detail[strcspn(err->detail, "\n")] = '\0';
		xmlFreeDoc(doc);
		doc = NULL;
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		cep_fail(err, CEP_XML_MALFORMED, "a DTD is not allowed");
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
		cep_fail(err, CEP_XML_TOO_LARGE, "XML of %zu bytes exceeds %d",
		    len, CEP_XML_MAX_BYTES);
		goto out;
	}
	if (data == NULL || len == 0) {
		cep_fail(err, CEP_XML_MALFORMED, "empty document");
		goto out;
	}
	if (prescan(data, len, err) == -1)
		goto out;
	if ((doc = parse_doc(data, len, err)) == NULL)
		goto out;
	if (read_structure(doc, &r, err) == -1 ||
	    split_cadena(&r, err) == -1 || cep_check_cadena(&r, err) == -1)
		goto out;
	c = xcalloc(1, sizeof(*c));
	if (cep_check_types(&r, c, err) == -1) {
		cep_free(c);
		c = NULL;
	}
out:
	xmlFreeDoc(doc);
	raw_free(&r);
	return c;
}

/*
 * mxcep: the Banxico CEP client. It speaks the public portal's protocol
 * (shared/data/cep/PROTOCOL.md): POST valida.do, then GET descarga.do
 * for the XML and the PDF in the same cookie session; it classifies
 * every answer, and parses and checks the CEP XML (CEP-XML.md).
 * client.c is the only file of the project that calls curl for Banxico.
 *
 * Base URLs (config key banxico_url):
 *   https://www.banxico.org.mx/cep/        the real portal (default)
 *   https://www.banxico.org.mx/cep-beta/   Banxico's "beta" with test data
 * A trailing slash is optional; "valida.do" and "descarga.do" are
 * appended to it.
 */
#ifndef MXCEP_BANXICO_H
#define MXCEP_BANXICO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/util.h"

/*
 * The outcome of one query: exactly one of these, never "unknown".
 *   FOUND         valida.do offered the download links, the XML came,
 *                 it is well formed, consistent with its signed
 *                 cadenaCDA, and it matches the query
 *   NOT_FOUND     "Operación no encontrada" (2019/2025) or "[BE] No se
 *                 encontró ningún pago" (2025): no such payment
 *   NO_CEP_YET    "Con la información proporcionada se identificó el
 *                 siguiente pago": the payment exists, no CEP (yet);
 *                 answer.status holds the table (estado "Liquidado"...)
 *   THROTTLED     "ha excedido el número máximo de consultas" page
 *   CAPTCHA       "La imagen de seguridad no fue ingresada
 *                 correctamente" (the portal wants a captcha: throttling)
 *   HTTP_5XX      a 5xx answer (or the WebLogic "Error 500" page);
 *                 on descarga.do usually "CEP not ready yet"
 *   UNRECOGNISED  any other answer (4xx, foreign redirect, unknown
 *                 page, oversized body); answer.raw keeps the body
 *   UNREACHABLE   connect error, TLS error, timeout, reset
 *   CEP_INVALID   the XML is not well formed, has a DTD, is too big,
 *                 or its structure or a field's type is wrong
 *   CEP_ALTERED   the XML's attributes disagree with its own signed
 *                 cadenaCDA (or the seal/certificate/cadena is missing)
 *   CEP_MISMATCH  a genuine-looking CEP that does not match the query
 *                 (amount, clave de rastreo, account, date)
 *   BAD_QUERY     the query itself is invalid; nothing was sent
 */
enum banxico_outcome {
	BANXICO_FOUND = 0,
	BANXICO_NOT_FOUND,
	BANXICO_NO_CEP_YET,
	BANXICO_THROTTLED,
	BANXICO_CAPTCHA,
	BANXICO_HTTP_5XX,
	BANXICO_UNRECOGNISED,
	BANXICO_UNREACHABLE,
	BANXICO_CEP_INVALID,
	BANXICO_CEP_ALTERED,
	BANXICO_CEP_MISMATCH,
	BANXICO_BAD_QUERY,
	BANXICO_OUTCOME__MAX
};

/* "Estado del pago en Banxico" of the found-but-no-CEP page */
enum cep_estado {
	CEP_ESTADO_EN_PROCESO = 0,
	CEP_ESTADO_LIQUIDADO,
	CEP_ESTADO_CANCELADO,
	CEP_ESTADO_RECHAZADO,
	CEP_ESTADO_EN_PROCESO_DEVOLUCION,
	CEP_ESTADO_DEVUELTO,
	CEP_ESTADO_NO_LIQUIDADO,
	CEP_ESTADO_NO_ENCONTRADO,
	CEP_ESTADO_RETORNADO,
	CEP_ESTADO_OTRO,		/* another text: see estado_text */
	CEP_ESTADO_NINGUNO,		/* no state on the page */
	CEP_ESTADO__MAX
};

/* The table of the found-but-no-CEP page; strings as shown (UTF-8,
 * entities decoded), NULL when the row is absent. */
struct cep_status {
	char		*referencia;		/* Número de Referencia */
	char		*clave_rastreo;
	char		*emisor;		/* Institución emisora del pago */
	char		*receptor;		/* Institución receptora del pago */
	enum cep_estado	 estado;
	char		*estado_text;		/* "Liquidado", ... */
	char		*fecha_recepcion;	/* "06/11/2024 13:23:08" */
	char		*fecha_procesamiento;
	char		*cuenta_beneficiaria;
	char		*monto;			/* as shown, "17584.28" */
	int64_t		 monto_cents;		/* -1 when absent/unparsable */
};

/* One side of the payment, attributes of Ordenante or Beneficiario.
 * Strings are exactly as in the CEP: "NA"/"ND" mean not available. */
struct cep_party {
	char	*banco;		/* BancoEmisor / BancoReceptor (short name) */
	char	*nombre;
	int	 tipo_cuenta;	/* 40 CLABE, 3 card, 10 phone...; -1 = none */
	char	*cuenta;	/* digits, or "NA" */
	char	*rfc;		/* RFC (12/13), CURP (18), "NA" or "ND" */
};

/* A parsed, checked CEP (root SPEI_Tercero). Amounts are integer cents,
 * exact. */
struct cep {
	char		 fecha_operacion[11];	/* "YYYY-MM-DD" (FechaOperacion) */
	char		 fecha_abono[11];	/* "YYYY-MM-DD" from cadenaCDA[4] */
	char		 hora[9];		/* "HH:MM:SS" (Hora) */
	int		 tipo_pago;		/* cadenaCDA[2] */
	char		*clave_spei;		/* ClaveSPEI: receiving participant */
	char		*clave_rastreo;		/* claveRastreo (NOT in cadenaCDA) */
	struct cep_party ordenante;
	struct cep_party beneficiario;
	char		*concepto;
	int64_t		 iva_cents;
	int64_t		 monto_cents;		/* MontoPago */
	char		*numero_certificado;	/* 20 digits */
	char		*sello;			/* base64 */
	char		*cadena_cda;		/* the whole signed string */
};

/* Why cep_xml_parse() refused a document. */
enum cep_xml_error_code {
	CEP_XML_OK = 0,
	CEP_XML_TOO_LARGE,	/* over CEP_XML_MAX_BYTES; not parsed */
	CEP_XML_MALFORMED,	/* not well-formed, DTD/entities, not UTF-8 */
	CEP_XML_INVALID,	/* wrong root/children, missing or mistyped field */
	CEP_XML_ALTERED,	/* attributes disagree with cadenaCDA */
	CEP_XML_ERROR__MAX
};
struct cep_xml_error {
	enum cep_xml_error_code	 code;
	char			 detail[192];	/* human text, "" when OK */
};
#define CEP_XML_MAX_BYTES	(256 * 1024)

/* The query of banxico_query(). All pointers are borrowed. */
enum banxico_criterio {
	BANXICO_CRITERIO_RASTREO = 0,	/* tipoCriterio=T: clave de rastreo */
	BANXICO_CRITERIO_REFERENCIA,	/* tipoCriterio=R: referencia */
	BANXICO_CRITERIO__MAX
};
struct banxico_query {
	enum banxico_criterio	 tipo_criterio;
	const char		*fecha;		/* "YYYY-MM-DD": day the payment was made */
	const char		*criterio;	/* clave (1..30 printable) or ref (1..7 digits) */
	const char		*emisor;	/* participant code of the sender, digits */
	const char		*receptor;	/* participant code of the receiver */
	const char		*cuenta;	/* beneficiary account, digits; for a
						 * "pago a banco" the ordenante's */
	int64_t			 monto_cents;	/* > 0; sent as pesos "123.45" */
	int			 receptor_participante; /* 1 = pago a banco (tipos 4, 31) */
};

/* Everything one query produced. Owned by the caller; release it with
 * banxico_answer_free(). */
struct banxico_answer {
	enum banxico_outcome	 outcome;
	long			 http_status;	/* of the deciding answer; 0 = none */
	struct cep_status	*status;	/* NO_CEP_YET table, else NULL */
	struct buf		 xml;		/* CEP XML bytes (data NULL = none) */
	struct buf		 pdf;		/* CEP PDF bytes (data NULL = none) */
	enum banxico_outcome	 pdf_outcome;	/* FOUND when pdf holds the PDF */
	struct buf		 raw;		/* body of an UNRECOGNISED answer */
	struct cep		*cep;		/* parsed CEP (FOUND, CEP_MISMATCH) */
	char			 detail[256];	/* short human explanation */
	long			 elapsed_ms;	/* whole query, wall time */
};

/* classify.c: pure functions, no I/O */
/*
 * cep_classify_valida: what a valida.do answer (status, body) means.
 * Order: THROTTLED, HTTP_5XX, non-200 = UNRECOGNISED, CAPTCHA,
 * NO_CEP_YET (its page also describes the state "No encontrado", so it
 * must win over NOT_FOUND), NOT_FOUND, FOUND (a descarga.do?formato=XML
 * link outside comments), else UNRECOGNISED. Matching ignores case,
 * accents, HTML entities, tags, comments and line breaks.
 * On NO_CEP_YET and when status != NULL, *status gets a new table
 * (free it with cep_status_free()); otherwise *status is set to NULL.
 */
enum banxico_outcome cep_classify_valida(long http_status, const char *body,
	    size_t len, struct cep_status **status);
enum cep_format {
	CEP_FORMAT_XML = 0,
	CEP_FORMAT_PDF,
	CEP_FORMAT__MAX
};
/*
 * cep_classify_descarga: what a descarga.do?formato=fmt answer means.
 * A 200 that starts like the expected document ("<?xml"/"<SPEI_Tercero",
 * "%PDF-") is FOUND before any page text is looked at, so text inside a
 * CEP (its Concepto) can never make it look throttled; then THROTTLED,
 * HTTP_5XX, non-200 = UNRECOGNISED, CAPTCHA, NOT_FOUND, UNRECOGNISED.
 */
enum banxico_outcome cep_classify_descarga(enum cep_format, long http_status,
	    const char *body, size_t len);
void	 cep_status_free(struct cep_status *);	/* NULL is a no-op */
/* cep_status_json: {"referencia","clave_rastreo","emisor","receptor",
 * "estado","fecha_recepcion","fecha_procesamiento","cuenta_beneficiaria",
 * "monto"}; absent rows are null; "monto" is a "123.45" string. New ref. */
json_t	*cep_status_json(const struct cep_status *);
const char *banxico_outcome_name(enum banxico_outcome);	/* "found", ... */
const char *cep_estado_name(enum cep_estado);		/* "liquidado", ... */

/* cep_xml.c (the document), cep_check.c (its checks), cep_match.c (the
 * query, JSON): libxml2, no network, no DTD, no entity substitution */
/*
 * cep_xml_parse: parse and check a CEP XML held in memory (len bytes).
 * Returns a new struct cep (free with cep_free()), or NULL with *err
 * filled in; err may not be NULL. Checks, in this order: size, UTF-8
 * text without DTD, well-formedness, root SPEI_Tercero with exactly one
 * Beneficiario and one Ordenante, the attributes present, each attribute
 * equal to its field of cadenaCDA (else CEP_XML_ALTERED), then every
 * field's type (dates, time, amounts with at most 2 decimals, accounts
 * per TipoCuenta, RFC/CURP shapes, participant code, certificate, seal).
 * claveRastreo is not part of cadenaCDA: only matching the query can
 * check it (cep_match_query()).
 */
struct cep *cep_xml_parse(const void *data, size_t len, struct cep_xml_error *err);
void	 cep_free(struct cep *);		/* NULL is a no-op */
/*
 * cep_match_query: does the CEP answer this query? Compares the amount
 * (to the cent), the clave de rastreo (tipo T, ASCII case-insensitive;
 * the XML carries no referencia), the date (query fecha equals the
 * cadenaCDA abono date or FechaOperacion), and the account: the
 * beneficiary's, or, for a pago a banco (receptor_participante = 1 or
 * beneficiary account "NA"), the ordenante's. Returns 0 when it matches,
 * -1 with a reason in detail (size n) otherwise.
 */
int	 cep_match_query(const struct cep *, const struct banxico_query *,
	    char *detail, size_t n);
/*
 * cep_json: the CEP as the API's banxico_result (new reference):
 * {"fecha_operacion":"2024-11-08","fecha_abono":"2024-11-08",
 *  "hora":"10:53:36","tipo_pago":1,"clave_spei":"90723",
 *  "clave_rastreo":"...","ordenante":{"banco","nombre","tipo_cuenta",
 *  "cuenta","rfc"},"beneficiario":{"banco","nombre","tipo_cuenta",
 *  "cuenta","rfc","concepto","iva","monto"},"numero_certificado",
 *  "sello","cadena_cda"}
 * Amounts ("iva", "monto") are strings with exactly two decimals
 * ("9858.70"), exact to the cent; tipo_cuenta is an integer, -1 = none;
 * other strings exactly as in the CEP ("NA"/"ND" kept).
 */
json_t	*cep_json(const struct cep *);
/* cep_cents_format: cents as "1234.56" into buf (size >= 24); returns buf */
char	*cep_cents_format(int64_t cents, char *buf, size_t n);
/* cep_amount_parse: "3414.95", "9858.7", "300", "000000000000008.17"
 * (digits, optional '.' and 1 or 2 decimals, no sign, no separators)
 * into exact cents; 0 ok, -1 malformed or too large */
int	 cep_amount_parse(const char *, int64_t *cents);
/* cep_date_valid: 1 when s is a calendar date "YYYY-MM-DD" (1900-2999) */
int	 cep_date_valid(const char *s);

/* client.c */
struct banxico;
/*
 * banxico_new: one client per process, created after fork: one CURL
 * handle kept alive across queries. Borrows cfg (banxico_url and the two
 * timeouts), which must outlive the client. Returns NULL (logged) when
 * banxico_url is not an http(s) URL or curl cannot be initialised.
 */
struct banxico *banxico_new(const struct config *cfg);
void	 banxico_free(struct banxico *);	/* NULL is a no-op */
/*
 * banxico_query: one full query: cookies cleared, POST valida.do, and
 * when it offers the CEP, GET descarga.do?formato=XML then (FOUND or
 * CEP_MISMATCH only) descarga.do?formato=PDF in the same session; all
 * under one deadline of banxico_timeout_ms (connects capped by
 * banxico_connect_timeout_ms). Redirects are followed only to the same
 * host (http->https allowed, never https->http), at most 3; no proxy.
 * A PDF failure does not change the outcome (see pdf_outcome).
 * Fills *a (initialised here; release with banxico_answer_free()).
 * Returns 0, or -1 when the query is invalid (a->outcome BAD_QUERY,
 * nothing sent).
 */
int	 banxico_query(struct banxico *, const struct banxico_query *,
	    struct banxico_answer *a);
void	 banxico_answer_free(struct banxico_answer *);	/* leaves it empty */
/* banxico_form_body: the urlencoded valida.do body for q, fields in the
 * portal's order; returns a new string, or NULL (detail set) if invalid */
char	*banxico_form_body(const struct banxico_query *q, char *detail, size_t n);

#endif /* MXCEP_BANXICO_H */

/*
 * mxcep: what Banxico's answer means for a validation (spec 001). Pure:
 * no I/O, so every outcome can be checked without Banxico or MariaDB.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banxico/banxico.h"
#include "store/store.h"
#include "work/work.h"

/* What each Banxico outcome means for the validation (spec 001). */
static const struct {
	enum validation_status	 status;
	const char		*error_code;	/* NULL for valid/not_found */
	const char		*message;
} outcome_map[BANXICO_OUTCOME__MAX] = {
	[BANXICO_FOUND] = { VALIDATION_STATUS_VALID, NULL, NULL },
	[BANXICO_NOT_FOUND] = { VALIDATION_STATUS_NOT_FOUND, NULL, NULL },
	[BANXICO_NO_CEP_YET] = { VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "cep_not_yet_available", "Banxico knows the payment but has no "
	    "CEP for it yet" },
	[BANXICO_THROTTLED] = { VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "banxico_throttled", "Banxico refused more queries for now" },
	[BANXICO_CAPTCHA] = { VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "banxico_throttled", "Banxico asked for a captcha (throttling)" },
	[BANXICO_HTTP_5XX] = { VALIDATION_STATUS_ERROR,
	    "banxico_http_error", "Banxico answered with a server error" },
	[BANXICO_UNRECOGNISED] = { VALIDATION_STATUS_ERROR,
	    "banxico_unrecognised_answer", "Banxico's answer was not "
	    "recognised; it is kept for review" },
	[BANXICO_UNREACHABLE] = { VALIDATION_STATUS_CEP_UNAVAILABLE,
	    "banxico_unreachable", "Banxico could not be reached in time" },
	[BANXICO_CEP_INVALID] = { VALIDATION_STATUS_ERROR,
	    "cep_xml_invalid", "the CEP XML Banxico served is not valid" },
	[BANXICO_CEP_ALTERED] = { VALIDATION_STATUS_FAILED,
	    "cep_xml_altered", "the CEP XML disagrees with its signed "
	    "cadenaCDA" },
	[BANXICO_CEP_MISMATCH] = { VALIDATION_STATUS_FAILED,
	    "cep_mismatch", "the CEP does not match the transfer asked for" },
	[BANXICO_BAD_QUERY] = { VALIDATION_STATUS_INVALID,
	    "invalid_query", "the transfer data cannot be sent to Banxico" },
};

void
work_query_of(const struct validation *v, struct banxico_query *q)
{
	memset(q, 0, sizeof(*q));
	if (v->clave_rastreo != NULL && v->clave_rastreo[0] != '\0') {
		q->tipo_criterio = BANXICO_CRITERIO_RASTREO;
		q->criterio = v->clave_rastreo;
	} else {
		q->tipo_criterio = BANXICO_CRITERIO_REFERENCIA;
		q->criterio = v->referencia;
	}
	q->fecha = v->fecha;
	q->emisor = v->emisor;
	q->receptor = v->receptor;
	q->cuenta = v->cuenta;
	q->monto_cents = v->monto_cents;
	q->receptor_participante = 0;
}

/* banxico_result: {"outcome","http_status","detail","cep","payment"} */
static char *
outcome_result_json(const struct banxico_answer *a)
{
	json_t	*o;
	char	*s;

	o = json_pack("{s:s, s:I, s:s, s:o, s:o}",
	    "outcome", banxico_outcome_name(a->outcome),
	    "http_status", (json_int_t)a->http_status,
	    "detail", a->detail,
	    "cep", a->cep != NULL ? cep_json(a->cep) : json_null(),
	    "payment", a->status != NULL ? cep_status_json(a->status) :
	    json_null());
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* 1 when s is 1..max characters of class pred (the API's own rules
 * for a clave de rastreo and a referencia numérica) */
static int
outcome_id_ok(const char *s, size_t max, int (*pred)(int))
{
	size_t	 n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if (!pred((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * The identifier the client did not give, as Banxico told it: a
 * validation made by referencia gets its clave de rastreo from the CEP
 * (claveRastreo) or from the "pago identificado" table; one made by
 * clave gets its referencia from that table (the CEP XML carries none).
 * Only an answer that matched the query counts (FOUND, NO_CEP_YET).
 */
static void
outcome_learned_ids(const struct validation *v, const struct banxico_answer *a,
    struct validation_outcome *o)
{
	const char	*clave = NULL, *ref = NULL;

	if (a->outcome == BANXICO_FOUND && a->cep != NULL)
		clave = a->cep->clave_rastreo;
	else if (a->outcome == BANXICO_NO_CEP_YET && a->status != NULL) {
		clave = a->status->clave_rastreo;
		ref = a->status->referencia;
	}
	if (v->clave_rastreo == NULL && outcome_id_ok(clave, 30, isalnum))
		o->clave_rastreo = clave;
	if (v->referencia == NULL && outcome_id_ok(ref, 7, isdigit))
		o->referencia = ref;
}

void
work_outcome_of_answer(const struct validation *v,
    const struct banxico_answer *a, struct validation_outcome *o,
    char *state, size_t state_len, char **result)
{
	o->status = outcome_map[a->outcome].status;
	o->error_code = outcome_map[a->outcome].error_code;
	o->error_message = outcome_map[a->outcome].message;
	if (a->outcome == BANXICO_NO_CEP_YET && a->status != NULL &&
	    a->status->estado_text != NULL) {
		/* Banxico's text: whole characters only, as many as the
		 * column holds (a cut one makes MariaDB refuse the write) */
		utf8_copy(state, state_len, a->status->estado_text,
		    strlen(a->status->estado_text), WORK_BANXICO_STATUS_CHARS);
		o->banxico_status = state;
	} else
		o->banxico_status = banxico_outcome_name(a->outcome);
	o->banxico_result = *result = outcome_result_json(a);
	outcome_learned_ids(v, a, o);
	o->has_cep = a->outcome == BANXICO_FOUND && a->xml.data != NULL;
	if (o->has_cep) {
		o->xml = a->xml.data;
		o->xml_len = a->xml.len;
		o->pdf = a->pdf.data;
		o->pdf_len = a->pdf.len;
	}
	if (a->raw.data != NULL) {
		o->raw = a->raw.data;
		o->raw_len = a->raw.len;
	}
}

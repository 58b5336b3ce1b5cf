/*
 * mxcep: a checked CEP (cep_xml.c) against the query it should answer,
 * and as the API's banxico_result; amounts as exact "1234.56" text.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "banxico/banxico.h"
#include "core/core.h"
#include "util/util.h"

/* core/money.c's text, into the caller's buffer */
char *
cep_cents_format(int64_t cents, char *buf, size_t n)
{
	char	 m[MONEY_FMT_SIZE];

	snprintf(buf, n, "%s", money_format(cents, m));
	return buf;
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

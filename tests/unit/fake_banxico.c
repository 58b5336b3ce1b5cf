/*
 * mxcep: a fake Banxico client (see fakes.h): stands in for
 * src/banxico/client.c, the only file that talks to the portal. The
 * answer's parsers and names (classify.c, cep_xml.c) are the real ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"
#include "fakes.h"

struct fake_banxico fake_banxico;

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct cep_status *
fake_cep_status(const char *estado_text, const char *clave_rastreo,
    const char *referencia)
{
	struct cep_status	*st = xcalloc(1, sizeof(*st));

	st->estado = CEP_ESTADO_OTRO;
	st->estado_text = dup_or_null(estado_text);
	st->clave_rastreo = dup_or_null(clave_rastreo);
	st->referencia = dup_or_null(referencia);
	st->monto_cents = -1;
	return st;
}

struct banxico *
banxico_new(const struct config *cfg)
{
	(void)cfg;
	fail_msg("%s: not expected in this test", __func__);
	return NULL;
}

void
banxico_free(struct banxico *b)
{
	(void)b;
	fail_msg("%s: not expected in this test", __func__);
}

int
banxico_query(struct banxico *b, const struct banxico_query *q,
    struct banxico_answer *a)
{
	const struct cep_status	*s = fake_banxico.status;

	(void)b;
	fake_banxico.calls++;
	fake_banxico.query = *q;
	snprintf(fake_banxico.criterio, sizeof(fake_banxico.criterio), "%s",
	    q->criterio != NULL ? q->criterio : "");
	memset(a, 0, sizeof(*a));
	a->outcome = fake_banxico.outcome;
	a->pdf_outcome = BANXICO_UNRECOGNISED;
	a->http_status = fake_banxico.http_status;
	snprintf(a->detail, sizeof(a->detail), "fake: %s",
	    banxico_outcome_name(a->outcome));
	if (s != NULL)
		a->status = fake_cep_status(s->estado_text, s->clave_rastreo,
		    s->referencia);
	if (fake_banxico.xml != NULL)
		buf_puts(&a->xml, fake_banxico.xml);
	if (fake_banxico.cep_clave != NULL) {
		a->cep = xcalloc(1, sizeof(*a->cep));
		a->cep->clave_rastreo = xstrdup(fake_banxico.cep_clave);
		a->cep->ordenante.tipo_cuenta = -1;
		a->cep->beneficiario.tipo_cuenta = -1;
	}
	if (a->outcome == BANXICO_UNRECOGNISED)
		buf_puts(&a->raw, "<html>something else</html>");
	return a->outcome == BANXICO_BAD_QUERY ? -1 : 0;
}

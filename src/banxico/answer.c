/*
 * mxcep: releasing a Banxico answer. Apart from the client (curl), so
 * that code which only reads answers, and the unit tests' fake client,
 * link it without the client.
 */
#include <string.h>

#include "banxico/banxico.h"

void
banxico_answer_free(struct banxico_answer *a)
{
	if (a == NULL)
		return;
	cep_status_free(a->status);
	cep_free(a->cep);
	buf_free(&a->xml);
	buf_free(&a->pdf);
	buf_free(&a->raw);
	memset(a, 0, sizeof(*a));
	a->outcome = BANXICO_UNRECOGNISED;
	a->pdf_outcome = BANXICO_UNRECOGNISED;
}

/*
 * mxcep: GET /v1/validations/{id}/cep?format=xml|pdf: the CEP exactly
 * as Banxico served it, kept as the proof of the transfer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

int
api_cep_get(struct request *req, struct response *resp)
{
	struct validation	*v = NULL;
	char			*fmt, *data = NULL, name[96];
	size_t			 len = 0;
	int			 pdf, status;

	fmt = request_query_get(req, "format");
	if (fmt != NULL && strcmp(fmt, "xml") != 0 && strcmp(fmt, "pdf") != 0) {
		free(fmt);
		return response_error(resp, 400, "invalid_parameter",
		    "format is xml (the default) or pdf", NULL, "format");
	}
	pdf = fmt != NULL && strcmp(fmt, "pdf") == 0;
	free(fmt);
	if ((status = api_validation_load(req, resp, &v)) != 0)
		return status;
	if (!v->has_cep || db_cep_document(req->app->db, req->account_id,
	    v->id, pdf, &data, &len) == -1 || data == NULL) {
		status = db_unavailable(req->app->db) ?
		    api_db_error(req, resp) :
		    response_error(resp, 404, "cep_not_available",
		    pdf ? "there is no CEP PDF for this validation" :
		    "there is no CEP XML for this validation", NULL, NULL);
		goto out;
	}
	/* the file name a person would want: tracking key and date */
	snprintf(name, sizeof(name), "cep-%s-%s.%s",
	    v->clave_rastreo != NULL ? v->clave_rastreo :
	    (v->referencia != NULL ? v->referencia : v->id), v->fecha,
	    pdf ? "pdf" : "xml");
	resp->status = status = 200;
	resp->content_type = pdf ? "application/pdf" :
	    "application/xml; charset=UTF-8";
	response_header(resp, "Content-Disposition",
	    "attachment; filename=\"%s\"", name);
	response_header(resp, "Cache-Control", "private, max-age=86400");
	response_header(resp, "X-Content-Type-Options", "nosniff");
	buf_reset(&resp->body);
	buf_append(&resp->body, data, len);
out:
	free(data);
	validation_free(v);
	return status;
}

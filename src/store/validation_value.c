/*
 * mxcep: struct validation as a value, without MariaDB: the names of its
 * enums (as stored and as the API spells them), and making, copying and
 * freeing one. Kept apart from the SQL of validations.c so code that
 * only handles records (and the unit tests' fake store) can link it
 * alone.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"

static const char *const type_names[VALIDATION_TYPE__MAX] = {
	"direct", "ocr"
};
static const char *const status_names[VALIDATION_STATUS__MAX] = {
	"queued", "processing", "valid", "not_found", "cep_unavailable",
	"invalid", "failed", "error"
};
static const char *const terminal_names[RETRY_TERMINAL__MAX] = {
	NULL, "pending", "resolved", "exhausted", "cancelled"
};

static int
name_parse(const char *const *names, size_t n, const char *s, size_t *out)
{
	size_t	 i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

const char *
validation_type_name(enum validation_type t)
{
	return (unsigned int)t < VALIDATION_TYPE__MAX ? type_names[t] : NULL;
}

int
validation_type_parse(const char *s, enum validation_type *out)
{
	size_t	 i;

	if (name_parse(type_names, VALIDATION_TYPE__MAX, s, &i) == -1)
		return -1;
	*out = (enum validation_type)i;
	return 0;
}

const char *
validation_status_name(enum validation_status st)
{
	return (unsigned int)st < VALIDATION_STATUS__MAX ? status_names[st] :
	    NULL;
}

int
validation_status_parse(const char *s, enum validation_status *out)
{
	size_t	 i;

	if (name_parse(status_names, VALIDATION_STATUS__MAX, s, &i) == -1)
		return -1;
	*out = (enum validation_status)i;
	return 0;
}

const char *
retry_terminal_name(enum retry_terminal t)
{
	return (unsigned int)t < RETRY_TERMINAL__MAX ? terminal_names[t] : NULL;
}

int
retry_terminal_parse(const char *s, enum retry_terminal *out)
{
	size_t	 i;

	if (s == NULL) {
		*out = RETRY_TERMINAL_NONE;
		return 0;
	}
	if (name_parse(terminal_names, RETRY_TERMINAL__MAX, s, &i) == -1)
		return -1;
	*out = (enum retry_terminal)i;
	return 0;
}

struct validation *
validation_new(void)
{
	struct validation	*v;

	v = xcalloc(1, sizeof(*v));
	v->type = VALIDATION_TYPE_DIRECT;
	v->status = VALIDATION_STATUS_QUEUED;
	v->monto_cents = -1;
	v->processing_time_ms = -1;
	v->enqueued_at_ms = -1;
	v->etag_version = 1;
	v->ocr_confidence = -1;
	v->is_masked = -1;
	v->batch_id = -1;
	v->batch_position = -1;
	v->retry_max_retries = -1;
	v->retry_interval_seconds = -1;
	v->retry_terminal_state = RETRY_TERMINAL_NONE;
	return v;
}

void
validation_free(struct validation *v)
{
	if (v == NULL)
		return;
	free(v->clave_rastreo);
	free(v->referencia);
	free(v->emisor);
	free(v->receptor);
	free(v->cuenta);
	free(v->request_data);
	free(v->banxico_status);
	free(v->image_path);
	free(v->ocr_result);
	free(v->normalized_data);
	free(v->normalization_warnings);
	free(v->banxico_result);
	free(v->error_message);
	free(v->error_code);
	free(v->retry_outcomes);
	free(v);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct validation *
validation_dup(const struct validation *v)
{
	struct validation	*c = xmalloc(sizeof(*c));

	*c = *v;
	c->clave_rastreo = dup_or_null(v->clave_rastreo);
	c->referencia = dup_or_null(v->referencia);
	c->emisor = dup_or_null(v->emisor);
	c->receptor = dup_or_null(v->receptor);
	c->cuenta = dup_or_null(v->cuenta);
	c->request_data = dup_or_null(v->request_data);
	c->banxico_status = dup_or_null(v->banxico_status);
	c->image_path = dup_or_null(v->image_path);
	c->ocr_result = dup_or_null(v->ocr_result);
	c->normalized_data = dup_or_null(v->normalized_data);
	c->normalization_warnings = dup_or_null(v->normalization_warnings);
	c->banxico_result = dup_or_null(v->banxico_result);
	c->error_message = dup_or_null(v->error_message);
	c->error_code = dup_or_null(v->error_code);
	c->retry_outcomes = dup_or_null(v->retry_outcomes);
	return c;
}

/*
 * mxcep: the validations table: one row per verification, every field
 * of spec 001 and 004. Rows are read whole into struct validation; the
 * column order is VALIDATION_COLS in db.c and VALIDATION_FMT here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

/* one letter per column of VALIDATION_COLS (db.c), 46 columns */
#define VALIDATION_FMT \
	"sssiss"	/* id .. fecha (validation_type, status as text) */ \
	"ssssss"	/* clave_rastreo .. monto */ \
	"ssi"		/* request_data, banxico_status, processing_time_ms */ \
	"tttttt"	/* created_at .. expires_at */ \
	"issds"		/* etag_version .. normalized_data */ \
	"sisiss"	/* normalization_warnings .. error_code */ \
	"iiiiisi"	/* batch_id .. retry_attempts_completed */ \
	"tttt"		/* retry_next_attempt_at .. retry_cancelled_at */ \
	"st"		/* retry_terminal_state, deleted_at */ \
	"i"		/* enqueued_at_ms */

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

static void
validation_read(struct dbr *r, struct validation *v)
{
	char	*s;
	size_t	 c = 0;

	dbr_strcpy(r, c++, v->id, sizeof(v->id));
	dbr_strcpy(r, c++, v->account_id, sizeof(v->account_id));
	s = dbr_str(r, c++);
	if (validation_type_parse(s, &v->type) == -1)
		log_warnx("%s: %s: bad validation_type", __func__, v->id);
	free(s);
	v->playground = dbr_i64(r, c++, 0) != 0;
	s = dbr_str(r, c++);
	if (validation_status_parse(s, &v->status) == -1)
		log_warnx("%s: %s: bad status", __func__, v->id);
	free(s);
	dbr_strcpy(r, c++, v->fecha, sizeof(v->fecha));
	v->clave_rastreo = dbr_str(r, c++);
	v->referencia = dbr_str(r, c++);
	v->emisor = dbr_str(r, c++);
	v->receptor = dbr_str(r, c++);
	v->cuenta = dbr_str(r, c++);
	s = dbr_str(r, c++);
	v->monto_cents = money_parse_decimal(s);
	free(s);
	v->request_data = dbr_str(r, c++);
	v->banxico_status = dbr_str(r, c++);
	v->processing_time_ms = dbr_i64(r, c++, -1);
	v->created_at = dbr_time(r, c++);
	v->updated_at = dbr_time(r, c++);
	v->completed_at = dbr_time(r, c++);
	v->enqueued_at = dbr_time(r, c++);
	v->processing_started_at = dbr_time(r, c++);
	v->expires_at = dbr_time(r, c++);
	v->etag_version = dbr_i64(r, c++, -1);
	v->image_path = dbr_str(r, c++);
	v->ocr_result = dbr_str(r, c++);
	v->ocr_confidence = dbr_double(r, c++, -1);
	v->normalized_data = dbr_str(r, c++);
	v->normalization_warnings = dbr_str(r, c++);
	v->is_masked = (int)dbr_i64(r, c++, -1);
	v->banxico_result = dbr_str(r, c++);
	v->has_cep = dbr_i64(r, c++, 0) != 0;
	v->error_message = dbr_str(r, c++);
	v->error_code = dbr_str(r, c++);
	v->batch_id = dbr_i64(r, c++, -1);
	v->batch_position = dbr_i64(r, c++, -1);
	v->retry_enabled = dbr_i64(r, c++, 0) != 0;
	v->retry_max_retries = dbr_i64(r, c++, -1);
	v->retry_interval_seconds = dbr_i64(r, c++, -1);
	v->retry_outcomes = dbr_str(r, c++);
	v->retry_attempts_completed = dbr_i64(r, c++, 0);
	v->retry_next_attempt_at = dbr_time(r, c++);
	v->retry_resolved_at = dbr_time(r, c++);
	v->retry_exhausted_at = dbr_time(r, c++);
	v->retry_cancelled_at = dbr_time(r, c++);
	s = dbr_str(r, c++);
	if (retry_terminal_parse(s, &v->retry_terminal_state) == -1)
		log_warnx("%s: %s: bad retry_terminal_state", __func__, v->id);
	free(s);
	v->deleted_at = dbr_time(r, c++);
	v->enqueued_at_ms = dbr_i64(r, c++, -1);
}

int
db_validation_create(struct db *db, const struct validation *v)
{
	struct dbp	 p;
	char		 monto[MONEY_FMT_SIZE];

	if (v->monto_cents >= 0)
		money_format(v->monto_cents, monto);
	dbp_init(&p);
	dbp_str(&p, v->id);
	dbp_str(&p, v->account_id);
	dbp_str(&p, validation_type_name(v->type));
	dbp_i64(&p, v->playground ? 1 : 0);
	dbp_str(&p, validation_status_name(v->status));
	dbp_str(&p, v->fecha[0] != '\0' ? v->fecha : NULL);
	dbp_str(&p, v->clave_rastreo);
	dbp_str(&p, v->referencia);
	dbp_str(&p, v->emisor);
	dbp_str(&p, v->receptor);
	dbp_str(&p, v->cuenta);
	dbp_str(&p, v->monto_cents >= 0 ? monto : NULL);
	dbp_str(&p, v->request_data);
	dbp_str(&p, v->banxico_status);
	dbp_i64n(&p, v->processing_time_ms);
	dbp_time(&p, v->created_at);
	dbp_time(&p, v->updated_at != 0 ? v->updated_at : v->created_at);
	dbp_time(&p, v->completed_at);
	dbp_time(&p, v->enqueued_at);
	dbp_time(&p, v->processing_started_at);
	dbp_time(&p, v->expires_at);
	dbp_i64(&p, v->etag_version > 0 ? v->etag_version : 1);
	dbp_str(&p, v->image_path);
	dbp_str(&p, v->ocr_result);
	dbp_doublen(&p, v->ocr_confidence);
	dbp_str(&p, v->normalized_data);
	dbp_str(&p, v->normalization_warnings);
	dbp_i64n(&p, v->is_masked);
	dbp_str(&p, v->banxico_result);
	dbp_i64(&p, v->has_cep ? 1 : 0);
	dbp_str(&p, v->error_message);
	dbp_str(&p, v->error_code);
	dbp_i64n(&p, v->batch_id);
	dbp_i64n(&p, v->batch_position);
	dbp_i64(&p, v->retry_enabled ? 1 : 0);
	dbp_i64n(&p, v->retry_max_retries);
	dbp_i64n(&p, v->retry_interval_seconds);
	dbp_str(&p, v->retry_outcomes);
	dbp_i64(&p, v->retry_attempts_completed > 0 ?
	    v->retry_attempts_completed : 0);
	dbp_time(&p, v->retry_next_attempt_at);
	dbp_time(&p, v->retry_resolved_at);
	dbp_time(&p, v->retry_exhausted_at);
	dbp_time(&p, v->retry_cancelled_at);
	dbp_str(&p, retry_terminal_name(v->retry_terminal_state));
	dbp_time(&p, v->deleted_at);
	dbp_i64n(&p, v->enqueued_at_ms);
	return db_run(db, STMT_VALIDATION_INSERT, &p, NULL, NULL);
}

int
db_validation_get(struct db *db, const char *account_id, const char *id,
    struct validation **out)
{
	struct dbp		 p;
	struct dbr		 r;
	struct validation	*v = NULL;
	int			 rc;

	*out = NULL;
	if (!uuid_valid(id) || !uuid_valid(account_id))
		return 0;
	dbp_init(&p);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_VALIDATION_GET, &p, &r, VALIDATION_FMT) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		v = validation_new();
		validation_read(&r, v);
	}
	dbr_done(&r);
	if (rc == -1) {
		validation_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

int
db_validation_get_any(struct db *db, const char *id, struct validation **out)
{
	struct dbp		 p;
	struct dbr		 r;
	struct validation	*v = NULL;
	int			 rc;

	*out = NULL;
	if (!uuid_valid(id))
		return 0;
	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_VALIDATION_GET_ANY, &p, &r, VALIDATION_FMT) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		v = validation_new();
		validation_read(&r, v);
	}
	dbr_done(&r);
	if (rc == -1) {
		validation_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

int
db_validation_etag(struct db *db, const char *id, int64_t *etag)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	*etag = -1;
	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_VALIDATION_ETAG, &p, &r, "is") == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1)
		*etag = dbr_i64(&r, 0, -1);
	dbr_done(&r);
	return rc == -1 ? -1 : 0;
}

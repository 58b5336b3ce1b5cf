/*
 * mxcep: the validations table: one row per verification, every field
 * of spec 001 and 004. Rows are read into struct validation by one
 * column table (validation_cols.h), whole or the list's columns.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/validation_cols.h"

/* the C type of each kind, checked against struct validation below */
#define VC_CTYPE_VC_TEXT	char *
#define VC_CTYPE_VC_STR		char *
#define VC_CTYPE_VC_TYPE	enum validation_type
#define VC_CTYPE_VC_STATUS	enum validation_status
#define VC_CTYPE_VC_TERMINAL	enum retry_terminal
#define VC_CTYPE_VC_MONEY	int64_t
#define VC_CTYPE_VC_BOOL	int
#define VC_CTYPE_VC_INT		int
#define VC_CTYPE_VC_I64		int64_t
#define VC_CTYPE_VC_COUNT	int64_t
#define VC_CTYPE_VC_TIME	time_t
#define VC_CTYPE_VC_DOUBLE	double
#define VC_CHECK(c, m, k, l, e) \
	_Static_assert(_Generic(((struct validation *)0)->m, \
	    VC_CTYPE_##k: 1, default: 0), \
	    "struct validation." #m " does not hold a " #k);
VALIDATION_COLUMNS(VC_CHECK, VC_CHECK)

/* one column of validation_cols.h: where and how it is held */
static const struct vcol {
	const char	*name;
	enum vc_kind	 kind;
	size_t		 off;		/* in struct validation */
	size_t		 size;
	int		 in[3];		/* in the rows of VC_ROW_* */
} vcols[] = {
#define VC_ROW(c, m, k, l, e) { #c, k, offsetof(struct validation, m), \
	sizeof(((struct validation *)0)->m), { 1, l, e } },
	VALIDATION_COLUMNS(VC_ROW, VC_ROW)
#undef VC_ROW
};
#define N_VCOLS	(sizeof(vcols) / sizeof(vcols[0]))

/* an enum column by name; a bad name is logged and leaves the default */
static void
vcol_read_enum(struct dbr *r, size_t c, const struct vcol *col,
    struct validation *v, void *dst)
{
	char	*s = dbr_str(r, c);
	int	 rc = -1;

	switch (col->kind) {
	case VC_TYPE:
		rc = validation_type_parse(s, dst);
		break;
	case VC_STATUS:
		rc = validation_status_parse(s, dst);
		break;
	default:
		rc = retry_terminal_parse(s, dst);
		break;
	}
	if (rc == -1)
		log_warnx("%s: %s: bad %s", __func__, v->id, col->name);
	free(s);
}

/* column c of the row into its member of v */
static void
vcol_read(struct dbr *r, size_t c, const struct vcol *col,
    struct validation *v)
{
	void	*dst = (char *)v + col->off;
	char	*s;

	switch (col->kind) {
	case VC_TEXT:
		dbr_strcpy(r, c, dst, col->size);
		break;
	case VC_STR:
		*(char **)dst = dbr_str(r, c);
		break;
	case VC_TYPE:
	case VC_STATUS:
	case VC_TERMINAL:
		vcol_read_enum(r, c, col, v, dst);
		break;
	case VC_MONEY:
		s = dbr_str(r, c);
		*(int64_t *)dst = money_parse_decimal(s);
		free(s);
		break;
	case VC_BOOL:
		*(int *)dst = dbr_i64(r, c, 0) != 0;
		break;
	case VC_INT:
		*(int *)dst = (int)dbr_i64(r, c, -1);
		break;
	case VC_I64:
		*(int64_t *)dst = dbr_i64(r, c, -1);
		break;
	case VC_COUNT:
		*(int64_t *)dst = dbr_i64(r, c, 0);
		break;
	case VC_TIME:
		*(time_t *)dst = dbr_time(r, c);
		break;
	case VC_DOUBLE:
		*(double *)dst = dbr_double(r, c, -1);
		break;
	}
}

void
validation_row_read(struct dbr *r, struct validation *v, int which)
{
	size_t	 i, c = 0;

	for (i = 0; i < N_VCOLS; i++)
		if (vcols[i].in[which])
			vcol_read(r, c++, &vcols[i], v);
}

/* column c as the export reads it: text from the buffer dbr_bind_text
 * gave it, borrowed (no allocation per row) */
static void
vcol_borrow(struct dbr *r, size_t c, const struct vcol *col,
    struct validation *v)
{
	void		*dst = (char *)v + col->off;
	const char	*t;
	size_t		 len;
	int		 rc;

	switch (col->kind) {
	case VC_TEXT:
		t = dbr_text(r, c);
		len = t != NULL ? strnlen(t, col->size - 1) : 0;
		if (len > 0)
			memcpy(dst, t, len);
		((char *)dst)[len] = '\0';
		return;
	case VC_STR:
		*(char **)dst = dbr_text(r, c);
		return;
	case VC_MONEY:
		*(int64_t *)dst = money_parse_decimal(dbr_text(r, c));
		return;
	case VC_TYPE:
	case VC_STATUS:
	case VC_TERMINAL:
		t = dbr_text(r, c);
		if (t == NULL)
			t = "";
		if (col->kind == VC_TYPE)
			rc = validation_type_parse(t, dst);
		else if (col->kind == VC_STATUS)
			rc = validation_status_parse(t, dst);
		else
			rc = retry_terminal_parse(t, dst);
		if (rc == -1)
			log_warnx("%s: %s: bad %s", __func__, v->id, col->name);
		return;
	default:
		vcol_read(r, c, col, v);	/* no text */
		return;
	}
}

void
validation_row_borrow(struct dbr *r, struct validation *v)
{
	size_t	 i, c = 0;

	for (i = 0; i < N_VCOLS; i++)
		if (vcols[i].in[VC_ROW_EXPORT])
			vcol_borrow(r, c++, &vcols[i], v);
}

int
validation_row_col(const char *column, int which)
{
	size_t	 i;
	int	 c = 0;

	for (i = 0; i < N_VCOLS; i++) {
		if (!vcols[i].in[which])
			continue;
		if (strcmp(vcols[i].name, column) == 0)
			return c;
		c++;
	}
	return -1;
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
	return db_run(db, STMT_VALIDATION_INSERT, &p, NULL);
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
	if (db_run(db, STMT_VALIDATION_GET, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		v = validation_new();
		validation_row_read(&r, v, VC_ROW_ALL);
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
	if (db_run(db, STMT_VALIDATION_GET_ANY, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		v = validation_new();
		validation_row_read(&r, v, VC_ROW_ALL);
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
	if (db_run(db, STMT_VALIDATION_ETAG, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1)
		*etag = dbr_i64(&r, 0, -1);
	dbr_done(&r);
	return rc == -1 ? -1 : 0;
}

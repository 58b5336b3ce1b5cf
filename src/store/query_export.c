/*
 * mxcep: the export cursor: every row of a filter in list order, read
 * from the server row by row into the cursor's own buffers.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/query.h"

/* a VARCHAR(n) column of utf8mb4 (sql/001_init.sql), NUL included */
#define COL_BYTES(n)	(4 * (n) + 1)

struct validation_cursor {
	struct dbr		 r;
	struct query_bufs	 b;	/* bound text must outlive the run */
	struct dbp		 p;
	struct validation	 row;	/* the current row: its text fields
					   point into the buffers below */
	char			 clave[COL_BYTES(64)];
	char			 referencia[COL_BYTES(32)];
	char			 emisor[COL_BYTES(128)];
	char			 receptor[COL_BYTES(128)];
	char			 cuenta[COL_BYTES(32)];
	char			 banxico_status[COL_BYTES(64)];
	char			 error_code[COL_BYTES(64)];
	char			 monto[MONEY_FMT_SIZE + 8];
	char			 id[UUID_STR_LEN + 1];
	char			 account_id[UUID_STR_LEN + 1];
	char			 type[16];
	char			 status[24];
	char			 fecha[11];
	int			 done;
};

/* the text columns of EXPORT_COLS, fetched straight into the cursor's
 * buffers (dbr_bind_text): no call per column and row */
static int
export_bind(struct validation_cursor *c)
{
	struct {
		size_t	 col;
		char	*buf;
		size_t	 n;
	} t[] = {
		{ 0, c->id, sizeof(c->id) },
		{ 1, c->account_id, sizeof(c->account_id) },
		{ 2, c->type, sizeof(c->type) },
		{ 4, c->status, sizeof(c->status) },
		{ 5, c->fecha, sizeof(c->fecha) },
		{ 6, c->clave, sizeof(c->clave) },
		{ 7, c->referencia, sizeof(c->referencia) },
		{ 8, c->emisor, sizeof(c->emisor) },
		{ 9, c->receptor, sizeof(c->receptor) },
		{ 10, c->cuenta, sizeof(c->cuenta) },
		{ 11, c->monto, sizeof(c->monto) },
		{ 12, c->banxico_status, sizeof(c->banxico_status) },
		{ 16, c->error_code, sizeof(c->error_code) },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (dbr_bind_text(&c->r, t[i].col, t[i].buf, t[i].n) == -1)
			return -1;
	return 0;
}

/* a text column as a C string ("" for SQL NULL) */
static const char *
cursor_word(struct dbr *r, size_t col)
{
	const char	*t = dbr_text(r, col);

	return t != NULL ? t : "";
}

/* a text column into a fixed field of struct validation, cut to fit
 * ("" for SQL NULL): no snprintf for every row of an export */
static void
cursor_copy(char *dst, size_t n, struct dbr *r, size_t col)
{
	const char	*t = cursor_word(r, col);
	size_t		 len = strnlen(t, n - 1);

	memcpy(dst, t, len);
	dst[len] = '\0';
}

/* one export row into c->row, without an allocation: its text fields
 * point into the cursor's buffers */
static void
export_row_read(struct validation_cursor *c)
{
	struct dbr		*r = &c->r;
	struct validation	*v = &c->row;

	memset(v, 0, sizeof(*v));
	cursor_copy(v->id, sizeof(v->id), r, 0);
	cursor_copy(v->account_id, sizeof(v->account_id), r, 1);
	if (validation_type_parse(cursor_word(r, 2), &v->type) == -1)
		log_warnx("%s: %s: bad validation_type", __func__, v->id);
	v->playground = dbr_i64(r, 3, 0) != 0;
	if (validation_status_parse(cursor_word(r, 4), &v->status) == -1)
		log_warnx("%s: %s: bad status", __func__, v->id);
	cursor_copy(v->fecha, sizeof(v->fecha), r, 5);
	v->clave_rastreo = dbr_text(r, 6);
	v->referencia = dbr_text(r, 7);
	v->emisor = dbr_text(r, 8);
	v->receptor = dbr_text(r, 9);
	v->cuenta = dbr_text(r, 10);
	v->monto_cents = money_parse_decimal(dbr_text(r, 11));
	v->banxico_status = dbr_text(r, 12);
	v->created_at = dbr_time(r, 13);
	v->completed_at = dbr_time(r, 14);
	v->has_cep = dbr_i64(r, 15, 0) != 0;
	v->error_code = dbr_text(r, 16);
	v->deleted_at = dbr_time(r, 17);
}

int
db_validation_query_open(struct db *db, const struct validation_filter *f,
    struct validation_cursor **out)
{
	struct validation_cursor	*c;
	uint64_t			 key;
	struct validation_filter	 sf = *f;

	*out = NULL;
	if (search_plan(db, &sf) == -1)
		return -1;
	f = &sf;
	c = xcalloc(1, sizeof(*c));
	key = query_bind(f, QK_EXPORT, &c->p, &c->b);
	if (db_run_composed(db, key, "validation_export", query_compose,
	    &c->p, &c->r, EXPORT_FMT, DB_READ | DB_UNBUFFERED) == -1) {
		free(c);
		return -1;
	}
	if (export_bind(c) == -1) {
		db_validation_query_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

int
db_validation_query_next(struct validation_cursor *c,
    const struct validation **v)
{
	int	 rc;

	*v = NULL;
	if (c->done)
		return 0;
	if ((rc = dbr_fetch(&c->r)) != 1) {
		c->done = 1;
		return rc;
	}
	export_row_read(c);
	*v = &c->row;
	return 1;
}

void
db_validation_query_close(struct validation_cursor *c)
{
	if (c == NULL)
		return;
	dbr_done(&c->r);
	free(c);
}

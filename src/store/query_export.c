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
		const char	*column;
		char		*buf;
		size_t		 n;
	} t[] = {
		{ "id", c->id, sizeof(c->id) },
		{ "account_id", c->account_id, sizeof(c->account_id) },
		{ "validation_type", c->type, sizeof(c->type) },
		{ "status", c->status, sizeof(c->status) },
		{ "fecha", c->fecha, sizeof(c->fecha) },
		{ "clave_rastreo", c->clave, sizeof(c->clave) },
		{ "referencia", c->referencia, sizeof(c->referencia) },
		{ "emisor", c->emisor, sizeof(c->emisor) },
		{ "receptor", c->receptor, sizeof(c->receptor) },
		{ "cuenta", c->cuenta, sizeof(c->cuenta) },
		{ "monto", c->monto, sizeof(c->monto) },
		{ "banxico_status", c->banxico_status,
		    sizeof(c->banxico_status) },
		{ "error_code", c->error_code, sizeof(c->error_code) },
	};
	size_t	 i;
	int	 col;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		col = validation_row_col(t[i].column, VC_ROW_EXPORT);
		if (col == -1 || dbr_bind_text(&c->r, (size_t)col, t[i].buf,
		    t[i].n) == -1) {
			log_warnx("%s: %s: cannot bind", __func__, t[i].column);
			return -1;
		}
	}
	return 0;
}

/* one export row into c->row, without an allocation: its text fields
 * point into the cursor's buffers */
static void
export_row_read(struct validation_cursor *c)
{
	memset(&c->row, 0, sizeof(c->row));
	validation_row_borrow(&c->r, &c->row);
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

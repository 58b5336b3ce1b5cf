/*
 * mxcep: lists, counts, stats and row-by-row exports of validations
 * under a struct validation_filter, plus soft delete and the admin
 * raw view. The statement is composed from the constant fragments
 * below, chosen by the bits of a key (which filters are set, which
 * kind of query); values are only ever bound. Each composition is
 * prepared once per connection (db_run_composed in db.c).
 * Indexes serving each fragment: sql/001_init.sql, sql/004_list_indexes.sql.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

/* the kind of query: the low two bits of the key */
#define QK_LIST		0u	/* list columns, LIMIT ? OFFSET ? */
#define QK_COUNT	1u	/* COUNT(*) */
#define QK_COUNTS	2u	/* status, deleted, COUNT(*) GROUP BY */
#define QK_EXPORT	3u	/* list columns, no LIMIT */
#define QK_MASK		3u

/* one bit per WHERE fragment, in the order they are written */
enum qf {
	QF_ACCOUNT = 0,
	QF_LIVE,
	QF_STATUS_ONE,
	QF_STATUS_SET,
	QF_TYPE,
	QF_CREATED_FROM,
	QF_CREATED_BEFORE,
	QF_FECHA_FROM,
	QF_FECHA_TO,
	QF_SEARCH,
	QF_SEARCH_BANK,
	QF_AMOUNT_MIN,
	QF_AMOUNT_MAX,
	QF_PLAYGROUND,
	QF_RETRY_STATE,
	QF_RETRY_NONE,
	QF__MAX
};
#define QF_BIT(f)	(UINT64_C(1) << ((f) + 2))

/* "status IN (...)" always has this many placeholders (unused ones
 * repeat the first status), so one statement serves every set */
#define STATUS_SET_SLOTS	VALIDATION_STATUS__MAX

static const char *const qf_sql[QF__MAX] = {
	[QF_ACCOUNT] = "account_id = ?",
	[QF_LIVE] = "deleted_at IS NULL",
	[QF_STATUS_ONE] = "status = ?",
	[QF_STATUS_SET] = "status IN (?, ?, ?, ?, ?, ?, ?, ?)",
	[QF_TYPE] = "validation_type = ?",
	[QF_CREATED_FROM] = "created_at >= ?",
	[QF_CREATED_BEFORE] = "created_at < ?",
	[QF_FECHA_FROM] = "fecha >= ?",
	[QF_FECHA_TO] = "fecha <= ?",
	/* the OR stays inside one parenthesis; each branch has an index
	 * led by account_id (index_merge sort_union) */
	[QF_SEARCH] = "(clave_rastreo LIKE ? OR referencia = ?",
	[QF_SEARCH_BANK] = " OR emisor = ? OR receptor = ?",
	[QF_AMOUNT_MIN] = "monto >= ?",
	[QF_AMOUNT_MAX] = "monto <= ?",
	[QF_PLAYGROUND] = "playground = ?",
	[QF_RETRY_STATE] = "retry_terminal_state = ?",
	[QF_RETRY_NONE] = "retry_terminal_state IS NULL",
};

/* the list columns (ValidationListItem, and the export) */
#define LIST_COLS \
	"id, account_id, validation_type, playground, status, fecha, " \
	"clave_rastreo, referencia, emisor, receptor, cuenta, monto, " \
	"banxico_status, created_at, completed_at, etag_version, " \
	"image_path, has_cep, error_code, error_message, retry_enabled, " \
	"retry_attempts_completed, retry_next_attempt_at, " \
	"retry_resolved_at, retry_exhausted_at, retry_cancelled_at, " \
	"retry_terminal_state, deleted_at, updated_at, processing_time_ms"
#define LIST_FMT \
	"sssiss"	/* id .. fecha */ \
	"ssssss"	/* clave_rastreo .. monto */ \
	"sttisiss"	/* banxico_status .. error_message */ \
	"iitttt"	/* retry_enabled .. retry_cancelled_at */ \
	"stti"		/* retry_terminal_state .. processing_time_ms */

/*
 * The indexes a composition may use (FORCE INDEX), so that the plan
 * never depends on statistics: every candidate is led by account_id
 * (ref on the account, never a table scan); among them MariaDB picks
 * by cost, e.g. the ordered live index for a broad status, the status
 * index for a rare one. A search may only use its branch indexes
 * (index_merge sort_union). Across accounts (admin) only the
 * created_at order is available.
 */
static void
query_indexes(uint64_t key, struct buf *sql)
{
	unsigned int	 kind = (unsigned int)(key & QK_MASK);
	int		 live = (key & QF_BIT(QF_LIVE)) != 0;
	const char	*sep = " FORCE INDEX (";

#define IX(name)	do { buf_puts(sql, sep); buf_puts(sql, name); \
			    sep = ", "; } while (0)
	if (!(key & QF_BIT(QF_ACCOUNT))) {
		/* the API layer allows only status, dates and with_deleted
		 * here (api_filter_from_request) */
		IX(live ? "idx_validations_live_created" :
		    "idx_validations_created");
		if (key & (QF_BIT(QF_STATUS_ONE) | QF_BIT(QF_STATUS_SET)))
			IX("idx_validations_status_created");
		buf_puts(sql, ")");
		return;
	}
	if (key & QF_BIT(QF_SEARCH)) {
		IX("idx_validations_account_clave");
		IX("idx_validations_account_referencia");
		if (key & QF_BIT(QF_SEARCH_BANK)) {
			IX("idx_validations_account_emisor");
			IX("idx_validations_account_receptor");
		}
		buf_puts(sql, ")");
		return;
	}
	if (kind == QK_COUNTS)
		IX("idx_validations_account_live_status");
	else
		IX(live ? "idx_validations_account_live" :
		    "idx_validations_account_created");
	if (key & (QF_BIT(QF_STATUS_ONE) | QF_BIT(QF_STATUS_SET)))
		IX(live ? "idx_validations_account_live_status" :
		    "idx_validations_account_status_created");
	if (key & QF_BIT(QF_TYPE))
		IX(live ? "idx_validations_account_live_type" :
		    "idx_validations_account_type_created");
	if (key & QF_BIT(QF_PLAYGROUND))
		IX("idx_validations_account_playground");
	if (key & (QF_BIT(QF_RETRY_STATE) | QF_BIT(QF_RETRY_NONE)))
		IX("idx_validations_account_retry");
	if (key & (QF_BIT(QF_FECHA_FROM) | QF_BIT(QF_FECHA_TO)))
		IX("idx_validations_account_fecha");
	if (key & (QF_BIT(QF_AMOUNT_MIN) | QF_BIT(QF_AMOUNT_MAX)))
		IX("idx_validations_account_monto");
#undef IX
	buf_puts(sql, ")");
}

static void
query_compose(uint64_t key, struct buf *sql)
{
	const char	*sep = " WHERE ";
	unsigned int	 kind = (unsigned int)(key & QK_MASK);
	int		 f;

	switch (kind) {
	case QK_COUNT:
		buf_puts(sql, "SELECT COUNT(*) FROM validations");
		break;
	case QK_COUNTS:
		buf_puts(sql, "SELECT status, deleted_at IS NOT NULL,"
		    " COUNT(*) FROM validations");
		break;
	default:
		buf_puts(sql, "SELECT " LIST_COLS " FROM validations");
		break;
	}
	query_indexes(key, sql);
	for (f = 0; f < QF__MAX; f++) {
		if (!(key & QF_BIT(f)) || f == QF_SEARCH_BANK)
			continue;
		buf_puts(sql, sep);
		buf_puts(sql, qf_sql[f]);
		if (f == QF_SEARCH) {
			if (key & QF_BIT(QF_SEARCH_BANK))
				buf_puts(sql, qf_sql[QF_SEARCH_BANK]);
			buf_puts(sql, ")");
		}
		sep = " AND ";
	}
	switch (kind) {
	case QK_COUNT:
		break;
	case QK_COUNTS:
		buf_puts(sql, " GROUP BY status, deleted_at IS NOT NULL"
		    " ORDER BY NULL");
		break;
	case QK_LIST:
		buf_puts(sql, " ORDER BY created_at DESC, id DESC"
		    " LIMIT ? OFFSET ?");
		break;
	default:
		buf_puts(sql, " ORDER BY created_at DESC, id DESC");
		break;
	}
}

void
validation_filter_init(struct validation_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->type = -1;
	f->amount_min = -1;
	f->amount_max = -1;
	f->playground = -1;
	f->retry_state = -1;
	f->page = 1;
	f->per_page = FILTER_PER_PAGE_DEFAULT;
}

/* "abc" -> "abc%" with LIKE's own characters escaped (the default
 * escape character is the backslash) */
static void
like_prefix(const char *s, char *out, size_t n)
{
	size_t	 o = 0;

	for (; *s != '\0' && o + 3 < n; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '%';
	out[o] = '\0';
}

static void
money_text(int64_t cents, char out[MONEY_FMT_SIZE])
{
	snprintf(out, MONEY_FMT_SIZE, "%" PRId64 ".%02" PRId64, cents / 100,
	    cents % 100);
}

/*
 * query_bind: the key of filter f for kind, and its values into p.
 * Text values point into bufs (which must outlive the statement run).
 * ignore_deleted: the live condition is left out (stats count both).
 */
struct query_bufs {
	char	 like[2 * FILTER_SEARCH_MAX + 2];
	char	 amount_min[MONEY_FMT_SIZE];
	char	 amount_max[MONEY_FMT_SIZE];
};

static uint64_t
query_bind(const struct validation_filter *f, unsigned int kind,
    struct dbp *p, struct query_bufs *b)
{
	uint64_t	 key = DB_KEY_VALIDATION_QUERY | kind;
	const char	*first = NULL;
	int		 s, nset = 0;

	dbp_init(p);
	if (f->account_id[0] != '\0') {
		key |= QF_BIT(QF_ACCOUNT);
		dbp_str(p, f->account_id);
	}
	if (!f->with_deleted && kind != QK_COUNTS)
		key |= QF_BIT(QF_LIVE);
	for (s = 0; s < VALIDATION_STATUS__MAX; s++)
		if (f->status_mask & (1u << s)) {
			if (first == NULL)
				first = validation_status_name(
				    (enum validation_status)s);
			nset++;
		}
	if (nset == 1) {
		key |= QF_BIT(QF_STATUS_ONE);
		dbp_str(p, first);
	} else if (nset > 1) {
		key |= QF_BIT(QF_STATUS_SET);
		for (s = 0; s < VALIDATION_STATUS__MAX; s++)
			if (f->status_mask & (1u << s))
				dbp_str(p, validation_status_name(
				    (enum validation_status)s));
		for (; nset < STATUS_SET_SLOTS; nset++)
			dbp_str(p, first);
	}
	if (f->type >= 0) {
		key |= QF_BIT(QF_TYPE);
		dbp_str(p, validation_type_name((enum validation_type)f->type));
	}
	if (f->created_from != 0) {
		key |= QF_BIT(QF_CREATED_FROM);
		dbp_time(p, f->created_from);
	}
	if (f->created_before != 0) {
		key |= QF_BIT(QF_CREATED_BEFORE);
		dbp_time(p, f->created_before);
	}
	if (f->fecha_from[0] != '\0') {
		key |= QF_BIT(QF_FECHA_FROM);
		dbp_str(p, f->fecha_from);
	}
	if (f->fecha_to[0] != '\0') {
		key |= QF_BIT(QF_FECHA_TO);
		dbp_str(p, f->fecha_to);
	}
	if (f->search[0] != '\0') {
		key |= QF_BIT(QF_SEARCH);
		like_prefix(f->search, b->like, sizeof(b->like));
		dbp_str(p, b->like);
		dbp_str(p, f->search);
		if (f->search_bank[0] != '\0') {
			key |= QF_BIT(QF_SEARCH_BANK);
			dbp_str(p, f->search_bank);
			dbp_str(p, f->search_bank);
		}
	}
	if (f->amount_min >= 0) {
		key |= QF_BIT(QF_AMOUNT_MIN);
		money_text(f->amount_min, b->amount_min);
		dbp_str(p, b->amount_min);
	}
	if (f->amount_max >= 0) {
		key |= QF_BIT(QF_AMOUNT_MAX);
		money_text(f->amount_max, b->amount_max);
		dbp_str(p, b->amount_max);
	}
	if (f->playground >= 0) {
		key |= QF_BIT(QF_PLAYGROUND);
		dbp_i64(p, f->playground ? 1 : 0);
	}
	if (f->retry_state == RETRY_TERMINAL_NONE)
		key |= QF_BIT(QF_RETRY_NONE);
	else if (f->retry_state > 0) {
		key |= QF_BIT(QF_RETRY_STATE);
		dbp_str(p, retry_terminal_name(
		    (enum retry_terminal)f->retry_state));
	}
	if (kind == QK_LIST) {
		dbp_i64(p, f->per_page);
		dbp_i64(p, (long long)(f->page - 1) * f->per_page);
	}
	return key;
}

/* DECIMAL(18,2) text into centavos (no floating point); -1 on junk */
static int64_t
monto_cents(const char *s)
{
	enum money_error	 why;
	int64_t			 c = -1;

	if (s == NULL)
		return -1;
	if (money_parse(s, &c, &why) == -1)
		return why == MONEY_ERR_ZERO ? 0 : -1;
	return c;
}

static void
list_row_read(struct dbr *r, struct validation *v)
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
	v->monto_cents = monto_cents(s);
	free(s);
	v->banxico_status = dbr_str(r, c++);
	v->created_at = dbr_time(r, c++);
	v->completed_at = dbr_time(r, c++);
	v->etag_version = dbr_i64(r, c++, -1);
	v->image_path = dbr_str(r, c++);
	v->has_cep = dbr_i64(r, c++, 0) != 0;
	v->error_code = dbr_str(r, c++);
	v->error_message = dbr_str(r, c++);
	v->retry_enabled = dbr_i64(r, c++, 0) != 0;
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
	v->updated_at = dbr_time(r, c++);
	v->processing_time_ms = dbr_i64(r, c++, -1);
}

int
db_validation_list(struct db *db, const struct validation_filter *f,
    struct validation ***rows, size_t *n)
{
	struct dbp		 p;
	struct dbr		 r;
	struct query_bufs	 b;
	struct validation	**v = NULL;
	size_t			 nv = 0, cap = 0;
	uint64_t		 key;
	int			 rc;

	key = query_bind(f, f->per_page > 0 ? QK_LIST : QK_EXPORT, &p, &b);
	if (db_run_composed(db, key, "validation_list", query_compose, &p,
	    &r, LIST_FMT, DB_READ) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		if (nv == cap) {
			cap = cap == 0 ? 32 : 2 * cap;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[nv] = validation_new();
		list_row_read(&r, v[nv++]);
	}
	dbr_done(&r);
	if (rc == -1) {
		validation_list_free(v, nv);
		return -1;
	}
	*rows = v;
	*n = nv;
	return 0;
}

void
validation_list_free(struct validation **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		validation_free(v[i]);
	free(v);
}

int
db_validation_count(struct db *db, const struct validation_filter *f,
    uint64_t *total)
{
	struct dbp		 p;
	struct dbr		 r;
	struct query_bufs	 b;
	uint64_t		 key;
	int			 rc;

	key = query_bind(f, QK_COUNT, &p, &b);
	if (db_run_composed(db, key, "validation_count", query_compose, &p,
	    &r, "i", DB_READ) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1)
		*total = (uint64_t)dbr_i64(&r, 0, 0);
	dbr_done(&r);
	if (rc == 0)
		*total = 0;
	return rc == -1 ? -1 : 0;
}

int
db_validation_counts(struct db *db, const struct validation_filter *f,
    struct validation_counts *out)
{
	struct dbp		 p;
	struct dbr		 r;
	struct query_bufs	 b;
	struct validation_counts c;
	enum validation_status	 st;
	uint64_t		 key;
	char			*s;
	int			 rc;

	memset(&c, 0, sizeof(c));
	key = query_bind(f, QK_COUNTS, &p, &b);
	if (db_run_composed(db, key, "validation_counts", query_compose, &p,
	    &r, "sii", DB_READ) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		s = dbr_str(&r, 0);
		if (validation_status_parse(s, &st) == 0) {
			if (dbr_i64(&r, 1, 0))
				c.deleted[st] += (uint64_t)dbr_i64(&r, 2, 0);
			else
				c.live[st] += (uint64_t)dbr_i64(&r, 2, 0);
		} else
			log_warnx("%s: bad status", __func__);
		free(s);
	}
	dbr_done(&r);
	if (rc == -1)
		return -1;
	*out = c;
	return 0;
}

/* ---- cursor ----------------------------------------------------------- */

struct validation_cursor {
	struct dbr		 r;
	struct query_bufs	 b;	/* bound text must outlive the run */
	struct dbp		 p;
	struct validation	*row;	/* the current row, reused */
	int			 done;
};

int
db_validation_query_open(struct db *db, const struct validation_filter *f,
    struct validation_cursor **out)
{
	struct validation_cursor	*c;
	uint64_t			 key;

	*out = NULL;
	c = xcalloc(1, sizeof(*c));
	key = query_bind(f, f->per_page > 0 ? QK_LIST : QK_EXPORT, &c->p,
	    &c->b);
	if (db_run_composed(db, key, "validation_export", query_compose,
	    &c->p, &c->r, LIST_FMT, DB_READ | DB_UNBUFFERED) == -1) {
		free(c);
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
	validation_free(c->row);
	c->row = NULL;
	if ((rc = dbr_fetch(&c->r)) != 1) {
		c->done = 1;
		return rc;
	}
	c->row = validation_new();
	list_row_read(&c->r, c->row);
	*v = c->row;
	return 1;
}

void
db_validation_query_close(struct validation_cursor *c)
{
	if (c == NULL)
		return;
	dbr_done(&c->r);
	validation_free(c->row);
	free(c);
}

/* ---- soft delete, admin raw view --------------------------------------- */

int
db_validation_soft_delete(struct db *db, const char *account_id,
    const char *id, time_t now, int *found, int *changed, int64_t *etag)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	*found = *changed = 0;
	*etag = -1;
	if (!uuid_valid(id) || !uuid_valid(account_id))
		return 0;
	dbp_init(&p);
	dbp_time(&p, now);
	dbp_time(&p, now);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_VALIDATION_SOFT_DELETE, &p, NULL, NULL) == -1)
		return -1;
	*changed = db_affected(db) > 0;
	dbp_init(&p);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_VALIDATION_ACCOUNT_ETAG, &p, &r, "i") == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		*found = 1;
		*etag = dbr_i64(&r, 0, -1);
	}
	dbr_done(&r);
	return rc == -1 ? -1 : 0;
}

int
db_validation_raw_answer(struct db *db, const char *id, char **raw,
    size_t *len)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	*raw = NULL;
	*len = 0;
	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_CEP_RAW, &p, &r, "s") == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1 && !dbr_null(&r, 0)) {
		*len = dbr_len(&r, 0);
		*raw = dbr_str(&r, 0);
	}
	dbr_done(&r);
	return rc == -1 ? -1 : 0;
}

int
db_validation_jobs(struct db *db, const char *id, struct job_attempt **out,
    size_t *n)
{
	struct dbp		 p;
	struct dbr		 r;
	struct job_attempt	*j = NULL;
	size_t			 nj = 0;
	int			 rc;

	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_JOBS_OF_VALIDATION, &p, &r, "issitsttt") == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		j = xrealloc(j, (nj + 1) * sizeof(*j));
		memset(&j[nj], 0, sizeof(j[nj]));
		j[nj].id = (uint64_t)dbr_i64(&r, 0, 0);
		dbr_strcpy(&r, 1, j[nj].kind, sizeof(j[nj].kind));
		dbr_strcpy(&r, 2, j[nj].state, sizeof(j[nj].state));
		j[nj].tries = (int)dbr_i64(&r, 3, 0);
		j[nj].run_after = dbr_time(&r, 4);
		j[nj].lease_owner = dbr_str(&r, 5);
		j[nj].lease_until = dbr_time(&r, 6);
		j[nj].created_at = dbr_time(&r, 7);
		j[nj].finished_at = dbr_time(&r, 8);
		nj++;
	}
	dbr_done(&r);
	if (rc == -1) {
		job_attempt_list_free(j, nj);
		return -1;
	}
	*out = j;
	*n = nj;
	return 0;
}

void
job_attempt_list_free(struct job_attempt *j, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(j[i].lease_owner);
	free(j);
}

/*
 * mxcep: a page of the validations list: the total and the rows from
 * one snapshot, a deep page located through the month and day sums, a
 * bank search's page from validation_banks.
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

/* whether every clave or referencia match of a bank search also names
 * the bank (no residual, see bank_compose): b->bank becomes 1 if so, 2
 * if not. 0, or -1 when MariaDB failed. */
static int
bank_residual(struct db *db, const struct validation_filter *f,
    struct query_bufs *b)
{
	struct dbp	 p;
	struct dbr	 r;
	uint64_t	 key = DB_KEY_VALIDATION_QUERY | QF_BANK_ONLY | QK_RESIDUAL |
			    (query_key(f, QK_COUNT) & QR_TEXT);
	long long	 residual = -1;
	int		 rc, i;

	if (key & QR_NOTEXT) {
		b->bank = 1;	/* no clave or referencia holds the term */
		return 0;
	}
	if ((key & QR_GRAMS) && f->search_lead >= PROBE_CAP) {
		/* too many to check one by one: the general UNION, which
		 * is right whatever the residual */
		b->bank = 2;
		return 0;
	}
	search_like(f, b);
	dbp_init(&p);
	if (key & QR_GRAMS) {
		gram_bind(f, key, 1, &p, b);
		dbp_str(&p, f->search_banks[0]);
		dbp_str(&p, f->search_banks[0]);
	} else
		for (i = 0; i < 2; i++) {
			dbp_str(&p, f->account_id);
			dbp_str(&p, i == 0 ? b->like : f->search);
			dbp_str(&p, f->search_banks[0]);
			dbp_str(&p, f->search_banks[0]);
		}
	if (db_run_composed(db, key, "validation_bank_residual", query_compose,
	    &p, &r, "i", DB_READ) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1)
		residual = dbr_i64(&r, 0, -1);
	dbr_done(&r);
	if (rc == -1)
		return -1;
	b->bank = residual == 0 ? 1 : 2;
	return 0;
}

/*
 * A bank search's page from validation_banks, when it can be (see
 * bank_compose; a creation-date range is allowed): 1 with its statement
 * bound into p and *key, 0 when the general UNION is needed, -1 (logged)
 * when MariaDB failed.
 */
static int
bank_page_bind(struct db *db, const struct validation_filter *f,
    struct dbp *p, struct query_bufs *b, uint64_t *key)
{
	uint64_t	 fk;

	fk = query_key(f, QK_LIST) & ~(DB_KEY_VALIDATION_QUERY | QK_MASK);
	if ((fk & ~(QF_CREATED | QR_TEXT)) != QF_BANK_ONLY)
		return 0;
	if (b->bank == 0 && bank_residual(db, f, b) == -1)
		return -1;
	if (b->bank != 1)
		return 0;
	dbp_init(p);
	dbp_str(p, f->account_id);
	dbp_str(p, f->search_banks[0]);
	if (fk & QF_BIT(QF_CREATED_FROM))
		dbp_time(p, f->created_from);
	if (fk & QF_BIT(QF_CREATED_BEFORE))
		dbp_time(p, f->created_before);
	dbp_i64(p, b->limit);
	dbp_i64(p, b->offset);
	*key = DB_KEY_VALIDATION_QUERY | QF_BANK_ONLY | (fk & QF_CREATED) |
	    QK_LIST_BANK | (b->reverse ? QR_REVERSE : 0);
	return 1;
}

/* the rows of window b (limit, offset, reverse) of filter f */
static int
list_read(struct db *db, const struct validation_filter *f,
    struct query_bufs *b, struct validation ***rows, size_t *n)
{
	struct dbp		 p;
	struct dbr		 r;
	struct validation	**v = NULL;
	size_t			 nv = 0, cap = 0;
	uint64_t		 key = 0;
	int			 rc;

	if ((rc = bank_page_bind(db, f, &p, b, &key)) == -1)
		return -1;
	if (rc == 0)
		key = query_bind(f, QK_LIST, &p, b);
	if (db_run_composed(db, key, "validation_list", query_compose, &p,
	    &r, LIST_FMT, DB_READ) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		if (nv == cap) {
			cap = cap == 0 ? 32 : 2 * cap;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[nv] = validation_new();
		validation_row_read(&r, v[nv++], VC_ROW_LIST);
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

int
db_validation_list(struct db *db, const struct validation_filter *f,
    struct validation ***rows, size_t *n)
{
	struct query_bufs	 b;
	struct validation_filter sf = *f;

	*rows = NULL;
	*n = 0;
	if (f->per_page <= 0) {
		log_warnx("%s: no page size", __func__);
		return -1;
	}
	if (search_plan(db, &sf) == -1)
		return -1;
	f = &sf;
	memset(&b, 0, sizeof(b));
	b.limit = f->per_page;
	b.offset = (long long)(f->page - 1) * f->per_page;
	return list_read(db, f, &b, rows, n);
}

/*
 * How to read a range's page, once its total is known.
 * - An amount range: its index reads every matching entry and sorts
 *   them; walking the list order instead meets depth * all / total
 *   records (all: the records without the amount condition), each read
 *   by its key, worth about four index entries. The cheaper wins: the
 *   first pages walk, the deep ones sort.
 * - A transfer-date range of up to a month: one ordered branch per day
 *   (the fecha index is in list order within a day), each limited to
 *   the page's depth, while days * depth stays under half the total.
 */
static int
page_plan(struct db *db, const struct validation_filter *f, uint64_t total,
    struct query_bufs *b)
{
	struct validation_filter	 g;
	struct dbp			 p;
	struct date			 d;
	uint64_t			 key = query_key(f, QK_LIST), all = 0;
	long long			 depth = b->offset + b->limit;
	time_t				 from, to;
	int				 days, i;

	if ((key & (QF_BIT(QF_ACCOUNT) | QF_BIT(QF_LIVE))) !=
	    (QF_BIT(QF_ACCOUNT) | QF_BIT(QF_LIVE)) ||
	    (key & (QF_BIT(QF_SEARCH) | QF_CREATED)) || total == 0)
		return 0;
	if ((key & QF_AMOUNT) && !(key & QF_FECHA)) {
		g = *f;
		g.amount_min = g.amount_max = -1;
		if (db_validation_count(db, &g, &all) == -1)
			return -1;
		if ((uint64_t)depth * all / total * 4 < total)
			b->walk = 1;
		return 0;
	}
	if (!(key & QF_FECHA) || (key & QF_AMOUNT) ||
	    f->fecha_from[0] == '\0' || f->fecha_to[0] == '\0')
		return 0;
	from = fecha_time(f->fecha_from, 0);
	to = fecha_time(f->fecha_to, 0);
	days = (int)((to - from) / 86400) + 1;
	if (days < 1 || days > DAY_BRANCHES ||
	    (uint64_t)(days * depth) >= total / 2)
		return 0;
	dbp_init(&p);
	query_bind_filters(f, key & ~QF_FECHA, &p, b);
	if (DAY_BRANCHES * (p.n + 2) + 2 > DB_MAXCOLS)
		return 0;
	for (i = 0; i < days; i++) {
		date_from_days(utc_day(from) + i, &d);
		date_format_iso(&d, b->day[i]);
	}
	b->days = days;
	return 0;
}

/*
 * A deep page is located rather than walked: the month sums, then (for
 * the tallies and the d rollups) the sums per day of the month the page
 * starts in, say how many rows come before that month or day in the
 * page's direction; the page is then read from there on (g: f with it
 * as a creation bound) with the rest of the offset. Page 500 of 100,000
 * reads a few dozen rollup rows and a day's index entries instead of
 * 10,000 entries; an amount range or a bank walks at most its month.
 * The sums are exact in the page's snapshot. 1 located, 0 not (g stays
 * f), -1 MariaDB failed.
 */
static int
page_locate(struct db *db, const struct validation_filter *f,
    const struct month_sums *ms, struct query_bufs *b,
    struct validation_filter *g)
{
	time_t		 lo, hi;
	long long	 skip = b->offset, month = -1, day = -1;
	size_t		 i, j;

	for (i = 0; i < ms->n && month < 0; i++) {
		j = b->reverse ? i : ms->n - 1 - i;
		if (ms->m[j][1] > skip)
			month = ms->m[j][0];
		else
			skip -= ms->m[j][1];
	}
	if (month < 0)
		return 0;
	lo = tally_day_time(month * 100 + 1);
	hi = month_start(lo, 1);
	if (f->created_from != 0 && lo < f->created_from)
		lo = f->created_from;
	if (f->created_before != 0 && hi > f->created_before)
		hi = f->created_before;
	if (ms->by == SUMS_TALLIES || ms->by == SUMS_ROLLUP) {
		if (day_sums_locate(db, f, ms, b, lo, hi, &skip, &day) == -1)
			return -1;
		if (day < 0)
			return 0;
		lo = tally_day_time(day);
		hi = lo + 86400;
	} else if (ms->by == SUMS_AMOUNT)
		b->walk = 1;	/* within the month, in list order */
	if (b->reverse)
		g->created_from = lo;
	else
		g->created_before = hi;
	b->offset = skip;
	return 1;
}

/*
 * A page and the total, from one snapshot (a read-only transaction), so
 * that meta.total and the rows agree. Knowing the total first, a page
 * past the end is not read at all, and a page in the older half is
 * read from the oldest end: page 500 of 14,000 walks 4,000 index
 * entries instead of 10,000.
 */
int
db_validation_page(struct db *db, const struct validation_filter *f,
    long long locate_rows, struct validation ***rows, size_t *n,
    uint64_t *total)
{
	struct validation_filter g, sf = *f;
	struct query_bufs	 b;
	struct month_sums	 ms;
	enum sums_by		 by;
	long long		 offset, back;
	int			 locate, rc = 0;

	*rows = NULL;
	*n = 0;
	*total = 0;
	if (f->per_page <= 0) {
		log_warnx("%s: no page size", __func__);
		return -1;
	}
	if (db_begin(db) == -1)
		return -1;
	if (search_plan(db, &sf) == -1) {
		db_rollback(db);
		return -1;
	}
	f = &sf;
	offset = (long long)(f->page - 1) * f->per_page;
	memset(&b, 0, sizeof(b));
	memset(&ms, 0, sizeof(ms));
	locate = locate_rows > 0 && offset >= locate_rows;
	by = sums_by(f, locate);
	if (by == SUMS_BANK) {
		if (bank_residual(db, f, &b) == -1)
			goto fail;
		if (b.bank != 1)
			by = SUMS_NONE;
	}
	if (by != SUMS_NONE) {
		if (month_sums_read(db, f, by, &ms) == -1)
			goto fail;
		*total = ms.total;
	} else if (db_validation_count(db, f, total) == -1)
		goto fail;
	b.limit = f->per_page;
	b.offset = offset;
	back = (long long)*total - offset - f->per_page;
	if (back < offset) {
		b.reverse = 1;
		b.offset = back > 0 ? back : 0;
		b.limit = back < 0 ? f->per_page + back : f->per_page;
	}
	if (offset < (long long)*total && b.limit > 0) {
		g = *f;
		if (by != SUMS_NONE && locate && b.offset >= locate_rows)
			rc = page_locate(db, f, &ms, &b, &g);
		if (rc == 0)
			rc = page_plan(db, f, *total, &b);
		if (rc == -1 || list_read(db, &g, &b, rows, n) == -1)
			goto fail;
	}
	free(ms.m);
	if (db_commit(db) == -1) {
		validation_list_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
fail:
	free(ms.m);
	db_rollback(db);
	return -1;
}

void
validation_list_free(struct validation **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		validation_free(v[i]);
	free(v);
}

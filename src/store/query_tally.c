/*
 * mxcep: counts from the tallies (sql/007_list_tallies.sql) and the
 * rollups (sql/008_list_rollups.sql) that triggers keep per account,
 * month/day and categorical values: their statements and values, and
 * the day and month keys they are kept under.
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
#include "store/tally_keys.h"

/* the day number of t (UTC), rounded down (1970-01-01 = 0) */
long long
utc_day(time_t t)
{
	long long	 s = (long long)t;

	return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}

/* the start of t's month (UTC), or of the month after */
time_t
month_start(time_t t, int next)
{
	return (time_t)(date_month_start(utc_day(t), next) * 86400);
}

/* a tally's day key: YYYYMMDD of t (UTC) */
long long
tally_day(time_t t)
{
	struct date	 d;

	date_from_days(utc_day(t), &d);
	return d.year * 10000LL + d.month * 100LL + d.day;
}

/* YYYYMMDD (a tally's day key) at 00:00 UTC */
time_t
tally_day_time(long long day)
{
	return (time_t)(date_days_since_epoch((int)(day / 10000),
	    (int)(day / 100 % 100), (int)(day % 100)) * 86400);
}

/* "YYYY-MM-DD" (checked by the API layer) at 00:00 UTC, + days; 0 for
 * any other text */
time_t
fecha_time(const char *s, int days)
{
	struct date	 d;

	if (date_parse_iso(s, &d) == -1)
		return 0;
	return (time_t)((date_days_since_epoch(d.year, d.month, d.day) +
	    days) * 86400);
}

/* bounds of the tallies when no date is given (not 0: 0 binds NULL) */
#define TALLY_EPOCH	((time_t)2678400)	/* 1970-02-01 */
#define TALLY_END	((time_t)253399622400)	/* 9999-12-01 */

#define AMOUNT_TOP	INT64_C(1000000000000000)	/* pesos above any monto */

/* the tallies answer a count when at most one of the creation date,
 * the transfer date and the amount is filtered and there is no search,
 * or when the search names a bank and no range is filtered */
int
tally_can(const struct validation_filter *f, uint64_t key)
{
	int	 ranges = ((key & QF_CREATED) != 0) + ((key & QF_FECHA) != 0) +
	    ((key & QF_AMOUNT) != 0);

	if (!(key & QF_BIT(QF_SEARCH)))
		return ranges <= 1;
	return ranges == 0 && (key & QF_BIT(QF_SEARCH_BANK)) &&
	    !(key & QR_BANKS) && tally_bank(f->search_banks[0]) >= 0;
}

/* one part of a tally statement: "SELECT status, deleted, <n> FROM
 * validation_tallies WHERE [account_id = ? AND] <range> <filters>"
 * (with QR_MONTHS, "SELECT k, n ...") */
static void
tally_part(uint64_t key, const char *range, struct buf *sql)
{
	buf_puts(sql, (key & QR_MONTHS) ? "SELECT k, " :
	    "SELECT status, deleted, ");
	buf_puts(sql, range[0] == '-' ? "-n" : "n");
	if (range[0] == '-')
		range++;
	buf_puts(sql, " FROM validation_tallies WHERE ");
	if (key & QF_BIT(QF_ACCOUNT))
		buf_puts(sql, "account_id = ? AND ");
	buf_puts(sql, range);
	query_where(key & ~QF_BIT(QF_ACCOUNT), qf_tally_sql, " AND ", sql);
}

/* a bank search's count: emisor or receptor: be + br - bs; then the
 * clave and referencia matches that are neither, through their index */
static void
tally_search_compose(uint64_t key, struct buf *sql)
{
	tally_part(key, "dim = 'be' AND k = ?", sql);
	buf_puts(sql, " UNION ALL ");
	tally_part(key, "dim = 'br' AND k = ?", sql);
	buf_puts(sql, " UNION ALL ");
	tally_part(key, "-dim = 'bs' AND k = ?", sql);
	if (key & QR_GRAMS) {
		buf_puts(sql, " UNION ALL SELECT status, deleted_at IS "
		    "NOT NULL, 1");
		gram_from(key, 1, sql);
		buf_puts(sql, " AND NOT (emisor <=> ?) AND NOT "
		    "(receptor <=> ?)");
	} else if (!(key & QR_NOTEXT)) {
		buf_puts(sql, " UNION ALL SELECT status, deleted_at IS NOT NULL,"
		    " 1 FROM validations FORCE INDEX (");
		buf_puts(sql, search_branches[SB_CLAVE].live_index);
		buf_puts(sql, ")");
		query_where(key, qf_sql, " WHERE ", sql);
		buf_puts(sql, " AND clave_rastreo LIKE ? AND NOT (emisor <=> ?)"
		    " AND NOT (receptor <=> ?)");
		buf_puts(sql, " UNION ALL SELECT status, deleted_at IS NOT NULL,"
		    " 1 FROM validations FORCE INDEX (");
		buf_puts(sql, (key & QF_BIT(QF_LIVE)) ?
		    search_branches[SB_REFERENCIA].live_index :
		    search_branches[SB_REFERENCIA].any_index);
		buf_puts(sql, ")");
		query_where(key, qf_sql, " WHERE ", sql);
		buf_puts(sql, " AND referencia = ? AND NOT COALESCE("
		    "clave_rastreo LIKE ?, 0) AND NOT (emisor <=> ?) AND NOT "
		    "(receptor <=> ?)");
	}
}

/*
 * A count from the tallies. Dates: the whole months of the range (cm or
 * fm rows) plus the days at its ends (cd or fd rows); without a date,
 * every month. Amounts: the whole buckets of the range (ab rows) plus
 * the rows of the buckets at its ends, counted through the amount
 * index. tally_bind gives the bounds.
 */
void
tally_compose(uint64_t key, struct buf *sql)
{
	int		 grouped = (key & QK_MASK) == QK_TALLIES;
	int		 fecha = (key & QF_FECHA) != 0;
	const char	*dir = (key & QR_REVERSE) ? "" : " DESC";

	if (key & QR_DAYSUMS) {
		/* the days [?, ?) of one month (page_locate) */
		buf_puts(sql, "SELECT k, CAST(SUM(n) AS SIGNED) FROM "
		    "validation_tallies WHERE account_id = ? AND dim = 'cd' AND "
		    "k >= ? AND k < ?");
		query_where(key & ~QF_BIT(QF_ACCOUNT), qf_tally_sql, " AND ",
		    sql);
		buf_puts(sql, " GROUP BY k ORDER BY k");
		buf_puts(sql, dir);
		return;
	}
	if (key & QR_MONTHS) {
		/* as the count below, but summed per month (YYYYMM) */
		buf_puts(sql, "SELECT k DIV 100, CAST(SUM(n) AS SIGNED) FROM (");
		tally_part(key, "dim = 'cm' AND k >= ? AND k < ?", sql);
		buf_puts(sql, " UNION ALL ");
		tally_part(key, "dim = 'cd' AND (k >= ? AND k < ? OR k >= ? AND "
		    "k < ?)", sql);
		buf_puts(sql, ") t GROUP BY k DIV 100 ORDER BY k DIV 100");
		return;
	}
	buf_puts(sql, grouped ? "SELECT status, deleted, CAST(SUM(n) AS "
	    "SIGNED) FROM (" : "SELECT CAST(COALESCE(SUM(n), 0) AS SIGNED) "
	    "FROM (");
	if (key & QF_BIT(QF_SEARCH))
		tally_search_compose(key, sql);
	else if (key & QF_AMOUNT) {
		tally_part(key, "dim = 'ab' AND k >= ? AND k < ?", sql);
		buf_puts(sql, " UNION ALL SELECT status, deleted_at IS NOT NULL,"
		    " 1 FROM validations FORCE INDEX "
		    "(idx_validations_account_live_monto)");
		query_where(key & ~QF_AMOUNT, qf_sql, " WHERE ", sql);
		buf_puts(sql, " AND (monto >= ? AND monto < ? OR monto >= ? AND"
		    " monto <= ?)");
	} else {
		tally_part(key, fecha ? "dim = 'fm' AND k >= ? AND k < ?" :
		    "dim = 'cm' AND k >= ? AND k < ?", sql);
		buf_puts(sql, " UNION ALL ");
		tally_part(key, fecha ? "dim = 'fd' AND (k >= ? AND k < ? OR "
		    "k >= ? AND k < ?)" : "dim = 'cd' AND (k >= ? AND k < ? OR "
		    "k >= ? AND k < ?)", sql);
	}
	buf_puts(sql, ") t");
	if (grouped)
		buf_puts(sql, " GROUP BY status, deleted ORDER BY NULL");
}

/*
 * Month sums (YYYYMM, rows; oldest first) or day sums (YYYYMMDD, rows;
 * in the page's direction) from validation_rollups: see sums_by().
 */
void
rollup_compose(uint64_t key, struct buf *sql)
{
	const char	*deleted = (key & QF_BIT(QF_LIVE)) ? " AND deleted = 0" :
			    " AND deleted IN (0, 1)";

	if (key & QR_DAYSUMS) {
		buf_puts(sql, "SELECT t, CAST(SUM(n) AS SIGNED) FROM "
		    "validation_rollups WHERE account_id = ?");
		buf_puts(sql, deleted);
		buf_puts(sql, " AND facet = 'd' AND k = 0 AND t >= ? AND t < ?"
		    " GROUP BY t ORDER BY t");
		buf_puts(sql, (key & QR_REVERSE) ? "" : " DESC");
		return;
	}
	if (key & QF_BIT(QF_SEARCH_BANK)) {
		buf_puts(sql, "SELECT t DIV 100, CAST(SUM(n) AS SIGNED) FROM "
		    "validation_rollups WHERE account_id = ? AND deleted = 0 "
		    "AND facet = 'b' AND k = ? GROUP BY t ORDER BY t");
		return;
	}
	buf_puts(sql, "SELECT t DIV 100, CAST(SUM(n) AS SIGNED) FROM (");
	if (key & QF_AMOUNT) {
		/* whole buckets, and the rows of the end buckets through the
		 * amount index (tally_bind_amount) */
		buf_puts(sql, "SELECT t, n FROM validation_rollups WHERE "
		    "account_id = ? AND deleted = 0 AND facet = 'a' AND k >= ? "
		    "AND k < ? UNION ALL SELECT CAST(DATE_FORMAT(created_at, "
		    "'%Y%m01') AS UNSIGNED), 1 FROM validations FORCE INDEX "
		    "(idx_validations_account_live_monto) WHERE account_id = ? "
		    "AND deleted_at IS NULL AND (monto >= ? AND monto < ? OR "
		    "monto >= ? AND monto <= ?)");
	} else {
		/* whole months, and the days at the ends (tally_bind) */
		buf_puts(sql, "SELECT t, n FROM validation_rollups WHERE "
		    "account_id = ?");
		buf_puts(sql, deleted);
		buf_puts(sql, " AND facet = 'm' AND k = 0 AND t >= ? AND t < ? "
		    "UNION ALL SELECT t, n FROM validation_rollups WHERE "
		    "account_id = ?");
		buf_puts(sql, deleted);
		buf_puts(sql, " AND facet = 'd' AND k = 0 AND (t >= ? AND t < ? "
		    "OR t >= ? AND t < ?)");
	}
	buf_puts(sql, ") u GROUP BY t DIV 100 ORDER BY t DIV 100");
}

/* the amount plan: whole buckets [b1, b2) (pesos) and the edges
 * [e1, e2) and [e3, e4] (centavos) counted through the index */
void
tally_bind_amount(const struct validation_filter *f, struct dbp *p,
    struct query_bufs *b)
{
	int64_t	 lo = f->amount_min >= 0 ? f->amount_min : 0;
	int64_t	 hi = f->amount_max >= 0 ? f->amount_max : AMOUNT_TOP * 100;
	int64_t	 b1, b2, w, e1, e2, e3, e4;

	amount_bucket(lo / 100, &b1, &w);
	if (b1 * 100 != lo)
		b1 += w;
	if (f->amount_max < 0)
		b2 = AMOUNT_TOP;
	else {
		amount_bucket(hi / 100, &b2, &w);
		if ((b2 + w) * 100 - 1 == hi)
			b2 += w;
	}
	if (b1 < b2) {
		e1 = lo, e2 = b1 * 100, e3 = b2 * 100, e4 = hi;
	} else {
		b1 = b2 = 0;
		e1 = lo, e2 = hi + 1, e3 = 1, e4 = 0;	/* all, then none */
	}
	dbp_i64(p, b1);
	dbp_i64(p, b2);
	money_text(e1, b->edge[0]);
	money_text(e2, b->edge[1]);
	money_text(e3, b->edge[2]);
	money_text(e4, b->edge[3]);
}

/*
 * The tally statement's values (tally_compose's placeholders). Dates:
 * the months wholly inside [from, before), then the days of
 * [from, before) outside them; with no whole month, the month range is
 * empty and the days cover it all.
 */
void
tally_bind(const struct validation_filter *f, uint64_t key, struct dbp *p,
    struct query_bufs *b)
{
	uint64_t	 filters = key & ~(QF_BIT(QF_ACCOUNT) | QF_CREATED |
			    QF_FECHA | QF_AMOUNT);
	time_t		 from = TALLY_EPOCH, before = TALLY_END, m1, m2;
	int		 i;

	if (key & QF_BIT(QF_SEARCH)) {
		search_like(f, b);
		for (i = 0; i < 3; i++) {	/* be, br, bs */
			if (key & QF_BIT(QF_ACCOUNT))
				dbp_str(p, f->account_id);
			dbp_i64(p, tally_bank(f->search_banks[0]));
			query_bind_filters(f, filters, p, b);
		}
		if (key & QR_NOTEXT)
			return;	/* no text branch */
		if (key & QR_GRAMS) {
			gram_bind(f, key, 1, p, b);
			dbp_str(p, f->search_banks[0]);
			dbp_str(p, f->search_banks[0]);
			return;
		}
		query_bind_filters(f, key, p, b);
		dbp_str(p, b->like);
		dbp_str(p, f->search_banks[0]);
		dbp_str(p, f->search_banks[0]);
		query_bind_filters(f, key, p, b);
		dbp_str(p, f->search);
		dbp_str(p, b->like);
		dbp_str(p, f->search_banks[0]);
		dbp_str(p, f->search_banks[0]);
		return;
	}
	if (key & QF_BIT(QF_ACCOUNT))
		dbp_str(p, f->account_id);
	if (key & QF_AMOUNT) {
		tally_bind_amount(f, p, b);
		/* dbp_i64 x2 above; the edges go after the filters */
		query_bind_filters(f, filters, p, b);
		query_bind_filters(f, key & ~QF_AMOUNT, p, b);
		for (i = 0; i < 4; i++)
			dbp_str(p, b->edge[i]);
		return;
	}
	if (key & QF_CREATED) {
		if (f->created_from != 0)
			from = f->created_from;
		if (f->created_before != 0)
			before = f->created_before;
	} else if (key & QF_FECHA) {
		if (f->fecha_from[0] != '\0')
			from = fecha_time(f->fecha_from, 0);
		if (f->fecha_to[0] != '\0')
			before = fecha_time(f->fecha_to, 1);
	}
	m1 = month_start(from, month_start(from, 0) != from);
	m2 = month_start(before, 0);
	if (m1 >= m2)
		m1 = m2 = before;
	dbp_i64(p, tally_day(m1));
	dbp_i64(p, tally_day(m2));
	query_bind_filters(f, filters, p, b);
	if (key & QF_BIT(QF_ACCOUNT))
		dbp_str(p, f->account_id);
	dbp_i64(p, tally_day(from));
	dbp_i64(p, tally_day(m1));
	dbp_i64(p, tally_day(m2));
	dbp_i64(p, tally_day(before));
	query_bind_filters(f, filters, p, b);
}

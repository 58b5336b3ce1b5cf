/*
 * mxcep: how many validations a filter matches (meta.total), per status
 * (stats), and per creation month and day (to locate a deep page).
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

/*
 * Where f's month sums can come from. The rollups have no categorical
 * filters: they serve the default list (live or not) and its creation
 * dates, a live amount range, and a live bank code alone; they are read
 * for every page of those, since their sums are also the cheapest
 * count. The tallies serve the categorical filters (with creation
 * dates), for deep pages only (tallies): a plain count reads fewer of
 * their rows. A bank code's sums count only the records naming the
 * bank: its search also matches claves and referencias, so they hold
 * only when bank_residual() finds no other match.
 */
enum sums_by
sums_by(const struct validation_filter *f, int tallies)
{
	uint64_t	 key = query_key(f, QK_COUNT);
	uint64_t	 fk = key & ~(DB_KEY_VALIDATION_QUERY | QK_MASK);

	if (!(fk & QF_BIT(QF_ACCOUNT)))
		return SUMS_NONE;
	fk &= ~QF_BIT(QF_ACCOUNT);
	if ((fk & ~(QF_BIT(QF_LIVE) | QF_CREATED)) == 0)
		return SUMS_ROLLUP;
	if ((fk & QF_BIT(QF_LIVE)) && (fk & QF_AMOUNT) &&
	    (fk & ~(QF_BIT(QF_LIVE) | QF_AMOUNT)) == 0)
		return SUMS_AMOUNT;
	if (((fk & ~QR_TEXT) | QF_BIT(QF_ACCOUNT)) == QF_BANK_ONLY &&
	    tally_bank(f->search_banks[0]) >= 0)
		return SUMS_BANK;
	if (tallies && (key & QK_MASK) == QK_TALLY &&
	    !(fk & (QF_BIT(QF_SEARCH) | QF_FECHA | QF_AMOUNT)))
		return SUMS_TALLIES;
	return SUMS_NONE;
}

/* the month sums of f by by (sums_by) into ms */
int
month_sums_read(struct db *db, const struct validation_filter *f,
    enum sums_by by, struct month_sums *ms)
{
	struct query_bufs	 b;
	struct dbp		 p;
	struct dbr		 r;
	uint64_t		 key = query_key(f, QK_COUNT) | QR_MONTHS;
	size_t			 cap = 0;
	long long		 n;
	int			 rc, i;

	memset(ms, 0, sizeof(*ms));
	memset(&b, 0, sizeof(b));
	dbp_init(&p);
	switch (by) {
	case SUMS_TALLIES:
		tally_bind(f, key, &p, &b);
		break;
	case SUMS_AMOUNT:
		key = (key & ~(uint64_t)QK_MASK) | QK_TALLY | QR_ROLLUP;
		dbp_str(&p, f->account_id);
		tally_bind_amount(f, &p, &b);
		dbp_str(&p, f->account_id);
		for (i = 0; i < 4; i++)
			dbp_str(&p, b.edge[i]);
		break;
	case SUMS_BANK:
		key = DB_KEY_VALIDATION_QUERY | QF_BANK_ONLY | QK_TALLY |
		    QR_MONTHS | QR_ROLLUP;
		dbp_str(&p, f->account_id);
		dbp_i64(&p, tally_bank(f->search_banks[0]));
		break;
	case SUMS_ROLLUP:
		/* the tallies' date placeholders, without their filters */
		key = (key & ~(uint64_t)QK_MASK) | QK_TALLY | QR_ROLLUP;
		tally_bind(f, key, &p, &b);
		break;
	default:
		return -1;
	}
	if (db_run_composed(db, key, "validation_month_sums", query_compose,
	    &p, &r, "ii", DB_READ) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		if ((n = dbr_i64(&r, 1, 0)) <= 0)
			continue;
		if (ms->n == cap) {
			cap = cap == 0 ? 32 : 2 * cap;
			ms->m = xrealloc(ms->m, cap * sizeof(*ms->m));
		}
		ms->m[ms->n][0] = dbr_i64(&r, 0, 0);
		ms->m[ms->n++][1] = n;
		ms->total += (uint64_t)n;
	}
	dbr_done(&r);
	if (rc == -1) {
		free(ms->m);
		ms->m = NULL;
		return -1;
	}
	ms->by = by;
	return 0;
}

/* the day sums of the days [lo, hi) of f (SUMS_TALLIES or SUMS_ROLLUP),
 * in the page's direction: the first day whose running total passes
 * *skip into *day (-1: none), and what is left of *skip */
int
day_sums_locate(struct db *db, const struct validation_filter *f,
    const struct month_sums *ms, struct query_bufs *b, time_t lo, time_t hi,
    long long *skip, long long *day)
{
	struct dbp	 p;
	struct dbr	 r;
	uint64_t	 key;
	long long	 k, n;
	int		 rc;

	key = (query_key(f, QK_COUNT) & ~QF_CREATED) | QR_DAYSUMS |
	    (b->reverse ? QR_REVERSE : 0);
	if (ms->by == SUMS_ROLLUP)
		key = (key & ~(uint64_t)QK_MASK) | QK_TALLY | QR_ROLLUP;
	dbp_init(&p);
	dbp_str(&p, f->account_id);
	dbp_i64(&p, tally_day(lo));
	dbp_i64(&p, tally_day(hi));
	if (ms->by == SUMS_TALLIES)
		query_bind_filters(f, key & ~(QF_BIT(QF_ACCOUNT) | QF_CREATED),
		    &p, b);
	if (db_run_composed(db, key, "validation_day_sums", query_compose,
	    &p, &r, "ii", DB_READ) == -1)
		return -1;
	*day = -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		k = dbr_i64(&r, 0, 0);
		n = dbr_i64(&r, 1, 0);
		if (*day >= 0)
			continue;	/* read to the end */
		if (n > *skip)
			*day = k;
		else
			*skip -= n;
	}
	dbr_done(&r);
	return rc;
}

int
db_validation_count(struct db *db, const struct validation_filter *f,
    uint64_t *total)
{
	struct dbp		 p;
	struct dbr		 r;
	struct query_bufs	 b;
	struct month_sums	 ms;
	struct validation_filter sf = *f;
	uint64_t		 key;
	long long		 n = 0;
	int			 rc;

	if (search_plan(db, &sf) == -1)
		return -1;
	f = &sf;
	if (sums_by(f, 0) == SUMS_ROLLUP) {
		/* a dozen rollup rows a year instead of ~150 tally rows a
		 * month */
		if (month_sums_read(db, f, SUMS_ROLLUP, &ms) == -1)
			return -1;
		free(ms.m);
		*total = ms.total;
		return 0;
	}
	key = query_bind(f, QK_COUNT, &p, &b);
	if (db_run_composed(db, key, "validation_count", query_compose, &p,
	    &r, "i", DB_READ) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1)
		n = dbr_i64(&r, 0, 0);
	dbr_done(&r);
	if (rc == -1)
		return -1;
	*total = n > 0 ? (uint64_t)n : 0;
	return 0;
}

int
db_validation_counts(struct db *db, const struct validation_filter *f,
    struct validation_counts *out)
{
	struct dbp		 p;
	struct dbr		 r;
	struct query_bufs	 b;
	struct validation_counts c;
	struct validation_filter sf = *f;
	enum validation_status	 st;
	uint64_t		 key;
	long long		 n;
	char			*s;
	int			 rc;

	if (search_plan(db, &sf) == -1)
		return -1;
	f = &sf;
	memset(&c, 0, sizeof(c));
	key = query_bind(f, QK_COUNTS, &p, &b);
	if (db_run_composed(db, key, "validation_counts", query_compose, &p,
	    &r, "sii", DB_READ) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		s = dbr_str(&r, 0);
		n = dbr_i64(&r, 2, 0);
		if (validation_status_parse(s, &st) == 0 && n >= 0) {
			if (dbr_i64(&r, 1, 0))
				c.deleted[st] += (uint64_t)n;
			else
				c.live[st] += (uint64_t)n;
		} else
			log_warnx("%s: bad status or count", __func__);
		free(s);
	}
	dbr_done(&r);
	if (rc == -1)
		return -1;
	*out = c;
	return 0;
}

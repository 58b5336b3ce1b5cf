/*
 * mxcep: query planning for lists, counts, stats and exports of
 * validations under a struct validation_filter: the key of a filter
 * (which filters are set, which kind of query, how it is read), the
 * statement of a key (query_compose) and its values (query_bind), and
 * the plan of a search's text (search_plan).
 *
 * How each stays fast at millions of rows (sql/007_list_tallies.sql):
 * - a page is found in an index that ends with the list order, ids
 *   only, and only its rows are read (a "deferred join"): page 500
 *   walks 10,000 index entries, not 10,000 rows;
 * - a search is a UNION of ordered branches, each with its index:
 *   the term's grams in validation_grams (sql/010_search_grams.sql)
 *   for any part of the clave or referencia (under 4 characters the
 *   clave prefix and the referencia), and the emisor and receptor of
 *   the participants the term names (search_plan, query_branches);
 * - counts (meta.total, stats) are sums of the tallies that triggers
 *   keep per account, month/day and categorical values, whenever the
 *   filter is made of those only; otherwise COUNT(*) through the
 *   filter's index (query_tally.c).
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

static void
bank_compose(uint64_t key, struct buf *sql)
{
	if ((key & QK_MASK) == QK_RESIDUAL && (key & QR_GRAMS)) {
		buf_puts(sql, "SELECT COUNT(*)");
		gram_from(key, 1, sql);
		buf_puts(sql, " AND NOT (emisor <=> ?) AND NOT (receptor <=> ?)");
		return;
	}
	if ((key & QK_MASK) == QK_RESIDUAL) {
		buf_puts(sql, "SELECT (SELECT COUNT(*) FROM validations FORCE "
		    "INDEX (idx_validations_account_clave) WHERE account_id = ?"
		    " AND deleted_at IS NULL AND clave_rastreo LIKE ? AND NOT "
		    "(emisor <=> ?) AND NOT (receptor <=> ?)) + (SELECT "
		    "COUNT(*) FROM validations FORCE INDEX "
		    "(idx_validations_account_live_referencia) WHERE "
		    "account_id = ? AND deleted_at IS NULL AND referencia = ? "
		    "AND NOT (emisor <=> ?) AND NOT (receptor <=> ?))");
		return;
	}
	buf_puts(sql, "SELECT STRAIGHT_JOIN " LIST_COLS " FROM (SELECT id, "
	    "created_at FROM validation_banks WHERE account_id = ? AND "
	    "deleted = 0 AND bank = ?");
	if (key & QF_BIT(QF_CREATED_FROM))
		buf_puts(sql, " AND created_at >= ?");
	if (key & QF_BIT(QF_CREATED_BEFORE))
		buf_puts(sql, " AND created_at < ?");
	buf_puts(sql, INNER_ORDER(key));
	buf_puts(sql, " LIMIT ? OFFSET ?) k JOIN validations"
	    " USING (created_at, id)" ORDER_NEWEST);
}

/*
 * A count is the number of records holding one gram, kept per account,
 * gram and soft delete in validation_gram_counts, when the term is that
 * gram (4 characters: nothing to confirm), no bank is searched and no
 * other filter than the soft delete is set: one or two rows instead of
 * the gram's index entries (~20 ms for a gram most records hold).
 */
static int
gram_count_can(uint64_t key)
{
	return (key & QK_MASK) == QK_COUNT && (key & QF_BIT(QF_ACCOUNT)) &&
	    (key & QR_TEXT) == (QR_GRAMS | QR_NGRAMS(1)) &&
	    !(key & QF_BIT(QF_SEARCH_BANK)) &&
	    (key_filters(key) & ~(QF_GRAM_OWN | QF_BIT(QF_SEARCH))) == 0;
}

static void
gram_count_compose(uint64_t key, struct buf *sql)
{
	buf_puts(sql, "SELECT CAST(COALESCE(SUM(n), 0) AS SIGNED) FROM "
	    "validation_gram_counts WHERE g_account = ? AND gram = ?");
	if (key & QF_BIT(QF_LIVE))
		buf_puts(sql, " AND g_deleted = 0");
}

/* how many records hold each gram, up to PROBE_CAP (search_plan) */
static void
probe_compose(uint64_t key, struct buf *sql)
{
	char	 t[160];
	int	 i;

	buf_puts(sql, "SELECT ");
	for (i = 0; i < QR_NGRAMS_OF(key); i++) {
		snprintf(t, sizeof(t), "%s(SELECT COUNT(*) FROM (SELECT 1 FROM "
		    "validation_grams WHERE g_account = ? AND gram = ? LIMIT %d)"
		    " t%d)", i > 0 ? ", " : "", PROBE_CAP, i);
		buf_puts(sql, t);
	}
}

/*
 * A page: the page's keys from the index, then their rows by the
 * primary key (sql/009_validations_clustered.sql); the keys from the
 * ordered branches of a search, from one branch per day of a short
 * transfer-date range (QR_DAYS), or from the filter's index.
 */
static void
list_compose(uint64_t key, struct buf *sql)
{
	int	 i;

	buf_puts(sql, "SELECT STRAIGHT_JOIN " LIST_COLS " FROM "
	    "(SELECT id, created_at FROM ");
	if (key & QF_BIT(QF_SEARCH)) {
		buf_puts(sql, "(");
		query_branches(key, "id, created_at", 1, sql);
		buf_puts(sql, ") u");
	} else if (key & QR_DAYS) {
		buf_puts(sql, "(");
		for (i = 0; i < DAY_BRANCHES; i++) {
			buf_puts(sql, i == 0 ? "(SELECT" :
			    " UNION ALL (SELECT");
			buf_puts(sql, " id, created_at FROM validations "
			    "FORCE INDEX (idx_validations_account_live_"
			    "fecha)");
			query_where(key & ~QF_FECHA, qf_sql, " WHERE ",
			    sql);
			buf_puts(sql, " AND fecha = ?");
			buf_puts(sql, INNER_ORDER(key));
			buf_puts(sql, " LIMIT ?)");
		}
		buf_puts(sql, ") u");
	} else {
		buf_puts(sql, "validations");
		query_indexes(key, sql);
		query_where(key, qf_sql, " WHERE ", sql);
	}
	buf_puts(sql, INNER_ORDER(key));
	buf_puts(sql, " LIMIT ? OFFSET ?) k JOIN validations"
	    " USING (created_at, id)" ORDER_NEWEST);
}

void
query_compose(uint64_t key, struct buf *sql)
{
	unsigned int	 kind = (unsigned int)(key & QK_MASK);
	int		 search = (key & QF_BIT(QF_SEARCH)) != 0;

	if (key & QR_PROBE) {
		probe_compose(key, sql);
		return;
	}
	if (key & QR_GRAMCOUNT) {
		gram_count_compose(key, sql);
		return;
	}
	switch (kind) {
	case QK_RESIDUAL:
	case QK_LIST_BANK:
		bank_compose(key, sql);
		return;
	case QK_TALLY:
	case QK_TALLIES:
		if (key & QR_ROLLUP)
			rollup_compose(key, sql);
		else
			tally_compose(key, sql);
		return;
	case QK_LIST:
		list_compose(key, sql);
		return;
	case QK_COUNT:
		if ((key & QR_GRAMS) && !(key & QF_BIT(QF_SEARCH_BANK))) {
			/* one branch: no UNION to deduplicate */
			buf_puts(sql, "SELECT COUNT(*)");
			gram_from(key, 0, sql);
			return;
		}
		if (search) {
			buf_puts(sql, "SELECT COUNT(*) FROM (");
			query_branches(key, "id", 0, sql);
			buf_puts(sql, ") u");
			return;
		}
		buf_puts(sql, "SELECT COUNT(*)");
		break;
	case QK_COUNTS:
		buf_puts(sql, search ? "SELECT STRAIGHT_JOIN" : "SELECT");
		buf_puts(sql, " status, deleted_at IS NOT NULL, COUNT(*)");
		break;
	default:
		buf_puts(sql, search ? "SELECT STRAIGHT_JOIN" : "SELECT");
		buf_puts(sql, " " EXPORT_COLS);
		break;
	}
	if (search) {
		/* the matching ids first, then each row by its key */
		buf_puts(sql, " FROM (");
		query_branches(key, "id, created_at", 0, sql);
		buf_puts(sql, ") u JOIN validations USING (created_at, id)");
	} else {
		buf_puts(sql, " FROM validations");
		query_indexes(key, sql);
		query_where(key, qf_sql, " WHERE ", sql);
	}
	if (kind == QK_COUNTS)
		buf_puts(sql, " GROUP BY status, deleted_at IS NOT NULL"
		    " ORDER BY NULL");
	else
		buf_puts(sql, ORDER_NEWEST);
}

/*
 * The text part of f's search, from its grams (core/grams.c): how many
 * records (up to PROBE_CAP) hold each of them, one statement; the
 * rarest leads the lookup. A gram no record holds means no clave or
 * referencia contains the term. Under 4 characters (or across
 * accounts, which the API refuses) the clave prefix and referencia.
 */
int
search_plan(struct db *db, struct validation_filter *f)
{
	char		 g[SEARCH_GRAMS_USED][SEARCH_GRAM_SIZE];
	char		 tg[SEARCH_GRAM_SIZE];
	long long	 cnt[SEARCH_GRAMS_USED], tc;
	size_t		 n, m = 0, i, j;
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	if (f->search[0] == '\0' || f->search_text != SEARCH_TEXT_UNPLANNED)
		return 0;
	n = search_grams(f->search, g, SEARCH_GRAMS_USED);
	for (i = 0; i < n; i++) {	/* without repeats */
		for (j = 0; j < m && strcmp(g[j], g[i]) != 0; j++)
			;
		if (j == m && m++ != i)
			memcpy(g[m - 1], g[i], sizeof(g[i]));
	}
	if (m == 0 || f->account_id[0] == '\0') {
		f->search_text = SEARCH_TEXT_PREFIX;
		return 0;
	}
	dbp_init(&p);
	for (i = 0; i < m; i++) {
		dbp_str(&p, f->account_id);
		dbp_str(&p, g[i]);
	}
	if (db_run_composed(db, DB_KEY_VALIDATION_QUERY | QR_PROBE |
	    QR_NGRAMS(m), "validation_gram_probe", query_compose, &p, &r,
	    &"iiii"[SEARCH_GRAMS_USED - m], DB_READ) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1)
		for (i = 0; i < m; i++)
			cnt[i] = dbr_i64(&r, i, 0);
	dbr_done(&r);
	if (rc != 1)
		return -1;
	for (i = 1; i < m; i++)	/* the rarest first */
		for (j = i; j > 0 && cnt[j] < cnt[j - 1]; j--) {
			tc = cnt[j], cnt[j] = cnt[j - 1], cnt[j - 1] = tc;
			memcpy(tg, g[j], sizeof(tg));
			memcpy(g[j], g[j - 1], sizeof(tg));
			memcpy(g[j - 1], tg, sizeof(tg));
		}
	for (i = 0; i < m; i++)
		memcpy(f->search_grams[i], g[i], sizeof(g[i]));
	f->search_ngrams = (int)m;
	f->search_lead = cnt[0];
	f->search_text = SEARCH_TEXT_GRAMS;
	if (cnt[0] == 0) {
		f->search_text = SEARCH_TEXT_NONE;
		f->search_ngrams = 1;
	}
	return 0;
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

/* the text bits of f's planned search (search_plan) */
static uint64_t
search_key(const struct validation_filter *f)
{
	switch (f->search_text) {
	case SEARCH_TEXT_GRAMS:
		return QR_GRAMS | QR_NGRAMS(f->search_ngrams) |
		    (utf8_chars(f->search) > SEARCH_GRAM_CHARS ? QR_CONFIRM : 0);
	case SEARCH_TEXT_NONE:
		/* no branch; without a bank, a gram that finds nothing */
		return f->search_nbanks > 0 ? QR_NOTEXT :
		    QR_GRAMS | QR_NGRAMS(1);
	default:
		return 0;
	}
}

/*
 * query_key: the key of filter f for kind. The live condition is left
 * out for the stats (they count both); a count whose filters the
 * tallies hold becomes a tally query.
 */
uint64_t
query_key(const struct validation_filter *f, unsigned int kind)
{
	uint64_t	 key = 0;
	unsigned int	 nset = 0, s;

	if (f->account_id[0] != '\0')
		key |= QF_BIT(QF_ACCOUNT);
	if (!f->with_deleted && kind != QK_COUNTS)
		key |= QF_BIT(QF_LIVE);
	for (s = 0; s < VALIDATION_STATUS__MAX; s++)
		if (f->status_mask & (1u << s))
			nset++;
	if (nset == 1)
		key |= QF_BIT(QF_STATUS_ONE);
	else if (nset > 1)
		key |= QF_BIT(QF_STATUS_SET);
	if (f->type >= 0)
		key |= QF_BIT(QF_TYPE);
	if (f->created_from != 0)
		key |= QF_BIT(QF_CREATED_FROM);
	if (f->created_before != 0)
		key |= QF_BIT(QF_CREATED_BEFORE);
	if (f->fecha_from[0] != '\0')
		key |= QF_BIT(QF_FECHA_FROM);
	if (f->fecha_to[0] != '\0')
		key |= QF_BIT(QF_FECHA_TO);
	if (f->amount_min >= 0)
		key |= QF_BIT(QF_AMOUNT_MIN);
	if (f->amount_max >= 0)
		key |= QF_BIT(QF_AMOUNT_MAX);
	if (f->playground >= 0)
		key |= QF_BIT(QF_PLAYGROUND);
	if (f->retry_state == RETRY_TERMINAL_NONE)
		key |= QF_BIT(QF_RETRY_NONE);
	else if (f->retry_state > 0)
		key |= QF_BIT(QF_RETRY_STATE);
	if (f->search[0] != '\0') {
		key |= QF_BIT(QF_SEARCH) | search_key(f);
		if (f->search_nbanks > 0)
			key |= QF_BIT(QF_SEARCH_BANK);
		if (f->search_nbanks > 1)
			key |= QR_BANKS;
	}
	if ((kind == QK_COUNT || kind == QK_COUNTS) && tally_can(f, key))
		kind = kind == QK_COUNT ? QK_TALLY : QK_TALLIES;
	if (gram_count_can(key | kind))
		key |= QR_GRAMCOUNT;
	return DB_KEY_VALIDATION_QUERY | key | kind;
}

/*
 * query_bind: the key of filter f for kind, and its values into p, in
 * the order query_compose writes the placeholders.
 */
uint64_t
query_bind(const struct validation_filter *f, unsigned int kind,
    struct dbp *p, struct query_bufs *b)
{
	uint64_t	 key = query_key(f, kind);
	long long	 offset = 0, limit = 0;
	int		 sb;

	dbp_init(p);
	kind = (unsigned int)(key & QK_MASK);
	if (kind == QK_TALLY || kind == QK_TALLIES) {
		tally_bind(f, key, p, b);
		return key;
	}
	if (key & QR_GRAMCOUNT) {
		dbp_str(p, f->account_id);
		dbp_str(p, f->search_grams[0]);
		return key;
	}
	if (kind == QK_LIST) {
		limit = b->limit;
		offset = b->offset;
		if (b->reverse)
			key |= QR_REVERSE;
		if (b->walk)
			key |= QR_WALK;
		if (b->days > 0) {
			key |= QR_DAYS;
			for (sb = 0; sb < DAY_BRANCHES; sb++) {
				query_bind_filters(f, key & ~QF_FECHA, p, b);
				dbp_str(p, sb < b->days ? b->day[sb] : NULL);
				dbp_i64(p, offset + limit);
			}
			dbp_i64(p, limit);
			dbp_i64(p, offset);
			return key;
		}
	}
	if (!(key & QF_BIT(QF_SEARCH)))
		query_bind_filters(f, key, p, b);
	else
		search_bind(f, key, kind == QK_LIST ? offset + limit : -1, p, b);
	if (kind == QK_LIST) {
		dbp_i64(p, limit);
		dbp_i64(p, offset);
	}
	return key;
}

/*
 * mxcep: lists, counts, stats and row-by-row exports of validations
 * under a struct validation_filter, plus soft delete and the admin
 * raw view. The statement is composed from the constant fragments
 * below, chosen by the bits of a key (which filters are set, which
 * kind of query); values are only ever bound. Each composition is
 * prepared once per connection (db_run_composed in db.c).
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
 *   filter's index.
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

/* the kind of query: the low three bits of the key */
#define QK_LIST		0u	/* a page: ids from an index, then rows */
#define QK_COUNT	1u	/* COUNT(*) */
#define QK_COUNTS	2u	/* status, deleted, COUNT(*) GROUP BY */
#define QK_EXPORT	3u	/* export columns, every row, list order */
#define QK_TALLY	4u	/* the sum of the tallies */
#define QK_TALLIES	5u	/* status, deleted, sum of the tallies */
#define QK_RESIDUAL	6u	/* a bank search's clave/referencia matches
				   that are not the bank's */
#define QK_LIST_BANK	7u	/* a page of one bank (validation_banks) */
#define QK_MASK		7u

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
	QF_AMOUNT_MIN,
	QF_AMOUNT_MAX,
	QF_PLAYGROUND,
	QF_RETRY_STATE,
	QF_RETRY_NONE,
	QF_SEARCH,		/* not a fragment: the search branches */
	QF_SEARCH_BANK,		/* ... with emisor and receptor */
	QF__MAX
};
#define QF_BIT(f)	(UINT64_C(1) << ((f) + 3))
#define QF_SEARCH_FIRST	QF_SEARCH
#define QF_ANY(key, a, b)	(((key) & (QF_BIT(a) | QF_BIT(b))) != 0)

/* "status IN (...)" always has this many placeholders (unused ones
 * repeat the first status), so one statement serves every set */
#define STATUS_SET_SLOTS	VALIDATION_STATUS__MAX

static const char *const qf_sql[QF_SEARCH_FIRST] = {
	[QF_ACCOUNT] = "account_id = ?",
	[QF_LIVE] = "deleted_at IS NULL",
	[QF_STATUS_ONE] = "status = ?",
	[QF_STATUS_SET] = "status IN (?, ?, ?, ?, ?, ?, ?, ?)",
	[QF_TYPE] = "validation_type = ?",
	[QF_CREATED_FROM] = "created_at >= ?",
	[QF_CREATED_BEFORE] = "created_at < ?",
	[QF_FECHA_FROM] = "fecha >= ?",
	[QF_FECHA_TO] = "fecha <= ?",
	[QF_AMOUNT_MIN] = "monto >= ?",
	[QF_AMOUNT_MAX] = "monto <= ?",
	[QF_PLAYGROUND] = "playground = ?",
	[QF_RETRY_STATE] = "retry_terminal_state = ?",
	[QF_RETRY_NONE] = "retry_terminal_state IS NULL",
};

/* the same filters on validation_tallies (sql/007_list_tallies.sql);
 * the dates and amounts are the (dim, k) ranges written by
 * tally_compose */
static const char *const qf_tally_sql[QF_SEARCH_FIRST] = {
	[QF_ACCOUNT] = "account_id = ?",
	[QF_LIVE] = "deleted = 0",
	[QF_STATUS_ONE] = "status = ?",
	[QF_STATUS_SET] = "status IN (?, ?, ?, ?, ?, ?, ?, ?)",
	[QF_TYPE] = "validation_type = ?",
	[QF_PLAYGROUND] = "playground = ?",
	[QF_RETRY_STATE] = "retry_state = ?",
	[QF_RETRY_NONE] = "retry_state = 'none'",
};

/* the filters of a tally's dimension */
#define QF_CREATED	(QF_BIT(QF_CREATED_FROM) | QF_BIT(QF_CREATED_BEFORE))
#define QF_FECHA	(QF_BIT(QF_FECHA_FROM) | QF_BIT(QF_FECHA_TO))
#define QF_AMOUNT	(QF_BIT(QF_AMOUNT_MIN) | QF_BIT(QF_AMOUNT_MAX))

/* a search matches these columns; each branch of the UNION has its
 * index: live (the list's default) or with the deleted rows */
enum search_branch {
	SB_CLAVE = 0,		/* clave_rastreo LIKE 'term%' */
	SB_REFERENCIA,		/* referencia = term */
	SB_EMISOR,		/* emisor = participant code */
	SB_RECEPTOR,		/* receptor = participant code */
	SB__MAX
};
static const struct {
	const char	*cond;
	const char	*live_index;
	const char	*any_index;
} search_branches[SB__MAX] = {
	[SB_CLAVE] = { "clave_rastreo LIKE ?", "idx_validations_account_clave",
	    "idx_validations_account_clave" },
	[SB_REFERENCIA] = { "referencia = ?",
	    "idx_validations_account_live_referencia",
	    "idx_validations_account_referencia" },
	[SB_EMISOR] = { "emisor = ?", "idx_validations_account_live_emisor",
	    "idx_validations_account_live_emisor" },
	[SB_RECEPTOR] = { "receptor = ?",
	    "idx_validations_account_live_receptor",
	    "idx_validations_account_live_receptor" },
};

/* the list columns (ValidationListItem) */
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

/* the export's columns only (src/api/export.c), read into the cursor's
 * own buffers */
#define EXPORT_COLS \
	"id, account_id, validation_type, playground, status, fecha, " \
	"clave_rastreo, " \
	"referencia, emisor, receptor, cuenta, monto, banxico_status, " \
	"created_at, completed_at, has_cep, error_code, deleted_at"
#define EXPORT_FMT	"sssiss" "ssssss" "s" "tti" "st"

#define ORDER_NEWEST	" ORDER BY created_at DESC, id DESC"
#define ORDER_OLDEST	" ORDER BY created_at ASC, id ASC"

/* a page read from the oldest end (page_window): the inner order of the
 * deferred join is reversed; the outer one puts the rows back */
#define QR_REVERSE	(UINT64_C(1) << 40)
#define INNER_ORDER(key)	(((key) & QR_REVERSE) ? ORDER_OLDEST : ORDER_NEWEST)
/* an amount range's page found by walking the list order (page_plan) */
#define QR_WALK		(UINT64_C(1) << 41)
/* a transfer-date range's page as one ordered branch per day */
#define QR_DAYS		(UINT64_C(1) << 42)
#define DAY_BRANCHES	31
/* a deep page located through the tallies (page_locate): the sums per
 * creation month (oldest first), then per day of one month (in the
 * page's direction) */
#define QR_MONTHS	(UINT64_C(1) << 43)
#define QR_DAYSUMS	(UINT64_C(1) << 44)
/* ... from validation_rollups (sql/008_list_rollups.sql): the facet is
 * d/m without other filters, a with an amount range, b with a bank */
#define QR_ROLLUP	(UINT64_C(1) << 45)
/* the text part of a search (search_plan): through validation_grams
 * (sql/010_search_grams.sql), with 1-4 grams, confirmed by LIKE on the
 * columns when the term is longer than a gram; or no text branch at all
 * (a gram no record holds); and several banks (emisor/receptor IN) */
#define QR_GRAMS	(UINT64_C(1) << 46)
#define QR_NGRAMS(n)	((uint64_t)((n) - 1) << 47)	/* 2 bits */
#define QR_NGRAMS_OF(key)	((int)(((key) >> 47) & 3) + 1)
#define QR_CONFIRM	(UINT64_C(1) << 49)
#define QR_NOTEXT	(UINT64_C(1) << 50)
#define QR_BANKS	(UINT64_C(1) << 51)
#define QR_TEXT		(QR_GRAMS | QR_NGRAMS(4) | QR_CONFIRM | QR_NOTEXT)
/* the probe of a term's grams (search_plan), 1-4 of them */
#define QR_PROBE	(UINT64_C(1) << 52)
/* "emisor IN (...)" always has this many placeholders (unused ones
 * repeat the first code) */
#define BANK_SLOTS	FILTER_SEARCH_BANKS
/* a count of one gram's holders from validation_gram_counts
 * (sql/012_search_gram_counts.sql, gram_count_can) */
#define QR_GRAMCOUNT	(UINT64_C(1) << 53)
/* a gram probe counts up to this many records per gram */
#define PROBE_CAP	1000

/*
 * The indexes a query on validations may use (FORCE INDEX), so that
 * the plan never depends on statistics: every candidate is led by
 * account_id (never a table scan). Among equality filters MariaDB
 * picks by cost (the ordered live index for a broad status, the status
 * index for a rare one). A transfer-date or amount range gets its
 * index alone: with the ordered index as an option MariaDB walks it
 * from the newest row hoping to meet the range soon, which for a range
 * months back means most of the account. Across accounts (admin) only
 * the created_at order is available.
 */
static void
query_indexes(uint64_t key, struct buf *sql)
{
	int		 live = (key & QF_BIT(QF_LIVE)) != 0;
	const char	*sep = " FORCE INDEX (";

#define IX(name)	do { buf_puts(sql, sep); buf_puts(sql, name); \
			    sep = ", "; } while (0)
	if (!(key & QF_BIT(QF_ACCOUNT))) {
		/* the API layer allows only status, dates and with_deleted
		 * here (api_filter_from_request). An export reads every
		 * row: in the table's own order, which is the list's
		 * (sql/009_validations_clustered.sql) */
		if ((key & QK_MASK) == QK_EXPORT)
			IX("PRIMARY");
		else
			IX(live ? "idx_validations_live_created" :
			    "idx_validations_created");
		if (QF_ANY(key, QF_STATUS_ONE, QF_STATUS_SET))
			IX("idx_validations_status_created");
	} else if (QF_ANY(key, QF_FECHA_FROM, QF_FECHA_TO))
		IX("idx_validations_account_live_fecha");
	else if (QF_ANY(key, QF_AMOUNT_MIN, QF_AMOUNT_MAX) &&
	    !(key & QR_WALK))
		IX("idx_validations_account_live_monto");
	else if (live) {
		IX("idx_validations_account_live");
		if (QF_ANY(key, QF_STATUS_ONE, QF_STATUS_SET))
			IX("idx_validations_account_live_status");
		if (key & QF_BIT(QF_TYPE))
			IX("idx_validations_account_live_type");
		if (key & QF_BIT(QF_PLAYGROUND))
			IX("idx_validations_account_live_playground");
		if (QF_ANY(key, QF_RETRY_STATE, QF_RETRY_NONE))
			IX("idx_validations_account_live_retry");
	} else {
		IX("idx_validations_account_created");
		if (QF_ANY(key, QF_STATUS_ONE, QF_STATUS_SET))
			IX("idx_validations_account_status_created");
		if (key & QF_BIT(QF_TYPE))
			IX("idx_validations_account_type_created");
	}
#undef IX
	buf_puts(sql, ")");
}

/* " WHERE a AND b ..." for the fragments of key (table: qf_sql or
 * qf_tally_sql, whose NULL entries are skipped) */
static void
query_where(uint64_t key, const char *const table[], const char *lead,
    struct buf *sql)
{
	const char	*sep = lead;
	int		 f;

	for (f = 0; f < QF_SEARCH_FIRST; f++) {
		if (!(key & QF_BIT(f)) || table[f] == NULL)
			continue;
		buf_puts(sql, sep);
		buf_puts(sql, table[f]);
		sep = " AND ";
	}
}

/* the filters a gram branch checks on the record itself: all but the
 * account and the soft delete, which the grams hold */
#define QF_GRAM_OWN	(QF_BIT(QF_ACCOUNT) | QF_BIT(QF_LIVE))

/* the WHERE fragments of key */
static uint64_t
key_filters(uint64_t key)
{
	return key & ((UINT64_C(1) << (QF_SEARCH_FIRST + 3)) - 1) &
	    ~(uint64_t)QK_MASK;
}

static int
gram_needs_record(uint64_t key)
{
	return (key & QR_CONFIRM) || (key_filters(key) & ~QF_GRAM_OWN) != 0;
}

/* a search of one bank in the live records and no other filter: its
 * emisor and receptor branches are one walk of validation_banks */
static int
bank_one_branch(uint64_t key)
{
	return (key & QF_BIT(QF_SEARCH_BANK)) && !(key & QR_BANKS) &&
	    key_filters(key) == QF_GRAM_OWN;
}

/*
 * " FROM validation_grams g1 ... WHERE ...": the records holding the
 * term's grams (g1 the rarest, walked in list order; the others looked
 * up by their key), joined to the record as v when a filter or the
 * confirmation needs it (record: always). The filters are written
 * against v unqualified: validation_grams' columns have other names.
 */
static void
gram_from(uint64_t key, int record, struct buf *sql)
{
	int	 n = QR_NGRAMS_OF(key), i;
	char	 t[200];

	record = record || gram_needs_record(key);
	buf_puts(sql, " FROM validation_grams g1");
	for (i = 2; i <= n; i++) {
		snprintf(t, sizeof(t), " STRAIGHT_JOIN validation_grams g%d ON "
		    "(g%d.g_account = g1.g_account AND g%d.gram = ? AND "
		    "g%d.g_created = g1.g_created AND g%d.g_id = g1.g_id)",
		    i, i, i, i, i);
		buf_puts(sql, t);
	}
	if (record)
		buf_puts(sql, " STRAIGHT_JOIN validations v ON (v.created_at = "
		    "g1.g_created AND v.id = g1.g_id)");
	buf_puts(sql, " WHERE g1.g_account = ? AND g1.gram = ?");
	if (key & QF_BIT(QF_LIVE))
		buf_puts(sql, " AND g1.g_deleted = 0");
	if (record)
		query_where(key & ~QF_GRAM_OWN, qf_sql, " AND ", sql);
	if (key & QR_CONFIRM)
		buf_puts(sql, " AND (clave_rastreo LIKE ? OR referencia "
		    "LIKE ?)");
}

/* the search branches joined by UNION: each "(SELECT cols FROM
 * validations FORCE INDEX (its index) WHERE the filters AND its
 * column [ORDER BY .. LIMIT ?])"; the text one from validation_grams
 * for a term of 4+ characters. cols: "id" or "id, created_at". */
static void
query_branches(uint64_t key, const char *cols, int limited,
    struct buf *sql)
{
	int		 live = (key & QF_BIT(QF_LIVE)) != 0;
	int		 sb, first = 1, sb0 = SB_CLAVE;
	const char	*cond;

	if (key & QR_GRAMS) {
		buf_puts(sql, "(SELECT g1.g_id AS id");
		if (strcmp(cols, "id") != 0)
			buf_puts(sql, ", g1.g_created AS created_at");
		gram_from(key, 0, sql);
		if (limited) {
			buf_puts(sql, (key & QR_REVERSE) ? " ORDER BY "
			    "g1.g_created ASC, g1.g_id ASC" : " ORDER BY "
			    "g1.g_created DESC, g1.g_id DESC");
			buf_puts(sql, " LIMIT ?");
		}
		buf_puts(sql, ")");
		first = 0;
	}
	if (key & (QR_GRAMS | QR_NOTEXT))
		sb0 = SB_EMISOR;
	for (sb = sb0; sb < SB__MAX; sb++) {
		if (sb >= SB_EMISOR && !(key & QF_BIT(QF_SEARCH_BANK)))
			break;
		buf_puts(sql, first ? "(SELECT " : " UNION (SELECT ");
		first = 0;
		buf_puts(sql, cols);
		if (sb >= SB_EMISOR && bank_one_branch(key)) {
			buf_puts(sql, " FROM validation_banks WHERE account_id = "
			    "? AND deleted = 0 AND bank = ?");
			if (limited) {
				buf_puts(sql, INNER_ORDER(key));
				buf_puts(sql, " LIMIT ?");
			}
			buf_puts(sql, ")");
			break;	/* emisor and receptor both */
		}
		buf_puts(sql, " FROM validations FORCE INDEX (");
		buf_puts(sql, live ? search_branches[sb].live_index :
		    search_branches[sb].any_index);
		buf_puts(sql, ")");
		query_where(key, qf_sql, " WHERE ", sql);
		buf_puts(sql, " AND ");
		cond = search_branches[sb].cond;
		if (sb >= SB_EMISOR && (key & QR_BANKS))
			cond = sb == SB_EMISOR ? "emisor IN (?, ?, ?, ?, ?, ?, "
			    "?, ?)" : "receptor IN (?, ?, ?, ?, ?, ?, ?, ?)";
		buf_puts(sql, cond);
		if (limited) {
			buf_puts(sql, INNER_ORDER(key));
			buf_puts(sql, " LIMIT ?");
		}
		buf_puts(sql, ")");
	}
}

/* a bank code as the tallies' k: digits without a leading zero (as
 * the be/br/bs rows are kept), else -1 */
static long long
tally_bank(const char *code)
{
	size_t	 n = strlen(code);

	if (n == 0 || n > 9 || code[0] == '0' ||
	    strspn(code, "0123456789") != n)
		return -1;
	return strtoll(code, NULL, 10);
}

/* the tallies answer a count when at most one of the creation date,
 * the transfer date and the amount is filtered and there is no search,
 * or when the search names a bank and no range is filtered */
static int
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

/*
 * A count from the tallies. Dates: the whole months of the range (cm or
 * fm rows) plus the days at its ends (cd or fd rows); without a date,
 * every month. Amounts: the whole buckets of the range (ab rows) plus
 * the rows of the buckets at its ends, counted through the amount
 * index. tally_bind gives the bounds.
 */
static void
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
	if (key & QF_BIT(QF_SEARCH)) {
		/* emisor or receptor: be + br - bs; then the clave and
		 * referencia matches that are neither, through their index */
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
	} else if (key & QF_AMOUNT) {
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
static void
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

/*
 * A search by bank code alone (live records, no other filter) has its
 * pages in validation_banks, one ordered index walk, when none of the
 * clave or referencia matches is outside the bank's records (the
 * residual; nearly always: claves and referencias are not bank codes).
 */
#define QF_BANK_ONLY	(QF_BIT(QF_ACCOUNT) | QF_BIT(QF_LIVE) | \
			 QF_BIT(QF_SEARCH) | QF_BIT(QF_SEARCH_BANK))

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

static void
query_compose(uint64_t key, struct buf *sql)
{
	unsigned int	 kind = (unsigned int)(key & QK_MASK);
	int		 search = (key & QF_BIT(QF_SEARCH)) != 0;
	int		 i;

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
		/* the page's keys from the index, then their rows by the
		 * primary key (sql/009_validations_clustered.sql) */
		buf_puts(sql, "SELECT STRAIGHT_JOIN " LIST_COLS " FROM "
		    "(SELECT id, created_at FROM ");
		if (search) {
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
static int
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

/* "%abc%" likewise */
static void
like_contains(const char *s, char *out, size_t n)
{
	out[0] = '%';
	like_prefix(s, out + 1, n - 1);
}

/* amounts are >= 0 here */
static void
money_text(int64_t cents, char out[MONEY_FMT_SIZE])
{
	money_format(cents, out);
}

/* text values bound by query_bind (they must outlive the run) */
struct query_bufs {
	char	 like[2 * FILTER_SEARCH_MAX + 2];
	char	 contains[2 * FILTER_SEARCH_MAX + 3];	/* "%term%" */
	char	 amount_min[MONEY_FMT_SIZE];
	char	 amount_max[MONEY_FMT_SIZE];
	char	 edge[4][MONEY_FMT_SIZE];	/* a tally's amount edges */
	/* the rows of a list: LIMIT, OFFSET, counted from the oldest end
	 * when reverse */
	long long limit, offset;
	int	 reverse;
	int	 walk;			/* QR_WALK */
	int	 bank;			/* pages in validation_banks: 0 not
					   known yet, 1 yes, 2 no */
	int	 days;			/* QR_DAYS: the days of the range */
	char	 day[DAY_BRANCHES][DATE_FMT_SIZE];
};

/* the LIKE patterns of f's search term */
static void
search_like(const struct validation_filter *f, struct query_bufs *b)
{
	like_prefix(f->search, b->like, sizeof(b->like));
	like_contains(f->search, b->contains, sizeof(b->contains));
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
static uint64_t
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

/* the values of the fragments of key, in query_where's order */
static void
query_bind_filters(const struct validation_filter *f, uint64_t key,
    struct dbp *p, struct query_bufs *b)
{
	const char	*first = NULL;
	int		 s, nset = 0;

	if (key & QF_BIT(QF_ACCOUNT))
		dbp_str(p, f->account_id);
	if (QF_ANY(key, QF_STATUS_ONE, QF_STATUS_SET)) {
		for (s = 0; s < VALIDATION_STATUS__MAX; s++)
			if (f->status_mask & (1u << s)) {
				if (first == NULL)
					first = validation_status_name(
					    (enum validation_status)s);
				dbp_str(p, validation_status_name(
				    (enum validation_status)s));
				nset++;
			}
		if (key & QF_BIT(QF_STATUS_SET))
			for (; nset < STATUS_SET_SLOTS; nset++)
				dbp_str(p, first);
	}
	if (key & QF_BIT(QF_TYPE))
		dbp_str(p, validation_type_name((enum validation_type)f->type));
	if (key & QF_BIT(QF_CREATED_FROM))
		dbp_time(p, f->created_from);
	if (key & QF_BIT(QF_CREATED_BEFORE))
		dbp_time(p, f->created_before);
	if (key & QF_BIT(QF_FECHA_FROM))
		dbp_str(p, f->fecha_from);
	if (key & QF_BIT(QF_FECHA_TO))
		dbp_str(p, f->fecha_to);
	if (key & QF_BIT(QF_AMOUNT_MIN)) {
		money_text(f->amount_min, b->amount_min);
		dbp_str(p, b->amount_min);
	}
	if (key & QF_BIT(QF_AMOUNT_MAX)) {
		money_text(f->amount_max, b->amount_max);
		dbp_str(p, b->amount_max);
	}
	if (key & QF_BIT(QF_PLAYGROUND))
		dbp_i64(p, f->playground ? 1 : 0);
	if (key & QF_BIT(QF_RETRY_STATE))
		dbp_str(p, retry_terminal_name(
		    (enum retry_terminal)f->retry_state));
}

/* gram_from's values */
static void
gram_bind(const struct validation_filter *f, uint64_t key, int record,
    struct dbp *p, struct query_bufs *b)
{
	int	 n = QR_NGRAMS_OF(key), i;

	for (i = 1; i < n; i++)
		dbp_str(p, f->search_grams[i]);
	dbp_str(p, f->account_id);
	dbp_str(p, f->search_grams[0]);
	if (record || gram_needs_record(key))
		query_bind_filters(f, key & ~QF_GRAM_OWN, p, b);
	if (key & QR_CONFIRM) {
		dbp_str(p, b->contains);
		dbp_str(p, b->contains);
	}
}

/* the day number of t (UTC), rounded down */
static long long
day_of(time_t t)
{
	long long	 s = (long long)t;

	return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}

/* the start of t's month (UTC), or of the month after */
static time_t
month_start(time_t t, int next)
{
	return (time_t)(date_month_start(day_of(t), next) * 86400);
}

/* a tally's day key: YYYYMMDD of t (UTC) */
static long long
tally_day(time_t t)
{
	struct date	 d;

	date_from_days(day_of(t), &d);
	return d.year * 10000LL + d.month * 100LL + d.day;
}

/* "YYYY-MM-DD" (checked by the API layer) at 00:00 UTC, + days; 0 for
 * any other text */
static time_t
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

/* the amount bucket holding pesos: its lower bound and width (whole
 * pesos below 100, then the first two digits), as in the 'ab' rows */
static void
amount_bucket(int64_t pesos, int64_t *lower, int64_t *width)
{
	int64_t	 w = 1;

	if (pesos >= 100)
		for (; pesos / w >= 100; w *= 10)
			;
	*width = w;
	*lower = pesos / w * w;
}

#define AMOUNT_TOP	INT64_C(1000000000000000)	/* pesos above any monto */

/* the amount plan: whole buckets [b1, b2) (pesos) and the edges
 * [e1, e2) and [e3, e4] (centavos) counted through the index */
static void
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
static void
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

/* the values of query_branches (limit: the rows of each branch, -1
 * none); a count of grams alone (QK_COUNT) has the same values */
static void
search_bind(const struct validation_filter *f, uint64_t key,
    long long limit, struct dbp *p, struct query_bufs *b)
{
	int	 sb, i, sb0 = SB_CLAVE;

	search_like(f, b);
	if (key & QR_GRAMS) {
		gram_bind(f, key, 0, p, b);
		if (limit >= 0)
			dbp_i64(p, limit);
		sb0 = SB_EMISOR;
	} else if (key & QR_NOTEXT)
		sb0 = SB_EMISOR;
	for (sb = sb0; sb < SB__MAX; sb++) {
		if (sb >= SB_EMISOR && !(key & QF_BIT(QF_SEARCH_BANK)))
			break;
		if (sb >= SB_EMISOR && bank_one_branch(key)) {
			dbp_str(p, f->account_id);
			dbp_str(p, f->search_banks[0]);
			if (limit >= 0)
				dbp_i64(p, limit);
			break;	/* emisor and receptor both */
		}
		query_bind_filters(f, key, p, b);
		switch (sb) {
		case SB_CLAVE:
			dbp_str(p, b->like);
			break;
		case SB_REFERENCIA:
			dbp_str(p, f->search);
			break;
		default:
			for (i = 0; i < ((key & QR_BANKS) ? BANK_SLOTS : 1); i++)
				dbp_str(p, f->search_banks[
				    i < f->search_nbanks ? i : 0]);
			break;
		}
		if (limit >= 0)
			dbp_i64(p, limit);
	}
}

/*
 * query_bind: the key of filter f for kind, and its values into p, in
 * the order query_compose writes the placeholders.
 */
static uint64_t
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
	v->monto_cents = money_parse_decimal(s);
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
		date_from_days(day_of(from) + i, &d);
		date_format_iso(&d, b->day[i]);
	}
	b->days = days;
	return 0;
}

/* YYYYMMDD (a tally's day key) at 00:00 UTC */
static time_t
tally_day_time(long long day)
{
	return (time_t)(date_days_since_epoch((int)(day / 10000),
	    (int)(day / 100 % 100), (int)(day % 100)) * 86400);
}

/* where the sums per creation month of a filter come from (sums_by) */
enum sums_by {
	SUMS_NONE = 0,	/* nowhere: a count (db_validation_count) */
	SUMS_TALLIES,	/* the tallies' cm/cd rows (categorical filters) */
	SUMS_ROLLUP,	/* the rollups' m/d rows: no filter but dates */
	SUMS_AMOUNT,	/* the rollups' a rows, and the end buckets */
	SUMS_BANK	/* the rollups' b rows: a bank code alone */
};

/* the sums per creation month of a filter */
struct month_sums {
	enum sums_by	 by;
	long long	(*m)[2];	/* (YYYYMM, rows), oldest first */
	size_t		 n;
	uint64_t	 total;		/* their sum: the filter's count */
};

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
static enum sums_by
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
static int
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
static int
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

/* ---- cursor (exports) ------------------------------------------------- */

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

/* ---- soft delete, admin raw view --------------------------------------- */

int
db_validation_soft_delete(struct db *db, const char *account_id,
    const char *id, time_t now, int *found, int *changed, int *cancelled,
    int64_t *etag)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	*found = *changed = *cancelled = 0;
	*etag = -1;
	if (!uuid_valid(id) || !uuid_valid(account_id))
		return 0;
	if (db_begin(db) == -1)
		return -1;
	/* the row lock first: the cycle and the delete move together */
	if (db_retry_cancel_locked(db, account_id, id, now, found,
	    cancelled) == -1)
		goto fail;
	if (!*found) {
		db_rollback(db);
		return 0;
	}
	dbp_init(&p);
	dbp_time(&p, now);
	dbp_time(&p, now);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_VALIDATION_SOFT_DELETE, &p, NULL, NULL) == -1)
		goto fail;
	*changed = db_affected(db) > 0 || *cancelled;
	dbp_init(&p);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_VALIDATION_ACCOUNT_ETAG, &p, &r, "i") == -1)
		goto fail;
	if ((rc = dbr_fetch(&r)) == 1)
		*etag = dbr_i64(&r, 0, -1);
	dbr_done(&r);
	if (rc == -1 || db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	*found = *changed = *cancelled = 0;
	return -1;
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

/*
 * mxcep: internals of the validation queries (lists, counts, stats,
 * exports), shared by the files of src/store/ that write them, lowest
 * first (each calls only those listed before it):
 *   query_sql.c    the SQL fragments: WHERE, FORCE INDEX, search branches
 *   query_bind.c   the values of those fragments, in their order
 *   query_tally.c  counts from the tallies and rollups (sql/007, 008)
 *   query_plan.c   the statement of a key (query_compose), the key and
 *                  values of a filter (query_key, query_bind), searches
 *   query_sums.c   counts, stats, and the per-month/day sums of a filter
 *   query_page.c   a page of a list: deep pages located, bank pages
 *   query_export.c the row-by-row export cursor
 * The statement is composed from constant fragments only, chosen by the
 * bits of a 64-bit key; values are only ever bound. Each composition is
 * prepared once per connection (db_run_composed in db.c).
 */
#ifndef MXCEP_STORE_QUERY_H
#define MXCEP_STORE_QUERY_H

#include <stdint.h>
#include <time.h>

#include "core/core.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/validation_cols.h"

/*
 * The key packs four fields, low bits first:
 *   kind     QK_*: which statement (a page, a count, ...)
 *   filters  QF_BIT(f): one bit per WHERE fragment set (enum qf)
 *   reading  QR_*: how it is read (direction, index walk, grams, ...)
 *   caller   DB_KEY_* (store_int.h): whose composition it is
 * Each field has a shift and a width; _Static_assert below checks that
 * none overlaps the next and that they fit in 64 bits.
 */
#define QK_SHIFT	0
#define QK_WIDTH	3
#define QF_SHIFT	(QK_SHIFT + QK_WIDTH)
#define QR_SHIFT	40
#define QR_WIDTH	14

/* the kind of query */
#define QK_LIST		0u	/* a page: ids from an index, then rows */
#define QK_COUNT	1u	/* COUNT(*) */
#define QK_COUNTS	2u	/* status, deleted, COUNT(*) GROUP BY */
#define QK_EXPORT	3u	/* export columns, every row, list order */
#define QK_TALLY	4u	/* the sum of the tallies */
#define QK_TALLIES	5u	/* status, deleted, sum of the tallies */
#define QK_RESIDUAL	6u	/* a bank search's clave/referencia matches
				   that are not the bank's */
#define QK_LIST_BANK	7u	/* a page of one bank (validation_banks) */
#define QK_MASK		(((UINT64_C(1) << QK_WIDTH) - 1) << QK_SHIFT)

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
#define QF_BIT(f)	(UINT64_C(1) << ((f) + QF_SHIFT))
#define QF_SEARCH_FIRST	QF_SEARCH
#define QF_ANY(key, a, b)	(((key) & (QF_BIT(a) | QF_BIT(b))) != 0)

/* how the statement is read: one bit each (QR_NGRAMS two) */
enum qr {
	QR_B_REVERSE = 0,	/* a page read from the oldest end: the inner
				   order of the deferred join is reversed;
				   the outer one puts the rows back */
	QR_B_WALK,		/* an amount range's page found by walking the
				   list order (page_plan) */
	QR_B_DAYS,		/* a transfer-date range's page as one ordered
				   branch per day */
	QR_B_MONTHS,		/* a deep page located through the sums per
				   creation month (oldest first) ... */
	QR_B_DAYSUMS,		/* ... then per day of one month (in the
				   page's direction) (page_locate) */
	QR_B_ROLLUP,		/* ... from validation_rollups (sql/008): the
				   facet is d/m without other filters, a with
				   an amount range, b with a bank */
	QR_B_GRAMS,		/* the text of a search through
				   validation_grams (sql/010) ... */
	QR_B_NGRAMS,		/* ... with 1-4 grams (two bits) ... */
	QR_B_NGRAMS_HI,
	QR_B_CONFIRM,		/* ... confirmed by LIKE on the columns when
				   the term is longer than a gram */
	QR_B_NOTEXT,		/* no text branch (a gram no record holds) */
	QR_B_BANKS,		/* several banks (emisor/receptor IN) */
	QR_B_PROBE,		/* the probe of a term's grams (search_plan) */
	QR_B_GRAMCOUNT,		/* a count of one gram's holders from
				   validation_gram_counts (sql/012) */
	QR_B__MAX
};
#define QR_BIT(b)	(UINT64_C(1) << (QR_SHIFT + (b)))
#define QR_REVERSE	QR_BIT(QR_B_REVERSE)
#define QR_WALK		QR_BIT(QR_B_WALK)
#define QR_DAYS		QR_BIT(QR_B_DAYS)
#define QR_MONTHS	QR_BIT(QR_B_MONTHS)
#define QR_DAYSUMS	QR_BIT(QR_B_DAYSUMS)
#define QR_ROLLUP	QR_BIT(QR_B_ROLLUP)
#define QR_GRAMS	QR_BIT(QR_B_GRAMS)
#define QR_NGRAMS(n)	((uint64_t)((n) - 1) << (QR_SHIFT + QR_B_NGRAMS))
#define QR_NGRAMS_OF(key)	((int)(((key) >> (QR_SHIFT + QR_B_NGRAMS)) & 3) + 1)
#define QR_CONFIRM	QR_BIT(QR_B_CONFIRM)
#define QR_NOTEXT	QR_BIT(QR_B_NOTEXT)
#define QR_BANKS	QR_BIT(QR_B_BANKS)
#define QR_PROBE	QR_BIT(QR_B_PROBE)
#define QR_GRAMCOUNT	QR_BIT(QR_B_GRAMCOUNT)
#define QR_TEXT		(QR_GRAMS | QR_NGRAMS(4) | QR_CONFIRM | QR_NOTEXT)

_Static_assert(QK_LIST_BANK <= QK_MASK, "a kind outside the kind field");
_Static_assert(QK_SHIFT + QK_WIDTH <= QF_SHIFT,
    "the kind and filter fields of the key overlap");
_Static_assert(QF_SHIFT + QF__MAX <= QR_SHIFT,
    "the filter and reading fields of the key overlap");
_Static_assert(QR_B__MAX <= QR_WIDTH, "a reading bit outside its field");
_Static_assert(QR_SHIFT + QR_WIDTH <= DB_KEY_SHIFT,
    "the reading and caller fields of the key overlap");
_Static_assert(DB_KEY_SHIFT + DB_KEY_WIDTH <= 64,
    "the key's fields do not fit in 64 bits");
_Static_assert(SEARCH_GRAMS_USED >= 1 && SEARCH_GRAMS_USED <= 4,
    "QR_NGRAMS holds 1-4 grams");

/* a transfer-date range of up to this many days: a branch per day */
#define DAY_BRANCHES	31
/* "emisor IN (...)" always has this many placeholders (unused ones
 * repeat the first code) */
#define BANK_SLOTS	FILTER_SEARCH_BANKS
/* a gram probe counts up to this many records per gram */
#define PROBE_CAP	1000
#define INNER_ORDER(key)	(((key) & QR_REVERSE) ? ORDER_OLDEST : ORDER_NEWEST)

/* "status IN (...)" always has this many placeholders (unused ones
 * repeat the first status), so one statement serves every set */
#define STATUS_SET_SLOTS	VALIDATION_STATUS__MAX

/* the filters of a tally's dimension */
#define QF_CREATED	(QF_BIT(QF_CREATED_FROM) | QF_BIT(QF_CREATED_BEFORE))
#define QF_FECHA	(QF_BIT(QF_FECHA_FROM) | QF_BIT(QF_FECHA_TO))
#define QF_AMOUNT	(QF_BIT(QF_AMOUNT_MIN) | QF_BIT(QF_AMOUNT_MAX))

/* the list columns (ValidationListItem): validation_cols.h */
#define LIST_COLS	VALIDATION_LIST_COLS
#define LIST_FMT	VALIDATION_LIST_FMT

/* the export's columns only (src/api/export.c), read into the cursor's
 * own buffers: validation_cols.h */
#define EXPORT_COLS	VALIDATION_EXPORT_COLS
#define EXPORT_FMT	VALIDATION_EXPORT_FMT

#define ORDER_NEWEST	" ORDER BY created_at DESC, id DESC"
#define ORDER_OLDEST	" ORDER BY created_at ASC, id ASC"

/* the filters a gram branch checks on the record itself: all but the
 * account and the soft delete, which the grams hold */
#define QF_GRAM_OWN	(QF_BIT(QF_ACCOUNT) | QF_BIT(QF_LIVE))

/*
 * A search by bank code alone (live records, no other filter) has its
 * pages in validation_banks, one ordered index walk, when none of the
 * clave or referencia matches is outside the bank's records (the
 * residual; nearly always: claves and referencias are not bank codes).
 */
#define QF_BANK_ONLY	(QF_BIT(QF_ACCOUNT) | QF_BIT(QF_LIVE) | \
			 QF_BIT(QF_SEARCH) | QF_BIT(QF_SEARCH_BANK))

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

/* query_sql.c: the fragments of validations and validation_tallies */
extern const char *const qf_sql[QF_SEARCH_FIRST];
extern const char *const qf_tally_sql[QF_SEARCH_FIRST];
/* a search matches these columns; each branch of the UNION has its
 * index: live (the list's default) or with the deleted rows */
enum search_branch {
	SB_CLAVE = 0,		/* clave_rastreo LIKE 'term%' */
	SB_REFERENCIA,		/* referencia = term */
	SB_EMISOR,		/* emisor = participant code */
	SB_RECEPTOR,		/* receptor = participant code */
	SB__MAX
};
struct search_branch_sql {
	const char	*cond;
	const char	*live_index;
	const char	*any_index;
};
extern const struct search_branch_sql search_branches[SB__MAX];
struct buf;
void	 query_indexes(uint64_t key, struct buf *);
void	 query_where(uint64_t key, const char *const table[],
	    const char *lead, struct buf *);
uint64_t key_filters(uint64_t key);
int	 gram_needs_record(uint64_t key);
int	 bank_one_branch(uint64_t key);
void	 gram_from(uint64_t key, int record, struct buf *);
void	 query_branches(uint64_t key, const char *cols, int limited,
	    struct buf *);

/* query_bind.c */
void	 money_text(int64_t cents, char out[MONEY_FMT_SIZE]);
void	 search_like(const struct validation_filter *, struct query_bufs *);
void	 query_bind_filters(const struct validation_filter *, uint64_t key,
	    struct dbp *, struct query_bufs *);
void	 gram_bind(const struct validation_filter *, uint64_t key,
	    int record, struct dbp *, struct query_bufs *);
void	 search_bind(const struct validation_filter *, uint64_t key,
	    long long limit, struct dbp *, struct query_bufs *);

/* query_tally.c */
int	 tally_can(const struct validation_filter *, uint64_t key);
void	 tally_compose(uint64_t key, struct buf *);
void	 rollup_compose(uint64_t key, struct buf *);
void	 tally_bind_amount(const struct validation_filter *, struct dbp *,
	    struct query_bufs *);
void	 tally_bind(const struct validation_filter *, uint64_t key,
	    struct dbp *, struct query_bufs *);
long long utc_day(time_t);
time_t	 month_start(time_t, int next);
long long tally_day(time_t);
time_t	 tally_day_time(long long day);
time_t	 fecha_time(const char *, int days);

/* query_plan.c */
void	 query_compose(uint64_t key, struct buf *);
int	 search_plan(struct db *, struct validation_filter *);
uint64_t query_key(const struct validation_filter *, unsigned int kind);
uint64_t query_bind(const struct validation_filter *, unsigned int kind,
	    struct dbp *, struct query_bufs *);

/* query_sums.c: where the sums per creation month of a filter come from (sums_by) */
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
enum sums_by sums_by(const struct validation_filter *, int tallies);
int	 month_sums_read(struct db *, const struct validation_filter *,
	    enum sums_by, struct month_sums *);
int	 day_sums_locate(struct db *, const struct validation_filter *,
	    const struct month_sums *, struct query_bufs *, time_t lo,
	    time_t hi, long long *skip, long long *day);

#endif /* MXCEP_STORE_QUERY_H */

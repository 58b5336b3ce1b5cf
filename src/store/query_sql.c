/*
 * mxcep: the SQL fragments of the validation queries (query.h): the
 * WHERE fragments of a key's filters, the indexes a query may use, and
 * the branches of a search. Constant text only; values are bound
 * (query_bind.c) in the order written here.
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

const char *const qf_sql[QF_SEARCH_FIRST] = {
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
const char *const qf_tally_sql[QF_SEARCH_FIRST] = {
	[QF_ACCOUNT] = "account_id = ?",
	[QF_LIVE] = "deleted = 0",
	[QF_STATUS_ONE] = "status = ?",
	[QF_STATUS_SET] = "status IN (?, ?, ?, ?, ?, ?, ?, ?)",
	[QF_TYPE] = "validation_type = ?",
	[QF_PLAYGROUND] = "playground = ?",
	[QF_RETRY_STATE] = "retry_state = ?",
	[QF_RETRY_NONE] = "retry_state = 'none'",
};

/* each branch of a search's UNION: its condition and its index, live
 * (the list's default) or with the deleted rows */
const struct search_branch_sql search_branches[SB__MAX] = {
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
void
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
void
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

/* the WHERE fragments of key */
uint64_t
key_filters(uint64_t key)
{
	return key & ((UINT64_C(1) << (QF_SEARCH_FIRST + QF_SHIFT)) - 1) &
	    ~(uint64_t)QK_MASK;
}

int
gram_needs_record(uint64_t key)
{
	return (key & QR_CONFIRM) || (key_filters(key) & ~QF_GRAM_OWN) != 0;
}

/* a search of one bank in the live records and no other filter: its
 * emisor and receptor branches are one walk of validation_banks */
int
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
void
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
void
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
